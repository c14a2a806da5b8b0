/* The wallet file at rest: scrypt key derivation, AES-256-GCM sealing and atomic writes that keep the previous version. */
#ifndef ERG_WALLET_WALLETFILE_H
#define ERG_WALLET_WALLETFILE_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/buffer.h"
#include "src/util/error.h"

/*
 * Layout (little-endian), version 1; the 84 header bytes are the AEAD's associated data:
 *   0  magic "ERGWALLT"      8      48 GCM nonce            12
 *   8  version u16 = 1       2      60 ciphertext length u32 4
 *  10  network u8            1      64 key check            16  HMAC-SHA256(K, "Ergon wallet/check")[0..16)
 *  11  kdf id u8 (1=scrypt)  1      80 header checksum      4   SHA-256(bytes 0..80)[0..4)
 *  12  log2 N, r, p, 0 (u8)  4      84 ciphertext, then the 16-byte GCM tag
 *  16  salt                  32
 * K = scrypt(passphrase, salt, N, r, p, 32 bytes); the AES key is HMAC-SHA256(K, "Ergon wallet/enc").
 * The checksum tells a damaged header from a wrong passphrase; the key check tells a wrong
 * passphrase from damaged contents (it costs an attacker the same scrypt per guess as the tag).
 */
#define ERG_WALLETFILE_MAGIC "ERGWALLT"
#define ERG_WALLETFILE_VERSION 1
#define ERG_WALLETFILE_HEADER 84
#define ERG_WALLETFILE_TAG 16
#define ERG_WALLETFILE_MAX (64u << 20) /* bytes: larger files are refused before reading */

/* scrypt cost. Invariant (erg_kdf_params_check): 1 <= log2_n <= 22, 1 <= r <= 32, 1 <= p <= 16,
 * 128 * r * 2^log2_n <= 1 GiB. */
typedef struct erg_kdf_params {
    uint8_t log2_n;
    uint8_t r;
    uint8_t p;
} erg_kdf_params;

/* For people: N = 2^17, r = 8, p = 1 (128 MiB, measured in doc/wallet.md). */
erg_kdf_params erg_kdf_params_default(void);
/* TEST ONLY: N = 2^10, r = 8, p = 1 (1 MiB, a few milliseconds); never for real funds. */
erg_kdf_params erg_kdf_params_test_weak(void);
erg_code erg_kdf_params_check(const erg_kdf_params *p, erg_err *err) ERG_WARN_UNUSED;

/* A key that opens one file generation: K with the salt and costs it was derived under.
 * Secret: wipe with erg_wallet_key_clear. Reusing it to reseal keeps the salt (new nonce). */
typedef struct erg_wallet_key {
    uint8_t k[32];
    uint8_t salt[32];
    erg_kdf_params kdf;
} erg_wallet_key;

void erg_wallet_key_clear(erg_wallet_key *key);
/* Derive K from a passphrase under the given salt and costs. */
erg_code erg_wallet_key_derive(const char *pass, size_t pass_len, const erg_kdf_params *kdf, const uint8_t salt[32],
                               erg_wallet_key *out, erg_err *err) ERG_WARN_UNUSED;
/* Same with a fresh random salt (new wallets, passphrase changes). Empty passphrases are refused. */
erg_code erg_wallet_key_new(const char *pass, size_t pass_len, const erg_kdf_params *kdf, erg_wallet_key *out,
                            erg_err *err) ERG_WARN_UNUSED;

typedef struct erg_walletfile_header {
    uint16_t version;
    uint8_t network;      /* erg_network */
    erg_kdf_params kdf;
    uint8_t salt[32];
    uint8_t nonce[12];
    uint32_t ct_len;
    uint8_t key_check[16];
} erg_walletfile_header;

/*
 * Check everything that can be checked without the passphrase: size, magic, version, header
 * checksum, KDF bounds and that the file is exactly header + ciphertext + tag long. Reasons
 * say "not an Ergon wallet file", "truncated", "header damaged", ... (ERG_ERR_PARSE /
 * ERG_ERR_CHECKSUM / ERG_ERR_UNSUPPORTED / ERG_ERR_RANGE).
 */
erg_code erg_walletfile_parse_header(const uint8_t *data, size_t len, erg_walletfile_header *h, erg_err *err) ERG_WARN_UNUSED;

/* Decrypt with a key derived for this file's salt and costs. ERG_ERR_INVALID "wrong passphrase"
 * when the key check fails; ERG_ERR_CHECKSUM when the contents fail authentication. The
 * plaintext is appended to *plain (a wiped-on-free buffer) only on success. */
erg_code erg_walletfile_open(const uint8_t *data, size_t len, const erg_wallet_key *key, erg_buf *plain, erg_err *err) ERG_WARN_UNUSED;
/* Derive the key from a passphrase and the file's own salt and costs, then open. *key_out
 * (may be NULL) receives the key for resealing. */
erg_code erg_walletfile_open_pass(const uint8_t *data, size_t len, const char *pass, size_t pass_len,
                                  erg_wallet_key *key_out, erg_buf *plain, erg_err *err) ERG_WARN_UNUSED;
/* Encrypt plain under key with a fresh random nonce into *out (reset first). */
erg_code erg_walletfile_seal(const erg_wallet_key *key, uint8_t network, const uint8_t *plain, size_t plain_len,
                             erg_buf *out, erg_err *err) ERG_WARN_UNUSED;

/* Read a whole file (at most ERG_WALLETFILE_MAX bytes) into *out (reset first). ERG_ERR_NOTFOUND
 * when it does not exist. */
erg_code erg_walletfile_read(const char *path, erg_buf *out, erg_err *err) ERG_WARN_UNUSED;
#define ERG_WF_CREATE_ONLY 1 /* fail with ERG_ERR_ARG if path exists (nothing written) */
#define ERG_WF_NO_BACKUP 2   /* do not keep path.bak (session files) */
/*
 * Replace path with data atomically: write path.tmp (mode 0600), fsync, and only then copy the
 * current path (if any) to path.bak the same way and rename path.tmp over path, then fsync the
 * directory. At every instant path holds either the old or the new version, complete.
 */
erg_code erg_walletfile_write(const char *path, const uint8_t *data, size_t len, int flags, erg_err *err) ERG_WARN_UNUSED;

/* Exclusive advisory lock on path.lock (flock), held until erg_walletfile_unlock; stops two
 * commands from losing each other's updates. Waits up to wait_ms for another holder to
 * finish, then fails with ERG_ERR_IO. */
erg_code erg_walletfile_lock(const char *path, int wait_ms, int *fd, erg_err *err) ERG_WARN_UNUSED;
void erg_walletfile_unlock(int fd);

#endif
