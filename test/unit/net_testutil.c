/* Test helpers for network tests and benches: an in-process node (chain state, mempool, P2P) on loopback. */
#include "test/unit/net_testutil.h"

#include <stdio.h>
#include <string.h>

#include "test/unit/chain_testutil.h"

erg_code erg_test_node_open(erg_test_node *nd, const erg_chain_params *cp, erg_err *err)
{
    erg_chain_listener l;
    erg_code rc;
    memset(nd, 0, sizeof *nd);
    erg_test_tmpdir(nd->dir, sizeof nd->dir);
    if ((rc = erg_chainstate_open(&nd->cs, cp, nd->dir, err))) return rc;
    if ((rc = erg_mempool_create(&nd->mp, nd->cs, 1u << 20, 1000, err))) return rc;
    l = erg_mempool_listener(nd->mp);
    return erg_chainstate_add_listener(nd->cs, &l, err);
}

erg_code erg_test_node_listen(erg_test_node *nd, const erg_chain_params *cp, uint16_t port, const char *connect,
                              erg_err *err)
{
    erg_net_config cfg;
    char bind[32];
    erg_code rc;
    nd->port = port ? port : erg_test_free_port();
    snprintf(bind, sizeof bind, "127.0.0.1:%u", (unsigned)nd->port);
    erg_net_config_default(&cfg);
    cfg.cp = cp;
    cfg.cs = nd->cs;
    cfg.mp = nd->mp;
    cfg.datadir = nd->dir;
    cfg.bind = bind;
    cfg.port = nd->port;
    cfg.connect_only = 1;
    if (connect) cfg.connect[cfg.nconnect++] = connect;
    if ((rc = erg_net_create(&nd->net, &cfg, err))) return rc;
    return erg_net_start(nd->net, err);
}

void erg_test_node_close(erg_test_node *nd)
{
    erg_net_destroy(nd->net);
    if (nd->cs && nd->mp) erg_chainstate_remove_listener(nd->cs, nd->mp);
    erg_mempool_destroy(nd->mp);
    erg_chainstate_close(nd->cs);
    erg_test_rmdir(nd->dir);
}
