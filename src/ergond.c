/* ergond: the Ergon full node (chain, mempool, miner, JSON-RPC server). */
#include "ergon-config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "kernels/engine.h"
#include "src/crypto/address.h"
#include "src/node/http.h"
#include "src/node/miner.h"
#include "src/node/node.h"
#include "src/node/rpc.h"
#include "src/node/rpc_chain.h"
#include "src/node/rpc_net.h"
#include "src/node/net.h"
#include "src/util/amount.h"
#include "src/util/log.h"

#define MAX_OPTS 64

typedef struct opt {
    char name[64];
    char value[1024];
} opt;

/* Options from the command line (first) and the config file; the first setting wins. */
typedef struct opts {
    opt v[MAX_OPTS];
    size_t n;
} opts;

static volatile sig_atomic_t g_signal;

static void on_signal(int sig)
{
    g_signal = sig;
}

static void request_stop(void *ctx)
{
    ((erg_node *)ctx)->shutdown = 1;
}

static const char *get(const opts *o, const char *name)
{
    size_t i;
    for (i = 0; i < o->n; i++)
        if (strcmp(o->v[i].name, name) == 0) return o->v[i].value;
    return NULL;
}

static int flag(const opts *o, const char *name)
{
    const char *v = get(o, name);
    return v && strcmp(v, "0") != 0;
}

/* Every value of a repeatable option (-connect, -addnode), command line first. */
static size_t get_all(const opts *o, const char *name, const char **out, size_t cap)
{
    size_t i, k = 0;
    for (i = 0; i < o->n && k < cap; i++)
        if (strcmp(o->v[i].name, name) == 0) out[k++] = o->v[i].value;
    return k;
}

static int add_opt(opts *o, const char *arg, int from_file)
{
    const char *eq = strchr(arg, '=');
    size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);
    if (!from_file) {
        if (arg[0] != '-') return 0;
        arg++;
        nl--;
        if (arg[0] == '-') { /* accept --name too */
            arg++;
            nl--;
        }
    }
    if (nl == 0 || nl >= sizeof o->v[0].name || o->n == MAX_OPTS) return 0;
    if (eq && strlen(eq + 1) >= sizeof o->v[0].value) return 0;
    memcpy(o->v[o->n].name, arg, nl);
    o->v[o->n].name[nl] = 0;
    snprintf(o->v[o->n].value, sizeof o->v[o->n].value, "%s", eq ? eq + 1 : "1");
    o->n++;
    return 1;
}

static const char *const g_known[] = {
    "datadir", "conf", "regtest", "testnet", "rpcport", "rpcuser", "rpcpassword", "rpcbind", "rpcallowip",
    "rpcthreads", "rpcworkqueue", "port", "listen", "mine", "payout", "minebatch", "mineinterval", "backend",
    "devices", "debug", "loglevel", "printtoconsole", "maxmempool", "minrelaytxfee", "help", "version", "bind", "connect",
    "addnode", "maxconnections", "bantime", "blockstalltimeout", NULL};

static int known(const char *name)
{
    size_t i;
    for (i = 0; g_known[i]; i++)
        if (strcmp(g_known[i], name) == 0) return 1;
    return 0;
}

static int read_conf(opts *o, const char *path, int required)
{
    FILE *f = fopen(path, "r");
    char line[1200];
    int lineno = 0;
    if (!f) {
        if (required) fprintf(stderr, "Error: cannot read config file %s: %s\n", path, strerror(errno));
        return !required;
    }
    while (fgets(line, sizeof line, f)) {
        char *s = line, *e;
        lineno++;
        while (*s == ' ' || *s == '\t') s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
        if (*s == 0 || *s == '#' || *s == '[') continue;
        if (!add_opt(o, s, 1) || !known(o->v[o->n - 1].name)) {
            fprintf(stderr, "Error: %s:%d: invalid or unknown setting '%s'\n", path, lineno, s);
            fclose(f);
            return 0;
        }
    }
    fclose(f);
    return 1;
}

static void usage(void)
{
    printf("Usage: ergond [options]\n\n"
           "  -datadir=DIR        data directory (default ~/.ergon)\n"
           "  -conf=FILE          config file (default DATADIR/ergon.conf)\n"
           "  -regtest | -testnet choose the network (default main)\n"
           "  -rpcport=N          JSON-RPC port (main 9332, test 19332, regtest 19443)\n"
           "  -rpcuser=U -rpcpassword=P  extra RPC credentials (a cookie is always written)\n"
           "  -rpcthreads=N -rpcworkqueue=N  RPC workers and queue depth (503 when full)\n"
           "  -port=N             P2P port (main 9333, test 19333, regtest 19444)\n"
           "  -listen=0|1         accept inbound peers (default 1)\n"
           "  -bind=IP[:PORT]     listen on this address only (default: all, IPv6 and IPv4)\n"
           "  -connect=IP:PORT    connect only to these peers (repeatable; -connect=0: no automatic peers)\n"
           "  -addnode=IP:PORT    also keep a connection to this peer (repeatable)\n"
           "  -maxconnections=N   peer connections (default 125; 8 reserved for outbound)\n"
           "  -bantime=SECONDS    how long misbehaving peers stay banned (default 86400)\n"
           "  -blockstalltimeout=MS  re-request a block not delivered in time (regtest 5000, else 60000)\n"
           "  -mine -payout=ADDR  mine on every OpenCL device, paying ADDR\n"
           "  -minebatch=N        units per engine batch (default 1 on regtest, 64 otherwise)\n"
           "  -mineinterval=MS    pause after each block found (default 0)\n"
           "  -backend=auto|opencl|ref  compute backend (default auto)\n"
           "  -devices=LIST       OpenCL device selection (default all usable)\n"
           "  -maxmempool=MB      mempool size limit (default 300)\n"
           "  -minrelaytxfee=ERG  per kB (default 0.00001)\n"
           "  -loglevel=debug|info|warn|error  -printtoconsole=0|1\n"
           "  -version            print the version and exit\n");
}

static int make_dir(const char *p)
{
    if (mkdir(p, 0700) == 0 || errno == EEXIST) return 1;
    fprintf(stderr, "Error: cannot create directory %s: %s\n", p, strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    erg_network net = ERG_NET_MAIN;
    const erg_chain_params *cp;
    char base[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 64];
    erg_node node;
    erg_engine_opts eo;
    erg_rpc_config rc_cfg;
    erg_http_config hc;
    erg_rpc_server *rpc = NULL;
    erg_http_server *http = NULL;
    erg_err err;
    int i, lockfd, status = 1;
    uint64_t maxmempool = 300, minfee = 1000;
    memset(&o, 0, sizeof o);
    memset(&node, 0, sizeof node);
    for (i = 1; i < argc; i++) {
        if (!add_opt(&o, argv[i], 0) || !known(o.v[o.n - 1].name)) {
            fprintf(stderr, "Error: unknown or malformed option '%s' (see ergond -help)\n", argv[i]);
            return 1;
        }
    }
    if (flag(&o, "help")) {
        usage();
        return 0;
    }
    if (flag(&o, "version")) {
        printf("ergond %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (get(&o, "datadir")) {
        snprintf(base, sizeof base, "%s", get(&o, "datadir"));
    } else if (erg_chain_default_datadir(base, sizeof base, &err)) {
        fprintf(stderr, "Error: %s\n", err.reason);
        return 1;
    }
    if (!make_dir(base)) return 1;
    snprintf(path, sizeof path, "%s/ergon.conf", base);
    if (!read_conf(&o, get(&o, "conf") ? get(&o, "conf") : path, get(&o, "conf") != NULL)) return 1;
    if (flag(&o, "regtest") && flag(&o, "testnet")) {
        fprintf(stderr, "Error: -regtest and -testnet cannot be used together\n");
        return 1;
    }
    if (flag(&o, "regtest")) net = ERG_NET_REGTEST;
    if (flag(&o, "testnet")) net = ERG_NET_TEST;
    cp = erg_chain_params_get(net);
    if (erg_chain_datadir(base, net, dir, sizeof dir, &err)) {
        fprintf(stderr, "Error: %s\n", err.reason);
        return 1;
    }
    if (!make_dir(dir)) return 1;

    /* One node per data directory, as bitcoind's .lock. */
    snprintf(path, sizeof path, "%s/.lock", dir);
    lockfd = open(path, O_RDWR | O_CREAT, 0600);
    if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "Error: cannot lock data directory %s; ergond is probably already running.\n", dir);
        return 1;
    }

    {
        erg_log_level lvl = ERG_LOG_INFO;
        const char *l = get(&o, "loglevel");
        if (flag(&o, "debug")) lvl = ERG_LOG_DEBUG;
        if (l && erg_log_level_parse(l, &lvl, &err)) {
            fprintf(stderr, "Error: %s\n", err.reason);
            return 1;
        }
        erg_log_set_level(lvl);
        snprintf(path, sizeof path, "%s/debug.log", dir);
        if (erg_log_open_file(path, &err)) {
            fprintf(stderr, "Error: %s\n", err.reason);
            return 1;
        }
        erg_log_set_stderr(get(&o, "printtoconsole") ? flag(&o, "printtoconsole") : 1);
    }
    erg_log_info("init", "ergond %s starting on %s, data directory %s", PACKAGE_VERSION, cp->name, dir);

    if (get(&o, "maxmempool")) maxmempool = strtoull(get(&o, "maxmempool"), NULL, 10);
    if (get(&o, "minrelaytxfee") && erg_amount_parse(get(&o, "minrelaytxfee"), ERG_MAX_MONEY, &minfee, &err)) {
        erg_log_error("init", "-minrelaytxfee: %s", err.reason);
        return 1;
    }

    node.cp = cp;
    node.start_time = (int64_t)time(NULL);
    snprintf(path, sizeof path, "%s/chainstate", dir);
    if (erg_chainstate_open(&node.cs, cp, path, &err)) {
        erg_log_error("init", "cannot open the chain state: %s", err.reason);
        goto out;
    }
    {
        erg_block_info tip;
        erg_chainstate_tip(node.cs, &tip);
        erg_log_info("init", "chain tip at height %u", tip.header.height);
    }
    if (erg_mempool_create(&node.mp, node.cs, (size_t)maxmempool << 20, minfee, &err)) goto fail;
    {
        erg_chain_listener l = erg_mempool_listener(node.mp);
        if (erg_chainstate_add_listener(node.cs, &l, &err)) goto fail;
    }
    memset(&eo, 0, sizeof eo);
    eo.backend = ERG_BACKEND_AUTO;
    if (get(&o, "backend") && erg_backend_parse(get(&o, "backend"), &eo.backend, &err)) goto fail;
    eo.devices = get(&o, "devices");
    if (erg_engine_create(&node.eng, &eo, &err)) goto fail;
    erg_log_info("init", "compute engine: %s backend", erg_backend_name(erg_engine_backend(node.eng)));

    if (flag(&o, "mine")) {
        erg_pubkey payout;
        size_t batch = cp->net == ERG_NET_REGTEST ? 1 : 64;
        unsigned interval = 0;
        if (!get(&o, "payout")) {
            erg_log_error("init", "-mine needs -payout=ADDRESS");
            goto out;
        }
        if (erg_address_decode(net, get(&o, "payout"), &payout, &err)) {
            erg_log_error("init", "-payout: %s", err.reason);
            goto out;
        }
        if (get(&o, "minebatch")) batch = (size_t)strtoull(get(&o, "minebatch"), NULL, 10);
        if (get(&o, "mineinterval")) interval = (unsigned)strtoul(get(&o, "mineinterval"), NULL, 10);
        if (batch == 0 || batch > 65536) {
            erg_log_error("init", "-minebatch must be 1..65536");
            goto out;
        }
        if (erg_miner_create(&node.miner, node.cs, node.mp, node.eng, &payout, batch, interval, &err)) goto fail;
    }

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    /* The network starts before the RPC server, so no RPC ever sees it half set up. */
    {
        erg_net_config nc;
        const char *v;
        erg_net_config_default(&nc);
        nc.cp = cp;
        nc.cs = node.cs;
        nc.mp = node.mp;
        nc.datadir = dir;
        nc.listen = get(&o, "listen") ? flag(&o, "listen") : 1;
        nc.bind = get(&o, "bind");
        if ((v = get(&o, "port"))) {
            unsigned long p = strtoul(v, NULL, 10);
            if (p == 0 || p > 65535) {
                erg_log_error("init", "-port must be 1..65535");
                goto out;
            }
            nc.port = (uint16_t)p;
        }
        nc.nconnect = get_all(&o, "connect", nc.connect, ERG_NET_MAX_CONNECT);
        nc.connect_only = nc.nconnect > 0;
        nc.naddnode = get_all(&o, "addnode", nc.addnode, ERG_NET_MAX_CONNECT);
        if ((v = get(&o, "maxconnections"))) nc.max_connections = atoi(v);
        if ((v = get(&o, "bantime"))) nc.bantime = strtoll(v, NULL, 10);
        if ((v = get(&o, "blockstalltimeout"))) nc.stall_timeout_ms = (unsigned)strtoul(v, NULL, 10);
        if (erg_net_create(&node.net, &nc, &err)) goto fail;
        if (erg_net_start(node.net, &err)) goto fail;
    }

    erg_rpc_config_default(&rc_cfg);
    rc_cfg.cookie_dir = dir;
    rc_cfg.user = get(&o, "rpcuser");
    rc_cfg.password = get(&o, "rpcpassword");
    rc_cfg.on_stop = request_stop;
    rc_cfg.stop_ctx = &node;
    if (erg_rpc_create(&rc_cfg, &rpc, &err)) goto fail;
    if (erg_rpc_register_chain(rpc, &node, &err)) goto fail;
    if (erg_rpc_register_net(rpc, &node, &err)) goto fail;
    erg_http_config_default(&hc);
    hc.port = get(&o, "rpcport") ? (uint16_t)strtoul(get(&o, "rpcport"), NULL, 10) : cp->rpc_port;
    if (get(&o, "rpcthreads")) hc.n_workers = atoi(get(&o, "rpcthreads"));
    if (get(&o, "rpcworkqueue")) hc.queue_depth = atoi(get(&o, "rpcworkqueue"));
    if (erg_http_server_create(&hc, &http, &err)) goto fail;
    if (erg_rpc_attach(rpc, http, &err)) goto fail;
    if (erg_http_server_start(http, &err)) goto fail;
    erg_log_info("init", "JSON-RPC on 127.0.0.1:%u (cookie in %s/.cookie)", (unsigned)erg_http_server_port(http), dir);

    if (node.miner && erg_miner_start(node.miner, &err)) goto fail;
    erg_log_info("init", "done loading");
    while (!node.shutdown && !g_signal) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    erg_log_info("shutdown", "%s", g_signal ? "signal received" : "stop requested");
    status = 0;
    goto out;
fail:
    erg_log_error("init", "%s", err.reason);
out:
    node.shutdown = 1;
    if (node.miner) erg_miner_destroy(node.miner);
    erg_net_stop(node.net);
    if (http) erg_http_server_stop(http);
    if (rpc && http) erg_rpc_detach(rpc, http);
    erg_http_server_destroy(http);
    erg_rpc_destroy(rpc);
    erg_net_destroy(node.net);
    node.net = NULL;
    if (node.cs && node.mp) erg_chainstate_remove_listener(node.cs, node.mp);
    erg_mempool_destroy(node.mp);
    erg_engine_destroy(node.eng);
    erg_chainstate_close(node.cs);
    erg_log_info("shutdown", "done");
    erg_log_close();
    close(lockfd);
    return status;
}
