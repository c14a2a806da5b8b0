/* Unit tests for chain/smt: order independence, agreement with a from-scratch build, proofs. */
#include <stdlib.h>

#include "chain/smt.h"
#include "src/crypto/sha256.h"
#include "test/unit/harness.h"

/* An in-memory content-addressed store: open addressing over node hashes. */
#define MEM_CAP 65536
typedef struct memstore {
    uint8_t keys[MEM_CAP][32];
    uint8_t recs[MEM_CAP][ERG_SMT_NODE_SIZE];
    uint8_t used[MEM_CAP];
} memstore;

static size_t slot_of(const uint8_t h[32])
{
    return (size_t)(h[0] | h[1] << 8 | h[2] << 16) % MEM_CAP;
}

static erg_code mem_get(void *ctx, const uint8_t h[32], uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err)
{
    memstore *m = ctx;
    size_t i = slot_of(h);
    while (m->used[i]) {
        if (memcmp(m->keys[i], h, 32) == 0) {
            memcpy(rec, m->recs[i], ERG_SMT_NODE_SIZE);
            return ERG_OK;
        }
        i = (i + 1) % MEM_CAP;
    }
    return erg_err_set(err, ERG_ERR_NOTFOUND, "no node");
}

static erg_code mem_put(void *ctx, const uint8_t h[32], const uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err)
{
    memstore *m = ctx;
    size_t i = slot_of(h), n = 0;
    while (m->used[i]) {
        if (memcmp(m->keys[i], h, 32) == 0) return ERG_OK;
        i = (i + 1) % MEM_CAP;
        if (++n == MEM_CAP) return erg_err_set(err, ERG_ERR_NOMEM, "store full");
    }
    m->used[i] = 1;
    memcpy(m->keys[i], h, 32);
    memcpy(m->recs[i], rec, ERG_SMT_NODE_SIZE);
    return ERG_OK;
}

static memstore *g_mem;
static erg_smt_store make_store(void)
{
    erg_smt_store st;
    if (!g_mem) g_mem = calloc(1, sizeof *g_mem);
    st.get = mem_get;
    st.put = mem_put;
    st.ctx = g_mem;
    return st;
}

static void key_of(unsigned i, uint8_t k[32])
{
    erg_sha256(&i, sizeof i, k);
}

static void val_of(unsigned i, unsigned version, uint8_t v[32])
{
    unsigned x[2] = {i, version};
    erg_sha256(x, sizeof x, v);
}

/* Reference: the compact root of a set of leaves, computed directly from the definition. */
static void ref_root(uint8_t (*keys)[32], uint8_t (*vals)[32], size_t n, unsigned depth, uint8_t out[32])
{
    size_t i, nl = 0;
    uint8_t(*lk)[32], (*lv)[32], (*rk)[32], (*rv)[32];
    uint8_t l[32], r[32], raw[64];
    if (n == 0) {
        memset(out, 0, 32);
        return;
    }
    if (n == 1) {
        erg_smt_leaf_hash(keys[0], vals[0], out);
        return;
    }
    lk = malloc(n * 32);
    lv = malloc(n * 32);
    rk = malloc(n * 32);
    rv = malloc(n * 32);
    for (i = 0; i < n; i++) {
        int bit = (keys[i][depth / 8] >> (7 - depth % 8)) & 1;
        if (!bit) {
            memcpy(lk[nl], keys[i], 32);
            memcpy(lv[nl], vals[i], 32);
            nl++;
        } else {
            memcpy(rk[i - nl], keys[i], 32);
            memcpy(rv[i - nl], vals[i], 32);
        }
    }
    ref_root(lk, lv, nl, depth + 1, l);
    ref_root(rk, rv, n - nl, depth + 1, r);
    free(lk);
    free(lv);
    free(rk);
    free(rv);
    if (nl == 0 || nl == n) {
        /* All on one side: still an inner node unless that side collapsed to a single leaf (n >= 2 here). */
    }
    memcpy(raw, l, 32);
    memcpy(raw + 32, r, 32);
    erg_tagged_hash("Ergon/smt/node", raw, 64, out);
}

static void test_empty(void)
{
    erg_smt_store st = make_store();
    uint8_t k[32], v[32], root[32];
    int found = 1;
    key_of(1, k);
    CHECK(erg_smt_get(&st, erg_smt_empty_root, k, &found, v, NULL) == ERG_OK && !found);
    /* Removing from an empty tree leaves it empty. */
    CHECK(erg_smt_update(&st, erg_smt_empty_root, k, NULL, root, NULL) == ERG_OK);
    CHECK(memcmp(root, erg_smt_empty_root, 32) == 0);
}

static void test_matches_reference_and_order(void)
{
    enum { N = 300 };
    static uint8_t keys[N][32], vals[N][32];
    erg_smt_store st = make_store();
    uint8_t fwd[32], back[32], want[32];
    int i;
    memcpy(fwd, erg_smt_empty_root, 32);
    memcpy(back, erg_smt_empty_root, 32);
    for (i = 0; i < N; i++) {
        key_of((unsigned)i, keys[i]);
        val_of((unsigned)i, 0, vals[i]);
        CHECK(erg_smt_update(&st, fwd, keys[i], vals[i], fwd, NULL) == ERG_OK);
    }
    for (i = N - 1; i >= 0; i--) CHECK(erg_smt_update(&st, back, keys[i], vals[i], back, NULL) == ERG_OK);
    CHECK_EQ_MEM(fwd, back, 32);
    ref_root(keys, vals, N, 0, want);
    CHECK_EQ_MEM(fwd, want, 32);
}

static void test_update_delete_restore(void)
{
    enum { N = 64 };
    static uint8_t keys[N][32], vals[N][32];
    erg_smt_store st = make_store();
    uint8_t root[32], before[32], tmp[32], v[32];
    int i, found;
    memcpy(root, erg_smt_empty_root, 32);
    for (i = 0; i < N; i++) {
        key_of(1000u + (unsigned)i, keys[i]);
        val_of((unsigned)i, 0, vals[i]);
        CHECK(erg_smt_update(&st, root, keys[i], vals[i], root, NULL) == ERG_OK);
    }
    memcpy(before, root, 32);
    /* Change one value: root changes; change it back: root returns exactly. */
    val_of(7, 1, v);
    CHECK(erg_smt_update(&st, root, keys[7], v, tmp, NULL) == ERG_OK);
    CHECK(memcmp(tmp, before, 32) != 0);
    CHECK(erg_smt_get(&st, tmp, keys[7], &found, v, NULL) == ERG_OK && found);
    CHECK(erg_smt_update(&st, tmp, keys[7], vals[7], tmp, NULL) == ERG_OK);
    CHECK_EQ_MEM(tmp, before, 32);
    /* Old roots stay readable (content-addressed nodes are never overwritten). */
    CHECK(erg_smt_get(&st, before, keys[7], &found, v, NULL) == ERG_OK && found && memcmp(v, vals[7], 32) == 0);
    /* Delete every key: back to the empty root. */
    for (i = 0; i < N; i++) CHECK(erg_smt_update(&st, root, keys[i], NULL, root, NULL) == ERG_OK);
    CHECK(memcmp(root, erg_smt_empty_root, 32) == 0);
}

static void test_proofs(void)
{
    enum { N = 50 };
    static uint8_t keys[N][32], vals[N][32];
    static erg_smt_proof proof;
    erg_smt_store st = make_store();
    uint8_t root[32], absent[32];
    int i;
    unsigned b;
    memcpy(root, erg_smt_empty_root, 32);
    for (i = 0; i < N; i++) {
        key_of(5000u + (unsigned)i, keys[i]);
        val_of((unsigned)i, 3, vals[i]);
        CHECK(erg_smt_update(&st, root, keys[i], vals[i], root, NULL) == ERG_OK);
    }
    for (i = 0; i < N; i++) {
        CHECK(erg_smt_prove(&st, root, keys[i], &proof, NULL) == ERG_OK);
        CHECK(erg_smt_verify(root, keys[i], vals[i], &proof, NULL) == ERG_OK);
        CHECK(erg_smt_verify(root, keys[i], vals[(i + 1) % N], &proof, NULL) == ERG_ERR_CHECKSUM);
        CHECK(erg_smt_verify(root, keys[i], NULL, &proof, NULL) != ERG_OK);
    }
    /* Absence proofs. */
    for (i = 0; i < 20; i++) {
        key_of(99999u + (unsigned)i, absent);
        CHECK(erg_smt_prove(&st, root, absent, &proof, NULL) == ERG_OK);
        CHECK(erg_smt_verify(root, absent, NULL, &proof, NULL) == ERG_OK);
        CHECK(erg_smt_verify(root, absent, vals[0], &proof, NULL) != ERG_OK);
    }
    /* Every flipped bit of every sibling breaks the proof. */
    CHECK(erg_smt_prove(&st, root, keys[3], &proof, NULL) == ERG_OK);
    for (i = 0; i < (int)proof.depth; i++)
        for (b = 0; b < 256; b++) {
            proof.siblings[i][b / 8] ^= (uint8_t)(1u << (b % 8));
            CHECK(erg_smt_verify(root, keys[3], vals[3], &proof, NULL) == ERG_ERR_CHECKSUM);
            proof.siblings[i][b / 8] ^= (uint8_t)(1u << (b % 8));
        }
}

static void test_missing_node_reported(void)
{
    erg_smt_store st = make_store();
    uint8_t bogus[32], k[32], v[32];
    int found;
    erg_err err;
    memset(bogus, 0x42, 32);
    key_of(1, k);
    CHECK(erg_smt_get(&st, bogus, k, &found, v, &err) == ERG_ERR_INTERNAL);
    CHECK(strstr(err.reason, "missing node") != NULL);
}

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static void test_batch_equals_sequential(void)
{
    /* Random rounds of inserts, changes and removals: the batch update must give exactly the
     * root of one-by-one updates, from the empty tree and from a populated one. */
    enum { N = 400, ROUNDS = 6 };
    static uint8_t keys[N][32], vals[N][32], bkeys[N][32];
    static const uint8_t *vptr[N];
    static int present[N];
    erg_smt_store st = make_store();
    uint8_t seq[32], bat[32];
    unsigned r, i, state = 12345;
    memcpy(seq, erg_smt_empty_root, 32);
    memcpy(bat, erg_smt_empty_root, 32);
    for (i = 0; i < N; i++) key_of(70000u + i, keys[i]);
    for (r = 0; r < ROUNDS; r++) {
        size_t n = 0, j;
        /* Choose a subset of keys and, for each, a new value or removal. */
        for (i = 0; i < N; i++) {
            state = state * 1103515245u + 12345u;
            if ((state >> 16) % 3 == 0) continue;
            memcpy(bkeys[n++], keys[i], 32);
        }
        qsort(bkeys, n, 32, cmp32);
        for (j = 0; j < n; j++) {
            size_t k;
            for (k = 0; k < N && memcmp(keys[k], bkeys[j], 32) != 0; k++) {}
            state = state * 1103515245u + 12345u;
            if ((state >> 16) % 4 == 0) {
                vptr[j] = NULL;
                present[k] = 0;
            } else {
                val_of((unsigned)k, r + 1, vals[k]);
                vptr[j] = vals[k];
                present[k] = 1;
            }
            CHECK(erg_smt_update(&st, seq, bkeys[j], vptr[j], seq, NULL) == ERG_OK);
        }
        CHECK(erg_smt_update_batch(&st, bat, (const uint8_t(*)[32])bkeys, vptr, n, bat, NULL) == ERG_OK);
        CHECK_EQ_MEM(seq, bat, 32);
    }
    /* Remove everything in one batch: back to empty. */
    {
        size_t n = 0;
        for (i = 0; i < N; i++) {
            memcpy(bkeys[n], keys[i], 32);
            vptr[n++] = NULL;
        }
        qsort(bkeys, n, 32, cmp32);
        CHECK(erg_smt_update_batch(&st, bat, (const uint8_t(*)[32])bkeys, vptr, n, bat, NULL) == ERG_OK);
        CHECK(memcmp(bat, erg_smt_empty_root, 32) == 0);
    }
    (void)present;
    /* Unsorted keys are refused. */
    {
        uint8_t two[2][32];
        const uint8_t *vv[2] = {vals[0], vals[1]};
        memcpy(two[0], keys[1], 32);
        memcpy(two[1], keys[1], 32);
        CHECK(erg_smt_update_batch(&st, bat, (const uint8_t(*)[32])two, vv, 2, bat, NULL) == ERG_ERR_ARG);
    }
}

ERG_TESTS("smt", T(test_batch_equals_sequential),  T(test_empty), T(test_matches_reference_and_order), T(test_update_delete_restore), T(test_proofs),
          T(test_missing_node_reported))
