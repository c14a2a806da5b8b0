/* Consensus and network parameters of the main, test and regtest networks. */
#include "chain/params.h"

#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Targets: a unit wins when ticket < target * cu, so 2^256 / target is the expected compute
 * (in CU) per block. Main starts at about 2^26 CU per block (one minute of roughly a
 * thousand CPU cores, or a few GPUs) and ASERT finds the real level within a few half-lives.
 * Regtest's target is the largest compact value (about 2^255), so every unit of at least
 * 2 CU wins: tests mine blocks at will.
 */
static const erg_chain_params g_main = {
    ERG_NET_MAIN, "main", "", {0xe7, 0x72, 0x67, 0x4d}, 9333, 9332,
    1795392000 /* 2026-11-23T00:00:00Z */, 0x1d3fffff, 0x2000ffff,
    60, 3600, 0, 50 * ERG_COIN, 2100000, 600, 0,
};

static const erg_chain_params g_test = {
    ERG_NET_TEST, "test", "testnet", {0xe7, 0x72, 0x67, 0x54}, 19333, 19332,
    1795392000, 0x1f00ffff, 0x2000ffff,
    60, 3600, 0, 50 * ERG_COIN, 2100000, 600, 0,
};

static const erg_chain_params g_regtest = {
    ERG_NET_REGTEST, "regtest", "regtest", {0xe7, 0x72, 0x67, 0x52}, 19444, 19443,
    1795392000, 0x207fffff, 0x207fffff,
    60, 3600, 1, 50 * ERG_COIN, 150, 600, 1,
};

const erg_chain_params *erg_chain_params_get(erg_network net)
{
    switch (net) {
    case ERG_NET_MAIN: return &g_main;
    case ERG_NET_TEST: return &g_test;
    case ERG_NET_REGTEST: return &g_regtest;
    }
    return NULL;
}

uint64_t erg_block_subsidy(const erg_chain_params *cp, uint32_t height)
{
    uint32_t halvings;
    if (height == 0) return 0;
    halvings = (height - 1) / cp->halving_interval;
    if (halvings >= 64) return 0;
    return cp->initial_subsidy >> halvings;
}

erg_code erg_chain_default_datadir(char *out, size_t cap, erg_err *err)
{
    const char *home = getenv("HOME");
    int n;
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
        return erg_err_set(err, ERG_ERR_NOTFOUND, "datadir: HOME is not set and the user has no home directory");
    n = snprintf(out, cap, "%s/%s", home, ERG_DATADIR_NAME);
    if (n < 0 || (size_t)n >= cap) return erg_err_set(err, ERG_ERR_RANGE, "datadir: path longer than %zu bytes", cap);
    return ERG_OK;
}

erg_code erg_chain_datadir(const char *base, erg_network net, char *out, size_t cap, erg_err *err)
{
    const erg_chain_params *cp = erg_chain_params_get(net);
    const char *sub = cp ? cp->datadir_sub : "";
    int n = *sub ? snprintf(out, cap, "%s/%s", base, sub) : snprintf(out, cap, "%s", base);
    if (n < 0 || (size_t)n >= cap) return erg_err_set(err, ERG_ERR_RANGE, "datadir: path longer than %zu bytes", cap);
    return ERG_OK;
}
