/* Unit tests for src/node/evict: each protection rule, the network group and youngest choice, nothing evictable. */
#include "src/node/evict.h"

#include <stddef.h>

#include "test/unit/harness.h"

#define GROUP_A 1
#define GROUP_B 2

/* n peers in one group, peer i connected at second 1000 + i (so the last is the youngest), with
 * no ping, block or transaction. */
static void plain(erg_evict_candidate *c, size_t n)
{
    size_t i;
    memset(c, 0, n * sizeof *c);
    for (i = 0; i < n; i++) {
        c[i].id = (int64_t)i + 10;
        c[i].conntime = 1000 + (int64_t)i;
        c[i].pingtime = -1;
        c[i].netgroup = GROUP_A;
    }
}

static void test_none(void)
{
    erg_evict_candidate c[1];
    plain(c, 1);
    CHECK(erg_evict_select(c, 0) == -1);
    CHECK(erg_evict_select(NULL, 0) == -1);
    /* One peer: half of one protects none, so it can go. */
    CHECK(erg_evict_select(c, 1) == 0);
}

static void test_youngest(void)
{
    erg_evict_candidate c[4];
    plain(c, 4);
    CHECK(erg_evict_select(c, 4) == 3);
    /* The newest by connection time, wherever it sits in the array. */
    c[1].conntime = 2000;
    CHECK(erg_evict_select(c, 4) == 1);
    /* Same second: the larger id connected later. */
    c[1].conntime = c[3].conntime;
    CHECK(erg_evict_select(c, 4) == 3);
    c[1].id = 99;
    CHECK(erg_evict_select(c, 4) == 1);
}

static void test_half_by_age(void)
{
    erg_evict_candidate c[5];
    size_t i;
    plain(c, 5);
    /* Five left: the two oldest are protected; the youngest of the other three in any order goes. */
    c[0].conntime = 3000; /* now the youngest */
    CHECK(erg_evict_select(c, 5) == 0);
    /* With every other peer in its own group, group sizes tie at one: still the youngest. */
    for (i = 0; i < 5; i++) c[i].netgroup = 100 + i;
    CHECK(erg_evict_select(c, 5) == 0);
}

static void test_ping(void)
{
    erg_evict_candidate c[10];
    plain(c, 10);
    /* The four youngest answer pings fastest: protected; of the other six the three oldest are. */
    c[6].pingtime = 0.04;
    c[7].pingtime = 0.01;
    c[8].pingtime = 0.03;
    c[9].pingtime = 0.02;
    CHECK(erg_evict_select(c, 10) == 5);
    /* Only four: a fifth, slower one is not protected by ping and is now the youngest left. */
    c[5].pingtime = 0.05;
    c[9].pingtime = 0.5;
    CHECK(erg_evict_select(c, 10) == 9);
    /* An unmeasured ping never protects, even with fewer than four measured. */
    plain(c, 4);
    c[3].pingtime = 0;
    CHECK(erg_evict_select(c, 4) == 2);
    c[3].pingtime = -1;
    CHECK(erg_evict_select(c, 4) == 3);
}

/* The block and the transaction rules alike, on the int64_t time field at offset `field`. */
static void set_time(erg_evict_candidate *c, size_t field, int64_t t)
{
    memcpy((char *)c + field, &t, sizeof t);
}

static void check_recent_rule(size_t field)
{
    erg_evict_candidate c[8];
    plain(c, 5);
    set_time(&c[4], field, 5000);
    CHECK(erg_evict_select(c, 5) == 3);
    /* The four most recent deliverers, not any four that delivered. */
    plain(c, 8);
    set_time(&c[3], field, 100);
    set_time(&c[4], field, 101);
    set_time(&c[5], field, 102);
    set_time(&c[6], field, 103);
    set_time(&c[7], field, 99); /* youngest and the oldest delivery: unprotected */
    CHECK(erg_evict_select(c, 8) == 7);
    set_time(&c[7], field, 104);
    CHECK(erg_evict_select(c, 8) == 3); /* 4..7 protected; of 0..3 the two oldest by age */
    /* Out of order in the array: 2 is among the four most recent, 7 is not. */
    plain(c, 8);
    set_time(&c[2], field, 7);
    set_time(&c[4], field, 6);
    set_time(&c[5], field, 5);
    set_time(&c[6], field, 8);
    set_time(&c[7], field, 4);
    CHECK(erg_evict_select(c, 8) == 7);
}

static void test_block(void)
{
    check_recent_rule(offsetof(erg_evict_candidate, last_block_time));
}

static void test_tx(void)
{
    check_recent_rule(offsetof(erg_evict_candidate, last_tx_time));
}

/* A peer protected by one rule does not use up a place of the next. */
static void test_rules_in_turn(void)
{
    erg_evict_candidate c[13];
    size_t i;
    plain(c, 13);
    for (i = 0; i < 4; i++) {
        c[i].pingtime = 0.01;
        c[i].last_block_time = 200;
        c[i].last_tx_time = 200;
    }
    for (i = 4; i < 8; i++) {
        c[i].last_block_time = 100;
        c[i].last_tx_time = 100;
    }
    for (i = 8; i < 12; i++) c[i].last_tx_time = 50;
    /* 0..11 protected by the three rules; 12 alone is left (half of one protects none). */
    CHECK(erg_evict_select(c, 13) == 12);
    /* All protected: nobody is evicted. */
    CHECK(erg_evict_select(c, 12) == -1);
    plain(c, 4);
    for (i = 0; i < 4; i++) c[i].pingtime = 0.1 * (double)(i + 1);
    CHECK(erg_evict_select(c, 4) == -1);
}

static void test_netgroup_choice(void)
{
    erg_evict_candidate c[10];
    plain(c, 10);
    /* 0..4 oldest, protected by age. Of the rest, group A has three, B two (with the youngest peer). */
    c[5].netgroup = GROUP_A;
    c[6].netgroup = GROUP_A;
    c[7].netgroup = GROUP_B;
    c[8].netgroup = GROUP_A;
    c[9].netgroup = GROUP_B;
    CHECK(erg_evict_select(c, 10) == 8);
    /* Two groups of two and one of one: of the two, the group with the youngest peer. */
    c[6].netgroup = 3;
    c[5].netgroup = 3;
    CHECK(erg_evict_select(c, 10) == 9);
    /* Group size counts only the unprotected: protected A peers do not make A the largest. */
    c[5].netgroup = GROUP_B;
    c[6].netgroup = GROUP_B;
    c[7].netgroup = GROUP_B;
    c[9].netgroup = 3;
    CHECK(erg_evict_select(c, 10) == 7);
}

static erg_netaddr addr(const char *s)
{
    erg_netaddr a;
    memset(&a, 0, sizeof a);
    if (erg_netaddr_parse(s, 1, &a, NULL)) CHECK(0);
    return a;
}

static void test_netgroup_key(void)
{
    erg_netaddr a = addr("1.2.3.4"), b = addr("1.2.200.9"), c = addr("1.3.3.4"), d = addr("2.2.3.4");
    erg_netaddr l4 = addr("127.0.0.1"), l4b = addr("127.8.9.10"), l6 = addr("::1");
    erg_netaddr v6a = addr("2001:db8:1::1"), v6b = addr("[2001:db8:ffff::2]:8333"), v6c = addr("2001:db9::1");
    erg_netaddr v6d = addr("102::"); /* its first two bytes read as IPv4 1.2 would */
    CHECK(erg_evict_netgroup(&a) == erg_evict_netgroup(&b));
    CHECK(erg_evict_netgroup(&a) != erg_evict_netgroup(&c));
    CHECK(erg_evict_netgroup(&a) != erg_evict_netgroup(&d));
    CHECK(erg_evict_netgroup(&l4) == erg_evict_netgroup(&l4b));
    CHECK(erg_evict_netgroup(&l4) == erg_evict_netgroup(&l6));
    CHECK(erg_evict_netgroup(&l4) != erg_evict_netgroup(&a));
    CHECK(erg_evict_netgroup(&v6a) == erg_evict_netgroup(&v6b));
    CHECK(erg_evict_netgroup(&v6a) != erg_evict_netgroup(&v6c));
    CHECK(erg_evict_netgroup(&v6d) != erg_evict_netgroup(&a));
    CHECK(erg_evict_netgroup(&v6a) != erg_evict_netgroup(&l6));
}

ERG_TESTS("evict", T(test_none), T(test_youngest), T(test_half_by_age), T(test_ping), T(test_block), T(test_tx),
          T(test_rules_in_turn), T(test_netgroup_choice), T(test_netgroup_key))
