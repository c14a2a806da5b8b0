/* Unit tests for src/node/rpc: JSON-RPC over the real HTTP server on loopback, auth, cookie, errors. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/node/rpc.h"
#include "src/util/log.h"
#include "test/unit/harness.h"
#include "test/unit/http_testutil.h"
#include "test/unit/rpc_testutil.h"

/* --- test methods --- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_entered, g_released, g_stops;

static json_t *m_add(const erg_rpc_call *c, erg_rpc_error *e)
{
    int64_t x, y;
    if (erg_rpc_arg_int(c, 0, -1000000, 1000000, 0, &x, e) != ERG_OK) return NULL;
    if (erg_rpc_arg_int(c, 1, -1000000, 1000000, 0, &y, e) != ERG_OK) return NULL;
    return json_integer(x + y);
}

static json_t *m_block(const erg_rpc_call *c, erg_rpc_error *e)
{
    (void)c;
    (void)e;
    pthread_mutex_lock(&g_mu);
    g_entered++;
    while (!g_released) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
    return json_string("released");
}

static json_t *m_whoami(const erg_rpc_call *c, erg_rpc_error *e)
{
    (void)e;
    return json_pack("{s:s,s:s}", "user", c->user, "peer", c->peer);
}

static const erg_rpc_arg add_args[] = {
    {"x", ERG_RPC_INT, 0, NULL, "first addend"},
    {"y", ERG_RPC_INT, 0, NULL, "second addend"},
};
static const erg_rpc_arg echo_args[] = {
    {"a", ERG_RPC_ANY, 1, NULL, "anything"},
    {"b", ERG_RPC_ANY, 1, NULL, "anything"},
};
static const erg_rpc_method test_methods[] = {
    {"test", "add", m_add, NULL, add_args, 2, "Add two integers.", "n    (numeric) x + y", 0},
    {"test", "echo", erg_test_rpc_echo_params, NULL, echo_args, 2, "Return the parameters.", NULL, 0},
    {"test", "fail", erg_test_rpc_fail, NULL, erg_test_rpc_fail_args, 2, "Fail with the given code.", NULL, 0},
    {"hidden", "block", m_block, NULL, NULL, 0, "Wait for the test to release.", NULL, 0},
    {"hidden", "whoami", m_whoami, NULL, NULL, 0, "Who is calling.", NULL, 0},
};

static void on_stop(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&g_mu);
    g_stops++;
    pthread_mutex_unlock(&g_mu);
}

/* --- fixture --- */

typedef struct fixture {
    char dir[64];
    erg_rpc_server *rpc;
    erg_http_server *http;
    uint16_t port;
    char cookie[128]; /* "__cookie__:hex" read back from the file */
} fixture;

static int fx_start(fixture *f, int workers, int queue)
{
    erg_rpc_config rc;
    erg_http_config hc;
    erg_err err;
    FILE *fp;
    size_t n;
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ergon_test_rpc_XXXXXX");
    if (!mkdtemp(f->dir)) return 0;
    erg_rpc_config_default(&rc);
    rc.cookie_dir = f->dir;
    rc.user = "alice";
    rc.password = "s3cret";
    rc.auth_fail_delay_ms = 60;
    rc.on_stop = on_stop;
    erg_http_config_default(&hc);
    hc.n_bind = 1;
    hc.n_workers = workers;
    hc.queue_depth = queue;
    if (erg_test_rpc_serve(&rc, &hc, test_methods, sizeof test_methods / sizeof test_methods[0], &f->rpc, &f->http,
                           &err) != ERG_OK) {
        fprintf(stderr, "    fixture: %s\n", err.reason);
        return 0;
    }
    f->port = erg_http_server_port(f->http);
    fp = fopen(erg_rpc_cookie_path(f->rpc), "r");
    if (!fp) return 0;
    n = fread(f->cookie, 1, sizeof f->cookie - 1, fp);
    fclose(fp);
    f->cookie[n] = '\0';
    return 1;
}

static void fx_stop(fixture *f)
{
    erg_http_server_destroy(f->http);
    erg_rpc_destroy(f->rpc);
    rmdir(f->dir);
}

/* POST body with the cookie; parse the reply (NULL when the body is not JSON). */
static json_t *call_raw(fixture *f, const char *body, int *status)
{
    erg_test_resp r;
    json_t *j = NULL;
    *status = 0;
    if (erg_test_http_post(f->port, "/", f->cookie, body, &r) != 0) return NULL;
    *status = r.status;
    if (r.body_len) j = json_loads(r.body, 0, NULL);
    erg_test_resp_free(&r);
    return j;
}

static int err_code(const json_t *reply)
{
    return (int)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static const char *err_msg(const json_t *reply)
{
    const char *s = json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
    return s ? s : "";
}

/* Whether body is answered with HTTP `status`, error `code` and message `msg` (0, 0, NULL: any). */
static int replies_error(fixture *f, const char *body, int status, int code, const char *msg)
{
    int st, ok;
    json_t *j = call_raw(f, body, &st);
    ok = j && (!status || st == status) && (!code || err_code(j) == code) && (!msg || strcmp(err_msg(j), msg) == 0);
    if (!ok) printf("    %s: HTTP %d, error %d \"%s\"\n", body, st, err_code(j), err_msg(j));
    json_decref(j);
    return ok;
}

/* --- cases --- */

static void test_cookie_file(void)
{
    fixture f;
    struct stat st;
    char path[256], first[128];
    size_t i;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    snprintf(path, sizeof path, "%s/.cookie", f.dir);
    CHECK(strcmp(erg_rpc_cookie_path(f.rpc), path) == 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(strlen(f.cookie) == 11 + 64 && strncmp(f.cookie, "__cookie__:", 11) == 0);
    for (i = 11; i < strlen(f.cookie); i++) CHECK(strchr("0123456789abcdef", f.cookie[i]) != NULL);
    snprintf(first, sizeof first, "%s", f.cookie);
    fx_stop(&f);
    /* Removed on clean shutdown. */
    CHECK(stat(path, &st) != 0);
    /* A new secret at every start. */
    CHECK(fx_start(&f, 1, 1));
    CHECK(strlen(f.cookie) == 75 && strcmp(first, f.cookie) != 0);
    fx_stop(&f);
}

static void test_auth(void)
{
    fixture f;
    erg_test_resp r;
    char v[128], bad[128];
    int64_t t0;
    static const char body[] = "{\"method\":\"whoami\",\"id\":1}";
    json_t *j;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    /* No credentials: 401 with the challenge, no delay needed. */
    CHECK(erg_test_http_post(f.port, "/", NULL, body, &r) == 0 && r.status == 401);
    CHECK(erg_test_resp_header(&r, "WWW-Authenticate", v, sizeof v) && strcmp(v, "Basic realm=\"jsonrpc\"") == 0);
    erg_test_resp_free(&r);
    /* Wrong password: 401 after the anti-brute-force delay. */
    t0 = erg_test_now_ms();
    CHECK(erg_test_http_post(f.port, "/", "alice:wrong", body, &r) == 0 && r.status == 401);
    CHECK(erg_test_now_ms() - t0 >= 60);
    CHECK(erg_test_resp_header(&r, "WWW-Authenticate", v, sizeof v) != NULL);
    erg_test_resp_free(&r);
    /* Cookie with one digit changed, a prefix of the password, the user alone. */
    snprintf(bad, sizeof bad, "%s", f.cookie);
    bad[20] = bad[20] == '0' ? '1' : '0';
    CHECK(erg_test_http_post(f.port, "/", bad, body, &r) == 0 && r.status == 401);
    erg_test_resp_free(&r);
    CHECK(erg_test_http_post(f.port, "/", "alice:s3cre", body, &r) == 0 && r.status == 401);
    erg_test_resp_free(&r);
    CHECK(erg_test_http_post(f.port, "/", "alice", body, &r) == 0 && r.status == 401);
    erg_test_resp_free(&r);
    /* Not base64, not Basic. */
    {
        static const char req[] = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic !!!!\r\n"
                                  "Content-Length: 2\r\n\r\n{}";
        static const char req2[] = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer abc\r\n"
                                   "Content-Length: 2\r\n\r\n{}";
        CHECK(erg_test_http_raw("127.0.0.1", f.port, req, sizeof req - 1, &r) == 0 && r.status == 401);
        erg_test_resp_free(&r);
        CHECK(erg_test_http_raw("127.0.0.1", f.port, req2, sizeof req2 - 1, &r) == 0 && r.status == 401);
        erg_test_resp_free(&r);
    }
    /* Both real credentials work and the handler learns the user name. */
    CHECK(erg_test_http_post(f.port, "/", f.cookie, body, &r) == 0 && r.status == 200);
    j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    CHECK(j && strcmp(json_string_value(json_object_get(json_object_get(j, "result"), "user")), "__cookie__") == 0);
    CHECK(j && strncmp(json_string_value(json_object_get(json_object_get(j, "result"), "peer")), "127.0.0.1:", 10) == 0);
    json_decref(j);
    CHECK(erg_test_resp_header(&r, "Content-Type", v, sizeof v) && strcmp(v, "application/json") == 0);
    erg_test_resp_free(&r);
    CHECK(erg_test_http_post(f.port, "/", "alice:s3cret", body, &r) == 0 && r.status == 200);
    j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    CHECK(j && strcmp(json_string_value(json_object_get(json_object_get(j, "result"), "user")), "alice") == 0);
    json_decref(j);
    erg_test_resp_free(&r);
    fx_stop(&f);
}

static void test_http_status_paths(void)
{
    fixture f;
    erg_test_resp r;
    char req[256], *big;
    size_t n;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    /* Only POST. */
    n = (size_t)snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(erg_test_http_raw("127.0.0.1", f.port, req, n, &r) == 0 && r.status == 405);
    CHECK(r.body && strcmp(r.body, "JSONRPC server handles only POST requests") == 0);
    erg_test_resp_free(&r);
    /* Unknown paths. */
    CHECK(erg_test_http_post(f.port, "/nope", f.cookie, "{}", &r) == 0 && r.status == 404);
    erg_test_resp_free(&r);
    /* An announced body over the 32 MiB default is refused before it is sent... */
    n = (size_t)snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %u\r\n\r\n", (32u << 20) + 1);
    CHECK(erg_test_http_raw("127.0.0.1", f.port, req, n, &r) == 0 && r.status == 413);
    erg_test_resp_free(&r);
    /* ...and a large body under it is served (a 1 MiB string echoed back). */
    big = malloc((1u << 20) + 64);
    n = (size_t)sprintf(big, "{\"method\":\"echo\",\"params\":[\"");
    memset(big + n, 'z', 1u << 20);
    n += 1u << 20;
    sprintf(big + n, "\"],\"id\":1}");
    CHECK(erg_test_http_post(f.port, "/", f.cookie, big, &r) == 0 && r.status == 200);
    CHECK(r.body_len > (1u << 20));
    erg_test_resp_free(&r);
    free(big);
    fx_stop(&f);
}

static void test_parse_errors(void)
{
    fixture f;
    erg_test_resp r;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    /* Byte-exact as bitcoind: legacy envelope, HTTP 500. */
    CHECK(erg_test_http_post(f.port, "/", f.cookie, "{\"method\":", &r) == 0 && r.status == 500);
    CHECK(r.body && strcmp(r.body, "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n") == 0);
    erg_test_resp_free(&r);
    CHECK(replies_error(&f, "42", 500, ERG_RPC_PARSE_ERROR, "Top-level object parse error"));
    /* Duplicate keys are ambiguous: refused as a parse error. */
    CHECK(replies_error(&f, "{\"method\":\"add\",\"method\":\"echo\",\"id\":1}", 500, ERG_RPC_PARSE_ERROR, NULL));
    fx_stop(&f);
}

static void test_invalid_request(void)
{
    fixture f;
    json_t *j;
    int st;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    j = call_raw(&f, "{\"id\":7}", &st);
    CHECK(st == 400 && err_code(j) == ERG_RPC_INVALID_REQUEST && strcmp(err_msg(j), "Missing method") == 0);
    CHECK(json_integer_value(json_object_get(j, "id")) == 7 && json_is_null(json_object_get(j, "result")));
    json_decref(j);
    CHECK(replies_error(&f, "{\"method\":5,\"id\":1}", 400, 0, "Method must be a string"));
    CHECK(replies_error(&f, "{\"method\":\"add\",\"params\":\"1 2\",\"id\":1}", 400, 0,
                        "Params must be an array or object"));
    CHECK(replies_error(&f, "{\"jsonrpc\":\"3.0\",\"method\":\"add\",\"id\":1}", 400, 0,
                        "JSON-RPC version not supported"));
    CHECK(replies_error(&f, "{\"jsonrpc\":2,\"method\":\"add\",\"id\":1}", 400, 0,
                        "jsonrpc field must be a string"));
    /* 2.0 envelope: "jsonrpc" echoed, no "result" beside the error. */
    j = call_raw(&f, "{\"jsonrpc\":\"2.0\",\"id\":\"x\"}", &st);
    CHECK(st == 400 && err_code(j) == ERG_RPC_INVALID_REQUEST);
    CHECK(strcmp(json_string_value(json_object_get(j, "jsonrpc")), "2.0") == 0);
    CHECK(json_object_get(j, "result") == NULL && strcmp(json_string_value(json_object_get(j, "id")), "x") == 0);
    json_decref(j);
    fx_stop(&f);
}

static void test_method_not_found_and_errors(void)
{
    fixture f;
    json_t *j;
    int st;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    /* Legacy: the RPC error is also an HTTP error. */
    CHECK(replies_error(&f, "{\"method\":\"nosuch\",\"id\":1}", 404, ERG_RPC_METHOD_NOT_FOUND, "Method not found"));
    /* 2.0: HTTP 200 with the error inside. */
    j = call_raw(&f, "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":1}", &st);
    CHECK(st == 200 && err_code(j) == ERG_RPC_METHOD_NOT_FOUND && json_object_get(j, "result") == NULL);
    json_decref(j);
    /* A handler's own error codes pass through untouched. */
    CHECK(replies_error(&f, "{\"method\":\"fail\",\"params\":[-25,\"bad block\"],\"id\":1}", 500, ERG_RPC_VERIFY_ERROR,
                        "bad block"));
    CHECK(replies_error(&f, "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[-26],\"id\":1}", 200,
                        ERG_RPC_VERIFY_REJECTED, NULL));
    /* A helper's range check gives -8. */
    CHECK(replies_error(&f, "{\"method\":\"add\",\"params\":[1, 2000000],\"id\":1}", 500, ERG_RPC_INVALID_PARAMETER,
                        NULL));
    fx_stop(&f);
}

static void test_invalid_params(void)
{
    fixture f;
    json_t *j;
    int st;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    j = call_raw(&f, "{\"method\":\"add\",\"params\":[1,2,3],\"id\":1}", &st);
    CHECK(err_code(j) == ERG_RPC_INVALID_PARAMS && strstr(err_msg(j), "Usage: add x y") != NULL);
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"add\",\"params\":[1],\"id\":1}", &st);
    CHECK(err_code(j) == ERG_RPC_INVALID_PARAMS && strstr(err_msg(j), "missing required argument 'y'") != NULL);
    json_decref(j);
    /* Wrong types, every one reported. */
    j = call_raw(&f, "{\"method\":\"add\",\"params\":[\"1\",2.5],\"id\":1}", &st);
    CHECK(err_code(j) == ERG_RPC_TYPE_ERROR);
    CHECK(strstr(err_msg(j), "\"Position 1 (x)\": \"Expected type integer, got string\"") != NULL);
    CHECK(strstr(err_msg(j), "\"Position 2 (y)\": \"Expected type integer, got number\"") != NULL);
    json_decref(j);
    CHECK(replies_error(&f, "{\"method\":\"add\",\"params\":{\"x\":1,\"z\":2},\"id\":1}", 0, ERG_RPC_INVALID_PARAMETER,
                        "Unknown named parameter z"));
    fx_stop(&f);
}

static void test_named_params_and_ids(void)
{
    fixture f;
    json_t *j, *want;
    int st;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    j = call_raw(&f, "{\"method\":\"add\",\"params\":{\"y\":40,\"x\":2},\"id\":1}", &st);
    CHECK(st == 200 && json_integer_value(json_object_get(j, "result")) == 42);
    CHECK(json_is_null(json_object_get(j, "error")));
    json_decref(j);
    /* Named params land in declaration order, omitted ones as null. */
    j = call_raw(&f, "{\"method\":\"echo\",\"params\":{\"b\":\"B\"},\"id\":\"s\"}", &st);
    want = json_pack("[n,s]", "B");
    CHECK(st == 200 && json_equal(json_object_get(j, "result"), want));
    json_decref(want);
    CHECK(strcmp(json_string_value(json_object_get(j, "id")), "s") == 0);
    json_decref(j);
    /* Ids come back as sent, whatever their type; legacy requests without one get none back. */
    j = call_raw(&f, "{\"method\":\"echo\",\"id\":{\"k\":[1]}}", &st);
    want = json_pack("{s:[i]}", "k", 1);
    CHECK(json_equal(json_object_get(j, "id"), want));
    json_decref(want);
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"echo\",\"id\":null}", &st);
    CHECK(json_is_null(json_object_get(j, "id")));
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"echo\"}", &st);
    CHECK(st == 200 && j && json_object_get(j, "id") == NULL && json_object_get(j, "result") != NULL);
    json_decref(j);
    fx_stop(&f);
}

static void test_batch_and_notifications(void)
{
    fixture f;
    json_t *j, *e;
    int st;
    erg_test_resp r;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    j = call_raw(&f,
                 "[{\"method\":\"add\",\"params\":[1,2],\"id\":1},"
                 "{\"method\":\"nosuch\",\"id\":2},"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1]},"
                 "5,"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,2],\"id\":3}]",
                 &st);
    /* Batches are always HTTP 200; the notification gets no entry. */
    CHECK(st == 200 && json_is_array(j) && json_array_size(j) == 4);
    e = json_array_get(j, 0);
    CHECK(json_integer_value(json_object_get(e, "result")) == 3 && json_integer_value(json_object_get(e, "id")) == 1);
    e = json_array_get(j, 1);
    CHECK(err_code(e) == ERG_RPC_METHOD_NOT_FOUND && json_integer_value(json_object_get(e, "id")) == 2);
    e = json_array_get(j, 2);
    CHECK(err_code(e) == ERG_RPC_INVALID_REQUEST && json_is_null(json_object_get(e, "id")));
    e = json_array_get(j, 3);
    CHECK(json_integer_value(json_object_get(e, "result")) == 4 &&
          strcmp(json_string_value(json_object_get(e, "jsonrpc")), "2.0") == 0);
    json_decref(j);
    /* Empty batch: [] (bitcoind's choice over an empty reply). */
    CHECK(erg_test_http_post(f.port, "/", f.cookie, "[]", &r) == 0 && r.status == 200);
    CHECK(r.body && strcmp(r.body, "[]\n") == 0);
    erg_test_resp_free(&r);
    /* Only notifications: 204 without a body, but they did run. */
    CHECK(erg_test_http_post(f.port, "/", f.cookie, "[{\"jsonrpc\":\"2.0\",\"method\":\"stop\"}]", &r) == 0);
    CHECK(r.status == 204 && r.body_len == 0);
    erg_test_resp_free(&r);
    CHECK(erg_test_http_post(f.port, "/", f.cookie, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2]}", &r) == 0);
    CHECK(r.status == 204 && r.body_len == 0);
    erg_test_resp_free(&r);
    fx_stop(&f);
}

static void test_help_uptime_stop(void)
{
    fixture f;
    json_t *j;
    int st, before;
    const char *h;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    j = call_raw(&f, "{\"method\":\"help\",\"id\":1}", &st);
    h = json_string_value(json_object_get(j, "result"));
    CHECK(st == 200 && h != NULL);
    if (h) {
        CHECK(strncmp(h, "== Control ==\ngetrpcinfo\nhelp ( \"command\" )\nstop\nuptime\n\n== Test ==\nadd x y\n", 73) == 0);
        CHECK(strstr(h, "block") == NULL); /* hidden */
    }
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"help\",\"params\":[\"add\"],\"id\":1}", &st);
    h = json_string_value(json_object_get(j, "result"));
    CHECK(h && strcmp(h, "add x y\n\nAdd two integers.\n\nArguments:\n1. x (numeric, required) first addend\n"
                         "2. y (numeric, required) second addend\n\nResult:\nn    (numeric) x + y") == 0);
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"help\",\"params\":{\"command\":\"fail\"},\"id\":1}", &st);
    h = json_string_value(json_object_get(j, "result"));
    CHECK(h && strncmp(h, "fail ( code \"message\" )\n", 24) == 0 && strstr(h, "(numeric, optional, default=-1)"));
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"help\",\"params\":[\"nosuch\"],\"id\":1}", &st);
    CHECK(strcmp(json_string_value(json_object_get(j, "result")), "help: unknown command: nosuch") == 0);
    json_decref(j);
    j = call_raw(&f, "{\"method\":\"uptime\",\"id\":1}", &st);
    CHECK(st == 200 && json_is_integer(json_object_get(j, "result")) &&
          json_integer_value(json_object_get(j, "result")) >= 0);
    json_decref(j);
    pthread_mutex_lock(&g_mu);
    before = g_stops;
    pthread_mutex_unlock(&g_mu);
    j = call_raw(&f, "{\"method\":\"stop\",\"id\":1}", &st);
    CHECK(st == 200 && strcmp(json_string_value(json_object_get(j, "result")), "Ergon server stopping") == 0);
    json_decref(j);
    pthread_mutex_lock(&g_mu);
    CHECK(g_stops == before + 1);
    pthread_mutex_unlock(&g_mu);
    fx_stop(&f);
}

static void test_warmup(void)
{
    fixture f;
    json_t *j;
    int st;
    CHECK(fx_start(&f, 2, 4));
    if (!f.rpc) return;
    erg_rpc_set_warmup(f.rpc, "Loading block index...");
    CHECK(replies_error(&f, "{\"method\":\"add\",\"params\":[1,2],\"id\":1}", 500, ERG_RPC_IN_WARMUP,
                        "Loading block index..."));
    /* help, uptime and stop answer during warmup. */
    j = call_raw(&f, "{\"method\":\"uptime\",\"id\":1}", &st);
    CHECK(st == 200 && json_is_integer(json_object_get(j, "result")));
    json_decref(j);
    erg_rpc_set_warmup(f.rpc, NULL);
    j = call_raw(&f, "{\"method\":\"add\",\"params\":[1,2],\"id\":1}", &st);
    CHECK(st == 200 && json_integer_value(json_object_get(j, "result")) == 3);
    json_decref(j);
    fx_stop(&f);
}

static void test_work_queue_full(void)
{
    fixture f;
    erg_test_resp r;
    erg_http_stats hs;
    json_t *j, *ac;
    int fds[3], i, st, seen_block = 0;
    char *blk;
    int64_t end;
    pthread_mutex_lock(&g_mu);
    g_entered = 0;
    g_released = 0;
    pthread_mutex_unlock(&g_mu);
    /* Two workers, one queue slot. */
    CHECK(fx_start(&f, 2, 1));
    if (!f.rpc) return;
    blk = erg_test_format_post("/", f.cookie, "{\"method\":\"block\",\"id\":1}", 0);
    fds[0] = erg_test_connect("127.0.0.1", f.port);
    CHECK(erg_test_send(fds[0], blk, strlen(blk)) == 0);
    end = erg_test_now_ms() + 5000;
    for (;;) {
        int n;
        pthread_mutex_lock(&g_mu);
        n = g_entered;
        pthread_mutex_unlock(&g_mu);
        if (n >= 1 || erg_test_now_ms() > end) break;
        erg_test_sleep_ms(5);
    }
    /* The second worker is free: getrpcinfo shows the blocked call. */
    j = call_raw(&f, "{\"method\":\"getrpcinfo\",\"id\":1}", &st);
    ac = json_object_get(json_object_get(j, "result"), "active_commands");
    CHECK(st == 200 && json_array_size(ac) == 2);
    for (i = 0; i < (int)json_array_size(ac); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(ac, (size_t)i), "method")), "block") == 0)
            seen_block = json_integer_value(json_object_get(json_array_get(ac, (size_t)i), "duration")) > 0;
    CHECK(seen_block);
    json_decref(j);
    /* Fill the second worker, then (once it has taken its request) the one queue slot. */
    for (i = 1; i < 3; i++) {
        fds[i] = erg_test_connect("127.0.0.1", f.port);
        CHECK(erg_test_send(fds[i], blk, strlen(blk)) == 0);
        end = erg_test_now_ms() + 5000;
        do {
            erg_http_server_get_stats(f.http, &hs);
            /* served counts block, getrpcinfo and this block: the worker has really taken it. */
            if (i == 1 ? hs.served == 3 && hs.queued == 0 : hs.queued == 1) break;
            erg_test_sleep_ms(5);
        } while (erg_test_now_ms() < end);
    }
    CHECK(hs.queued == 1 && hs.active == 2);
    /* Full: the next call is answered 503 right away, as bitcoind does. */
    CHECK(erg_test_http_post(f.port, "/", f.cookie, "{\"method\":\"uptime\",\"id\":1}", &r) == 0);
    CHECK(r.status == 503 && r.body && strcmp(r.body, "Work queue depth exceeded\n") == 0);
    erg_test_resp_free(&r);
    pthread_mutex_lock(&g_mu);
    g_released = 1;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    for (i = 0; i < 3; i++) {
        CHECK(erg_test_read_response(fds[i], &r, 5000) == 0 && r.status == 200);
        CHECK(r.body && strstr(r.body, "\"result\":\"released\"") != NULL);
        erg_test_resp_free(&r);
        close(fds[i]);
    }
    free(blk);
    fx_stop(&f);
}

static void test_inprocess_and_registration(void)
{
    erg_rpc_server *rpc = NULL;
    erg_rpc_config cfg;
    erg_rpc_error e;
    erg_err err;
    json_t *p, *res;
    erg_rpc_method m = test_methods[0];
    char *help;
    erg_rpc_config_default(&cfg);
    /* Someone must be able to log in. */
    CHECK(erg_rpc_create(&cfg, &rpc, &err) == ERG_ERR_ARG && rpc == NULL);
    cfg.cookie_dir = "/nonexistent/ergon/dir";
    CHECK(erg_rpc_create(&cfg, &rpc, &err) == ERG_ERR_IO && rpc == NULL);
    cfg.cookie_dir = NULL;
    cfg.user = "u:v";
    cfg.password = "p";
    CHECK(erg_rpc_create(&cfg, &rpc, &err) == ERG_ERR_ARG);
    cfg.user = NULL; /* an empty user name is allowed, as bitcoind's default rpcuser */
    CHECK(erg_rpc_create(&cfg, &rpc, &err) == ERG_OK && rpc != NULL);
    erg_rpc_destroy(rpc);
    rpc = NULL;
    cfg.user = "u";
    CHECK(erg_rpc_create(&cfg, &rpc, &err) == ERG_OK && rpc != NULL);
    if (!rpc) return;
    CHECK(strcmp(erg_rpc_cookie_path(rpc), "") == 0);
    CHECK(erg_rpc_register(rpc, &m, &err) == ERG_OK);
    CHECK(erg_rpc_register(rpc, &m, &err) == ERG_ERR_ARG);
    m.name = "Bad-Name";
    CHECK(erg_rpc_register(rpc, &m, &err) == ERG_ERR_ARG);
    p = json_pack("[i,i]", 20, 22);
    res = erg_rpc_execute(rpc, "add", p, &e);
    CHECK(res && json_integer_value(res) == 42);
    json_decref(res);
    json_decref(p);
    res = erg_rpc_execute(rpc, "stop", NULL, &e);
    CHECK(!res && e.code == ERG_RPC_MISC_ERROR);
    help = erg_rpc_help(rpc, NULL);
    CHECK(help && strstr(help, "== Test ==\nadd x y") != NULL);
    free(help);
    erg_rpc_destroy(rpc);
}

static void setup(void) __attribute__((constructor));
static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    erg_log_set_level(ERG_LOG_NONE);
}

ERG_TESTS("rpc", T(test_cookie_file), T(test_auth), T(test_http_status_paths), T(test_parse_errors),
          T(test_invalid_request), T(test_method_not_found_and_errors), T(test_invalid_params),
          T(test_named_params_and_ids), T(test_batch_and_notifications), T(test_help_uptime_stop), T(test_warmup),
          T(test_work_queue_full), T(test_inprocess_and_registration))
