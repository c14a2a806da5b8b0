/* The chain state: block index, block storage, accounts and state root in LevelDB, fork choice and reorgs. */
#include "chain/chainstate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chain/db.h"
#include "chain/pouw.h"
#include "chain/smt.h"
#include "src/crypto/merkle.h"
#include "src/crypto/sha256.h"
#include "src/util/log.h"

/* Database layout: one-byte prefixes. */
#define K_BLOCK 'b'   /* + id -> block encoding */
#define K_INDEX 'i'   /* + id -> header (260) | status u32 | size u32 | ntx u32 */
#define K_UNDO 'u'    /* + id -> count u32 | count x (pubkey 32 | balance u64 | nonce u64) */
#define K_ACCOUNT 'a' /* + pubkey -> balance u64 | nonce u64 (absent = zero account) */
#define K_NODE 'n'    /* + hash -> state-tree node record */
#define K_TIP 't'     /* -> id of the active tip */
#define K_TXINDEX 'x' /* + txid -> id of the active-chain block holding it */
#define INDEX_REC_SIZE (ERG_HEADER_SIZE + 12)

/* A block index entry, with or without its block's data (ERG_BLOCK_HAVE_DATA). Invariants:
 * parent is NULL only for genesis; info.chainwork and info.mtp are derived from the
 * ancestors, never stored; an entry is in its parent's child list from insertion until close;
 * a failed entry's descendants are all failed (FAILED_CHILD). */
typedef struct idx_entry {
    erg_block_info info;
    struct idx_entry *parent;
    struct idx_entry *hnext;   /* hash bucket chain */
    struct idx_entry *child;   /* first child, NULL for a leaf */
    struct idx_entry *sibling; /* next child of the same parent */
    uint64_t seq;              /* arrival order: among equal work the first seen stays tip */
    uint64_t epoch;            /* chain_usable() cache: valid while equal to cs->epoch */
    int chain_ok;              /* cached chain_usable() result */
} idx_entry;

struct erg_chainstate {
    pthread_mutex_t lock;
    const erg_chain_params *cp;
    erg_db *db;
    idx_entry **buckets; /* nbuckets, power of two */
    size_t nbuckets;
    size_t count;
    idx_entry **active; /* active[h] = block at height h of the best chain */
    size_t active_len;  /* tip height + 1 */
    size_t active_cap;
    uint8_t genesis_id[32];
    erg_chain_listener listeners[ERG_CHAIN_MAX_LISTENERS];
    size_t nlisteners;
    uint64_t seq;
    uint64_t epoch;           /* bumped to invalidate every chain_usable() cache entry */
    size_t nheaders_only;     /* entries without ERG_BLOCK_HAVE_DATA */
    idx_entry *best_header;   /* most work, not failed; see best_header_recompute() */
};

/* ---- small helpers ---------------------------------------------------------------- */

static size_t bucket_of(const erg_chainstate *cs, const uint8_t id[32])
{
    return (size_t)erg_load_u64(id) & (cs->nbuckets - 1);
}

static idx_entry *idx_find(const erg_chainstate *cs, const uint8_t id[32])
{
    idx_entry *e = cs->buckets[bucket_of(cs, id)];
    while (e && memcmp(e->info.id, id, 32) != 0) e = e->hnext;
    return e;
}

static erg_code idx_insert(erg_chainstate *cs, idx_entry *e, erg_err *err)
{
    size_t b;
    if (cs->count + 1 > cs->nbuckets) {
        size_t n = cs->nbuckets ? cs->nbuckets * 2 : 1024, i;
        idx_entry **nb = calloc(n, sizeof *nb);
        if (!nb) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        for (i = 0; i < cs->nbuckets; i++) {
            idx_entry *x = cs->buckets[i];
            while (x) {
                idx_entry *next = x->hnext;
                size_t nbk = (size_t)erg_load_u64(x->info.id) & (n - 1);
                x->hnext = nb[nbk];
                nb[nbk] = x;
                x = next;
            }
        }
        free(cs->buckets);
        cs->buckets = nb;
        cs->nbuckets = n;
    }
    b = bucket_of(cs, e->info.id);
    e->hnext = cs->buckets[b];
    cs->buckets[b] = e;
    cs->count++;
    return ERG_OK;
}

static int is_failed(const idx_entry *e)
{
    return (e->info.status & (ERG_BLOCK_FAILED | ERG_BLOCK_FAILED_CHILD)) != 0;
}

/* The next entry after x in a preorder walk of root's subtree (root included), or NULL. It
 * walks the child/sibling links, so even a 100,000-deep chain needs no recursion. */
static idx_entry *subtree_next(const idx_entry *root, idx_entry *x)
{
    if (x->child) return x->child;
    for (; x != root; x = x->parent)
        if (x->sibling) return x->sibling;
    return NULL;
}

static void link_child(idx_entry *e)
{
    e->sibling = e->parent->child;
    e->parent->child = e;
}

static int more_work(const idx_entry *a, const idx_entry *b)
{
    return erg_u256_cmp(&a->info.chainwork, &b->info.chainwork) > 0;
}

/* A new entry can only raise the best header: one of equal work was seen earlier. */
static void best_header_consider(erg_chainstate *cs, idx_entry *e)
{
    if (!is_failed(e) && (!cs->best_header || more_work(e, cs->best_header))) cs->best_header = e;
}

/* The most-work entry that is not failed, the first seen on equal work, except that the active
 * tip wins a tie (so the best header is the tip once every block has arrived, whatever order
 * they came in). Called after failure marks change; a full scan, as those are rare. */
static void best_header_recompute(erg_chainstate *cs)
{
    idx_entry *best = NULL, *e;
    size_t i;
    for (i = 0; i < cs->nbuckets; i++)
        for (e = cs->buckets[i]; e; e = e->hnext) {
            int c;
            if (is_failed(e)) continue;
            c = best ? erg_u256_cmp(&e->info.chainwork, &best->info.chainwork) : 1;
            if (c > 0 || (c == 0 && e->seq < best->seq)) best = e;
        }
    if (cs->active_len && best && !more_work(best, cs->active[cs->active_len - 1])) best = cs->active[cs->active_len - 1];
    cs->best_header = best;
}

/* Insert a fully built entry (parent set, chainwork derived) into the index and its parent's
 * child list, keeping the header-only count and the best header. */
static erg_code idx_add(erg_chainstate *cs, idx_entry *e, erg_err *err)
{
    erg_code rc;
    if ((rc = idx_insert(cs, e, err))) return rc;
    link_child(e);
    if (!(e->info.status & ERG_BLOCK_HAVE_DATA)) cs->nheaders_only++;
    best_header_consider(cs, e);
    return ERG_OK;
}

static void key_with(uint8_t *k, char prefix, const uint8_t id[32])
{
    k[0] = (uint8_t)prefix;
    memcpy(k + 1, id, 32);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median of the block's own time and its up-to-10 predecessors. */
static uint64_t compute_mtp(const idx_entry *e)
{
    uint64_t t[11];
    int n = 0;
    for (; e && n < 11; e = e->parent) t[n++] = e->info.header.time;
    qsort(t, (size_t)n, sizeof t[0], cmp_u64);
    return t[n / 2];
}

static erg_code derive_entry(idx_entry *e, erg_err *err)
{
    erg_u256 w;
    erg_code rc;
    if (e->info.header.height == 0) {
        erg_u256_zero(&e->info.chainwork);
    } else {
        if ((rc = erg_pouw_work(e->info.header.bits, &w, err))) return rc;
        if (erg_u256_add(&e->info.chainwork, &e->parent->info.chainwork, &w))
            return erg_err_set(err, ERG_ERR_OVERFLOW, "chainstate: chain work overflow");
    }
    e->info.mtp = compute_mtp(e);
    return ERG_OK;
}

static void index_record(const idx_entry *e, uint8_t rec[INDEX_REC_SIZE])
{
    erg_buf b;
    erg_buf_init(&b);
    erg_header_serialize(&e->info.header, &b);
    memcpy(rec, b.data, ERG_HEADER_SIZE);
    erg_buf_free(&b);
    erg_store_u32(rec + ERG_HEADER_SIZE, e->info.status);
    erg_store_u32(rec + ERG_HEADER_SIZE + 4, (uint32_t)e->info.size);
    erg_store_u32(rec + ERG_HEADER_SIZE + 8, e->info.ntx);
}

static void batch_index(erg_batch *b, const idx_entry *e)
{
    uint8_t k[33], rec[INDEX_REC_SIZE];
    key_with(k, K_INDEX, e->info.id);
    index_record(e, rec);
    erg_batch_put(b, k, 33, rec, sizeof rec);
}

static int is_ancestor(const idx_entry *anc, const idx_entry *e)
{
    while (e && e->info.header.height > anc->info.header.height) e = e->parent;
    return e == anc;
}

static idx_entry *tip_entry(const erg_chainstate *cs)
{
    return cs->active[cs->active_len - 1];
}

static erg_code set_active(erg_chainstate *cs, idx_entry *tip, erg_err *err)
{
    size_t h = (size_t)tip->info.header.height + 1, i;
    idx_entry *e;
    if (h > cs->active_cap) {
        size_t cap = cs->active_cap ? cs->active_cap : 1024;
        idx_entry **na;
        while (cap < h) cap *= 2;
        na = realloc(cs->active, cap * sizeof *na);
        if (!na) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        cs->active = na;
        cs->active_cap = cap;
    }
    /* Only the part above the fork changes: a connect or disconnect costs O(1), not O(height). */
    for (e = tip; e && !e->info.in_active_chain; e = e->parent) {}
    for (i = e ? (size_t)e->info.header.height + 1 : 0; i < cs->active_len; i++) cs->active[i]->info.in_active_chain = 0;
    for (e = tip; e && !e->info.in_active_chain; e = e->parent) {
        cs->active[e->info.header.height] = e;
        e->info.in_active_chain = 1;
    }
    cs->active_len = h;
    if (cs->best_header && !more_work(cs->best_header, tip)) cs->best_header = tip;
    return ERG_OK;
}

/* ---- state tree over LevelDB with an overlay of nodes not yet written ------------- */

typedef struct overlay {
    uint8_t (*hash)[32];
    uint8_t (*rec)[ERG_SMT_NODE_SIZE];
    size_t cap; /* power of two, 0 when empty */
    size_t n;
    erg_chainstate *cs;
    erg_batch *batch; /* NULL: compute only (templates) */
} overlay;

static void overlay_free(overlay *o)
{
    free(o->hash);
    free(o->rec);
    memset(o, 0, sizeof *o);
}

static erg_code overlay_get(void *ctx, const uint8_t h[32], uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err)
{
    overlay *o = ctx;
    uint8_t k[33];
    if (o->cap) {
        size_t i = (size_t)erg_load_u64(h) & (o->cap - 1);
        while (o->rec[i][0]) {
            if (memcmp(o->hash[i], h, 32) == 0) {
                memcpy(rec, o->rec[i], ERG_SMT_NODE_SIZE);
                return ERG_OK;
            }
            i = (i + 1) & (o->cap - 1);
        }
    }
    key_with(k, K_NODE, h);
    return erg_db_get_fixed(o->cs->db, k, 33, rec, ERG_SMT_NODE_SIZE, err);
}

static erg_code overlay_put(void *ctx, const uint8_t h[32], const uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err)
{
    overlay *o = ctx;
    size_t i;
    if ((o->n + 1) * 2 > o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 4096, j;
        uint8_t(*nh)[32] = calloc(ncap, 32);
        uint8_t(*nr)[ERG_SMT_NODE_SIZE] = calloc(ncap, ERG_SMT_NODE_SIZE);
        if (!nh || !nr) {
            free(nh);
            free(nr);
            return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        }
        for (j = 0; j < o->cap; j++) {
            size_t s;
            if (!o->rec[j][0]) continue;
            s = (size_t)erg_load_u64(o->hash[j]) & (ncap - 1);
            while (nr[s][0]) s = (s + 1) & (ncap - 1);
            memcpy(nh[s], o->hash[j], 32);
            memcpy(nr[s], o->rec[j], ERG_SMT_NODE_SIZE);
        }
        free(o->hash);
        free(o->rec);
        o->hash = nh;
        o->rec = nr;
        o->cap = ncap;
    }
    i = (size_t)erg_load_u64(h) & (o->cap - 1);
    while (o->rec[i][0]) {
        if (memcmp(o->hash[i], h, 32) == 0) return ERG_OK;
        i = (i + 1) & (o->cap - 1);
    }
    memcpy(o->hash[i], h, 32);
    memcpy(o->rec[i], rec, ERG_SMT_NODE_SIZE); /* rec[0] is the node kind, never 0 */
    o->n++;
    if (o->batch) {
        uint8_t k[33];
        key_with(k, K_NODE, h);
        erg_batch_put(o->batch, k, 33, rec, ERG_SMT_NODE_SIZE);
    }
    return ERG_OK;
}

static void account_key(const erg_pubkey *pk, uint8_t key[32])
{
    erg_tagged_hash("Ergon/state/account", pk->b, 32, key);
}

static void account_value_hash(const erg_account *a, uint8_t vh[32])
{
    uint8_t raw[16];
    erg_store_u64(raw, a->balance);
    erg_store_u64(raw + 8, a->nonce);
    erg_tagged_hash("Ergon/state/value", raw, 16, vh);
}

static erg_code db_account(erg_chainstate *cs, const erg_pubkey *pk, erg_account *a, erg_err *err)
{
    uint8_t k[33], raw[16];
    erg_code rc;
    key_with(k, K_ACCOUNT, pk->b);
    rc = erg_db_get_fixed(cs->db, k, 33, raw, 16, err);
    if (rc == ERG_ERR_NOTFOUND) {
        a->balance = a->nonce = 0;
        erg_err_clear(err);
        return ERG_OK;
    }
    if (rc) return rc;
    a->balance = erg_load_u64(raw);
    a->nonce = erg_load_u64(raw + 8);
    return ERG_OK;
}

/* ---- applying a block's effects to accounts (the state transition) ---------------- */

/* Touched accounts of one block. Invariant: keys unique; orig is the value before the block. */
typedef struct touched {
    erg_pubkey pk;
    erg_account orig;
    erg_account cur;
} touched;

typedef struct delta {
    touched *v;
    size_t n, cap;
    size_t *slots; /* open-addressing index into v, (size_t)-1 = empty */
    size_t nslots;
} delta;

static void delta_free(delta *d)
{
    free(d->v);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

static erg_code delta_get(erg_chainstate *cs, delta *d, const erg_pubkey *pk, touched **out, erg_err *err)
{
    size_t i;
    erg_code rc;
    if ((d->n + 1) * 2 > d->nslots) {
        size_t ns = d->nslots ? d->nslots * 2 : 256, j;
        size_t *slots = malloc(ns * sizeof *slots);
        if (!slots) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        for (j = 0; j < ns; j++) slots[j] = (size_t)-1;
        for (j = 0; j < d->n; j++) {
            size_t s = (size_t)erg_load_u64(d->v[j].pk.b) & (ns - 1);
            while (slots[s] != (size_t)-1) s = (s + 1) & (ns - 1);
            slots[s] = j;
        }
        free(d->slots);
        d->slots = slots;
        d->nslots = ns;
    }
    i = (size_t)erg_load_u64(pk->b) & (d->nslots - 1);
    while (d->slots[i] != (size_t)-1) {
        if (memcmp(d->v[d->slots[i]].pk.b, pk->b, 32) == 0) {
            *out = &d->v[d->slots[i]];
            return ERG_OK;
        }
        i = (i + 1) & (d->nslots - 1);
    }
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 64;
        touched *nv = realloc(d->v, nc * sizeof *nv);
        if (!nv) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        d->v = nv;
        d->cap = nc;
    }
    d->v[d->n].pk = *pk;
    if ((rc = db_account(cs, pk, &d->v[d->n].orig, err))) return rc;
    d->v[d->n].cur = d->v[d->n].orig;
    d->slots[i] = d->n;
    *out = &d->v[d->n++];
    return ERG_OK;
}

/* Apply one (already signature-checked) transaction to the delta. Every check runs before the
 * first change, so on failure no balance or nonce has moved. */
static erg_code apply_tx(erg_chainstate *cs, delta *d, const erg_tx *tx, uint64_t *fees, erg_err *err)
{
    touched *from, *to;
    uint64_t total;
    erg_code rc;
    if ((rc = erg_tx_total(tx, &total, err))) return rc;
    if ((rc = delta_get(cs, d, &tx->from, &from, err))) return rc;
    if (tx->nonce != from->cur.nonce)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-nonce: nonce %llu, account expects %llu",
                           (unsigned long long)tx->nonce, (unsigned long long)from->cur.nonce);
    if (from->cur.balance < total)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-balance: needs %llu, account holds %llu",
                           (unsigned long long)total, (unsigned long long)from->cur.balance);
    if (*fees > ERG_MAX_MONEY - tx->fee) return erg_err_set(err, ERG_ERR_OVERFLOW, "bad-txns-fees: fee total overflows");
    if ((rc = delta_get(cs, d, &tx->to, &to, err))) return rc;
    /* delta_get may have moved the array: look the sender up again. */
    if ((rc = delta_get(cs, d, &tx->from, &from, err))) return rc;
    if (to->cur.balance > ERG_MAX_MONEY - tx->amount)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "bad-txns-recipient-overflow: recipient balance would exceed the supply");
    from->cur.balance -= total;
    from->cur.nonce++;
    to->cur.balance += tx->amount;
    *fees += tx->fee;
    return ERG_OK;
}

static erg_code credit(erg_chainstate *cs, delta *d, const erg_pubkey *pk, uint64_t amount, erg_err *err)
{
    touched *t;
    erg_code rc;
    if ((rc = delta_get(cs, d, pk, &t, err))) return rc;
    if (t->cur.balance > ERG_MAX_MONEY - amount)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "bad-cb-amount: payout balance would exceed the supply");
    t->cur.balance += amount;
    return ERG_OK;
}

typedef struct keyed_value {
    uint8_t key[32];
    uint8_t vh[32];
    int present; /* 0: the account became zero and leaves the tree */
} keyed_value;

static int cmp_keyed(const void *a, const void *b)
{
    return memcmp(((const keyed_value *)a)->key, ((const keyed_value *)b)->key, 32);
}

/* New state root after the delta, nodes recorded in the overlay (and its batch, if any).
 * All changed accounts go into the tree in one sorted batch update. */
static erg_code delta_root(erg_chainstate *cs, const delta *d, const uint8_t old_root[32], overlay *o,
                           uint8_t root[32], erg_err *err)
{
    erg_smt_store st = {overlay_get, overlay_put, o};
    keyed_value *kv;
    uint8_t(*keys)[32];
    const uint8_t **vhs;
    size_t i, n = 0;
    erg_code rc;
    (void)cs;
    kv = malloc((d->n ? d->n : 1) * sizeof *kv);
    keys = malloc((d->n ? d->n : 1) * sizeof *keys);
    vhs = malloc((d->n ? d->n : 1) * sizeof *vhs);
    if (!kv || !keys || !vhs) {
        free(kv);
        free(keys);
        free(vhs);
        return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    }
    for (i = 0; i < d->n; i++) {
        const erg_account *a = &d->v[i].cur;
        if (memcmp(&d->v[i].cur, &d->v[i].orig, sizeof(erg_account)) == 0) continue;
        account_key(&d->v[i].pk, kv[n].key);
        account_value_hash(a, kv[n].vh);
        /* The zero account is the absent account: both read as zero, so both hash the same. */
        kv[n++].present = a->balance || a->nonce;
    }
    if (n > 1) qsort(kv, n, sizeof *kv, cmp_keyed);
    for (i = 0; i < n; i++) {
        memcpy(keys[i], kv[i].key, 32);
        vhs[i] = kv[i].present ? kv[i].vh : NULL;
    }
    rc = erg_smt_update_batch(&st, old_root, (const uint8_t(*)[32])keys, vhs, n, root, err);
    free(kv);
    free(keys);
    free(vhs);
    return rc;
}

static void batch_accounts(erg_batch *b, const delta *d, int use_orig)
{
    size_t i;
    for (i = 0; i < d->n; i++) {
        const erg_account *a = use_orig ? &d->v[i].orig : &d->v[i].cur;
        uint8_t k[33], raw[16];
        key_with(k, K_ACCOUNT, d->v[i].pk.b);
        if (a->balance == 0 && a->nonce == 0) {
            erg_batch_delete(b, k, 33);
        } else {
            erg_store_u64(raw, a->balance);
            erg_store_u64(raw + 8, a->nonce);
            erg_batch_put(b, k, 33, raw, 16);
        }
    }
}

/* ---- signature checks spread over threads ------------------------------------------ */

typedef struct sigjob {
    const erg_block *b;
    const uint8_t *genesis;
    size_t start, step;
    size_t bad;      /* first failing index, or (size_t)-1 */
    erg_err err;
} sigjob;

static void *sig_worker(void *arg)
{
    sigjob *j = arg;
    size_t i;
    j->bad = (size_t)-1;
    for (i = j->start; i < j->b->ntx; i += j->step) {
        if (erg_tx_check(&j->b->txs[i], j->genesis, &j->err)) {
            j->bad = i;
            break;
        }
    }
    return NULL;
}

#define SIG_THREADS 2

static erg_code check_signatures(erg_chainstate *cs, const erg_block *b, erg_err *err)
{
    sigjob jobs[SIG_THREADS];
    pthread_t th[SIG_THREADS];
    int started[SIG_THREADS] = {0};
    size_t i, nthreads = b->ntx >= 64 ? SIG_THREADS : 1, first = (size_t)-1, which = 0;
    for (i = 0; i < nthreads; i++) {
        jobs[i].b = b;
        jobs[i].genesis = cs->genesis_id;
        jobs[i].start = i;
        jobs[i].step = nthreads;
        erg_err_clear(&jobs[i].err);
        if (i > 0 && pthread_create(&th[i], NULL, sig_worker, &jobs[i]) == 0) started[i] = 1;
    }
    sig_worker(&jobs[0]);
    for (i = 1; i < nthreads; i++) {
        if (started[i]) pthread_join(th[i], NULL);
        else sig_worker(&jobs[i]);
    }
    for (i = 0; i < nthreads; i++)
        if (jobs[i].bad < first) {
            first = jobs[i].bad;
            which = i;
        }
    if (first != (size_t)-1) {
        if (err) *err = jobs[which].err;
        return erg_err_prefix(err, "tx %zu: ", first);
    }
    return ERG_OK;
}

/* ---- connect / disconnect ----------------------------------------------------------- */

static erg_code read_block_locked(erg_chainstate *cs, const uint8_t id[32], erg_block *b, erg_err *err)
{
    uint8_t k[33], *raw;
    size_t len;
    erg_code rc;
    key_with(k, K_BLOCK, id);
    if ((rc = erg_db_get(cs->db, k, 33, &raw, &len, err))) {
        if (rc == ERG_ERR_NOTFOUND) return erg_err_set(err, ERG_ERR_NOTFOUND, "block data not available");
        return rc;
    }
    rc = erg_block_decode(raw, len, b, err);
    free(raw);
    return rc;
}

/* Connect e on top of the tip. When `given` is non-NULL the block has not been stored yet:
 * its encoding `raw` joins the same batch, so storing and connecting cost one synced write. */
static erg_code connect_tip(erg_chainstate *cs, idx_entry *e, const erg_block *given, const erg_buf *raw, erg_err *err)
{
    erg_block blk;
    delta d = {0};
    overlay o = {0};
    erg_batch *batch = NULL;
    uint64_t fees = 0;
    uint8_t root[32], k[33];
    idx_entry *prev = tip_entry(cs);
    erg_buf undo;
    size_t i;
    erg_code rc;
    erg_buf_init(&undo);
    if (e->parent != prev) return erg_err_set(err, ERG_ERR_INTERNAL, "connect: block does not extend the tip");
    erg_block_init(&blk);
    if (given) {
        /* A shallow copy: blk.txs is borrowed, so it is never freed here. */
        blk = *given;
    } else if ((rc = read_block_locked(cs, e->info.id, &blk, err))) {
        return rc;
    }
    if ((rc = check_signatures(cs, &blk, err))) goto out;
    for (i = 0; i < blk.ntx; i++) {
        if ((rc = apply_tx(cs, &d, &blk.txs[i], &fees, err))) {
            erg_err_prefix(err, "tx %zu: ", i);
            goto out;
        }
    }
    if ((rc = credit(cs, &d, &blk.header.payout, erg_block_subsidy(cs->cp, blk.header.height) + fees, err))) goto out;
    batch = erg_batch_create();
    if (!batch) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        goto out;
    }
    o.cs = cs;
    o.batch = batch;
    if ((rc = delta_root(cs, &d, prev->info.header.state_root, &o, root, err))) goto out;
    if (memcmp(root, blk.header.state_root, 32) != 0) {
        rc = erg_err_set(err, ERG_ERR_INVALID, "bad-state-root: the header's state root does not match the state after the block");
        goto out;
    }
    batch_accounts(batch, &d, 0);
    for (i = 0; i < blk.ntx; i++) {
        uint8_t txk[33], txid[32];
        erg_tx_id(&blk.txs[i], txid);
        key_with(txk, K_TXINDEX, txid);
        erg_batch_put(batch, txk, 33, e->info.id, 32);
    }
    erg_buf_put_u32(&undo, (uint32_t)d.n);
    for (i = 0; i < d.n; i++) {
        erg_buf_put_raw(&undo, d.v[i].pk.b, 32);
        erg_buf_put_u64(&undo, d.v[i].orig.balance);
        erg_buf_put_u64(&undo, d.v[i].orig.nonce);
    }
    if ((rc = erg_buf_status(&undo, err))) goto out;
    key_with(k, K_UNDO, e->info.id);
    erg_batch_put(batch, k, 33, undo.data, undo.len);
    if (given) {
        key_with(k, K_BLOCK, e->info.id);
        erg_batch_put(batch, k, 33, raw->data, raw->len);
    }
    e->info.status |= ERG_BLOCK_VALID;
    batch_index(batch, e);
    k[0] = K_TIP;
    erg_batch_put(batch, k, 1, e->info.id, 32);
    if ((rc = erg_db_write(cs->db, batch, err))) {
        e->info.status &= ~(uint32_t)ERG_BLOCK_VALID;
        goto out;
    }
    if ((rc = set_active(cs, e, err))) goto out;
    {
        size_t li;
        for (li = 0; li < cs->nlisteners; li++)
            if (cs->listeners[li].block_connected) cs->listeners[li].block_connected(cs->listeners[li].ctx, &blk, &e->info);
    }
out:
    erg_buf_free(&undo);
    erg_batch_destroy(batch);
    overlay_free(&o);
    delta_free(&d);
    if (!given) erg_block_free(&blk);
    return rc;
}

static erg_code disconnect_tip(erg_chainstate *cs, erg_err *err)
{
    idx_entry *e = tip_entry(cs);
    erg_block blk;
    uint8_t k[33], *raw = NULL;
    size_t len, i, n;
    erg_batch *batch;
    erg_code rc;
    if (!e->parent) return erg_err_set(err, ERG_ERR_ARG, "cannot disconnect the genesis block");
    key_with(k, K_UNDO, e->info.id);
    if ((rc = erg_db_get(cs->db, k, 33, &raw, &len, err))) return erg_err_prefix(err, "undo data: ");
    n = len >= 4 ? erg_load_u32(raw) : 0;
    if (len < 4 || len != 4 + n * 48) {
        free(raw);
        return erg_err_set(err, ERG_ERR_PARSE, "undo data of block at height %u is corrupt", e->info.header.height);
    }
    if ((rc = read_block_locked(cs, e->info.id, &blk, err))) {
        free(raw);
        return rc;
    }
    batch = erg_batch_create();
    if (!batch) {
        free(raw);
        erg_block_free(&blk);
        return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    }
    for (i = 0; i < n; i++) {
        const uint8_t *p = raw + 4 + i * 48;
        uint8_t ak[33], val[16];
        key_with(ak, K_ACCOUNT, p);
        if (erg_load_u64(p + 32) == 0 && erg_load_u64(p + 40) == 0) {
            erg_batch_delete(batch, ak, 33);
        } else {
            memcpy(val, p + 32, 16);
            erg_batch_put(batch, ak, 33, val, 16);
        }
    }
    free(raw);
    for (i = 0; i < blk.ntx; i++) {
        uint8_t txk[33], txid[32];
        erg_tx_id(&blk.txs[i], txid);
        key_with(txk, K_TXINDEX, txid);
        erg_batch_delete(batch, txk, 33);
    }
    /* The parent's state root stays valid: tree nodes are content-addressed and never deleted. */
    erg_batch_delete(batch, k, 33);
    k[0] = K_TIP;
    erg_batch_put(batch, k, 1, e->parent->info.id, 32);
    rc = erg_db_write(cs->db, batch, err);
    erg_batch_destroy(batch);
    if (rc == ERG_OK) rc = set_active(cs, e->parent, err);
    if (rc == ERG_OK) {
        size_t li;
        for (li = 0; li < cs->nlisteners; li++)
            if (cs->listeners[li].block_disconnected)
                cs->listeners[li].block_disconnected(cs->listeners[li].ctx, &blk, &e->info);
    }
    erg_block_free(&blk);
    return rc;
}

static int usable(const idx_entry *e)
{
    return (e->info.status & ERG_BLOCK_HAVE_DATA) && !(e->info.status & (ERG_BLOCK_FAILED | ERG_BLOCK_FAILED_CHILD));
}

/* Whether e and every ancestor are usable (have data, not failed). Results are cached per
 * epoch along the walked path, so one scan over the index costs O(entries), not O(entries x
 * depth), even with thousands of blocks waiting above a missing one. */
static int chain_usable(erg_chainstate *cs, idx_entry *e)
{
    idx_entry *x;
    int ok = 1;
    /* The active chain is connected, so usable down to genesis. */
    for (x = e; x && !x->info.in_active_chain; x = x->parent) {
        if (x->epoch == cs->epoch) {
            ok = x->chain_ok;
            break;
        }
        if (!usable(x)) {
            ok = 0;
            break;
        }
    }
    for (; e != x; e = e->parent) {
        e->epoch = cs->epoch;
        e->chain_ok = ok;
    }
    return ok;
}

static idx_entry *best_candidate(erg_chainstate *cs)
{
    idx_entry *best = tip_entry(cs);
    size_t i;
    cs->epoch++;
    for (i = 0; i < cs->nbuckets; i++) {
        idx_entry *e;
        for (e = cs->buckets[i]; e; e = e->hnext) {
            int c;
            if (!usable(e)) continue;
            c = erg_u256_cmp(&e->info.chainwork, &best->info.chainwork);
            if (c < 0 || (c == 0 && (e->seq >= best->seq || best == tip_entry(cs)))) continue;
            if (!chain_usable(cs, e)) continue;
            best = e;
        }
    }
    return best;
}

/* Mark bad failed and every descendant (header-only ones too) failed-child, recording each
 * changed index entry in batch (may be NULL: memory only). */
static void mark_failed(erg_chainstate *cs, idx_entry *bad, erg_batch *batch)
{
    idx_entry *e;
    bad->info.status |= ERG_BLOCK_FAILED;
    if (batch) batch_index(batch, bad);
    for (e = bad->child; e; e = subtree_next(bad, e)) {
        e->info.status |= ERG_BLOCK_FAILED_CHILD;
        if (batch) batch_index(batch, e);
    }
    best_header_recompute(cs);
}

/* Move the active chain to the heaviest usable chain. If `watch` fails to connect, its reason is
 * returned in err (the chain still ends on the best valid tip). */
static erg_code activate_best(erg_chainstate *cs, const idx_entry *watch, erg_err *err)
{
    erg_code watch_rc = ERG_OK;
    for (;;) {
        idx_entry *best = best_candidate(cs), *fork, *x, **path;
        size_t np, i;
        erg_err cerr;
        erg_code rc = ERG_OK;
        if (best == tip_entry(cs)) break;
        for (fork = best; !fork->info.in_active_chain; fork = fork->parent) {}
        while (tip_entry(cs) != fork)
            if ((rc = disconnect_tip(cs, err))) return rc;
        /* Connect the whole path, lowest first; a block failing to connect ends the round and
         * the best is picked again without it. */
        np = best->info.header.height - fork->info.header.height;
        path = malloc(np * sizeof *path);
        if (!path) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        for (i = np, x = best; x != fork; x = x->parent) path[--i] = x;
        for (i = 0; i < np; i++) {
            erg_err_clear(&cerr);
            if ((rc = connect_tip(cs, path[i], NULL, NULL, &cerr))) {
                erg_batch *b;
                if (rc == ERG_ERR_IO || rc == ERG_ERR_NOMEM || rc == ERG_ERR_INTERNAL) {
                    free(path);
                    if (err) *err = cerr;
                    return rc;
                }
                erg_log_warn("chain", "block %u rejected while connecting: %s", path[i]->info.header.height,
                             cerr.reason);
                b = erg_batch_create();
                mark_failed(cs, path[i], b);
                if (b && erg_db_write(cs->db, b, NULL) != ERG_OK)
                    erg_log_error("chain", "could not persist an invalid-block mark");
                erg_batch_destroy(b);
                if (path[i] == watch || is_ancestor(path[i], watch)) {
                    watch_rc = rc;
                    if (err) *err = cerr;
                }
                break;
            }
        }
        free(path);
    }
    return watch_rc;
}

/* ---- genesis, open, close ------------------------------------------------------------ */

void erg_genesis_header(const erg_chain_params *cp, erg_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = 1;
    h->height = 0;
    h->time = (uint64_t)cp->genesis_time;
    h->bits = cp->genesis_bits;
    erg_merkle_root(NULL, 0, h->tx_root);
    memcpy(h->state_root, erg_smt_empty_root, 32);
    /* The job id of the genesis names the network, so each network's genesis id differs. */
    erg_tagged_hash("Ergon/genesis", cp->name, strlen(cp->name), h->job_id);
}

static void build_genesis(const erg_chain_params *cp, erg_block *g)
{
    erg_block_init(g);
    erg_genesis_header(cp, &g->header);
}

typedef struct load_ctx {
    erg_chainstate *cs;
} load_ctx;

static erg_code load_visit(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, erg_err *err)
{
    load_ctx *lc = ctx;
    idx_entry *e;
    erg_code rc;
    if (klen != 33 || vlen != INDEX_REC_SIZE) return erg_err_set(err, ERG_ERR_PARSE, "block index record malformed");
    e = calloc(1, sizeof *e);
    if (!e) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    if ((rc = erg_header_decode(val, ERG_HEADER_SIZE, &e->info.header, err))) {
        free(e);
        return rc;
    }
    erg_header_id(&e->info.header, e->info.id);
    if (memcmp(e->info.id, key + 1, 32) != 0) {
        free(e);
        return erg_err_set(err, ERG_ERR_PARSE, "block index record does not hash to its key (corrupt database)");
    }
    e->info.status = erg_load_u32(val + ERG_HEADER_SIZE);
    e->info.size = erg_load_u32(val + ERG_HEADER_SIZE + 4);
    e->info.ntx = erg_load_u32(val + ERG_HEADER_SIZE + 8);
    e->seq = lc->cs->seq++;
    return idx_insert(lc->cs, e, err);
}

static int cmp_height(const void *a, const void *b)
{
    const idx_entry *x = *(idx_entry *const *)a, *y = *(idx_entry *const *)b;
    return x->info.header.height < y->info.header.height ? -1 : x->info.header.height > y->info.header.height;
}

static erg_code load_index(erg_chainstate *cs, erg_err *err)
{
    load_ctx lc = {cs};
    uint8_t prefix = K_INDEX, tip[32], k = K_TIP;
    idx_entry **all, *t;
    size_t i, n = 0;
    erg_code rc;
    if ((rc = erg_db_scan(cs->db, &prefix, 1, load_visit, &lc, err))) return rc;
    all = malloc((cs->count ? cs->count : 1) * sizeof *all);
    if (!all) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    for (i = 0; i < cs->nbuckets; i++)
        for (t = cs->buckets[i]; t; t = t->hnext) all[n++] = t;
    qsort(all, n, sizeof *all, cmp_height);
    for (i = 0; i < n; i++) {
        idx_entry *e = all[i];
        if (e->info.header.height > 0) {
            e->parent = idx_find(cs, e->info.header.prev);
            if (!e->parent || e->parent->info.header.height + 1 != e->info.header.height) {
                free(all);
                return erg_err_set(err, ERG_ERR_PARSE, "block index: block at height %u has no parent (corrupt database)",
                                   e->info.header.height);
            }
            link_child(e);
        }
        if (!(e->info.status & ERG_BLOCK_HAVE_DATA)) cs->nheaders_only++;
        if ((rc = derive_entry(e, err))) {
            free(all);
            return rc;
        }
    }
    free(all);
    if ((rc = erg_db_get_fixed(cs->db, &k, 1, tip, 32, err))) return erg_err_prefix(err, "chain tip: ");
    t = idx_find(cs, tip);
    if (!t) return erg_err_set(err, ERG_ERR_PARSE, "chain tip is not in the block index (corrupt database)");
    if ((rc = set_active(cs, t, err))) return rc;
    best_header_recompute(cs);
    return ERG_OK;
}

erg_code erg_chainstate_open(erg_chainstate **out, const erg_chain_params *cp, const char *dir, erg_err *err)
{
    erg_chainstate *cs = calloc(1, sizeof *cs);
    erg_block g;
    erg_code rc;
    uint8_t k[33], tipk = K_TIP;
    if (!cs) return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    pthread_mutex_init(&cs->lock, NULL);
    cs->cp = cp;
    build_genesis(cp, &g);
    erg_header_id(&g.header, cs->genesis_id);
    mkdir(dir, 0700);
    if ((rc = erg_db_open(&cs->db, dir, err))) {
        free(cs);
        return rc;
    }
    key_with(k, K_INDEX, cs->genesis_id);
    {
        uint8_t *v;
        size_t vl;
        erg_err e2;
        rc = erg_db_get(cs->db, k, 33, &v, &vl, &e2);
        if (rc == ERG_OK) free(v);
    }
    if (rc == ERG_ERR_NOTFOUND) {
        /* Fresh database: genesis block, its index entry and the tip in one batch. */
        idx_entry tmp;
        erg_buf raw;
        erg_batch *b = erg_batch_create();
        memset(&tmp, 0, sizeof tmp);
        tmp.info.header = g.header;
        memcpy(tmp.info.id, cs->genesis_id, 32);
        tmp.info.status = ERG_BLOCK_HAVE_DATA | ERG_BLOCK_VALID;
        erg_buf_init(&raw);
        erg_block_serialize(&g, &raw);
        tmp.info.size = raw.len;
        key_with(k, K_BLOCK, cs->genesis_id);
        erg_batch_put(b, k, 33, raw.data, raw.len);
        batch_index(b, &tmp);
        erg_batch_put(b, &tipk, 1, cs->genesis_id, 32);
        rc = erg_db_write(cs->db, b, err);
        erg_batch_destroy(b);
        erg_buf_free(&raw);
        if (rc) goto fail;
    } else if (rc) {
        rc = erg_err_set(err, ERG_ERR_IO, "chainstate: cannot read the database");
        goto fail;
    }
    if ((rc = load_index(cs, err))) goto fail;
    /* Blocks stored but not yet connected when the node stopped (or crashed) are connected now. */
    pthread_mutex_lock(&cs->lock);
    rc = activate_best(cs, NULL, err);
    pthread_mutex_unlock(&cs->lock);
    if (rc) goto fail;
    erg_block_free(&g);
    *out = cs;
    return ERG_OK;
fail:
    erg_block_free(&g);
    erg_chainstate_close(cs);
    return rc;
}

void erg_chainstate_close(erg_chainstate *cs)
{
    size_t i;
    if (!cs) return;
    for (i = 0; i < cs->nbuckets; i++) {
        idx_entry *e = cs->buckets[i];
        while (e) {
            idx_entry *n = e->hnext;
            free(e);
            e = n;
        }
    }
    free(cs->buckets);
    free(cs->active);
    erg_db_close(cs->db);
    pthread_mutex_destroy(&cs->lock);
    free(cs);
}

erg_code erg_chainstate_add_listener(erg_chainstate *cs, const erg_chain_listener *l, erg_err *err)
{
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&cs->lock);
    if (cs->nlisteners == ERG_CHAIN_MAX_LISTENERS)
        rc = erg_err_set(err, ERG_ERR_RANGE, "chainstate: more than %d listeners", ERG_CHAIN_MAX_LISTENERS);
    else
        cs->listeners[cs->nlisteners++] = *l;
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

void erg_chainstate_remove_listener(erg_chainstate *cs, void *ctx)
{
    size_t i;
    pthread_mutex_lock(&cs->lock);
    for (i = 0; i < cs->nlisteners;) {
        if (cs->listeners[i].ctx == ctx) {
            memmove(&cs->listeners[i], &cs->listeners[i + 1], (cs->nlisteners - i - 1) * sizeof cs->listeners[0]);
            cs->nlisteners--;
            continue;
        }
        i++;
    }
    pthread_mutex_unlock(&cs->lock);
}

const erg_chain_params *erg_chainstate_params(const erg_chainstate *cs)
{
    return cs->cp;
}

void erg_chainstate_genesis_id(const erg_chainstate *cs, uint8_t id[32])
{
    memcpy(id, cs->genesis_id, 32);
}

/* ---- queries --------------------------------------------------------------------------- */

void erg_chainstate_tip(erg_chainstate *cs, erg_block_info *info)
{
    pthread_mutex_lock(&cs->lock);
    *info = tip_entry(cs)->info;
    pthread_mutex_unlock(&cs->lock);
}

uint32_t erg_chainstate_height(erg_chainstate *cs)
{
    uint32_t h;
    pthread_mutex_lock(&cs->lock);
    h = (uint32_t)(cs->active_len - 1);
    pthread_mutex_unlock(&cs->lock);
    return h;
}

erg_code erg_chainstate_block_at(erg_chainstate *cs, uint32_t height, erg_block_info *info, erg_err *err)
{
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&cs->lock);
    if ((size_t)height >= cs->active_len)
        rc = erg_err_set(err, ERG_ERR_RANGE, "Block height out of range");
    else
        *info = cs->active[height]->info;
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

erg_code erg_chainstate_block_info(erg_chainstate *cs, const uint8_t id[32], erg_block_info *info, erg_err *err)
{
    idx_entry *e;
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&cs->lock);
    e = idx_find(cs, id);
    if (!e) rc = erg_err_set(err, ERG_ERR_NOTFOUND, "Block not found");
    else *info = e->info;
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

erg_code erg_chainstate_read_block(erg_chainstate *cs, const uint8_t id[32], erg_block *b, erg_err *err)
{
    erg_code rc;
    pthread_mutex_lock(&cs->lock);
    rc = read_block_locked(cs, id, b, err);
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

/* Every leaf of the index, header-only leaves included (their status lacks
 * ERG_BLOCK_HAVE_DATA), plus the active tip when headers already extend it, as Bitcoin Core's
 * getchaintips always reports the active tip. */
size_t erg_chainstate_tips(erg_chainstate *cs, erg_block_info *infos, size_t cap)
{
    size_t i, n = 0;
    pthread_mutex_lock(&cs->lock);
    for (i = 0; i < cs->nbuckets && n < cap; i++) {
        idx_entry *e;
        for (e = cs->buckets[i]; e && n < cap; e = e->hnext)
            if (!e->child || e == tip_entry(cs)) infos[n++] = e->info;
    }
    pthread_mutex_unlock(&cs->lock);
    return n;
}

erg_code erg_chainstate_find_tx(erg_chainstate *cs, const uint8_t txid[32], erg_tx *tx, erg_block_info *info,
                                 erg_err *err)
{
    uint8_t k[33], bid[32];
    erg_block b;
    idx_entry *e;
    size_t i;
    erg_code rc;
    pthread_mutex_lock(&cs->lock);
    key_with(k, K_TXINDEX, txid);
    rc = erg_db_get_fixed(cs->db, k, 33, bid, 32, err);
    if (rc == ERG_ERR_NOTFOUND) rc = erg_err_set(err, ERG_ERR_NOTFOUND, "No such transaction in the active chain");
    if (rc) goto out;
    e = idx_find(cs, bid);
    if (!e) {
        rc = erg_err_set(err, ERG_ERR_INTERNAL, "transaction index names an unknown block");
        goto out;
    }
    if ((rc = read_block_locked(cs, bid, &b, err))) goto out;
    rc = erg_err_set(err, ERG_ERR_INTERNAL, "transaction index is out of date");
    for (i = 0; i < b.ntx; i++) {
        uint8_t id[32];
        erg_tx_id(&b.txs[i], id);
        if (memcmp(id, txid, 32) == 0) {
            *tx = b.txs[i];
            if (info) *info = e->info;
            erg_err_clear(err);
            rc = ERG_OK;
            break;
        }
    }
    erg_block_free(&b);
out:
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

erg_code erg_chainstate_get_account(erg_chainstate *cs, const erg_pubkey *pk, erg_account *acct, erg_err *err)
{
    erg_code rc;
    pthread_mutex_lock(&cs->lock);
    rc = db_account(cs, pk, acct, err);
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

/* ---- accepting blocks ------------------------------------------------------------------- */

/* The context-free checks a header alone allows (headers-first sync runs only these). */
static erg_code check_header_context_free(const erg_header *h, erg_err *err)
{
    static const uint8_t zero[32];
    if (h->version != 1) return erg_err_set(err, ERG_ERR_INVALID, "bad-version: block version %u", (unsigned)h->version);
    if (memcmp(h->side_root, zero, 32) != 0)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-side-root: side blocks are not active yet, side root must be zero");
    return ERG_OK;
}

static erg_code check_block_context_free(const erg_block *b, erg_err *err)
{
    uint8_t root[32];
    erg_code rc;
    if ((rc = check_header_context_free(&b->header, err))) return rc;
    if ((rc = erg_block_tx_root(b, root, err))) return rc;
    if (memcmp(root, b->header.tx_root, 32) != 0)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txnmrklroot: transaction root mismatch");
    return ERG_OK;
}

static erg_code check_header_context(erg_chainstate *cs, const idx_entry *parent, const erg_header *h, uint64_t now,
                                     erg_err *err)
{
    uint32_t want;
    if (is_failed(parent)) return erg_err_set(err, ERG_ERR_INVALID, "bad-prevblk: parent block is invalid");
    if (h->height != parent->info.header.height + 1)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-height: height %u, parent is at %u", (unsigned)h->height,
                           (unsigned)parent->info.header.height);
    if (h->time <= parent->info.mtp)
        return erg_err_set(err, ERG_ERR_INVALID, "time-too-old: block time %llu is not after the median time past %llu",
                           (unsigned long long)h->time, (unsigned long long)parent->info.mtp);
    if (h->time > now + (uint64_t)cs->cp->max_future_time)
        return erg_err_set(err, ERG_ERR_INVALID, "time-too-new: block time %llu is more than %llds in the future",
                           (unsigned long long)h->time, (long long)cs->cp->max_future_time);
    want = erg_pouw_next_bits(cs->cp, parent->info.header.height, parent->info.header.time);
    if (h->bits != want)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-diffbits: target %08x, expected %08x", (unsigned)h->bits,
                           (unsigned)want);
    return ERG_OK;
}

/* Where a block stands against the index: refused as a duplicate (or for its parent), or
 * accepted so far with *known its header-only entry (NULL for a new block) and *parent. */
static erg_code block_precheck(erg_chainstate *cs, const uint8_t id[32], const erg_header *h, uint64_t now,
                               idx_entry **known, idx_entry **parent, erg_err *err)
{
    idx_entry *e = idx_find(cs, id), *p;
    if (e && ((e->info.status & ERG_BLOCK_HAVE_DATA) || (e->info.status & ERG_BLOCK_FAILED)))
        return erg_err_set(err, ERG_ERR_INVALID, is_failed(e) ? "duplicate-invalid: block is known and invalid"
                                                              : "duplicate: block already known");
    /* A failed-child header-only entry falls through to the parent check: "bad-prevblk". */
    p = e ? e->parent : idx_find(cs, h->prev);
    if (!p) return erg_err_set(err, ERG_ERR_INVALID, "bad-prevblk: parent block is unknown");
    *known = e;
    *parent = p;
    return check_header_context(cs, p, h, now, err);
}

/* Give e the block's data in memory. A known header-only entry is restored from *saved if
 * storing fails; the arrival order restarts with the data, as Core's nSequenceId does, so a
 * peer that announces a header early and holds its block back wins no tie. */
static void entry_set_data(erg_chainstate *cs, idx_entry *e, int known, const erg_block *b, size_t size,
                           erg_block_info *saved)
{
    *saved = e->info;
    e->info.status |= ERG_BLOCK_HAVE_DATA;
    e->info.ntx = (uint32_t)b->ntx;
    e->info.size = size;
    e->seq = cs->seq++;
    if (known) cs->nheaders_only--;
}

/* Storing failed before anything reached the disk: a known entry is header-only again, a new
 * one (not yet in the index) is dropped. */
static void entry_drop_data(erg_chainstate *cs, idx_entry *e, int known, const erg_block_info *saved)
{
    if (known) {
        e->info = *saved;
        cs->nheaders_only++;
    } else {
        free(e);
    }
}

static int has_usable_child(const idx_entry *e)
{
    const idx_entry *c;
    for (c = e->child; c; c = c->sibling)
        if (usable(c)) return 1;
    return 0;
}

/* The common case, a block extending the tip: store and connect in one batch. */
static erg_code store_and_connect(erg_chainstate *cs, idx_entry *e, int known, const erg_block_info *saved,
                                  const erg_block *b, const erg_buf *raw, int *became_tip, erg_err *err)
{
    erg_err cerr;
    erg_batch *fb;
    uint8_t k[33];
    erg_code rc;
    if (!known && (rc = idx_add(cs, e, err))) {
        free(e);
        return rc;
    }
    erg_err_clear(&cerr);
    rc = connect_tip(cs, e, b, raw, &cerr);
    if (rc == ERG_OK) {
        if (became_tip) *became_tip = 1;
        /* Blocks that arrived before this one (it was header-only) may now extend it. */
        if (known && has_usable_child(e)) {
            rc = activate_best(cs, e, err);
            if (became_tip) *became_tip = tip_entry(cs) == e;
        }
        return rc;
    }
    if (err) *err = cerr;
    if (rc == ERG_ERR_IO || rc == ERG_ERR_NOMEM || rc == ERG_ERR_INTERNAL) {
        if (known) {
            entry_drop_data(cs, e, known, saved); /* the batch did not apply: the block may come again */
            return rc;
        }
        /* A new entry is already in the index and its data never reached the disk: never reuse it. */
    } else {
        erg_log_warn("chain", "block %u rejected while connecting: %s", e->info.header.height, cerr.reason);
    }
    /* Keep the block, marked as what it is, so a resubmission is refused at once. */
    fb = erg_batch_create();
    mark_failed(cs, e, fb);
    if (fb) {
        key_with(k, K_BLOCK, e->info.id);
        erg_batch_put(fb, k, 33, raw->data, raw->len);
        if (erg_db_write(cs->db, fb, NULL) != ERG_OK) erg_log_error("chain", "could not store a rejected block");
        erg_batch_destroy(fb);
    }
    return rc;
}

/* A block off the tip (side branch, or above blocks still missing): store it, then activate if
 * it completes a chain of stored blocks. */
static erg_code store_and_activate(erg_chainstate *cs, idx_entry *e, int known, const erg_block_info *saved,
                                   const erg_buf *raw, int *became_tip, erg_err *err)
{
    erg_batch *batch = erg_batch_create();
    uint8_t k[33];
    erg_code rc;
    if (!batch) {
        entry_drop_data(cs, e, known, saved);
        return erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
    }
    key_with(k, K_BLOCK, e->info.id);
    erg_batch_put(batch, k, 33, raw->data, raw->len);
    batch_index(batch, e);
    rc = erg_db_write(cs->db, batch, err);
    erg_batch_destroy(batch);
    if (rc) {
        entry_drop_data(cs, e, known, saved);
        return rc;
    }
    if (!known && (rc = idx_add(cs, e, err))) {
        free(e);
        return rc;
    }
    /* With an ancestor's data still missing nothing can change: skip the index scan, which
     * would otherwise run once per block of an out-of-order download. */
    cs->epoch++;
    if (!chain_usable(cs, e)) return ERG_OK;
    rc = activate_best(cs, e, err);
    if (became_tip) *became_tip = tip_entry(cs) == e;
    return rc;
}

erg_code erg_chainstate_process_block(erg_chainstate *cs, const erg_block *b, uint64_t now, int *became_tip,
                                      erg_err *err)
{
    uint8_t id[32];
    idx_entry *known = NULL, *parent = NULL, *e;
    erg_block_info saved;
    erg_buf raw;
    erg_code rc;
    if (became_tip) *became_tip = 0;
    erg_header_id(&b->header, id);
    /* Context-free checks and the unit's re-execution run without the lock: they are the
     * expensive part and touch no shared state. */
    if ((rc = check_block_context_free(b, err))) return rc;
    pthread_mutex_lock(&cs->lock);
    rc = block_precheck(cs, id, &b->header, now, &known, &parent, err);
    pthread_mutex_unlock(&cs->lock);
    if (rc) return rc;
    rc = erg_pouw_verify_unit(cs->cp, &b->header, err);
    pthread_mutex_lock(&cs->lock);
    if (rc) {
        /* The unit depends on the header alone, so no block can ever complete a header-only
         * entry holding a bad one: mark it failed rather than download it again. */
        e = idx_find(cs, id);
        if (rc == ERG_ERR_INVALID && e && !(e->info.status & ERG_BLOCK_HAVE_DATA) && !is_failed(e)) {
            erg_batch *fb = erg_batch_create();
            mark_failed(cs, e, fb);
            if (fb && erg_db_write(cs->db, fb, NULL) != ERG_OK)
                erg_log_error("chain", "could not persist an invalid-header mark");
            erg_batch_destroy(fb);
        }
        pthread_mutex_unlock(&cs->lock);
        return rc;
    }
    /* Again: the index may have moved while the unit ran. */
    if ((rc = block_precheck(cs, id, &b->header, now, &known, &parent, err))) {
        pthread_mutex_unlock(&cs->lock);
        return rc;
    }
    erg_buf_init(&raw);
    erg_block_serialize(b, &raw);
    if ((rc = erg_buf_status(&raw, err))) goto out;
    if (known) {
        e = known;
    } else {
        e = calloc(1, sizeof *e);
        if (!e) {
            rc = erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
            goto out;
        }
        e->info.header = b->header;
        memcpy(e->info.id, id, 32);
        e->parent = parent;
        if ((rc = derive_entry(e, err))) {
            free(e);
            goto out;
        }
    }
    entry_set_data(cs, e, known != NULL, b, raw.len, &saved);
    if (parent == tip_entry(cs))
        rc = store_and_connect(cs, e, known != NULL, &saved, b, &raw, became_tip, err);
    else
        rc = store_and_activate(cs, e, known != NULL, &saved, &raw, became_tip, err);
out:
    erg_buf_free(&raw);
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

erg_code erg_chainstate_invalidate(erg_chainstate *cs, const uint8_t id[32], erg_err *err)
{
    idx_entry *e;
    erg_batch *b;
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&cs->lock);
    e = idx_find(cs, id);
    if (!e) rc = erg_err_set(err, ERG_ERR_NOTFOUND, "Block not found");
    else if (!e->parent) rc = erg_err_set(err, ERG_ERR_ARG, "cannot invalidate the genesis block");
    if (rc) goto out;
    while (tip_entry(cs) != e->parent && is_ancestor(e, tip_entry(cs)))
        if ((rc = disconnect_tip(cs, err))) goto out;
    b = erg_batch_create();
    if (!b) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        goto out;
    }
    mark_failed(cs, e, b);
    rc = erg_db_write(cs->db, b, err);
    erg_batch_destroy(b);
    if (rc == ERG_OK) rc = activate_best(cs, NULL, err);
out:
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

erg_code erg_chainstate_reconsider(erg_chainstate *cs, const uint8_t id[32], erg_err *err)
{
    idx_entry *e, *a;
    erg_batch *b;
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&cs->lock);
    e = idx_find(cs, id);
    if (!e) {
        rc = erg_err_set(err, ERG_ERR_NOTFOUND, "Block not found");
        goto out;
    }
    b = erg_batch_create();
    if (!b) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        goto out;
    }
    for (a = e; a; a = subtree_next(e, a))
        if (is_failed(a)) {
            a->info.status &= ~(uint32_t)(ERG_BLOCK_FAILED | ERG_BLOCK_FAILED_CHILD);
            batch_index(b, a);
        }
    for (a = e->parent; a; a = a->parent)
        if (is_failed(a)) {
            a->info.status &= ~(uint32_t)(ERG_BLOCK_FAILED | ERG_BLOCK_FAILED_CHILD);
            batch_index(b, a);
        }
    best_header_recompute(cs);
    rc = erg_db_write(cs->db, b, err);
    erg_batch_destroy(b);
    if (rc == ERG_OK) rc = activate_best(cs, NULL, err);
out:
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

/* ---- templates ------------------------------------------------------------------------- */

erg_code erg_chainstate_template(erg_chainstate *cs, const erg_pubkey *payout, const erg_tx *cands, size_t ncands,
                                 uint64_t now, erg_block *out, erg_err *err)
{
    delta d = {0};
    overlay o = {0};
    idx_entry *tip;
    erg_commons_job job;
    uint64_t fees = 0;
    size_t i, size = ERG_HEADER_SIZE + 3;
    erg_code rc;
    erg_block_init(out);
    pthread_mutex_lock(&cs->lock);
    tip = tip_entry(cs);
    out->header.version = 1;
    out->header.height = tip->info.header.height + 1;
    memcpy(out->header.prev, tip->info.id, 32);
    out->header.time = now > tip->info.mtp ? now : tip->info.mtp + 1;
    out->header.bits = erg_pouw_next_bits(cs->cp, tip->info.header.height, tip->info.header.time);
    out->header.payout = *payout;
    for (i = 0; i < ncands && out->ntx < ERG_BLOCK_MAX_TXS; i++) {
        erg_err terr;
        if (size + erg_tx_size(&cands[i]) > ERG_BLOCK_MAX_SIZE) break;
        if (erg_tx_check(&cands[i], cs->genesis_id, &terr)) continue;
        /* apply_tx checks everything before it changes anything, so a failing candidate
         * leaves no trace (at most an unchanged account in the delta). */
        if (apply_tx(cs, &d, &cands[i], &fees, &terr) != ERG_OK) continue;
        if ((rc = erg_block_add_tx(out, &cands[i], err))) goto fail;
        size += erg_tx_size(&cands[i]);
    }
    if ((rc = credit(cs, &d, payout, erg_block_subsidy(cs->cp, out->header.height) + fees, err))) goto fail;
    o.cs = cs;
    if ((rc = delta_root(cs, &d, tip->info.header.state_root, &o, out->header.state_root, err))) goto fail;
    pthread_mutex_unlock(&cs->lock);
    overlay_free(&o);
    delta_free(&d);
    if ((rc = erg_block_tx_root(out, out->header.tx_root, err))) goto fail_unlocked;
    if ((rc = erg_commons_job_at(cs->cp, out->header.height, &job, err))) goto fail_unlocked;
    memcpy(out->header.job_id, job.job_id, 32);
    out->header.cu = job.cu;
    return ERG_OK;
fail:
    pthread_mutex_unlock(&cs->lock);
    overlay_free(&o);
    delta_free(&d);
fail_unlocked:
    erg_block_free(out);
    return rc;
}

/* ---- headers-first sync ---------------------------------------------------------------- */

erg_code erg_chainstate_accept_header(erg_chainstate *cs, const erg_header *h, uint64_t now, erg_block_info *info,
                                      erg_err *err)
{
    uint8_t id[32];
    idx_entry *e, *parent;
    erg_batch *batch;
    erg_code rc;
    erg_header_id(h, id);
    pthread_mutex_lock(&cs->lock);
    e = idx_find(cs, id);
    if (e) {
        if (is_failed(e)) {
            rc = erg_err_set(err, ERG_ERR_INVALID, "duplicate-invalid: header is known and invalid");
        } else {
            rc = ERG_OK;
            if (info) *info = e->info;
        }
        goto out;
    }
    parent = idx_find(cs, h->prev);
    if (!parent) {
        rc = erg_err_set(err, ERG_ERR_NOTFOUND, "prev-unknown: parent header is unknown");
        goto out;
    }
    if ((rc = check_header_context_free(h, err)) || (rc = check_header_context(cs, parent, h, now, err)) ||
        (rc = erg_pouw_check_header(cs->cp, h, err)))
        goto out;
    if (cs->nheaders_only >= ERG_MAX_HEADERS_ONLY) {
        rc = erg_err_set(err, ERG_ERR_RANGE, "too-many-headers: %zu headers already wait for their blocks",
                         cs->nheaders_only);
        goto out;
    }
    e = calloc(1, sizeof *e);
    batch = erg_batch_create();
    if (!e || !batch) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "chainstate: out of memory");
        goto fail;
    }
    e->info.header = *h;
    memcpy(e->info.id, id, 32);
    e->parent = parent;
    e->seq = cs->seq++;
    if ((rc = derive_entry(e, err))) goto fail;
    batch_index(batch, e);
    if ((rc = erg_db_write_nosync(cs->db, batch, err))) goto fail;
    erg_batch_destroy(batch);
    if ((rc = idx_add(cs, e, err))) {
        free(e);
        goto out;
    }
    if (info) *info = e->info;
    goto out;
fail:
    free(e);
    erg_batch_destroy(batch);
out:
    pthread_mutex_unlock(&cs->lock);
    return rc;
}

void erg_chainstate_best_header(erg_chainstate *cs, erg_block_info *info)
{
    pthread_mutex_lock(&cs->lock);
    *info = (cs->best_header ? cs->best_header : tip_entry(cs))->info;
    pthread_mutex_unlock(&cs->lock);
}

size_t erg_chainstate_locator(erg_chainstate *cs, uint8_t (*ids)[32], size_t cap)
{
    size_t n = 0, h, step = 1;
    if (cap == 0) return 0;
    pthread_mutex_lock(&cs->lock);
    h = cs->active_len - 1;
    for (;;) {
        if (n + 1 == cap && cap >= 2) h = 0; /* the last slot is genesis, the common ancestor of all */
        memcpy(ids[n++], cs->active[h]->info.id, 32);
        if (h == 0 || n == cap) break;
        if (n >= 10) step *= 2;
        h = h > step ? h - step : 0;
    }
    pthread_mutex_unlock(&cs->lock);
    return n;
}

size_t erg_chainstate_headers_after(erg_chainstate *cs, const uint8_t (*locator)[32], size_t nloc,
                                    const uint8_t stop[32], erg_header *out, size_t cap, uint32_t *fork_height)
{
    static const uint8_t zero[32];
    const idx_entry *fork;
    size_t i, n = 0, h;
    int use_stop = stop && memcmp(stop, zero, 32) != 0;
    pthread_mutex_lock(&cs->lock);
    fork = cs->active[0];
    for (i = 0; i < nloc; i++) {
        const idx_entry *e = idx_find(cs, locator[i]);
        if (e && e->info.in_active_chain) {
            fork = e;
            break;
        }
    }
    if (fork_height) *fork_height = fork->info.header.height;
    for (h = (size_t)fork->info.header.height + 1; h < cs->active_len && n < cap; h++) {
        out[n++] = cs->active[h]->info.header;
        if (use_stop && memcmp(cs->active[h]->info.id, stop, 32) == 0) break;
    }
    pthread_mutex_unlock(&cs->lock);
    return n;
}

size_t erg_chainstate_missing_blocks(erg_chainstate *cs, uint8_t (*ids)[32], size_t cap)
{
    const idx_entry *top, *e;
    size_t total = 0, skip, n, i;
    pthread_mutex_lock(&cs->lock);
    /* The best header is never failed, and failure marks reach every descendant, so nothing
     * on its chain is failed: the path from the active chain up to it is exactly what to fetch. */
    top = cs->best_header ? cs->best_header : tip_entry(cs);
    for (e = top; !e->info.in_active_chain; e = e->parent)
        if (!(e->info.status & ERG_BLOCK_HAVE_DATA)) total++;
    n = total < cap ? total : cap;
    skip = total - n; /* the highest ones, beyond cap: the walk meets them first */
    for (i = n, e = top; i > 0; e = e->parent) {
        if (e->info.status & ERG_BLOCK_HAVE_DATA) continue;
        if (skip) {
            skip--;
            continue;
        }
        memcpy(ids[--i], e->info.id, 32);
    }
    pthread_mutex_unlock(&cs->lock);
    return n;
}

int erg_chainstate_have(erg_chainstate *cs, const uint8_t id[32], uint32_t *status)
{
    const idx_entry *e;
    pthread_mutex_lock(&cs->lock);
    e = idx_find(cs, id);
    if (e && status) *status = e->info.status;
    pthread_mutex_unlock(&cs->lock);
    return e != NULL;
}
