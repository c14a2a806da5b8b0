/* Test-only RPC server (no chain): the real HTTP and RPC modules with a few methods, for CLI tests. */
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/node/rpc.h"
#include "src/util/log.h"
#include "test/unit/rpc_testutil.h"

static atomic_int g_stop;

static void request_stop(void *ctx)
{
    (void)ctx;
    g_stop = 1;
}

/* The first argument as it came: shows how the CLI typed and prints each kind of value. */
static json_t *m_echo(const erg_rpc_call *c, erg_rpc_error *e)
{
    (void)e;
    return json_incref(json_array_get(c->params, 0));
}

static const erg_rpc_arg echo_args[] = {{"value", ERG_RPC_ANY, 1, NULL, "returned as is"}};
static const erg_rpc_arg echoargs_args[] = {{"a", ERG_RPC_ANY, 1, NULL, "first"},
                                            {"b", ERG_RPC_ANY, 1, NULL, "second"},
                                            {"c", ERG_RPC_ANY, 1, NULL, "third"}};
static const erg_rpc_method methods[] = {
    {"test", "echo", m_echo, NULL, echo_args, 1, "Return the argument.", NULL, 0},
    {"test", "echoargs", erg_test_rpc_echo_params, NULL, echoargs_args, 3, "Return all arguments as an array.",
     NULL, 0},
    {"test", "fail", erg_test_rpc_fail, NULL, erg_test_rpc_fail_args, 2, "Fail with the given code and message.",
     NULL, 0},
};

int main(int argc, char **argv)
{
    erg_rpc_config rc;
    erg_http_config hc;
    erg_rpc_server *rpc = NULL;
    erg_http_server *http = NULL;
    erg_err err;
    sigset_t set;
    long port = 0;
    const char *warmup = NULL;
    int i;
    erg_rpc_config_default(&rc);
    erg_http_config_default(&hc);
    rc.on_stop = request_stop;
    rc.auth_fail_delay_ms = 10;
    for (i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "-datadir=", 9)) rc.cookie_dir = argv[i] + 9;
        else if (!strncmp(argv[i], "-port=", 6)) port = strtol(argv[i] + 6, NULL, 10);
        else if (!strncmp(argv[i], "-rpcuser=", 9)) rc.user = argv[i] + 9;
        else if (!strncmp(argv[i], "-rpcpassword=", 13)) rc.password = argv[i] + 13;
        else if (!strncmp(argv[i], "-warmup=", 8)) warmup = argv[i] + 8;
        else {
            fprintf(stderr, "usage: rpc_testserver -datadir=DIR [-port=N] [-rpcuser=U -rpcpassword=P] [-warmup=TEXT]\n");
            return 2;
        }
    }
    if (port < 0 || port > 65535) return 2;
    hc.port = (uint16_t)port;
    signal(SIGPIPE, SIG_IGN);
    /* Signals are taken by sigtimedwait below, never by the server's threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    erg_log_set_level(ERG_LOG_WARN);
    if (erg_test_rpc_serve(&rc, &hc, methods, sizeof methods / sizeof methods[0], &rpc, &http, &err) != ERG_OK) {
        fprintf(stderr, "rpc_testserver: %s\n", err.reason);
        return 1;
    }
    if (warmup) erg_rpc_set_warmup(rpc, warmup);
    printf("port %u\n", (unsigned)erg_http_server_port(http));
    fflush(stdout);
    while (!g_stop) {
        struct timespec ts = {0, 50 * 1000000L};
        if (sigtimedwait(&set, NULL, &ts) > 0) g_stop = 1;
    }
    erg_http_server_destroy(http);
    erg_rpc_destroy(rpc);
    return 0;
}
