/* Checksummed data files replaced atomically (write temp, fsync, rename, fsync the directory). */
#include "src/crypto/datafile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/crypto/sha256.h"

erg_code erg_datafile_read_raw(const char *path, size_t max, erg_buf *out, erg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *p;
    size_t got = 0;
    erg_buf_reset(out);
    if (fd < 0) {
        if (errno == ENOENT) return erg_err_set(err, ERG_ERR_NOTFOUND, "%s: no such file", path);
        return erg_err_set(err, ERG_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return erg_err_set(err, ERG_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return erg_err_set(err, ERG_ERR_RANGE, "%s: %lld bytes is more than the %zu allowed", path,
                           (long long)st.st_size, max);
    }
    /* One spare byte so that an empty file still gets storage. */
    if (!(p = erg_buf_extend(out, (size_t)st.st_size + 1))) {
        close(fd);
        return erg_buf_status(out, err);
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            erg_buf_reset(out);
            return erg_err_set(err, ERG_ERR_IO, "%s: read: %s", path, strerror(e));
        }
        if (n == 0) break; /* shrank under us: what was read is what the checks will see */
        got += (size_t)n;
    }
    close(fd);
    out->len = got;
    return ERG_OK;
}

erg_code erg_datafile_write_synced(const char *path, const uint8_t *data, size_t len, erg_err *err)
{
    int fd;
    size_t done = 0;
    (void)unlink(path); /* a stale temporary from an interrupted write */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return erg_err_set(err, ERG_ERR_IO, "%s: %s", path, strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return erg_err_set(err, ERG_ERR_IO, "%s: write: %s", path, strerror(e));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return erg_err_set(err, ERG_ERR_IO, "%s: fsync: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        unlink(path);
        return erg_err_set(err, ERG_ERR_IO, "%s: close: %s", path, strerror(errno));
    }
    return ERG_OK;
}

erg_code erg_datafile_sync_dir(const char *path, erg_err *err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int fd;
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path) >= (int)sizeof dir)
        return erg_err_set(err, ERG_ERR_ARG, "path too long");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return erg_err_set(err, ERG_ERR_IO, "%s: %s", dir, strerror(errno));
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return erg_err_set(err, ERG_ERR_IO, "%s: fsync: %s", dir, strerror(e));
    }
    close(fd);
    return ERG_OK;
}

erg_code erg_datafile_replace(const char *path, const uint8_t *data, size_t len, erg_err *err)
{
    char tmp[PATH_MAX];
    erg_code rc;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return erg_err_set(err, ERG_ERR_ARG, "path too long");
    if ((rc = erg_datafile_write_synced(tmp, data, len, err))) return rc;
    if (rename(tmp, path) != 0) {
        rc = erg_err_set(err, ERG_ERR_IO, "%s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return erg_datafile_sync_dir(path, err);
}

erg_code erg_datafile_write(const char *path, const uint8_t magic[4], const uint8_t *data, size_t len, erg_err *err)
{
    erg_buf b;
    erg_code rc;
    if (len > ERG_DATAFILE_MAX - ERG_DATAFILE_OVERHEAD)
        return erg_err_set(err, ERG_ERR_RANGE, "%s: %zu bytes of data is too large for a data file", path, len);
    erg_buf_init(&b);
    erg_buf_put_raw(&b, magic, 4);
    erg_buf_put_u32(&b, ERG_DATAFILE_VERSION);
    erg_buf_put_u64(&b, (uint64_t)len);
    erg_buf_put_raw(&b, data, len);
    if (!(rc = erg_buf_status(&b, err))) {
        uint8_t sum[32];
        erg_sha256(b.data, b.len, sum);
        erg_buf_put_raw(&b, sum, sizeof sum);
        if (!(rc = erg_buf_status(&b, err))) rc = erg_datafile_replace(path, b.data, b.len, err);
    }
    erg_buf_free(&b);
    return rc;
}

erg_code erg_datafile_read(const char *path, const uint8_t magic[4], erg_buf *out, erg_err *err)
{
    erg_buf raw;
    erg_code rc;
    uint8_t sum[32];
    uint64_t len;
    uint32_t version;
    erg_buf_reset(out);
    erg_buf_init(&raw);
    if ((rc = erg_datafile_read_raw(path, ERG_DATAFILE_MAX, &raw, err))) goto done;
    /* Magic first so that the wrong kind of file is named as such, then the length, then the sum. */
    if (raw.len < 4 || memcmp(raw.data, magic, 4) != 0) {
        rc = erg_err_set(err, ERG_ERR_PARSE, "%s: not a %.4s file (bad magic)", path, (const char *)magic);
        goto done;
    }
    if (raw.len < ERG_DATAFILE_OVERHEAD) {
        rc = erg_err_set(err, ERG_ERR_PARSE, "%s: truncated (%zu bytes, the header and checksum alone take %d)", path,
                         raw.len, ERG_DATAFILE_OVERHEAD);
        goto done;
    }
    len = erg_load_u64(raw.data + 8);
    if (len > raw.len - ERG_DATAFILE_OVERHEAD) {
        rc = erg_err_set(err, ERG_ERR_PARSE, "%s: truncated (header says %llu bytes of data, %zu present)", path,
                         (unsigned long long)len, raw.len - ERG_DATAFILE_OVERHEAD);
        goto done;
    }
    if (len < raw.len - ERG_DATAFILE_OVERHEAD) {
        rc = erg_err_set(err, ERG_ERR_PARSE, "%s: %zu bytes after its end", path,
                         raw.len - ERG_DATAFILE_OVERHEAD - (size_t)len);
        goto done;
    }
    erg_sha256(raw.data, raw.len - 32, sum);
    if (memcmp(sum, raw.data + raw.len - 32, 32) != 0) {
        rc = erg_err_set(err, ERG_ERR_CHECKSUM, "%s: checksum mismatch (file damaged)", path);
        goto done;
    }
    version = erg_load_u32(raw.data + 4);
    if (version != ERG_DATAFILE_VERSION) {
        rc = erg_err_set(err, ERG_ERR_UNSUPPORTED, "%s: version %u is not supported (this node reads %d)", path,
                         version, ERG_DATAFILE_VERSION);
        goto done;
    }
    erg_buf_put_raw(out, raw.data + 16, (size_t)len);
    rc = erg_buf_status(out, err);
done:
    erg_buf_free(&raw);
    return rc;
}
