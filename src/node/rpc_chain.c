/* JSON-RPC methods of the chain, mempool and miner (getblock, sendrawtransaction, generatetoaddress, ...). */
#include "src/node/rpc_chain.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/pouw.h"
#include "src/crypto/address.h"
#include "src/util/amount.h"
#include "src/node/net.h"
#include "src/util/hex.h"

static erg_node *node_of(const erg_rpc_call *c)
{
    return (erg_node *)c->ctx;
}

static json_t *hex32(const uint8_t b[32])
{
    char h[65];
    if (erg_hex_encode(b, 32, h, sizeof h, NULL)) h[0] = 0;
    return json_string(h);
}

/* The bytes of b as a hex string; b is freed (every caller serializes into a buffer only for this). */
static json_t *hexbuf_take(erg_buf *b)
{
    char *h = malloc(2 * b->len + 1);
    json_t *j = NULL;
    if (h) {
        if (erg_hex_encode(b->data, b->len, h, 2 * b->len + 1, NULL)) h[0] = 0;
        j = json_string(h);
        free(h);
    }
    erg_buf_free(b);
    return j;
}

static json_t *amount_json(uint64_t v)
{
    char s[ERG_AMOUNT_STR_MAX];
    erg_amount_format(v, s);
    return json_string(s);
}

static json_t *address_json(const erg_node *n, const erg_pubkey *pk)
{
    char a[ERG_ADDRESS_MAX];
    if (erg_address_encode(n->cp->net, pk, a, sizeof a, NULL)) return json_null();
    return json_string(a);
}

static int param_hash(const erg_rpc_call *c, size_t i, uint8_t out[32], erg_rpc_error *e, const char *what)
{
    json_t *v = json_array_get(c->params, i);
    if (!json_is_string(v) || erg_hex_decode(json_string_value(v), out, 32, NULL)) {
        erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "%s must be of length 64 (not %zu, for '%s')", what,
                     json_is_string(v) ? strlen(json_string_value(v)) : (size_t)0,
                     json_is_string(v) ? json_string_value(v) : "");
        return 0;
    }
    return 1;
}

static int param_address(const erg_rpc_call *c, size_t i, erg_pubkey *pk, erg_rpc_error *e)
{
    json_t *v = json_array_get(c->params, i);
    erg_err err;
    if (!json_is_string(v)) {
        erg_rpc_fail(e, ERG_RPC_TYPE_ERROR, "address must be a string");
        return 0;
    }
    if (erg_address_decode(node_of(c)->cp->net, json_string_value(v), pk, &err)) {
        erg_rpc_fail(e, ERG_RPC_INVALID_ADDRESS_OR_KEY, "Invalid address: %s", err.reason);
        return 0;
    }
    return 1;
}

static json_t *target_json(uint32_t bits)
{
    erg_u256 t;
    char h[65];
    if (erg_u256_from_compact(&t, bits, NULL)) return json_null();
    erg_u256_hex(&t, h);
    return json_string(h);
}

/* "bits" (compact, 8 hex digits) and "target" (256-bit hex) of a difficulty. */
static void set_bits_target(json_t *o, uint32_t bits)
{
    char b[9];
    snprintf(b, sizeof b, "%08x", (unsigned)bits);
    json_object_set_new(o, "bits", json_string(b));
    json_object_set_new(o, "target", target_json(bits));
}

static json_t *header_json(const erg_node *n, const erg_block_info *info)
{
    const erg_header *h = &info->header;
    json_t *o = json_object();
    uint32_t tip = erg_chainstate_height(n->cs);
    char work[65];
    uint8_t seed[32], ticket[32];
    erg_block_info next;
    erg_u256_hex(&info->chainwork, work);
    erg_pouw_header_seed(h, seed);
    erg_pouw_ticket(seed, h->output_hash, ticket);
    json_object_set_new(o, "hash", hex32(info->id));
    json_object_set_new(o, "confirmations", json_integer(info->in_active_chain ? (json_int_t)tip - h->height + 1 : -1));
    json_object_set_new(o, "height", json_integer(h->height));
    json_object_set_new(o, "version", json_integer(h->version));
    json_object_set_new(o, "time", json_integer((json_int_t)h->time));
    json_object_set_new(o, "mediantime", json_integer((json_int_t)info->mtp));
    set_bits_target(o, h->bits);
    json_object_set_new(o, "chainwork", json_string(work));
    json_object_set_new(o, "txroot", hex32(h->tx_root));
    json_object_set_new(o, "stateroot", hex32(h->state_root));
    json_object_set_new(o, "sideroot", hex32(h->side_root));
    json_object_set_new(o, "payout", address_json(n, &h->payout));
    json_object_set_new(o, "jobid", hex32(h->job_id));
    json_object_set_new(o, "nonce", json_integer((json_int_t)h->nonce));
    json_object_set_new(o, "outputhash", hex32(h->output_hash));
    json_object_set_new(o, "cu", json_integer((json_int_t)h->cu));
    json_object_set_new(o, "seed", hex32(seed));
    json_object_set_new(o, "ticket", hex32(ticket));
    json_object_set_new(o, "nTx", json_integer(info->ntx));
    if (h->height > 0) json_object_set_new(o, "previousblockhash", hex32(h->prev));
    if (info->in_active_chain && erg_chainstate_block_at(n->cs, h->height + 1, &next, NULL) == ERG_OK)
        json_object_set_new(o, "nextblockhash", hex32(next.id));
    return o;
}

static json_t *tx_json(const erg_node *n, const erg_tx *tx)
{
    json_t *o = json_object();
    uint8_t id[32];
    erg_buf b;
    erg_tx_id(tx, id);
    erg_buf_init(&b);
    erg_tx_serialize(tx, &b);
    json_object_set_new(o, "txid", hex32(id));
    json_object_set_new(o, "version", json_integer(tx->version));
    json_object_set_new(o, "type", json_string("transfer"));
    json_object_set_new(o, "from", address_json(n, &tx->from));
    json_object_set_new(o, "to", address_json(n, &tx->to));
    json_object_set_new(o, "amount", amount_json(tx->amount));
    json_object_set_new(o, "fee", amount_json(tx->fee));
    json_object_set_new(o, "nonce", json_integer((json_int_t)tx->nonce));
    json_object_set_new(o, "size", json_integer((json_int_t)b.len));
    json_object_set_new(o, "hex", hexbuf_take(&b));
    return o;
}

/* ---- blockchain ---------------------------------------------------------------------- */

static json_t *rpc_getblockcount(const erg_rpc_call *c, erg_rpc_error *e)
{
    (void)e;
    return json_integer(erg_chainstate_height(node_of(c)->cs));
}

static json_t *rpc_getbestblockhash(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_block_info tip;
    (void)e;
    erg_chainstate_tip(node_of(c)->cs, &tip);
    return hex32(tip.id);
}

static json_t *rpc_getblockchaininfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_block_info tip;
    json_t *o = json_object();
    char work[65];
    (void)e;
    erg_chainstate_tip(n->cs, &tip);
    erg_u256_hex(&tip.chainwork, work);
    json_object_set_new(o, "chain", json_string(n->cp->name));
    json_object_set_new(o, "blocks", json_integer(tip.header.height));
    {
        erg_block_info best;
        erg_chainstate_best_header(n->cs, &best);
        json_object_set_new(o, "headers", json_integer(best.header.height));
    }
    json_object_set_new(o, "bestblockhash", hex32(tip.id));
    set_bits_target(o, erg_pouw_next_bits(n->cp, tip.header.height, tip.header.time));
    json_object_set_new(o, "time", json_integer((json_int_t)tip.header.time));
    json_object_set_new(o, "mediantime", json_integer((json_int_t)tip.mtp));
    json_object_set_new(o, "chainwork", json_string(work));
    json_object_set_new(o, "stateroot", hex32(tip.header.state_root));
    json_object_set_new(o, "initialblockdownload", json_boolean(n->net && erg_net_initial_download(n->net)));
    json_object_set_new(o, "warnings", json_string(""));
    return o;
}

static json_t *rpc_getblockhash(const erg_rpc_call *c, erg_rpc_error *e)
{
    json_int_t h = json_integer_value(json_array_get(c->params, 0));
    erg_block_info info;
    if (h < 0 || h > UINT32_MAX || erg_chainstate_block_at(node_of(c)->cs, (uint32_t)h, &info, NULL))
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "Block height out of range");
    return hex32(info.id);
}

static json_t *rpc_getblockheader(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    uint8_t id[32];
    erg_block_info info;
    json_t *verbose = json_array_get(c->params, 1);
    if (!param_hash(c, 0, id, e, "blockhash")) return NULL;
    if (erg_chainstate_block_info(n->cs, id, &info, NULL))
        return erg_rpc_fail(e, ERG_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    if (json_is_false(verbose)) {
        erg_buf b;
        erg_buf_init(&b);
        erg_header_serialize(&info.header, &b);
        return hexbuf_take(&b);
    }
    return header_json(n, &info);
}

static json_t *rpc_getblock(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    uint8_t id[32];
    erg_block_info info;
    erg_block b;
    json_t *vj = json_array_get(c->params, 1), *o, *txs;
    json_int_t verbosity = 1;
    size_t i;
    erg_err err;
    if (!param_hash(c, 0, id, e, "blockhash")) return NULL;
    if (json_is_integer(vj)) verbosity = json_integer_value(vj);
    else if (json_is_boolean(vj)) verbosity = json_is_true(vj) ? 1 : 0;
    else if (!json_is_null(vj)) return erg_rpc_fail(e, ERG_RPC_TYPE_ERROR, "verbosity must be 0, 1 or 2");
    if (verbosity < 0 || verbosity > 2) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "verbosity must be 0, 1 or 2");
    if (erg_chainstate_block_info(n->cs, id, &info, NULL))
        return erg_rpc_fail(e, ERG_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    if (erg_chainstate_read_block(n->cs, id, &b, &err))
        return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "Block not available (%s)", err.reason);
    if (verbosity == 0) {
        erg_buf raw;
        erg_buf_init(&raw);
        erg_block_serialize(&b, &raw);
        erg_block_free(&b);
        return hexbuf_take(&raw);
    }
    o = header_json(n, &info);
    json_object_set_new(o, "size", json_integer((json_int_t)info.size));
    {
        erg_commons_job job;
        if (erg_commons_job_at(n->cp, info.header.height, &job, NULL) == ERG_OK && info.header.height > 0)
            json_object_set_new(o, "kernel", json_string(job.kernel->name));
    }
    txs = json_array();
    for (i = 0; i < b.ntx; i++) {
        if (verbosity == 1) {
            uint8_t tid[32];
            erg_tx_id(&b.txs[i], tid);
            json_array_append_new(txs, hex32(tid));
        } else {
            json_array_append_new(txs, tx_json(n, &b.txs[i]));
        }
    }
    json_object_set_new(o, "tx", txs);
    erg_block_free(&b);
    return o;
}

static json_t *rpc_getchaintips(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_block_info tips[256];
    size_t k, i;
    json_t *a = json_array();
    (void)e;
    k = erg_chainstate_tips(n->cs, tips, 256);
    for (i = 0; i < k; i++) {
        json_t *o = json_object();
        const char *status = tips[i].in_active_chain ? "active"
                             : (tips[i].status & (ERG_BLOCK_FAILED | ERG_BLOCK_FAILED_CHILD)) ? "invalid"
                             : (tips[i].status & ERG_BLOCK_VALID)        ? "valid-fork"
                             : (tips[i].status & ERG_BLOCK_HAVE_DATA)    ? "valid-headers"
                                                                         : "headers-only";
        json_object_set_new(o, "height", json_integer(tips[i].header.height));
        json_object_set_new(o, "hash", hex32(tips[i].id));
        json_object_set_new(o, "status", json_string(status));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *rpc_getaccount(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_pubkey pk;
    erg_account a;
    uint64_t next;
    erg_err err;
    json_t *o;
    if (!param_address(c, 0, &pk, e)) return NULL;
    if (erg_chainstate_get_account(n->cs, &pk, &a, &err)) return erg_rpc_fail(e, ERG_RPC_DATABASE_ERROR, "%s", err.reason);
    if (erg_mempool_next_nonce(n->mp, &pk, &next, &err)) next = a.nonce;
    o = json_object();
    json_object_set_new(o, "address", json_copy(json_array_get(c->params, 0)));
    json_object_set_new(o, "balance", amount_json(a.balance));
    json_object_set_new(o, "balance_base", json_integer((json_int_t)a.balance));
    json_object_set_new(o, "nonce", json_integer((json_int_t)a.nonce));
    json_object_set_new(o, "next_nonce", json_integer((json_int_t)next));
    json_object_set_new(o, "height", json_integer(erg_chainstate_height(n->cs)));
    return o;
}

/* ---- transactions and mempool --------------------------------------------------------- */

static json_t *rpc_sendrawtransaction(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    const char *hex = json_string_value(json_array_get(c->params, 0));
    uint8_t *raw = NULL, id[32];
    size_t len;
    erg_tx tx;
    erg_tx found;
    erg_err err;
    if (!hex || erg_hex_decode_alloc(hex, &raw, &len, &err))
        return erg_rpc_fail(e, ERG_RPC_DESERIALIZATION_ERROR, "TX decode failed: %s", hex ? err.reason : "not a string");
    if (erg_tx_decode(raw, len, &tx, &err)) {
        free(raw);
        return erg_rpc_fail(e, ERG_RPC_DESERIALIZATION_ERROR, "TX decode failed: %s", err.reason);
    }
    free(raw);
    erg_tx_id(&tx, id);
    if (erg_chainstate_find_tx(n->cs, id, &found, NULL, NULL) == ERG_OK)
        return erg_rpc_fail(e, ERG_RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
    if (erg_mempool_add(n->mp, &tx, (uint64_t)time(NULL), &err)) {
        if (strncmp(err.reason, "txn-already-in-mempool", 22) == 0) return hex32(id); /* as bitcoind: idempotent */
        return erg_rpc_fail(e, ERG_RPC_VERIFY_REJECTED, "%s", err.reason);
    }
    return hex32(id);
}

static json_t *rpc_getrawtransaction(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    uint8_t id[32];
    erg_mempool_entry me;
    erg_block_info info;
    erg_tx tx;
    json_t *vj = json_array_get(c->params, 1), *o;
    int verbose = json_is_true(vj) || (json_is_integer(vj) && json_integer_value(vj) > 0);
    int in_pool = 0;
    if (!param_hash(c, 0, id, e, "txid")) return NULL;
    if (erg_mempool_get(n->mp, id, &me, NULL) == ERG_OK) {
        tx = me.tx;
        in_pool = 1;
    } else if (erg_chainstate_find_tx(n->cs, id, &tx, &info, NULL) != ERG_OK) {
        return erg_rpc_fail(e, ERG_RPC_INVALID_ADDRESS_OR_KEY, "No such mempool or blockchain transaction");
    }
    if (!verbose) {
        erg_buf b;
        erg_buf_init(&b);
        erg_tx_serialize(&tx, &b);
        return hexbuf_take(&b);
    }
    o = tx_json(n, &tx);
    if (!in_pool) {
        json_object_set_new(o, "blockhash", hex32(info.id));
        json_object_set_new(o, "confirmations", json_integer((json_int_t)erg_chainstate_height(n->cs) - info.header.height + 1));
        json_object_set_new(o, "blocktime", json_integer((json_int_t)info.header.time));
    } else {
        json_object_set_new(o, "confirmations", json_integer(0));
    }
    return o;
}

static json_t *rpc_getmempoolinfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_mempool_info mi;
    json_t *o = json_object();
    (void)e;
    erg_mempool_info_get(node_of(c)->mp, &mi);
    json_object_set_new(o, "loaded", json_true());
    json_object_set_new(o, "size", json_integer((json_int_t)mi.count));
    json_object_set_new(o, "bytes", json_integer((json_int_t)mi.bytes));
    json_object_set_new(o, "maxmempool", json_integer((json_int_t)mi.max_bytes));
    json_object_set_new(o, "total_fee", amount_json(mi.total_fee));
    json_object_set_new(o, "minrelaytxfee", amount_json(mi.min_fee_per_kb));
    return o;
}

static json_t *rpc_getrawmempool(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_mempool_entry *v;
    size_t k, i;
    erg_err err;
    int verbose = json_is_true(json_array_get(c->params, 0));
    json_t *r;
    if (erg_mempool_entries(n->mp, &v, &k, &err)) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "%s", err.reason);
    r = verbose ? json_object() : json_array();
    for (i = 0; i < k; i++) {
        char h[65];
        if (erg_hex_encode(v[i].txid, 32, h, sizeof h, NULL)) continue;
        if (verbose) {
            json_t *o = json_object();
            json_object_set_new(o, "size", json_integer((json_int_t)v[i].size));
            json_object_set_new(o, "fee", amount_json(v[i].tx.fee));
            json_object_set_new(o, "time", json_integer((json_int_t)v[i].time));
            json_object_set_new(o, "from", address_json(n, &v[i].tx.from));
            json_object_set_new(o, "nonce", json_integer((json_int_t)v[i].tx.nonce));
            json_object_set_new(r, h, o);
        } else {
            json_array_append_new(r, json_string(h));
        }
    }
    free(v);
    return r;
}

/* ---- mining ------------------------------------------------------------------------------ */

static json_t *rpc_getmininginfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_block_info tip;
    erg_mempool_info mi;
    erg_commons_job job;
    erg_miner_stats st;
    json_t *o = json_object();
    uint32_t next;
    erg_u256 work;
    (void)e;
    erg_chainstate_tip(n->cs, &tip);
    erg_mempool_info_get(n->mp, &mi);
    next = erg_pouw_next_bits(n->cp, tip.header.height, tip.header.time);
    memset(&st, 0, sizeof st);
    if (n->miner) erg_miner_get_stats(n->miner, &st);
    json_object_set_new(o, "blocks", json_integer(tip.header.height));
    set_bits_target(o, next);
    if (erg_pouw_work(next, &work, NULL) == ERG_OK)
        json_object_set_new(o, "expected_cu_per_block", json_real(erg_u256_to_double(&work)));
    json_object_set_new(o, "pooledtx", json_integer((json_int_t)mi.count));
    json_object_set_new(o, "chain", json_string(n->cp->name));
    if (erg_commons_job_at(n->cp, tip.header.height + 1, &job, NULL) == ERG_OK) {
        json_object_set_new(o, "next_job", json_string("commons"));
        json_object_set_new(o, "next_kernel", json_string(job.kernel->name));
        json_object_set_new(o, "next_job_id", hex32(job.job_id));
        json_object_set_new(o, "cu_per_unit", json_integer((json_int_t)job.cu));
    }
    json_object_set_new(o, "backend", json_string(erg_backend_name(erg_engine_backend(n->eng))));
    json_object_set_new(o, "mining", json_boolean(st.running));
    json_object_set_new(o, "units", json_integer((json_int_t)st.units));
    json_object_set_new(o, "cu", json_integer((json_int_t)st.cu));
    json_object_set_new(o, "blocks_found", json_integer((json_int_t)st.blocks));
    json_object_set_new(o, "cu_per_second", json_real(st.seconds > 0 ? (double)st.cu / st.seconds : 0.0));
    return o;
}

static json_t *rpc_generatetoaddress(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    json_int_t nblocks = json_integer_value(json_array_get(c->params, 0));
    json_t *mt = json_array_get(c->params, 2), *ids;
    uint64_t maxtries = json_is_integer(mt) ? (uint64_t)json_integer_value(mt) : 1000000;
    erg_pubkey pk;
    json_int_t i;
    if (n->cp->net != ERG_NET_REGTEST)
        return erg_rpc_fail(e, ERG_RPC_METHOD_NOT_FOUND, "generatetoaddress is only available on regtest");
    if (nblocks < 0 || nblocks > 100000) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "nblocks must be 0..100000");
    if (!param_address(c, 1, &pk, e)) return NULL;
    ids = json_array();
    for (i = 0; i < nblocks && !n->shutdown; i++) {
        erg_mined_block mb;
        erg_err err;
        erg_code rc;
        if (n->miner) erg_miner_lock_engine(n->miner);
        rc = erg_miner_mine_block(n->cs, n->mp, n->eng, &pk, 1, maxtries, &n->shutdown, &mb, NULL, &err);
        if (n->miner) erg_miner_unlock_engine(n->miner);
        if (rc) {
            json_decref(ids);
            return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "block %lld of %lld not mined: %s", (long long)i + 1,
                                (long long)nblocks, err.reason);
        }
        json_array_append_new(ids, hex32(mb.id));
    }
    return ids;
}

static json_t *rpc_submitblock(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    const char *hex = json_string_value(json_array_get(c->params, 0));
    uint8_t *raw = NULL;
    size_t len;
    erg_block b;
    erg_err err;
    int tip;
    erg_code rc;
    if (!hex || erg_hex_decode_alloc(hex, &raw, &len, &err))
        return erg_rpc_fail(e, ERG_RPC_DESERIALIZATION_ERROR, "Block decode failed: %s", hex ? err.reason : "not a string");
    rc = erg_block_decode(raw, len, &b, &err);
    free(raw);
    if (rc) return erg_rpc_fail(e, ERG_RPC_DESERIALIZATION_ERROR, "Block decode failed: %s", err.reason);
    rc = erg_chainstate_process_block(n->cs, &b, (uint64_t)time(NULL), &tip, &err);
    erg_mempool_sync(n->mp);
    erg_block_free(&b);
    /* As bitcoind: null on acceptance, else the rejection reason as a string. */
    if (rc) return json_string(err.reason);
    return json_null();
}

/* invalidateblock and reconsiderblock: apply `mark` to the block named by the first argument. */
static json_t *mark_block(const erg_rpc_call *c, erg_rpc_error *e,
                          erg_code (*mark)(erg_chainstate *cs, const uint8_t id[32], erg_err *err))
{
    erg_node *n = node_of(c);
    uint8_t id[32];
    erg_err err;
    erg_code rc;
    if (!param_hash(c, 0, id, e, "blockhash")) return NULL;
    rc = mark(n->cs, id, &err);
    erg_mempool_sync(n->mp);
    if (rc == ERG_ERR_NOTFOUND) return erg_rpc_fail(e, ERG_RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    if (rc) return erg_rpc_fail(e, ERG_RPC_DATABASE_ERROR, "%s", err.reason);
    return json_null();
}

static json_t *rpc_invalidateblock(const erg_rpc_call *c, erg_rpc_error *e)
{
    return mark_block(c, e, erg_chainstate_invalidate);
}

static json_t *rpc_reconsiderblock(const erg_rpc_call *c, erg_rpc_error *e)
{
    return mark_block(c, e, erg_chainstate_reconsider);
}

static json_t *rpc_getblocktemplate(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *n = node_of(c);
    erg_pubkey pk;
    erg_block b;
    erg_tx *cands = NULL;
    size_t nc = 0;
    erg_err err;
    erg_buf raw;
    json_t *o;
    erg_commons_job job;
    uint8_t tc[32];
    if (!param_address(c, 0, &pk, e)) return NULL;
    if (erg_mempool_select(n->mp, ERG_BLOCK_MAX_SIZE - ERG_HEADER_SIZE - 16, &cands, &nc, &err))
        return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "%s", err.reason);
    if (erg_chainstate_template(n->cs, &pk, cands, nc, (uint64_t)time(NULL), &b, &err)) {
        free(cands);
        return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "%s", err.reason);
    }
    free(cands);
    if (erg_commons_job_at(n->cp, b.header.height, &job, &err)) {
        erg_block_free(&b);
        return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "%s", err.reason);
    }
    erg_header_template_commit(&b.header, tc);
    erg_buf_init(&raw);
    erg_block_serialize(&b, &raw);
    o = json_object();
    json_object_set_new(o, "height", json_integer(b.header.height));
    json_object_set_new(o, "previousblockhash", hex32(b.header.prev));
    json_object_set_new(o, "template_commit", hex32(tc));
    json_object_set_new(o, "jobid", hex32(b.header.job_id));
    json_object_set_new(o, "kernel", json_string(job.kernel->name));
    json_object_set_new(o, "cu", json_integer((json_int_t)b.header.cu));
    json_object_set_new(o, "block", hexbuf_take(&raw));
    erg_block_free(&b);
    return o;
}

static const erg_rpc_arg a_height[] = {{"height", ERG_RPC_INT, 0, NULL, "block height in the active chain"}};
static const erg_rpc_arg a_getblock[] = {
    {"blockhash", ERG_RPC_STR, 0, NULL, "the block id"},
    {"verbosity", ERG_RPC_ANY, 1, "1", "0: hex, 1: object with txids, 2: object with transactions"}};
static const erg_rpc_arg a_getheader[] = {{"blockhash", ERG_RPC_STR, 0, NULL, "the block id"},
                                          {"verbose", ERG_RPC_BOOL, 1, "true", "false: hex"}};
static const erg_rpc_arg a_hash[] = {{"blockhash", ERG_RPC_STR, 0, NULL, "the block id"}};
static const erg_rpc_arg a_address[] = {{"address", ERG_RPC_STR, 0, NULL, "an Ergon address"}};
static const erg_rpc_arg a_hexstring[] = {{"hexstring", ERG_RPC_STR, 0, NULL, "serialized, hex-encoded data"}};
static const erg_rpc_arg a_getrawtx[] = {{"txid", ERG_RPC_STR, 0, NULL, "transaction id"},
                                         {"verbose", ERG_RPC_ANY, 1, "false", "true: an object"}};
static const erg_rpc_arg a_verbose[] = {{"verbose", ERG_RPC_BOOL, 1, "false", "true: an object keyed by txid"}};
static const erg_rpc_arg a_generate[] = {{"nblocks", ERG_RPC_INT, 0, NULL, "how many blocks"},
                                         {"address", ERG_RPC_STR, 0, NULL, "payout address"},
                                         {"maxtries", ERG_RPC_INT, 1, "1000000", "units to try per block"}};

static const erg_rpc_method g_methods[] = {
    {"blockchain", "getblockcount", rpc_getblockcount, NULL, NULL, 0, "Height of the most-work fully-validated chain.", "n (numeric)", 0},
    {"blockchain", "getbestblockhash", rpc_getbestblockhash, NULL, NULL, 0, "Id of the tip of the most-work chain.", "\"hex\"", 0},
    {"blockchain", "getblockchaininfo", rpc_getblockchaininfo, NULL, NULL, 0, "State of the block chain.", NULL, 0},
    {"blockchain", "getblockhash", rpc_getblockhash, NULL, a_height, 1, "Id of the block at a height of the active chain.", "\"hex\"", 0},
    {"blockchain", "getblock", rpc_getblock, NULL, a_getblock, 2, "A block, as hex (0), an object with txids (1) or with transactions (2).", NULL, 0},
    {"blockchain", "getblockheader", rpc_getblockheader, NULL, a_getheader, 2, "A block header, with the unit's seed and ticket.", NULL, 0},
    {"blockchain", "getchaintips", rpc_getchaintips, NULL, NULL, 0, "Every known chain tip and its status.", NULL, 0},
    {"blockchain", "getaccount", rpc_getaccount, NULL, a_address, 1, "Balance and nonce of an account at the tip.", NULL, 0},
    {"blockchain", "invalidateblock", rpc_invalidateblock, NULL, a_hash, 1, "Mark a block invalid, as if it broke a rule.", NULL, 0},
    {"blockchain", "reconsiderblock", rpc_reconsiderblock, NULL, a_hash, 1, "Remove the invalid mark set by invalidateblock.", NULL, 0},
    {"rawtransactions", "sendrawtransaction", rpc_sendrawtransaction, NULL, a_hexstring, 1, "Submit a signed transaction to the mempool.", "\"txid\"", 0},
    {"rawtransactions", "getrawtransaction", rpc_getrawtransaction, NULL, a_getrawtx, 2, "A transaction from the mempool or the active chain.", NULL, 0},
    {"blockchain", "getmempoolinfo", rpc_getmempoolinfo, NULL, NULL, 0, "Mempool size and limits.", NULL, 0},
    {"blockchain", "getrawmempool", rpc_getrawmempool, NULL, a_verbose, 1, "Transaction ids in the mempool.", NULL, 0},
    {"mining", "getmininginfo", rpc_getmininginfo, NULL, NULL, 0, "Mining state: target, next commons job, units and CU computed.", NULL, 0},
    {"mining", "getblocktemplate", rpc_getblocktemplate, NULL, a_address, 1, "A block template paying an address (nonce and output not yet set).", NULL, 0},
    {"mining", "submitblock", rpc_submitblock, NULL, a_hexstring, 1, "Submit a block; null when accepted, else the rejection reason.", NULL, 0},
    {"generating", "generatetoaddress", rpc_generatetoaddress, NULL, a_generate, 3, "Mine blocks now to an address (regtest).", "[\"blockhash\", ...]", 0},
};

erg_code erg_rpc_register_chain(erg_rpc_server *rpc, erg_node *node, erg_err *err)
{
    return erg_rpc_register_with_ctx(rpc, g_methods, sizeof g_methods / sizeof g_methods[0], node, err);
}
