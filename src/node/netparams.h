/* Network names, the default data directory and RPC ports shared by ergond and ergon-cli. */
#ifndef ERG_NODE_NETPARAMS_H
#define ERG_NODE_NETPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "src/crypto/address.h"
#include "src/util/error.h"

/* Kept deliberately tiny: the chain layer owns the full per-network parameters (genesis, P2P
 * port, magic) and these values move there when it lands. The network itself is the
 * erg_network of src/crypto/address.h (ERG_NET_MAIN, ERG_NET_TEST, ERG_NET_REGTEST). */

#define ERG_RPC_PORT_MAIN 9332
#define ERG_RPC_PORT_TESTNET 19332
#define ERG_RPC_PORT_REGTEST 19443
/* Directory under $HOME holding the main network's data; other networks use a subdirectory. */
#define ERG_DATADIR_NAME ".ergon"
#define ERG_COOKIE_NAME ".cookie"

/* "" for main, "testnet" or "regtest": the subdirectory of the data directory. */
const char *erg_net_subdir(erg_network net);
uint16_t erg_net_rpc_port(erg_network net);

/* $HOME/.ergon (falling back to the password database when HOME is unset). */
erg_code erg_net_default_datadir(char *out, size_t cap, erg_err *err) ERG_WARN_UNUSED;
/* base, or base/<subdir> for test networks: where the node keeps this network's files. */
erg_code erg_net_datadir(const char *base, erg_network net, char *out, size_t cap, erg_err *err) ERG_WARN_UNUSED;

#endif
