/* The wallet file at rest: scrypt (OpenSSL EVP_PBE_scrypt), AES-256-GCM, atomic replace with a .bak copy. */
#include "wallet/walletfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/crypto/datafile.h"
#include "src/crypto/random.h"
#include "src/crypto/sha256.h"

#define KDF_SCRYPT 1
#define OFF_VERSION 8
#define OFF_NETWORK 10
#define OFF_KDF_ID 11
#define OFF_KDF 12
#define OFF_SALT 16
#define OFF_NONCE 48
#define OFF_CTLEN 60
#define OFF_CHECK 64
#define OFF_SUM 80

erg_kdf_params erg_kdf_params_default(void)
{
    erg_kdf_params p = {17, 8, 1};
    return p;
}

erg_kdf_params erg_kdf_params_test_weak(void)
{
    erg_kdf_params p = {10, 8, 1};
    return p;
}

erg_code erg_kdf_params_check(const erg_kdf_params *p, erg_err *err)
{
    if (p->log2_n < 1 || p->log2_n > 22 || p->r < 1 || p->r > 32 || p->p < 1 || p->p > 16)
        return erg_err_set(err, ERG_ERR_RANGE, "scrypt parameters out of range (log2 N %u, r %u, p %u)", p->log2_n, p->r, p->p);
    if ((uint64_t)128 * p->r << p->log2_n > ((uint64_t)1 << 30))
        return erg_err_set(err, ERG_ERR_RANGE, "scrypt parameters need more than 1 GiB (log2 N %u, r %u)", p->log2_n, p->r);
    return ERG_OK;
}

void erg_wallet_key_clear(erg_wallet_key *key)
{
    erg_memzero(key, sizeof *key);
}

erg_code erg_wallet_key_derive(const char *pass, size_t pass_len, const erg_kdf_params *kdf, const uint8_t salt[32],
                               erg_wallet_key *out, erg_err *err)
{
    erg_wallet_key k;
    uint64_t n;
    erg_code rc;
    if ((rc = erg_kdf_params_check(kdf, err))) return rc;
    if (!pass && pass_len) return erg_err_set(err, ERG_ERR_ARG, "passphrase: NULL with length %zu", pass_len);
    n = (uint64_t)1 << kdf->log2_n;
    memcpy(k.salt, salt, 32);
    k.kdf = *kdf;
    /* maxmem: scrypt's V (128 r N) and B (128 r p) plus slack for its small buffers. */
    if (!EVP_PBE_scrypt(pass ? pass : "", pass_len, salt, 32, n, kdf->r, kdf->p,
                        (uint64_t)128 * kdf->r * (n + kdf->p + 2) + (1u << 20), k.k, sizeof k.k)) {
        erg_wallet_key_clear(&k);
        return erg_err_set(err, ERG_ERR_CRYPTO, "scrypt failed (out of memory for log2 N %u, r %u?)", kdf->log2_n, kdf->r);
    }
    *out = k;
    erg_wallet_key_clear(&k);
    return ERG_OK;
}

erg_code erg_wallet_key_new(const char *pass, size_t pass_len, const erg_kdf_params *kdf, erg_wallet_key *out,
                            erg_err *err)
{
    uint8_t salt[32];
    erg_code rc;
    if (pass_len == 0) return erg_err_set(err, ERG_ERR_ARG, "passphrase: empty passphrases are not allowed");
    if ((rc = erg_random_bytes(salt, sizeof salt, err))) return rc;
    return erg_wallet_key_derive(pass, pass_len, kdf, salt, out, err);
}

/* The AES key and the key check, both from K, so that neither reveals the other. */
static void subkeys(const erg_wallet_key *key, uint8_t enc[32], uint8_t check[16])
{
    static const char enc_label[] = "Ergon wallet/enc", check_label[] = "Ergon wallet/check";
    uint8_t c[32];
    if (enc) erg_hmac_sha256(key->k, 32, enc_label, sizeof enc_label - 1, enc);
    if (check) {
        erg_hmac_sha256(key->k, 32, check_label, sizeof check_label - 1, c);
        memcpy(check, c, 16);
        erg_memzero(c, sizeof c);
    }
}

erg_code erg_walletfile_parse_header(const uint8_t *data, size_t len, erg_walletfile_header *h, erg_err *err)
{
    uint8_t sum[32];
    erg_walletfile_header t;
    erg_code rc;
    uint64_t want;
    if (len < 8 || memcmp(data, ERG_WALLETFILE_MAGIC, 8) != 0)
        return erg_err_set(err, ERG_ERR_PARSE, "not an Ergon wallet file (no \"%s\" magic at the start)", ERG_WALLETFILE_MAGIC);
    if (len < ERG_WALLETFILE_HEADER)
        return erg_err_set(err, ERG_ERR_PARSE, "wallet file truncated: %zu bytes, the header alone is %d", len,
                           ERG_WALLETFILE_HEADER);
    t.version = (uint16_t)(data[OFF_VERSION] | data[OFF_VERSION + 1] << 8);
    if (t.version != ERG_WALLETFILE_VERSION)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "wallet file version %u is not supported (this program reads %d)",
                           t.version, ERG_WALLETFILE_VERSION);
    erg_sha256(data, OFF_SUM, sum);
    if (memcmp(sum, data + OFF_SUM, 4) != 0)
        return erg_err_set(err, ERG_ERR_CHECKSUM, "wallet file header damaged (header checksum mismatch)");
    t.network = data[OFF_NETWORK];
    if (t.network > 2) return erg_err_set(err, ERG_ERR_RANGE, "wallet file names unknown network %u", t.network);
    if (data[OFF_KDF_ID] != KDF_SCRYPT)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "wallet file uses unknown key derivation %u", data[OFF_KDF_ID]);
    t.kdf.log2_n = data[OFF_KDF];
    t.kdf.r = data[OFF_KDF + 1];
    t.kdf.p = data[OFF_KDF + 2];
    if (data[OFF_KDF + 3] != 0) return erg_err_set(err, ERG_ERR_PARSE, "wallet file header: reserved byte is not zero");
    if ((rc = erg_kdf_params_check(&t.kdf, err))) {
        if (err) (void)erg_err_prefix(err, "wallet file: ");
        return rc;
    }
    memcpy(t.salt, data + OFF_SALT, 32);
    memcpy(t.nonce, data + OFF_NONCE, 12);
    t.ct_len = erg_load_u32(data + OFF_CTLEN);
    memcpy(t.key_check, data + OFF_CHECK, 16);
    want = (uint64_t)ERG_WALLETFILE_HEADER + t.ct_len + ERG_WALLETFILE_TAG;
    if (len < want)
        return erg_err_set(err, ERG_ERR_PARSE, "wallet file truncated: %zu bytes, the header says %llu", len,
                           (unsigned long long)want);
    if (len > want)
        return erg_err_set(err, ERG_ERR_PARSE, "wallet file has %zu bytes after its end (%llu bytes expected)",
                           len - (size_t)want, (unsigned long long)want);
    *h = t;
    return ERG_OK;
}

/* One AES-256-GCM pass; enc != 0 encrypts (tag written), else decrypts (tag checked). */
static erg_code gcm(int enc, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t in_len, uint8_t *out, uint8_t tag[16], erg_err *err)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n, ok;
    if (!ctx) return erg_err_set(err, ERG_ERR_NOMEM, "AES-GCM: no cipher context");
    if (in_len > INT_MAX || aad_len > INT_MAX) {
        EVP_CIPHER_CTX_free(ctx);
        return erg_err_set(err, ERG_ERR_RANGE, "AES-GCM: input too large");
    }
    ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
         EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) &&
         EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) &&
         (in_len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)in_len));
    if (ok && !enc) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
    if (ok && !EVP_CipherFinal_ex(ctx, out + in_len, &n)) {
        EVP_CIPHER_CTX_free(ctx);
        if (!enc) return erg_err_set(err, ERG_ERR_CHECKSUM, "wallet contents damaged (authentication failed); try the .bak copy");
        return erg_err_set(err, ERG_ERR_CRYPTO, "AES-GCM: encryption failed");
    }
    if (ok && enc) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return erg_err_set(err, ERG_ERR_CRYPTO, "AES-GCM: OpenSSL call failed");
    return ERG_OK;
}

erg_code erg_walletfile_open(const uint8_t *data, size_t len, const erg_wallet_key *key, erg_buf *plain, erg_err *err)
{
    erg_walletfile_header h;
    uint8_t enc[32], check[16], tag[16];
    uint8_t *out;
    size_t start = plain->len;
    erg_code rc;
    if ((rc = erg_walletfile_parse_header(data, len, &h, err))) return rc;
    if (memcmp(h.salt, key->salt, 32) != 0 || memcmp(&h.kdf, &key->kdf, sizeof h.kdf) != 0)
        return erg_err_set(err, ERG_ERR_ARG, "wallet key was derived for another salt (the passphrase was changed?)");
    subkeys(key, enc, check);
    if (memcmp(check, h.key_check, 16) != 0) {
        erg_memzero(enc, sizeof enc);
        return erg_err_set(err, ERG_ERR_INVALID, "wrong passphrase");
    }
    /* +1 so that an empty payload still gets a buffer to point at. */
    out = erg_buf_extend(plain, (size_t)h.ct_len + 1);
    if (!out) {
        erg_memzero(enc, sizeof enc);
        return erg_buf_status(plain, err);
    }
    memcpy(tag, data + ERG_WALLETFILE_HEADER + h.ct_len, 16);
    rc = gcm(0, enc, h.nonce, data, ERG_WALLETFILE_HEADER, data + ERG_WALLETFILE_HEADER, h.ct_len, out, tag, err);
    erg_memzero(enc, sizeof enc);
    if (rc) {
        erg_memzero(out, (size_t)h.ct_len + 1);
        plain->len = start;
        return rc;
    }
    plain->len = start + h.ct_len;
    return ERG_OK;
}

erg_code erg_walletfile_open_pass(const uint8_t *data, size_t len, const char *pass, size_t pass_len,
                                  erg_wallet_key *key_out, erg_buf *plain, erg_err *err)
{
    erg_walletfile_header h;
    erg_wallet_key key;
    erg_code rc;
    if ((rc = erg_walletfile_parse_header(data, len, &h, err))) return rc;
    if ((rc = erg_wallet_key_derive(pass, pass_len, &h.kdf, h.salt, &key, err))) return rc;
    rc = erg_walletfile_open(data, len, &key, plain, err);
    if (rc == ERG_OK && key_out) *key_out = key;
    erg_wallet_key_clear(&key);
    return rc;
}

erg_code erg_walletfile_seal(const erg_wallet_key *key, uint8_t network, const uint8_t *plain, size_t plain_len,
                             erg_buf *out, erg_err *err)
{
    uint8_t *p, enc[32], sum[32];
    erg_code rc;
    if ((rc = erg_kdf_params_check(&key->kdf, err))) return rc;
    if (network > 2) return erg_err_set(err, ERG_ERR_ARG, "wallet seal: unknown network %u", network);
    if (plain_len > ERG_WALLETFILE_MAX - ERG_WALLETFILE_HEADER - ERG_WALLETFILE_TAG)
        return erg_err_set(err, ERG_ERR_RANGE, "wallet contents too large (%zu bytes)", plain_len);
    erg_buf_reset(out);
    if (!(p = erg_buf_extend(out, ERG_WALLETFILE_HEADER + plain_len + ERG_WALLETFILE_TAG))) return erg_buf_status(out, err);
    memset(p, 0, ERG_WALLETFILE_HEADER);
    memcpy(p, ERG_WALLETFILE_MAGIC, 8);
    p[OFF_VERSION] = ERG_WALLETFILE_VERSION & 0xff;
    p[OFF_VERSION + 1] = ERG_WALLETFILE_VERSION >> 8;
    p[OFF_NETWORK] = network;
    p[OFF_KDF_ID] = KDF_SCRYPT;
    p[OFF_KDF] = key->kdf.log2_n;
    p[OFF_KDF + 1] = key->kdf.r;
    p[OFF_KDF + 2] = key->kdf.p;
    memcpy(p + OFF_SALT, key->salt, 32);
    /* Random 96-bit nonces: a collision under one key needs about 2^48 writes. */
    if ((rc = erg_random_bytes(p + OFF_NONCE, 12, err))) return rc;
    erg_store_u32(p + OFF_CTLEN, (uint32_t)plain_len);
    subkeys(key, enc, p + OFF_CHECK);
    erg_sha256(p, OFF_SUM, sum);
    memcpy(p + OFF_SUM, sum, 4);
    rc = gcm(1, enc, p + OFF_NONCE, p, ERG_WALLETFILE_HEADER, plain, plain_len, p + ERG_WALLETFILE_HEADER,
             p + ERG_WALLETFILE_HEADER + plain_len, err);
    erg_memzero(enc, sizeof enc);
    if (rc) erg_buf_reset(out);
    return rc;
}

/* ---- files ------------------------------------------------------------------------------ */

erg_code erg_walletfile_read(const char *path, erg_buf *out, erg_err *err)
{
    erg_code rc = erg_datafile_read_raw(path, ERG_WALLETFILE_MAX, out, err);
    if (rc == ERG_ERR_NOTFOUND) return erg_err_set(err, ERG_ERR_NOTFOUND, "%s: no such wallet file", path);
    return rc;
}

erg_code erg_walletfile_write(const char *path, const uint8_t *data, size_t len, int flags, erg_err *err)
{
    char tmp[PATH_MAX], bak[PATH_MAX], baktmp[PATH_MAX];
    struct stat st;
    erg_buf old;
    erg_code rc;
    int exists;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp ||
        snprintf(bak, sizeof bak, "%s.bak", path) >= (int)sizeof bak ||
        snprintf(baktmp, sizeof baktmp, "%s.bak.tmp", path) >= (int)sizeof baktmp)
        return erg_err_set(err, ERG_ERR_ARG, "wallet path too long");
    exists = lstat(path, &st) == 0;
    if (exists && (flags & ERG_WF_CREATE_ONLY)) return erg_err_set(err, ERG_ERR_ARG, "%s already exists; nothing was changed", path);
    if (exists && !S_ISREG(st.st_mode)) return erg_err_set(err, ERG_ERR_IO, "%s: not a regular file", path);
    if ((rc = erg_datafile_write_synced(tmp, data, len, err))) return rc;
    if (exists && !(flags & ERG_WF_NO_BACKUP)) {
        /* The previous version goes to .bak by copy (not by rename), so that path never
         * disappears: a crash anywhere leaves a complete wallet at path. */
        erg_buf_init(&old);
        if ((rc = erg_walletfile_read(path, &old, err)) || (rc = erg_datafile_write_synced(baktmp, old.data, old.len, err))) {
            erg_buf_free(&old);
            unlink(tmp);
            return rc;
        }
        erg_buf_free(&old);
        if (rename(baktmp, bak) != 0) {
            rc = erg_err_set(err, ERG_ERR_IO, "%s: rename: %s", bak, strerror(errno));
            unlink(baktmp);
            unlink(tmp);
            return rc;
        }
    }
    if (rename(tmp, path) != 0) {
        rc = erg_err_set(err, ERG_ERR_IO, "%s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return erg_datafile_sync_dir(path, err);
}

erg_code erg_walletfile_lock(const char *path, int wait_ms, int *fd_out, erg_err *err)
{
    char lk[PATH_MAX];
    int fd, waited = 0;
    if (snprintf(lk, sizeof lk, "%s.lock", path) >= (int)sizeof lk) return erg_err_set(err, ERG_ERR_ARG, "wallet path too long");
    fd = open(lk, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return erg_err_set(err, ERG_ERR_IO, "%s: %s", lk, strerror(errno));
    for (;;) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            *fd_out = fd;
            return ERG_OK;
        }
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= wait_ms) break;
        nanosleep(&ts, NULL);
        waited += 50;
    }
    close(fd);
    return erg_err_set(err, ERG_ERR_IO, "%s: another ergon-wallet command holds this wallet", lk);
}

void erg_walletfile_unlock(int fd)
{
    if (fd >= 0) {
        (void)flock(fd, LOCK_UN);
        close(fd);
    }
}
