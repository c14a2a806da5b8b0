/* Unlock sessions: a small 0600 file holding the wallet key until its deadline, wiped on lock. */
#include "wallet/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util/buffer.h"

#define SESSION_MAGIC "ERGSESN1"

erg_code erg_session_path(const char *wallet_path, char *out, size_t cap, erg_err *err)
{
    int n = snprintf(out, cap, "%s.session", wallet_path);
    if (n < 0 || (size_t)n >= cap) return erg_err_set(err, ERG_ERR_ARG, "session: wallet path too long");
    return ERG_OK;
}

erg_code erg_session_write(const char *wallet_path, const erg_wallet_key *key, uint64_t expiry, erg_err *err)
{
    char path[PATH_MAX];
    uint8_t b[ERG_SESSION_SIZE];
    erg_code rc;
    if ((rc = erg_session_path(wallet_path, path, sizeof path, err))) return rc;
    memcpy(b, SESSION_MAGIC, 8);
    erg_store_u64(b + 8, expiry);
    memcpy(b + 16, key->salt, 32);
    b[48] = key->kdf.log2_n;
    b[49] = key->kdf.r;
    b[50] = key->kdf.p;
    memcpy(b + 51, key->k, 32);
    rc = erg_walletfile_write(path, b, sizeof b, ERG_WF_NO_BACKUP, err);
    erg_memzero(b, sizeof b);
    return rc;
}

static void wipe_and_unlink(const char *path)
{
    static const uint8_t zero[ERG_SESSION_SIZE];
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, zero, sizeof zero) == (ssize_t)sizeof zero) (void)fsync(fd);
        close(fd);
    }
    unlink(path);
}

erg_code erg_session_read(const char *wallet_path, uint64_t now, erg_wallet_key *key, uint64_t *expiry, erg_err *err)
{
    char path[PATH_MAX];
    uint8_t b[ERG_SESSION_SIZE + 1];
    struct stat st;
    ssize_t n;
    uint64_t exp;
    erg_wallet_key k;
    int fd;
    erg_code rc;
    if ((rc = erg_session_path(wallet_path, path, sizeof path, err))) return rc;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return erg_err_set(err, ERG_ERR_NOTFOUND, "the wallet is locked");
        return erg_err_set(err, ERG_ERR_NOTFOUND, "the wallet is locked (session file: %s)", strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        close(fd);
        wipe_and_unlink(path);
        return erg_err_set(err, ERG_ERR_NOTFOUND, "the wallet is locked (session file had unsafe permissions; removed)");
    }
    n = read(fd, b, sizeof b);
    close(fd);
    if (n != ERG_SESSION_SIZE || memcmp(b, SESSION_MAGIC, 8) != 0) {
        erg_memzero(b, sizeof b);
        wipe_and_unlink(path);
        return erg_err_set(err, ERG_ERR_NOTFOUND, "the wallet is locked (session file malformed; removed)");
    }
    exp = erg_load_u64(b + 8);
    if (exp <= now) {
        erg_memzero(b, sizeof b);
        wipe_and_unlink(path);
        return erg_err_set(err, ERG_ERR_NOTFOUND, "the wallet is locked (the unlock session expired)");
    }
    memcpy(k.salt, b + 16, 32);
    k.kdf.log2_n = b[48];
    k.kdf.r = b[49];
    k.kdf.p = b[50];
    memcpy(k.k, b + 51, 32);
    erg_memzero(b, sizeof b);
    *key = k;
    erg_wallet_key_clear(&k);
    if (expiry) *expiry = exp;
    return ERG_OK;
}

erg_code erg_session_remove(const char *wallet_path, int *removed, erg_err *err)
{
    char path[PATH_MAX];
    struct stat st;
    erg_code rc;
    if (removed) *removed = 0;
    if ((rc = erg_session_path(wallet_path, path, sizeof path, err))) return rc;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return ERG_OK;
        return erg_err_set(err, ERG_ERR_IO, "%s: %s", path, strerror(errno));
    }
    wipe_and_unlink(path);
    if (lstat(path, &st) == 0) return erg_err_set(err, ERG_ERR_IO, "%s: could not remove the session file", path);
    if (removed) *removed = 1;
    return ERG_OK;
}
