/* SHA-256 through OpenSSL EVP, BIP340-style tagged hashes, and HMAC-SHA256/512. */
#ifndef ERG_CRYPTO_SHA256_H
#define ERG_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashing cannot fail on valid arguments; an OpenSSL failure here (out of memory inside
 * the library) is unrecoverable for a node, so these functions abort with a message rather
 * than return a code every caller would have to carry.
 */

typedef struct erg_sha256_ctx {
    void *md_ctx; /* EVP_MD_CTX *, owned */
} erg_sha256_ctx;

void erg_sha256(const void *data, size_t len, uint8_t out[32]);
/* SHA256(SHA256(data)), for checksums. */
void erg_sha256d(const void *data, size_t len, uint8_t out[32]);

void erg_sha256_init(erg_sha256_ctx *ctx);
void erg_sha256_update(erg_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and releases the context. */
void erg_sha256_final(erg_sha256_ctx *ctx, uint8_t out[32]);
/* Releases the context without a digest (error paths). */
void erg_sha256_abort(erg_sha256_ctx *ctx);

/* BIP340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || data). */
void erg_tagged_hash(const char *tag, const void *data, size_t len, uint8_t out[32]);
/* Start a streaming tagged hash; continue with erg_sha256_update/final. */
void erg_tagged_init(erg_sha256_ctx *ctx, const char *tag);

void erg_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[32]);
void erg_hmac_sha512(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[64]);

#endif
