/* secp256k1 keys and BIP340 Schnorr signatures through libsecp256k1 (one shared context). */
#include "src/crypto/keys.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/random.h"
#include "src/util/buffer.h"

/*
 * One context for the whole process, created and randomized exactly once. After that it is
 * only ever used read-only, which libsecp256k1 allows from any number of threads at once.
 * Invariant: after ctx_once has run, g_ctx is non-NULL (creation failure aborts); g_ctx_rc
 * is ERG_OK if the blinding randomization succeeded, else the reason is in g_ctx_err.
 */
static secp256k1_context *g_ctx;
static erg_code g_ctx_rc;
static erg_err g_ctx_err;
static pthread_once_t g_ctx_once = PTHREAD_ONCE_INIT;

static void ctx_init(void)
{
    uint8_t seed[32];
    g_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!g_ctx) {
        /* Only an allocation failure inside the library gets here: unrecoverable, as for OpenSSL. */
        fprintf(stderr, "fatal: secp256k1_context_create failed\n");
        abort();
    }
    erg_err_clear(&g_ctx_err);
    g_ctx_rc = erg_random_bytes(seed, sizeof seed, &g_ctx_err);
    if (g_ctx_rc == ERG_OK && !secp256k1_context_randomize(g_ctx, seed))
        g_ctx_rc = erg_err_set(&g_ctx_err, ERG_ERR_CRYPTO, "secp256k1: context randomization failed");
    erg_memzero(seed, sizeof seed);
}

static const secp256k1_context *ctx_get(void)
{
    pthread_once(&g_ctx_once, ctx_init);
    return g_ctx;
}

/* Operations on secret keys need the side-channel blinding; public ones (parse, verify) do not. */
static erg_code ctx_for_secrets(const secp256k1_context **ctx, erg_err *err)
{
    *ctx = ctx_get();
    if (g_ctx_rc != ERG_OK) return erg_err_set(err, g_ctx_rc, "secp256k1 context: %s", g_ctx_err.reason);
    return ERG_OK;
}

erg_code erg_seckey_generate(erg_seckey *sk, erg_err *err)
{
    const secp256k1_context *ctx;
    uint8_t b[32];
    int tries;
    erg_code rc = ctx_for_secrets(&ctx, err);
    if (rc) return rc;
    /* An invalid draw has probability about 2^-128; repeated ones mean a broken random source. */
    for (tries = 0; tries < 8; tries++) {
        if ((rc = erg_random_bytes(b, sizeof b, err))) break;
        if (secp256k1_ec_seckey_verify(ctx, b)) {
            memcpy(sk->b, b, sizeof b);
            erg_memzero(b, sizeof b);
            return ERG_OK;
        }
    }
    erg_memzero(b, sizeof b);
    if (rc) return rc;
    return erg_err_set(err, ERG_ERR_CRYPTO, "seckey: random source gave 8 invalid keys in a row");
}

erg_code erg_seckey_from_bytes(erg_seckey *sk, const uint8_t b[32], erg_err *err)
{
    /* Checking a scalar's range needs no blinding, so a failed randomization does not block it. */
    if (!secp256k1_ec_seckey_verify(ctx_get(), b))
        return erg_err_set(err, ERG_ERR_RANGE, "seckey: not a valid secret key (zero or not below the curve order)");
    memcpy(sk->b, b, 32);
    return ERG_OK;
}

void erg_seckey_clear(erg_seckey *sk)
{
    erg_memzero(sk->b, sizeof sk->b);
}

erg_code erg_seckey_tweak_add(erg_seckey *sk, const uint8_t tweak[32], erg_err *err)
{
    const secp256k1_context *ctx;
    uint8_t k[32];
    erg_code rc = ctx_for_secrets(&ctx, err);
    if (rc) return rc;
    /* The library leaves its argument unspecified on failure, so work on a copy. */
    memcpy(k, sk->b, sizeof k);
    if (!secp256k1_ec_seckey_tweak_add(ctx, k, tweak)) {
        erg_memzero(k, sizeof k);
        return erg_err_set(err, ERG_ERR_RANGE, "seckey tweak: tweak not below the curve order, or the sum is zero");
    }
    memcpy(sk->b, k, sizeof k);
    erg_memzero(k, sizeof k);
    return ERG_OK;
}

erg_code erg_seckey_pubkey(const erg_seckey *sk, erg_pubkey *pk, erg_err *err)
{
    const secp256k1_context *ctx;
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey xpk;
    erg_code rc = ctx_for_secrets(&ctx, err);
    if (rc) return rc;
    if (!secp256k1_keypair_create(ctx, &kp, sk->b)) {
        rc = erg_err_set(err, ERG_ERR_RANGE, "seckey: not a valid secret key");
    } else if (!secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
               !secp256k1_xonly_pubkey_serialize(ctx, pk->b, &xpk)) {
        rc = erg_err_set(err, ERG_ERR_CRYPTO, "seckey: deriving the public key failed");
    }
    erg_memzero(&kp, sizeof kp);
    return rc;
}

erg_code erg_pubkey_parse(erg_pubkey *pk, const uint8_t b[32], erg_err *err)
{
    secp256k1_xonly_pubkey xpk;
    if (!secp256k1_xonly_pubkey_parse(ctx_get(), &xpk, b))
        return erg_err_set(err, ERG_ERR_INVALID, "pubkey: not the x coordinate of a curve point");
    memcpy(pk->b, b, 32);
    return ERG_OK;
}

erg_code erg_schnorr_sign(const erg_seckey *sk, const uint8_t *msg, size_t msg_len, const uint8_t *aux32,
                          uint8_t sig[64], erg_err *err)
{
    const secp256k1_context *ctx;
    secp256k1_keypair kp;
    secp256k1_xonly_pubkey xpk;
    secp256k1_schnorrsig_extraparams extra = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    uint8_t aux[32], out[64];
    erg_code rc;
    if (!msg && msg_len) return erg_err_set(err, ERG_ERR_ARG, "schnorr sign: NULL message of length %zu", msg_len);
    if ((rc = ctx_for_secrets(&ctx, err))) return rc;
    if (aux32) memcpy(aux, aux32, sizeof aux);
    else if ((rc = erg_random_bytes(aux, sizeof aux, err))) return rc;
    extra.ndata = aux;
    if (!secp256k1_keypair_create(ctx, &kp, sk->b)) {
        rc = erg_err_set(err, ERG_ERR_RANGE, "schnorr sign: not a valid secret key");
    } else if (!secp256k1_schnorrsig_sign_custom(ctx, out, msg, msg_len, &kp, &extra)) {
        rc = erg_err_set(err, ERG_ERR_CRYPTO, "schnorr sign: libsecp256k1 refused to sign");
    } else if (!secp256k1_keypair_xonly_pub(ctx, &xpk, NULL, &kp) ||
               !secp256k1_schnorrsig_verify(ctx, out, msg, msg_len, &xpk)) {
        /* Verifying our own signature catches a computation fault before a faulty signature (which
         * can leak the key) leaves the process; it costs one verification per signature. */
        rc = erg_err_set(err, ERG_ERR_INTERNAL, "schnorr sign: produced signature does not verify");
    } else {
        memcpy(sig, out, sizeof out);
        rc = ERG_OK;
    }
    erg_memzero(&kp, sizeof kp);
    erg_memzero(aux, sizeof aux);
    return rc;
}

int erg_schnorr_verify(const erg_pubkey *pk, const uint8_t *msg, size_t msg_len, const uint8_t sig[64])
{
    const secp256k1_context *ctx = ctx_get();
    secp256k1_xonly_pubkey xpk;
    if (!msg && msg_len) return 0;
    /* erg_pubkey holds the 32 serialized bytes, so every call lifts x to the curve point (one
     * field square root, a few percent of a verification). */
    if (!secp256k1_xonly_pubkey_parse(ctx, &xpk, pk->b)) return 0;
    return secp256k1_schnorrsig_verify(ctx, sig, msg, msg_len, &xpk);
}
