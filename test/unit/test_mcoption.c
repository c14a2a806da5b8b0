/* Unit tests for kernels/mcoption (validation, golden outputs, Black-Scholes sanity) and kernels/detmath.h. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/mcoption.h"
#include "kernels/opencl.h"
#include "src/util/buffer.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_testutil.h"

static const erg_kernel *const K = &erg_kernel_mcoption;

/* xorshift64: test inputs only, never kernel randomness. */
static uint64_t next_u64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Tolerance helper: long double is only as precise as the platform makes it. */
static long double tol(long double bound, long double scale)
{
    long double floor_ = 16 * LDBL_EPSILON * scale;
    return bound > floor_ ? bound : floor_;
}

static const long double PI_L = 3.141592653589793238462643383279502884L;

/* ---- detmath: fixed-point primitives ---- */

static void test_mulhi_and_shifts(void)
{
    uint64_t s = 0x9E3779B97F4A7C15u;
    int i;
    for (i = 0; i < 100000; i++) {
        uint64_t a = next_u64(&s) >> (i % 23), b = next_u64(&s) >> (i % 29);
        unsigned __int128 p = (unsigned __int128)a * b;
        uint32_t sh = 1 + (uint32_t)(i % 63);
        CHECK(erg_mulhi64(a, b) == (uint64_t)(p >> 64));
        if ((p >> sh) >> 64 == 0) {
            CHECK(erg_fx_mulshr(a, b, sh) == (uint64_t)(p >> sh));
            if (((p + ((unsigned __int128)1 << (sh - 1))) >> sh) >> 64 == 0)
                CHECK(erg_fx_mulshr_rn(a, b, sh) == (uint64_t)((p + ((unsigned __int128)1 << (sh - 1))) >> sh));
        }
    }
    for (i = 0; i < 64; i++) CHECK(erg_clz64((uint64_t)1 << i) == (uint32_t)(63 - i));
    CHECK(erg_clz64(~(uint64_t)0) == 0);
}

/* Independent reference: the bitwise square root with a final rounding step. */
static uint64_t isqrt_ref(uint64_t x)
{
    uint64_t r = 0, bit = (uint64_t)1 << 62;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r + (x > r);
}

static void test_isqrt_exact(void)
{
    uint64_t s = 88172645463325252u, y;
    int i, bad = 0;
    static const uint64_t edge[] = {0, 1, 2, 3, 4, 5, UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63,
                                    ((uint64_t)1 << 62) - 1, 0xFFFFFFFE00000001u, 0xFFFFFFFF00000000u};
    for (i = 0; i < 300000; i++) {
        uint64_t x = next_u64(&s) >> (i % 64);
        bad += erg_isqrt64_rn(x) != isqrt_ref(x);
    }
    /* Around every rounding boundary y^2 +- y, at both ends of the range. */
    for (y = 1; y < 20000; y++) {
        uint64_t c[5] = {y * y, y * y + y, y * y + y + 1, y * y - y, y * y - y + 1};
        for (i = 0; i < 5; i++) bad += erg_isqrt64_rn(c[i]) != isqrt_ref(c[i]);
    }
    for (y = 0xFFFFFFFFu - 20000; y <= 0xFFFFFFFFu; y++) {
        uint64_t c[5] = {y * y, y * y + y, y * y + y + 1, y * y - y, y * y - y + 1};
        for (i = 0; i < 5; i++) bad += erg_isqrt64_rn(c[i]) != isqrt_ref(c[i]);
    }
    for (i = 0; i < (int)(sizeof edge / sizeof edge[0]); i++) bad += erg_isqrt64_rn(edge[i]) != isqrt_ref(edge[i]);
    CHECK(bad == 0);
    CHECK(erg_isqrt64_rn(UINT64_MAX) == (uint64_t)1 << 32);
}

static void test_sqrt_hi_accuracy(void)
{
    uint64_t s = 0x1234567887654321u;
    long double worst = 0;
    int i;
    CHECK(erg_fx_sqrt_hi(0) == 0);
    CHECK(erg_fx_sqrt_hi(1) == (uint64_t)1 << 32);
    CHECK(erg_fx_sqrt_hi((uint64_t)1 << 62) == (uint64_t)1 << 63);
    for (i = 0; i < 200000; i++) {
        uint64_t x = (next_u64(&s) >> (i % 64)) | 1u;
        long double want = sqrtl((long double)x) * 4294967296.0L;
        /* The result is an integer: at most one unit off, plus 2^-59 relative for large ones. */
        long double e = (fabsl((long double)erg_fx_sqrt_hi(x) - want) - 1) / want;
        if (e > worst) worst = e;
    }
    CHECK(worst <= tol(ldexpl(1, -59), 1));
}

static void test_exp2_frac_accuracy(void)
{
    uint64_t s = 0xDEADBEEFCAFEF00Du, prev = 0;
    long double worst = 0;
    int i;
    CHECK(erg_fx_exp2_frac(0) == ERG_Q62);
    for (i = 0; i < 200000; i++) {
        uint64_t f = next_u64(&s);
        uint64_t v = erg_fx_exp2_frac(f);
        long double e = fabsl(ldexpl((long double)v, -62) / exp2l(ldexpl((long double)f, -64)) - 1);
        if (e > worst) worst = e;
        CHECK(v >= ERG_Q62 && v < ERG_Q63);
    }
    CHECK(worst <= tol(ldexpl(1, -56), 1));
    /* Monotone on a sweep (no wiggle from the polynomial). */
    for (i = 0; i <= 4096; i++) {
        uint64_t f = i == 4096 ? UINT64_MAX : (uint64_t)i << 52;
        uint64_t v = erg_fx_exp2_frac(f);
        CHECK(v >= prev);
        prev = v;
    }
}

static void test_exp_neg(void)
{
    uint64_t s = 0x0123456789ABCDEFu;
    long double worst = 0;
    int i;
    CHECK(erg_fx_exp_neg_q32(0) == ERG_Q63);
    CHECK(erg_fx_exp2_neg_q48((uint64_t)1 << 48) == ERG_Q62);
    CHECK(erg_fx_exp2_neg_q48((uint64_t)64 << 48) == 0);
    CHECK(erg_fx_exp_neg_q32((uint64_t)64 << 32) == 0);
    for (i = 0; i < 200000; i++) {
        uint64_t x = next_u64(&s) >> 26; /* up to 64 */
        long double want = expl(-ldexpl((long double)x, -32));
        long double e = fabsl(ldexpl((long double)erg_fx_exp_neg_q32(x), -63) - want);
        if (e > worst) worst = e;
    }
    /* The argument is carried as x / ln 2 in Q48, so the error is about 2^-49 absolute. */
    CHECK(worst <= tol(ldexpl(1, -48), 1));
}

static void test_ln_table(void)
{
    int j;
    for (j = 0; j < 32; j++) {
        unsigned __int128 num = (unsigned __int128)1 << 68;
        uint64_t c = (uint64_t)((num + (32 + j) - 1) / (unsigned __int128)(32 + j));
        long double want = -logl(ldexpl((long double)c, -63));
        CHECK(erg_fx_ln_c[j] == c);
        CHECK(fabsl(ldexpl((long double)erg_fx_ln_inv_c[j], -63) - want) <= tol(ldexpl(1, -62), 1));
    }
}

static void test_ln_accuracy(void)
{
    uint64_t s = 0x5555AAAA3333CCCCu;
    long double worst = 0, worst_u = 0;
    int i;
    CHECK(erg_fx_ln_q63(ERG_Q63) == 0);
    CHECK(erg_fx_neg_ln_unit(0xFFFFFFFFu) == 0);
    for (i = 0; i < 200000; i++) {
        uint64_t x = next_u64(&s) | ERG_Q63;
        uint32_t w = (uint32_t)next_u64(&s) >> (i % 32);
        long double e = fabsl(ldexpl((long double)erg_fx_ln_q63(x), -63) - logl(ldexpl((long double)x, -63)));
        if (e > worst) worst = e;
        e = fabsl(ldexpl((long double)erg_fx_neg_ln_unit(w), -59) + logl(ldexpl((long double)w + 1, -32)));
        if (e > worst_u) worst_u = e;
    }
    CHECK(worst <= tol(ldexpl(1, -57), 1));
    CHECK(worst_u <= tol(ldexpl(1, -55), 32));
    /* The largest value: u = 2^-32, -ln u = 32 ln 2. */
    CHECK(fabsl(ldexpl((long double)erg_fx_neg_ln_unit(0), -59) - 32 * logl(2.0L)) <= tol(ldexpl(1, -55), 32));
}

static void test_sincos(void)
{
    uint64_t s = 0x0F0F0F0F12345678u;
    long double worst = 0;
    int i;
    for (i = 0; i < 200000; i++) {
        uint32_t t = (uint32_t)(next_u64(&s) % ((1u << 29) + 1));
        uint64_t sv, cv;
        long double phi = (long double)t * (PI_L / 4) / 536870912.0L, e;
        erg_fx_sincos_oct(t, &sv, &cv);
        e = fabsl(ldexpl((long double)sv, -63) - sinl(phi));
        if (e > worst) worst = e;
        e = fabsl(ldexpl((long double)cv, -63) - cosl(phi));
        if (e > worst) worst = e;
    }
    CHECK(worst <= tol(ldexpl(1, -59), 1));
    /* Every octant, both signs: compare with the full angle. */
    worst = 0;
    for (i = 0; i < 100000; i++) {
        uint32_t w = (uint32_t)next_u64(&s);
        uint64_t sm, cm;
        uint32_t sn, cn;
        long double th = 2 * PI_L * ldexpl((long double)w, -32), sv, cv;
        erg_fx_sincos_turn_mag(w, &sm, &sn, &cm, &cn);
        sv = ldexpl((long double)sm, -63) * (sn ? -1 : 1);
        cv = ldexpl((long double)cm, -63) * (cn ? -1 : 1);
        if (fabsl(sv - sinl(th)) > worst) worst = fabsl(sv - sinl(th));
        if (fabsl(cv - cosl(th)) > worst) worst = fabsl(cv - cosl(th));
    }
    CHECK(worst <= tol(ldexpl(1, -58), 1));
}

static void test_normal_pair(void)
{
    uint64_t s = 0x7777777711111111u;
    long double worst = 0;
    double m1 = 0, m2 = 0, m4 = 0, cross = 0, tail = 0;
    const int n = 1 << 19;
    int i;
    for (i = 0; i < n; i++) {
        uint64_t r = next_u64(&s);
        uint32_t w0 = (uint32_t)r, w1 = (uint32_t)(r >> 32);
        erg_i64 z[2];
        long double u = ldexpl((long double)w0 + 1, -32), th = 2 * PI_L * ldexpl((long double)w1, -32);
        long double rad = sqrtl(-2 * logl(u));
        double a, b;
        erg_fx_normal_pair(w0, w1, z);
        if (fabsl(ldexpl((long double)z[0], -32) - rad * cosl(th)) > worst)
            worst = fabsl(ldexpl((long double)z[0], -32) - rad * cosl(th));
        if (fabsl(ldexpl((long double)z[1], -32) - rad * sinl(th)) > worst)
            worst = fabsl(ldexpl((long double)z[1], -32) - rad * sinl(th));
        a = ldexp((double)z[0], -32);
        b = ldexp((double)z[1], -32);
        m1 += a + b;
        m2 += a * a + b * b;
        m4 += a * a * a * a + b * b * b * b;
        cross += a * b;
        tail += (fabs(a) > 2) + (fabs(b) > 2);
    }
    CHECK(worst <= ldexpl(1, -31));
    /* Moments of 2^20 variates: standard errors about 0.001 (mean), 0.0014 (variance), 0.02 (m4). */
    m1 /= 2.0 * n;
    m2 /= 2.0 * n;
    m4 /= 2.0 * n;
    cross /= n;
    tail /= 2.0 * n;
    CHECK(fabs(m1) < 0.005);
    CHECK(fabs(m2 - 1) < 0.007);
    CHECK(fabs(m4 - 3) < 0.1);
    CHECK(fabs(cross) < 0.007);
    CHECK(fabs(tail - 0.0455003) < 0.002); /* P(|Z| > 2) = erfc(sqrt 2) */
    {
        erg_i64 z[2];
        erg_fx_normal_pair(0, 0, z); /* the extreme: u = 2^-32, theta = 0 */
        CHECK(fabsl(ldexpl((long double)z[0], -32) - sqrtl(64 * logl(2.0L))) < 1e-9L);
        CHECK(z[1] == 0);
    }
}

/* ---- mcoption: parameters, derived constants, fixed-point path helpers ---- */

static void set(erg_kparams *p, const char *name, const char *value)
{
    erg_err err;
    if (erg_kparams_set(K, p, name, value, &err) != ERG_OK) {
        fprintf(stderr, "set %s=%s: %s\n", name, value, err.reason);
        abort();
    }
}

static void test_validation(void)
{
    erg_kparams p;
    erg_err err;
    uint8_t seed[32] = {0}, out[ERG_MCO_OUT_SIZE], keep[ERG_MCO_OUT_SIZE];
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    CHECK(erg_kparams_validate(K, &p, (const uint8_t *)"x", 1, &err) != ERG_OK); /* takes no input */

    /* Strike at most 65536 spot. */
    set(&p, "spot", "10");
    set(&p, "strike", "655360");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    set(&p, "strike", "655361");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "strike") != NULL);

    /* Total work. */
    erg_kparams_default(K, &p, 1);
    set(&p, "steps", "4095");
    set(&p, "paths", "16384");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    set(&p, "paths", "16385");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "path steps") != NULL);

    /* r T + 7 sigma sqrt(T) <= 20 ln 2 = 13.8629: sigma 100% for 3.92 years passes, 4 fails. */
    erg_kparams_default(K, &p, 1);
    set(&p, "rate", "0");
    set(&p, "vol", "1000000");
    set(&p, "maturity", "3920000");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    set(&p, "maturity", "3925000");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "7 sigma") != NULL);
    set(&p, "vol", "0");
    set(&p, "rate", "1000000");
    set(&p, "maturity", "13862943");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    set(&p, "maturity", "13862944");
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);

    /* Per-field ranges come from the descriptor. */
    CHECK(erg_kparams_set(K, &p, "steps", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "steps", "4097", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "paths", "16777217", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "spot", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "vol", "2000001", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "nope", "1", &err) == ERG_ERR_NOTFOUND);

    /* A rejected unit writes nothing; a wrong output size is refused. */
    memset(out, 0xA5, sizeof out);
    memcpy(keep, out, sizeof out);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, sizeof out, &err) == ERG_ERR_RANGE);
    CHECK(memcmp(out, keep, sizeof out) == 0);
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, sizeof out - 1, &err) == ERG_ERR_ARG);
    CHECK(memcmp(out, keep, sizeof out) == 0);
}

static void test_ops_and_cu(void)
{
    erg_kparams p;
    erg_err err;
    uint64_t cu;
    erg_kparams_default(K, &p, 0);
    CHECK(K->ops(&p, 0) == (uint64_t)p.v[6] * (p.v[5] + 1));
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK);
    /* Calibrated so a default unit is about 1 s (1000 CU) of the C reference. */
    CHECK(cu >= 700 && cu <= 1300);
    set(&p, "steps", "4095");
    set(&p, "paths", "16384");
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK);
    CHECK(cu <= 5000);
    CHECK(K->output_size(&p) == 168);
    CHECK(K->scratch_size(&p, 0) == 0);
}

static void test_derived_constants(void)
{
    erg_kparams p;
    erg_mcoption_consts c;
    erg_err err;
    double r, sig, t, n, ln2 = log(2.0);
    erg_kparams_default(K, &p, 0);
    set(&p, "vol", "450000"); /* sigma^2/2 > r: negative drift */
    set(&p, "strike", "1234567");
    CHECK(erg_mcoption_derive(&p, &c, &err) == ERG_OK);
    r = p.v[2] * 1e-6;
    sig = p.v[3] * 1e-6;
    t = p.v[4] * 1e-6;
    n = p.v[5];
    CHECK(c.drift_neg == 1);
    CHECK(fabs(ldexp((double)c.drift_q48, -48) - (0.5 * sig * sig - r) * t / n / ln2) < 1e-14);
    CHECK(fabs(ldexp((double)c.vol_q61, -61) - sig * sqrt(t / n) / ln2) < 1e-15);
    CHECK(fabs(ldexp((double)c.strike_q32, -32) - 1.234567) < 1e-9);
    CHECK(fabs(ldexp((double)c.disc_q63, -63) - exp(-r * t)) < 1e-14);
    set(&p, "vol", "0");
    set(&p, "rate", "0");
    CHECK(erg_mcoption_derive(&p, &c, &err) == ERG_OK);
    CHECK(c.drift_q48 == 0 && c.vol_q61 == 0 && c.disc_q63 == ERG_Q63);
    set(&p, "paths", "16777216");
    CHECK(erg_mcoption_derive(&p, &c, &err) == ERG_ERR_RANGE); /* derive validates first */
}

static void test_spot_and_accumulate(void)
{
    uint64_t acc[4] = {0, 0, 0, 0}, prev = 0;
    erg_i64 x;
    CHECK(erg_mco_spot(0) == (uint64_t)1 << 32);
    CHECK(erg_mco_spot((erg_i64)1 << 48) == (uint64_t)1 << 33);
    CHECK(erg_mco_spot(-((erg_i64)1 << 48)) == (uint64_t)1 << 31);
    CHECK(erg_mco_spot((erg_i64)19 << 48) == (uint64_t)1 << 51);
    CHECK(erg_mco_spot(ERG_MCO_X_HI) < (uint64_t)1 << 52);
    CHECK(erg_mco_spot(ERG_MCO_X_HI + 12345) == erg_mco_spot(ERG_MCO_X_HI)); /* capped */
    CHECK(erg_mco_spot((erg_i64)1000 << 48) == erg_mco_spot(ERG_MCO_X_HI));
    CHECK(erg_mco_spot(ERG_MCO_X_LO) == 1); /* 2^-33 in Q32 rounds up */
    CHECK(erg_mco_spot(ERG_MCO_X_LO - 1) == 0);
    CHECK(erg_mco_spot(-((erg_i64)1000 << 48)) == 0);
    for (x = ERG_MCO_X_LO - ((erg_i64)1 << 40); x <= ERG_MCO_X_HI + ((erg_i64)1 << 40); x += (erg_i64)1 << 42) {
        uint64_t v = erg_mco_spot(x);
        CHECK(v >= prev);
        prev = v;
    }
    /* 128-bit sums: carries out of both low words. */
    erg_mco_accumulate(acc, UINT64_MAX);
    erg_mco_accumulate(acc, 1);
    CHECK(acc[0] == 0 && acc[1] == 1);
    CHECK(acc[2] == 2 && acc[3] == UINT64_MAX - 1); /* (2^64-1)^2 + 1 = 2^128 - 2^65 + 2 */
    CHECK(erg_mco_discount((uint64_t)1 << 40, ERG_Q63) == (uint64_t)1 << 40);
    CHECK(erg_mco_discount(3, ERG_Q63 / 2) == 2); /* 1.5 rounds up */
}

/* ---- mcoption: units ---- */

static void make_seed(uint8_t seed[32], uint32_t k)
{
    int i;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(k * 131u + (uint32_t)i * 29u + (k >> 8));
}

static void run_unit(const erg_kparams *p, uint32_t k, uint8_t out[ERG_MCO_OUT_SIZE])
{
    uint8_t seed[32];
    erg_err err;
    make_seed(seed, k);
    if (erg_kernel_run_ref(K, p, NULL, 0, seed, out, ERG_MCO_OUT_SIZE, &err) != ERG_OK) {
        fprintf(stderr, "run_ref: %s\n", err.reason);
        abort();
    }
}

/* Output hashes computed once by the C reference: small params under make_seed(0..2), and the
 * defaults under make_seed(1000). Every backend must reproduce them. */
static const char *const g_want_small[3] = {
    "24404efb127aef39dad826bf7de2470a61d7da93210bf15345135ed506191377",
    "07a081063d949db747b7ace80f2cd6ea1c320030f323cf78e8f300c2da06e5fe",
    "8b7db58a614a73e49a69029224eb2ac19f57a5afeb7d37e7cabe8567ad02c2d4",
};
static const char *const g_want_default = "33048a93dcd12bfb0cdaac8874d104babe6ab93e03ddeca586a647f0b262264e";

static void test_golden_small(void)
{
    const char *const *want = g_want_small;
    erg_kparams p;
    uint8_t out[ERG_MCO_OUT_SIZE], again[ERG_MCO_OUT_SIZE];
    uint32_t k;
    erg_kparams_default(K, &p, 1);
    for (k = 0; k < 3; k++) {
        run_unit(&p, k, out);
        CHECK(erg_test_golden_ok(K, &p, out, sizeof out, want[k], "ref"));
        run_unit(&p, k, again);
        CHECK(memcmp(out, again, sizeof out) == 0);
        CHECK(erg_load_u64(out) == p.v[6]);
    }
}

static void test_golden_default(void)
{
    erg_kparams p;
    uint8_t out[ERG_MCO_OUT_SIZE];
    erg_kparams_default(K, &p, 0);
    run_unit(&p, 1000, out);
    CHECK(erg_test_golden_ok(K, &p, out, sizeof out, g_want_default, "ref"));
}

static unsigned __int128 load_u128(const uint8_t *p)
{
    return (unsigned __int128)erg_load_u64(p) | (unsigned __int128)erg_load_u64(p + 8) << 64;
}

/* Corners of the valid parameter space: spot, strike, rate, vol, maturity, steps, paths. */
static const char *const g_extreme[][7] = {
    {"1", "65536", "0", "2000000", "980000", "4096", "16"},
    {"10000", "5000", "1000000", "0", "13862943", "3", "50"},
    {"1000000", "0", "0", "1000000", "3920000", "1", "2000"},
    {"1000000000", "1000000000", "120000", "800000", "2000000", "250", "200"},
    {"7", "458752", "0", "10", "1", "2", "64"},
};

static void extreme_params(erg_kparams *p, size_t i)
{
    static const char *const names[7] = {"spot", "strike", "rate", "vol", "maturity", "steps", "paths"};
    int f;
    erg_kparams_default(K, p, 1);
    for (f = 0; f < 7; f++) set(p, names[f], g_extreme[i][f]);
}

/*
 * Corners of the valid parameter space run without overflow, and put-call parity holds in the
 * integers: per path (call - put) - (discounted S_T - discounted K) is -1, 0 or 1 (three
 * roundings), so over N paths the sums differ by at most N.
 */
static void test_extreme_parity(void)
{
    const size_t nsets = sizeof g_extreme / sizeof g_extreme[0];
    size_t i;
    int f;
    for (i = 0; i < nsets; i++) {
        erg_kparams p;
        erg_mcoption_consts c;
        erg_err err;
        uint8_t out[ERG_MCO_OUT_SIZE];
        unsigned __int128 lhs, rhs, n;
        extreme_params(&p, i);
        CHECK(erg_mcoption_derive(&p, &c, &err) == ERG_OK);
        run_unit(&p, 900 + (uint32_t)i, out);
        n = erg_load_u64(out);
        CHECK(n == p.v[6]);
        lhs = load_u128(out + 8) + n * erg_mco_discount(c.strike_q32, c.disc_q63);
        rhs = load_u128(out + 8 + 32) + load_u128(out + 8 + 128);
        CHECK((lhs > rhs ? lhs - rhs : rhs - lhs) <= n);
        /* Sums of squares bound the squared sums (Cauchy-Schwarz): a cheap overflow canary. */
        for (f = 0; f < ERG_MCO_NOBS; f++) {
            long double sum = ldexpl((long double)load_u128(out + 8 + 32 * f), -32);
            long double sq = ldexpl((long double)load_u128(out + 24 + 32 * f), -64);
            CHECK(sum * sum <= sq * (long double)n * (1 + 1e-12L) + 1e-9L);
        }
    }
}

/* ---- OpenCL (PoCL here): bit-exact with the reference ---- */

static void test_opencl_bitexact(void)
{
    enum { N = 101 }; /* not a multiple of 8 */
    static uint8_t seeds[N][32], want[N][ERG_MCO_OUT_SIZE];
    const uint8_t(*cseeds)[32] = (const uint8_t(*)[32])seeds;
    erg_cl *cl = erg_test_open_cl(NULL);
    erg_kparams p;
    erg_err err;
    size_t dev, l, u;
    if (!cl) return;
    erg_kparams_default(K, &p, 1);
    for (u = 0; u < N; u++) {
        make_seed(seeds[u], 20000 + (uint32_t)u);
        run_unit(&p, 20000 + (uint32_t)u, want[u]);
    }
    for (dev = 0; dev < erg_cl_device_count(cl); dev++) {
        CHECK(erg_cl_kernel_supported(cl, dev, K, &err) == ERG_OK);
        erg_kparams_default(K, &p, 1);
        CHECK(erg_test_cl_compare(cl, dev, K, &p, NULL, 0, cseeds, N, 1, &want[0][0], "small") == 0);
        CHECK(erg_test_cl_compare(cl, dev, K, &p, NULL, 0, cseeds, N, 8, &want[0][0], "small") == 0);
        /* The corners of the parameter space, three units each, the runtime's local size. */
        for (l = 0; l < sizeof g_extreme / sizeof g_extreme[0]; l++) {
            extreme_params(&p, l);
            CHECK(erg_test_cl_compare(cl, dev, K, &p, NULL, 0, cseeds, 3, 0, NULL, "corner") == 0);
        }
    }
    erg_cl_destroy(cl);
}

static void test_opencl_golden(void)
{
    uint8_t seeds[3][32], seed_default[1][32];
    erg_cl *cl = erg_test_open_cl(NULL);
    erg_kparams p;
    size_t dev;
    uint32_t k;
    if (!cl) return;
    for (k = 0; k < 3; k++) make_seed(seeds[k], k);
    make_seed(seed_default[0], 1000);
    for (dev = 0; dev < erg_cl_device_count(cl); dev++) {
        erg_kparams_default(K, &p, 1);
        CHECK(erg_test_cl_golden(cl, dev, K, &p, NULL, 0, (const uint8_t(*)[32])seeds, 3, g_want_small) == 0);
        erg_kparams_default(K, &p, 0);
        CHECK(erg_test_cl_golden(cl, dev, K, &p, NULL, 0, (const uint8_t(*)[32])seed_default, 1,
                                 &g_want_default) == 0);
    }
    erg_cl_destroy(cl);
}

/*
 * An independent model of one unit in long double: the same Philox streams and normal variates
 * (checked above), but the path, the exponential, the average and the discounting in floating
 * point from the raw parameters. The fixed-point sums must agree to about 1e-9 relative.
 */
static void test_matches_float_model(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_MCO_OUT_SIZE];
    uint32_t words[8], path, i;
    long double sum[ERG_MCO_NOBS] = {0}, sq[ERG_MCO_NOBS] = {0};
    long double s0, k, r, sig, t, n, disc;
    int o;
    erg_kparams_default(K, &p, 1);
    set(&p, "paths", "300");
    set(&p, "vol", "900000"); /* wide spread of outcomes */
    run_unit(&p, 77, out);
    make_seed(seed, 77);
    erg_seed_words(seed, words);
    s0 = p.v[0] * 1e-4L;
    k = p.v[1] * 1e-4L;
    r = p.v[2] * 1e-6L;
    sig = p.v[3] * 1e-6L;
    t = p.v[4] * 1e-6L;
    n = p.v[5];
    disc = expl(-r * t);
    for (path = 0; path < p.v[6]; path++) {
        erg_rng rng;
        erg_i64 z[2] = {0, 0};
        long double lns = 0, spot = 1, avg = 0, v[ERG_MCO_NOBS];
        erg_rng_init(&rng, words, path);
        for (i = 0; i < p.v[5]; i++) {
            if (i % 2 == 0) {
                uint32_t w0 = erg_rng_u32(&rng), w1 = erg_rng_u32(&rng);
                erg_fx_normal_pair(w0, w1, z);
            }
            lns += (r - sig * sig / 2) * t / n + sig * sqrtl(t / n) * ldexpl((long double)z[i % 2], -32);
            spot = expl(lns);
            avg += spot / n;
        }
        v[0] = spot > k / s0 ? spot - k / s0 : 0;
        v[1] = spot < k / s0 ? k / s0 - spot : 0;
        v[2] = avg > k / s0 ? avg - k / s0 : 0;
        v[3] = avg < k / s0 ? k / s0 - avg : 0;
        v[4] = spot;
        for (o = 0; o < ERG_MCO_NOBS; o++) {
            sum[o] += disc * v[o];
            sq[o] += disc * v[o] * disc * v[o];
        }
    }
    for (o = 0; o < ERG_MCO_NOBS; o++) {
        long double got = ldexpl((long double)erg_load_u64(out + 8 + 32 * o), -32) +
                          ldexpl((long double)erg_load_u64(out + 16 + 32 * o), 32);
        long double got2 = ldexpl((long double)erg_load_u64(out + 24 + 32 * o), -64) +
                           (long double)erg_load_u64(out + 32 + 32 * o);
        CHECK(sum[o] > 1);
        CHECK(fabsl(got / sum[o] - 1) < 1e-9L);
        CHECK(fabsl(got2 / sq[o] - 1) < 1e-9L);
    }
}

/* Sum unit outputs word by word: the sums are exact integers, so units combine exactly. */
static void add_outputs(uint8_t total[ERG_MCO_OUT_SIZE], const uint8_t out[ERG_MCO_OUT_SIZE])
{
    int i;
    erg_store_u64(total, erg_load_u64(total) + erg_load_u64(out));
    for (i = 0; i < 2 * ERG_MCO_NOBS; i++) {
        uint8_t *t = total + 8 + 16 * i;
        const uint8_t *o = out + 8 + 16 * i;
        uint64_t lo = erg_load_u64(t) + erg_load_u64(o);
        uint64_t hi = erg_load_u64(t + 8) + erg_load_u64(o + 8) + (lo < erg_load_u64(o));
        erg_store_u64(t, lo);
        erg_store_u64(t + 8, hi);
    }
}

static void price_many(const erg_kparams *p, int units, uint8_t total[ERG_MCO_OUT_SIZE], erg_mcoption_stat st[])
{
    uint8_t out[ERG_MCO_OUT_SIZE];
    uint64_t paths;
    erg_err err;
    int u;
    memset(total, 0, ERG_MCO_OUT_SIZE);
    for (u = 0; u < units; u++) {
        run_unit(p, 5000 + (uint32_t)u, out);
        add_outputs(total, out);
    }
    CHECK(erg_mcoption_stats(p, total, ERG_MCO_OUT_SIZE, st, &paths, &err) == ERG_OK);
    CHECK(paths == (uint64_t)units * p->v[6]);
}

/* Geometric-average Asian call over t_i = i T / n (closed form): a lower bound for the arithmetic one. */
static double geometric_asian_call(double s0, double k, double r, double sig, double t, int n)
{
    double mu = log(s0) + (r - 0.5 * sig * sig) * t * (n + 1) / (2.0 * n);
    double v = sig * sig * t * (n + 1) * (2.0 * n + 1) / (6.0 * n * n), sd = sqrt(v);
    double d1 = (mu - log(k) + v) / sd, d2 = d1 - sd;
    return exp(-r * t) * (exp(mu + 0.5 * v) * 0.5 * erfc(-d1 / sqrt(2.0)) - k * 0.5 * erfc(-d2 / sqrt(2.0)));
}

/* e^-rT (E[A] - E[G]) for the arithmetic and geometric averages over t_i = i T / n. */
static double asian_gap_bound(double s0, double r, double sig, double t, int n)
{
    double ea = 0, mu = log(s0) + (r - 0.5 * sig * sig) * t * (n + 1) / (2.0 * n);
    double v = sig * sig * t * (n + 1) * (2.0 * n + 1) / (6.0 * n * n);
    int i;
    for (i = 1; i <= n; i++) ea += s0 * exp(r * t * i / n) / n;
    return exp(-r * t) * (ea - exp(mu + 0.5 * v));
}

static void test_black_scholes_sanity(void)
{
    erg_kparams p;
    uint8_t total[ERG_MCO_OUT_SIZE];
    erg_mcoption_stat st[ERG_MCO_NOBS];
    double call, put, geo;
    erg_buf json;
    erg_err err;

    /* S0 = K = 100, r = 5%, sigma = 20%, T = 1: BS call 10.4506, put 5.5735. One step: exact GBM. */
    erg_kparams_default(K, &p, 0);
    set(&p, "steps", "1");
    set(&p, "paths", "262144");
    price_many(&p, 4, total, st);
    erg_mcoption_black_scholes(&p, &call, &put);
    CHECK(fabs(call - 10.4506) < 1e-4 && fabs(put - 5.5735) < 1e-4); /* the textbook values */
    printf("    1 step, 2^20 paths: call %.4f +- %.4f (BS %.4f), put %.4f +- %.4f (BS %.4f), S %.4f +- %.4f\n",
           st[ERG_MCO_EURO_CALL].mean, st[ERG_MCO_EURO_CALL].se, call, st[ERG_MCO_EURO_PUT].mean,
           st[ERG_MCO_EURO_PUT].se, put, st[ERG_MCO_DISC_SPOT].mean, st[ERG_MCO_DISC_SPOT].se);
    CHECK(fabs(st[ERG_MCO_EURO_CALL].mean - call) < 4 * st[ERG_MCO_EURO_CALL].se);
    CHECK(fabs(st[ERG_MCO_EURO_PUT].mean - put) < 4 * st[ERG_MCO_EURO_PUT].se);
    CHECK(st[ERG_MCO_EURO_CALL].se < 0.02);
    /* Martingale: E[e^-rT S_T] = S0. */
    CHECK(fabs(st[ERG_MCO_DISC_SPOT].mean - 100) < 4 * st[ERG_MCO_DISC_SPOT].se);
    /* Put-call parity holds path by path: C - P = disc S_T - K e^-rT up to per-path rounding (1e-9). */
    CHECK(fabs(st[ERG_MCO_EURO_CALL].mean - st[ERG_MCO_EURO_PUT].mean -
               (st[ERG_MCO_DISC_SPOT].mean - 100 * exp(-0.05))) < 1e-8);
    CHECK(fabs(st[ERG_MCO_EURO_CALL].mean - st[ERG_MCO_EURO_PUT].mean - (call - put)) <
          4 * st[ERG_MCO_DISC_SPOT].se);
    /* With one averaging date the Asian option is the European one. */
    CHECK(memcmp(total + 8, total + 8 + 64, 64) == 0);

    /* Monthly averaging: the European price is unchanged (exact stepping), the Asian call is cheaper
     * and lies above the geometric-average call. */
    set(&p, "steps", "12");
    set(&p, "paths", "65536");
    price_many(&p, 2, total, st);
    geo = geometric_asian_call(100, 100, 0.05, 0.2, 1, 12);
    printf("    12 steps, 2^17 paths: call %.4f +- %.4f, asian call %.4f +- %.4f (geometric %.4f), asian put %.4f\n",
           st[ERG_MCO_EURO_CALL].mean, st[ERG_MCO_EURO_CALL].se, st[ERG_MCO_ASIAN_CALL].mean,
           st[ERG_MCO_ASIAN_CALL].se, geo, st[ERG_MCO_ASIAN_PUT].mean);
    CHECK(fabs(st[ERG_MCO_EURO_CALL].mean - call) < 4 * st[ERG_MCO_EURO_CALL].se);
    CHECK(fabs(st[ERG_MCO_EURO_PUT].mean - put) < 4 * st[ERG_MCO_EURO_PUT].se);
    CHECK(st[ERG_MCO_ASIAN_CALL].mean < st[ERG_MCO_EURO_CALL].mean - 10 * st[ERG_MCO_EURO_CALL].se);
    CHECK(st[ERG_MCO_ASIAN_PUT].mean < st[ERG_MCO_EURO_PUT].mean);
    /* G <= A path by path, so geo <= asian <= geo + e^-rT (E[A] - E[G]), both expectations closed form. */
    CHECK(st[ERG_MCO_ASIAN_CALL].mean > geo - 4 * st[ERG_MCO_ASIAN_CALL].se);
    CHECK(st[ERG_MCO_ASIAN_CALL].mean < geo + asian_gap_bound(100, 0.05, 0.2, 1, 12) + 4 * st[ERG_MCO_ASIAN_CALL].se);

    /* Another regime: out-of-the-money put, high volatility, half a year, odd step count. */
    erg_kparams_default(K, &p, 0);
    set(&p, "spot", "523400");   /* 52.34 */
    set(&p, "strike", "450000"); /* 45.00 */
    set(&p, "rate", "20000");
    set(&p, "vol", "550000");
    set(&p, "maturity", "500000");
    set(&p, "steps", "7");
    set(&p, "paths", "131072");
    price_many(&p, 2, total, st);
    erg_mcoption_black_scholes(&p, &call, &put);
    printf("    OTM put regime: call %.4f +- %.4f (BS %.4f), put %.4f +- %.4f (BS %.4f)\n", st[ERG_MCO_EURO_CALL].mean,
           st[ERG_MCO_EURO_CALL].se, call, st[ERG_MCO_EURO_PUT].mean, st[ERG_MCO_EURO_PUT].se, put);
    CHECK(fabs(st[ERG_MCO_EURO_CALL].mean - call) < 4 * st[ERG_MCO_EURO_CALL].se);
    CHECK(fabs(st[ERG_MCO_EURO_PUT].mean - put) < 4 * st[ERG_MCO_EURO_PUT].se);
    CHECK(fabs(st[ERG_MCO_DISC_SPOT].mean - 52.34) < 4 * st[ERG_MCO_DISC_SPOT].se);

    /* describe reports the same numbers as JSON. */
    erg_buf_init(&json);
    CHECK(K->describe(&p, total, sizeof total, &json, &err) == ERG_OK);
    erg_buf_put_u8(&json, 0);
    CHECK(erg_buf_status(&json, &err) == ERG_OK);
    CHECK(strstr((const char *)json.data, "\"paths\":262144,\"steps\":7,\"european_call\":{\"price\":") != NULL);
    CHECK(strstr((const char *)json.data, "\"discounted_spot\":{\"mean\":") != NULL);
    CHECK(strstr((const char *)json.data, "\"black_scholes_put\":") != NULL);
    erg_buf_free(&json);
    CHECK(K->describe(&p, total, sizeof total - 1, &json, &err) == ERG_ERR_ARG);
    erg_buf_free(&json);
}

ERG_TESTS("mcoption", T(test_mulhi_and_shifts), T(test_isqrt_exact), T(test_sqrt_hi_accuracy),
          T(test_exp2_frac_accuracy), T(test_exp_neg), T(test_ln_table), T(test_ln_accuracy), T(test_sincos),
          T(test_normal_pair), T(test_validation), T(test_ops_and_cu), T(test_derived_constants),
          T(test_spot_and_accumulate), T(test_golden_small), T(test_golden_default), T(test_matches_float_model), T(test_extreme_parity),
          T(test_black_scholes_sanity), T(test_opencl_bitexact), T(test_opencl_golden))
