/* JSON-RPC methods of the chain, mempool and miner (getblock, sendrawtransaction, generatetoaddress, ...). */
#ifndef ERG_NODE_RPC_CHAIN_H
#define ERG_NODE_RPC_CHAIN_H

#include "src/node/node.h"
#include "src/node/rpc.h"

erg_code erg_rpc_register_chain(erg_rpc_server *rpc, erg_node *node, erg_err *err) ERG_WARN_UNUSED;

#endif
