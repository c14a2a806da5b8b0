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

/*
 * Tagged hashes dominate consensus hashing (Merkle and state-tree nodes, ids), and each one
 * would otherwise re-hash the tag twice. Every thread keeps, per tag, a context that has
 * already absorbed SHA256(tag) || SHA256(tag), and copies it for each message: one
 * compression saved per hash plus no allocation. Released at thread exit.
 */
#define TAG_CACHE 24

typedef struct tag_cache {
    const char *tag[TAG_CACHE]; /* the caller's string (tags are literals; compared by content) */
    EVP_MD_CTX *prepared[TAG_CACHE];
    EVP_MD_CTX *work;
    int n;
} tag_cache;

static pthread_key_t g_tag_key;
static pthread_once_t g_tag_once = PTHREAD_ONCE_INIT;

static void tag_cache_free(void *p)
{
    tag_cache *c = p;
    int i;
    for (i = 0; i < c->n; i++) EVP_MD_CTX_free(c->prepared[i]);
    EVP_MD_CTX_free(c->work);
    free(c);
}

static void tag_key_init(void)
{
    if (pthread_key_create(&g_tag_key, tag_cache_free) != 0) die("pthread_key_create");
}

static const EVP_MD_CTX *prepared_for(tag_cache *c, const char *tag)
{
    uint8_t th[32];
    EVP_MD_CTX *x;
    int i;
    for (i = 0; i < c->n; i++)
        if (c->tag[i] == tag || strcmp(c->tag[i], tag) == 0) return c->prepared[i];
    erg_sha256(tag, strlen(tag), th);
    x = EVP_MD_CTX_new();
    if (!x || !EVP_DigestInit_ex(x, sha256_md(), NULL) || !EVP_DigestUpdate(x, th, 32) || !EVP_DigestUpdate(x, th, 32))
        die("tagged hash context");
    if (c->n == TAG_CACHE) { /* more distinct tags than expected: replace the last slot */
        EVP_MD_CTX_free(c->prepared[TAG_CACHE - 1]);
        c->n--;
    }
    c->tag[c->n] = tag;
    c->prepared[c->n] = x;
    return c->prepared[c->n++];
}

void erg_tagged_hash(const char *tag, const void *data, size_t len, uint8_t out[32])
{
    tag_cache *c;
    pthread_once(&g_tag_once, tag_key_init);
    c = pthread_getspecific(g_tag_key);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c || !(c->work = EVP_MD_CTX_new()) || pthread_setspecific(g_tag_key, c) != 0) die("tag cache");
    }
    if (!EVP_MD_CTX_copy_ex(c->work, prepared_for(c, tag))) die("EVP_MD_CTX_copy_ex");
    if (len && !EVP_DigestUpdate(c->work, data, len)) die("EVP_DigestUpdate");
    if (!EVP_DigestFinal_ex(c->work, out, NULL)) die("EVP_DigestFinal_ex");
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
