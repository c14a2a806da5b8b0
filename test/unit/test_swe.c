/* Unit tests for kernels/swe: validator, golden hashes, conservation, energy, symmetry, stability, PoCL bit-exactness. */
#include "kernels/swe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/opencl.h"
#include "src/util/buffer.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_testutil.h"

static const erg_kernel *const K = &erg_kernel_swe;

static void make_seed(uint8_t seed[32], uint32_t i, uint8_t tag)
{
    int j;
    for (j = 0; j < 32; j++) seed[j] = (uint8_t)(i * 131u + (uint32_t)j * 17u + tag + (i >> 8) * 7u);
}

static void set(erg_kparams *p, const char *name, const char *value)
{
    erg_err err;
    CHECK(erg_kparams_set(K, p, name, value, &err) == ERG_OK);
}

static erg_code run(const erg_kparams *p, const uint8_t seed[32], uint8_t out[ERG_SWE_OUT_SIZE])
{
    erg_err err;
    erg_code rc = erg_kernel_run_ref(K, p, NULL, 0, seed, out, ERG_SWE_OUT_SIZE, &err);
    if (rc) printf("  run_ref: %s\n", err.reason);
    return rc;
}

static uint32_t lambda_of(const erg_kparams *p)
{
    uint32_t d[ERG_KDERIVED_MAX] = {0};
    CHECK(K->derive(p, NULL, 0, d, NULL) == ERG_OK);
    return d[ERG_SWE_D_LAMBDA];
}

/* Expect validation to fail with ERG_ERR_RANGE and a reason containing `why`. */
static void expect_reject(const erg_kparams *p, const char *why)
{
    erg_err err;
    erg_kparams before = *p;
    CHECK(erg_kparams_validate(K, p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, why) != NULL);
    if (!strstr(err.reason, why)) printf("  reason '%s' lacks '%s'\n", err.reason, why);
    CHECK(memcmp(&before, p, sizeof before) == 0);
}

static void test_params_and_validator(void)
{
    erg_kparams p, q;
    erg_err err;
    uint64_t cu;
    double lam;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    CHECK(K->ops(&p, 0) == 128ull * 128 * 1200);
    CHECK(K->scratch_size(&p, 0) % 8 == 0);
    CHECK(K->output_size(&p) == ERG_SWE_OUT_SIZE);
    CHECK(erg_kernel_cu(K, &p, 0, &cu, NULL) == ERG_OK && cu > 0);
    /* The largest unit the validator admits is three default units. */
    CHECK(ERG_SWE_OPS_MAX == 3 * K->ops(&p, 0));
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);

    /* Courant number: floor(dt sqrt(g H) / dx * 2^24), here 2 s * sqrt(9.80665 * 10) / 100 m. */
    erg_kparams_default(K, &p, 0);
    lam = 2.0 * sqrt(9.80665 * 10.0) / 100.0 * 16777216.0;
    CHECK(fabs((double)lambda_of(&p) - lam) <= 1.0);

    /* Per-field ranges are the registry's; these are the kernel's cross-field checks. */
    CHECK(erg_kparams_set(K, &p, "nx", "8", &err) == ERG_ERR_RANGE);
    q = p;
    set(&q, "nx", "20");
    expect_reject(&q, "multiples of 8");
    q = p;
    set(&q, "nx", "16");
    set(&q, "radius", "9");
    expect_reject(&q, "radius 9 exceeds half");
    q = p;
    set(&q, "amp_cm", "126");
    expect_reject(&q, "exceeds half the base depth");
    q = p;
    set(&q, "amp_cm", "125"); /* 4 * 125 cm = H / 2: allowed if the CFL estimate still holds */
    set(&q, "dt_ms", "1500");
    CHECK(erg_kparams_validate(K, &q, NULL, 0, &err) == ERG_OK);
    q = p;
    set(&q, "dt_ms", "6000"); /* Courant 0.59: breaks the hard 1/2 bound */
    expect_reject(&q, "exceeds 1/2");
    q = p;
    set(&q, "dt_ms", "4500"); /* Courant 0.45 < 1/2, but 0.45 * (sqrt(1.2) + 0.2) > 0.4 */
    expect_reject(&q, "estimated CFL number");
    q = p;
    set(&q, "dt_ms", "1");
    set(&q, "dx_m", "100000");
    set(&q, "depth_cm", "10");
    set(&q, "amp_cm", "1");
    expect_reject(&q, "rounds to zero");
    q = p;
    set(&q, "nx", "512");
    set(&q, "ny", "512");
    expect_reject(&q, "cell updates exceeds");
    q = p;
    q.v[ERG_SWE_P_COUNT] = 1; /* a word past the declared fields */
    CHECK(erg_kparams_validate(K, &q, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"x", 1, &err) == ERG_ERR_ARG);
}

/* Output hashes of the C reference, computed once and pinned (see doc/kernels/swe.md). */
static const struct {
    int small;
    uint32_t seed;
    const char *hash;
} golden[] = {
    {1, 0, "2515e0965f0aadca65b0a723cfa33c7e789c07cc26ff0c1333a16562878f480b"},
    {1, 1, "5f5c3d0a93b4f343db0b3878e4a91487f40367fd86cc3c35bbec6028672a02b3"},
    {1, 77, "360b8999f68ec61a02ecfff5f7af4eff6be633660b04e205c441f1eb100ee3e5"},
    {0, 5, "cd3a08fb382907e2f57535f997d46b18a5e45de862dcf98d307e0bb1ea37bcd2"},
};

static void test_golden_hashes(void)
{
    size_t g;
    for (g = 0; g < sizeof golden / sizeof golden[0]; g++) {
        erg_kparams p;
        uint8_t seed[32], out[ERG_SWE_OUT_SIZE];
        erg_kparams_default(K, &p, golden[g].small);
        make_seed(seed, golden[g].seed, 0);
        CHECK(run(&p, seed, out) == ERG_OK);
        CHECK(erg_test_golden_ok(K, &p, out, sizeof out, golden[g].hash, "ref"));
    }
}

static void test_volume_conserved_exactly(void)
{
    static const char *const shapes[][2] = {{"16", "16"}, {"24", "16"}, {"16", "40"}};
    uint32_t s, i;
    for (s = 0; s < 3; s++) {
        erg_kparams p;
        erg_kparams_default(K, &p, 1);
        set(&p, "nx", shapes[s][0]);
        set(&p, "ny", shapes[s][1]);
        set(&p, "steps", "200");
        for (i = 0; i < 20; i++) {
            uint8_t seed[32], out[ERG_SWE_OUT_SIZE];
            make_seed(seed, i, (uint8_t)(10 + s));
            CHECK(run(&p, seed, out) == ERG_OK);
            CHECK(erg_load_u32(out + ERG_SWE_OFF_STATUS) == ERG_SWE_STATUS_OK);
            CHECK(erg_load_u32(out + ERG_SWE_OFF_STEPS) == 200);
            CHECK(erg_load_u64(out + ERG_SWE_OFF_VOL0) == erg_load_u64(out + ERG_SWE_OFF_VOL1));
            /* Something happened: the waves moved (energy fell) and the depth really varied. */
            CHECK(erg_load_u64(out + ERG_SWE_OFF_ENERGY + 8 * 16) < erg_load_u64(out + ERG_SWE_OFF_ENERGY));
            CHECK(erg_load_u32(out + ERG_SWE_OFF_HMIN) < erg_load_u32(out + ERG_SWE_OFF_HMAX));
        }
    }
}

static erg_swe_sim *make_sim(uint32_t nx, uint32_t ny, int64_t lambda, const erg_swe_bump *b, size_t n)
{
    erg_swe_sim *s = NULL;
    erg_err err;
    CHECK(erg_swe_sim_create(&s, nx, ny, lambda, &err) == ERG_OK);
    if (s) erg_swe_sim_init(s, b, n);
    return s;
}

/*
 * Energy never rises from one step to the next beyond the truncation of its own sum (each
 * cell's term is floored to Q32, so the measured sum is up to `cells` units low): Rusanov is
 * energy stable under the CFL bound. Two regimes: the harshest allowed amplitude early on,
 * and long runs of tiny bumps that decay to a nearly flat state, where the flux truncation
 * makes the last bits of the energy wander (measured: at most 260 units per step on 1024 cells).
 */
static void test_energy_non_increasing(void)
{
    static const char *const cfg[][4] = {{"4", "125", "8", "300"}, {"1", "500", "2", "1500"}, {"4", "125", "2", "1500"}};
    erg_kparams p;
    uint32_t c, i, n, d[ERG_KDERIVED_MAX] = {0};
    for (c = 0; c < 3; c++) {
        uint32_t bumps = (uint32_t)atoi(cfg[c][0]), steps = (uint32_t)atoi(cfg[c][3]);
        erg_kparams_default(K, &p, 1);
        set(&p, "nx", "32");
        set(&p, "ny", "32");
        set(&p, "bumps", cfg[c][0]);
        set(&p, "amp_cm", cfg[c][1]); /* bumps * amp = H / 2, the largest allowed */
        set(&p, "radius", cfg[c][2]);
        set(&p, "dt_ms", "2300");
        CHECK(erg_kparams_validate(K, &p, NULL, 0, NULL) == ERG_OK);
        CHECK(K->derive(&p, NULL, 0, d, NULL) == ERG_OK);
        for (i = 0; i < 3; i++) {
            erg_swe_bump b[32];
            erg_swe_stats st;
            uint8_t seed[32];
            uint64_t prev = 0, first = 0;
            erg_swe_sim *s;
            make_seed(seed, i, (uint8_t)(40 + c));
            erg_swe_draw_bumps(&p, d, seed, b);
            s = make_sim(32, 32, d[ERG_SWE_D_LAMBDA], b, bumps);
            if (!s) return;
            for (n = 0; n <= steps; n++) {
                CHECK(erg_swe_sim_check(s, &st) == ERG_SWE_STATUS_OK);
                if (n == 0) first = st.energy;
                if (n > 0 && st.energy > prev + 32 * 32) {
                    printf("  config %u seed %u step %u: energy %llu > %llu + cells\n", c, i, n,
                           (unsigned long long)st.energy, (unsigned long long)prev);
                    CHECK(!"energy rose by more than the truncation of its sum");
                }
                prev = st.energy;
                CHECK(erg_swe_sim_advance(s, NULL) == ERG_OK);
            }
            CHECK(prev < first / 2); /* and it really dissipates */
            erg_swe_sim_destroy(s);
        }
    }
}

/* Cell (i, j) of the image of the state under mirror m (1: x, 2: y, 3: both, 4: transpose). */
static size_t image(const erg_swe_sim *s, uint32_t i, uint32_t j, int m)
{
    if (m & 1) i = s->nx - 1 - i;
    if (m & 2) j = s->ny - 1 - j;
    if (m == 4) return (size_t)i * s->nx + j;
    return (size_t)j * s->nx + i;
}

/* a is b's mirror image under m: depth equal, momenta reflected. */
static int is_image(const erg_swe_sim *a, const erg_swe_sim *b, int m)
{
    uint32_t i, j;
    for (j = 0; j < a->ny; j++) {
        for (i = 0; i < a->nx; i++) {
            size_t x = (size_t)j * a->nx + i, y = image(b, i, j, m);
            int32_t bx = b->mx[y], by = b->my[y];
            if (m == 4) {
                bx = b->my[y];
                by = b->mx[y];
            }
            if (a->h[x] != b->h[y]) return 0;
            if (a->mx[x] != ((m & 1) ? -bx : bx)) return 0;
            if (a->my[x] != ((m & 2) ? -by : by)) return 0;
        }
    }
    return 1;
}

static void step_both(erg_swe_sim *a, erg_swe_sim *b)
{
    erg_swe_stats st;
    CHECK(erg_swe_sim_check(a, &st) == ERG_SWE_STATUS_OK);
    CHECK(erg_swe_sim_advance(a, NULL) == ERG_OK);
    if (b != a) {
        CHECK(erg_swe_sim_check(b, &st) == ERG_SWE_STATUS_OK);
        CHECK(erg_swe_sim_advance(b, NULL) == ERG_OK);
    }
}

/* A single bump at the centre of a square basin stays exactly symmetric under all eight symmetries. */
static void test_centred_bump_stays_symmetric(void)
{
    const erg_swe_bump bump = {32, 32, 7, 1 << 22}; /* centre of 32 x 32, a quarter of H high */
    erg_swe_sim *s = make_sim(32, 32, 3 << 20, &bump, 1);
    uint32_t n;
    int m;
    if (!s) return;
    for (n = 0; n < 400; n++) {
        step_both(s, s);
        for (m = 1; m <= 4; m++) CHECK(is_image(s, s, m));
    }
    /* Not vacuous: the wave has reached the corners of the basin and has nonzero momentum there. */
    CHECK(s->h[0] != (int32_t)ERG_SWE_ONE);
    CHECK(s->mx[3 * 32 + 2] != 0 && s->my[2 * 32 + 3] != 0);
    erg_swe_sim_destroy(s);
}

/* Seeded bumps and their mirror images evolve into exact mirror images of each other. */
static void test_mirrored_seeds_give_mirrored_states(void)
{
    erg_kparams p;
    uint32_t d[ERG_KDERIVED_MAX] = {0}, n, i;
    int m;
    erg_kparams_default(K, &p, 1);
    set(&p, "nx", "24");
    set(&p, "ny", "24");
    set(&p, "bumps", "5");
    set(&p, "amp_cm", "100");
    set(&p, "radius", "6");
    CHECK(K->derive(&p, NULL, 0, d, NULL) == ERG_OK);
    for (i = 0; i < 3; i++) {
        for (m = 1; m <= 4; m++) {
            erg_swe_bump b[5], mb[5];
            uint8_t seed[32];
            erg_swe_sim *s, *t;
            size_t k;
            make_seed(seed, i, 60);
            erg_swe_draw_bumps(&p, d, seed, b);
            for (k = 0; k < 5; k++) {
                mb[k] = b[k];
                if (m & 1) mb[k].cx2 = (48 - b[k].cx2) % 48;
                if (m & 2) mb[k].cy2 = (48 - b[k].cy2) % 48;
                if (m == 4) {
                    mb[k].cx2 = b[k].cy2;
                    mb[k].cy2 = b[k].cx2;
                }
            }
            s = make_sim(24, 24, d[ERG_SWE_D_LAMBDA], b, 5);
            t = make_sim(24, 24, d[ERG_SWE_D_LAMBDA], mb, 5);
            if (!s || !t) {
                erg_swe_sim_destroy(s);
                erg_swe_sim_destroy(t);
                return;
            }
            CHECK(is_image(t, s, m));
            for (n = 0; n < 150; n++) step_both(s, t);
            CHECK(is_image(t, s, m));
            CHECK(!is_image(s, s, m)); /* the seeded state itself is not symmetric */
            erg_swe_sim_destroy(s);
            erg_swe_sim_destroy(t);
        }
    }
}

/* The longest run the validator admits at default Courant number, and the harshest allowed
 * amplitude at the validator's CFL limit: no guard stop, volume exact, depth bounded. */
static void test_stable_at_limits(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_SWE_OUT_SIZE];
    char steps[32];
    uint32_t i, smax;
    erg_kparams_default(K, &p, 0);
    snprintf(steps, sizeof steps, "%llu", (unsigned long long)(ERG_SWE_OPS_MAX / (128 * 128)));
    set(&p, "steps", steps);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, NULL) == ERG_OK);
    make_seed(seed, 3, 70);
    CHECK(run(&p, seed, out) == ERG_OK);
    CHECK(erg_load_u32(out + ERG_SWE_OFF_STATUS) == ERG_SWE_STATUS_OK);
    CHECK(erg_load_u64(out + ERG_SWE_OFF_VOL0) == erg_load_u64(out + ERG_SWE_OFF_VOL1));
    CHECK(erg_load_u64(out + ERG_SWE_OFF_ENERGY + 8 * 16) < erg_load_u64(out + ERG_SWE_OFF_ENERGY));

    /* Summed amplitude H / 2 and the largest dt the CFL estimate admits, 32 x 32 basin. */
    erg_kparams_default(K, &p, 1);
    set(&p, "nx", "32");
    set(&p, "ny", "32");
    set(&p, "bumps", "2");
    set(&p, "amp_cm", "250");
    set(&p, "radius", "16");
    set(&p, "steps", "3000");
    for (i = 1000;; i += 10) {
        snprintf(steps, sizeof steps, "%u", i);
        set(&p, "dt_ms", steps);
        if (erg_kparams_validate(K, &p, NULL, 0, NULL) != ERG_OK) break;
    }
    snprintf(steps, sizeof steps, "%u", i - 10);
    set(&p, "dt_ms", steps);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, NULL) == ERG_OK);
    for (i = 0; i < 4; i++) {
        make_seed(seed, i, 80);
        CHECK(run(&p, seed, out) == ERG_OK);
        CHECK(erg_load_u32(out + ERG_SWE_OFF_STATUS) == ERG_SWE_STATUS_OK);
        CHECK(erg_load_u64(out + ERG_SWE_OFF_VOL0) == erg_load_u64(out + ERG_SWE_OFF_VOL1));
        /* Observed CFL number stays below the guard's 1/2. */
        smax = erg_load_u32(out + ERG_SWE_OFF_SMAX);
        CHECK((uint64_t)lambda_of(&p) * smax < ((uint64_t)1 << 47));
        CHECK(erg_load_u32(out + ERG_SWE_OFF_HMIN) >= (1u << 23));
    }
}

/* The guard stops a run instead of computing with values outside the proven ranges. */
static void test_guard(void)
{
    const erg_swe_bump bump = {32, 32, 7, 1 << 22};
    erg_swe_sim *s = make_sim(32, 32, 3 << 20, &bump, 1);
    erg_swe_stats st;
    erg_err err;
    if (!s) return;
    CHECK(erg_swe_sim_advance(s, &err) == ERG_ERR_ARG); /* no check yet */
    CHECK(erg_swe_sim_check(s, &st) == ERG_SWE_STATUS_OK);
    CHECK(erg_swe_sim_advance(s, NULL) == ERG_OK);
    CHECK(erg_swe_sim_advance(s, &err) == ERG_ERR_ARG); /* the step invalidated the check */
    s->h[100] = (int32_t)ERG_SWE_H_MIN - 1;
    CHECK(erg_swe_sim_check(s, &st) == ERG_SWE_STATUS_RANGE);
    CHECK(erg_swe_sim_advance(s, &err) == ERG_ERR_ARG);
    s->h[100] = (int32_t)ERG_SWE_ONE;
    s->mx[5] = (int32_t)ERG_SWE_M_MAX + 1;
    CHECK(erg_swe_sim_check(s, &st) == ERG_SWE_STATUS_RANGE);
    s->mx[5] = 3 << 24; /* |u| = 3 c0: inside the range guard, but lambda (3/16) * 4 > 1/2 */
    CHECK(erg_swe_sim_check(s, &st) == ERG_SWE_STATUS_CFL);
    erg_swe_sim_destroy(s);
    CHECK(erg_swe_sim_create(&s, 20, 16, 1, &err) == ERG_ERR_ARG);
    CHECK(erg_swe_sim_create(&s, 16, 16, 0, &err) == ERG_ERR_ARG);
}

static void test_describe(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_SWE_OUT_SIZE];
    erg_buf json;
    erg_err err;
    erg_kparams_default(K, &p, 1);
    make_seed(seed, 9, 90);
    CHECK(run(&p, seed, out) == ERG_OK);
    erg_buf_init(&json);
    CHECK(K->describe(&p, out, sizeof out, &json, &err) == ERG_OK);
    erg_buf_put_u8(&json, 0);
    CHECK(json.data && json.data[0] == '{' && json.data[json.len - 2] == '}');
    if (json.data) {
        CHECK(strstr((char *)json.data, "\"status\":\"ok\"") != NULL);
        CHECK(strstr((char *)json.data, "\"change_fixed_point\":0}") != NULL);
        CHECK(strstr((char *)json.data, "\"simulated_time_s\":64,") != NULL); /* 32 steps of 2 s */
        CHECK(strstr((char *)json.data, "null") == NULL);
    }
    erg_buf_free(&json);
    /* A unit stopped by the guard: the status is named and unreached checkpoints are null. */
    erg_buf_init(&json);
    erg_store_u32(out + ERG_SWE_OFF_STATUS, ERG_SWE_STATUS_CFL);
    erg_store_u64(out + ERG_SWE_OFF_ENERGY + 8 * 16, ERG_SWE_ENERGY_NONE);
    CHECK(K->describe(&p, out, sizeof out, &json, &err) == ERG_OK);
    erg_buf_put_u8(&json, 0);
    CHECK(json.data && strstr((char *)json.data, "\"status\":\"stopped_cfl\"") != NULL);
    CHECK(json.data && strstr((char *)json.data, ",null],\"available_energy_J\"") != NULL);
    erg_buf_free(&json);
    erg_buf_init(&json);
    CHECK(K->describe(&p, out, sizeof out - 1, &json, &err) == ERG_ERR_ARG);
    out[ERG_SWE_OFF_STATUS] = 9;
    CHECK(K->describe(&p, out, sizeof out, &json, &err) == ERG_ERR_PARSE);
    erg_buf_free(&json);
}

/* Every device's bytes equal the C reference's: n seeds (tagged) at each local size given. */
static void compare_on_devices(erg_cl *cl, const erg_kparams *p, size_t n, uint8_t tag, const size_t *locals,
                               size_t nlocals, const char *label)
{
    uint8_t(*seeds)[32] = malloc(n * 32);
    uint8_t *want = malloc(n * ERG_SWE_OUT_SIZE);
    size_t i, d, l;
    CHECK(seeds && want);
    if (!seeds || !want) goto done;
    for (i = 0; i < n; i++) make_seed(seeds[i], (uint32_t)i, tag);
    CHECK(erg_test_ref_units(K, p, NULL, 0, (const uint8_t(*)[32])seeds, n, want) == 0);
    for (d = 0; d < erg_cl_device_count(cl); d++)
        for (l = 0; l < nlocals; l++)
            CHECK(erg_test_cl_compare(cl, d, K, p, NULL, 0, (const uint8_t(*)[32])seeds, n, locals[l], want,
                                      label) == 0);
done:
    free(seeds);
    free(want);
}

/* 101 small seeds at local sizes 1, 8 and the runtime's choice, a non-square grid, and one default-size unit. */
static void test_opencl_matches_reference(void)
{
    static const size_t locals[] = {1, 8, 0}, one[] = {0};
    erg_cl *cl = erg_test_open_cl(NULL);
    erg_kparams p;
    if (!cl) return;
    erg_kparams_default(K, &p, 1);
    compare_on_devices(cl, &p, 101, 1, locals, 3, "small");
    set(&p, "nx", "40");
    set(&p, "ny", "16");
    set(&p, "bumps", "7");
    set(&p, "amp_cm", "70");
    set(&p, "steps", "120");
    compare_on_devices(cl, &p, 13, 2, locals, 2, "40x16");
    erg_kparams_default(K, &p, 0);
    compare_on_devices(cl, &p, 1, 3, one, 1, "default");
    erg_cl_destroy(cl);
}

ERG_TESTS("swe", T(test_params_and_validator), T(test_golden_hashes), T(test_volume_conserved_exactly),
          T(test_energy_non_increasing), T(test_centred_bump_stays_symmetric),
          T(test_mirrored_seeds_give_mirrored_states), T(test_stable_at_limits), T(test_guard), T(test_describe),
          T(test_opencl_matches_reference))
