/* Test helpers for network tests and benches: an in-process node (chain state, mempool, P2P) on loopback. */
#ifndef ERG_TEST_NET_TESTUTIL_H
#define ERG_TEST_NET_TESTUTIL_H

#include <stdint.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "src/node/net.h"

typedef struct erg_test_node {
    char dir[64];     /* temporary data directory, removed by close */
    erg_chainstate *cs;
    erg_mempool *mp;  /* registered as a chain listener */
    erg_net *net;     /* NULL until listen */
    uint16_t port;
} erg_test_node;

/* Chain state and mempool in a fresh temporary directory. */
erg_code erg_test_node_open(erg_test_node *nd, const erg_chain_params *cp, erg_err *err) ERG_WARN_UNUSED;
/* Start the network on 127.0.0.1:port (0: a free port), connecting only to `connect` ("ip:port")
 * when non-NULL. */
erg_code erg_test_node_listen(erg_test_node *nd, const erg_chain_params *cp, uint16_t port, const char *connect,
                              erg_err *err) ERG_WARN_UNUSED;
void erg_test_node_close(erg_test_node *nd);

#endif
