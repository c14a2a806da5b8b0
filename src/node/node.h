/* The running node's parts, shared by ergond's main loop and the RPC handlers. */
#ifndef ERG_NODE_NODE_H
#define ERG_NODE_NODE_H

#include <stdint.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "kernels/engine.h"
#include "src/node/miner.h"

typedef struct erg_node {
    const erg_chain_params *cp;
    erg_chainstate *cs;
    erg_mempool *mp;
    erg_engine *eng;
    erg_miner *miner;         /* NULL unless -mine */
    struct erg_net *net;      /* NULL when the P2P network is off */
    int64_t start_time;       /* unix seconds */
    volatile int shutdown;    /* set by SIGTERM/SIGINT or the stop method */
} erg_node;

#endif
