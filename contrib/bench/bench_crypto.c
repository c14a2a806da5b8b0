/* Crypto benchmark: Ergon's SHA-256 and Schnorr wrappers against the raw library calls, in one run. */
#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/crypto/keys.h"
#include "src/crypto/sha256.h"

/*
 * Method: each measurement is a pair of batches, wrapper then raw or raw then wrapper
 * (alternating per round so neither side always runs on a warmer or cooler core), repeated
 * ROUNDS times. A pair's ratio compares two batches taken milliseconds apart, so load from
 * other processes mostly cancels; the reported ratio is the median of the per-round ratios and
 * the reported rates are the medians of each side's rates.
 */
#define ROUNDS 21
#define N_SIGS 128

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_crypto: %s\n", what);
    exit(1);
}

/* ---- SHA-256 ---- */

static const EVP_MD *g_md;
static uint8_t g_sink[32];

/* Wrapper side: erg_sha256 = pthread_once check + EVP_Digest with the EVP_MD it fetched once. */
static void sha_wrap(const uint8_t *msg, size_t len, long iters)
{
    long i;
    for (i = 0; i < iters; i++) {
        erg_sha256(msg, len, g_sink);
        g_sink[0] ^= (uint8_t)i;
    }
}

/* Raw side: EVP_Digest with an EVP_MD fetched once up front, the cheapest correct OpenSSL 3 call
 * (EVP_sha256() instead would add an implicit fetch per call, flattering the wrapper). */
static void sha_raw(const uint8_t *msg, size_t len, long iters)
{
    long i;
    for (i = 0; i < iters; i++) {
        if (!EVP_Digest(msg, len, g_sink, NULL, g_md, NULL)) die("EVP_Digest failed");
        g_sink[0] ^= (uint8_t)i;
    }
}

static void bench_sha(size_t len, long iters)
{
    uint8_t *msg = malloc(len);
    double wrap[ROUNDS], raw[ROUNDS], ratio[ROUNDS];
    uint8_t a[32], b[32];
    int r;
    size_t i;
    if (!msg) die("out of memory");
    for (i = 0; i < len; i++) msg[i] = (uint8_t)(i * 131 + 7);
    /* Same digest from both sides, or the comparison means nothing. */
    erg_sha256(msg, len, a);
    if (!EVP_Digest(msg, len, b, NULL, g_md, NULL) || memcmp(a, b, 32) != 0) die("digests differ");
    sha_wrap(msg, len, iters / 10 + 1); /* warm-up */
    sha_raw(msg, len, iters / 10 + 1);
    for (r = 0; r < ROUNDS; r++) {
        double t0, t1, t2;
        if (r % 2 == 0) {
            t0 = now_s(); sha_wrap(msg, len, iters);
            t1 = now_s(); sha_raw(msg, len, iters);
            t2 = now_s();
            wrap[r] = (double)len * (double)iters / (t1 - t0) / 1e6;
            raw[r] = (double)len * (double)iters / (t2 - t1) / 1e6;
        } else {
            t0 = now_s(); sha_raw(msg, len, iters);
            t1 = now_s(); sha_wrap(msg, len, iters);
            t2 = now_s();
            raw[r] = (double)len * (double)iters / (t1 - t0) / 1e6;
            wrap[r] = (double)len * (double)iters / (t2 - t1) / 1e6;
        }
        ratio[r] = wrap[r] / raw[r];
    }
    printf("sha256 %8zu B: erg_sha256 %9.1f MB/s   raw EVP_Digest %9.1f MB/s   ratio %.3f\n", len,
           median(wrap, ROUNDS), median(raw, ROUNDS), median(ratio, ROUNDS));
    free(msg);
}

/* ---- Schnorr verification ---- */

static erg_pubkey g_pk[N_SIGS];
static uint8_t g_msg[N_SIGS][32], g_sig[N_SIGS][64];
static secp256k1_xonly_pubkey g_xpk[N_SIGS];
static secp256k1_context *g_raw_ctx;

/* Wrapper side: erg_schnorr_verify from the 32 serialized key bytes (parse + verify inside). */
static int verify_wrap(void)
{
    int i, ok = 0;
    for (i = 0; i < N_SIGS; i++) ok += erg_schnorr_verify(&g_pk[i], g_msg[i], 32, g_sig[i]);
    return ok;
}

/* Raw side, like with like: the same 32 serialized key bytes, so it also pays
 * secp256k1_xonly_pubkey_parse before secp256k1_schnorrsig_verify. */
static int verify_raw(void)
{
    int i, ok = 0;
    for (i = 0; i < N_SIGS; i++) {
        secp256k1_xonly_pubkey x;
        if (secp256k1_xonly_pubkey_parse(g_raw_ctx, &x, g_pk[i].b))
            ok += secp256k1_schnorrsig_verify(g_raw_ctx, g_sig[i], g_msg[i], 32, &x);
    }
    return ok;
}

/* For reference only: keys parsed once in advance, the bare verification cost. */
static int verify_raw_preparsed(void)
{
    int i, ok = 0;
    for (i = 0; i < N_SIGS; i++) ok += secp256k1_schnorrsig_verify(g_raw_ctx, g_sig[i], g_msg[i], 32, &g_xpk[i]);
    return ok;
}

static void bench_schnorr(void)
{
    double wrap[ROUNDS], raw[ROUNDS], pre[ROUNDS], ratio[ROUNDS], ratio_pre[ROUNDS];
    int i, r;
    erg_err err;
    g_raw_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!g_raw_ctx) die("secp256k1_context_create failed");
    for (i = 0; i < N_SIGS; i++) {
        erg_seckey sk;
        memset(g_msg[i], i, 32);
        if (erg_seckey_generate(&sk, &err) || erg_seckey_pubkey(&sk, &g_pk[i], &err) ||
            erg_schnorr_sign(&sk, g_msg[i], 32, NULL, g_sig[i], &err))
            die(err.reason);
        erg_seckey_clear(&sk);
        if (!secp256k1_xonly_pubkey_parse(g_raw_ctx, &g_xpk[i], g_pk[i].b)) die("pubkey parse failed");
    }
    if (verify_wrap() != N_SIGS || verify_raw() != N_SIGS || verify_raw_preparsed() != N_SIGS)
        die("a signature failed to verify");
    for (r = 0; r < ROUNDS; r++) {
        double t0, t1, t2, t3;
        int ok = 0;
        if (r % 2 == 0) {
            t0 = now_s(); ok += verify_wrap();
            t1 = now_s(); ok += verify_raw();
            t2 = now_s(); ok += verify_raw_preparsed();
            t3 = now_s();
            wrap[r] = N_SIGS / (t1 - t0);
            raw[r] = N_SIGS / (t2 - t1);
            pre[r] = N_SIGS / (t3 - t2);
        } else {
            t0 = now_s(); ok += verify_raw_preparsed();
            t1 = now_s(); ok += verify_raw();
            t2 = now_s(); ok += verify_wrap();
            t3 = now_s();
            pre[r] = N_SIGS / (t1 - t0);
            raw[r] = N_SIGS / (t2 - t1);
            wrap[r] = N_SIGS / (t3 - t2);
        }
        if (ok != 3 * N_SIGS) die("a signature failed to verify");
        ratio[r] = wrap[r] / raw[r];
        ratio_pre[r] = wrap[r] / pre[r];
    }
    printf("schnorr verify (32-byte msg): erg_schnorr_verify %8.0f/s   raw parse+verify %8.0f/s   ratio %.3f\n",
           median(wrap, ROUNDS), median(raw, ROUNDS), median(ratio, ROUNDS));
    printf("  reference: raw verify with keys parsed in advance %8.0f/s   (erg/pre-parsed %.3f)\n",
           median(pre, ROUNDS), median(ratio_pre, ROUNDS));
    secp256k1_context_destroy(g_raw_ctx);
}

int main(void)
{
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!md) die("EVP_MD_fetch(SHA256) failed");
    g_md = md;
    printf("bench_crypto: medians of %d alternating rounds; ratio = wrapper / raw (goal >= 0.95)\n", ROUNDS);
    bench_sha(64, 40000);
    bench_sha((size_t)1 << 20, 16);
    bench_schnorr();
    EVP_MD_free(md);
    return 0;
}
