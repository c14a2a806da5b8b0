/* The wallet's JSON-RPC client: one HTTP exchange per call, raw blocks and transactions decoded and checked locally. */
#include "wallet/rpcclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/buffer.h"
#include "src/util/hex.h"
#include "src/util/httpclient.h"

erg_code erg_wrpc_init(erg_wrpc *c, const char *host, uint16_t port, const char *cookie_path, const char *user,
                       const char *password, erg_err *err)
{
    memset(c, 0, sizeof *c);
    c->timeout_s = 120;
    if (!host || strlen(host) >= sizeof c->host) return erg_err_set(err, ERG_ERR_ARG, "RPC host name missing or too long");
    strcpy(c->host, host);
    c->port = port;
    if (password) {
        int n = snprintf(c->auth, sizeof c->auth, "%s:%s", user ? user : "", password);
        if (n < 0 || (size_t)n >= sizeof c->auth) return erg_err_set(err, ERG_ERR_ARG, "RPC user and password too long");
        return ERG_OK;
    }
    if (cookie_path) {
        FILE *f;
        size_t n;
        if (strlen(cookie_path) >= sizeof c->cookie_path) return erg_err_set(err, ERG_ERR_ARG, "cookie path too long");
        strcpy(c->cookie_path, cookie_path);
        if ((f = fopen(cookie_path, "r")) != NULL) {
            n = fread(c->auth, 1, sizeof c->auth - 1, f);
            fclose(f);
            c->auth[n] = '\0';
            while (n && (c->auth[n - 1] == '\n' || c->auth[n - 1] == '\r')) c->auth[--n] = '\0';
            if (!strchr(c->auth, ':')) erg_memzero(c->auth, sizeof c->auth);
        }
    }
    return ERG_OK;
}

void erg_wrpc_clear(erg_wrpc *c)
{
    erg_memzero(c, sizeof *c);
}

erg_code erg_wrpc_call(erg_wrpc *c, const char *method, json_t *params, json_t **result, erg_err *err)
{
    json_t *req, *reply, *e;
    char *body;
    erg_http_client_req rq;
    erg_http_response resp;
    erg_err herr;
    erg_code rc;
    c->last_code = 0;
    *result = NULL;
    req = json_pack("{s:s,s:s,s:o,s:i}", "jsonrpc", "2.0", "method", method, "params", params ? params : json_array(), "id", 1);
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) return erg_err_set(err, ERG_ERR_NOMEM, "RPC %s: cannot build the request", method);
    memset(&rq, 0, sizeof rq);
    rq.host = c->host;
    rq.port = c->port;
    rq.method = "POST";
    rq.path = "/";
    rq.basic_auth = c->auth[0] ? c->auth : ":";
    rq.content_type = "application/json";
    rq.body = body;
    rq.body_len = strlen(body);
    rq.timeout_s = c->timeout_s;
    rc = erg_http_fetch(&rq, &resp, &herr);
    free(body);
    if (rc == ERG_ERR_IO)
        return erg_err_set(err, ERG_ERR_IO, "cannot reach the node at %s:%u (%s); is ergond running? (check -rpcport, -datadir)",
                           c->host, (unsigned)c->port, herr.reason);
    if (rc) return erg_err_set(err, rc, "RPC %s: %s", method, herr.reason);
    if (resp.status == 401) {
        erg_http_response_free(&resp);
        if (c->cookie_path[0])
            return erg_err_set(err, ERG_ERR_IO, "the node at %s:%u refused the RPC credentials from %s (wrong -datadir?)",
                               c->host, (unsigned)c->port, c->cookie_path);
        return erg_err_set(err, ERG_ERR_IO, "the node at %s:%u refused -rpcuser/-rpcpassword", c->host, (unsigned)c->port);
    }
    reply = resp.body_len ? json_loadb(resp.body, resp.body_len, 0, NULL) : NULL;
    if (!json_is_object(reply)) {
        int status = resp.status;
        erg_http_response_free(&resp);
        json_decref(reply);
        return erg_err_set(err, ERG_ERR_PARSE, "RPC %s: HTTP %d without a JSON-RPC reply", method, status);
    }
    erg_http_response_free(&resp);
    e = json_object_get(reply, "error");
    if (json_is_object(e)) {
        const char *msg = json_string_value(json_object_get(e, "message"));
        c->last_code = (int)json_integer_value(json_object_get(e, "code"));
        rc = erg_err_set(err, ERG_ERR_INVALID, "node: %s: %s", method, msg ? msg : "(no message)");
        json_decref(reply);
        return rc;
    }
    if (!json_object_get(reply, "result")) {
        json_decref(reply);
        return erg_err_set(err, ERG_ERR_PARSE, "RPC %s: reply has neither result nor error", method);
    }
    *result = json_incref(json_object_get(reply, "result"));
    json_decref(reply);
    return ERG_OK;
}

erg_code erg_wrpc_getblockcount(erg_wrpc *c, uint32_t *height, erg_err *err)
{
    json_t *r;
    erg_code rc = erg_wrpc_call(c, "getblockcount", NULL, &r, err);
    if (rc) return rc;
    if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > UINT32_MAX) {
        json_decref(r);
        return erg_err_set(err, ERG_ERR_PARSE, "getblockcount: not a height");
    }
    *height = (uint32_t)json_integer_value(r);
    json_decref(r);
    return ERG_OK;
}

static erg_code hash_result(json_t *r, const char *what, uint8_t id[32], erg_err *err)
{
    const char *s = json_string_value(r);
    erg_code rc = s ? erg_hex_decode(s, id, 32, err) : erg_err_set(err, ERG_ERR_PARSE, "%s: not a string", what);
    json_decref(r);
    if (rc && err) (void)erg_err_prefix(err, "%s: ", what);
    return rc;
}

erg_code erg_wrpc_getblockhash(erg_wrpc *c, uint32_t height, uint8_t id[32], erg_err *err)
{
    json_t *r;
    erg_code rc = erg_wrpc_call(c, "getblockhash", json_pack("[I]", (json_int_t)height), &r, err);
    if (rc) return rc;
    return hash_result(r, "getblockhash", id, err);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char *h = malloc(2 * n + 1);
    json_t *j = NULL;
    if (h && erg_hex_encode(b, n, h, 2 * n + 1, NULL) == ERG_OK) j = json_string(h);
    free(h);
    return j;
}

erg_code erg_wrpc_getblock(erg_wrpc *c, const uint8_t id[32], erg_block *b, erg_err *err)
{
    json_t *r;
    uint8_t *raw = NULL, got[32], root[32];
    size_t len;
    const char *s;
    erg_code rc = erg_wrpc_call(c, "getblock", json_pack("[oi]", hex_json(id, 32), 0), &r, err);
    if (rc) return rc;
    s = json_string_value(r);
    if (!s) rc = erg_err_set(err, ERG_ERR_PARSE, "getblock: not a hex string");
    else rc = erg_hex_decode_alloc(s, &raw, &len, err);
    json_decref(r);
    if (rc) return rc;
    rc = erg_block_decode(raw, len, b, err);
    free(raw);
    if (rc) return rc;
    erg_header_id(&b->header, got);
    if (memcmp(got, id, 32) != 0) rc = erg_err_set(err, ERG_ERR_INVALID, "getblock: the node sent a block with another id");
    else if ((rc = erg_block_tx_root(b, root, err)) == ERG_OK && memcmp(root, b->header.tx_root, 32) != 0)
        rc = erg_err_set(err, ERG_ERR_INVALID, "getblock: the block's transactions do not match its header");
    if (rc) erg_block_free(b);
    return rc;
}

erg_code erg_wrpc_getaccount(erg_wrpc *c, erg_network net, const erg_pubkey *pk, erg_wrpc_account *a, erg_err *err)
{
    char addr[ERG_ADDRESS_MAX];
    json_t *r, *bal, *nonce, *next;
    erg_code rc;
    if ((rc = erg_address_encode(net, pk, addr, sizeof addr, err))) return rc;
    if ((rc = erg_wrpc_call(c, "getaccount", json_pack("[s]", addr), &r, err))) return rc;
    bal = json_object_get(r, "balance_base");
    nonce = json_object_get(r, "nonce");
    next = json_object_get(r, "next_nonce");
    if (!json_is_integer(bal) || !json_is_integer(nonce) || !json_is_integer(next) || json_integer_value(bal) < 0 ||
        json_integer_value(nonce) < 0 || json_integer_value(next) < json_integer_value(nonce)) {
        json_decref(r);
        return erg_err_set(err, ERG_ERR_PARSE, "getaccount: reply lacks balance_base, nonce or next_nonce");
    }
    a->balance = (uint64_t)json_integer_value(bal);
    a->nonce = (uint64_t)json_integer_value(nonce);
    a->next_nonce = (uint64_t)json_integer_value(next);
    json_decref(r);
    return ERG_OK;
}

erg_code erg_wrpc_sendrawtransaction(erg_wrpc *c, const erg_tx *tx, uint8_t txid[32], erg_err *err)
{
    erg_buf b;
    json_t *r;
    uint8_t mine[32];
    erg_code rc;
    erg_buf_init(&b);
    erg_tx_serialize(tx, &b);
    if ((rc = erg_buf_status(&b, err))) {
        erg_buf_free(&b);
        return rc;
    }
    rc = erg_wrpc_call(c, "sendrawtransaction", json_pack("[o]", hex_json(b.data, b.len)), &r, err);
    erg_buf_free(&b);
    if (rc) return rc;
    if ((rc = hash_result(r, "sendrawtransaction", txid, err))) return rc;
    erg_tx_id(tx, mine);
    if (memcmp(mine, txid, 32) != 0) return erg_err_set(err, ERG_ERR_INVALID, "sendrawtransaction: the node answered another txid");
    return ERG_OK;
}

erg_code erg_wrpc_mempool(erg_wrpc *c, erg_tx **txs, size_t *n, erg_err *err)
{
    json_t *ids, *r;
    size_t i, k = 0;
    erg_tx *v = NULL;
    erg_code rc;
    *txs = NULL;
    *n = 0;
    if ((rc = erg_wrpc_call(c, "getrawmempool", NULL, &ids, err))) return rc;
    if (!json_is_array(ids)) {
        json_decref(ids);
        return erg_err_set(err, ERG_ERR_PARSE, "getrawmempool: not an array");
    }
    if (json_array_size(ids) && !(v = calloc(json_array_size(ids), sizeof *v))) {
        json_decref(ids);
        return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
    }
    for (i = 0; i < json_array_size(ids); i++) {
        json_t *id = json_array_get(ids, i);
        const char *s;
        uint8_t *raw = NULL, want[32], got[32];
        size_t len;
        if (!json_is_string(id) || erg_hex_decode(json_string_value(id), want, 32, NULL)) {
            rc = erg_err_set(err, ERG_ERR_PARSE, "getrawmempool: entry %zu is not a txid", i);
            break;
        }
        rc = erg_wrpc_call(c, "getrawtransaction", json_pack("[O]", id), &r, err);
        if (rc == ERG_ERR_INVALID && c->last_code == ERG_WRPC_INVALID_ADDRESS_OR_KEY) {
            rc = ERG_OK; /* mined or evicted since the listing */
            continue;
        }
        if (rc) break;
        s = json_string_value(r);
        if (!s) rc = erg_err_set(err, ERG_ERR_PARSE, "getrawtransaction: not a hex string");
        else if (!(rc = erg_hex_decode_alloc(s, &raw, &len, err))) rc = erg_tx_decode(raw, len, &v[k], err);
        free(raw);
        json_decref(r);
        if (rc) break;
        erg_tx_id(&v[k], got);
        if (memcmp(got, want, 32) != 0) {
            rc = erg_err_set(err, ERG_ERR_INVALID, "getrawtransaction: the node sent another transaction");
            break;
        }
        k++;
    }
    json_decref(ids);
    if (rc) {
        free(v);
        return rc;
    }
    *txs = v;
    *n = k;
    return ERG_OK;
}
