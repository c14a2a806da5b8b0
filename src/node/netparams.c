/* Network names, the default data directory and RPC ports shared by ergond and ergon-cli. */
#include "src/node/netparams.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *erg_net_subdir(erg_network net)
{
    switch (net) {
    case ERG_NET_MAIN: return "";
    case ERG_NET_TEST: return "testnet";
    case ERG_NET_REGTEST: return "regtest";
    }
    return "";
}

uint16_t erg_net_rpc_port(erg_network net)
{
    switch (net) {
    case ERG_NET_MAIN: return ERG_RPC_PORT_MAIN;
    case ERG_NET_TEST: return ERG_RPC_PORT_TESTNET;
    case ERG_NET_REGTEST: return ERG_RPC_PORT_REGTEST;
    }
    return ERG_RPC_PORT_MAIN;
}

erg_code erg_net_default_datadir(char *out, size_t cap, erg_err *err)
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

erg_code erg_net_datadir(const char *base, erg_network net, char *out, size_t cap, erg_err *err)
{
    const char *sub = erg_net_subdir(net);
    int n = *sub ? snprintf(out, cap, "%s/%s", base, sub) : snprintf(out, cap, "%s", base);
    if (n < 0 || (size_t)n >= cap) return erg_err_set(err, ERG_ERR_RANGE, "datadir: path longer than %zu bytes", cap);
    return ERG_OK;
}
