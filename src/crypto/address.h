/* Ergon addresses: bech32m over a version byte and an x-only public key, one prefix per network. */
#ifndef ERG_CRYPTO_ADDRESS_H
#define ERG_CRYPTO_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#include "src/crypto/keys.h"
#include "src/util/error.h"

typedef enum erg_network { ERG_NET_MAIN = 0, ERG_NET_TEST = 1, ERG_NET_REGTEST = 2 } erg_network;

#define ERG_ADDRESS_VERSION 0
#define ERG_ADDRESS_MAX 100 /* longest address string including NUL */

/* Human-readable part per network: "erg", "terg", "rerg". */
const char *erg_network_hrp(erg_network net);
const char *erg_network_name(erg_network net);
erg_code erg_network_parse(const char *name, erg_network *net, erg_err *err) ERG_WARN_UNUSED;

/* Encode the address of pk on net into out (ERG_ADDRESS_MAX bytes). */
erg_code erg_address_encode(erg_network net, const erg_pubkey *pk, char *out, size_t out_size, erg_err *err) ERG_WARN_UNUSED;
/* Decode and check an address for `net`. A mistyped address fails with a reason that names
 * the position (0-based character index) of the likely error. */
erg_code erg_address_decode(erg_network net, const char *addr, erg_pubkey *pk, erg_err *err) ERG_WARN_UNUSED;

#endif
