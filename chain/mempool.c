/* The transaction memory pool: admission against the tip, nonce chains, fee priority, size limit. */
#include "chain/mempool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct erg_mempool {
    pthread_mutex_t lock;       /* guards entries; taken before the chainstate lock, never after */
    erg_chainstate *cs;
    uint8_t genesis[32];
    erg_mempool_entry *v;       /* n entries, unordered */
    size_t n, cap;
    size_t bytes, max_bytes;
    uint64_t min_fee_per_kb;
    pthread_mutex_t qlock;      /* guards the event queue only (taken under the chainstate lock) */
    erg_tx *readd;              /* transactions of disconnected blocks, in order to re-admit */
    size_t nreadd, capreadd;
    int dirty;                  /* a block was connected or disconnected since the last sync */
    uint64_t seq;               /* admission counter: the last entry's seq */
};

erg_code erg_mempool_create(erg_mempool **out, erg_chainstate *cs, size_t max_bytes, uint64_t min_fee_per_kb,
                            erg_err *err)
{
    erg_mempool *mp = calloc(1, sizeof *mp);
    if (!mp) return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
    pthread_mutex_init(&mp->lock, NULL);
    pthread_mutex_init(&mp->qlock, NULL);
    mp->cs = cs;
    erg_chainstate_genesis_id(cs, mp->genesis);
    mp->max_bytes = max_bytes;
    mp->min_fee_per_kb = min_fee_per_kb;
    *out = mp;
    return ERG_OK;
}

void erg_mempool_destroy(erg_mempool *mp)
{
    if (!mp) return;
    free(mp->v);
    free(mp->readd);
    pthread_mutex_destroy(&mp->lock);
    pthread_mutex_destroy(&mp->qlock);
    free(mp);
}

static void on_connected(void *ctx, const erg_block *b, const erg_block_info *info)
{
    erg_mempool *mp = ctx;
    (void)b;
    (void)info;
    pthread_mutex_lock(&mp->qlock);
    mp->dirty = 1;
    pthread_mutex_unlock(&mp->qlock);
}

static void on_disconnected(void *ctx, const erg_block *b, const erg_block_info *info)
{
    erg_mempool *mp = ctx;
    size_t i;
    (void)info;
    pthread_mutex_lock(&mp->qlock);
    mp->dirty = 1;
    /* Disconnects come tip first: prepend so older blocks' transactions come first. */
    if (mp->nreadd + b->ntx > mp->capreadd) {
        size_t nc = (mp->nreadd + b->ntx) * 2;
        erg_tx *nv = realloc(mp->readd, nc * sizeof *nv);
        if (!nv) {
            pthread_mutex_unlock(&mp->qlock);
            return; /* out of memory: those transactions are not re-admitted */
        }
        mp->readd = nv;
        mp->capreadd = nc;
    }
    if (mp->nreadd) memmove(mp->readd + b->ntx, mp->readd, mp->nreadd * sizeof *mp->readd);
    for (i = 0; i < b->ntx; i++) mp->readd[i] = b->txs[i];
    mp->nreadd += b->ntx;
    pthread_mutex_unlock(&mp->qlock);
}

erg_chain_listener erg_mempool_listener(erg_mempool *mp)
{
    erg_chain_listener l;
    l.block_connected = on_connected;
    l.block_disconnected = on_disconnected;
    l.ctx = mp;
    return l;
}

static ssize_t find_locked(const erg_mempool *mp, const uint8_t txid[32])
{
    size_t i;
    for (i = 0; i < mp->n; i++)
        if (memcmp(mp->v[i].txid, txid, 32) == 0) return (ssize_t)i;
    return -1;
}

static void remove_at(erg_mempool *mp, size_t i)
{
    mp->bytes -= mp->v[i].size;
    mp->v[i] = mp->v[--mp->n];
}

/* Fee rate comparison without division: a pays less per byte than b. */
static int cheaper(const erg_mempool_entry *a, const erg_mempool_entry *b)
{
    return (unsigned __int128)a->tx.fee * b->size < (unsigned __int128)b->tx.fee * a->size;
}

/* Index of the lowest fee-rate entry that ends its sender's chain, or -1. */
static ssize_t eviction_candidate(const erg_mempool *mp)
{
    ssize_t best = -1;
    size_t i, j;
    for (i = 0; i < mp->n; i++) {
        int tail = 1;
        for (j = 0; j < mp->n && tail; j++)
            if (memcmp(mp->v[j].tx.from.b, mp->v[i].tx.from.b, 32) == 0 && mp->v[j].tx.nonce > mp->v[i].tx.nonce)
                tail = 0;
        if (tail && (best < 0 || cheaper(&mp->v[i], &mp->v[best]))) best = (ssize_t)i;
    }
    return best;
}

static erg_code add_locked(erg_mempool *mp, const erg_tx *tx, uint64_t now, erg_err *err)
{
    erg_mempool_entry e;
    erg_account acct;
    uint64_t pending = 0, total, expect;
    size_t i, count = 0;
    erg_code rc;
    memset(&e, 0, sizeof e);
    e.tx = *tx;
    erg_tx_id(tx, e.txid);
    e.size = erg_tx_size(tx);
    e.time = now;
    if (find_locked(mp, e.txid) >= 0) return erg_err_set(err, ERG_ERR_INVALID, "txn-already-in-mempool");
    if ((rc = erg_tx_check(tx, mp->genesis, err))) return rc;
    if ((unsigned __int128)tx->fee * 1000 < (unsigned __int128)mp->min_fee_per_kb * e.size)
        return erg_err_set(err, ERG_ERR_INVALID, "min-fee-not-met: fee %llu below %llu per kB for %zu bytes",
                           (unsigned long long)tx->fee, (unsigned long long)mp->min_fee_per_kb, e.size);
    if ((rc = erg_chainstate_get_account(mp->cs, &tx->from, &acct, err))) return rc;
    if (tx->nonce < acct.nonce)
        return erg_err_set(err, ERG_ERR_INVALID, "nonce-too-low: nonce %llu, account is at %llu (already mined?)",
                           (unsigned long long)tx->nonce, (unsigned long long)acct.nonce);
    for (i = 0; i < mp->n; i++) {
        const erg_tx *o = &mp->v[i].tx;
        if (memcmp(o->from.b, tx->from.b, 32) != 0) continue;
        if (o->nonce == tx->nonce)
            return erg_err_set(err, ERG_ERR_INVALID, "txn-mempool-conflict: nonce %llu is already used by a pooled transaction",
                               (unsigned long long)tx->nonce);
        count++;
        if ((rc = erg_tx_total(o, &total, err))) return rc;
        pending += total; /* each total <= ERG_MAX_MONEY and count is bounded by the pool size */
    }
    expect = acct.nonce + count;
    if (tx->nonce != expect)
        return erg_err_set(err, ERG_ERR_INVALID, "nonce-gap: nonce %llu, next expected is %llu",
                           (unsigned long long)tx->nonce, (unsigned long long)expect);
    if ((rc = erg_tx_total(tx, &total, err))) return rc;
    if (pending > UINT64_MAX - total || acct.balance < pending + total)
        return erg_err_set(err, ERG_ERR_INVALID,
                           "insufficient-funds: balance %llu cannot cover %llu pending plus %llu",
                           (unsigned long long)acct.balance, (unsigned long long)pending, (unsigned long long)total);
    while (mp->bytes + e.size > mp->max_bytes) {
        ssize_t victim = eviction_candidate(mp);
        if (victim < 0 || !cheaper(&mp->v[victim], &e))
            return erg_err_set(err, ERG_ERR_INVALID, "mempool-full: fee rate too low to evict anything");
        remove_at(mp, (size_t)victim);
    }
    if (mp->n == mp->cap) {
        size_t nc = mp->cap ? mp->cap * 2 : 256;
        erg_mempool_entry *nv = realloc(mp->v, nc * sizeof *nv);
        if (!nv) return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
        mp->v = nv;
        mp->cap = nc;
    }
    e.seq = ++mp->seq;
    mp->v[mp->n++] = e;
    mp->bytes += e.size;
    return ERG_OK;
}

erg_code erg_mempool_add(erg_mempool *mp, const erg_tx *tx, uint64_t now, erg_err *err)
{
    erg_code rc;
    pthread_mutex_lock(&mp->lock);
    rc = add_locked(mp, tx, now, err);
    pthread_mutex_unlock(&mp->lock);
    return rc;
}

static int cmp_sender_nonce(const void *a, const void *b)
{
    const erg_mempool_entry *x = a, *y = b;
    int c = memcmp(x->tx.from.b, y->tx.from.b, 32);
    if (c) return c;
    return x->tx.nonce < y->tx.nonce ? -1 : x->tx.nonce > y->tx.nonce;
}

void erg_mempool_sync(erg_mempool *mp)
{
    erg_tx *readd;
    erg_mempool_entry *old;
    size_t nreadd, nold, i;
    int dirty;
    pthread_mutex_lock(&mp->lock);
    pthread_mutex_lock(&mp->qlock);
    dirty = mp->dirty;
    readd = mp->readd;
    nreadd = mp->nreadd;
    mp->readd = NULL;
    mp->nreadd = mp->capreadd = 0;
    mp->dirty = 0;
    pthread_mutex_unlock(&mp->qlock);
    if (!dirty) {
        pthread_mutex_unlock(&mp->lock);
        free(readd);
        return;
    }
    /* Rebuild against the new tip: disconnected blocks' transactions first (they came first),
     * then the pool's own in sender/nonce order. Whatever no longer fits (mined, conflicting,
     * unaffordable) is dropped by the normal admission rules. */
    old = mp->v;
    nold = mp->n;
    mp->v = NULL;
    mp->n = mp->cap = 0;
    mp->bytes = 0;
    if (nold > 1) qsort(old, nold, sizeof *old, cmp_sender_nonce);
    for (i = 0; i < nreadd; i++) {
        erg_err e;
        (void)add_locked(mp, &readd[i], 0, &e);
    }
    for (i = 0; i < nold; i++) {
        erg_err e;
        if (add_locked(mp, &old[i].tx, old[i].time, &e) == ERG_OK) mp->v[mp->n - 1].time = old[i].time;
    }
    free(old);
    free(readd);
    pthread_mutex_unlock(&mp->lock);
}

int erg_mempool_has(erg_mempool *mp, const uint8_t txid[32])
{
    int r;
    pthread_mutex_lock(&mp->lock);
    r = find_locked(mp, txid) >= 0;
    pthread_mutex_unlock(&mp->lock);
    return r;
}

erg_code erg_mempool_get(erg_mempool *mp, const uint8_t txid[32], erg_mempool_entry *e, erg_err *err)
{
    ssize_t i;
    erg_code rc = ERG_OK;
    pthread_mutex_lock(&mp->lock);
    i = find_locked(mp, txid);
    if (i < 0) rc = erg_err_set(err, ERG_ERR_NOTFOUND, "transaction not in the mempool");
    else *e = mp->v[i];
    pthread_mutex_unlock(&mp->lock);
    return rc;
}

void erg_mempool_info_get(erg_mempool *mp, erg_mempool_info *info)
{
    size_t i;
    pthread_mutex_lock(&mp->lock);
    info->count = mp->n;
    info->bytes = mp->bytes;
    info->max_bytes = mp->max_bytes;
    info->min_fee_per_kb = mp->min_fee_per_kb;
    info->total_fee = 0;
    for (i = 0; i < mp->n; i++) info->total_fee += mp->v[i].tx.fee; /* bounded: each fee <= MAX_MONEY, sum by supply */
    pthread_mutex_unlock(&mp->lock);
}

erg_code erg_mempool_entries(erg_mempool *mp, erg_mempool_entry **out, size_t *n, erg_err *err)
{
    pthread_mutex_lock(&mp->lock);
    *out = malloc((mp->n ? mp->n : 1) * sizeof **out);
    if (!*out) {
        pthread_mutex_unlock(&mp->lock);
        return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
    }
    if (mp->n) memcpy(*out, mp->v, mp->n * sizeof **out);
    *n = mp->n;
    pthread_mutex_unlock(&mp->lock);
    return ERG_OK;
}

erg_code erg_mempool_select(erg_mempool *mp, size_t max_bytes, erg_tx **out, size_t *n, erg_err *err)
{
    erg_mempool_entry *s;
    size_t *head, *end, nchains = 0, i, used = 0, count = 0;
    pthread_mutex_lock(&mp->lock);
    s = malloc((mp->n ? mp->n : 1) * sizeof *s);
    head = malloc((mp->n ? mp->n : 1) * sizeof *head);
    end = malloc((mp->n ? mp->n : 1) * sizeof *end);
    *out = malloc((mp->n ? mp->n : 1) * sizeof **out);
    if (!s || !head || !end || !*out) {
        pthread_mutex_unlock(&mp->lock);
        free(s);
        free(head);
        free(end);
        free(*out);
        return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
    }
    if (mp->n) memcpy(s, mp->v, mp->n * sizeof *s);
    if (mp->n > 1) qsort(s, mp->n, sizeof *s, cmp_sender_nonce);
    for (i = 0; i < mp->n; i++) {
        if (i == 0 || memcmp(s[i].tx.from.b, s[i - 1].tx.from.b, 32) != 0) {
            head[nchains] = i;
            end[nchains++] = i;
        }
        end[nchains - 1] = i + 1;
    }
    /* Greedy by fee rate over the chains' next transactions: nonce order within a sender holds. */
    for (;;) {
        ssize_t best = -1;
        size_t c;
        for (c = 0; c < nchains; c++)
            if (head[c] < end[c] && (best < 0 || cheaper(&s[head[best]], &s[head[c]]))) best = (ssize_t)c;
        if (best < 0 || used + s[head[best]].size > max_bytes) break;
        used += s[head[best]].size;
        (*out)[count++] = s[head[best]].tx;
        head[best]++;
    }
    pthread_mutex_unlock(&mp->lock);
    free(s);
    free(head);
    free(end);
    *n = count;
    return ERG_OK;
}

erg_code erg_mempool_next_nonce(erg_mempool *mp, const erg_pubkey *pk, uint64_t *nonce, erg_err *err)
{
    erg_account a;
    size_t i;
    erg_code rc;
    pthread_mutex_lock(&mp->lock);
    rc = erg_chainstate_get_account(mp->cs, pk, &a, err);
    if (rc == ERG_OK) {
        *nonce = a.nonce;
        for (i = 0; i < mp->n; i++)
            if (memcmp(mp->v[i].tx.from.b, pk->b, 32) == 0) (*nonce)++;
    }
    pthread_mutex_unlock(&mp->lock);
    return rc;
}

erg_code erg_mempool_txids_since(erg_mempool *mp, uint64_t after, uint8_t (**ids)[32], size_t *n, uint64_t *last,
                                 erg_err *err)
{
    size_t i, k = 0;
    *ids = NULL;
    *n = 0;
    pthread_mutex_lock(&mp->lock);
    *last = mp->seq;
    for (i = 0; i < mp->n; i++)
        if (mp->v[i].seq > after) k++;
    if (k) {
        *ids = malloc(k * sizeof **ids);
        if (!*ids) {
            pthread_mutex_unlock(&mp->lock);
            return erg_err_set(err, ERG_ERR_NOMEM, "mempool: out of memory");
        }
        for (i = 0; i < mp->n; i++)
            if (mp->v[i].seq > after) memcpy((*ids)[(*n)++], mp->v[i].txid, 32);
    }
    pthread_mutex_unlock(&mp->lock);
    return ERG_OK;
}
