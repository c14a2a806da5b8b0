/* The peer address store: a bounded table with a hash index, random selection, peers.dat persistence. */
#include "src/node/addrman.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/datafile.h"
#include "src/crypto/random.h"
#include "src/util/buffer.h"
#include "src/util/serialize.h"

#define RETRY_AFTER 60         /* seconds: an address tried more recently is not selected */
#define MAX_FAILURES 10        /* consecutive failures that drop an address that never worked */
#define FUTURE_SLACK 600       /* seconds: gossip times further ahead are clamped to now */
#define RECORD_SIZE (16 + 2 + 8 + 8 + 8 + 8 + 4)

static const uint8_t peers_magic[4] = {'E', 'P', 'R', 'S'};

typedef struct entry {
    erg_netaddr addr;
    uint64_t last_try;     /* unix seconds of the last outbound attempt, 0 = never */
    uint64_t last_success; /* unix seconds of the last completed handshake, 0 = never */
    uint32_t failures;     /* failed attempts since the last success */
} entry;

/*
 * Invariants: n <= cap; entries[0..n) are distinct by (ip, port) and valid; the open-addressing
 * index (linear probing, 2^k >= 2 * cap slots) holds exactly the indexes 0..n-1, each once,
 * reachable from its key's home slot without crossing an empty (-1) slot.
 */
struct erg_addrman {
    pthread_mutex_t lock;
    entry *entries;
    size_t n, cap;
    int32_t *slots;
    size_t mask;        /* slot count - 1 */
    uint64_t key[2];    /* random per table, so that peers cannot aim addresses at one probe chain */
    uint8_t pool[256];  /* random bytes not yet used */
    size_t pool_left;
};

/* ---- randomness ------------------------------------------------------------------------- */

/* Uniform in [0, n) for n > 0 without modulo bias; -1 when the OS gives no randomness. */
static int64_t rand_below(erg_addrman *am, uint64_t n)
{
    uint64_t v, limit = UINT64_MAX - UINT64_MAX % n;
    do {
        if (am->pool_left < 8) {
            if (erg_random_bytes(am->pool, sizeof am->pool, NULL)) return -1;
            am->pool_left = sizeof am->pool;
        }
        v = erg_load_u64(am->pool + sizeof am->pool - am->pool_left);
        am->pool_left -= 8;
    } while (v >= limit);
    return (int64_t)(v % n);
}

/* ---- the index -------------------------------------------------------------------------- */

/* The MurmurHash3 64-bit finalizer: keyed by the caller, it spreads ip and port over the slots. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static size_t home(const erg_addrman *am, const erg_netaddr *a)
{
    uint64_t h = mix(erg_load_u64(a->ip) ^ am->key[0]);
    h = mix(h ^ erg_load_u64(a->ip + 8) ^ am->key[1]);
    h = mix(h ^ a->port);
    return (size_t)h & am->mask;
}

/* The slot holding a's entry, or the empty slot where it would go. */
static size_t probe(const erg_addrman *am, const erg_netaddr *a)
{
    size_t s = home(am, a);
    while (am->slots[s] >= 0 && !erg_netaddr_equal(&am->entries[am->slots[s]].addr, a)) s = (s + 1) & am->mask;
    return s;
}

static entry *find(erg_addrman *am, const erg_netaddr *a)
{
    int32_t i = am->slots[probe(am, a)];
    return i >= 0 ? &am->entries[i] : NULL;
}

static void insert(erg_addrman *am, const entry *e)
{
    size_t s = probe(am, &e->addr);
    am->entries[am->n] = *e;
    am->slots[s] = (int32_t)am->n++;
}

/* Remove entries[i]: backward-shift deletion in the index, then move the last entry into i. */
static void remove_at(erg_addrman *am, size_t i)
{
    size_t s = probe(am, &am->entries[i].addr), j = s;
    size_t last = am->n - 1;
    am->slots[s] = -1;
    for (;;) {
        size_t h;
        j = (j + 1) & am->mask;
        if (am->slots[j] < 0) break;
        h = home(am, &am->entries[am->slots[j]].addr);
        /* The entry at j may fill the hole at s only if its home is not cyclically in (s, j]. */
        if (((j - h) & am->mask) >= ((j - s) & am->mask)) {
            am->slots[s] = am->slots[j];
            am->slots[j] = -1;
            s = j;
        }
    }
    if (i != last) {
        am->entries[i] = am->entries[last];
        am->slots[probe(am, &am->entries[i].addr)] = (int32_t)i;
    }
    am->n--;
}

static void clear_table(erg_addrman *am)
{
    memset(am->slots, 0xff, (am->mask + 1) * sizeof *am->slots);
    am->n = 0;
}

/* ---- lifetime --------------------------------------------------------------------------- */

erg_code erg_addrman_create(erg_addrman **out, size_t capacity, erg_err *err)
{
    erg_addrman *am;
    size_t slots = 16;
    erg_code rc;
    *out = NULL;
    if (capacity == 0 || capacity > (1u << 24)) return erg_err_set(err, ERG_ERR_ARG, "addrman: capacity %zu outside 1..2^24", capacity);
    while (slots < 2 * capacity) slots *= 2;
    if (!(am = calloc(1, sizeof *am))) return erg_err_set(err, ERG_ERR_NOMEM, "addrman: out of memory");
    pthread_mutex_init(&am->lock, NULL);
    am->cap = capacity;
    am->mask = slots - 1;
    am->entries = calloc(capacity, sizeof *am->entries);
    am->slots = malloc(slots * sizeof *am->slots);
    if (!am->entries || !am->slots) rc = erg_err_set(err, ERG_ERR_NOMEM, "addrman: out of memory for %zu entries", capacity);
    else rc = erg_random_bytes(am->key, sizeof am->key, err);
    if (rc) {
        erg_addrman_destroy(am);
        return rc;
    }
    clear_table(am);
    *out = am;
    return ERG_OK;
}

void erg_addrman_destroy(erg_addrman *am)
{
    if (!am) return;
    pthread_mutex_destroy(&am->lock);
    free(am->entries);
    free(am->slots);
    free(am);
}

/* ---- updates ---------------------------------------------------------------------------- */

/* The entry to give up first when full: most failures, then oldest gossip time. */
static size_t worst(const erg_addrman *am)
{
    size_t i, w = 0;
    for (i = 1; i < am->n; i++) {
        const entry *a = &am->entries[i], *b = &am->entries[w];
        if (a->failures > b->failures || (a->failures == b->failures && a->addr.time < b->addr.time)) w = i;
    }
    return w;
}

int erg_addrman_add(erg_addrman *am, const erg_netaddr *a, uint64_t now)
{
    erg_netaddr t;
    entry *e, fresh;
    if (!erg_netaddr_is_valid(a)) return 0;
    t = *a;
    if (t.time > now + FUTURE_SLACK) t.time = now;
    pthread_mutex_lock(&am->lock);
    if ((e = find(am, &t))) {
        e->addr.services |= t.services;
        if (t.time > e->addr.time) e->addr.time = t.time;
        pthread_mutex_unlock(&am->lock);
        return 0;
    }
    if (am->n == am->cap) remove_at(am, worst(am));
    memset(&fresh, 0, sizeof fresh);
    fresh.addr = t;
    insert(am, &fresh);
    pthread_mutex_unlock(&am->lock);
    return 1;
}

void erg_addrman_attempt(erg_addrman *am, const erg_netaddr *a, uint64_t now)
{
    entry *e;
    pthread_mutex_lock(&am->lock);
    if ((e = find(am, a))) e->last_try = now;
    pthread_mutex_unlock(&am->lock);
}

void erg_addrman_good(erg_addrman *am, const erg_netaddr *a, uint64_t now)
{
    entry *e;
    pthread_mutex_lock(&am->lock);
    if ((e = find(am, a))) {
        e->last_success = now;
        e->failures = 0;
        if (now > e->addr.time) e->addr.time = now;
    }
    pthread_mutex_unlock(&am->lock);
}

void erg_addrman_failed(erg_addrman *am, const erg_netaddr *a, uint64_t now)
{
    entry *e;
    pthread_mutex_lock(&am->lock);
    if ((e = find(am, a))) {
        e->last_try = now;
        if (e->failures < UINT32_MAX) e->failures++;
        /* One that worked before may come back; one that never answered is only clutter. */
        if (e->failures >= MAX_FAILURES && e->last_success == 0) remove_at(am, (size_t)(e - am->entries));
    }
    pthread_mutex_unlock(&am->lock);
}

/* ---- queries ---------------------------------------------------------------------------- */

/* Pick uniformly from list[0..*n) until skip accepts one; rejected ones are swapped out. */
static int pick_from(erg_addrman *am, size_t *list, size_t *n, int (*skip)(void *, const erg_netaddr *), void *ctx,
                     erg_netaddr *out)
{
    while (*n > 0) {
        int64_t r = rand_below(am, *n);
        const erg_netaddr *a;
        if (r < 0) return 0;
        a = &am->entries[list[r]].addr;
        if (!skip || !skip(ctx, a)) {
            *out = *a;
            return 1;
        }
        list[r] = list[--*n];
    }
    return 0;
}

int erg_addrman_select(erg_addrman *am, uint64_t now, int (*skip)(void *ctx, const erg_netaddr *a), void *ctx,
                       erg_netaddr *out)
{
    size_t *tried, *untried, nt = 0, nu = 0, i;
    int got = 0;
    pthread_mutex_lock(&am->lock);
    tried = malloc((am->n + 1) * sizeof *tried);
    untried = malloc((am->n + 1) * sizeof *untried);
    if (tried && untried) {
        for (i = 0; i < am->n; i++) {
            const entry *e = &am->entries[i];
            if (e->last_try && (e->last_try > now || now - e->last_try < RETRY_AFTER)) continue;
            if (e->last_success) tried[nt++] = i;
            else untried[nu++] = i;
        }
        /* Addresses that worked before get two draws in three, when there are any. */
        if (nt && (!nu || rand_below(am, 3) < 2)) got = pick_from(am, tried, &nt, skip, ctx, out) ||
                                                      pick_from(am, untried, &nu, skip, ctx, out);
        else got = pick_from(am, untried, &nu, skip, ctx, out) || pick_from(am, tried, &nt, skip, ctx, out);
    }
    pthread_mutex_unlock(&am->lock);
    free(tried);
    free(untried);
    return got;
}

size_t erg_addrman_sample(erg_addrman *am, erg_netaddr *out, size_t cap, unsigned pct)
{
    size_t want, i, got = 0;
    pthread_mutex_lock(&am->lock);
    /* pct of the table rounded up (so a small non-empty table still answers), at most cap. */
    if (pct > 100) pct = 100;
    want = (am->n * pct + 99) / 100;
    if (want > cap) want = cap;
    /* Partial Fisher-Yates over the entries themselves: their order carries no meaning. */
    for (i = 0; i < want; i++) {
        int64_t r = rand_below(am, am->n - i);
        size_t j, si, sj;
        entry tmp;
        if (r < 0) break;
        j = i + (size_t)r;
        /* Find both index slots before the swap: probe compares against the entries. */
        si = probe(am, &am->entries[i].addr);
        sj = probe(am, &am->entries[j].addr);
        tmp = am->entries[i];
        am->entries[i] = am->entries[j];
        am->entries[j] = tmp;
        am->slots[si] = (int32_t)j;
        am->slots[sj] = (int32_t)i;
        out[got++] = am->entries[i].addr;
    }
    pthread_mutex_unlock(&am->lock);
    return got;
}

size_t erg_addrman_size(erg_addrman *am)
{
    size_t n;
    pthread_mutex_lock(&am->lock);
    n = am->n;
    pthread_mutex_unlock(&am->lock);
    return n;
}

/* ---- persistence ------------------------------------------------------------------------ */

/* peers.dat data: compact count, then per entry ip[16] port u16 services u64 time u64
 * last_try u64 last_success u64 failures u32. */
erg_code erg_addrman_save(erg_addrman *am, const char *path, erg_err *err)
{
    erg_buf b;
    erg_code rc;
    size_t i;
    erg_buf_init(&b);
    pthread_mutex_lock(&am->lock);
    erg_buf_put_compact(&b, am->n);
    for (i = 0; i < am->n; i++) {
        const entry *e = &am->entries[i];
        erg_buf_put_raw(&b, e->addr.ip, 16);
        erg_buf_put_u16(&b, e->addr.port);
        erg_buf_put_u64(&b, e->addr.services);
        erg_buf_put_u64(&b, e->addr.time);
        erg_buf_put_u64(&b, e->last_try);
        erg_buf_put_u64(&b, e->last_success);
        erg_buf_put_u32(&b, e->failures);
    }
    pthread_mutex_unlock(&am->lock);
    if (!(rc = erg_buf_status(&b, err))) rc = erg_datafile_write(path, peers_magic, b.data, b.len, err);
    erg_buf_free(&b);
    return rc;
}

static erg_code read_entry(erg_reader *r, entry *e, erg_err *err)
{
    erg_code rc;
    memset(e, 0, sizeof *e);
    if ((rc = erg_read_raw(r, e->addr.ip, 16, "peers.ip", err)) || (rc = erg_read_u16(r, &e->addr.port, "peers.port", err)) ||
        (rc = erg_read_u64(r, &e->addr.services, "peers.services", err)) ||
        (rc = erg_read_u64(r, &e->addr.time, "peers.time", err)) || (rc = erg_read_u64(r, &e->last_try, "peers.last_try", err)) ||
        (rc = erg_read_u64(r, &e->last_success, "peers.last_success", err)) ||
        (rc = erg_read_u32(r, &e->failures, "peers.failures", err)))
        return rc;
    if (!erg_netaddr_is_valid(&e->addr)) return erg_err_set(err, ERG_ERR_PARSE, "peers: invalid address in the file");
    return ERG_OK;
}

erg_code erg_addrman_load(erg_addrman *am, const char *path, erg_err *err)
{
    erg_buf data;
    erg_reader r;
    erg_addrman *tmp = NULL;
    erg_code rc;
    uint64_t count, i;
    erg_buf_init(&data);
    rc = erg_datafile_read(path, peers_magic, &data, err); /* its reasons name the path */
    if (rc == ERG_ERR_NOTFOUND) erg_err_clear(err);
    if (rc) {
        erg_buf_free(&data);
        return rc == ERG_ERR_NOTFOUND ? ERG_OK : rc;
    }
    /* Parse into a private table, so that a bad record leaves am untouched. */
    erg_reader_init(&r, data.data, data.len);
    if ((rc = erg_read_compact(&r, &count, data.len / RECORD_SIZE, "peers.count", err))) goto done;
    if ((rc = erg_addrman_create(&tmp, am->cap, err))) goto done;
    for (i = 0; i < count; i++) {
        entry e;
        if ((rc = read_entry(&r, &e, err))) goto done;
        if (find(tmp, &e.addr)) {
            rc = erg_err_set(err, ERG_ERR_PARSE, "peers: address %llu appears twice", (unsigned long long)i);
            goto done;
        }
        if (tmp->n == tmp->cap) remove_at(tmp, worst(tmp)); /* a file from a larger table */
        insert(tmp, &e);
    }
    if ((rc = erg_reader_expect_end(&r, "peers", err))) goto done;
    pthread_mutex_lock(&am->lock);
    clear_table(am);
    for (i = 0; i < tmp->n; i++) insert(am, &tmp->entries[i]);
    pthread_mutex_unlock(&am->lock);
done:
    if (rc) erg_err_prefix(err, "%s: ", path);
    erg_addrman_destroy(tmp);
    erg_buf_free(&data);
    return rc;
}
