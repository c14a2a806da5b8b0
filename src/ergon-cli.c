/* ergon-cli: send one JSON-RPC command to ergond and print the result the way bitcoin-cli does. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ergon-config.h"
#include "src/util/httpclient.h"
#include "chain/params.h"
#include "src/node/rpc.h"
#include "src/util/buffer.h"

#define CLI_DEFAULT_HOST "127.0.0.1"
#define CLI_DEFAULT_TIMEOUT 900
#define CLI_MAX_ARGS 4096

/* Settings from the command line. Invariant: after parse_options, method is set and
 * args[0..n_args) are the command's raw argument strings. */
typedef struct cli_opts {
    erg_network net;
    const char *datadir;
    const char *connect;
    long port; /* -1: from -rpcconnect or the network default */
    const char *user;
    const char *password;
    const char *cookiefile;
    int wait;
    long wait_timeout; /* seconds, 0 = forever */
    long client_timeout;
    int named;
    int use_stdin;
    const char *method;
    char **args;
    size_t n_args;
} cli_opts;

static void usage(void)
{
    printf("Ergon RPC client version %s\n\n"
           "Usage:  ergon-cli [options] <command> [params]  Send command to Ergon node\n"
           "or:     ergon-cli [options] -named <command> [name=value]...  Send command with named arguments\n"
           "or:     ergon-cli [options] help                List commands\n"
           "or:     ergon-cli [options] help <command>      Get help for a command\n\n"
           "Options:\n"
           "  -?, -h, -help           Print this help message and exit\n"
           "  -version                Print version and exit\n"
           "  -datadir=<dir>          Data directory (default: ~/%s)\n"
           "  -testnet                Use the test network (RPC port %u, data in <datadir>/testnet)\n"
           "  -regtest                Use the regression test network (RPC port %u, data in <datadir>/regtest)\n"
           "  -rpcconnect=<ip>        Send commands to the node at <ip>[:port] (default: %s)\n"
           "  -rpcport=<port>         Connect to JSON-RPC on <port> (default: %u, testnet: %u, regtest: %u)\n"
           "  -rpcuser=<user>         Username for JSON-RPC connections\n"
           "  -rpcpassword=<pw>       Password for JSON-RPC connections (default: the cookie file)\n"
           "  -rpccookiefile=<file>   Location of the auth cookie (default: <datadir>/%s)\n"
           "  -rpcwait                Wait for the RPC server to start\n"
           "  -rpcwaittimeout=<n>     Timeout in seconds to wait for the RPC server (default: 0, no timeout)\n"
           "  -rpcclienttimeout=<n>   Timeout in seconds during HTTP requests, 0 for none (default: %d)\n"
           "  -named                  Pass named instead of positional arguments\n"
           "  -stdin                  Read extra arguments from standard input, one per line until EOF\n\n"
           "Arguments that parse as JSON are sent as JSON, everything else as strings.\n",
           PACKAGE_VERSION, ERG_DATADIR_NAME, (unsigned)erg_chain_params_get(ERG_NET_TEST)->rpc_port, (unsigned)erg_chain_params_get(ERG_NET_REGTEST)->rpc_port, CLI_DEFAULT_HOST,
           (unsigned)erg_chain_params_get(ERG_NET_MAIN)->rpc_port, (unsigned)erg_chain_params_get(ERG_NET_TEST)->rpc_port, (unsigned)erg_chain_params_get(ERG_NET_REGTEST)->rpc_port, ERG_COOKIE_NAME, CLI_DEFAULT_TIMEOUT);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static int parse_bool(const char *v)
{
    return !v || strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
}

/* Returns -1 to continue, else the exit status. */
static int parse_options(int argc, char **argv, cli_opts *o)
{
    int i, nets = 0;
    memset(o, 0, sizeof *o);
    o->port = -1;
    o->client_timeout = CLI_DEFAULT_TIMEOUT;
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        char name[64];
        const char *a = argv[i] + 1, *eq, *val;
        size_t nl;
        if (*a == '-') a++;
        eq = strchr(a, '=');
        nl = eq ? (size_t)(eq - a) : strlen(a);
        val = eq ? eq + 1 : NULL;
        if (nl >= sizeof name) nl = sizeof name - 1;
        memcpy(name, a, nl);
        name[nl] = '\0';
        if (!strcmp(name, "?") || !strcmp(name, "h") || !strcmp(name, "help")) {
            usage();
            return 0;
        } else if (!strcmp(name, "version")) {
            printf("Ergon RPC client version %s\n", PACKAGE_VERSION);
            return 0;
        } else if (!strcmp(name, "testnet")) {
            if (parse_bool(val)) o->net = ERG_NET_TEST, nets++;
        } else if (!strcmp(name, "regtest")) {
            if (parse_bool(val)) o->net = ERG_NET_REGTEST, nets++;
        } else if (!strcmp(name, "datadir") && val) {
            o->datadir = val;
        } else if (!strcmp(name, "rpcconnect") && val) {
            o->connect = val;
        } else if (!strcmp(name, "rpcport") && val) {
            if (!parse_long(val, 1, 65535, &o->port)) {
                fprintf(stderr, "Error: Invalid port specified in -rpcport: '%s'\n", val);
                return 1;
            }
        } else if (!strcmp(name, "rpcuser") && val) {
            o->user = val;
        } else if (!strcmp(name, "rpcpassword") && val) {
            o->password = val;
        } else if (!strcmp(name, "rpccookiefile") && val) {
            o->cookiefile = val;
        } else if (!strcmp(name, "rpcwait")) {
            o->wait = parse_bool(val);
        } else if (!strcmp(name, "rpcwaittimeout") && val) {
            if (!parse_long(val, 0, 100000000, &o->wait_timeout)) {
                fprintf(stderr, "Error: Invalid value for -rpcwaittimeout: '%s'\n", val);
                return 1;
            }
        } else if (!strcmp(name, "rpcclienttimeout") && val) {
            if (!parse_long(val, 0, 100000000, &o->client_timeout)) {
                fprintf(stderr, "Error: Invalid value for -rpcclienttimeout: '%s'\n", val);
                return 1;
            }
        } else if (!strcmp(name, "named")) {
            o->named = parse_bool(val);
        } else if (!strcmp(name, "stdin")) {
            o->use_stdin = parse_bool(val);
        } else {
            fprintf(stderr, "Error parsing command line arguments: Invalid parameter %s\n", argv[i]);
            return 1;
        }
    }
    if (nets > 1) {
        fprintf(stderr, "Error: Invalid combination of -regtest and -testnet.\n");
        return 1;
    }
    if (i >= argc) {
        fprintf(stderr, "error: too few parameters (need at least command)\n");
        return 1;
    }
    o->method = argv[i];
    o->args = argv + i + 1;
    o->n_args = (size_t)(argc - i - 1);
    return -1;
}

/* A command-line argument as JSON: the value it spells when it is valid JSON, else a string. */
static json_t *arg_value(const char *s)
{
    json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(s);
}

static json_t *build_params(const cli_opts *o, char **args, size_t n)
{
    json_t *p = o->named ? json_object() : json_array();
    size_t i;
    if (!p) return NULL;
    for (i = 0; i < n; i++) {
        json_t *v;
        if (o->named) {
            const char *eq = strchr(args[i], '=');
            char key[256];
            size_t kl;
            if (!eq || eq == args[i] || (size_t)(eq - args[i]) >= sizeof key) {
                fprintf(stderr, "error: -named arguments must be name=value, got '%s'\n", args[i]);
                json_decref(p);
                return NULL;
            }
            kl = (size_t)(eq - args[i]);
            memcpy(key, args[i], kl);
            key[kl] = '\0';
            v = arg_value(eq + 1);
            if (!v || json_object_set_new(p, key, v) != 0) {
                fprintf(stderr, "error: argument '%s' is not valid UTF-8\n", args[i]);
                json_decref(p);
                return NULL;
            }
        } else {
            v = arg_value(args[i]);
            if (!v || json_array_append_new(p, v) != 0) {
                fprintf(stderr, "error: argument '%s' is not valid UTF-8\n", args[i]);
                json_decref(p);
                return NULL;
            }
        }
    }
    return p;
}

/* Read the cookie into out ("__cookie__:hex"); 0 when there is none. */
static int read_cookie(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f) return 0;
    n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = '\0';
    return n > 0 && strchr(out, ':') != NULL;
}

/* Split "-rpcconnect" into host and optional port: "1.2.3.4", "1.2.3.4:5", "::1", "[::1]:5". */
static int split_host(const char *s, char *host, size_t cap, long *port)
{
    const char *colon = strrchr(s, ':');
    size_t hl;
    *port = -1;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb) return 0;
        hl = (size_t)(rb - s - 1);
        if (hl >= cap) return 0;
        memcpy(host, s + 1, hl);
        host[hl] = '\0';
        if (rb[1] == ':') return parse_long(rb + 2, 1, 65535, port);
        return rb[1] == '\0';
    }
    if (colon && strchr(s, ':') == colon) {
        hl = (size_t)(colon - s);
        if (hl >= cap) return 0;
        memcpy(host, s, hl);
        host[hl] = '\0';
        return parse_long(colon + 1, 1, 65535, port);
    }
    if (strlen(s) >= cap) return 0;
    strcpy(host, s);
    return 1;
}

typedef enum { CALL_OK, CALL_CONNECT, CALL_FAIL } call_result;

/* One exchange. On CALL_OK *reply holds the parsed reply object; otherwise msg says why. */
static call_result call_once(const erg_http_client_req *rq, int no_cookie, json_t **reply, char *msg, size_t cap)
{
    erg_http_response resp;
    erg_err err;
    json_t *r;
    *reply = NULL;
    if (erg_http_fetch(rq, &resp, &err) != ERG_OK) {
        if (err.code == ERG_ERR_IO) {
            snprintf(msg, cap,
                     "Could not connect to the server %s:%u (%s)\n\n"
                     "Make sure the ergond server is running and that you are connecting to the correct RPC port.\n"
                     "Use \"ergon-cli -help\" for more info.",
                     rq->host, (unsigned)rq->port, err.reason);
            return CALL_CONNECT;
        }
        snprintf(msg, cap, "%s", err.reason);
        return CALL_FAIL;
    }
    if (resp.status == 401) {
        if (no_cookie)
            snprintf(msg, cap, "Could not locate RPC credentials. No authentication cookie could be found, and RPC "
                               "password is not set.  See -rpcpassword and -rpccookiefile.");
        else
            snprintf(msg, cap, "Authorization failed: Incorrect rpcuser or rpcpassword");
    } else if (resp.status == 503) {
        snprintf(msg, cap, "Server response: %s", resp.body);
    } else if (resp.status >= 400 && resp.status != 400 && resp.status != 404 && resp.status != 500) {
        snprintf(msg, cap, "server returned HTTP error %d", resp.status);
    } else if (resp.body_len == 0) {
        snprintf(msg, cap, "no response from server");
    } else if (!(r = json_loadb(resp.body, resp.body_len, 0, NULL))) {
        snprintf(msg, cap, "couldn't parse reply from server");
    } else if (!json_is_object(r) || !json_object_get(r, "id") ||
               (!json_object_get(r, "result") && !json_object_get(r, "error"))) {
        json_decref(r);
        snprintf(msg, cap, "expected reply to have result, error and id properties");
    } else {
        erg_http_response_free(&resp);
        *reply = r;
        return CALL_OK;
    }
    erg_http_response_free(&resp);
    return CALL_FAIL;
}

static int in_warmup(const json_t *reply)
{
    json_t *e = json_object_get(reply, "error");
    return json_is_object(e) && json_integer_value(json_object_get(e, "code")) == ERG_RPC_IN_WARMUP;
}

/* Extra arguments from standard input, one per line, appended to the command line's. */
static char **read_stdin_args(char **args, size_t n, size_t *out_n)
{
    char **all = malloc((n + 1) * sizeof *all), *line = NULL;
    size_t cap = n + 1, lcap = 0, k = n;
    ssize_t len;
    if (!all) return NULL;
    memcpy(all, args, n * sizeof *all);
    while ((len = getline(&line, &lcap, stdin)) >= 0) {
        if (len && line[len - 1] == '\n') line[--len] = '\0';
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        if (k + 1 >= cap) {
            char **g;
            if (cap >= CLI_MAX_ARGS) break;
            g = realloc(all, 2 * cap * sizeof *g);
            if (!g) break;
            all = g;
            cap *= 2;
        }
        all[k++] = line;
        line = NULL;
        lcap = 0;
    }
    free(line);
    *out_n = k;
    return all;
}

int main(int argc, char **argv)
{
    cli_opts o;
    char base[PATH_MAX], dir[PATH_MAX], cookie_path[PATH_MAX + 16], host[256], secret[1024], msg[2048];
    const char *cred = NULL;
    int rc, no_cookie = 0;
    long port;
    erg_err err;
    erg_http_client_req rq;
    json_t *params, *request, *reply = NULL;
    char *body, **args;
    size_t n_args;
    time_t wait_start = time(NULL);
    call_result cr;

    if ((rc = parse_options(argc, argv, &o)) >= 0) return rc;
    if (o.datadir) {
        struct stat st;
        if (stat(o.datadir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "Error: Specified data directory \"%s\" does not exist.\n", o.datadir);
            return 1;
        }
        snprintf(base, sizeof base, "%s", o.datadir);
    } else if (erg_chain_default_datadir(base, sizeof base, &err) != ERG_OK) {
        fprintf(stderr, "Error: %s\n", err.reason);
        return 1;
    }
    if (erg_chain_datadir(base, o.net, dir, sizeof dir, &err) != ERG_OK) {
        fprintf(stderr, "Error: %s\n", err.reason);
        return 1;
    }
    if (!split_host(o.connect ? o.connect : CLI_DEFAULT_HOST, host, sizeof host, &port)) {
        fprintf(stderr, "Error: Invalid -rpcconnect address '%s'\n", o.connect);
        return 1;
    }
    if (o.port > 0) port = o.port;
    if (port < 0) port = erg_chain_params_get(o.net)->rpc_port;

    if (o.password) {
        snprintf(secret, sizeof secret, "%s:%s", o.user ? o.user : "", o.password);
        cred = secret;
    } else {
        if (o.cookiefile) snprintf(cookie_path, sizeof cookie_path, "%s", o.cookiefile);
        else snprintf(cookie_path, sizeof cookie_path, "%s/%s", dir, ERG_COOKIE_NAME);
        if (read_cookie(cookie_path, secret, sizeof secret)) {
            cred = secret;
        } else {
            /* Send empty credentials anyway: the server's 401 then explains what is missing. */
            no_cookie = 1;
            cred = ":";
        }
    }

    args = o.args;
    n_args = o.n_args;
    if (o.use_stdin && !(args = read_stdin_args(o.args, o.n_args, &n_args))) {
        fprintf(stderr, "error: out of memory reading standard input\n");
        return 1;
    }
    params = build_params(&o, args, n_args);
    if (args != o.args) {
        size_t i;
        for (i = o.n_args; i < n_args; i++) free(args[i]);
        free(args);
    }
    if (!params) return 1;
    request = json_pack("{s:s,s:o,s:i}", "method", o.method, "params", params, "id", 1);
    body = request ? json_dumps(request, JSON_COMPACT) : NULL;
    json_decref(request);
    if (!body) {
        fprintf(stderr, "error: cannot encode the request (method name not valid UTF-8?)\n");
        return 1;
    }

    memset(&rq, 0, sizeof rq);
    rq.host = host;
    rq.port = (uint16_t)port;
    rq.method = "POST";
    rq.path = "/";
    rq.basic_auth = cred;
    rq.content_type = "application/json";
    rq.body = body;
    rq.body_len = strlen(body);
    rq.timeout_s = (int)o.client_timeout;
    for (;;) {
        cr = call_once(&rq, no_cookie, &reply, msg, sizeof msg);
        if (!o.wait) break;
        if (cr == CALL_OK && !in_warmup(reply)) break;
        if (cr == CALL_FAIL) break;
        if (o.wait_timeout > 0 && time(NULL) - wait_start >= o.wait_timeout) {
            if (cr == CALL_CONNECT) {
                char first[sizeof msg];
                memcpy(first, msg, sizeof first);
                snprintf(msg, sizeof msg, "timeout on transient error: %.1900s", first);
            }
            break;
        }
        json_decref(reply);
        reply = NULL;
        sleep(1);
        /* The node writes a new cookie when it starts: read it again. */
        if (!o.password && read_cookie(cookie_path, secret, sizeof secret)) {
            cred = secret;
            rq.basic_auth = cred;
            no_cookie = 0;
        }
    }
    free(body);
    if (cr != CALL_OK) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
    }
    {
        json_t *result = json_object_get(reply, "result"), *error = json_object_get(reply, "error");
        if (error && !json_is_null(error)) {
            json_t *code = json_object_get(error, "code"), *m = json_object_get(error, "message");
            long long c = json_is_integer(code) ? (long long)json_integer_value(code) : 1;
            if (json_is_object(error)) {
                if (code) fprintf(stderr, "error code: %lld\n", c);
                if (json_is_string(m)) fprintf(stderr, "error message:\n%s\n", json_string_value(m));
            } else {
                char *t = json_dumps(error, JSON_ENCODE_ANY);
                fprintf(stderr, "error: %s\n", t ? t : "?");
                free(t);
            }
            /* bitcoin-cli exits with |code|; kept within 1..255 so no error reads as success. */
            rc = c < 0 ? (int)(c >= -255 ? -c : 1) : (c >= 1 && c <= 255 ? (int)c : 1);
        } else if (result && !json_is_null(result)) {
            if (json_is_string(result)) {
                printf("%s\n", json_string_value(result));
            } else {
                char *t = json_dumps(result, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
                printf("%s\n", t ? t : "");
                free(t);
            }
            rc = 0;
        } else {
            rc = 0;
        }
    }
    json_decref(reply);
    erg_memzero(secret, sizeof secret);
    return rc;
}
