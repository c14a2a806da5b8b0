/* Unit tests for src/crypto/datafile: layout, round trips, missing/corrupt/truncated files, atomic replace. */
#include "src/crypto/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/crypto/sha256.h"
#include "test/unit/harness.h"

static const uint8_t g_magic[4] = {'T', 'E', 'S', 'T'};
static char g_dir[] = "/tmp/erg_datafile_XXXXXX";
static char g_path[128], g_tmp[160];

static void setup(void)
{
    CHECK(mkdtemp(g_dir) != NULL);
    snprintf(g_path, sizeof g_path, "%s/x.dat", g_dir);
    snprintf(g_tmp, sizeof g_tmp, "%s.tmp", g_path);
}

/* Raw bytes at g_path (no framing), for damaged files. */
static void put_file(const uint8_t *p, size_t n)
{
    CHECK(erg_datafile_write_synced(g_path, p, n, NULL) == ERG_OK);
}

static void test_layout_and_roundtrip(void)
{
    const char msg[] = "hello, peers";
    erg_buf raw, out;
    uint8_t sum[32];
    erg_err err;
    setup();
    CHECK(erg_datafile_write(g_path, g_magic, (const uint8_t *)msg, sizeof msg, &err) == ERG_OK);
    erg_buf_init(&raw);
    erg_buf_init(&out);
    CHECK(erg_datafile_read_raw(g_path, 1000, &raw, &err) == ERG_OK);
    CHECK(raw.len == ERG_DATAFILE_OVERHEAD + sizeof msg);
    if (raw.len == ERG_DATAFILE_OVERHEAD + sizeof msg) {
        CHECK(memcmp(raw.data, "TEST", 4) == 0);
        CHECK(erg_load_u32(raw.data + 4) == 1);
        CHECK(erg_load_u64(raw.data + 8) == sizeof msg);
        CHECK(memcmp(raw.data + 16, msg, sizeof msg) == 0);
        erg_sha256(raw.data, raw.len - 32, sum);
        CHECK_EQ_MEM(raw.data + raw.len - 32, sum, 32);
    }
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_OK);
    CHECK(out.len == sizeof msg && memcmp(out.data, msg, sizeof msg) == 0);
    /* Empty data is a valid file too. */
    CHECK(erg_datafile_write(g_path, g_magic, NULL, 0, &err) == ERG_OK);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_OK && out.len == 0);
    CHECK(access(g_tmp, F_OK) != 0);
    erg_buf_free(&raw);
    erg_buf_free(&out);
}

static void test_missing_and_wrong_magic(void)
{
    erg_buf out;
    erg_err err;
    erg_buf_init(&out);
    unlink(g_path);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_ERR_NOTFOUND);
    CHECK(erg_datafile_write(g_path, (const uint8_t *)"EBAN", (const uint8_t *)"x", 1, &err) == ERG_OK);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "bad magic") != NULL);
    CHECK(out.len == 0);
    erg_buf_free(&out);
}

static void test_every_truncation_and_flip(void)
{
    const char msg[] = "0123456789abcdef";
    erg_buf good, out;
    erg_err err;
    size_t i;
    int bad = 0;
    erg_buf_init(&good);
    erg_buf_init(&out);
    CHECK(erg_datafile_write(g_path, g_magic, (const uint8_t *)msg, sizeof msg, &err) == ERG_OK);
    CHECK(erg_datafile_read_raw(g_path, 1000, &good, &err) == ERG_OK);
    for (i = 0; i < good.len; i++) {
        erg_code rc;
        put_file(good.data, i);
        rc = erg_datafile_read(g_path, g_magic, &out, &err);
        if (rc != ERG_ERR_PARSE || out.len != 0) bad++;
        if (i >= 4 && !strstr(err.reason, "truncated")) bad++;
    }
    CHECK(bad == 0);
    bad = 0;
    for (i = 0; i < good.len; i++) {
        erg_code rc;
        good.data[i] ^= 0x10;
        put_file(good.data, good.len);
        rc = erg_datafile_read(g_path, g_magic, &out, &err);
        /* The magic and the length are checked first (PARSE); the version and the data only
         * the checksum can vouch for. */
        if (rc != ((i < 4 || (i >= 8 && i < 16)) ? ERG_ERR_PARSE : ERG_ERR_CHECKSUM) || out.len != 0) bad++;
        good.data[i] ^= 0x10;
    }
    CHECK(bad == 0);
    /* One byte more than the header says. */
    erg_buf_put_u8(&good, 0);
    put_file(good.data, good.len);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "after its end") != NULL);
    erg_buf_free(&good);
    erg_buf_free(&out);
}

static void test_other_version(void)
{
    uint8_t f[ERG_DATAFILE_OVERHEAD];
    erg_buf out;
    erg_err err;
    memcpy(f, "TEST", 4);
    erg_store_u32(f + 4, 2);
    erg_store_u64(f + 8, 0);
    erg_sha256(f, 16, f + 16);
    put_file(f, sizeof f);
    erg_buf_init(&out);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_ERR_UNSUPPORTED);
    CHECK(strstr(err.reason, "version 2") != NULL);
    erg_buf_free(&out);
}

static void test_atomic_replace(void)
{
    char missing[200];
    erg_buf out;
    erg_err err;
    erg_buf_init(&out);
    CHECK(erg_datafile_write(g_path, g_magic, (const uint8_t *)"old", 3, &err) == ERG_OK);
    /* A stale temporary from a crash is replaced, not appended to or trusted. */
    CHECK(erg_datafile_write_synced(g_tmp, (const uint8_t *)"stale junk", 10, NULL) == ERG_OK);
    CHECK(erg_datafile_write(g_path, g_magic, (const uint8_t *)"new!", 4, &err) == ERG_OK);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_OK && out.len == 4 && memcmp(out.data, "new!", 4) == 0);
    CHECK(access(g_tmp, F_OK) != 0);
    /* A write that cannot happen leaves nothing behind and reports why. */
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.dat", g_dir);
    CHECK(erg_datafile_write(missing, g_magic, (const uint8_t *)"x", 1, &err) == ERG_ERR_IO);
    CHECK(strstr(err.reason, "no/such/dir") != NULL);
    /* Too large for the reader is refused by the raw reader with a range error. */
    CHECK(erg_datafile_read_raw(g_path, 10, &out, &err) == ERG_ERR_RANGE);
    CHECK(erg_datafile_read(g_path, g_magic, &out, &err) == ERG_OK && out.len == 4);
    erg_buf_free(&out);
    unlink(g_path);
    unlink(g_tmp);
    CHECK(rmdir(g_dir) == 0);
}

ERG_TESTS("datafile", T(test_layout_and_roundtrip), T(test_missing_and_wrong_magic), T(test_every_truncation_and_flip),
          T(test_other_version), T(test_atomic_replace))
