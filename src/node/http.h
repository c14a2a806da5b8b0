/* A small threaded HTTP/1.1 server: bound sockets, an allow list, path handlers, a bounded work queue. */
#ifndef ERG_NODE_HTTP_H
#define ERG_NODE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * The interface names no type of the library underneath (libevent's evhttp today), so the
 * server can be replaced without touching RPC, REST or the explorer.
 *
 * Threads: one event-loop thread owns every socket; N worker threads run the handlers.
 * A request is read completely by the loop thread (headers within max_header_bytes, body
 * within max_body_bytes), copied into an erg_http_request and queued. If the queue already
 * holds queue_depth requests the loop answers 503 at once, as bitcoind does. A worker calls
 * the handler, which must answer exactly once with erg_http_reply*(); a handler that returns
 * without answering yields a 500. The reply is written back by the loop thread.
 *
 * The embedding program must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)): a peer that hangs up
 * while its reply is written must not kill the process.
 */

typedef struct erg_http_server erg_http_server;
typedef struct erg_http_request erg_http_request;

typedef enum erg_http_method {
    ERG_HTTP_UNKNOWN = 0,
    ERG_HTTP_GET,
    ERG_HTTP_POST,
    ERG_HTTP_HEAD,
    ERG_HTTP_PUT,
    ERG_HTTP_DELETE,
    ERG_HTTP_OPTIONS
} erg_http_method;

/* Status codes the node uses (any 100..599 may be sent). */
enum {
    ERG_HTTP_OK = 200,
    ERG_HTTP_NO_CONTENT = 204,
    ERG_HTTP_BAD_REQUEST = 400,
    ERG_HTTP_UNAUTHORIZED = 401,
    ERG_HTTP_FORBIDDEN = 403,
    ERG_HTTP_NOT_FOUND = 404,
    ERG_HTTP_BAD_METHOD = 405,
    ERG_HTTP_PAYLOAD_TOO_LARGE = 413,
    ERG_HTTP_INTERNAL_ERROR = 500,
    ERG_HTTP_SERVICE_UNAVAILABLE = 503
};

#define ERG_HTTP_MAX_BINDS 8
#define ERG_HTTP_MAX_ALLOW 32
#define ERG_HTTP_DEFAULT_MAX_BODY (32u << 20)
#define ERG_HTTP_DEFAULT_MAX_HEADERS 8192u
#define ERG_HTTP_DEFAULT_TIMEOUT_S 30
#define ERG_HTTP_DEFAULT_WORKERS 4
#define ERG_HTTP_DEFAULT_QUEUE 16

/*
 * Server settings. Invariants (checked by erg_http_server_create): 1 <= n_bind <=
 * ERG_HTTP_MAX_BINDS, n_allow <= ERG_HTTP_MAX_ALLOW, every limit and count > 0.
 * The strings are read during create only.
 */
typedef struct erg_http_config {
    const char *bind[ERG_HTTP_MAX_BINDS];  /* numeric addresses to listen on */
    size_t n_bind;
    uint16_t port;                         /* 0: the first address gets an ephemeral port, the rest reuse it */
    const char *allow[ERG_HTTP_MAX_ALLOW]; /* "1.2.3.4", "10.0.0.0/8", "::1", "fd00::/8": peers outside get 403 */
    size_t n_allow;
    size_t max_body_bytes;                 /* larger bodies get 413 (at once when Content-Length says so) */
    size_t max_header_bytes;               /* larger request line + headers get 400 */
    int timeout_s;                         /* idle / slow-client read and write timeout */
    int n_workers;                         /* handler threads */
    int queue_depth;                       /* requests waiting for a worker before 503 */
} erg_http_config;

/* Defaults: 127.0.0.1 and ::1, port 0, loopback-only allow list, 32 MiB bodies, 8 KiB headers,
 * 30 s timeout, 4 workers, queue of 16 (bitcoind's -rpcthreads and -rpcworkqueue). */
void erg_http_config_default(erg_http_config *cfg);

/* Handlers run on a worker thread; they must answer `req` exactly once (erg_http_reply*). */
typedef void (*erg_http_handler)(erg_http_request *req, void *ctx);

typedef struct erg_http_stats {
    size_t queued;   /* requests waiting for a worker */
    size_t active;   /* requests a worker is running now */
    uint64_t served; /* requests handed to a handler since start */
    uint64_t rejected_busy; /* 503s because the queue was full */
} erg_http_stats;

/* Bind every configured address (an address that cannot be bound is logged and skipped; none
 * bound is an error). Nothing is served until erg_http_server_start. */
erg_code erg_http_server_create(const erg_http_config *cfg, erg_http_server **out, erg_err *err) ERG_WARN_UNUSED;
/* The TCP port every bound address listens on (the ephemeral one when config.port was 0). */
uint16_t erg_http_server_port(const erg_http_server *s);
/* Number of addresses actually bound. */
size_t erg_http_server_bound_count(const erg_http_server *s);

/*
 * Route requests whose path equals `prefix` (exact) or starts with it (!exact) to `fn`.
 * The longest matching prefix wins; unmatched paths get 404. `prefix` is copied.
 * Safe to call while the server runs.
 */
erg_code erg_http_handler_add(erg_http_server *s, const char *prefix, int exact, erg_http_handler fn, void *ctx,
                              erg_err *err) ERG_WARN_UNUSED;
/* Remove a route added with the same prefix and exact flag (no-op when absent). */
void erg_http_handler_remove(erg_http_server *s, const char *prefix, int exact);

/* Start the event-loop thread and the workers. */
erg_code erg_http_server_start(erg_http_server *s, erg_err *err) ERG_WARN_UNUSED;
/*
 * Stop taking work: listening sockets close, new requests on open connections get 503,
 * workers finish the request in hand and take no more. Returns at once; safe from any thread
 * (a handler included) and more than once.
 */
void erg_http_server_interrupt(erg_http_server *s);
/*
 * Interrupt, wait for the workers to finish the requests in hand, answer still-queued requests
 * with 503, give the replies up to 2 s to reach their clients, then close every connection and
 * join the loop. Must not be called from a handler. Idempotent.
 */
void erg_http_server_stop(erg_http_server *s);
/* Stop if running and free everything. NULL is a no-op. */
void erg_http_server_destroy(erg_http_server *s);
void erg_http_server_get_stats(erg_http_server *s, erg_http_stats *out);

/* --- Request accessors: valid in the handler until it replies. --- */
erg_http_method erg_http_req_method(const erg_http_request *req);
/* "GET", "POST", ... */
const char *erg_http_method_name(erg_http_method m);
/* The request target as sent ("/rest/block/ab.json?x=1"). */
const char *erg_http_req_uri(const erg_http_request *req);
/* Path part of the target, percent-escapes left as sent ("/rest/block/ab.json"). */
const char *erg_http_req_path(const erg_http_request *req);
/* The path after the route's prefix ("block/ab.json" for prefix "/rest/"). */
const char *erg_http_req_subpath(const erg_http_request *req);
/* Query string without '?', or "" */
const char *erg_http_req_query(const erg_http_request *req);
/* First header with this name (case-insensitive), or NULL. */
const char *erg_http_req_header(const erg_http_request *req, const char *name);
/* The body; NUL-terminated one byte past *len for convenience (the body itself may hold NULs). */
const uint8_t *erg_http_req_body(const erg_http_request *req, size_t *len);
/* "127.0.0.1:51234" or "[::1]:51234". */
const char *erg_http_req_peer(const erg_http_request *req);

/* Add a response header (before replying). Name and value are copied; CR/LF are refused. */
erg_code erg_http_req_add_header(erg_http_request *req, const char *name, const char *value, erg_err *err) ERG_WARN_UNUSED;
/* Answer with a copy of body[0..len). After this call `req` must not be touched. */
void erg_http_reply(erg_http_request *req, int status, const void *body, size_t len);
/* Answer with a malloc'd body whose ownership passes to the server (no copy). */
void erg_http_reply_take(erg_http_request *req, int status, char *body, size_t len);

/* Turn on libevent's pthread locking, once per process, before any event base is made: every
 * libevent user in the node (HTTP server, P2P network) calls it, so that other threads may
 * wake a loop with event_active(). */
erg_code erg_libevent_threads(erg_err *err) ERG_WARN_UNUSED;

#endif
