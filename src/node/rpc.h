/* JSON-RPC over HTTP POST as bitcoind serves it: method table, auth cookie, batches, Core's error codes. */
#ifndef ERG_NODE_RPC_H
#define ERG_NODE_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/node/http.h"
#include "src/util/error.h"

/* Error codes, numerically identical to Bitcoin Core's (src/rpc/protocol.h): tools depend on them. */
typedef enum erg_rpc_code {
    /* JSON-RPC 2.0 standard codes */
    ERG_RPC_INVALID_REQUEST = -32600,
    ERG_RPC_METHOD_NOT_FOUND = -32601,
    ERG_RPC_INVALID_PARAMS = -32602,
    ERG_RPC_INTERNAL_ERROR = -32603,
    ERG_RPC_PARSE_ERROR = -32700,
    /* general application errors */
    ERG_RPC_MISC_ERROR = -1,
    ERG_RPC_TYPE_ERROR = -3,
    ERG_RPC_INVALID_ADDRESS_OR_KEY = -5,
    ERG_RPC_OUT_OF_MEMORY = -7,
    ERG_RPC_INVALID_PARAMETER = -8,
    ERG_RPC_DATABASE_ERROR = -20,
    ERG_RPC_DESERIALIZATION_ERROR = -22,
    ERG_RPC_VERIFY_ERROR = -25,
    ERG_RPC_VERIFY_REJECTED = -26,
    ERG_RPC_VERIFY_ALREADY_IN_CHAIN = -27,
    ERG_RPC_IN_WARMUP = -28,
    ERG_RPC_METHOD_DEPRECATED = -32,
    /* P2P client errors */
    ERG_RPC_CLIENT_NOT_CONNECTED = -9,
    ERG_RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
    ERG_RPC_CLIENT_NODE_ALREADY_ADDED = -23,
    ERG_RPC_CLIENT_NODE_NOT_ADDED = -24,
    ERG_RPC_CLIENT_NODE_NOT_CONNECTED = -29,
    ERG_RPC_CLIENT_INVALID_IP_OR_SUBNET = -30,
    ERG_RPC_CLIENT_P2P_DISABLED = -31,
    ERG_RPC_CLIENT_NODE_CAPACITY_REACHED = -34,
    /* wallet errors */
    ERG_RPC_WALLET_ERROR = -4,
    ERG_RPC_WALLET_INSUFFICIENT_FUNDS = -6,
    ERG_RPC_WALLET_INVALID_LABEL_NAME = -11,
    ERG_RPC_WALLET_KEYPOOL_RAN_OUT = -12,
    ERG_RPC_WALLET_UNLOCK_NEEDED = -13,
    ERG_RPC_WALLET_PASSPHRASE_INCORRECT = -14,
    ERG_RPC_WALLET_WRONG_ENC_STATE = -15,
    ERG_RPC_WALLET_ENCRYPTION_FAILED = -16,
    ERG_RPC_WALLET_ALREADY_UNLOCKED = -17,
    ERG_RPC_WALLET_NOT_FOUND = -18,
    ERG_RPC_WALLET_NOT_SPECIFIED = -19
} erg_rpc_code;

#define ERG_RPC_MSG_MAX 1024

/* An RPC error as a handler reports it; code 0 means none. */
typedef struct erg_rpc_error {
    int code;                      /* an erg_rpc_code, 0 while no error */
    char message[ERG_RPC_MSG_MAX]; /* NUL-terminated */
} erg_rpc_error;

/* Record an error and return NULL, so a handler can write `return erg_rpc_fail(e, ...);`. */
json_t *erg_rpc_fail(erg_rpc_error *e, int code, const char *fmt, ...) ERG_PRINTF(3, 4);

/* Declared argument types. NULL is accepted for an optional argument and means "default". */
typedef enum erg_rpc_type {
    ERG_RPC_ANY = 0, /* no check */
    ERG_RPC_STR,     /* JSON string */
    ERG_RPC_NUM,     /* integer or real */
    ERG_RPC_INT,     /* integer */
    ERG_RPC_BOOL,
    ERG_RPC_OBJ,
    ERG_RPC_ARR
} erg_rpc_type;

typedef struct erg_rpc_arg {
    const char *name;     /* for named parameters and help */
    erg_rpc_type type;
    int optional;         /* 0: required */
    const char *def;      /* shown in help as default=...; NULL for none */
    const char *desc;     /* one line */
} erg_rpc_arg;

typedef struct erg_rpc_server erg_rpc_server;
typedef struct erg_rpc_method erg_rpc_method;

/*
 * What a handler sees. `params` is always an array, in the declared argument order (named
 * parameters already placed), no longer than the method's argument list, with JSON null for
 * an omitted argument; declared types have been checked. Borrowed: do not decref.
 */
typedef struct erg_rpc_call {
    erg_rpc_server *rpc;
    const erg_rpc_method *method;
    json_t *params;
    const char *peer; /* "127.0.0.1:5555", or "" for in-process calls */
    const char *user; /* authenticated user name, "" for in-process calls */
    void *ctx;        /* the method's ctx */
} erg_rpc_call;

/* Return a new reference (json_null() when there is nothing to say), or NULL after erg_rpc_fail. */
typedef json_t *(*erg_rpc_fn)(const erg_rpc_call *call, erg_rpc_error *e);

/* A method. The struct is copied at registration; its strings and arg array must outlive the server. */
struct erg_rpc_method {
    const char *category;      /* "control", "blockchain", ... ("hidden" is left out of help) */
    const char *name;          /* lowercase, [a-z0-9_] */
    erg_rpc_fn fn;
    void *ctx;
    const erg_rpc_arg *args;   /* n_args entries */
    size_t n_args;
    const char *description;   /* paragraph(s) shown by help <name> */
    const char *result;        /* "Result:" section text, or NULL */
    int ok_in_warmup;          /* may run while the node is still starting */
};

/* Invoked by the `stop` method; should only request shutdown (set a flag, wake the main loop). */
typedef void (*erg_rpc_stop_fn)(void *ctx);

typedef struct erg_rpc_config {
    const char *cookie_dir;  /* write <dir>/.cookie at create, delete at destroy; NULL for none */
    const char *user;        /* -rpcuser / -rpcpassword: optional extra credentials (user may be empty) */
    const char *password;
    unsigned auth_fail_delay_ms; /* sleep before a 401 to slow brute force (bitcoind: 250) */
    erg_rpc_stop_fn on_stop;
    void *stop_ctx;
} erg_rpc_config;

void erg_rpc_config_default(erg_rpc_config *cfg);

/*
 * Create the dispatcher with the built-in methods (help, uptime, stop, getrpcinfo) and write
 * a fresh cookie (mode 0600, replacing any old one) when cookie_dir is set. Fails when no
 * credential would exist (no cookie_dir and no password).
 */
erg_code erg_rpc_create(const erg_rpc_config *cfg, erg_rpc_server **out, erg_err *err) ERG_WARN_UNUSED;
/* Remove the cookie and free. Detach from (or destroy) the HTTP server first. NULL is a no-op. */
void erg_rpc_destroy(erg_rpc_server *rpc);

/* Add a method; fails on a duplicate or malformed name. Safe while serving. */
erg_code erg_rpc_register(erg_rpc_server *rpc, const erg_rpc_method *m, erg_err *err) ERG_WARN_UNUSED;
/* Register every method of an array. */
erg_code erg_rpc_register_all(erg_rpc_server *rpc, const erg_rpc_method *m, size_t n, erg_err *err) ERG_WARN_UNUSED;
/* Register every method of an array with one ctx (a module's table of handlers on one object). */
erg_code erg_rpc_register_with_ctx(erg_rpc_server *rpc, const erg_rpc_method *m, size_t n, void *ctx,
                                   erg_err *err) ERG_WARN_UNUSED;

/* Serve JSON-RPC at "/" (exact path) of `http`. */
erg_code erg_rpc_attach(erg_rpc_server *rpc, erg_http_server *http, erg_err *err) ERG_WARN_UNUSED;
void erg_rpc_detach(erg_rpc_server *rpc, erg_http_server *http);

/* While a status is set, methods not marked ok_in_warmup fail with -28 and this message.
 * NULL ends warmup. */
void erg_rpc_set_warmup(erg_rpc_server *rpc, const char *status);

/* Path of the cookie file written at create ("" when none). */
const char *erg_rpc_cookie_path(const erg_rpc_server *rpc);

/* Call a method in-process, as the HTTP path would (warmup, named params, type checks).
 * params: array, object or NULL. Returns a new reference or NULL with *e filled. */
json_t *erg_rpc_execute(erg_rpc_server *rpc, const char *method, json_t *params, erg_rpc_error *e);

/*
 * The transport-independent core of one HTTP POST: parse `body`, run the single request or
 * batch, and produce the reply text (malloc'd, NULL for 204) and HTTP status exactly as
 * bitcoind does. Auth is not checked here.
 */
char *erg_rpc_process(erg_rpc_server *rpc, const char *body, size_t len, const char *peer, const char *user,
                      int *http_status);

/* Help text: the list by category (name NULL) or one method's full text. malloc'd. */
char *erg_rpc_help(erg_rpc_server *rpc, const char *name);

/* Small helpers for handlers: argument i as a C value, or `def` when omitted (null). */
/* Integer in [lo, hi]: ERG_OK, or ERG_ERR_RANGE with *e set to -3 (not an integer) or -8 (out of range). */
erg_code erg_rpc_arg_int(const erg_rpc_call *c, size_t i, int64_t lo, int64_t hi, int64_t def, int64_t *out,
                         erg_rpc_error *e) ERG_WARN_UNUSED;
/* The string, or def when omitted or not a string (declare ERG_RPC_STR to have the type checked). */
const char *erg_rpc_arg_str(const erg_rpc_call *c, size_t i, const char *def);
/* 1/0, or def when omitted or not a boolean. */
int erg_rpc_arg_bool(const erg_rpc_call *c, size_t i, int def);

#endif
