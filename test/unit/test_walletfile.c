/* Unit tests for wallet/walletfile: scrypt vector, sealing round trips, wrong passphrase, every truncation and flipped bit, atomic writes. */
#include "wallet/walletfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test/unit/harness.h"

/* Cheap costs: the format and the checks are the same at any cost. */
static const erg_kdf_params g_cheap = {4, 8, 1};
static const char g_pass[] = "correct horse";

static void make_key(erg_wallet_key *k)
{
    uint8_t salt[32];
    memset(salt, 1, sizeof salt);
    if (erg_wallet_key_derive(g_pass, strlen(g_pass), &g_cheap, salt, k, NULL)) CHECK(0);
}

/* scrypt("correct horse", salt 01*32, N=16, r=8, p=1) as computed by Python's hashlib.scrypt,
 * and the key check HMAC-SHA256(K, "Ergon wallet/check")[0..16) from Python's hmac. */
static void test_scrypt_vector(void)
{
    erg_wallet_key k;
    erg_buf f;
    erg_walletfile_header h;
    uint8_t want[32];
    erg_err err;
    make_key(&k);
    erg_test_unhex("af3ce80bbaba203bf1d8c32a1f7580f0637a70e9a5d3aab32891fc610bc0ed42", want, 32);
    CHECK_EQ_MEM(k.k, want, 32);
    erg_buf_init(&f);
    CHECK(erg_walletfile_seal(&k, 2, (const uint8_t *)"x", 1, &f, &err) == ERG_OK);
    CHECK(erg_walletfile_parse_header(f.data, f.len, &h, &err) == ERG_OK);
    erg_test_unhex("02144113d8247f704d56b7a436271128", want, 16);
    CHECK_EQ_MEM(h.key_check, want, 16);
    erg_buf_free(&f);
    erg_wallet_key_clear(&k);
}

static void test_round_trip(void)
{
    erg_wallet_key k, k2;
    erg_buf f, f2, plain;
    erg_walletfile_header h;
    uint8_t msg[300];
    size_t i;
    erg_err err;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7);
    make_key(&k);
    erg_buf_init(&f);
    erg_buf_init(&f2);
    erg_buf_init(&plain);
    CHECK(erg_walletfile_seal(&k, 2, msg, sizeof msg, &f, &err) == ERG_OK);
    CHECK(f.len == ERG_WALLETFILE_HEADER + sizeof msg + ERG_WALLETFILE_TAG);
    CHECK(memcmp(f.data, "ERGWALLT", 8) == 0);
    /* Nothing of the plaintext shows in the file. */
    CHECK(memmem(f.data, f.len, msg + 100, 16) == NULL);
    CHECK(erg_walletfile_parse_header(f.data, f.len, &h, &err) == ERG_OK);
    CHECK(h.version == 1 && h.network == 2 && h.kdf.log2_n == 4 && h.kdf.r == 8 && h.kdf.p == 1 && h.ct_len == sizeof msg);
    CHECK(erg_walletfile_open(f.data, f.len, &k, &plain, &err) == ERG_OK);
    CHECK(plain.len == sizeof msg);
    CHECK_EQ_MEM(plain.data, msg, sizeof msg);
    /* Opening with the passphrase derives the same key. */
    erg_buf_reset(&plain);
    CHECK(erg_walletfile_open_pass(f.data, f.len, g_pass, strlen(g_pass), &k2, &plain, &err) == ERG_OK);
    CHECK_EQ_MEM(k2.k, k.k, 32);
    CHECK_EQ_MEM(plain.data, msg, sizeof msg);
    /* Resealing uses a fresh nonce: same key and plaintext, different bytes. */
    CHECK(erg_walletfile_seal(&k, 2, msg, sizeof msg, &f2, &err) == ERG_OK);
    CHECK(f2.len == f.len && memcmp(f2.data, f.data, f.len) != 0);
    /* An empty payload is allowed. */
    erg_buf_reset(&plain);
    CHECK(erg_walletfile_seal(&k, 0, msg, 0, &f2, &err) == ERG_OK);
    CHECK(erg_walletfile_open(f2.data, f2.len, &k, &plain, &err) == ERG_OK && plain.len == 0);
    erg_buf_free(&f);
    erg_buf_free(&f2);
    erg_buf_free(&plain);
    erg_wallet_key_clear(&k);
    erg_wallet_key_clear(&k2);
}

static void test_wrong_passphrase(void)
{
    erg_wallet_key k, other;
    erg_buf f, plain;
    erg_err err;
    make_key(&k);
    erg_buf_init(&f);
    erg_buf_init(&plain);
    CHECK(erg_walletfile_seal(&k, 1, (const uint8_t *)"secret", 6, &f, &err) == ERG_OK);
    CHECK(erg_walletfile_open_pass(f.data, f.len, "correct horsE", 13, NULL, &plain, &err) == ERG_ERR_INVALID);
    CHECK(strcmp(err.reason, "wrong passphrase") == 0);
    CHECK(erg_walletfile_open_pass(f.data, f.len, "", 0, NULL, &plain, &err) == ERG_ERR_INVALID);
    CHECK(plain.len == 0);
    /* A key made under another salt is refused before any decryption. */
    CHECK(erg_wallet_key_new(g_pass, strlen(g_pass), &g_cheap, &other, &err) == ERG_OK);
    CHECK(memcmp(other.salt, k.salt, 32) != 0);
    CHECK(erg_walletfile_open(f.data, f.len, &other, &plain, &err) == ERG_ERR_ARG);
    /* Empty passphrases are refused for new keys. */
    CHECK(erg_wallet_key_new("", 0, &g_cheap, &other, &err) == ERG_ERR_ARG);
    erg_buf_free(&f);
    erg_buf_free(&plain);
    erg_wallet_key_clear(&k);
    erg_wallet_key_clear(&other);
}

static void test_every_truncation_rejected(void)
{
    erg_wallet_key k;
    erg_buf f, plain, longer;
    size_t n;
    int bad = 0;
    erg_err err;
    make_key(&k);
    erg_buf_init(&f);
    erg_buf_init(&plain);
    erg_buf_init(&longer);
    CHECK(erg_walletfile_seal(&k, 2, (const uint8_t *)"0123456789abcdef", 16, &f, &err) == ERG_OK);
    for (n = 0; n < f.len; n++) {
        erg_walletfile_header h;
        if (erg_walletfile_parse_header(f.data, n, &h, &err) == ERG_OK) bad++;
        if (erg_walletfile_open(f.data, n, &k, &plain, &err) == ERG_OK) bad++;
        if (n >= 8 && !strstr(err.reason, "truncated")) bad++;
    }
    CHECK(bad == 0);
    CHECK(plain.len == 0);
    /* One byte too many is refused too. */
    erg_buf_put_raw(&longer, f.data, f.len);
    erg_buf_put_u8(&longer, 0);
    CHECK(erg_walletfile_open(longer.data, longer.len, &k, &plain, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "after its end") != NULL);
    erg_buf_free(&f);
    erg_buf_free(&plain);
    erg_buf_free(&longer);
    erg_wallet_key_clear(&k);
}

static void test_every_flipped_bit_rejected(void)
{
    erg_wallet_key k;
    erg_buf f, plain;
    size_t i;
    int bit, accepted = 0, header_msgs = 0, body_msgs = 0;
    erg_err err;
    make_key(&k);
    erg_buf_init(&f);
    erg_buf_init(&plain);
    CHECK(erg_walletfile_seal(&k, 2, (const uint8_t *)"the wallet's secret contents", 28, &f, &err) == ERG_OK);
    for (i = 0; i < f.len; i++) {
        for (bit = 0; bit < 8; bit++) {
            f.data[i] ^= (uint8_t)(1 << bit);
            if (erg_walletfile_open(f.data, f.len, &k, &plain, &err) == ERG_OK) accepted++;
            if (i < ERG_WALLETFILE_HEADER && (strstr(err.reason, "header") || strstr(err.reason, "magic") ||
                                              strstr(err.reason, "version") || strstr(err.reason, "truncated") ||
                                              strstr(err.reason, "after its end")))
                header_msgs++;
            if (i >= ERG_WALLETFILE_HEADER && strstr(err.reason, "contents damaged")) body_msgs++;
            f.data[i] ^= (uint8_t)(1 << bit);
        }
    }
    CHECK(accepted == 0);
    /* A damaged header is never reported as a wrong passphrase, a damaged body always as damage. */
    CHECK(header_msgs == 8 * ERG_WALLETFILE_HEADER);
    CHECK(body_msgs == 8 * (int)(f.len - ERG_WALLETFILE_HEADER));
    CHECK(plain.len == 0);
    CHECK(erg_walletfile_open(f.data, f.len, &k, &plain, &err) == ERG_OK);
    erg_buf_free(&f);
    erg_buf_free(&plain);
    erg_wallet_key_clear(&k);
}

static void test_kdf_bounds(void)
{
    erg_kdf_params p = {23, 8, 1}, big_r = {22, 16, 1}, zero_p = {10, 8, 0}, d = erg_kdf_params_default();
    erg_kdf_params weak = erg_kdf_params_test_weak();
    erg_err err;
    CHECK(erg_kdf_params_check(&p, &err) == ERG_ERR_RANGE);
    CHECK(erg_kdf_params_check(&big_r, &err) == ERG_ERR_RANGE);
    CHECK(erg_kdf_params_check(&zero_p, &err) == ERG_ERR_RANGE);
    CHECK(erg_kdf_params_check(&d, &err) == ERG_OK && d.log2_n == 17 && d.r == 8 && d.p == 1);
    CHECK(erg_kdf_params_check(&weak, &err) == ERG_OK && weak.log2_n < d.log2_n);
}

static char g_dir[64];

static char *path_in(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", g_dir, name);
    return buf;
}

static void test_atomic_write_keeps_previous(void)
{
    char p[128], bak[128], tmp[128], lk[128];
    erg_buf r;
    struct stat st;
    erg_err err;
    int fd = -1, fd2 = -1;
    snprintf(g_dir, sizeof g_dir, "/tmp/erg_wf_XXXXXX");
    CHECK(mkdtemp(g_dir) != NULL);
    path_in("w.dat", p, sizeof p);
    path_in("w.dat.bak", bak, sizeof bak);
    path_in("w.dat.tmp", tmp, sizeof tmp);
    path_in("w.dat.lock", lk, sizeof lk);
    erg_buf_init(&r);
    CHECK(erg_walletfile_read(p, &r, &err) == ERG_ERR_NOTFOUND);
    CHECK(erg_walletfile_write(p, (const uint8_t *)"version 1", 9, ERG_WF_CREATE_ONLY, &err) == ERG_OK);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(stat(bak, &st) != 0); /* no previous version yet */
    /* create_only refuses an existing file and changes nothing. */
    CHECK(erg_walletfile_write(p, (const uint8_t *)"other", 5, ERG_WF_CREATE_ONLY, &err) == ERG_ERR_ARG);
    CHECK(erg_walletfile_read(p, &r, &err) == ERG_OK && r.len == 9 && memcmp(r.data, "version 1", 9) == 0);
    CHECK(erg_walletfile_write(p, (const uint8_t *)"version 2!", 10, 0, &err) == ERG_OK);
    CHECK(erg_walletfile_read(p, &r, &err) == ERG_OK && r.len == 10 && memcmp(r.data, "version 2!", 10) == 0);
    CHECK(erg_walletfile_read(bak, &r, &err) == ERG_OK && r.len == 9 && memcmp(r.data, "version 1", 9) == 0);
    CHECK(stat(bak, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(erg_walletfile_write(p, (const uint8_t *)"version 3", 9, 0, &err) == ERG_OK);
    CHECK(erg_walletfile_read(bak, &r, &err) == ERG_OK && r.len == 10 && memcmp(r.data, "version 2!", 10) == 0);
    CHECK(stat(tmp, &st) != 0); /* no temporary left behind */
    /* A stale temporary from a crash is replaced, not trusted. */
    {
        FILE *f = fopen(tmp, "w");
        CHECK(f != NULL);
        if (f) fputs("junk", f), fclose(f);
    }
    CHECK(erg_walletfile_write(p, (const uint8_t *)"version 4", 9, 0, &err) == ERG_OK);
    CHECK(erg_walletfile_read(p, &r, &err) == ERG_OK && memcmp(r.data, "version 4", 9) == 0);
    /* The lock is exclusive: a second holder waits, then gives up with a clear reason. */
    CHECK(erg_walletfile_lock(p, 0, &fd, &err) == ERG_OK);
    CHECK(erg_walletfile_lock(p, 100, &fd2, &err) == ERG_ERR_IO);
    CHECK(strstr(err.reason, "another ergon-wallet command") != NULL);
    erg_walletfile_unlock(fd);
    CHECK(erg_walletfile_lock(p, 0, &fd2, &err) == ERG_OK);
    erg_walletfile_unlock(fd2);
    erg_buf_free(&r);
    unlink(p);
    unlink(bak);
    unlink(lk);
    CHECK(rmdir(g_dir) == 0);
}

ERG_TESTS("walletfile", T(test_scrypt_vector), T(test_round_trip), T(test_wrong_passphrase),
          T(test_every_truncation_rejected), T(test_every_flipped_bit_rejected), T(test_kdf_bounds),
          T(test_atomic_write_keeps_previous))
