/* JSON-RPC dispatcher: request parsing and replies as bitcoind, auth, method table, built-in methods. */
#include "src/node/rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/crypto/random.h"
#include "src/crypto/sha256.h"
#include "chain/params.h"
#include "src/util/base64.h"
#include "src/util/buffer.h"
#include "src/util/hex.h"
#include "src/util/log.h"

#define ERG_RPC_COOKIE_USER "__cookie__"
#define ERG_RPC_MAX_CREDS 2

/* One method running now, for getrpcinfo; lives on the executing thread's stack. */
typedef struct erg_rpc_active {
    const char *method;
    struct timespec start;
    struct erg_rpc_active *prev, *next;
} erg_rpc_active;

/*
 * Invariants: methods[0..n_methods) is sorted by name with no duplicates (guarded by
 * table_lock). creds holds SHA-256 digests of "user:password" for every accepted credential;
 * the plain secrets are not kept. `lock` guards warmup and the active list.
 */
struct erg_rpc_server {
    pthread_rwlock_t table_lock;
    erg_rpc_method *methods;
    size_t n_methods, cap_methods;

    uint8_t creds[ERG_RPC_MAX_CREDS][32];
    size_t n_creds;
    unsigned auth_fail_delay_ms;
    char cookie_path[PATH_MAX]; /* "" when no cookie was written */

    erg_rpc_stop_fn on_stop;
    void *stop_ctx;
    struct timespec started; /* CLOCK_MONOTONIC */

    pthread_mutex_t lock;
    char *warmup;            /* owned; NULL when serving normally */
    erg_rpc_active *active;  /* list head */
};

json_t *erg_rpc_fail(erg_rpc_error *e, int code, const char *fmt, ...)
{
    va_list ap;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return NULL;
}

void erg_rpc_config_default(erg_rpc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->auth_fail_delay_ms = 250;
}

/* --- cookie and credentials --- */

static erg_code write_cookie(erg_rpc_server *rpc, const char *dir, char *secret, size_t cap, erg_err *err)
{
    uint8_t raw[32];
    char hex[65], tmp[PATH_MAX + 8];
    int fd, n;
    size_t len, off = 0;
    erg_code rc;
    n = snprintf(rpc->cookie_path, sizeof rpc->cookie_path, "%s/%s", dir, ERG_COOKIE_NAME);
    if (n < 0 || (size_t)n >= sizeof rpc->cookie_path) {
        rpc->cookie_path[0] = '\0';
        return erg_err_set(err, ERG_ERR_RANGE, "rpc: cookie path too long");
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", rpc->cookie_path);
    if ((rc = erg_random_bytes(raw, sizeof raw, err))) return erg_err_prefix(err, "rpc: cookie: ");
    if ((rc = erg_hex_encode(raw, sizeof raw, hex, sizeof hex, err))) return rc;
    erg_memzero(raw, sizeof raw);
    n = snprintf(secret, cap, "%s:%s", ERG_RPC_COOKIE_USER, hex);
    erg_memzero(hex, sizeof hex);
    len = (size_t)n;
    /* A fresh file every start: never reuse (or follow a link planted at) the temporary name. */
    if (unlink(tmp) != 0 && errno != ENOENT)
        return erg_err_set(err, ERG_ERR_IO, "rpc: cannot remove %s: %s", tmp, strerror(errno));
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return erg_err_set(err, ERG_ERR_IO, "rpc: cannot create %s: %s", tmp, strerror(errno));
    if (fchmod(fd, 0600) != 0) {
        close(fd);
        unlink(tmp);
        return erg_err_set(err, ERG_ERR_IO, "rpc: chmod %s: %s", tmp, strerror(errno));
    }
    while (off < len) {
        ssize_t w = write(fd, secret + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return erg_err_set(err, ERG_ERR_IO, "rpc: write %s: %s", tmp, strerror(errno));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0 || rename(tmp, rpc->cookie_path) != 0) {
        unlink(tmp);
        return erg_err_set(err, ERG_ERR_IO, "rpc: cannot install %s: %s", rpc->cookie_path, strerror(errno));
    }
    return ERG_OK;
}

/* Compare against every credential without an early exit, digests rather than secrets, so the
 * time taken says nothing about how much of a guess was right or how long the secret is. */
static int creds_match(const erg_rpc_server *rpc, const char *userpass, size_t len)
{
    uint8_t h[32];
    size_t i, j;
    int ok = 0;
    erg_sha256(userpass, len, h);
    for (i = 0; i < rpc->n_creds; i++) {
        uint8_t acc = 0;
        for (j = 0; j < 32; j++) acc |= (uint8_t)(h[j] ^ rpc->creds[i][j]);
        ok |= acc == 0;
    }
    erg_memzero(h, sizeof h);
    return ok;
}

/* Check "Basic base64(user:password)"; on success copy the user name out. */
static int check_auth(const erg_rpc_server *rpc, const char *header, char *user, size_t user_cap)
{
    const char *p;
    size_t len;
    uint8_t *dec = NULL;
    size_t dlen;
    const char *colon;
    int ok;
    if (strncasecmp(header, "Basic ", 6) != 0) return 0;
    p = header + 6;
    while (*p == ' ' || *p == '\t') p++;
    len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    if (erg_base64_decode_alloc(p, len, &dec, &dlen, NULL) != ERG_OK) return 0;
    ok = memchr(dec, 0, dlen) == NULL && creds_match(rpc, (const char *)dec, dlen);
    if (ok) {
        colon = strchr((const char *)dec, ':');
        len = colon ? (size_t)(colon - (const char *)dec) : dlen;
        if (len >= user_cap) len = user_cap - 1;
        memcpy(user, dec, len);
        user[len] = '\0';
    }
    erg_memzero(dec, dlen);
    free(dec);
    return ok;
}

/* --- method table --- */

static int valid_name(const char *n)
{
    size_t i;
    if (!n || !*n || strlen(n) > 64) return 0;
    for (i = 0; n[i]; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_')) return 0;
    return 1;
}

/* Index of `name`, or of where it would be inserted (with *found = 0). Caller holds table_lock. */
static size_t method_pos(const erg_rpc_server *rpc, const char *name, int *found)
{
    size_t lo = 0, hi = rpc->n_methods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rpc->methods[mid].name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = 0;
    return lo;
}

erg_code erg_rpc_register(erg_rpc_server *rpc, const erg_rpc_method *m, erg_err *err)
{
    size_t pos, i;
    int found;
    if (!m || !valid_name(m->name) || !m->fn || !m->category || (m->n_args && !m->args))
        return erg_err_set(err, ERG_ERR_ARG, "rpc: method '%s' needs a name of [a-z0-9_], a category and a handler",
                           m && m->name ? m->name : "(null)");
    for (i = 0; i < m->n_args; i++)
        if (!m->args[i].name || !*m->args[i].name)
            return erg_err_set(err, ERG_ERR_ARG, "rpc: method '%s' argument %zu has no name", m->name, i + 1);
    pthread_rwlock_wrlock(&rpc->table_lock);
    pos = method_pos(rpc, m->name, &found);
    if (found) {
        pthread_rwlock_unlock(&rpc->table_lock);
        return erg_err_set(err, ERG_ERR_ARG, "rpc: method '%s' is already registered", m->name);
    }
    if (rpc->n_methods == rpc->cap_methods) {
        size_t cap = rpc->cap_methods ? 2 * rpc->cap_methods : 32;
        erg_rpc_method *n = realloc(rpc->methods, cap * sizeof *n);
        if (!n) {
            pthread_rwlock_unlock(&rpc->table_lock);
            return erg_err_set(err, ERG_ERR_NOMEM, "rpc: out of memory");
        }
        rpc->methods = n;
        rpc->cap_methods = cap;
    }
    memmove(&rpc->methods[pos + 1], &rpc->methods[pos], (rpc->n_methods - pos) * sizeof *rpc->methods);
    rpc->methods[pos] = *m;
    rpc->n_methods++;
    pthread_rwlock_unlock(&rpc->table_lock);
    return ERG_OK;
}

erg_code erg_rpc_register_all(erg_rpc_server *rpc, const erg_rpc_method *m, size_t n, erg_err *err)
{
    size_t i;
    erg_code rc;
    for (i = 0; i < n; i++)
        if ((rc = erg_rpc_register(rpc, &m[i], err))) return rc;
    return ERG_OK;
}

erg_code erg_rpc_register_with_ctx(erg_rpc_server *rpc, const erg_rpc_method *m, size_t n, void *ctx, erg_err *err)
{
    size_t i;
    erg_code rc;
    for (i = 0; i < n; i++) {
        erg_rpc_method c = m[i];
        c.ctx = ctx;
        if ((rc = erg_rpc_register(rpc, &c, err))) return rc;
    }
    return ERG_OK;
}

static int method_get(erg_rpc_server *rpc, const char *name, erg_rpc_method *out)
{
    int found;
    size_t pos;
    pthread_rwlock_rdlock(&rpc->table_lock);
    pos = method_pos(rpc, name, &found);
    if (found) *out = rpc->methods[pos];
    pthread_rwlock_unlock(&rpc->table_lock);
    return found;
}

/* --- help text --- */

static const char *type_name(erg_rpc_type t)
{
    switch (t) {
    case ERG_RPC_STR: return "string";
    case ERG_RPC_NUM: return "numeric";
    case ERG_RPC_INT: return "numeric";
    case ERG_RPC_BOOL: return "boolean";
    case ERG_RPC_OBJ: return "json object";
    case ERG_RPC_ARR: return "json array";
    case ERG_RPC_ANY: break;
    }
    return "any";
}

static void put_str(erg_buf *b, const char *s)
{
    erg_buf_put_raw(b, s, strlen(s));
}

/* `name "str" num ( "opt" opt2 )`, as bitcoind prints a method's first help line. */
static void put_usage(erg_buf *b, const erg_rpc_method *m)
{
    size_t i;
    int in_opt = 0;
    put_str(b, m->name);
    for (i = 0; i < m->n_args; i++) {
        const erg_rpc_arg *a = &m->args[i];
        put_str(b, " ");
        if (a->optional && !in_opt) {
            put_str(b, "( ");
            in_opt = 1;
        }
        if (a->type == ERG_RPC_STR) put_str(b, "\"");
        put_str(b, a->name);
        if (a->type == ERG_RPC_STR) put_str(b, "\"");
    }
    if (in_opt) put_str(b, " )");
}

static void put_method_help(erg_buf *b, const erg_rpc_method *m)
{
    size_t i, w = 0;
    put_usage(b, m);
    put_str(b, "\n");
    if (m->description) {
        put_str(b, "\n");
        put_str(b, m->description);
        put_str(b, "\n");
    }
    if (m->n_args) put_str(b, "\nArguments:\n");
    for (i = 0; i < m->n_args; i++)
        if (strlen(m->args[i].name) > w) w = strlen(m->args[i].name);
    for (i = 0; i < m->n_args; i++) {
        const erg_rpc_arg *a = &m->args[i];
        char line[128];
        snprintf(line, sizeof line, "%zu. %-*s (%s, %s", i + 1, (int)w, a->name, type_name(a->type),
                 a->optional ? "optional" : "required");
        put_str(b, line);
        if (a->def) {
            put_str(b, ", default=");
            put_str(b, a->def);
        }
        put_str(b, ")");
        if (a->desc) {
            put_str(b, " ");
            put_str(b, a->desc);
        }
        put_str(b, "\n");
    }
    if (m->result) {
        put_str(b, "\nResult:\n");
        put_str(b, m->result);
        put_str(b, "\n");
    }
}

static char *buf_to_str(erg_buf *b)
{
    char *s;
    /* Drop one trailing newline: the CLI adds its own. */
    if (b->len && b->data[b->len - 1] == '\n') b->len--;
    s = malloc(b->len + 1);
    if (s && !b->failed) {
        memcpy(s, b->data, b->len);
        s[b->len] = '\0';
    } else if (s) {
        free(s);
        s = NULL;
    }
    erg_buf_free(b);
    return s;
}

char *erg_rpc_help(erg_rpc_server *rpc, const char *name)
{
    erg_buf b;
    size_t i;
    erg_buf_init(&b);
    if (name) {
        erg_rpc_method m;
        if (!method_get(rpc, name, &m)) {
            put_str(&b, "help: unknown command: ");
            put_str(&b, name);
        } else {
            put_method_help(&b, &m);
        }
        return buf_to_str(&b);
    }
    pthread_rwlock_rdlock(&rpc->table_lock);
    {
        /* Categories in alphabetical order, methods by name within each. */
        const char *done = "";
        for (;;) {
            const char *next = NULL;
            for (i = 0; i < rpc->n_methods; i++) {
                const char *c = rpc->methods[i].category;
                if (strcmp(c, "hidden") == 0 || strcmp(c, done) <= 0) continue;
                if (!next || strcmp(c, next) < 0) next = c;
            }
            if (!next) break;
            if (b.len) put_str(&b, "\n");
            put_str(&b, "== ");
            erg_buf_put_u8(&b, (uint8_t)(next[0] >= 'a' && next[0] <= 'z' ? next[0] - 32 : next[0]));
            put_str(&b, next + 1);
            put_str(&b, " ==\n");
            for (i = 0; i < rpc->n_methods; i++) {
                if (strcmp(rpc->methods[i].category, next) != 0) continue;
                put_usage(&b, &rpc->methods[i]);
                put_str(&b, "\n");
            }
            done = next;
        }
    }
    pthread_rwlock_unlock(&rpc->table_lock);
    return buf_to_str(&b);
}

/* --- execution --- */

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static const char *expected_name(erg_rpc_type t)
{
    switch (t) {
    case ERG_RPC_STR: return "string";
    case ERG_RPC_NUM: return "number";
    case ERG_RPC_INT: return "integer";
    case ERG_RPC_BOOL: return "bool";
    case ERG_RPC_OBJ: return "object";
    case ERG_RPC_ARR: return "array";
    case ERG_RPC_ANY: break;
    }
    return "any";
}

static int type_ok(erg_rpc_type t, const json_t *v)
{
    switch (t) {
    case ERG_RPC_ANY: return 1;
    case ERG_RPC_STR: return json_is_string(v);
    case ERG_RPC_NUM: return json_is_number(v);
    case ERG_RPC_INT: return json_is_integer(v);
    case ERG_RPC_BOOL: return json_is_boolean(v);
    case ERG_RPC_OBJ: return json_is_object(v);
    case ERG_RPC_ARR: return json_is_array(v);
    }
    return 0;
}

static json_t *fail_usage(erg_rpc_error *e, const erg_rpc_method *m, const char *fmt, const char *a, size_t n)
{
    erg_buf b;
    char head[256], *usage;
    snprintf(head, sizeof head, fmt, a, n);
    erg_buf_init(&b);
    put_usage(&b, m);
    usage = buf_to_str(&b);
    erg_rpc_fail(e, ERG_RPC_INVALID_PARAMS, "%s\nUsage: %s", head, usage ? usage : m->name);
    free(usage);
    return NULL;
}

/* Positional array of exactly n_args entries (null where omitted), or NULL with *e set. */
static json_t *normalize_params(const erg_rpc_method *m, json_t *params, erg_rpc_error *e)
{
    json_t *out, *arg_mismatch;
    size_t i;
    if (params && json_is_object(params)) {
        const char *key;
        json_t *val;
        out = json_array();
        for (i = 0; out && i < m->n_args; i++) json_array_append_new(out, json_null());
        if (!out) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
        json_object_foreach(params, key, val) {
            for (i = 0; i < m->n_args; i++)
                if (strcmp(m->args[i].name, key) == 0) break;
            if (i == m->n_args) {
                json_decref(out);
                return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "Unknown named parameter %s", key);
            }
            json_array_set(out, i, val);
        }
    } else if (!params || json_is_null(params) || json_is_array(params)) {
        size_t n = params && json_is_array(params) ? json_array_size(params) : 0;
        if (n > m->n_args) return fail_usage(e, m, "Invalid params: %s takes at most %zu arguments", m->name, m->n_args);
        out = n ? json_copy(params) : json_array();
        for (i = n; out && i < m->n_args; i++) json_array_append_new(out, json_null());
        if (!out || json_array_size(out) != m->n_args) {
            json_decref(out);
            return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
        }
    } else {
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMS, "Params must be an array or object");
    }
    for (i = 0; i < m->n_args; i++)
        if (!m->args[i].optional && json_is_null(json_array_get(out, i))) {
            json_decref(out);
            return fail_usage(e, m, "Invalid params: missing required argument '%s' (position %zu)", m->args[i].name,
                              i + 1);
        }
    /* Every mismatch at once, in bitcoind's "Wrong type passed" shape. */
    arg_mismatch = json_object();
    for (i = 0; arg_mismatch && i < m->n_args; i++) {
        json_t *v = json_array_get(out, i);
        if (!json_is_null(v) && !type_ok(m->args[i].type, v)) {
            char k[96], msg[96];
            snprintf(k, sizeof k, "Position %zu (%s)", i + 1, m->args[i].name);
            snprintf(msg, sizeof msg, "Expected type %s, got %s", expected_name(m->args[i].type), json_type_name(v));
            json_object_set_new(arg_mismatch, k, json_string(msg));
        }
    }
    if (!arg_mismatch || json_object_size(arg_mismatch)) {
        char *txt = arg_mismatch ? json_dumps(arg_mismatch, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        erg_rpc_fail(e, ERG_RPC_TYPE_ERROR, "Wrong type passed:\n%s", txt ? txt : "?");
        free(txt);
        json_decref(arg_mismatch);
        json_decref(out);
        return NULL;
    }
    json_decref(arg_mismatch);
    return out;
}

static json_t *execute_as(erg_rpc_server *rpc, const char *name, json_t *params, const char *peer, const char *user,
                          erg_rpc_error *e)
{
    erg_rpc_method m;
    erg_rpc_call call;
    erg_rpc_active act;
    json_t *args, *result;
    e->code = 0;
    e->message[0] = '\0';
    if (!method_get(rpc, name, &m)) return erg_rpc_fail(e, ERG_RPC_METHOD_NOT_FOUND, "Method not found");
    pthread_mutex_lock(&rpc->lock);
    if (rpc->warmup && !m.ok_in_warmup) {
        erg_rpc_fail(e, ERG_RPC_IN_WARMUP, "%s", rpc->warmup);
        pthread_mutex_unlock(&rpc->lock);
        return NULL;
    }
    act.method = m.name;
    clock_gettime(CLOCK_MONOTONIC, &act.start);
    act.prev = NULL;
    act.next = rpc->active;
    if (rpc->active) rpc->active->prev = &act;
    rpc->active = &act;
    pthread_mutex_unlock(&rpc->lock);

    result = NULL;
    args = normalize_params(&m, params, e);
    if (args) {
        call.rpc = rpc;
        call.method = &m;
        call.params = args;
        call.peer = peer ? peer : "";
        call.user = user ? user : "";
        call.ctx = m.ctx;
        result = m.fn(&call, e);
        json_decref(args);
        if (e->code) {
            json_decref(result);
            result = NULL;
        } else if (!result) {
            erg_rpc_fail(e, ERG_RPC_INTERNAL_ERROR, "%s returned neither a result nor an error", m.name);
        }
    }

    pthread_mutex_lock(&rpc->lock);
    if (act.prev) act.prev->next = act.next;
    else rpc->active = act.next;
    if (act.next) act.next->prev = act.prev;
    pthread_mutex_unlock(&rpc->lock);
    return result;
}

json_t *erg_rpc_execute(erg_rpc_server *rpc, const char *method, json_t *params, erg_rpc_error *e)
{
    return execute_as(rpc, method, params, "", "", e);
}

/* --- the JSON-RPC envelope --- */

typedef struct rpc_req {
    json_t *id;       /* borrowed; NULL when the request had no "id" */
    int v2;           /* "jsonrpc": "2.0" */
    const char *method;
    json_t *params;   /* borrowed array or object, or NULL for none */
} rpc_req;

static json_t *error_obj(const erg_rpc_error *e)
{
    return json_pack("{s:i,s:s}", "code", e->code, "message", e->message);
}

/* bitcoind's JSONRPCReplyObj: v1 always carries result and error, v2 exactly one of them. */
static json_t *reply_obj(json_t *result, json_t *error, const json_t *id, int v2)
{
    json_t *o = json_object();
    if (!o) {
        json_decref(result);
        json_decref(error);
        return NULL;
    }
    if (v2) json_object_set_new(o, "jsonrpc", json_string("2.0"));
    if (!v2) {
        json_object_set_new(o, "result", result ? result : json_null());
        json_object_set_new(o, "error", error ? error : json_null());
    } else if (error) {
        json_object_set_new(o, "error", error);
        json_decref(result);
    } else {
        json_object_set_new(o, "result", result ? result : json_null());
    }
    if (id) json_object_set(o, "id", (json_t *)id);
    return o;
}

/* bitcoind's JSONRPCRequest::parse. Fields are set as far as parsing got, so an error reply
 * still echoes the id and version when those were readable. */
static int parse_req(json_t *v, rpc_req *r, erg_rpc_error *e)
{
    json_t *ver, *meth, *params;
    r->method = NULL;
    r->params = NULL;
    if (!json_is_object(v)) return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "Invalid Request object"), 0;
    r->id = json_object_get(v, "id");
    r->v2 = 0;
    ver = json_object_get(v, "jsonrpc");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver)) return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "jsonrpc field must be a string"), 0;
        /* Some old documentation sent "1.0" in requests; accepted as the legacy protocol. */
        if (strcmp(json_string_value(ver), "2.0") == 0) r->v2 = 1;
        else if (strcmp(json_string_value(ver), "1.0") != 0)
            return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "JSON-RPC version not supported"), 0;
    }
    meth = json_object_get(v, "method");
    if (!meth || json_is_null(meth)) return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "Missing method"), 0;
    if (!json_is_string(meth)) return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "Method must be a string"), 0;
    r->method = json_string_value(meth);
    params = json_object_get(v, "params");
    if (params && !json_is_null(params)) {
        if (!json_is_array(params) && !json_is_object(params))
            return erg_rpc_fail(e, ERG_RPC_INVALID_REQUEST, "Params must be an array or object"), 0;
        r->params = params;
    }
    return 1;
}

static int is_notification(const rpc_req *r)
{
    return r->v2 && !r->id;
}

static char *dump_reply(json_t *reply)
{
    char *s = reply ? json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    char *t;
    size_t n;
    json_decref(reply);
    if (!s) return NULL;
    n = strlen(s);
    t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

static int status_for_error(int code)
{
    if (code == ERG_RPC_INVALID_REQUEST) return ERG_HTTP_BAD_REQUEST;
    if (code == ERG_RPC_METHOD_NOT_FOUND) return ERG_HTTP_NOT_FOUND;
    return ERG_HTTP_INTERNAL_ERROR;
}

/* A top-level failure: bitcoind's JSONErrorReply (legacy envelope unless the request said 2.0). */
static char *error_reply(const erg_rpc_error *e, const rpc_req *r, int *http_status)
{
    *http_status = status_for_error(e->code);
    return dump_reply(reply_obj(NULL, error_obj(e), r->id, r->v2));
}

static json_t *exec_one(erg_rpc_server *rpc, const rpc_req *r, const char *peer, const char *user)
{
    erg_rpc_error e;
    json_t *res = execute_as(rpc, r->method, r->params, peer, user, &e);
    if (!res) return reply_obj(NULL, error_obj(&e), r->id, r->v2);
    return reply_obj(res, NULL, r->id, r->v2);
}

char *erg_rpc_process(erg_rpc_server *rpc, const char *body, size_t len, const char *peer, const char *user,
                      int *http_status)
{
    json_error_t je;
    json_t *root, *reply;
    rpc_req r;
    erg_rpc_error e;
    char *out;
    memset(&r, 0, sizeof r);
    memset(&e, 0, sizeof e);
    /* Until a request says otherwise, errors carry "id": null (bitcoind's default). */
    r.id = json_null();
    root = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        erg_rpc_fail(&e, ERG_RPC_PARSE_ERROR, "Parse error");
        return error_reply(&e, &r, http_status);
    }
    if (json_is_object(root)) {
        if (!parse_req(root, &r, &e)) {
            out = error_reply(&e, &r, http_status);
            json_decref(root);
            return out;
        }
        if (r.v2) {
            /* 2.0: an RPC error is still an HTTP success. */
            reply = exec_one(rpc, &r, peer, user);
            if (is_notification(&r)) {
                json_decref(reply);
                json_decref(root);
                *http_status = ERG_HTTP_NO_CONTENT;
                return NULL;
            }
            *http_status = ERG_HTTP_OK;
        } else {
            /* Legacy: an RPC error is also an HTTP error (400 / 404 / 500). */
            json_t *res = execute_as(rpc, r.method, r.params, peer, user, &e);
            if (!res) {
                out = error_reply(&e, &r, http_status);
                json_decref(root);
                return out;
            }
            reply = reply_obj(res, NULL, r.id, 0);
            *http_status = ERG_HTTP_OK;
        }
    } else if (json_is_array(root)) {
        size_t i, n = json_array_size(root);
        reply = json_array();
        for (i = 0; reply && i < n; i++) {
            rpc_req ri;
            json_t *one;
            memset(&ri, 0, sizeof ri);
            ri.id = json_null();
            if (parse_req(json_array_get(root, i), &ri, &e)) one = exec_one(rpc, &ri, peer, user);
            else one = reply_obj(NULL, error_obj(&e), ri.id, ri.v2);
            if (is_notification(&ri)) json_decref(one);
            else json_array_append_new(reply, one);
        }
        /* An all-notification batch gets no body; an empty batch gets [] as bitcoind answers. */
        if (reply && json_array_size(reply) == 0 && n > 0) {
            json_decref(reply);
            json_decref(root);
            *http_status = ERG_HTTP_NO_CONTENT;
            return NULL;
        }
        *http_status = ERG_HTTP_OK;
    } else {
        erg_rpc_fail(&e, ERG_RPC_PARSE_ERROR, "Top-level object parse error");
        json_decref(root);
        return error_reply(&e, &r, http_status);
    }
    out = dump_reply(reply);
    json_decref(root);
    if (!out) {
        *http_status = ERG_HTTP_INTERNAL_ERROR;
        erg_log_error("rpc", "out of memory writing a reply");
    }
    return out;
}

/* --- HTTP binding --- */

static void rpc_http_handler(erg_http_request *req, void *ctx)
{
    erg_rpc_server *rpc = ctx;
    const char *auth;
    char user[128];
    const uint8_t *body;
    size_t len;
    int status = ERG_HTTP_OK;
    char *out;
    if (erg_http_req_method(req) != ERG_HTTP_POST) {
        static const char msg[] = "JSONRPC server handles only POST requests";
        erg_http_reply(req, ERG_HTTP_BAD_METHOD, msg, sizeof msg - 1);
        return;
    }
    auth = erg_http_req_header(req, "Authorization");
    if (!auth || !check_auth(rpc, auth, user, sizeof user)) {
        if (auth) {
            struct timespec ts;
            erg_log_warn("rpc", "incorrect password attempt from %s", erg_http_req_peer(req));
            /* Slow down guessing; anyone able to exhaust workers this way already reached the port. */
            ts.tv_sec = rpc->auth_fail_delay_ms / 1000;
            ts.tv_nsec = (long)(rpc->auth_fail_delay_ms % 1000) * 1000000L;
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
        if (erg_http_req_add_header(req, "WWW-Authenticate", "Basic realm=\"jsonrpc\"", NULL) != ERG_OK)
            erg_log_error("rpc", "out of memory adding a header");
        erg_http_reply(req, ERG_HTTP_UNAUTHORIZED, NULL, 0);
        return;
    }
    body = erg_http_req_body(req, &len);
    out = erg_rpc_process(rpc, (const char *)body, len, erg_http_req_peer(req), user, &status);
    if (!out) {
        erg_http_reply(req, status, NULL, 0);
        return;
    }
    if (erg_http_req_add_header(req, "Content-Type", "application/json", NULL) != ERG_OK)
        erg_log_error("rpc", "out of memory adding a header");
    erg_http_reply_take(req, status, out, strlen(out));
}

erg_code erg_rpc_attach(erg_rpc_server *rpc, erg_http_server *http, erg_err *err)
{
    return erg_http_handler_add(http, "/", 1, rpc_http_handler, rpc, err);
}

void erg_rpc_detach(erg_rpc_server *rpc, erg_http_server *http)
{
    (void)rpc;
    erg_http_handler_remove(http, "/", 1);
}

/* --- built-in methods --- */

static json_t *rpc_help(const erg_rpc_call *c, erg_rpc_error *e)
{
    char *txt = erg_rpc_help(c->rpc, erg_rpc_arg_str(c, 0, NULL));
    json_t *r;
    if (!txt) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
    r = json_string(txt);
    free(txt);
    if (!r) return erg_rpc_fail(e, ERG_RPC_INTERNAL_ERROR, "help text is not valid UTF-8");
    return r;
}

static json_t *rpc_uptime(const erg_rpc_call *c, erg_rpc_error *e)
{
    struct timespec now;
    (void)e;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return json_integer((json_int_t)(now.tv_sec - c->rpc->started.tv_sec));
}

static json_t *rpc_stop(const erg_rpc_call *c, erg_rpc_error *e)
{
    if (!c->rpc->on_stop) return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "this server cannot be stopped over RPC");
    erg_log_info("rpc", "stop requested by %s", *c->peer ? c->peer : "an in-process caller");
    c->rpc->on_stop(c->rpc->stop_ctx);
    return json_string("Ergon server stopping");
}

static json_t *rpc_getrpcinfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    json_t *arr = json_array(), *out;
    struct timespec now;
    const erg_rpc_active *a;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&c->rpc->lock);
    for (a = c->rpc->active; arr && a; a = a->next) {
        int64_t us = (int64_t)(now.tv_sec - a->start.tv_sec) * 1000000 + (now.tv_nsec - a->start.tv_nsec) / 1000;
        json_array_append_new(arr, json_pack("{s:s,s:I}", "method", a->method, "duration", (json_int_t)us));
    }
    pthread_mutex_unlock(&c->rpc->lock);
    out = arr ? json_pack("{s:o}", "active_commands", arr) : NULL;
    if (!out) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
    return out;
}

static const erg_rpc_arg help_args[] = {
    {"command", ERG_RPC_STR, 1, "all commands", "The command to get help on"},
};

static const erg_rpc_method builtin_methods[] = {
    {"control", "help", rpc_help, NULL, help_args, 1, "List all commands, or get help for a specified command.",
     "\"text\"    (string) The help text", 1},
    {"control", "uptime", rpc_uptime, NULL, NULL, 0, "Returns the total uptime of the server.",
     "n    (numeric) The number of seconds that the server has been running", 1},
    {"control", "stop", rpc_stop, NULL, NULL, 0, "Request a graceful shutdown of the Ergon server.",
     "\"text\"    (string) \"Ergon server stopping\"", 1},
    {"control", "getrpcinfo", rpc_getrpcinfo, NULL, NULL, 0, "Returns details of the RPC server.",
     "{\n  \"active_commands\" : [    (json array) All active commands\n    {\n"
     "      \"method\" : \"str\",    (string) The name of the RPC command\n"
     "      \"duration\" : n         (numeric) The running time in microseconds\n    }\n  ]\n}",
     1},
};

/* --- lifecycle --- */

erg_code erg_rpc_create(const erg_rpc_config *cfg, erg_rpc_server **out, erg_err *err)
{
    erg_rpc_server *rpc;
    char secret[ERG_RPC_MSG_MAX];
    erg_code rc;
    *out = NULL;
    if (!cfg) return erg_err_set(err, ERG_ERR_ARG, "rpc: no configuration");
    if (!cfg->cookie_dir && !(cfg->password && *cfg->password))
        return erg_err_set(err, ERG_ERR_ARG, "rpc: neither a cookie directory nor rpcpassword: no one could log in");
    if (cfg->password && *cfg->password && cfg->user && strchr(cfg->user, ':'))
        return erg_err_set(err, ERG_ERR_ARG, "rpc: rpcuser may not contain ':'");
    rpc = calloc(1, sizeof *rpc);
    if (!rpc) return erg_err_set(err, ERG_ERR_NOMEM, "rpc: out of memory");
    pthread_rwlock_init(&rpc->table_lock, NULL);
    pthread_mutex_init(&rpc->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &rpc->started);
    rpc->auth_fail_delay_ms = cfg->auth_fail_delay_ms;
    rpc->on_stop = cfg->on_stop;
    rpc->stop_ctx = cfg->stop_ctx;
    if ((rc = erg_rpc_register_all(rpc, builtin_methods, sizeof builtin_methods / sizeof builtin_methods[0], err)))
        goto fail;
    if (cfg->password && *cfg->password) {
        int n = snprintf(secret, sizeof secret, "%s:%s", cfg->user ? cfg->user : "", cfg->password);
        if (n < 0 || (size_t)n >= sizeof secret) {
            rc = erg_err_set(err, ERG_ERR_RANGE, "rpc: rpcuser:rpcpassword longer than %zu bytes", sizeof secret - 1);
            goto fail;
        }
        erg_sha256(secret, (size_t)n, rpc->creds[rpc->n_creds++]);
    }
    if (cfg->cookie_dir) {
        if ((rc = write_cookie(rpc, cfg->cookie_dir, secret, sizeof secret, err))) {
            rpc->cookie_path[0] = '\0';
            goto fail;
        }
        erg_sha256(secret, strlen(secret), rpc->creds[rpc->n_creds++]);
        erg_log_info("rpc", "generated RPC authentication cookie %s", rpc->cookie_path);
    }
    erg_memzero(secret, sizeof secret);
    *out = rpc;
    return ERG_OK;
fail:
    erg_memzero(secret, sizeof secret);
    erg_rpc_destroy(rpc);
    return rc;
}

void erg_rpc_destroy(erg_rpc_server *rpc)
{
    if (!rpc) return;
    if (rpc->cookie_path[0] && unlink(rpc->cookie_path) != 0 && errno != ENOENT)
        erg_log_warn("rpc", "cannot remove %s: %s", rpc->cookie_path, strerror(errno));
    erg_memzero(rpc->creds, sizeof rpc->creds);
    free(rpc->methods);
    free(rpc->warmup);
    pthread_mutex_destroy(&rpc->lock);
    pthread_rwlock_destroy(&rpc->table_lock);
    free(rpc);
}

void erg_rpc_set_warmup(erg_rpc_server *rpc, const char *status)
{
    char *copy = status ? strdup(status) : NULL;
    pthread_mutex_lock(&rpc->lock);
    free(rpc->warmup);
    /* Out of memory while entering warmup still has to block methods: use a fixed text. */
    rpc->warmup = status && !copy ? strdup("Warming up") : copy;
    pthread_mutex_unlock(&rpc->lock);
}

const char *erg_rpc_cookie_path(const erg_rpc_server *rpc)
{
    return rpc->cookie_path;
}

/* --- argument helpers --- */

erg_code erg_rpc_arg_int(const erg_rpc_call *c, size_t i, int64_t lo, int64_t hi, int64_t def, int64_t *out,
                         erg_rpc_error *e)
{
    json_t *v = json_array_get(c->params, i);
    const char *name = i < c->method->n_args ? c->method->args[i].name : "?";
    int64_t x;
    if (!v || json_is_null(v)) {
        *out = def;
        return ERG_OK;
    }
    if (!json_is_integer(v)) {
        erg_rpc_fail(e, ERG_RPC_TYPE_ERROR, "%s must be an integer", name);
        return ERG_ERR_RANGE;
    }
    x = (int64_t)json_integer_value(v);
    if (x < lo || x > hi) {
        erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "%s out of range: %lld not in [%lld, %lld]", name, (long long)x,
                     (long long)lo, (long long)hi);
        return ERG_ERR_RANGE;
    }
    *out = x;
    return ERG_OK;
}

const char *erg_rpc_arg_str(const erg_rpc_call *c, size_t i, const char *def)
{
    json_t *v = json_array_get(c->params, i);
    return v && json_is_string(v) ? json_string_value(v) : def;
}

int erg_rpc_arg_bool(const erg_rpc_call *c, size_t i, int def)
{
    json_t *v = json_array_get(c->params, i);
    return v && json_is_boolean(v) ? json_is_true(v) : def;
}
