/* Hierarchical deterministic keys: BIP32-style hardened derivation of secret keys from one seed. */
#ifndef ERG_WALLET_HD_H
#define ERG_WALLET_HD_H

#include <stddef.h>
#include <stdint.h>

#include "src/crypto/address.h"
#include "src/crypto/keys.h"
#include "src/util/error.h"

#define ERG_HD_HARDENED 0x80000000u
#define ERG_HD_PURPOSE 17746u /* 0x4552, "ER": m/17746'/coin'/account'/index' */
#define ERG_HD_SEED_KEY "Ergon seed" /* HMAC key of the master derivation */

/* A secret extended key. Invariant: key is a valid scalar. Secret: wipe with erg_hd_node_clear. */
typedef struct erg_hd_node {
    erg_seckey key;
    uint8_t chain[32]; /* chain code */
} erg_hd_node;

void erg_hd_node_clear(erg_hd_node *n);

/* Master node: I = HMAC-SHA512(hmac_key, seed), key = IL, chain = IR. hmac_key is
 * ERG_HD_SEED_KEY for Ergon wallets ("Bitcoin seed" reproduces BIP32's test vectors).
 * ERG_ERR_RANGE when IL is not a valid key (probability below 2^-127). */
erg_code erg_hd_master(const char *hmac_key, const uint8_t *seed, size_t seed_len, erg_hd_node *out, erg_err *err) ERG_WARN_UNUSED;

/* Hardened child `index` (0 <= index < 2^31, used as index + 2^31): I = HMAC-SHA512(chain,
 * 0x00 || key || be32(index + 2^31)), child key = IL + key mod n, chain = IR. Only hardened
 * derivation exists here (ERG_ERR_ARG for index >= 2^31). ERG_ERR_RANGE when IL >= n or the
 * child key is zero: BIP32 says to skip such an index, and the wallet does. */
erg_code erg_hd_child(const erg_hd_node *parent, uint32_t index, erg_hd_node *out, erg_err *err) ERG_WARN_UNUSED;

/* Coin type per network in the path: 0 for main, 1 for test and regtest. */
uint32_t erg_hd_coin_type(erg_network net);

/* The account node m/17746'/coin'/account' from a seed. */
erg_code erg_hd_account(const uint8_t *seed, size_t seed_len, erg_network net, uint32_t account, erg_hd_node *out,
                        erg_err *err) ERG_WARN_UNUSED;

#endif
