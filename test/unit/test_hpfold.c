/* Unit tests for kernels/hpfold: validation, derived thresholds, move invariants, exact minima, benchmarks, golden hashes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/hpfold.h"
#include "kernels/opencl.h"
#include "kernels/philox.h"
#include "kernels/hpfold_shared.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_testutil.h"

static const erg_kernel *const K = &erg_kernel_hpfold;

/* Published 2D HP benchmarks (Unger and Moult 1993) with their proven ground-state energies. */
static const char SEQ20[] = "HPHPPHHPHPPHPHHPPHPH";     /* E_min = -9 */
static const char SEQ24[] = "HHPPHPPHPPHPPHPPHPPHPPHH"; /* E_min = -9 */
static const char SEQ64[] = "HHHHHHHHHHHHPHPHPPHHPPHHPPHPPHHPPHHPPHPPHHPPHHPPHPHPHHHHHHHHHHHH"; /* E_min = -42 */

static void make_seed(uint32_t u, uint8_t seed[32])
{
    int i;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(u * 37u + (uint32_t)i * 11u + 5u);
}

static void params_small(erg_kparams *p)
{
    erg_kparams_default(K, p, 1);
}

static int set_param(erg_kparams *p, const char *name, const char *value)
{
    erg_err err;
    return erg_kparams_set(K, p, name, value, &err) == ERG_OK;
}

static erg_code run_one(const erg_kparams *p, const char *seq, uint32_t u, uint8_t out[ERG_HPFOLD_OUT_SIZE])
{
    uint8_t seed[32];
    erg_err err;
    erg_code rc;
    make_seed(u, seed);
    rc = erg_kernel_run_ref(K, p, (const uint8_t *)seq, strlen(seq), seed, out, ERG_HPFOLD_OUT_SIZE, &err);
    if (rc) fprintf(stderr, "    run_ref: %s\n", err.reason);
    return rc;
}

/*
 * Independent check of a decoded fold: walk the moves on an unbounded lattice, require that no
 * two monomers share a site, and count non-bonded H-H neighbour pairs by brute force.
 * Returns the energy, or 1 if the fold is not a self-avoiding walk.
 */
static int fold_energy(const char *seq, const char *moves)
{
    int n = (int)strlen(seq), x[256], y[256], i, j, contacts = 0;
    if ((int)strlen(moves) != n - 1) return 1;
    x[0] = y[0] = 0;
    for (i = 0; i + 1 < n; i++) {
        char m = moves[i];
        x[i + 1] = x[i] + (m == 'R') - (m == 'L');
        y[i + 1] = y[i] + (m == 'U') - (m == 'D');
        if (!strchr("RULD", m)) return 1;
    }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            if (x[i] == x[j] && y[i] == y[j]) return 1;
            if (j > i + 1 && seq[i] == 'H' && seq[j] == 'H' && abs(x[i] - x[j]) + abs(y[i] - y[j]) == 1) contacts++;
        }
    return -contacts;
}

/* Every property an output must have, whatever the seed; returns 1 when all hold. */
static int output_consistent(const erg_kparams *p, const char *seq, const uint8_t *out)
{
    erg_hpfold_result r;
    erg_err err;
    const char *turn;
    if (erg_hpfold_decode(out, ERG_HPFOLD_OUT_SIZE, &r, &err)) return 0;
    if (r.n != strlen(seq)) return 0;
    if (fold_energy(seq, r.moves) != r.best_energy) return 0;
    if (r.best_energy > r.final_energy || r.best_energy > 0) return 0;
    if (r.best_step > p->v[0] || r.accepted > r.valid || r.valid > p->v[0]) return 0;
    /* Canonical orientation: first bond +x, first turn toward +y. */
    if (r.moves[0] != 'R') return 0;
    turn = r.moves + strspn(r.moves, "R");
    return *turn == '\0' || *turn == 'U';
}

static void test_validation(void)
{
    erg_kparams p;
    erg_err err;
    char longseq[300];
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)SEQ64, strlen(SEQ64), &err) == ERG_OK);
    /* The bad byte is named by its position. */
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"HPHXPH", 6, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "byte 3") != NULL);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"HPHPh", 5, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "byte 4") != NULL);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"HP\0P", 4, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "byte 2") != NULL);
    /* Length limits 4..255 and a required input. */
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"HPH", 3, &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"HPHH", 4, &err) == ERG_OK);
    memset(longseq, 'H', sizeof longseq);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)longseq, 255, &err) == ERG_OK);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)longseq, 256, &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) != ERG_OK);
    /* Cross-field rules: t_cold <= t_hot, a step for every stage, total work bounded. */
    CHECK(set_param(&p, "t_cold", "1700"));
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)SEQ20, 20, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "t_cold") != NULL);
    erg_kparams_default(K, &p, 0);
    CHECK(set_param(&p, "steps", "1000") && set_param(&p, "cycles", "100"));
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)SEQ20, 20, &err) == ERG_ERR_RANGE);
    erg_kparams_default(K, &p, 0);
    CHECK(set_param(&p, "steps", "1000000000"));
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)SEQ20, 20, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "unit limit") != NULL);
    /* Per-field ranges. */
    CHECK(!set_param(&p, "stages", "65"));
    CHECK(!set_param(&p, "stages", "1"));
    CHECK(!set_param(&p, "t_hot", "2801"));
    CHECK(!set_param(&p, "t_cold", "9"));
    /* The default steps are valid for every length, the longest included. */
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)longseq, 255, &err) == ERG_OK);
}

static void test_rejected_run_writes_nothing(void)
{
    erg_kparams p;
    uint8_t out[ERG_HPFOLD_OUT_SIZE], seed[32] = {0};
    erg_err err;
    size_t i;
    int untouched = 1;
    params_small(&p);
    memset(out, 0xA5, sizeof out);
    CHECK(erg_kernel_run_ref(K, &p, (const uint8_t *)"HPPZ", 4, seed, out, sizeof out, &err) == ERG_ERR_PARSE);
    for (i = 0; i < sizeof out; i++) untouched &= out[i] == 0xA5;
    CHECK(untouched);
}

static void test_cost_model(void)
{
    erg_kparams p;
    erg_err err;
    uint64_t cu20, cu64, cu255;
    erg_kparams_default(K, &p, 0);
    /* ops = (steps + 16 n) (256 + n) */
    CHECK(K->ops(&p, 64) == (16000000ull + 16u * 64u) * (256u + 64u));
    CHECK(K->ops(&p, 255) == (16000000ull + 16u * 255u) * (256u + 255u));
    CHECK(erg_kernel_cu(K, &p, 20, &cu20, &err) == ERG_OK);
    CHECK(erg_kernel_cu(K, &p, 64, &cu64, &err) == ERG_OK);
    CHECK(erg_kernel_cu(K, &p, 255, &cu255, &err) == ERG_OK);
    CHECK(cu20 < cu64 && cu64 < cu255);
    CHECK(cu64 >= 500 && cu64 <= 2000); /* the default unit is calibrated to about 1 s */
    CHECK(K->scratch_size(&p, 20) == 32u * 32u + 3u * 40u);
    CHECK(K->scratch_size(&p, 255) == 256u * 256u + 3u * 512u);
    CHECK(K->output_size(&p) == ERG_HPFOLD_OUT_SIZE);
}

/* derived[s] must equal floor(2^32 exp(-beta_s)) up to rounding, beta linear from 1/t_hot to 1/t_cold. */
static void test_derived_thresholds(void)
{
    static const uint32_t cases[][3] = {{1600, 160, 64}, {2800, 10, 2}, {50, 50, 7}, {1000, 250, 33}, {2800, 2800, 64}};
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        erg_kparams p;
        uint32_t derived[ERG_KDERIVED_MAX], s, thr[ERG_HP_DMAX], d;
        erg_err err;
        erg_kparams_default(K, &p, 0);
        erg_test_set_u32(K, &p, "t_hot", cases[c][0]);
        erg_test_set_u32(K, &p, "t_cold", cases[c][1]);
        erg_test_set_u32(K, &p, "stages", cases[c][2]);
        memset(derived, 0, sizeof derived);
        CHECK(K->derive(&p, (const uint8_t *)SEQ20, 20, derived, &err) == ERG_OK);
        for (s = 0; s < cases[c][2]; s++) {
            double bh = 1000.0 / cases[c][0], bc = 1000.0 / cases[c][1];
            double beta = bh + (bc - bh) * s / (cases[c][2] - 1u);
            double want = ldexp(exp(-beta), 32);
            CHECK(fabs((double)derived[s] - want) <= 2.0);
            if (s > 0) CHECK(derived[s] <= derived[s - 1]);
            /* The per-stage table built on the device tracks exp(-d beta) for every dE. */
            erg_hp_thresholds(derived[s], thr);
            for (d = 1; d < ERG_HP_DMAX; d++) {
                double w = ldexp(exp(-beta * d), 32);
                CHECK(fabs((double)thr[d] - w) <= 1e-6 * w + (double)d + 1.0);
            }
        }
        for (; s < ERG_KDERIVED_MAX; s++) CHECK(derived[s] == 0);
    }
}

/* Independent lattice adjacency on the torus of side 2^logw. */
static int torus_adjacent(uint32_t logw, uint32_t a, uint32_t b)
{
    uint32_t mask = (1u << logw) - 1u;
    uint32_t dx = ((a & mask) - (b & mask)) & mask, dy = ((a >> logw) - (b >> logw)) & mask;
    return (dx == 0 && (dy == 1 || dy == mask)) || (dy == 0 && (dx == 1 || dx == mask));
}

/* Full recount of the state's invariants; returns the contact count or -1 if any is broken. */
static int chain_recount(const erg_hp_chain *c, const char *seq)
{
    uint32_t i, j, occupied = 0, w2 = 1u << (2 * c->logw);
    int contacts = 0;
    for (i = 0; i < w2; i++) occupied += c->grid[i] != 0;
    if (occupied != c->n) return -1;
    for (i = 0; i < c->n; i++) {
        if (c->grid[c->pos[i]] != i + 1) return -1;
        if (i + 1 < c->n && !torus_adjacent(c->logw, c->pos[i], c->pos[i + 1])) return -1;
        for (j = i + 2; j < c->n; j++)
            if (seq[i] == 'H' && seq[j] == 'H' && torus_adjacent(c->logw, c->pos[i], c->pos[j])) contacts++;
    }
    return contacts;
}

/*
 * Drive the shared move code directly: after every proposal, accepted or reverted, the grid,
 * the chain and the incrementally tracked contact count must match a full recount.
 */
static void test_moves_keep_invariants(void)
{
    static const char *seqs[] = {SEQ20, "HHHH", "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP", SEQ64,
                                 "HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH"};
    size_t si;
    uint8_t *scratch = malloc(erg_hp_scratch_bytes(255));
    CHECK(scratch != NULL);
    if (!scratch) return;
    for (si = 0; si < sizeof seqs / sizeof seqs[0]; si++) {
        const char *seq = seqs[si];
        uint32_t n = (uint32_t)strlen(seq), seedw[8] = {1, 2, 3, (uint32_t)si, 5, 6, 7, 8}, t, q;
        uint32_t thr[ERG_HP_DMAX];
        uint32_t valid = 0, kinds_moved_many = 0, broken = 0;
        int contacts;
        erg_hp_chain c;
        erg_rng rng;
        erg_rng_init(&rng, seedw, 0);
        erg_hp_chain_init(&c, scratch, (const uint8_t *)seq, n);
        CHECK(chain_recount(&c, seq) == 0);
        contacts = erg_hp_melt(&c, &rng);
        CHECK(chain_recount(&c, seq) == contacts);
        for (q = 0; q < 3; q++) {
            /* Hot, warm and frozen stages: exp(-1/T) for T = 2.0, 0.5 and 0.05. */
            static const uint32_t qs[3] = {2605029347u, 581260615u, 8u};
            erg_hp_thresholds(qs[q], thr);
            for (t = 0; t < 3000; t++) {
                int gained;
                if (!erg_hp_propose_random(&c, &rng)) {
                    broken += chain_recount(&c, seq) != contacts;
                    continue;
                }
                valid++;
                kinds_moved_many += c.hi - c.lo >= 2;
                gained = erg_hp_apply(&c);
                if (gained < 0 && ((uint32_t)-gained >= ERG_HP_DMAX || erg_rng_u32(&rng) >= thr[-gained])) {
                    erg_hp_revert(&c);
                } else {
                    erg_hp_commit(&c);
                    contacts += gained;
                }
                broken += chain_recount(&c, seq) != contacts;
            }
        }
        CHECK(broken == 0);
        CHECK(valid > 1000);
        if (n > 4) CHECK(kinds_moved_many > 0); /* multi-monomer pulls were exercised */
    }
    free(scratch);
}

/* Exact ground state by enumerating every self-avoiding walk (first bond fixed to +x). */
static int enum_best;

static void enum_walk(const char *seq, int n, int k, int *x, int *y, int grid[32][32], int contacts)
{
    static const int dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
    int d, e;
    if (k == n) {
        if (-contacts < enum_best) enum_best = -contacts;
        return;
    }
    for (d = 0; d < 4; d++) {
        int nx = x[k - 1] + dx[d], ny = y[k - 1] + dy[d], add = 0;
        if (k == 1 && d != 0) continue;
        if (grid[nx][ny]) continue;
        if (seq[k] == 'H')
            for (e = 0; e < 4; e++) {
                int j = grid[nx + dx[e]][ny + dy[e]] - 1;
                if (j >= 0 && j < k - 1 && seq[j] == 'H') add++;
            }
        x[k] = nx;
        y[k] = ny;
        grid[nx][ny] = k + 1;
        enum_walk(seq, n, k + 1, x, y, grid, contacts + add);
        grid[nx][ny] = 0;
    }
}

static int exact_min_energy(const char *seq)
{
    static int grid[32][32];
    int x[16], y[16], n = (int)strlen(seq);
    memset(grid, 0, sizeof grid);
    enum_best = 1;
    x[0] = y[0] = 16;
    grid[16][16] = 1;
    enum_walk(seq, n, 1, x, y, grid, 0);
    return enum_best;
}

static void test_exact_minimum_small_chains(void)
{
    static const char *seqs[] = {"HPHPPHHPHHPPH", "HHPPHPHPHPPHH", "PHHPHHHPPHPHP", "HHHHHHHHHHHHH"};
    size_t si;
    erg_kparams p;
    params_small(&p);
    for (si = 0; si < sizeof seqs / sizeof seqs[0]; si++) {
        int emin = exact_min_energy(seqs[si]), lowest = 0;
        uint32_t u;
        CHECK(emin < 0);
        for (u = 0; u < 4; u++) {
            uint8_t out[ERG_HPFOLD_OUT_SIZE];
            erg_hpfold_result r;
            erg_err err;
            CHECK(run_one(&p, seqs[si], u, out) == ERG_OK);
            CHECK(erg_hpfold_decode(out, sizeof out, &r, &err) == ERG_OK);
            CHECK(output_consistent(&p, seqs[si], out));
            CHECK(r.best_energy >= emin);
            if (r.best_energy < lowest) lowest = r.best_energy;
        }
        CHECK(lowest == emin);
    }
}

static void test_outputs_consistent_many_seeds(void)
{
    static const char *seqs[] = {SEQ20, SEQ24, "HPPH",
                                 "PPHPPHHPPHHPPPPPHHHHHHHHHHPPPPPPHHPPHHPPHPPHHHHH"};
    erg_kparams p;
    size_t si;
    uint32_t u, bad = 0, distinct = 0;
    uint8_t prev[ERG_HPFOLD_OUT_SIZE] = {0};
    params_small(&p);
    for (si = 0; si < sizeof seqs / sizeof seqs[0]; si++)
        for (u = 0; u < 30; u++) {
            uint8_t out[ERG_HPFOLD_OUT_SIZE], again[ERG_HPFOLD_OUT_SIZE];
            CHECK(run_one(&p, seqs[si], u, out) == ERG_OK);
            bad += !output_consistent(&p, seqs[si], out);
            distinct += memcmp(prev, out, sizeof out) != 0;
            memcpy(prev, out, sizeof out);
            if (u == 0) {
                CHECK(run_one(&p, seqs[si], u, again) == ERG_OK);
                CHECK_EQ_MEM(out, again, sizeof out);
            }
        }
    CHECK(bad == 0);
    CHECK(distinct > 100); /* seeds matter: counters differ from run to run */
}

/*
 * Scientific sanity: the two 2D benchmarks with E_min = -9 (Unger and Moult 1993). 16 seeds of
 * 200000 attempts (one 32-stage cycle, about 15 ms each): measured hit rates per seed are about
 * 100% (20-mer) and 80% (24-mer), so requiring 8 of 16 is robust yet fails if the search breaks;
 * no unit may ever report less than the proven minimum.
 */
static void test_benchmark_ground_states(void)
{
    static const char *seqs[2] = {SEQ20, SEQ24};
    erg_kparams p;
    size_t si;
    erg_kparams_default(K, &p, 0);
    CHECK(set_param(&p, "steps", "200000") && set_param(&p, "cycles", "1") && set_param(&p, "stages", "32"));
    for (si = 0; si < 2; si++) {
        uint32_t u, hits = 0, below = 0, bad = 0;
        for (u = 0; u < 16; u++) {
            uint8_t out[ERG_HPFOLD_OUT_SIZE];
            erg_hpfold_result r;
            erg_err err;
            CHECK(run_one(&p, seqs[si], 1000u + u, out) == ERG_OK);
            CHECK(erg_hpfold_decode(out, sizeof out, &r, &err) == ERG_OK);
            bad += !output_consistent(&p, seqs[si], out);
            hits += r.best_energy == -9;
            below += r.best_energy < -9;
        }
        printf("    %s: %u of 16 seeds reached E = -9\n", seqs[si], (unsigned)hits);
        CHECK(bad == 0);
        CHECK(below == 0);
        CHECK(hits >= 8);
    }
}

static void test_decode_and_describe(void)
{
    erg_kparams p;
    uint8_t out[ERG_HPFOLD_OUT_SIZE], bad[ERG_HPFOLD_OUT_SIZE];
    erg_hpfold_result r;
    erg_buf json;
    erg_err err;
    char want[64], *js;
    params_small(&p);
    CHECK(run_one(&p, SEQ20, 7, out) == ERG_OK);
    CHECK(erg_hpfold_decode(out, sizeof out, &r, &err) == ERG_OK);
    CHECK(strlen(r.moves) == 19);
    /* Bits past the last bond, a bad length field and a short record are rejected. */
    memcpy(bad, out, sizeof bad);
    bad[ERG_HPFOLD_OUT_SIZE - 1] = 0x40;
    CHECK(erg_hpfold_decode(bad, sizeof bad, &r, &err) == ERG_ERR_PARSE);
    memcpy(bad, out, sizeof bad);
    bad[0] = 3;
    CHECK(erg_hpfold_decode(bad, sizeof bad, &r, &err) == ERG_ERR_PARSE);
    CHECK(erg_hpfold_decode(out, sizeof out - 1, &r, &err) == ERG_ERR_PARSE);
    CHECK(erg_hpfold_decode(out, sizeof out, &r, &err) == ERG_OK);
    erg_buf_init(&json);
    CHECK(K->describe(&p, out, sizeof out, &json, &err) == ERG_OK);
    erg_buf_put_u8(&json, 0);
    js = (char *)json.data;
    CHECK(js != NULL && js[0] == '{' && js[json.len - 2] == '}');
    if (js) {
        snprintf(want, sizeof want, "\"best_energy\":%d,", (int)r.best_energy);
        CHECK(strstr(js, want) != NULL);
        CHECK(strstr(js, r.moves) != NULL);
        CHECK(strstr(js, "\"turns\":\"S") != NULL || strstr(js, "\"turns\":\"L") != NULL);
    }
    erg_buf_free(&json);
}

/* output hashes pinned from the C reference; every backend must reproduce them */
typedef struct golden {
    const char *seq;
    int small;
    uint32_t u;
    const char *hash;
} golden;

static const golden GOLDEN[] = {
    {SEQ20, 1, 0, "bc64205c25371634e94d6b048131f2abbf86973caaf481ac50465333e2a203ad"},
    {SEQ20, 1, 1, "de4c7007448fa91a98cf0ec05c753446175fc00ebca497871bdd89c17fa15309"},
    {SEQ24, 1, 2, "f46a927d084843700febf2c5eaa071b679248e4eac52841d6632735e2cc0bc33"},
    {SEQ64, 0, 0, "a84b053df1f1be8e063615096b38b52b18c1b1eea07cd81b67a6a055e7d22174"},
};

static void test_golden_hashes(void)
{
    size_t g;
    for (g = 0; g < sizeof GOLDEN / sizeof GOLDEN[0]; g++) {
        erg_kparams p;
        uint8_t out[ERG_HPFOLD_OUT_SIZE];
        erg_kparams_default(K, &p, GOLDEN[g].small);
        CHECK(run_one(&p, GOLDEN[g].seq, GOLDEN[g].u, out) == ERG_OK);
        CHECK(output_consistent(&p, GOLDEN[g].seq, out));
        CHECK(erg_test_golden_ok(K, &p, out, sizeof out, GOLDEN[g].hash, "ref"));
    }
}

/*
 * Bit-exactness: 101 small units (not a multiple of 8) of the 24-mer at local sizes 1 and 8,
 * 19 units of a 255-mer (the largest lattice) at local size 8 and the runtime's choice, and the
 * golden units, on every OpenCL device, byte for byte against the C reference.
 */
static void test_opencl_bit_exact(void)
{
    enum { NU = 101, NL = 19 };
    static uint8_t seeds[NU][32], ref[NU * ERG_HPFOLD_OUT_SIZE], ref_long[NL * ERG_HPFOLD_OUT_SIZE];
    char seq255[256];
    erg_kparams p;
    const uint8_t(*cseeds)[32] = (const uint8_t(*)[32])seeds;
    erg_cl *cl = erg_test_open_cl(NULL);
    size_t dev, u, g, l;
    uint32_t x = 12345;
    if (!cl) return;
    for (u = 0; u < 255; u++) { /* a fixed pseudo-random sequence */
        x = x * 1103515245u + 12345u;
        seq255[u] = (x >> 16) & 1 ? 'H' : 'P';
    }
    seq255[255] = '\0';
    params_small(&p);
    for (u = 0; u < NU; u++) make_seed((uint32_t)u + 500u, seeds[u]);
    CHECK(erg_test_ref_units(K, &p, (const uint8_t *)SEQ24, 24, cseeds, NU, ref) == 0);
    CHECK(erg_test_ref_units(K, &p, (const uint8_t *)seq255, 255, cseeds, NL, ref_long) == 0);
    CHECK(erg_cl_device_count(cl) >= 1);
    for (dev = 0; dev < erg_cl_device_count(cl); dev++) {
        printf("    device %zu: %s\n", dev, erg_cl_device_name(cl, dev));
        for (l = 0; l < 2; l++) {
            CHECK(erg_test_cl_compare(cl, dev, K, &p, (const uint8_t *)SEQ24, 24, cseeds, NU, l ? 8 : 1, ref,
                                      "24-mer") == 0);
            CHECK(erg_test_cl_compare(cl, dev, K, &p, (const uint8_t *)seq255, 255, cseeds, NL, l ? 0 : 8,
                                      ref_long, "255-mer") == 0);
        }
        for (g = 0; g < sizeof GOLDEN / sizeof GOLDEN[0]; g++) {
            erg_kparams gp;
            uint8_t seed[1][32];
            erg_kparams_default(K, &gp, GOLDEN[g].small);
            make_seed(GOLDEN[g].u, seed[0]);
            CHECK(erg_test_cl_golden(cl, dev, K, &gp, (const uint8_t *)GOLDEN[g].seq, strlen(GOLDEN[g].seq),
                                     (const uint8_t(*)[32])seed, 1, &GOLDEN[g].hash) == 0);
        }
    }
    erg_cl_destroy(cl);
}

ERG_TESTS("hpfold", T(test_validation), T(test_rejected_run_writes_nothing), T(test_cost_model),
          T(test_derived_thresholds), T(test_moves_keep_invariants), T(test_exact_minimum_small_chains),
          T(test_outputs_consistent_many_seeds), T(test_benchmark_ground_states), T(test_decode_and_describe),
          T(test_golden_hashes), T(test_opencl_bit_exact))
