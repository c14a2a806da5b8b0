/* Ergon addresses: bech32m over a version byte and an x-only public key, one prefix per network. */
#include "src/crypto/address.h"

#include <string.h>

#include "src/crypto/bech32m.h"

#define KEY_GROUPS 52 /* 5-bit groups holding the 32-byte key: ceil(256 / 5) */

static const struct {
    const char *hrp;
    const char *name;
    const char *alias; /* accepted by erg_network_parse besides the name */
} g_networks[] = {
    [ERG_NET_MAIN] = {"erg", "main", "mainnet"},
    [ERG_NET_TEST] = {"terg", "test", "testnet"},
    [ERG_NET_REGTEST] = {"rerg", "regtest", "regtest"},
};
#define N_NETWORKS (sizeof g_networks / sizeof g_networks[0])

/* erg_err_prefix answers ERG_ERR_INTERNAL for a NULL err, so keep the real code ourselves. */
static erg_code with_context(erg_err *err, erg_code rc)
{
    if (err) erg_err_prefix(err, "address: ");
    return rc;
}

static int network_ok(erg_network net)
{
    return (unsigned)net < N_NETWORKS;
}

const char *erg_network_hrp(erg_network net)
{
    return network_ok(net) ? g_networks[net].hrp : NULL;
}

const char *erg_network_name(erg_network net)
{
    return network_ok(net) ? g_networks[net].name : NULL;
}

erg_code erg_network_parse(const char *name, erg_network *net, erg_err *err)
{
    size_t i;
    if (!name) return erg_err_set(err, ERG_ERR_ARG, "network: NULL name");
    for (i = 0; i < N_NETWORKS; i++) {
        if (strcmp(name, g_networks[i].name) == 0 || strcmp(name, g_networks[i].alias) == 0) {
            *net = (erg_network)i;
            return ERG_OK;
        }
    }
    return erg_err_set(err, ERG_ERR_NOTFOUND, "network: unknown network '%.64s' (expected main, test or regtest)", name);
}

erg_code erg_address_encode(erg_network net, const erg_pubkey *pk, char *out, size_t out_size, erg_err *err)
{
    uint8_t data[1 + KEY_GROUPS];
    size_t n = 0;
    erg_pubkey checked;
    erg_code rc;
    if (!network_ok(net)) return erg_err_set(err, ERG_ERR_ARG, "address: unknown network %d", (int)net);
    if (!pk) return erg_err_set(err, ERG_ERR_ARG, "address: NULL public key");
    /* An address for bytes that are no curve point could never be spent from. */
    if ((rc = erg_pubkey_parse(&checked, pk->b, err))) return with_context(err, rc);
    data[0] = ERG_ADDRESS_VERSION;
    if ((rc = erg_bech32_convert_bits(data + 1, KEY_GROUPS, &n, 5, pk->b, 32, 8, 1, err)))
        return with_context(err, rc);
    if ((rc = erg_bech32_encode(ERG_BECH32M, g_networks[net].hrp, data, 1 + n, out, out_size, err)))
        return with_context(err, rc);
    return ERG_OK;
}

erg_code erg_address_decode(erg_network net, const char *addr, erg_pubkey *pk, erg_err *err)
{
    char hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX], key[32];
    size_t dlen = 0, klen = 0, i;
    erg_pubkey out;
    erg_code rc;
    if (!network_ok(net)) return erg_err_set(err, ERG_ERR_ARG, "address: unknown network %d", (int)net);
    if (!addr || !pk) return erg_err_set(err, ERG_ERR_ARG, "address: NULL argument");
    if ((rc = erg_bech32_decode(ERG_BECH32M, addr, strlen(addr), hrp, sizeof hrp, data, sizeof data, &dlen, err)))
        return with_context(err, rc);
    if (strcmp(hrp, g_networks[net].hrp) != 0) {
        for (i = 0; i < N_NETWORKS; i++)
            if (strcmp(hrp, g_networks[i].hrp) == 0)
                return erg_err_set(err, ERG_ERR_INVALID, "address: this address is for network '%s' (prefix '%s'), not '%s'",
                                   g_networks[i].name, hrp, g_networks[net].name);
        return erg_err_set(err, ERG_ERR_INVALID, "address: unknown prefix '%s' (an address for network '%s' starts with '%s1')", hrp,
                           g_networks[net].name, g_networks[net].hrp);
    }
    if (dlen == 0) return erg_err_set(err, ERG_ERR_PARSE, "address: no version or key after the prefix");
    if (data[0] != ERG_ADDRESS_VERSION)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "address: version %u at position %zu is not supported (expected %d)",
                           data[0], strlen(hrp) + 1, ERG_ADDRESS_VERSION);
    if (dlen - 1 != KEY_GROUPS)
        return erg_err_set(err, ERG_ERR_PARSE, "address: %zu characters of key data, a 32-byte key takes %d", dlen - 1,
                           KEY_GROUPS);
    if ((rc = erg_bech32_convert_bits(key, sizeof key, &klen, 8, data + 1, dlen - 1, 5, 0, err)))
        return with_context(err, rc);
    if (klen != 32) return erg_err_set(err, ERG_ERR_INTERNAL, "address: 52 groups gave %zu key bytes", klen);
    if ((rc = erg_pubkey_parse(&out, key, err))) return with_context(err, rc);
    *pk = out;
    return ERG_OK;
}
