/* Hierarchical deterministic keys: hardened HMAC-SHA512 derivation with the scalar tweak-add of keys.h. */
#include "wallet/hd.h"

#include <string.h>

#include "src/crypto/sha256.h"
#include "src/util/buffer.h"

void erg_hd_node_clear(erg_hd_node *n)
{
    erg_memzero(n, sizeof *n);
}

erg_code erg_hd_master(const char *hmac_key, const uint8_t *seed, size_t seed_len, erg_hd_node *out, erg_err *err)
{
    uint8_t I[64];
    erg_code rc;
    if (!hmac_key || (!seed && seed_len)) return erg_err_set(err, ERG_ERR_ARG, "hd master: missing key or seed");
    if (seed_len < 16 || seed_len > 64) return erg_err_set(err, ERG_ERR_ARG, "hd master: seed of %zu bytes (16..64)", seed_len);
    erg_hmac_sha512(hmac_key, strlen(hmac_key), seed, seed_len, I);
    rc = erg_seckey_from_bytes(&out->key, I, err);
    if (rc == ERG_OK) memcpy(out->chain, I + 32, 32);
    else rc = erg_err_set(err, ERG_ERR_RANGE, "hd master: the seed gives an invalid master key; use another seed");
    erg_memzero(I, sizeof I);
    return rc;
}

erg_code erg_hd_child(const erg_hd_node *parent, uint32_t index, erg_hd_node *out, erg_err *err)
{
    uint8_t data[37], I[64];
    erg_hd_node child;
    erg_code rc;
    if (index >= ERG_HD_HARDENED)
        return erg_err_set(err, ERG_ERR_ARG, "hd child: index %u is not below 2^31 (only hardened derivation)", index);
    data[0] = 0;
    memcpy(data + 1, parent->key.b, 32);
    index |= ERG_HD_HARDENED;
    data[33] = (uint8_t)(index >> 24);
    data[34] = (uint8_t)(index >> 16);
    data[35] = (uint8_t)(index >> 8);
    data[36] = (uint8_t)index;
    erg_hmac_sha512(parent->chain, 32, data, sizeof data, I);
    child.key = parent->key;
    rc = erg_seckey_tweak_add(&child.key, I, err);
    if (rc == ERG_OK) {
        memcpy(child.chain, I + 32, 32);
        *out = child;
    } else {
        rc = erg_err_set(err, ERG_ERR_RANGE, "hd child %u': invalid child key (skip this index)", index & ~ERG_HD_HARDENED);
    }
    erg_memzero(data, sizeof data);
    erg_memzero(I, sizeof I);
    erg_hd_node_clear(&child);
    return rc;
}

uint32_t erg_hd_coin_type(erg_network net)
{
    return net == ERG_NET_MAIN ? 0 : 1;
}

erg_code erg_hd_account(const uint8_t *seed, size_t seed_len, erg_network net, uint32_t account, erg_hd_node *out,
                        erg_err *err)
{
    erg_hd_node a, b;
    erg_code rc;
    if ((rc = erg_hd_master(ERG_HD_SEED_KEY, seed, seed_len, &a, err))) return rc;
    if (!(rc = erg_hd_child(&a, ERG_HD_PURPOSE, &b, err)) && !(rc = erg_hd_child(&b, erg_hd_coin_type(net), &a, err)))
        rc = erg_hd_child(&a, account, out, err);
    erg_hd_node_clear(&a);
    erg_hd_node_clear(&b);
    return rc;
}
