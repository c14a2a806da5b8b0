/* Benchmark: initial sync of N blocks from a loopback peer beside connecting the same blocks locally, in one process. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "src/node/net.h"
#include "src/util/log.h"
#include "test/unit/chain_testutil.h"
#include "test/unit/net_testutil.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const erg_err *err)
{
    fprintf(stderr, "bench_net: %s: %s\n", what, err ? err->reason : "");
    exit(1);
}

typedef erg_test_node node;

static void node_open(node *nd, const erg_chain_params *cp)
{
    erg_err err;
    if (erg_test_node_open(nd, cp, &err)) die("open", &err);
}

static void node_net(node *nd, const erg_chain_params *cp, uint16_t port, const char *connect)
{
    erg_err err;
    if (erg_test_node_listen(nd, cp, port, connect, &err)) die("net", &err);
}

int main(int argc, char **argv)
{
    const erg_chain_params *cp = erg_chain_params_get(ERG_NET_REGTEST);
    int n = argc > 1 ? atoi(argv[1]) : 1000, i;
    node src, local, fresh;
    erg_seckey sk;
    erg_pubkey pk;
    erg_err err;
    uint64_t t = (uint64_t)time(NULL) - 60u * (uint64_t)n - 600;
    double t0, local_s, sync_s;
    char target[32];
    uint16_t port = erg_test_free_port();
    erg_block_info tip, ftip;
    if (n < 1 || n > 100000) {
        fprintf(stderr, "usage: bench_net [BLOCKS (1..100000, default 1000)]\n");
        return 2;
    }
    erg_log_set_level(ERG_LOG_ERROR);
    if (erg_seckey_generate(&sk, &err) || erg_seckey_pubkey(&sk, &pk, &err)) die("key", &err);
    node_open(&src, cp);
    t0 = now_s();
    for (i = 0; i < n; i++)
        if (erg_test_mine(cp, src.cs, &pk, NULL, 0, t += 60, NULL, &err)) die("mine", &err);
    printf("built %d regtest blocks in %.2fs\n", n, now_s() - t0);

    /* Baseline: the same blocks read from the source and connected in this process. */
    node_open(&local, cp);
    t0 = now_s();
    for (i = 1; i <= n; i++) {
        erg_block_info info;
        erg_block b;
        if (erg_chainstate_block_at(src.cs, (uint32_t)i, &info, &err)) die("block_at", &err);
        if (erg_chainstate_read_block(src.cs, info.id, &b, &err)) die("read", &err);
        if (erg_chainstate_process_block(local.cs, &b, (uint64_t)time(NULL), NULL, &err)) die("connect", &err);
        erg_block_free(&b);
    }
    local_s = now_s() - t0;

    /* The same blocks over P2P: headers first, then blocks, from a loopback peer. */
    node_net(&src, cp, port, NULL);
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)port);
    node_open(&fresh, cp);
    erg_chainstate_tip(src.cs, &tip);
    t0 = now_s();
    node_net(&fresh, cp, 0, target);
    for (;;) {
        struct timespec ts = {0, 1000000};
        erg_chainstate_tip(fresh.cs, &ftip);
        if (memcmp(ftip.id, tip.id, 32) == 0) break;
        if (now_s() - t0 > 600) die("sync did not finish in 600 s", NULL);
        nanosleep(&ts, NULL);
    }
    sync_s = now_s() - t0;
    printf("local connect: %d blocks in %.2fs = %.0f blocks/s (read from the source's store, process_block)\n", n,
           local_s, n / local_s);
    printf("p2p sync:      %d blocks in %.2fs = %.0f blocks/s (connect, handshake, headers, getdata, blocks)\n", n,
           sync_s, n / sync_s);
    printf("ratio p2p/local = %.2f (goal >= 0.8)\n", local_s / sync_s);
    erg_test_node_close(&fresh);
    erg_test_node_close(&local);
    erg_test_node_close(&src);
    return 0;
}
