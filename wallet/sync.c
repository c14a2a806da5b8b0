/* The wallet's view of the chain over RPC: block scanning with reorganisation handling, mempool, address discovery. */
#include "wallet/sync.h"

#include <stdlib.h>
#include <string.h>

#include "chain/chainstate.h"

erg_code erg_wallet_check_node(erg_wrpc *c, const erg_chain_params *cp, erg_err *err)
{
    erg_header g;
    uint8_t want[32], got[32];
    erg_code rc;
    erg_genesis_header(cp, &g);
    erg_header_id(&g, want);
    if ((rc = erg_wrpc_getblockhash(c, 0, got, err))) return rc;
    if (memcmp(want, got, 32) != 0)
        return erg_err_set(err, ERG_ERR_INVALID, "the node at %s:%u is not on %s (its genesis block differs)", c->host,
                           (unsigned)c->port, cp->name);
    return ERG_OK;
}

/* Record what block b (at id) means for the wallet. */
static erg_code scan_block(erg_wallet *w, const erg_chain_params *cp, const erg_block *b, const uint8_t id[32], erg_err *err)
{
    uint64_t fees = 0;
    size_t i;
    erg_code rc;
    for (i = 0; i < b->ntx; i++) {
        const erg_tx *tx = &b->txs[i];
        fees += tx->fee; /* bounded: a valid block's fees are below the money supply */
        if (erg_wallet_find(w, &tx->from) || erg_wallet_find(w, &tx->to)) {
            erg_wallet_tx t;
            erg_wallet_tx_from_tx(tx, &t);
            memcpy(t.block, id, 32);
            t.height = b->header.height;
            t.time = b->header.time;
            if ((rc = erg_wallet_add_tx(w, &t, NULL, err))) return rc;
            (void)erg_wallet_drop_sent(w, t.id);
        }
    }
    if (erg_wallet_find(w, &b->header.payout)) {
        erg_wallet_tx t;
        uint64_t subsidy = erg_block_subsidy(cp, b->header.height);
        if (subsidy + fees > 0) {
            memset(&t, 0, sizeof t);
            memcpy(t.id, id, 32);
            memcpy(t.block, id, 32);
            t.kind = ERG_WTX_REWARD;
            t.height = b->header.height;
            t.time = b->header.time;
            t.to = b->header.payout;
            t.amount = subsidy + fees;
            if ((rc = erg_wallet_add_tx(w, &t, NULL, err))) return rc;
        }
    }
    return ERG_OK;
}

/* Where to resume: after the last scanned block if the node still has it, else after the
 * highest history entry whose block the node still has at that height. */
static erg_code find_resume(erg_wallet *w, erg_wrpc *c, uint32_t *next, uint8_t prev[32], int *have_prev, erg_err *err)
{
    uint8_t id[32];
    erg_code rc;
    *have_prev = 0;
    if (!w->scanned) {
        *next = w->birth_height;
        return ERG_OK;
    }
    rc = erg_wrpc_getblockhash(c, w->scan_height, id, err);
    if (rc && !(rc == ERG_ERR_INVALID && c->last_code == ERG_WRPC_INVALID_PARAMETER)) return rc;
    if (rc == ERG_OK && memcmp(id, w->scan_hash, 32) == 0) {
        *next = w->scan_height + 1;
        memcpy(prev, id, 32);
        *have_prev = 1;
        return ERG_OK;
    }
    /* The chain changed under the last scanned block. */
    while (w->n_txs > 0) {
        erg_wallet_tx *t = &w->txs[w->n_txs - 1];
        rc = erg_wrpc_getblockhash(c, t->height, id, err);
        if (rc && !(rc == ERG_ERR_INVALID && c->last_code == ERG_WRPC_INVALID_PARAMETER)) return rc;
        if (rc == ERG_OK && memcmp(id, t->block, 32) == 0) {
            uint32_t h = t->height;
            erg_wallet_rewind(w, h);
            w->scan_height = h;
            memcpy(w->scan_hash, id, 32);
            *next = h + 1;
            memcpy(prev, id, 32);
            *have_prev = 1;
            return ERG_OK;
        }
        w->n_txs--;
    }
    w->scanned = 0;
    w->scan_height = 0;
    memset(w->scan_hash, 0, 32);
    *next = w->birth_height;
    return ERG_OK;
}

erg_code erg_wallet_sync(erg_wallet *w, erg_wrpc *c, const erg_chain_params *cp, uint32_t *blocks, erg_err *err)
{
    uint32_t tip, h, fetched = 0;
    uint8_t prev[32], id[32];
    int have_prev, attempt;
    erg_code rc;
    if (blocks) *blocks = 0;
    /* A reorganisation while scanning shows as a parent mismatch; start over a few times. */
    for (attempt = 0; attempt < 5; attempt++) {
        int restart = 0;
        if ((rc = erg_wrpc_getblockcount(c, &tip, err))) return rc;
        if ((rc = find_resume(w, c, &h, prev, &have_prev, err))) return rc;
        for (; h <= tip; h++) {
            erg_block b;
            rc = erg_wrpc_getblockhash(c, h, id, err);
            if (rc == ERG_ERR_INVALID && c->last_code == ERG_WRPC_INVALID_PARAMETER) {
                restart = 1; /* the chain got shorter */
                break;
            }
            if (rc) return rc;
            if ((rc = erg_wrpc_getblock(c, id, &b, err))) return rc;
            fetched++;
            if (b.header.height != h || (have_prev && memcmp(b.header.prev, prev, 32) != 0)) {
                erg_block_free(&b);
                restart = 1;
                break;
            }
            rc = scan_block(w, cp, &b, id, err);
            erg_block_free(&b);
            if (rc) return rc;
            w->scanned = 1;
            w->scan_height = h;
            memcpy(w->scan_hash, id, 32);
            memcpy(prev, id, 32);
            have_prev = 1;
        }
        if (!restart) {
            if (blocks) *blocks = fetched;
            return ERG_OK;
        }
    }
    return erg_err_set(err, ERG_ERR_IO, "the node's chain kept changing during the scan; try again");
}

erg_code erg_wallet_pending(const erg_wallet *w, erg_wrpc *c, erg_wallet_tx **out, size_t *n, erg_err *err)
{
    erg_tx *txs;
    size_t k, i, m = 0;
    erg_wallet_tx *v = NULL;
    erg_code rc;
    *out = NULL;
    *n = 0;
    if ((rc = erg_wrpc_mempool(c, &txs, &k, err))) return rc;
    if (k && !(v = calloc(k, sizeof *v))) {
        free(txs);
        return erg_err_set(err, ERG_ERR_NOMEM, "pending: out of memory");
    }
    for (i = 0; i < k; i++)
        if (erg_wallet_find(w, &txs[i].from) || erg_wallet_find(w, &txs[i].to)) erg_wallet_tx_from_tx(&txs[i], &v[m++]);
    free(txs);
    *out = v;
    *n = m;
    return ERG_OK;
}

erg_code erg_wallet_discover(erg_wallet *w, erg_wrpc *c, uint32_t gap, erg_err *err)
{
    size_t last_used = 0, i = 0;
    uint32_t unused = 0;
    erg_code rc;
    if (gap == 0) gap = 1;
    while (unused < gap) {
        erg_wrpc_account a;
        if (i >= w->n_addrs && (rc = erg_wallet_new_address(w, "", NULL, err))) return rc;
        if ((rc = erg_wrpc_getaccount(c, w->net, &w->addrs[i].pk, &a, err))) return rc;
        if (a.balance > 0 || a.nonce > 0 || a.next_nonce > 0) {
            last_used = i;
            unused = 0;
        } else {
            unused++;
        }
        i++;
    }
    /* Keep up to the last used address; the unused tail is derived again by newaddress. */
    w->n_addrs = last_used + 1;
    w->next_index = w->addrs[last_used].index + 1;
    return ERG_OK;
}
