/* secp256k1 keys and BIP340 Schnorr signatures through libsecp256k1. */
#ifndef ERG_CRYPTO_KEYS_H
#define ERG_CRYPTO_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* A secret key: 32 bytes, a valid scalar (0 < k < n). Wipe with erg_seckey_clear. */
typedef struct erg_seckey {
    uint8_t b[32];
} erg_seckey;

/* An x-only public key (BIP340): 32 bytes, the x coordinate of a point with even y. */
typedef struct erg_pubkey {
    uint8_t b[32];
} erg_pubkey;

/* Fresh key from the OS random source. */
erg_code erg_seckey_generate(erg_seckey *sk, erg_err *err) ERG_WARN_UNUSED;
/* Accepts 32 bytes only if they form a valid secret key. */
erg_code erg_seckey_from_bytes(erg_seckey *sk, const uint8_t b[32], erg_err *err) ERG_WARN_UNUSED;
void erg_seckey_clear(erg_seckey *sk);
/* sk = sk + tweak (mod n), the scalar step of BIP32-style derivation. Fails with ERG_ERR_RANGE
 * when tweak >= n or the sum is zero (the caller then skips that child); sk is unchanged on
 * failure. */
erg_code erg_seckey_tweak_add(erg_seckey *sk, const uint8_t tweak[32], erg_err *err) ERG_WARN_UNUSED;
erg_code erg_seckey_pubkey(const erg_seckey *sk, erg_pubkey *pk, erg_err *err) ERG_WARN_UNUSED;
/* ERG_OK if the 32 bytes are the x coordinate of a curve point. */
erg_code erg_pubkey_parse(erg_pubkey *pk, const uint8_t b[32], erg_err *err) ERG_WARN_UNUSED;

/* BIP340 sign over an arbitrary-length message; aux32 NULL draws fresh auxiliary randomness. */
erg_code erg_schnorr_sign(const erg_seckey *sk, const uint8_t *msg, size_t msg_len, const uint8_t *aux32,
                          uint8_t sig[64], erg_err *err) ERG_WARN_UNUSED;
/* 1 if sig is a valid BIP340 signature of msg under pk, else 0. */
int erg_schnorr_verify(const erg_pubkey *pk, const uint8_t *msg, size_t msg_len, const uint8_t sig[64]);

#endif
