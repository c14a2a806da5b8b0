/* JSON-RPC methods of the P2P network (getpeerinfo, getnetworkinfo, addnode, disconnectnode, setban, ...). */
#ifndef ERG_NODE_RPC_NET_H
#define ERG_NODE_RPC_NET_H

#include "src/node/node.h"
#include "src/node/rpc.h"

/* The methods answer -31 (P2P disabled) while node->net is NULL. */
erg_code erg_rpc_register_net(erg_rpc_server *rpc, erg_node *node, erg_err *err) ERG_WARN_UNUSED;

#endif
