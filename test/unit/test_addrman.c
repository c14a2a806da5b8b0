/* Unit tests for src/node/addrman: add/refresh, eviction, random selection rules, sampling, persistence, a model check. */
#include "src/node/addrman.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/crypto/datafile.h"
#include "test/unit/harness.h"

#define NOW 1700000000u

static char g_dir[] = "/tmp/erg_addrman_XXXXXX";
static char g_path[128];

/* Address number k: 10.(k>>8).(k&255).1 port 8333, distinct for k < 65536. */
static erg_netaddr addr(unsigned k, uint64_t time)
{
    erg_netaddr a;
    memset(&a, 0, sizeof a);
    a.ip[10] = a.ip[11] = 0xff;
    a.ip[12] = 10;
    a.ip[13] = (uint8_t)(k >> 8);
    a.ip[14] = (uint8_t)k;
    a.ip[15] = 1;
    a.port = 8333;
    a.time = time;
    return a;
}

static unsigned addr_num(const erg_netaddr *a)
{
    return (unsigned)a->ip[13] << 8 | a->ip[14];
}

/* A skip callback that records everything it is offered and refuses it: select() then visits
 * every eligible entry exactly once, which lists the table. */
typedef struct lister {
    erg_netaddr seen[1024];
    size_t n;
} lister;

static int list_all(void *ctx, const erg_netaddr *a)
{
    lister *l = ctx;
    if (l->n < sizeof l->seen / sizeof l->seen[0]) l->seen[l->n] = *a;
    l->n++;
    return 1;
}

static size_t list_table(erg_addrman *am, uint64_t now, lister *l)
{
    erg_netaddr out;
    l->n = 0;
    CHECK(erg_addrman_select(am, now, list_all, l, &out) == 0);
    return l->n;
}

static void test_add_refresh(void)
{
    erg_addrman *am;
    erg_netaddr a = addr(1, NOW - 100), b, out;
    lister l;
    erg_err err;
    CHECK(erg_addrman_create(&am, 0, &err) == ERG_ERR_ARG);
    CHECK(erg_addrman_create(&am, 10, &err) == ERG_OK);
    CHECK(erg_addrman_size(am) == 0);
    CHECK(erg_addrman_select(am, NOW, NULL, NULL, &out) == 0);
    a.services = 1;
    CHECK(erg_addrman_add(am, &a, NOW) == 1);
    /* A refresh merges services and keeps the newest time, and is not new. */
    b = a;
    b.services = 4;
    b.time = NOW - 50;
    CHECK(erg_addrman_add(am, &b, NOW) == 0);
    b.time = NOW - 500;
    CHECK(erg_addrman_add(am, &b, NOW) == 0);
    CHECK(erg_addrman_size(am) == 1);
    CHECK(erg_addrman_select(am, NOW, NULL, NULL, &out) == 1);
    CHECK(erg_netaddr_equal(&out, &a) && out.services == 5 && out.time == NOW - 50);
    /* Invalid addresses are ignored. */
    b = addr(2, NOW);
    b.port = 0;
    CHECK(erg_addrman_add(am, &b, NOW) == 0);
    b = addr(2, NOW);
    b.ip[12] = 224;
    CHECK(erg_addrman_add(am, &b, NOW) == 0);
    b = addr(2, NOW);
    memset(b.ip, 0, 16);
    CHECK(erg_addrman_add(am, &b, NOW) == 0);
    CHECK(erg_addrman_size(am) == 1);
    /* A time from the far future is clamped to now; ten minutes ahead is allowed. */
    b = addr(3, NOW + 601);
    CHECK(erg_addrman_add(am, &b, NOW) == 1);
    b = addr(4, NOW + 600);
    CHECK(erg_addrman_add(am, &b, NOW) == 1);
    CHECK(list_table(am, NOW, &l) == 3);
    for (size_t i = 0; i < l.n; i++) {
        if (addr_num(&l.seen[i]) == 3) CHECK(l.seen[i].time == NOW);
        if (addr_num(&l.seen[i]) == 4) CHECK(l.seen[i].time == NOW + 600);
    }
    /* IPv6 and IPv4 with the same port are different entries; the same ip on another port too. */
    b = addr(1, NOW);
    b.port = 8334;
    CHECK(erg_addrman_add(am, &b, NOW) == 1);
    CHECK(erg_netaddr_parse("[2001:db8::1]:8333", 0, &b, NULL) == ERG_OK);
    CHECK(erg_addrman_add(am, &b, NOW) == 1);
    CHECK(erg_addrman_size(am) == 5);
    erg_addrman_destroy(am);
}

static void test_capacity_eviction(void)
{
    erg_addrman *am;
    erg_netaddr a;
    lister l;
    size_t i;
    int have[8] = {0};
    CHECK(erg_addrman_create(&am, 4, NULL) == ERG_OK);
    for (i = 0; i < 4; i++) {
        a = addr((unsigned)i, NOW - 1000 + i); /* 0 is the oldest */
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    /* Full: a newcomer replaces the entry with the most failures, even a newer one... */
    a = addr(3, 0);
    erg_addrman_failed(am, &a, NOW);
    a = addr(4, NOW);
    CHECK(erg_addrman_add(am, &a, NOW) == 1);
    CHECK(erg_addrman_size(am) == 4);
    /* ...and, failures being equal, the oldest. */
    a = addr(5, NOW);
    CHECK(erg_addrman_add(am, &a, NOW) == 1);
    CHECK(list_table(am, NOW, &l) == 4);
    for (i = 0; i < l.n; i++) have[addr_num(&l.seen[i]) & 7] = 1;
    CHECK(!have[0] && have[1] && have[2] && !have[3] && have[4] && have[5]);
    erg_addrman_destroy(am);
}

static int skip_all_but_7(void *ctx, const erg_netaddr *a)
{
    (*(int *)ctx)++;
    return addr_num(a) != 7;
}

static int skip_everything(void *ctx, const erg_netaddr *a)
{
    (void)a;
    (*(int *)ctx)++;
    return 1;
}

static void test_select_rules(void)
{
    erg_addrman *am;
    erg_netaddr a, out;
    unsigned i;
    int calls = 0, tried_hits = 0, seen[10] = {0}, all_seen = 1;
    CHECK(erg_addrman_create(&am, 100, NULL) == ERG_OK);
    a = addr(0, NOW);
    CHECK(erg_addrman_add(am, &a, NOW) == 1);
    /* Tried in the last minute: not offered until 60 s have passed. */
    erg_addrman_attempt(am, &a, NOW);
    CHECK(erg_addrman_select(am, NOW, NULL, NULL, &out) == 0);
    CHECK(erg_addrman_select(am, NOW + 59, NULL, NULL, &out) == 0);
    CHECK(erg_addrman_select(am, NOW + 60, NULL, NULL, &out) == 1 && erg_netaddr_equal(&out, &a));
    /* A clock that went backwards does not make a recent try old. */
    CHECK(erg_addrman_select(am, NOW - 1000, NULL, NULL, &out) == 0);
    for (i = 1; i < 10; i++) {
        a = addr(i, NOW);
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    /* The skip callback excludes: only 7 survives, and each entry is asked about at most once. */
    for (i = 0; i < 50; i++) {
        calls = 0;
        CHECK(erg_addrman_select(am, NOW + 100, skip_all_but_7, &calls, &out) == 1 && addr_num(&out) == 7);
        CHECK(calls >= 1 && calls <= 10);
    }
    calls = 0;
    CHECK(erg_addrman_select(am, NOW + 100, skip_everything, &calls, &out) == 0 && calls == 10);
    /* Address 0 connected once: it gets about two draws in three, the other nine share the rest. */
    a = addr(0, 0);
    erg_addrman_good(am, &a, NOW + 100);
    for (i = 0; i < 3000; i++) {
        CHECK(erg_addrman_select(am, NOW + 200, NULL, NULL, &out) == 1);
        if (addr_num(&out) == 0) tried_hits++;
        seen[addr_num(&out) % 10]++;
    }
    /* Expected 2000, sd ~26: the bounds are ~8 sd wide, so this never flakes but catches 1/2 or 9/10. */
    CHECK(tried_hits > 1800 && tried_hits < 2200);
    for (i = 1; i < 10; i++) all_seen &= seen[i] > 50;
    CHECK(all_seen);
    /* With only the tried one eligible, it is chosen; with it skipped, the untried are. */
    for (i = 1; i < 10; i++) {
        a = addr(i, 0);
        erg_addrman_attempt(am, &a, NOW + 200);
    }
    CHECK(erg_addrman_select(am, NOW + 200, NULL, NULL, &out) == 1 && addr_num(&out) == 0);
    erg_addrman_destroy(am);
}

static void test_failure_dropping(void)
{
    erg_addrman *am;
    erg_netaddr a = addr(1, NOW), b = addr(2, NOW), out;
    int i;
    CHECK(erg_addrman_create(&am, 10, NULL) == ERG_OK);
    CHECK(erg_addrman_add(am, &a, NOW) == 1 && erg_addrman_add(am, &b, NOW) == 1);
    for (i = 0; i < 9; i++) erg_addrman_failed(am, &a, NOW + (uint64_t)i);
    CHECK(erg_addrman_size(am) == 2);
    /* Failing marks a try: the address rests for a minute. */
    CHECK(erg_addrman_select(am, NOW + 8, NULL, NULL, &out) == 1 && addr_num(&out) == 2);
    erg_addrman_failed(am, &a, NOW + 9);
    CHECK(erg_addrman_size(am) == 1);
    /* One that ever worked is kept however often it fails afterwards; a success resets the count. */
    erg_addrman_good(am, &b, NOW);
    for (i = 0; i < 25; i++) erg_addrman_failed(am, &b, NOW);
    CHECK(erg_addrman_size(am) == 1);
    /* Calls about unknown addresses change nothing. */
    erg_addrman_failed(am, &a, NOW);
    erg_addrman_good(am, &a, NOW);
    erg_addrman_attempt(am, &a, NOW);
    CHECK(erg_addrman_size(am) == 1);
    erg_addrman_destroy(am);
}

static void test_sample(void)
{
    erg_addrman *am;
    erg_netaddr a, out[400];
    unsigned i, j;
    int dup = 0;
    CHECK(erg_addrman_create(&am, 2000, NULL) == ERG_OK);
    CHECK(erg_addrman_sample(am, out, 10, ERG_ADDRMAN_GETADDR_PCT) == 0);
    for (i = 0; i < 3; i++) {
        a = addr(i, NOW);
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    CHECK(erg_addrman_sample(am, out, 10, ERG_ADDRMAN_GETADDR_PCT) == 1); /* 23% of 3, rounded up */
    CHECK(erg_addrman_sample(am, out, 10, 100) == 3);                    /* getnodeaddresses: all */
    for (; i < 100; i++) {
        a = addr(i, NOW);
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    CHECK(erg_addrman_sample(am, out, 1000, ERG_ADDRMAN_GETADDR_PCT) == 23);
    CHECK(erg_addrman_sample(am, out, 10, ERG_ADDRMAN_GETADDR_PCT) == 10);
    CHECK(erg_addrman_sample(am, out, 0, ERG_ADDRMAN_GETADDR_PCT) == 0);
    for (; i < 1000; i++) {
        a = addr(i, NOW);
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    CHECK(erg_addrman_sample(am, out, 400, ERG_ADDRMAN_GETADDR_PCT) == 230);
    for (i = 0; i < 230; i++)
        for (j = 0; j < i; j++) dup += erg_netaddr_equal(&out[i], &out[j]);
    CHECK(dup == 0);
    /* Sampling shuffles storage: the table must still find every address afterwards. */
    for (i = 0; i < 1000; i++) {
        a = addr(i, NOW);
        if (erg_addrman_add(am, &a, NOW) != 0) dup++;
    }
    CHECK(dup == 0 && erg_addrman_size(am) == 1000);
    /* Two samples of 230 out of 1000 differ (the chance they match is nil). */
    {
        erg_netaddr again[400];
        CHECK(erg_addrman_sample(am, again, 400, ERG_ADDRMAN_GETADDR_PCT) == 230);
        CHECK(memcmp(again, out, 230 * sizeof out[0]) != 0);
    }
    erg_addrman_destroy(am);
}

static void test_save_load(void)
{
    erg_addrman *am, *bm;
    erg_netaddr a, out;
    erg_buf raw;
    erg_err err;
    unsigned i;
    size_t k;
    int bad = 0;
    CHECK(mkdtemp(g_dir) != NULL);
    snprintf(g_path, sizeof g_path, "%s/peers.dat", g_dir);
    CHECK(erg_addrman_create(&am, 50, NULL) == ERG_OK);
    CHECK(erg_addrman_create(&bm, 50, NULL) == ERG_OK);
    /* A missing file is an empty table. */
    CHECK(erg_addrman_load(bm, g_path, &err) == ERG_OK && erg_addrman_size(bm) == 0);
    for (i = 0; i < 20; i++) {
        a = addr(i, NOW - i);
        a.services = i;
        CHECK(erg_addrman_add(am, &a, NOW) == 1);
    }
    CHECK(erg_netaddr_parse("[2001:db8::5]:18444", 0, &a, NULL) == ERG_OK);
    CHECK(erg_addrman_add(am, &a, NOW) == 1);
    a = addr(1, 0);
    erg_addrman_attempt(am, &a, NOW);
    a = addr(2, 0);
    erg_addrman_good(am, &a, NOW);
    a = addr(3, 0);
    for (i = 0; i < 9; i++) erg_addrman_failed(am, &a, NOW - 100);
    CHECK(erg_addrman_save(am, g_path, &err) == ERG_OK);
    CHECK(erg_addrman_load(bm, g_path, &err) == ERG_OK);
    CHECK(erg_addrman_size(bm) == 21);
    /* Every field came back: services and times as listed, the try, the success and the failures
     * by their effects. */
    {
        lister l;
        CHECK(list_table(bm, NOW + 1, &l) == 20); /* 1 was tried a second ago */
        for (k = 0; k < l.n; k++) {
            unsigned n = addr_num(&l.seen[k]);
            if (l.seen[k].ip[0] == 0x20) continue;
            if (l.seen[k].services != n || l.seen[k].time != (n == 2 ? NOW : NOW - n)) bad++;
        }
        CHECK(bad == 0);
    }
    a = addr(3, 0);
    erg_addrman_failed(bm, &a, NOW);
    CHECK(erg_addrman_size(bm) == 20);
    a = addr(2, 0);
    for (i = 0; i < 12; i++) erg_addrman_failed(bm, &a, NOW);
    CHECK(erg_addrman_size(bm) == 20);
    /* Loading replaces the table's contents. */
    CHECK(erg_addrman_load(bm, g_path, &err) == ERG_OK && erg_addrman_size(bm) == 21);
    /* A smaller table keeps the best of a larger file. */
    {
        erg_addrman *small;
        CHECK(erg_addrman_create(&small, 5, NULL) == ERG_OK);
        CHECK(erg_addrman_load(small, g_path, &err) == ERG_OK && erg_addrman_size(small) == 5);
        erg_addrman_destroy(small);
    }
    /* Damage: every flipped byte and every truncation is refused and loads nothing. */
    erg_buf_init(&raw);
    CHECK(erg_datafile_read_raw(g_path, 1 << 20, &raw, &err) == ERG_OK);
    erg_addrman_destroy(bm);
    CHECK(erg_addrman_create(&bm, 50, NULL) == ERG_OK);
    a = addr(99, NOW);
    CHECK(erg_addrman_add(bm, &a, NOW) == 1);
    bad = 0;
    for (k = 0; k < raw.len; k += 7) {
        erg_code rc;
        raw.data[k] ^= 1;
        CHECK(erg_datafile_write_synced(g_path, raw.data, raw.len, NULL) == ERG_OK);
        rc = erg_addrman_load(bm, g_path, &err);
        if ((rc != ERG_ERR_CHECKSUM && rc != ERG_ERR_PARSE) || erg_addrman_size(bm) != 1) bad++;
        raw.data[k] ^= 1;
        CHECK(erg_datafile_write_synced(g_path, raw.data, k, NULL) == ERG_OK);
        rc = erg_addrman_load(bm, g_path, &err);
        if (rc != ERG_ERR_PARSE || erg_addrman_size(bm) != 1) bad++;
    }
    CHECK(bad == 0);
    CHECK(erg_addrman_select(bm, NOW, NULL, NULL, &out) == 1 && addr_num(&out) == 99);
    erg_buf_free(&raw);
    erg_addrman_destroy(am);
    erg_addrman_destroy(bm);
}

/* Well-checksummed files with bad records: the record checks still refuse them. */
static void test_load_bad_records(void)
{
    static const uint8_t magic[4] = {'E', 'P', 'R', 'S'};
    erg_addrman *am;
    erg_buf b;
    erg_err err;
    erg_netaddr a = addr(1, NOW);
    int round;
    CHECK(erg_addrman_create(&am, 10, NULL) == ERG_OK);
    for (round = 0; round < 4; round++) {
        int copies = round == 1 ? 2 : 1;
        erg_buf_init(&b);
        erg_buf_put_compact(&b, (uint64_t)copies + (round == 3));
        for (int c = 0; c < copies; c++) {
            erg_buf_put_raw(&b, a.ip, 16);
            erg_buf_put_u16(&b, round == 2 ? 0 : a.port);
            erg_buf_put_u64(&b, 0);
            erg_buf_put_u64(&b, a.time);
            erg_buf_put_u64(&b, 0);
            erg_buf_put_u64(&b, 0);
            erg_buf_put_u32(&b, 0);
        }
        if (round == 0) erg_buf_put_u8(&b, 0); /* a trailing byte */
        CHECK(erg_datafile_write(g_path, magic, b.data, b.len, &err) == ERG_OK);
        CHECK(erg_addrman_load(am, g_path, &err) != ERG_OK);
        CHECK(strstr(err.reason, g_path) != NULL);
        CHECK(erg_addrman_size(am) == 0);
        erg_buf_free(&b);
    }
    CHECK(strstr(err.reason, "count") != NULL); /* round 3 claims one record more than it has */
    /* A banlist is not a peers file. */
    CHECK(erg_datafile_write(g_path, (const uint8_t *)"EBAN", (const uint8_t *)"", 0, &err) == ERG_OK);
    CHECK(erg_addrman_load(am, g_path, &err) == ERG_ERR_PARSE && strstr(err.reason, "magic"));
    erg_addrman_destroy(am);
    unlink(g_path);
    CHECK(rmdir(g_dir) == 0);
}

/* Random operations against a plain model with the same rules (times are unique, so eviction
 * has no ties): checks the hash index through many insertions, evictions and removals. */
typedef struct model_entry {
    unsigned k;
    uint64_t time;
    uint32_t failures;
    int success;
} model_entry;

static void test_model(void)
{
    enum { CAP = 64, POOL = 300, OPS = 6000 };
    erg_addrman *am;
    model_entry m[CAP];
    size_t mn = 0, i, j;
    uint64_t clock = NOW, rng = 12345;
    int bad = 0, op;
    lister l;
    CHECK(erg_addrman_create(&am, CAP, NULL) == ERG_OK);
    for (op = 0; op < OPS; op++) {
        unsigned k, r;
        erg_netaddr a;
        size_t at = SIZE_MAX;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        r = (unsigned)(rng >> 33);
        k = r % POOL;
        clock++;
        for (i = 0; i < mn; i++)
            if (m[i].k == k) at = i;
        a = addr(k, clock);
        switch ((r >> 16) % 10) {
        case 0: case 1: case 2: case 3: case 4: case 5:
            if (erg_addrman_add(am, &a, clock) != (at == SIZE_MAX)) bad++;
            if (at != SIZE_MAX) {
                m[at].time = clock;
            } else {
                if (mn == CAP) {
                    size_t w = 0;
                    for (i = 1; i < mn; i++)
                        if (m[i].failures > m[w].failures || (m[i].failures == m[w].failures && m[i].time < m[w].time)) w = i;
                    m[w] = m[--mn];
                }
                m[mn++] = (model_entry){k, clock, 0, 0};
            }
            break;
        case 6: case 7: case 8:
            erg_addrman_failed(am, &a, clock);
            if (at != SIZE_MAX && ++m[at].failures >= 10 && !m[at].success) m[at] = m[--mn];
            break;
        default:
            erg_addrman_good(am, &a, clock);
            if (at != SIZE_MAX) {
                m[at].success = 1;
                m[at].failures = 0;
                m[at].time = clock;
            }
        }
        if (op % 500 == 499 || op == OPS - 1) {
            if (erg_addrman_size(am) != mn || list_table(am, clock + 1000, &l) != mn) {
                bad++;
                continue;
            }
            for (i = 0; i < mn; i++) {
                int found = 0;
                for (j = 0; j < l.n; j++)
                    if (addr_num(&l.seen[j]) == m[i].k && l.seen[j].time == m[i].time) found++;
                if (found != 1) bad++;
            }
        }
    }
    CHECK(bad == 0);
    erg_addrman_destroy(am);
}

static void *hammer(void *arg)
{
    erg_addrman *am = arg;
    erg_netaddr a, out[8];
    unsigned i;
    for (i = 0; i < 3000; i++) {
        a = addr(i % 500, NOW + i);
        (void)erg_addrman_add(am, &a, NOW + i);
        if (i % 3 == 0) erg_addrman_failed(am, &a, NOW + i);
        if (i % 5 == 0) erg_addrman_good(am, &a, NOW + i);
        if (i % 7 == 0) (void)erg_addrman_select(am, NOW + i, NULL, NULL, out);
        if (i % 11 == 0) (void)erg_addrman_sample(am, out, 8, ERG_ADDRMAN_GETADDR_PCT);
    }
    return NULL;
}

static void test_threads(void)
{
    erg_addrman *am;
    pthread_t t[4];
    int i;
    CHECK(erg_addrman_create(&am, 100, NULL) == ERG_OK);
    for (i = 0; i < 4; i++) CHECK(pthread_create(&t[i], NULL, hammer, am) == 0);
    for (i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CHECK(erg_addrman_size(am) <= 100 && erg_addrman_size(am) > 0);
    erg_addrman_destroy(am);
}

ERG_TESTS("addrman", T(test_add_refresh), T(test_capacity_eviction), T(test_select_rules), T(test_failure_dropping),
          T(test_sample), T(test_save_load), T(test_load_bad_records), T(test_model), T(test_threads))
