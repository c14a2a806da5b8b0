/* The HTTP server behind src/node/http.h, over libevent's evhttp (loop thread + worker pool). */
#include "src/node/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <event2/util.h>

#include "src/util/log.h"

/* How long stop() lets written replies drain to their clients before closing connections. */
#define ERG_HTTP_DRAIN_MS 2000

typedef struct erg_subnet {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network address, host bits cleared */
    int bits;         /* prefix length: 0..32 or 0..128 */
} erg_subnet;

typedef struct erg_http_route {
    char *prefix; /* owned */
    size_t len;   /* strlen(prefix) */
    int exact;
    erg_http_handler fn;
    void *ctx;
} erg_http_route;

typedef struct erg_http_header {
    char *name;  /* owned */
    char *value; /* owned */
} erg_http_header;

/* Outstanding replies on one connection: dispatched to us and not yet fully written. */
typedef struct erg_http_conn {
    struct evhttp_connection *evcon;
    size_t n;
} erg_http_conn;

/*
 * One request. Invariants: everything from `method` to `ctx` is filled by the loop thread
 * before the request is queued and never changes afterwards, so a worker reads it without
 * locks. `ev` is used by the loop thread only; a worker reaches the loop only through
 * event_active(reply_ev). After reply_ev fires the loop thread frees the request.
 */
struct erg_http_request {
    erg_http_server *srv;
    struct evhttp_request *ev; /* libevent's request (loop thread only) */
    struct event *reply_ev;    /* fires send_reply() in the loop thread */
    erg_http_method method;
    char *uri;                 /* owned: target as sent */
    char *path;                /* owned: target up to '?' or '#' */
    const char *subpath;       /* points into path */
    const char *query;         /* points into uri, "" when none */
    erg_http_header *in_h;     /* owned, n_in_h entries */
    size_t n_in_h;
    uint8_t *body;             /* owned, body_len bytes plus a NUL */
    size_t body_len;
    char peer[64];
    erg_http_handler fn;
    void *ctx;
    int *replied_flag;         /* the worker's "answered" flag, set by erg_http_reply* */
    int status;                /* reply */
    char *out_body;            /* owned until handed to libevent */
    size_t out_len;
    erg_http_header *out_h;    /* owned, n_out_h entries */
    size_t n_out_h;
    erg_http_request *next;    /* work-queue link */
};

/*
 * Invariants: `lock` guards routes, the queue, the counters and the flags. q_len counts the
 * list q_head..q_tail. `unreplied` counts requests queued or with a worker (their evhttp
 * request must stay alive, so evhttp_free waits for it to reach 0). `inflight` is the sum of
 * conns[].n: replies libevent is still writing. conns is touched by the loop thread only.
 */
struct erg_http_server {
    size_t max_body, max_headers;
    int timeout_s, n_workers, queue_depth;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *socks[ERG_HTTP_MAX_BINDS];
    size_t n_socks;
    uint16_t port;
    erg_subnet allow[ERG_HTTP_MAX_ALLOW];
    size_t n_allow;
    struct event *interrupt_ev; /* loop: close the listening sockets */
    struct event *shutdown_ev;  /* loop: free evhttp and leave the loop */

    pthread_mutex_t lock;
    pthread_cond_t work_cv; /* queue non-empty or workers told to stop */
    pthread_cond_t idle_cv; /* unreplied or inflight went down */
    erg_http_route *routes;
    size_t n_routes;
    erg_http_request *q_head, *q_tail;
    size_t q_len;
    size_t active;
    uint64_t served, rejected_busy;
    int running;     /* workers take work */
    int interrupted; /* new requests get 503 */
    size_t unreplied;
    size_t inflight;

    erg_http_conn *conns;
    size_t n_conns, cap_conns;

    pthread_t loop_thread;
    int loop_started;
    pthread_t *workers;
    int n_started;
    int stopped;
};

static pthread_once_t g_evthread_once = PTHREAD_ONCE_INIT;
static int g_evthread_ok;

static void evthread_init_once(void)
{
    g_evthread_ok = evthread_use_pthreads() == 0;
}

erg_code erg_libevent_threads(erg_err *err)
{
    pthread_once(&g_evthread_once, evthread_init_once);
    if (!g_evthread_ok) return erg_err_set(err, ERG_ERR_INTERNAL, "libevent has no pthreads support");
    return ERG_OK;
}

void erg_http_config_default(erg_http_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->bind[0] = "127.0.0.1";
    cfg->bind[1] = "::1";
    cfg->n_bind = 2;
    cfg->port = 0;
    cfg->allow[0] = "127.0.0.0/8";
    cfg->allow[1] = "::1";
    cfg->n_allow = 2;
    cfg->max_body_bytes = ERG_HTTP_DEFAULT_MAX_BODY;
    cfg->max_header_bytes = ERG_HTTP_DEFAULT_MAX_HEADERS;
    cfg->timeout_s = ERG_HTTP_DEFAULT_TIMEOUT_S;
    cfg->n_workers = ERG_HTTP_DEFAULT_WORKERS;
    cfg->queue_depth = ERG_HTTP_DEFAULT_QUEUE;
}

const char *erg_http_method_name(erg_http_method m)
{
    switch (m) {
    case ERG_HTTP_GET: return "GET";
    case ERG_HTTP_POST: return "POST";
    case ERG_HTTP_HEAD: return "HEAD";
    case ERG_HTTP_PUT: return "PUT";
    case ERG_HTTP_DELETE: return "DELETE";
    case ERG_HTTP_OPTIONS: return "OPTIONS";
    case ERG_HTTP_UNKNOWN: break;
    }
    return "unknown";
}

static const char *status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
    }
}

/* --- allow list --- */

static erg_code subnet_parse(const char *s, erg_subnet *out, erg_err *err)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t hl = slash ? (size_t)(slash - s) : strlen(s);
    int maxbits, i;
    if (hl == 0 || hl >= sizeof host) return erg_err_set(err, ERG_ERR_ARG, "http: bad allow entry '%s'", s);
    memcpy(host, s, hl);
    host[hl] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, host, out->addr) == 1) {
        out->family = AF_INET;
        maxbits = 32;
    } else if (inet_pton(AF_INET6, host, out->addr) == 1) {
        out->family = AF_INET6;
        maxbits = 128;
    } else {
        return erg_err_set(err, ERG_ERR_ARG, "http: allow entry '%s' is not a numeric IPv4 or IPv6 address", s);
    }
    out->bits = maxbits;
    if (slash) {
        char *end;
        long b;
        errno = 0;
        b = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || errno || b < 0 || b > maxbits)
            return erg_err_set(err, ERG_ERR_ARG, "http: allow entry '%s' has a bad prefix length (0..%d)", s, maxbits);
        out->bits = (int)b;
    }
    /* Clear host bits so that matching compares whole bytes and a partial one. */
    for (i = 0; i < maxbits / 8; i++) {
        int keep = out->bits - 8 * i;
        if (keep <= 0) out->addr[i] = 0;
        else if (keep < 8) out->addr[i] &= (uint8_t)(0xff << (8 - keep));
    }
    return ERG_OK;
}

static int subnet_match(const erg_subnet *n, int family, const uint8_t *addr)
{
    int i;
    if (n->family != family) return 0;
    for (i = 0; 8 * i < n->bits; i++) {
        int keep = n->bits - 8 * i;
        uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff << (8 - keep));
        if ((addr[i] & mask) != n->addr[i]) return 0;
    }
    return 1;
}

/* Fill peer text and say whether the address is on the allow list. */
static int peer_allowed(const erg_http_server *s, const struct sockaddr *sa, char *peer, size_t cap)
{
    uint8_t a[16];
    int family;
    size_t i;
    char host[INET6_ADDRSTRLEN];
    if (!sa) {
        snprintf(peer, cap, "unknown");
        return 0;
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(a, &in->sin_addr, 4);
        family = AF_INET;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(peer, cap, "%s:%u", host, (unsigned)ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(peer, cap, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
        if (memcmp(in6->sin6_addr.s6_addr, mapped, 12) == 0) {
            memcpy(a, in6->sin6_addr.s6_addr + 12, 4);
            family = AF_INET;
        } else {
            memcpy(a, in6->sin6_addr.s6_addr, 16);
            family = AF_INET6;
        }
    } else {
        snprintf(peer, cap, "unknown");
        return 0;
    }
    for (i = 0; i < s->n_allow; i++)
        if (subnet_match(&s->allow[i], family, a)) return 1;
    return 0;
}

/* --- connection tracking (loop thread) --- */

static erg_http_conn *conn_find(erg_http_server *s, struct evhttp_connection *c)
{
    size_t i;
    for (i = 0; i < s->n_conns; i++)
        if (s->conns[i].evcon == c) return &s->conns[i];
    return NULL;
}

static void conn_closed_cb(struct evhttp_connection *c, void *arg)
{
    erg_http_server *s = arg;
    erg_http_conn *e = conn_find(s, c);
    if (!e) return;
    pthread_mutex_lock(&s->lock);
    s->inflight -= e->n;
    pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->lock);
    *e = s->conns[--s->n_conns];
}

static void request_done_cb(struct evhttp_request *ev, void *arg)
{
    erg_http_server *s = arg;
    erg_http_conn *e = conn_find(s, evhttp_request_get_connection(ev));
    if (!e || e->n == 0) return;
    e->n--;
    pthread_mutex_lock(&s->lock);
    s->inflight--;
    pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->lock);
}

/* Count a request against its connection until libevent has written the reply (or the peer
 * has gone). Returns 0 when out of memory: the request is then answered untracked. */
static int conn_track(erg_http_server *s, struct evhttp_request *ev)
{
    struct evhttp_connection *c = evhttp_request_get_connection(ev);
    erg_http_conn *e;
    if (!c) return 0;
    e = conn_find(s, c);
    if (!e) {
        if (s->n_conns == s->cap_conns) {
            size_t cap = s->cap_conns ? 2 * s->cap_conns : 16;
            erg_http_conn *n = realloc(s->conns, cap * sizeof *n);
            if (!n) return 0;
            s->conns = n;
            s->cap_conns = cap;
        }
        e = &s->conns[s->n_conns++];
        e->evcon = c;
        e->n = 0;
        evhttp_connection_set_closecb(c, conn_closed_cb, s);
    }
    e->n++;
    evhttp_request_set_on_complete_cb(ev, request_done_cb, s);
    pthread_mutex_lock(&s->lock);
    s->inflight++;
    pthread_mutex_unlock(&s->lock);
    return 1;
}

/* --- replies (loop thread) --- */

static void send_text(struct evhttp_request *ev, int status, const char *text)
{
    struct evbuffer *buf = evbuffer_new();
    if (buf && text) evbuffer_add(buf, text, strlen(text));
    evhttp_add_header(evhttp_request_get_output_headers(ev), "Content-Type", "text/plain; charset=utf-8");
    evhttp_send_reply(ev, status, status_reason(status), buf);
    if (buf) evbuffer_free(buf);
}

static void free_headers(erg_http_header *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void request_free(erg_http_request *r)
{
    if (!r) return;
    if (r->reply_ev) event_free(r->reply_ev);
    free(r->uri);
    free(r->path);
    free_headers(r->in_h, r->n_in_h);
    free(r->body);
    free(r->out_body);
    free_headers(r->out_h, r->n_out_h);
    free(r);
}

static void body_cleanup(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

static void send_reply_cb(evutil_socket_t fd, short what, void *arg)
{
    erg_http_request *r = arg;
    erg_http_server *s = r->srv;
    struct evkeyvalq *oh = evhttp_request_get_output_headers(r->ev);
    struct evbuffer *buf = evbuffer_new();
    size_t i;
    (void)fd;
    (void)what;
    for (i = 0; i < r->n_out_h; i++) evhttp_add_header(oh, r->out_h[i].name, r->out_h[i].value);
    if (buf && r->out_len) {
        if (evbuffer_add_reference(buf, r->out_body, r->out_len, body_cleanup, NULL) == 0) r->out_body = NULL;
        else evbuffer_add(buf, r->out_body, r->out_len);
    }
    if (!buf && r->out_len) {
        r->status = 500;
        erg_log_error("http", "out of memory writing a reply to %s", r->peer);
    }
    /* Frees r->ev itself when the peer has already gone. */
    evhttp_send_reply(r->ev, r->status, status_reason(r->status), buf);
    if (buf) evbuffer_free(buf);
    request_free(r);
    pthread_mutex_lock(&s->lock);
    s->unreplied--;
    pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->lock);
}

/* --- dispatch (loop thread) --- */

static erg_http_method map_method(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET: return ERG_HTTP_GET;
    case EVHTTP_REQ_POST: return ERG_HTTP_POST;
    case EVHTTP_REQ_HEAD: return ERG_HTTP_HEAD;
    case EVHTTP_REQ_PUT: return ERG_HTTP_PUT;
    case EVHTTP_REQ_DELETE: return ERG_HTTP_DELETE;
    case EVHTTP_REQ_OPTIONS: return ERG_HTTP_OPTIONS;
    default: return ERG_HTTP_UNKNOWN;
    }
}

static char *dup_n(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* Longest matching route under s->lock; fills fn/ctx/subpath. */
static int route_find(erg_http_server *s, erg_http_request *r)
{
    size_t i, best_len = 0;
    int found = 0, best_exact = 0;
    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->n_routes; i++) {
        const erg_http_route *rt = &s->routes[i];
        int m = rt->exact ? strcmp(r->path, rt->prefix) == 0 : strncmp(r->path, rt->prefix, rt->len) == 0;
        if (!m) continue;
        if (!found || rt->len > best_len || (rt->len == best_len && rt->exact && !best_exact)) {
            found = 1;
            best_len = rt->len;
            best_exact = rt->exact;
            r->fn = rt->fn;
            r->ctx = rt->ctx;
            r->subpath = r->path + rt->len;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

static erg_http_request *request_build(erg_http_server *s, struct evhttp_request *ev, erg_http_method m,
                                       const char *peer)
{
    erg_http_request *r = calloc(1, sizeof *r);
    struct evkeyvalq *hq = evhttp_request_get_input_headers(ev);
    struct evkeyval *kv;
    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    const char *uri = evhttp_request_get_uri(ev);
    size_t n, plen;
    if (!r) return NULL;
    r->srv = s;
    r->ev = ev;
    r->method = m;
    snprintf(r->peer, sizeof r->peer, "%s", peer);
    r->uri = dup_n(uri ? uri : "", uri ? strlen(uri) : 0);
    if (!r->uri) goto fail;
    plen = strcspn(r->uri, "?#");
    r->path = dup_n(r->uri, plen);
    if (!r->path) goto fail;
    r->query = r->uri[plen] == '?' ? r->uri + plen + 1 : r->uri + plen;
    /* The query ends at a fragment; a fragment should never be sent, so it is kept as part of it. */
    for (n = 0, kv = hq ? hq->tqh_first : NULL; kv; kv = kv->next.tqe_next) n++;
    if (n) {
        r->in_h = calloc(n, sizeof *r->in_h);
        if (!r->in_h) goto fail;
        for (kv = hq->tqh_first; kv; kv = kv->next.tqe_next) {
            erg_http_header *h = &r->in_h[r->n_in_h];
            h->name = dup_n(kv->key, strlen(kv->key));
            h->value = dup_n(kv->value, strlen(kv->value));
            r->n_in_h++;
            if (!h->name || !h->value) goto fail;
        }
    }
    r->body_len = in ? evbuffer_get_length(in) : 0;
    r->body = malloc(r->body_len + 1);
    if (!r->body) goto fail;
    if (r->body_len && evbuffer_copyout(in, r->body, r->body_len) != (ev_ssize_t)r->body_len) goto fail;
    r->body[r->body_len] = 0;
    r->reply_ev = event_new(s->base, -1, 0, send_reply_cb, r);
    if (!r->reply_ev) goto fail;
    return r;
fail:
    r->ev = NULL;
    request_free(r);
    return NULL;
}

static void dispatch_cb(struct evhttp_request *ev, void *arg)
{
    erg_http_server *s = arg;
    struct evhttp_connection *c = evhttp_request_get_connection(ev);
    const struct sockaddr *sa = c ? evhttp_connection_get_addr(c) : NULL;
    char peer[64];
    erg_http_method m = map_method(evhttp_request_get_command(ev));
    erg_http_request *r;
    int interrupted, full = 0;

    conn_track(s, ev);
    pthread_mutex_lock(&s->lock);
    interrupted = s->interrupted;
    pthread_mutex_unlock(&s->lock);
    if (interrupted) {
        send_text(ev, 503, "Server shutting down\n");
        return;
    }
    if (!peer_allowed(s, sa, peer, sizeof peer)) {
        erg_log_warn("http", "request from %s refused: not on the allow list", peer);
        send_text(ev, 403, "Forbidden\n");
        return;
    }
    if (m == ERG_HTTP_UNKNOWN) {
        send_text(ev, 405, "Method not allowed\n");
        return;
    }
    r = request_build(s, ev, m, peer);
    if (!r) {
        erg_log_error("http", "out of memory reading a request from %s", peer);
        send_text(ev, 500, "Out of memory\n");
        return;
    }
    if (!route_find(s, r)) {
        r->ev = NULL;
        request_free(r);
        send_text(ev, 404, "Not found\n");
        return;
    }
    pthread_mutex_lock(&s->lock);
    if (s->interrupted) {
        interrupted = 1;
    } else if (s->q_len >= (size_t)s->queue_depth) {
        full = 1;
        s->rejected_busy++;
    } else {
        if (s->q_tail) s->q_tail->next = r;
        else s->q_head = r;
        s->q_tail = r;
        s->q_len++;
        s->unreplied++;
        pthread_cond_signal(&s->work_cv);
    }
    pthread_mutex_unlock(&s->lock);
    if (interrupted || full) {
        if (full)
            erg_log_warn("http", "request from %s refused: work queue depth %d exceeded", peer, s->queue_depth);
        r->ev = NULL;
        request_free(r);
        send_text(ev, 503, interrupted ? "Server shutting down\n" : "Work queue depth exceeded\n");
    }
}

static void interrupt_cb(evutil_socket_t fd, short what, void *arg)
{
    erg_http_server *s = arg;
    size_t i;
    (void)fd;
    (void)what;
    for (i = 0; i < s->n_socks; i++) evhttp_del_accept_socket(s->http, s->socks[i]);
    s->n_socks = 0;
}

static void shutdown_cb(evutil_socket_t fd, short what, void *arg)
{
    erg_http_server *s = arg;
    (void)fd;
    (void)what;
    if (s->http) evhttp_free(s->http);
    s->http = NULL;
    s->n_socks = 0;
    event_base_loopbreak(s->base);
}

static void *loop_main(void *arg)
{
    erg_http_server *s = arg;
    if (event_base_loop(s->base, EVLOOP_NO_EXIT_ON_EMPTY) < 0) erg_log_error("http", "event loop failed");
    return NULL;
}

/* --- workers --- */

static void *worker_main(void *arg)
{
    erg_http_server *s = arg;
    for (;;) {
        erg_http_request *r;
        int replied = 0;
        pthread_mutex_lock(&s->lock);
        while (s->running && !s->q_head) pthread_cond_wait(&s->work_cv, &s->lock);
        if (!s->running) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        r = s->q_head;
        s->q_head = r->next;
        if (!s->q_head) s->q_tail = NULL;
        s->q_len--;
        s->active++;
        s->served++;
        pthread_mutex_unlock(&s->lock);
        r->next = NULL;
        r->replied_flag = &replied;
        r->fn(r, r->ctx);
        if (!replied) {
            erg_log_error("http", "handler for %s returned without a reply", r->path);
            erg_http_reply(r, 500, "Unhandled request\n", 18);
        }
        pthread_mutex_lock(&s->lock);
        s->active--;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

/* --- lifecycle --- */

static erg_code bind_all(erg_http_server *s, const erg_http_config *cfg, erg_err *err)
{
    size_t i;
    uint16_t port = cfg->port;
    for (i = 0; i < cfg->n_bind; i++) {
        struct evhttp_bound_socket *h;
        uint8_t tmp[16];
        if (!cfg->bind[i] || (inet_pton(AF_INET, cfg->bind[i], tmp) != 1 && inet_pton(AF_INET6, cfg->bind[i], tmp) != 1))
            return erg_err_set(err, ERG_ERR_ARG, "http: bind address '%s' is not a numeric IPv4 or IPv6 address",
                               cfg->bind[i] ? cfg->bind[i] : "(null)");
        errno = 0;
        h = evhttp_bind_socket_with_handle(s->http, cfg->bind[i], port);
        if (!h) {
            erg_log_warn("http", "cannot bind %s port %u: %s", cfg->bind[i], (unsigned)port,
                         errno ? strerror(errno) : "unknown error");
            continue;
        }
        if (port == 0) {
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            if (getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&ss, &sl) != 0)
                return erg_err_set(err, ERG_ERR_IO, "http: getsockname: %s", strerror(errno));
            port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                  : ((struct sockaddr_in *)&ss)->sin_port);
        }
        s->socks[s->n_socks++] = h;
        erg_log_info("http", "listening on %s port %u", cfg->bind[i], (unsigned)port);
    }
    if (s->n_socks == 0)
        return erg_err_set(err, ERG_ERR_IO, "http: could not bind any address on port %u (in use, or no such address)",
                           (unsigned)cfg->port);
    s->port = port;
    return ERG_OK;
}

erg_code erg_http_server_create(const erg_http_config *cfg, erg_http_server **out, erg_err *err)
{
    erg_http_server *s;
    erg_code rc;
    size_t i;
    *out = NULL;
    if (!cfg || cfg->n_bind < 1 || cfg->n_bind > ERG_HTTP_MAX_BINDS || cfg->n_allow > ERG_HTTP_MAX_ALLOW)
        return erg_err_set(err, ERG_ERR_ARG, "http: need 1..%d bind addresses and at most %d allow entries",
                           ERG_HTTP_MAX_BINDS, ERG_HTTP_MAX_ALLOW);
    if (cfg->max_body_bytes == 0 || cfg->max_header_bytes == 0 || cfg->timeout_s <= 0 || cfg->n_workers <= 0 ||
        cfg->queue_depth <= 0 || cfg->max_body_bytes > (size_t)1 << 40 || cfg->max_header_bytes > (size_t)1 << 30)
        return erg_err_set(err, ERG_ERR_ARG, "http: limits, timeout, workers and queue depth must be positive");
    if (erg_libevent_threads(err)) return ERG_ERR_INTERNAL;
    s = calloc(1, sizeof *s);
    if (!s) return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    s->max_body = cfg->max_body_bytes;
    s->max_headers = cfg->max_header_bytes;
    s->timeout_s = cfg->timeout_s;
    s->n_workers = cfg->n_workers;
    s->queue_depth = cfg->queue_depth;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work_cv, NULL);
    pthread_cond_init(&s->idle_cv, NULL);
    for (i = 0; i < cfg->n_allow; i++) {
        if (!cfg->allow[i]) {
            rc = erg_err_set(err, ERG_ERR_ARG, "http: allow entry %zu is NULL", i);
            goto fail;
        }
        if ((rc = subnet_parse(cfg->allow[i], &s->allow[i], err))) goto fail;
        s->n_allow++;
    }
    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    s->interrupt_ev = s->base ? event_new(s->base, -1, 0, interrupt_cb, s) : NULL;
    s->shutdown_ev = s->base ? event_new(s->base, -1, 0, shutdown_cb, s) : NULL;
    if (!s->http || !s->interrupt_ev || !s->shutdown_ev) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "http: cannot create the event loop");
        goto fail;
    }
    evhttp_set_timeout(s->http, s->timeout_s);
    evhttp_set_max_headers_size(s->http, (ev_ssize_t)s->max_headers);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->max_body);
    /* No lingering close (as bitcoind): an announced oversized body gets its 413 at once rather
     * than after the server has read and dropped all of it. */
    evhttp_set_default_content_type(s->http, "text/plain; charset=utf-8");
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
    evhttp_set_gencb(s->http, dispatch_cb, s);
    if ((rc = bind_all(s, cfg, err))) goto fail;
    *out = s;
    return ERG_OK;
fail:
    erg_http_server_destroy(s);
    return rc;
}

uint16_t erg_http_server_port(const erg_http_server *s)
{
    return s->port;
}

size_t erg_http_server_bound_count(const erg_http_server *s)
{
    return s->n_socks;
}

erg_code erg_http_handler_add(erg_http_server *s, const char *prefix, int exact, erg_http_handler fn, void *ctx,
                              erg_err *err)
{
    erg_http_route *n;
    char *p;
    size_t i;
    if (!prefix || prefix[0] != '/' || !fn)
        return erg_err_set(err, ERG_ERR_ARG, "http: a route needs a handler and a prefix starting with '/'");
    p = dup_n(prefix, strlen(prefix));
    if (!p) return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->n_routes; i++) {
        if (s->routes[i].exact == !!exact && strcmp(s->routes[i].prefix, prefix) == 0) {
            pthread_mutex_unlock(&s->lock);
            free(p);
            return erg_err_set(err, ERG_ERR_ARG, "http: route '%s' is already registered", prefix);
        }
    }
    n = realloc(s->routes, (s->n_routes + 1) * sizeof *n);
    if (!n) {
        pthread_mutex_unlock(&s->lock);
        free(p);
        return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    }
    s->routes = n;
    n[s->n_routes].prefix = p;
    n[s->n_routes].len = strlen(p);
    n[s->n_routes].exact = !!exact;
    n[s->n_routes].fn = fn;
    n[s->n_routes].ctx = ctx;
    s->n_routes++;
    pthread_mutex_unlock(&s->lock);
    return ERG_OK;
}

void erg_http_handler_remove(erg_http_server *s, const char *prefix, int exact)
{
    size_t i;
    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->n_routes; i++) {
        if (s->routes[i].exact == !!exact && strcmp(s->routes[i].prefix, prefix) == 0) {
            free(s->routes[i].prefix);
            s->routes[i] = s->routes[--s->n_routes];
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

erg_code erg_http_server_start(erg_http_server *s, erg_err *err)
{
    int i;
    if (s->loop_started || s->stopped || s->interrupted)
        return erg_err_set(err, ERG_ERR_ARG, "http: server already started or stopped");
    s->workers = calloc((size_t)s->n_workers, sizeof *s->workers);
    if (!s->workers) return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    s->running = 1;
    if (pthread_create(&s->loop_thread, NULL, loop_main, s) != 0) {
        s->running = 0;
        return erg_err_set(err, ERG_ERR_INTERNAL, "http: cannot start the event-loop thread");
    }
    s->loop_started = 1;
    for (i = 0; i < s->n_workers; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0) {
            erg_http_server_stop(s);
            return erg_err_set(err, ERG_ERR_INTERNAL, "http: cannot start worker thread %d", i);
        }
        s->n_started++;
    }
    erg_log_info("http", "serving on port %u with %d workers, queue depth %d", (unsigned)s->port, s->n_workers,
                 s->queue_depth);
    return ERG_OK;
}

void erg_http_server_interrupt(erg_http_server *s)
{
    int first;
    pthread_mutex_lock(&s->lock);
    first = !s->interrupted;
    s->interrupted = 1;
    s->running = 0;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->lock);
    if (first) event_active(s->interrupt_ev, EV_TIMEOUT, 1);
}

static void add_ms(struct timespec *ts, long ms)
{
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void erg_http_server_stop(erg_http_server *s)
{
    int i;
    erg_http_request *r;
    struct timespec deadline;
    if (s->stopped) return;
    s->stopped = 1;
    erg_http_server_interrupt(s);
    if (!s->loop_started) return;
    for (i = 0; i < s->n_started; i++) pthread_join(s->workers[i], NULL);
    s->n_started = 0;
    /* Requests no worker took: answer them now rather than leave their clients hanging. */
    pthread_mutex_lock(&s->lock);
    r = s->q_head;
    s->q_head = s->q_tail = NULL;
    s->q_len = 0;
    pthread_mutex_unlock(&s->lock);
    while (r) {
        erg_http_request *next = r->next;
        int dummy = 0;
        r->replied_flag = &dummy;
        erg_http_reply(r, 503, "Server shutting down\n", 21);
        r = next;
    }
    clock_gettime(CLOCK_REALTIME, &deadline);
    add_ms(&deadline, ERG_HTTP_DRAIN_MS);
    pthread_mutex_lock(&s->lock);
    /* Every queued request must reach libevent before evhttp_free, which would free it. */
    while (s->unreplied > 0) pthread_cond_wait(&s->idle_cv, &s->lock);
    while (s->inflight > 0)
        if (pthread_cond_timedwait(&s->idle_cv, &s->lock, &deadline) != 0) break;
    if (s->inflight > 0) erg_log_warn("http", "closing %zu replies still being written", s->inflight);
    pthread_mutex_unlock(&s->lock);
    event_active(s->shutdown_ev, EV_TIMEOUT, 1);
    pthread_join(s->loop_thread, NULL);
    s->loop_started = 0;
    erg_log_info("http", "stopped");
}

void erg_http_server_destroy(erg_http_server *s)
{
    size_t i;
    if (!s) return;
    if (s->loop_started) erg_http_server_stop(s);
    if (s->http) evhttp_free(s->http);
    if (s->interrupt_ev) event_free(s->interrupt_ev);
    if (s->shutdown_ev) event_free(s->shutdown_ev);
    if (s->base) event_base_free(s->base);
    for (i = 0; i < s->n_routes; i++) free(s->routes[i].prefix);
    free(s->routes);
    free(s->conns);
    free(s->workers);
    pthread_cond_destroy(&s->idle_cv);
    pthread_cond_destroy(&s->work_cv);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void erg_http_server_get_stats(erg_http_server *s, erg_http_stats *out)
{
    pthread_mutex_lock(&s->lock);
    out->queued = s->q_len;
    out->active = s->active;
    out->served = s->served;
    out->rejected_busy = s->rejected_busy;
    pthread_mutex_unlock(&s->lock);
}

/* --- request accessors and replies (worker thread) --- */

erg_http_method erg_http_req_method(const erg_http_request *req)
{
    return req->method;
}

const char *erg_http_req_uri(const erg_http_request *req)
{
    return req->uri;
}

const char *erg_http_req_path(const erg_http_request *req)
{
    return req->path;
}

const char *erg_http_req_subpath(const erg_http_request *req)
{
    return req->subpath;
}

const char *erg_http_req_query(const erg_http_request *req)
{
    return req->query;
}

const char *erg_http_req_header(const erg_http_request *req, const char *name)
{
    size_t i;
    for (i = 0; i < req->n_in_h; i++)
        if (strcasecmp(req->in_h[i].name, name) == 0) return req->in_h[i].value;
    return NULL;
}

const uint8_t *erg_http_req_body(const erg_http_request *req, size_t *len)
{
    *len = req->body_len;
    return req->body;
}

const char *erg_http_req_peer(const erg_http_request *req)
{
    return req->peer;
}

erg_code erg_http_req_add_header(erg_http_request *req, const char *name, const char *value, erg_err *err)
{
    erg_http_header *n;
    if (!*name || strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n"))
        return erg_err_set(err, ERG_ERR_ARG, "http: header name or value holds a forbidden character");
    n = realloc(req->out_h, (req->n_out_h + 1) * sizeof *n);
    if (!n) return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    req->out_h = n;
    n[req->n_out_h].name = dup_n(name, strlen(name));
    n[req->n_out_h].value = dup_n(value, strlen(value));
    if (!n[req->n_out_h].name || !n[req->n_out_h].value) {
        free(n[req->n_out_h].name);
        free(n[req->n_out_h].value);
        return erg_err_set(err, ERG_ERR_NOMEM, "http: out of memory");
    }
    req->n_out_h++;
    return ERG_OK;
}

void erg_http_reply_take(erg_http_request *req, int status, char *body, size_t len)
{
    if (status < 100 || status > 599) status = 500;
    req->status = status;
    req->out_body = body;
    req->out_len = body ? len : 0;
    *req->replied_flag = 1;
    /* From here on the loop thread owns req and may free it at any moment. */
    event_active(req->reply_ev, EV_TIMEOUT, 1);
}

void erg_http_reply(erg_http_request *req, int status, const void *body, size_t len)
{
    char *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (copy) {
            memcpy(copy, body, len);
        } else {
            status = 500;
            len = 0;
        }
    }
    erg_http_reply_take(req, status, copy, len);
}
