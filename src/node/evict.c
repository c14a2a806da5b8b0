/* Inbound eviction: protect peers that are hard for an attacker to imitate, then evict from the largest network group. */
#include "src/node/evict.h"

#include <stdlib.h>

typedef struct work {
    erg_evict_candidate c;
    size_t idx; /* position in the caller's array */
} work;

/* The sort orders below put the least deserving first and the most deserving last, so that each
 * rule protects from the end of the array. Every order falls back to the id (unique, larger is
 * younger) so that the choice does not depend on qsort's handling of equal keys. */
static int younger_first(const work *a, const work *b)
{
    return a->c.id > b->c.id ? -1 : a->c.id < b->c.id;
}

static int by_ping(const void *va, const void *vb)
{
    const work *a = va, *b = vb;
    int ma = a->c.pingtime >= 0, mb = b->c.pingtime >= 0;
    if (ma != mb) return ma - mb; /* not measured first */
    if (ma && a->c.pingtime != b->c.pingtime) return a->c.pingtime > b->c.pingtime ? -1 : 1;
    return younger_first(a, b);
}

static int by_block(const void *va, const void *vb)
{
    const work *a = va, *b = vb;
    if (a->c.last_block_time != b->c.last_block_time) return a->c.last_block_time < b->c.last_block_time ? -1 : 1;
    return younger_first(a, b);
}

static int by_tx(const void *va, const void *vb)
{
    const work *a = va, *b = vb;
    if (a->c.last_tx_time != b->c.last_tx_time) return a->c.last_tx_time < b->c.last_tx_time ? -1 : 1;
    return younger_first(a, b);
}

static int by_age(const void *va, const void *vb)
{
    const work *a = va, *b = vb;
    if (a->c.conntime != b->c.conntime) return a->c.conntime > b->c.conntime ? -1 : 1;
    return younger_first(a, b);
}

/* Groups together, each oldest first. */
static int by_group(const void *va, const void *vb)
{
    const work *a = va, *b = vb;
    if (a->c.netgroup != b->c.netgroup) return a->c.netgroup < b->c.netgroup ? -1 : 1;
    return -by_age(va, vb);
}

static int measured_ping(const erg_evict_candidate *c)
{
    return c->pingtime >= 0;
}

static int delivered_block(const erg_evict_candidate *c)
{
    return c->last_block_time > 0;
}

static int delivered_tx(const erg_evict_candidate *c)
{
    return c->last_tx_time > 0;
}

/* Sort the first m by cmp and protect (drop from consideration) up to k from the end that
 * qualify; returns how many remain. */
static size_t protect(work *w, size_t m, size_t k, int (*cmp)(const void *, const void *),
                      int (*qualifies)(const erg_evict_candidate *))
{
    qsort(w, m, sizeof *w, cmp);
    while (m && k && (!qualifies || qualifies(&w[m - 1].c))) {
        m--;
        k--;
    }
    return m;
}

uint64_t erg_evict_netgroup(const erg_netaddr *a)
{
    if (erg_netaddr_is_loopback(a)) return (uint64_t)3 << 40;
    if (erg_netaddr_is_ipv4(a)) return (uint64_t)1 << 40 | (uint64_t)a->ip[12] << 8 | a->ip[13];
    return (uint64_t)2 << 40 | (uint64_t)a->ip[0] << 24 | (uint64_t)a->ip[1] << 16 | (uint64_t)a->ip[2] << 8 | a->ip[3];
}

ptrdiff_t erg_evict_select(const erg_evict_candidate *c, size_t n)
{
    work *w;
    size_t m = n, i, best_end = 0, best_size = 0;
    ptrdiff_t chosen = -1;
    if (!n || n > (size_t)PTRDIFF_MAX / sizeof *w) return -1;
    w = malloc(n * sizeof *w);
    if (!w) return -1;
    for (i = 0; i < n; i++) {
        w[i].c = c[i];
        w[i].idx = i;
    }
    m = protect(w, m, ERG_EVICT_PROTECT_PING, by_ping, measured_ping);
    m = protect(w, m, ERG_EVICT_PROTECT_BLOCK, by_block, delivered_block);
    m = protect(w, m, ERG_EVICT_PROTECT_TX, by_tx, delivered_tx);
    m = protect(w, m, m / 2, by_age, NULL);
    if (m) {
        qsort(w, m, sizeof *w, by_group);
        for (i = 0; i < m;) {
            size_t end = i + 1;
            while (end < m && w[end].c.netgroup == w[i].c.netgroup) end++;
            /* A group's youngest is its last; a tie in size goes to the group with the younger youngest. */
            if (end - i > best_size || (end - i == best_size && by_age(&w[end - 1], &w[best_end - 1]) < 0)) {
                best_size = end - i;
                best_end = end;
            }
            i = end;
        }
        chosen = (ptrdiff_t)w[best_end - 1].idx;
    }
    free(w);
    return chosen;
}
