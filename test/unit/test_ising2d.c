/* Unit tests for kernels/ising2d: validator, thresholds, invariants, Onsager's energy, golden hashes, PoCL = C. */
#include <math.h>
#include <stdio.h>

#include "kernels/ising2d.h"
#include "kernels/opencl.h"
#include "kernels/philox.h"
#include "kernels/ising2d_shared.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_testutil.h"

static const erg_kernel *const K = &erg_kernel_ising2d;

/* A fixed, distinct seed per unit number (all 32 bytes vary). */
static void make_seed(uint32_t u, uint8_t seed[32])
{
    int i;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(u * 131u + (uint32_t)i * 29u + (u >> 8) * 7u + 3u);
}

static erg_code run(const erg_kparams *p, const uint8_t seed[32], uint8_t out[ERG_ISING_OUT_SIZE])
{
    return erg_kernel_run_ref(K, p, NULL, 0, seed, out, ERG_ISING_OUT_SIZE, NULL);
}

static int64_t ld_i64(const uint8_t *out, unsigned off)
{
    return (int64_t)erg_load_u64(out + off);
}

static int32_t ld_i32(const uint8_t *out, unsigned off)
{
    return (int32_t)erg_load_u32(out + off);
}

static void test_validate(void)
{
    erg_kparams p;
    erg_err err;
    uint8_t seed[32] = {0}, out[ERG_ISING_OUT_SIZE + 1], in[1] = {0};
    uint64_t cu;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    CHECK(K->ops(&p, 0) == 64ull * 64 * (5000 + 30000));
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK && cu > 0);
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    CHECK(K->output_size(&p) == ERG_ISING_OUT_SIZE);
    CHECK(K->scratch_size(&p, 0) == 16u * 16u);

    /* Odd L has no checkerboard. */
    p.v[ERG_ISING_P_SIZE] = 17;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE && strstr(err.reason, "odd") != NULL);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, ERG_ISING_OUT_SIZE, &err) == ERG_ERR_RANGE);
    /* Field ranges come from the descriptor. */
    CHECK(erg_kparams_set(K, &p, "size", "2", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "size", "1026", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "beta_micro", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "measure_sweeps", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "start", "2", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "colour", "1", &err) == ERG_ERR_NOTFOUND);

    /* Every field in range, but the unit is too large: rejected with the count in the reason. */
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "size", 1024);
    erg_test_set_u32(K, &p, "measure_sweeps", 1000);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE && strstr(err.reason, "exceeds") != NULL);
    erg_test_set_u32(K, &p, "measure_sweeps", 1000000);
    erg_test_set_u32(K, &p, "therm_sweeps", 1000000);
    CHECK(K->ops(&p, 0) == 1024ull * 1024 * 2000000); /* the largest in-range count, no overflow */
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    /* Just at the limit is fine. */
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "size", 1000);
    erg_test_set_u32(K, &p, "therm_sweeps", 0);
    erg_test_set_u32(K, &p, "measure_sweeps", (uint32_t)(ERG_ISING_MAX_OPS / (1000 * 1000)));
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    erg_test_set_u32(K, &p, "therm_sweeps", 1);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);

    /* No input, no stray parameter words, exact output size. */
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kparams_validate(K, &p, in, 1, &err) != ERG_OK);
    p.v[ERG_ISING_P_START + 1] = 1;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, ERG_ISING_OUT_SIZE + 1, &err) == ERG_ERR_ARG);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, ERG_ISING_OUT_SIZE - 1, &err) == ERG_ERR_ARG);
}

/* The host's integer exp agrees with libm: exactly, unless libm's value sits within 1e-6 of an integer. */
static void test_thresholds_match_libm(void)
{
    static const uint32_t fixed[] = {1, 2, 3, 999, 1000, 100000, 250000, 300000, 440687, 500000, 600000,
                                     999999, 1000000, 1000001, 2772588, 5000000, 9999999, 10000000};
    uint32_t prev4 = 0xffffffffu, prev8 = 0xffffffffu;
    uint32_t i, b;
    int exact = 0, total = 0;
    for (i = 0; i < sizeof fixed / sizeof fixed[0] + 2000; i++) {
        erg_kparams p;
        uint32_t d[ERG_KDERIVED_MAX];
        int j;
        /* The fixed values, then a sweep of 2000 betas covering the whole range. */
        b = i < sizeof fixed / sizeof fixed[0] ? fixed[i]
                                               : 1 + (i - (uint32_t)(sizeof fixed / sizeof fixed[0])) * 4999u + (i % 7u);
        erg_kparams_default(K, &p, 1);
        p.v[ERG_ISING_P_BETA] = b;
        memset(d, 0, sizeof d);
        CHECK(K->derive(&p, NULL, 0, d, NULL) == ERG_OK);
        for (j = 0; j < 2; j++) {
            double want = floor(exp(-(double)b / 1e6 * (j ? 8.0 : 4.0)) * 4294967296.0);
            double frac = exp(-(double)b / 1e6 * (j ? 8.0 : 4.0)) * 4294967296.0 - want;
            double diff = (double)d[j] - want;
            total++;
            if (diff == 0) exact++;
            if (frac > 1e-6 && frac < 1 - 1e-6)
                CHECK(diff == 0);
            else
                CHECK(fabs(diff) <= 1);
        }
        for (j = 2; j < ERG_KDERIVED_MAX; j++) CHECK(d[j] == 0);
        CHECK(d[1] <= d[0]);
        if (i >= sizeof fixed / sizeof fixed[0]) {
            CHECK(d[0] <= prev4 && d[1] <= prev8); /* monotone in beta */
            prev4 = d[0];
            prev8 = d[1];
        }
    }
    CHECK(exact >= total - 2);
}

/* beta = 10 from a cold start: exp(-40) * 2^32 < 1, so no flip is ever accepted. */
static void test_frozen_ground_state(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_ISING_OUT_SIZE];
    uint32_t d[ERG_KDERIVED_MAX] = {0};
    int64_t n = 16 * 16, samples = 100;
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "beta_micro", 10000000);
    erg_test_set_u32(K, &p, "start", 0);
    CHECK(K->derive(&p, NULL, 0, d, NULL) == ERG_OK && d[0] == 0 && d[1] == 0);
    make_seed(1, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    CHECK(ld_i64(out, ERG_ISING_OFF_SUM_E) == -2 * n * samples);
    CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_E2) == (uint64_t)(4 * n * n * samples));
    CHECK(ld_i64(out, ERG_ISING_OFF_SUM_M) == n * samples);
    CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_ABSM) == (uint64_t)(n * samples));
    CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_M2) == (uint64_t)(n * n * samples));
    CHECK(erg_load_u64(out + ERG_ISING_OFF_ACCEPTED) == 0);
    CHECK(ld_i32(out, ERG_ISING_OFF_FINAL_E) == -2 * n && ld_i32(out, ERG_ISING_OFF_FINAL_M) == n);
}

/* Near-infinite temperature accepts almost every flip; the lattice state keeps its invariants. */
static void test_hot_limit_and_invariants(void)
{
    static const uint32_t sizes[] = {4, 6, 10, 16};
    erg_kparams p;
    uint8_t seed[32], out[ERG_ISING_OUT_SIZE];
    size_t i;
    uint32_t u;
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "beta_micro", 1);
    make_seed(2, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    /* reject probability per attempt is below 1 - exp(-8e-6) */
    CHECK(erg_load_u64(out + ERG_ISING_OFF_ACCEPTED) >= 256u * 100u - 5u);

    /* measure_sweeps = 1: every sum is its single sample; on a torus E = 0 mod 4 and M = 0 mod 2. */
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (u = 0; u < 8; u++) {
            int64_t e, m, n = (int64_t)sizes[i] * sizes[i];
            erg_kparams_default(K, &p, 1);
            erg_test_set_u32(K, &p, "size", sizes[i]);
            erg_test_set_u32(K, &p, "measure_sweeps", 1);
            erg_test_set_u32(K, &p, "therm_sweeps", u);
            erg_test_set_u32(K, &p, "beta_micro", 200000 + 100000 * u);
            erg_test_set_u32(K, &p, "start", u & 1);
            make_seed(100 + u, seed);
            CHECK(run(&p, seed, out) == ERG_OK);
            e = ld_i32(out, ERG_ISING_OFF_FINAL_E);
            m = ld_i32(out, ERG_ISING_OFF_FINAL_M);
            CHECK(ld_i64(out, ERG_ISING_OFF_SUM_E) == e);
            CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_E2) == (uint64_t)(e * e));
            CHECK(ld_i64(out, ERG_ISING_OFF_SUM_M) == m);
            CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_ABSM) == (uint64_t)(m < 0 ? -m : m));
            CHECK(erg_load_u64(out + ERG_ISING_OFF_SUM_M2) == (uint64_t)(m * m));
            CHECK(erg_load_u64(out + ERG_ISING_OFF_ACCEPTED) <= (uint64_t)n);
            CHECK(e % 4 == 0 && m % 2 == 0 && e >= -2 * n && e <= 2 * n && m >= -n && m <= n);
        }
    }
}

/* The same seed repeats; changing any one of the 32 seed bytes changes the result. */
static void test_seed_binding(void)
{
    erg_kparams p;
    uint8_t seed[32], out0[ERG_ISING_OUT_SIZE], out1[ERG_ISING_OUT_SIZE];
    int i;
    erg_kparams_default(K, &p, 1);
    make_seed(7, seed);
    CHECK(run(&p, seed, out0) == ERG_OK);
    CHECK(run(&p, seed, out1) == ERG_OK);
    CHECK_EQ_MEM(out0, out1, ERG_ISING_OUT_SIZE);
    for (i = 0; i < 32; i++) {
        seed[i] ^= 0x10;
        CHECK(run(&p, seed, out1) == ERG_OK);
        CHECK(memcmp(out0, out1, ERG_ISING_OUT_SIZE) != 0);
        seed[i] ^= 0x10;
    }
}

/* Onsager's exact internal energy per spin of the infinite lattice. */
static double onsager_energy(double beta)
{
    double t2 = tanh(2 * beta), k = 2 * sinh(2 * beta) / (cosh(2 * beta) * cosh(2 * beta));
    double a = 1, g = sqrt(1 - k * k), kk;
    int i;
    for (i = 0; i < 40 && fabs(a - g) > 1e-16 * a; i++) {
        double an = (a + g) / 2;
        g = sqrt(a * g);
        a = an;
    }
    kk = M_PI / (2 * a); /* complete elliptic integral K(k) */
    return -(1 / t2) * (1 + (2 / M_PI) * (2 * t2 * t2 - 1) * kk);
}

/* Mean and standard error over independent units (seeds) of <E>/N and <|M|>/N. */
static void ensemble(uint32_t beta_micro, uint32_t start, double *e_mean, double *e_se, double *m_mean, double *m_se)
{
    enum { UNITS = 16 };
    erg_kparams p;
    uint8_t seed[32], out[ERG_ISING_OUT_SIZE];
    double se = 0, se2 = 0, sm = 0, sm2 = 0, n = 32.0 * 32.0, samples = 1500;
    uint32_t u;
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "size", 32);
    erg_test_set_u32(K, &p, "therm_sweeps", 300);
    erg_test_set_u32(K, &p, "measure_sweeps", 1500);
    erg_test_set_u32(K, &p, "beta_micro", beta_micro);
    erg_test_set_u32(K, &p, "start", start);
    for (u = 0; u < UNITS; u++) {
        double e, m;
        make_seed(1000 + u, seed);
        CHECK(run(&p, seed, out) == ERG_OK);
        e = (double)ld_i64(out, ERG_ISING_OFF_SUM_E) / (samples * n);
        m = (double)erg_load_u64(out + ERG_ISING_OFF_SUM_ABSM) / (samples * n);
        se += e;
        se2 += e * e;
        sm += m;
        sm2 += m * m;
    }
    *e_mean = se / UNITS;
    *e_se = sqrt((se2 / UNITS - *e_mean * *e_mean) / (UNITS - 1));
    *m_mean = sm / UNITS;
    *m_se = sqrt((sm2 / UNITS - *m_mean * *m_mean) / (UNITS - 1));
}

/*
 * Science: 16 independent 32x32 units of 1500 measured sweeps each. Away from criticality the
 * correlation length is short (about 1.6 lattice spacings at beta 0.3, 0.9 at beta 0.6), so
 * finite-size corrections (~exp(-L/xi) < 1e-8) are far below the statistical error, and the ensemble mean must sit within 5 standard
 * errors (estimated from the spread of the units) of Onsager's value; the error itself must
 * be small enough for the comparison to mean something.
 */
static void test_onsager_energy_and_order(void)
{
    double e, e_se, m, m_se, exact, yang;

    /* beta = 0.6 (T = 1.67 < Tc): ordered; cold start avoids long-lived stripe states. */
    ensemble(600000, 0, &e, &e_se, &m, &m_se);
    exact = onsager_energy(0.6);
    yang = pow(1 - pow(sinh(1.2), -4), 0.125); /* spontaneous magnetisation */
    printf("    beta 0.6: e = %.5f +- %.5f (Onsager %.5f), |m| = %.5f +- %.5f (Yang %.5f)\n", e, e_se, exact, m,
           m_se, yang);
    CHECK(e_se > 0 && e_se < 0.002);
    CHECK(fabs(e - exact) < 5 * e_se);
    CHECK(m_se < 0.002 && fabs(m - yang) < 5 * m_se + 0.002);

    /* beta = 0.3 (T = 3.33 > Tc): disordered, from a hot start. */
    ensemble(300000, 1, &e, &e_se, &m, &m_se);
    exact = onsager_energy(0.3);
    printf("    beta 0.3: e = %.5f +- %.5f (Onsager %.5f), |m| = %.5f +- %.5f\n", e, e_se, exact, m, m_se);
    CHECK(e_se > 0 && e_se < 0.002);
    CHECK(fabs(e - exact) < 5 * e_se);
    CHECK(m < 0.15); /* ~sqrt(chi T / N) for N = 1024, versus 0.97 in the ordered phase */
}

static void test_describe(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_ISING_OUT_SIZE];
    erg_buf json;
    erg_err err;
    char *s, want[64];
    const char *key;
    double e;
    erg_kparams_default(K, &p, 1);
    make_seed(3, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    erg_buf_init(&json);
    CHECK(K->describe(&p, out, sizeof out, &json, &err) == ERG_OK);
    erg_buf_put_u8(&json, 0);
    CHECK(erg_buf_status(&json, NULL) == ERG_OK);
    s = (char *)json.data;
    CHECK(s[0] == '{' && s[strlen(s) - 1] == '}');
    CHECK(strstr(s, "\"size\":16,") != NULL && strstr(s, "\"samples\":100,") != NULL);
    CHECK(strstr(s, "\"specific_heat_per_spin\":") && strstr(s, "\"susceptibility_per_spin\":"));
    CHECK(strstr(s, "\"acceptance_rate\":") && strstr(s, "null") == NULL);
    key = strstr(s, "\"energy_per_spin\":");
    CHECK(key != NULL);
    if (key) {
        e = (double)ld_i64(out, ERG_ISING_OFF_SUM_E) / (100.0 * 256.0);
        snprintf(want, sizeof want, "\"energy_per_spin\":%.10g", e);
        CHECK(strncmp(key, want, strlen(want)) == 0);
    }
    erg_buf_reset(&json);
    CHECK(K->describe(&p, out, sizeof out - 1, &json, &err) == ERG_ERR_ARG);
    erg_buf_free(&json);
}

/* Golden output hashes, computed once by this C reference; every backend must reproduce them. */
typedef struct golden {
    uint32_t size, therm, measure, beta, start, seed; /* params (0 size = defaults) and seed number */
    const char *hash;
} golden;

static const golden g_golden[] = {
    {16, 50, 100, 440687, 1, 0, "08ec0948f0b8914cb5aeb09ebfbe1a193806ae94169525c748976d38cbde4756"},
    {16, 50, 100, 440687, 1, 1, "e701632f76f40f832ab087bb52f323cd1360e7cabe7e12952fae7b43c7b62d88"},
    {16, 50, 100, 440687, 1, 2, "7dba3288102dbb60ef7718e6881afbc375bfea491b6988497d418939d513f6cc"},
    {6, 20, 40, 300000, 0, 3, "70b92008c0159a179219d133e822cb00bb678d6e773715c443e1867b283cba6c"},
    {10, 0, 30, 600000, 1, 4, "452f84a496c3f2b0120fed4a4b4e641f70c05db57b5fd766d0538c2e7ac272b0"},
    /* default params (64x64, 5000 + 30000 sweeps at beta 0.440687): about 1 s */
    {0, 0, 0, 0, 0, 5, "6e16ce488a5bd2252ff957d8a3a98cbaa783dc323ca9f63fef24223cf878358a"},
};

static void golden_params(const golden *g, erg_kparams *p)
{
    erg_kparams_default(K, p, 0);
    if (g->size == 0) return;
    p->v[ERG_ISING_P_SIZE] = g->size;
    p->v[ERG_ISING_P_THERM] = g->therm;
    p->v[ERG_ISING_P_MEASURE] = g->measure;
    p->v[ERG_ISING_P_BETA] = g->beta;
    p->v[ERG_ISING_P_START] = g->start;
}

static void test_golden_ref(void)
{
    size_t i;
    for (i = 0; i < sizeof g_golden / sizeof g_golden[0]; i++) {
        erg_kparams p;
        uint8_t seed[32], out[ERG_ISING_OUT_SIZE];
        golden_params(&g_golden[i], &p);
        make_seed(g_golden[i].seed, seed);
        CHECK(run(&p, seed, out) == ERG_OK);
        CHECK(erg_test_golden_ok(K, &p, out, ERG_ISING_OUT_SIZE, g_golden[i].hash, "ref"));
    }
}

/* 101 seeds of the small params at local sizes 1 and 8, then 13 of each other shape (odd L/2, cold, extreme beta). */
static void test_opencl_matches_ref(void)
{
    static const uint32_t shapes[][5] = {
        /* size, therm, measure, beta_micro, start */
        {6, 5, 30, 300000, 0},  {10, 3, 20, 600000, 1}, {4, 0, 50, 440687, 1},
        {12, 2, 10, 1, 1},      {8, 0, 10, 10000000, 0}, {34, 1, 6, 250000, 1},
    };
    erg_cl *cl = erg_test_open_cl(NULL);
    if (!cl) return;
    CHECK(erg_test_cl_sweep(cl, K, make_seed, 5000, &shapes[0][0], sizeof shapes / sizeof shapes[0], 5, 6000, 13) == 0);
    erg_cl_destroy(cl);
}

static void test_golden_opencl(void)
{
    erg_cl *cl = erg_test_open_cl(NULL);
    size_t dev, i;
    if (!cl) return;
    for (dev = 0; dev < erg_cl_device_count(cl); dev++) {
        for (i = 0; i < sizeof g_golden / sizeof g_golden[0]; i++) {
            erg_kparams p;
            uint8_t seed[1][32];
            golden_params(&g_golden[i], &p);
            make_seed(g_golden[i].seed, seed[0]);
            CHECK(erg_test_cl_golden(cl, dev, K, &p, NULL, 0, (const uint8_t(*)[32])seed, 1,
                                     &g_golden[i].hash) == 0);
        }
    }
    erg_cl_destroy(cl);
}

ERG_TESTS("ising2d", T(test_validate), T(test_thresholds_match_libm), T(test_frozen_ground_state),
          T(test_hot_limit_and_invariants), T(test_seed_binding), T(test_onsager_energy_and_order), T(test_describe),
          T(test_golden_ref), T(test_opencl_matches_ref), T(test_golden_opencl))
