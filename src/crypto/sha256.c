/* SHA-256 through OpenSSL EVP, BIP340-style tagged hashes, and HMAC-SHA256/512. */
#include "src/crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EVP_MD *g_sha256;
static EVP_MD *g_sha512;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Fetch the algorithms once: OpenSSL 3's implicit fetch on every EVP_sha256() call costs a
 * lock and a table lookup per hash, which dominates short messages. */
static void fetch_algorithms(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    g_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    if (!g_sha256 || !g_sha512) {
        fprintf(stderr, "fatal: OpenSSL cannot provide SHA-256/SHA-512\n");
        abort();
    }
}

static const EVP_MD *sha256_md(void)
{
    pthread_once(&g_once, fetch_algorithms);
    return g_sha256;
}

static void die(const char *what)
{
    fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
    abort();
}

void erg_sha256(const void *data, size_t len, uint8_t out[32])
{
    if (!EVP_Digest(data, len, out, NULL, sha256_md(), NULL)) die("EVP_Digest");
}

void erg_sha256d(const void *data, size_t len, uint8_t out[32])
{
    uint8_t t[32];
    erg_sha256(data, len, t);
    erg_sha256(t, 32, out);
}

void erg_sha256_init(erg_sha256_ctx *ctx)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, sha256_md(), NULL)) die("EVP_DigestInit_ex");
    ctx->md_ctx = c;
}

void erg_sha256_update(erg_sha256_ctx *ctx, const void *data, size_t len)
{
    if (len && !EVP_DigestUpdate((EVP_MD_CTX *)ctx->md_ctx, data, len)) die("EVP_DigestUpdate");
}

void erg_sha256_final(erg_sha256_ctx *ctx, uint8_t out[32])
{
    if (!EVP_DigestFinal_ex((EVP_MD_CTX *)ctx->md_ctx, out, NULL)) die("EVP_DigestFinal_ex");
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx->md_ctx);
    ctx->md_ctx = NULL;
}

void erg_sha256_abort(erg_sha256_ctx *ctx)
{
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx->md_ctx);
    ctx->md_ctx = NULL;
}

void erg_tagged_init(erg_sha256_ctx *ctx, const char *tag)
{
    uint8_t th[32];
    erg_sha256(tag, strlen(tag), th);
    erg_sha256_init(ctx);
    erg_sha256_update(ctx, th, 32);
    erg_sha256_update(ctx, th, 32);
}

void erg_tagged_hash(const char *tag, const void *data, size_t len, uint8_t out[32])
{
    erg_sha256_ctx ctx;
    erg_tagged_init(&ctx, tag);
    erg_sha256_update(&ctx, data, len);
    erg_sha256_final(&ctx, out);
}

void erg_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 32;
    if (key_len > INT32_MAX || !HMAC(sha256_md(), key, (int)key_len, data, len, out, &n)) die("HMAC-SHA256");
}

void erg_hmac_sha512(const void *key, size_t key_len, const void *data, size_t len, uint8_t out[64])
{
    unsigned int n = 64;
    pthread_once(&g_once, fetch_algorithms);
    if (key_len > INT32_MAX || !HMAC(g_sha512, key, (int)key_len, data, len, out, &n)) die("HMAC-SHA512");
}
