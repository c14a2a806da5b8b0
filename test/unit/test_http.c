/* Unit tests for src/node/http: the real server on an ephemeral loopback port, driven over sockets. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "src/node/http.h"
#include "src/util/log.h"
#include "test/unit/harness.h"
#include "test/unit/http_testutil.h"

/* A gate the blocking handler waits on, so tests can hold workers busy on purpose. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_entered, g_released;

static void gate_reset(void)
{
    pthread_mutex_lock(&g_mu);
    g_entered = 0;
    g_released = 0;
    pthread_mutex_unlock(&g_mu);
}

static void gate_release(void)
{
    pthread_mutex_lock(&g_mu);
    g_released = 1;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

/* Wait until n handlers are inside the gate (at most 5 s). */
static int gate_wait_entered(int n)
{
    int64_t end = erg_test_now_ms() + 5000;
    int ok;
    pthread_mutex_lock(&g_mu);
    while (g_entered < n && erg_test_now_ms() < end) {
        pthread_mutex_unlock(&g_mu);
        erg_test_sleep_ms(5);
        pthread_mutex_lock(&g_mu);
    }
    ok = g_entered >= n;
    pthread_mutex_unlock(&g_mu);
    return ok;
}

static void block_handler(erg_http_request *req, void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&g_mu);
    g_entered++;
    pthread_cond_broadcast(&g_cv);
    while (!g_released) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
    erg_http_reply(req, 200, "released", 8);
}

/* Answers "<tag> METHOD path subpath query bodylen" so routing and parsing are visible. */
static void echo_handler(erg_http_request *req, void *ctx)
{
    char out[512];
    size_t blen;
    const char *xt = erg_http_req_header(req, "x-TEST");
    (void)erg_http_req_body(req, &blen);
    snprintf(out, sizeof out, "%s %s %s %s %s %zu", (const char *)ctx, erg_http_method_name(erg_http_req_method(req)),
             erg_http_req_path(req), erg_http_req_subpath(req), erg_http_req_query(req), blen);
    if (xt && erg_http_req_add_header(req, "X-Echo", xt, NULL) != ERG_OK) return;
    erg_http_reply(req, 200, out, strlen(out));
}

static void silent_handler(erg_http_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
}

static erg_http_server *start_server(erg_http_config *cfg)
{
    erg_http_server *s = NULL;
    erg_err err;
    if (erg_http_server_create(cfg, &s, &err) != ERG_OK) {
        fprintf(stderr, "    create: %s\n", err.reason);
        return NULL;
    }
    if (erg_http_handler_add(s, "/echo", 0, echo_handler, "echo", &err) != ERG_OK ||
        erg_http_handler_add(s, "/echo/deep/", 0, echo_handler, "deep", &err) != ERG_OK ||
        erg_http_handler_add(s, "/exact", 1, echo_handler, "exact", &err) != ERG_OK ||
        erg_http_handler_add(s, "/block", 1, block_handler, NULL, &err) != ERG_OK ||
        erg_http_handler_add(s, "/silent", 1, silent_handler, NULL, &err) != ERG_OK ||
        erg_http_server_start(s, &err) != ERG_OK) {
        fprintf(stderr, "    setup: %s\n", err.reason);
        erg_http_server_destroy(s);
        return NULL;
    }
    return s;
}

static int get(uint16_t port, const char *host, const char *target, erg_test_resp *r)
{
    char req[1024];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target);
    return erg_test_http_raw(host, port, req, strlen(req), r);
}

/* Status of a GET on 127.0.0.1 when only the status matters (-1 when no response came). */
static int get_status(uint16_t port, const char *target)
{
    erg_test_resp r;
    int status;
    if (get(port, "127.0.0.1", target, &r) != 0) return -1;
    status = r.status;
    erg_test_resp_free(&r);
    return status;
}

/* Wait until n requests are queued (at most 5 s); st is left with the last stats read. */
static void wait_queued(erg_http_server *s, size_t n, erg_http_stats *st)
{
    int64_t end = erg_test_now_ms() + 5000;
    for (;;) {
        erg_http_server_get_stats(s, st);
        if (st->queued == n || erg_test_now_ms() > end) return;
        erg_test_sleep_ms(5);
    }
}

static void test_ephemeral_port_and_get(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_test_resp r;
    uint16_t port;
    erg_http_config_default(&cfg);
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    CHECK(port != 0);
    CHECK(erg_http_server_bound_count(s) >= 1);
    CHECK(get(port, "127.0.0.1", "/echo/abc?x=1&y=2", &r) == 0);
    CHECK(r.status == 200);
    CHECK(r.body && strcmp(r.body, "echo GET /echo/abc /abc x=1&y=2 0") == 0);
    erg_test_resp_free(&r);
    /* Both loopback addresses listen on the same port when IPv6 exists on this host. */
    if (erg_http_server_bound_count(s) == 2) {
        CHECK(get(port, "::1", "/echo", &r) == 0);
        CHECK(r.status == 200);
        erg_test_resp_free(&r);
    }
    erg_http_server_destroy(s);
    /* Nothing listens any more. */
    CHECK(erg_test_connect("127.0.0.1", port) < 0);
}

static void test_routes_and_404(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_test_resp r;
    uint16_t port;
    erg_err err;
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    CHECK(get_status(port, "/nothing") == 404);
    /* Longest prefix wins. */
    CHECK(get(port, "127.0.0.1", "/echo/deep/x", &r) == 0 && r.status == 200);
    CHECK(r.body && strncmp(r.body, "deep GET /echo/deep/x x ", 24) == 0);
    erg_test_resp_free(&r);
    /* Exact routes match only themselves. */
    CHECK(get_status(port, "/exact") == 200);
    CHECK(get_status(port, "/exact/more") == 404);
    /* Duplicates refused, removal takes effect while running. */
    CHECK(erg_http_handler_add(s, "/exact", 1, echo_handler, "x", &err) == ERG_ERR_ARG);
    CHECK(erg_http_handler_add(s, "noslash", 0, echo_handler, "x", &err) == ERG_ERR_ARG);
    erg_http_handler_remove(s, "/exact", 1);
    CHECK(get_status(port, "/exact") == 404);
    /* A handler that never answers yields 500 instead of a hung client. */
    CHECK(get_status(port, "/silent") == 500);
    erg_http_server_destroy(s);
}

static void test_methods_headers_keepalive(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_test_resp r;
    char v[64];
    int fd;
    static const char two[] = "PUT /echo/a HTTP/1.1\r\nHost: x\r\nX-Test: hello\r\nContent-Length: 3\r\n\r\nabc";
    static const char head[] = "HEAD /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    /* Two requests on one kept-alive connection. */
    fd = erg_test_connect("127.0.0.1", erg_http_server_port(s));
    CHECK(fd >= 0);
    CHECK(erg_test_send(fd, two, sizeof two - 1) == 0);
    CHECK(erg_test_read_response(fd, &r, 5000) == 0 && r.status == 200);
    CHECK(r.body && strcmp(r.body, "echo PUT /echo/a /a  3") == 0);
    CHECK(erg_test_resp_header(&r, "x-echo", v, sizeof v) && strcmp(v, "hello") == 0);
    erg_test_resp_free(&r);
    CHECK(erg_test_send(fd, two, sizeof two - 1) == 0);
    CHECK(erg_test_read_response(fd, &r, 5000) == 0 && r.status == 200);
    erg_test_resp_free(&r);
    close(fd);
    /* HEAD: status and headers, never a body. */
    fd = erg_test_connect("127.0.0.1", erg_http_server_port(s));
    CHECK(erg_test_send(fd, head, sizeof head - 1) == 0);
    CHECK(erg_test_read_head_response(fd, &r, 5000) == 0);
    CHECK(r.status == 200 && r.body_len == 0);
    erg_test_resp_free(&r);
    close(fd);
    erg_http_server_destroy(s);
}

static void test_body_and_header_limits(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_test_resp r;
    char *req, *big;
    uint16_t port;
    size_t n;
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.max_body_bytes = 1024;
    cfg.max_header_bytes = 2048;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    big = malloc(4096);
    req = malloc(8192);
    memset(big, 'a', 4095);
    big[4095] = 0;
    /* Exactly at the limit: accepted. */
    n = (size_t)snprintf(req, 8192, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1024\r\n\r\n%.1024s", big);
    CHECK(erg_test_http_raw("127.0.0.1", port, req, n, &r) == 0 && r.status == 200);
    CHECK(r.body && strcmp(r.body, "echo POST /echo   1024") == 0);
    erg_test_resp_free(&r);
    /* One byte over: 413 and the handler never runs. */
    n = (size_t)snprintf(req, 8192, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1025\r\n\r\n%.1025s", big);
    CHECK(erg_test_http_raw("127.0.0.1", port, req, n, &r) == 0 && r.status == 413);
    erg_test_resp_free(&r);
    /* A huge announced length is refused from the headers alone, before any body is sent. */
    n = (size_t)snprintf(req, 8192, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n\r\n");
    CHECK(erg_test_http_raw("127.0.0.1", port, req, n, &r) == 0 && r.status == 413);
    erg_test_resp_free(&r);
    /* Headers over max_header_bytes: refused (libevent 2.1 says 400; 413 and 431 are also fair). */
    n = (size_t)snprintf(req, 8192, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: %.3000s\r\nConnection: close\r\n\r\n", big);
    CHECK(erg_test_http_raw("127.0.0.1", port, req, n, &r) == 0);
    CHECK(r.status == 400 || r.status == 413 || r.status == 431);
    erg_test_resp_free(&r);
    /* The server still serves afterwards. */
    CHECK(get_status(port, "/echo") == 200);
    free(big);
    free(req);
    erg_http_server_destroy(s);
}

static void test_default_body_limit_is_32mib(void)
{
    erg_http_config cfg;
    erg_http_config_default(&cfg);
    CHECK(cfg.max_body_bytes == 32u * 1024 * 1024);
    CHECK(cfg.n_bind == 2 && strcmp(cfg.bind[0], "127.0.0.1") == 0 && strcmp(cfg.bind[1], "::1") == 0);
    CHECK(cfg.n_workers == 4 && cfg.queue_depth == 16 && cfg.timeout_s == 30);
}

static void test_queue_full_gives_503(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_http_stats st;
    erg_test_resp r;
    uint16_t port;
    int fds[3], i;
    static const char blk[] = "GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    int64_t t0;
    gate_reset();
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.n_workers = 1;
    cfg.queue_depth = 2;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    /* One request holds the only worker, two more fill the queue. */
    for (i = 0; i < 3; i++) {
        fds[i] = erg_test_connect("127.0.0.1", port);
        CHECK(fds[i] >= 0);
        CHECK(erg_test_send(fds[i], blk, sizeof blk - 1) == 0);
        if (i == 0) CHECK(gate_wait_entered(1));
    }
    wait_queued(s, 2, &st);
    CHECK(st.queued == 2 && st.active == 1);
    /* The next one is refused at once, without waiting for a worker. */
    t0 = erg_test_now_ms();
    CHECK(get(port, "127.0.0.1", "/echo", &r) == 0);
    CHECK(r.status == 503);
    CHECK(r.body && strcmp(r.body, "Work queue depth exceeded\n") == 0);
    CHECK(erg_test_now_ms() - t0 < 2000);
    erg_test_resp_free(&r);
    erg_http_server_get_stats(s, &st);
    CHECK(st.rejected_busy == 1);
    gate_release();
    for (i = 0; i < 3; i++) {
        CHECK(erg_test_read_response(fds[i], &r, 5000) == 0);
        CHECK(r.status == 200 && r.body && strcmp(r.body, "released") == 0);
        erg_test_resp_free(&r);
        close(fds[i]);
    }
    /* With the queue drained, requests are served again. */
    CHECK(get_status(port, "/echo") == 200);
    erg_http_server_destroy(s);
}

/* Status of a GET from 127.0.0.1 to a fresh server that allows only `allow` (-1: no server). */
static int status_with_allow(const char *allow)
{
    erg_http_config cfg;
    erg_http_server *s;
    int status;
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.allow[0] = allow;
    cfg.n_allow = 1;
    s = start_server(&cfg);
    if (!s) return -1;
    status = get_status(erg_http_server_port(s), "/echo");
    erg_http_server_destroy(s);
    return status;
}

static void test_allow_list(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_err err;
    static const char *bad[] = {"10.0.0.0/33", "abc", "1.2.3.4/", "::1/129", "/8", "1.2.3.4/x"};
    size_t i;
    CHECK(status_with_allow("10.0.0.0/8") == 403);
    /* Prefix boundaries: 127.0.0.1 is inside 127.0.0.0/31 and outside 127.0.0.2/31. */
    CHECK(status_with_allow("127.0.0.2/31") == 403);
    CHECK(status_with_allow("127.0.0.0/31") == 200);
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.n_allow = 1;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.allow[0] = bad[i];
        s = (erg_http_server *)&cfg;
        CHECK(erg_http_server_create(&cfg, &s, &err) == ERG_ERR_ARG);
        CHECK(s == NULL);
    }
}

static void test_bad_config_and_bind(void)
{
    erg_http_config cfg;
    erg_http_server *a = NULL, *b = NULL;
    erg_err err;
    erg_http_config_default(&cfg);
    cfg.bind[0] = "localhost"; /* names are not resolved: numeric only */
    cfg.n_bind = 1;
    CHECK(erg_http_server_create(&cfg, &a, &err) == ERG_ERR_ARG);
    erg_http_config_default(&cfg);
    cfg.n_workers = 0;
    CHECK(erg_http_server_create(&cfg, &a, &err) == ERG_ERR_ARG);
    erg_http_config_default(&cfg);
    cfg.n_bind = 0;
    CHECK(erg_http_server_create(&cfg, &a, &err) == ERG_ERR_ARG);
    /* A port already taken: the second server cannot bind anything and says so. */
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    CHECK(erg_http_server_create(&cfg, &a, &err) == ERG_OK);
    if (!a) return;
    cfg.port = erg_http_server_port(a);
    CHECK(erg_http_server_create(&cfg, &b, &err) == ERG_ERR_IO);
    CHECK(b == NULL && strstr(err.reason, "could not bind") != NULL);
    /* Created but never started: stop and destroy are clean, and a stopped server stays stopped. */
    erg_http_server_interrupt(a);
    CHECK(erg_http_server_start(a, &err) == ERG_ERR_ARG);
    erg_http_server_stop(a);
    erg_http_server_destroy(a);
    erg_http_server_destroy(NULL);
}

static void test_shutdown_with_work_in_flight(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    erg_http_stats st;
    erg_test_resp r;
    uint16_t port;
    int busy, queued, kept, refused = 0;
    static const char blk[] = "GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    static const char ka[] = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
    int64_t end;
    gate_reset();
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.n_workers = 1;
    cfg.queue_depth = 4;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    /* A kept-alive connection that already had one answer. */
    kept = erg_test_connect("127.0.0.1", port);
    CHECK(erg_test_send(kept, ka, sizeof ka - 1) == 0);
    CHECK(erg_test_read_response(kept, &r, 5000) == 0 && r.status == 200);
    erg_test_resp_free(&r);
    busy = erg_test_connect("127.0.0.1", port);
    CHECK(erg_test_send(busy, blk, sizeof blk - 1) == 0);
    CHECK(gate_wait_entered(1));
    queued = erg_test_connect("127.0.0.1", port);
    CHECK(erg_test_send(queued, blk, sizeof blk - 1) == 0);
    wait_queued(s, 1, &st);
    erg_http_server_interrupt(s);
    /* Listening sockets close... */
    end = erg_test_now_ms() + 5000;
    while (!refused && erg_test_now_ms() < end) {
        int fd = erg_test_connect("127.0.0.1", port);
        if (fd < 0) refused = 1;
        else {
            close(fd);
            erg_test_sleep_ms(10);
        }
    }
    CHECK(refused);
    /* ...and open connections get 503 for new requests. */
    CHECK(erg_test_send(kept, ka, sizeof ka - 1) == 0);
    CHECK(erg_test_read_response(kept, &r, 5000) == 0 && r.status == 503);
    erg_test_resp_free(&r);
    close(kept);
    gate_release();
    erg_http_server_stop(s);
    /* The request in hand finished normally; the queued one was told the server is going away. */
    CHECK(erg_test_read_response(busy, &r, 5000) == 0 && r.status == 200);
    erg_test_resp_free(&r);
    CHECK(erg_test_read_response(queued, &r, 5000) == 0 && r.status == 503);
    CHECK(r.body && strcmp(r.body, "Server shutting down\n") == 0);
    erg_test_resp_free(&r);
    close(busy);
    close(queued);
    erg_http_server_stop(s); /* idempotent */
    erg_http_server_destroy(s);
}

static void test_client_gone_before_reply(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    uint16_t port;
    int fd;
    static const char blk[] = "GET /block HTTP/1.1\r\nHost: x\r\n\r\n";
    gate_reset();
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.n_workers = 1;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    port = erg_http_server_port(s);
    fd = erg_test_connect("127.0.0.1", port);
    CHECK(erg_test_send(fd, blk, sizeof blk - 1) == 0);
    CHECK(gate_wait_entered(1));
    close(fd);
    erg_test_sleep_ms(50);
    gate_release();
    /* The reply goes nowhere; the server carries on. */
    CHECK(get_status(port, "/echo") == 200);
    erg_http_server_destroy(s);
}

static void test_slow_client_times_out(void)
{
    erg_http_config cfg;
    erg_http_server *s;
    int fd;
    char c;
    ssize_t n;
    int64_t t0, dt;
    static const char part[] = "GET /echo HTTP/1.1\r\nHost: x\r\n";
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.timeout_s = 1;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    fd = erg_test_connect("127.0.0.1", erg_http_server_port(s));
    CHECK(erg_test_send(fd, part, sizeof part - 1) == 0);
    t0 = erg_test_now_ms();
    {
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    n = recv(fd, &c, 1, 0);
    dt = erg_test_now_ms() - t0;
    /* Closed by the server (EOF or reset) after about the timeout, not left open. */
    CHECK(n <= 0);
    CHECK(dt >= 500 && dt < 4500);
    close(fd);
    erg_http_server_destroy(s);
}

static void test_slow_handler_outlives_timeout(void)
{
    /* The timeout is for slow clients, not slow methods: a handler running past it still answers. */
    erg_http_config cfg;
    erg_http_server *s;
    erg_test_resp r;
    int fd;
    static const char blk[] = "GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    gate_reset();
    erg_http_config_default(&cfg);
    cfg.n_bind = 1;
    cfg.timeout_s = 1;
    s = start_server(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    fd = erg_test_connect("127.0.0.1", erg_http_server_port(s));
    CHECK(erg_test_send(fd, blk, sizeof blk - 1) == 0);
    CHECK(gate_wait_entered(1));
    erg_test_sleep_ms(2200);
    gate_release();
    CHECK(erg_test_read_response(fd, &r, 5000) == 0 && r.status == 200);
    CHECK(r.body && strcmp(r.body, "released") == 0);
    erg_test_resp_free(&r);
    close(fd);
    erg_http_server_destroy(s);
}

static void setup(void) __attribute__((constructor));
static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    erg_log_set_level(ERG_LOG_NONE);
}

ERG_TESTS("http", T(test_ephemeral_port_and_get), T(test_routes_and_404), T(test_methods_headers_keepalive),
          T(test_body_and_header_limits), T(test_default_body_limit_is_32mib), T(test_queue_full_gives_503),
          T(test_allow_list), T(test_bad_config_and_bind), T(test_shutdown_with_work_in_flight),
          T(test_client_gone_before_reply), T(test_slow_client_times_out),
          T(test_slow_handler_outlives_timeout))
