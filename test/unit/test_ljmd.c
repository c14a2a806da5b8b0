/* Unit tests for kernels/ljmd: validation, fixed-point arithmetic, physics sanity, golden hashes, PoCL = C. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ljmd.h"
#include "kernels/opencl.h"
#include "kernels/philox.h"
#include "kernels/ljmd_shared.h"
#include "src/util/buffer.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_testutil.h"

#define K (&erg_kernel_ljmd)
#define TWO32 4294967296.0

static void make_seed(uint32_t u, uint8_t seed[32])
{
    int i;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(u * 151u + (uint32_t)i * 37u + (u >> 8) * 11u + 5u);
}

static erg_code run(const erg_kparams *p, const uint8_t seed[32], uint8_t *out)
{
    erg_err err;
    erg_code rc = erg_kernel_run_ref(K, p, NULL, 0, seed, out, K->output_size(p), &err);
    if (rc) printf("    run_ref: %s\n", err.reason);
    return rc;
}

static double fx(const uint8_t *out, size_t off)
{
    return (double)(int64_t)erg_load_u64(out + off) / TWO32;
}

static void derive(const erg_kparams *p, erg_ljmd_consts *c)
{
    uint32_t d[ERG_KDERIVED_MAX];
    erg_err err;
    int k;
    uint64_t *f[] = {&c->l_q32, &c->l2c, &c->rc2, &c->rc2box, &c->ushift, &c->kick, &c->drift, &c->ke2_target,
                     &c->press};
    memset(d, 0, sizeof d);
    CHECK(K->derive(p, NULL, 0, d, &err) == ERG_OK);
    for (k = 0; k < 9; k++) *f[k] = (uint64_t)d[2 * k] | (uint64_t)d[2 * k + 1] << 32;
    for (k = ERG_LJMD_NDERIVED; k < ERG_KDERIVED_MAX; k++) CHECK(d[k] == 0);
}

static void test_descriptor_and_validation(void)
{
    erg_kparams p, before;
    erg_err err;
    uint64_t cu;
    uint8_t one = 0;
    CHECK(strcmp(K->name, "ljmd") == 0 && strcmp(K->field, "chemistry") == 0);
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK && cu > 0);
    CHECK(K->scratch_size(&p, 0) % 8 == 0);
    CHECK(K->output_size(&p) == ERG_LJMD_OFF_HIST + 8 * (size_t)p.v[ERG_LJMD_P_BINS]);
    erg_kparams_default(K, &p, 1);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);

    /* The default cutoff 2.5 does not fit in the 32-particle box at rho = 0.8 (L/2 = 1.71). */
    erg_test_set_u32(K, &p, "cutoff", 2500000);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE && strstr(err.reason, "half the box"));
    erg_test_set_u32(K, &p, "cutoff", 1700000);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    erg_test_set_u32(K, &p, "cutoff", 1710000); /* L/2 = 1.70998 */
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "sample", 61);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE && strstr(err.reason, "no sample"));
    erg_kparams_default(K, &p, 0);
    erg_test_set_u32(K, &p, "cells", 5);
    erg_test_set_u32(K, &p, "steps", 100000);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE && strstr(err.reason, "per-unit limit"));
    CHECK(K->ops(&p, 0) > ERG_LJMD_MAX_OPS);

    /* Field ranges and input rules, and a rejected set leaves the params as they were. */
    erg_kparams_default(K, &p, 0);
    before = p;
    CHECK(erg_kparams_set(K, &p, "cells", "6", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "density", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "bins", "1025", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "sigma", "1", &err) == ERG_ERR_NOTFOUND);
    CHECK(memcmp(&p, &before, sizeof p) == 0);
    CHECK(erg_kparams_validate(K, &p, &one, 1, &err) == ERG_ERR_ARG);
    p.v[ERG_LJMD_P_DT] = 0;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
}

static void test_cost_model(void)
{
    erg_kparams p, q;
    erg_err err;
    uint64_t pairs = 256 * 255 / 2, inside, cu;
    erg_kparams_default(K, &p, 0);
    /* Expected pairs inside r_c = 2.5 at rho = 0.8: pairs * (4/3) pi 2.5^3 * 0.8 / 256. */
    inside = (uint64_t)(pairs * (4.0 / 3.0) * (355.0 / 113.0) * 15.625 * 0.8 / 256.0);
    CHECK(K->ops(&p, 0) == (1 + 1000 + 4000) * (2 * pairs + 13 * inside) + 400 * pairs);
    /* A longer cutoff costs more per step; more samples cost more; more particles cost more. */
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK && cu == 1000);
    erg_kparams_default(K, &q, 1);
    CHECK(erg_kernel_cu(K, &q, 0, &cu, &err) == ERG_OK && cu == 1);
    q = p;
    erg_test_set_u32(K, &q, "cutoff", 3000000);
    CHECK(K->ops(&q, 0) > K->ops(&p, 0));
    q = p;
    erg_test_set_u32(K, &q, "sample", 1);
    CHECK(K->ops(&q, 0) > K->ops(&p, 0));
    q = p;
    erg_test_set_u32(K, &q, "cells", 5);
    CHECK(K->ops(&q, 0) > K->ops(&p, 0));
}

static void test_derived_constants(void)
{
    erg_kparams p;
    erg_ljmd_consts c;
    unsigned __int128 l, v;
    uint64_t u, w, fr;
    double rc6;
    erg_kparams_default(K, &p, 0);
    derive(&p, &c);
    /* L_Q32 is the floor of (N / rho)^(1/3) * 2^32: N / rho = 320. */
    l = c.l_q32;
    v = (unsigned __int128)320 << 96;
    CHECK(l * l * l <= v && (l + 1) * (l + 1) * (l + 1) > v);
    CHECK(fabs(c.l_q32 / TWO32 - cbrt(320.0)) < 1e-9);
    /* rc2box is exactly the first box-unit r^2 at or beyond the cutoff. */
    CHECK(c.rc2 == (uint64_t)(6.25 * TWO32));
    CHECK(erg_ljmd_r2(&c, c.rc2box - 1) < c.rc2 && erg_ljmd_r2(&c, c.rc2box) >= c.rc2);
    rc6 = 1.0 / (6.25 * 6.25 * 6.25);
    CHECK(fabs((double)(int64_t)c.ushift / TWO32 - 4 * (rc6 * rc6 - rc6)) < 1e-8);
    CHECK(fabs(c.kick / 281474976710656.0 - 0.0025) < 1e-12);
    CHECK(fabs(c.drift / 72057594037927936.0 - 0.005 / cbrt(320.0)) < 1e-12);
    CHECK(c.ke2_target == (uint64_t)(765.0 * TWO32));
    CHECK(fabs(c.press / 18446744073709551616.0 - 1.0 / 960.0) < 1e-12);
    erg_ljmd_lj(c.rc2, &u, &w, &fr);
    CHECK(u == c.ushift);
}

/* 64-bit words from Philox, for randomised helper checks. */
static uint64_t rnd64(erg_rng *r)
{
    uint64_t hi = erg_rng_u32(r);
    return hi << 32 | erg_rng_u32(r);
}

static void test_fixed_point_helpers(void)
{
    static const uint32_t seed[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint64_t roots[] = {0, 1, 2, 3, 4, 15, 16, 17, 0xFFFFFFFFull, 0x100000000ull,
                                     0xFFFFFFFE00000001ull, 0xFFFFFFFFFFFFFFFFull};
    erg_rng r;
    int i;
    erg_rng_init(&r, seed, 0);
    for (i = 0; i < (int)(sizeof roots / sizeof roots[0]); i++) {
        unsigned __int128 x = erg_ljmd_isqrt(roots[i]);
        CHECK(x * x <= roots[i] && (x + 1) * (x + 1) > roots[i]);
    }
    for (i = 0; i < 20000; i++) {
        uint64_t a = rnd64(&r), b = rnd64(&r) >> (i % 64), d = rnd64(&r) >> (i % 63), hi = a % (d ? d : 1), lo = b;
        unsigned __int128 x = (unsigned __int128)a * b, q, s;
        uint64_t sa = erg_ljmd_smulshr(a >> 1, b >> 40, 32), sb = erg_ljmd_smulshr(erg_ljmd_neg(a >> 1), b >> 40, 32);
        int k = 1 + i % 63;
        uint32_t nb = 8 + (uint32_t)(i % 1017), bin;
        uint64_t r2box = rnd64(&r) >> (2 + i % 40);
        /* mulshr: exact whenever the result fits. */
        if ((x >> k) >> 64 == 0) CHECK(erg_ljmd_mulshr(a, b, k) == (uint64_t)(x >> k));
        /* Signed products are odd-symmetric (truncation toward zero). */
        CHECK(sb == erg_ljmd_neg(sa));
        if (d) {
            q = (((unsigned __int128)hi << 64) | lo) / d;
            CHECK(erg_ljmd_div128(hi, lo, d) == (uint64_t)q);
        }
        s = erg_ljmd_isqrt(a);
        CHECK(s * s <= a && (s + 1) * (s + 1) > a);
        /* bin = floor(nb * r / (L/2)): b^2 2^62 <= r2box nb^2 < (b+1)^2 2^62. */
        bin = erg_ljmd_bin(r2box, nb);
        CHECK(bin < nb);
        x = (unsigned __int128)r2box * nb * nb;
        CHECK(((unsigned __int128)bin * bin << 62) <= x && ((unsigned __int128)(bin + 1) * (bin + 1) << 62) > x);
    }
    CHECK(erg_ljmd_div128(5, 0, 5) == ~(uint64_t)0);
    CHECK(erg_ljmd_sdiv(erg_ljmd_neg(7), 2) == erg_ljmd_neg(3));
    CHECK(erg_ljmd_bin((uint64_t)1 << 62, 100) == 100 && erg_ljmd_bin(((uint64_t)1 << 62) - 1, 1024) == 1023);
    CHECK(erg_ljmd_bin(0, 1024) == 0);
}

static void test_pair_terms_match_double(void)
{
    erg_kparams p;
    erg_ljmd_consts c;
    double r, l;
    erg_kparams_default(K, &p, 0);
    derive(&p, &c);
    l = c.l_q32 / TWO32;
    for (r = 0.80; r < 2.49; r += 0.0137) {
        /* A pair displaced along (2, -1, 2)/3 by r, in box units; then the mirror image. */
        double s6, ue, fe, ra, scale;
        uint32_t d[3], m[3];
        uint64_t f[3], g[3], u, w, u2, w2, r2b;
        uint32_t cl = 0, cl2 = 0;
        int a;
        d[0] = (uint32_t)(int64_t)llround(2.0 / 3.0 * r / l * TWO32);
        d[1] = (uint32_t)(int64_t)llround(-1.0 / 3.0 * r / l * TWO32);
        d[2] = d[0];
        for (a = 0; a < 3; a++) m[a] = 0u - d[a];
        r2b = erg_ljmd_r2box(d[0], d[1], d[2]);
        CHECK(r2b == erg_ljmd_r2box(m[0], m[1], m[2]));
        CHECK(erg_ljmd_pair(&c, r2b, d[0], d[1], d[2], &f[0], &f[1], &f[2], &u, &w, &cl) == 1);
        CHECK(erg_ljmd_pair(&c, r2b, m[0], m[1], m[2], &g[0], &g[1], &g[2], &u2, &w2, &cl2) == 1);
        CHECK(u == u2 && w == w2 && cl == 0 && cl2 == 0);
        for (a = 0; a < 3; a++) CHECK(g[a] == erg_ljmd_neg(f[a]));
        /* The double-precision reference at the exact distance the integer displacement encodes. */
        ra = sqrt((double)r2b) * l / TWO32;
        s6 = 1.0 / (ra * ra * ra * ra * ra * ra);
        ue = 4 * (s6 * s6 - s6) - (double)(int64_t)c.ushift / TWO32;
        fe = 24 * (2 * s6 * s6 - s6) / (ra * ra); /* force over distance */
        /* Tolerances scale with the terms that cancel near the potential minimum. */
        scale = 1 + 48 * s6 * s6 + 24 * s6;
        CHECK(fabs((double)(int64_t)u / TWO32 - ue) < 1e-8 * scale);
        CHECK(fabs((double)(int64_t)w / TWO32 - fe * ra * ra) < 1e-8 * scale);
        for (a = 0; a < 3; a++) {
            double da = (double)(int32_t)d[a] * l / TWO32;
            CHECK(fabs((double)(int64_t)f[a] / TWO32 - fe * da) < 1e-8 * scale / ra);
        }
    }
    /* Beyond the cutoff nothing interacts; far inside the core the distance is floored. */
    {
        uint64_t f0, f1, f2, u, w;
        uint32_t cl = 0, big = (uint32_t)(2.6 / l * TWO32), tiny = (uint32_t)(0.3 / l * TWO32);
        CHECK(erg_ljmd_pair(&c, erg_ljmd_r2box(big, 0, 0), big, 0, 0, &f0, &f1, &f2, &u, &w, &cl) == 0);
        CHECK(erg_ljmd_pair(&c, erg_ljmd_r2box(tiny, 0, 0), tiny, 0, 0, &f0, &f1, &f2, &u, &w, &cl) == 1);
        CHECK(cl == 1 && f0 < ((uint64_t)1 << 63) && f1 == 0 && f2 == 0); /* repulsive, along x */
    }
}

/* Truncated and shifted LJ energy of the FCC start, in double, as an independent check. */
static double fcc_energy(uint32_t cells, double l, double rc)
{
    uint32_t n = 4 * cells * cells * cells, i, j;
    double e = 0, rc6 = 1.0 / (rc * rc * rc * rc * rc * rc), shift = 4 * (rc6 * rc6 - rc6);
    double *x = malloc(3 * n * sizeof *x);
    if (!x) return NAN;
    for (i = 0; i < n; i++) {
        uint32_t b = i & 3, cell = i >> 2;
        double half[3] = {b == 1 || b == 2, b == 1 || b == 3, b == 2 || b == 3};
        double cx[3] = {cell / (cells * cells), (cell / cells) % cells, cell % cells};
        int a;
        for (a = 0; a < 3; a++) x[3 * i + a] = (2 * cx[a] + half[a]) * l / (2 * cells);
    }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            double r2 = 0, s6;
            int a;
            for (a = 0; a < 3; a++) {
                double d = x[3 * i + a] - x[3 * j + a];
                d -= l * round(d / l);
                r2 += d * d;
            }
            if (r2 >= rc * rc) continue;
            s6 = 1.0 / (r2 * r2 * r2);
            e += 4 * (s6 * s6 - s6) - shift;
        }
    free(x);
    return e;
}

static void test_initial_state(void)
{
    erg_kparams p;
    uint8_t seed[32], *out;
    uint32_t n;
    double l, e0, want;
    erg_kparams_default(K, &p, 0);
    erg_test_set_u32(K, &p, "cells", 3);
    erg_test_set_u32(K, &p, "equil", 0);
    erg_test_set_u32(K, &p, "steps", 1);
    erg_test_set_u32(K, &p, "sample", 1);
    erg_test_set_u32(K, &p, "temperature", 1500000);
    out = malloc(K->output_size(&p));
    CHECK(out != NULL);
    if (!out) return;
    make_seed(7, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    n = erg_load_u32(out + ERG_LJMD_OFF_N);
    CHECK(n == 108 && erg_load_u32(out + ERG_LJMD_OFF_SAMPLES) == 1 && erg_load_u32(out + ERG_LJMD_OFF_EVENTS) == 0);
    l = erg_load_u64(out + ERG_LJMD_OFF_BOX) / TWO32;
    CHECK(fabs(l - cbrt(108 / 0.8)) < 1e-9);
    /* E0 = kinetic energy at exactly T (3(N-1)/2 T, momentum removed) + the lattice energy. */
    e0 = fx(out, ERG_LJMD_OFF_E0);
    want = 1.5 * (n - 1) * 1.5 + fcc_energy(3, l, 2.5);
    CHECK(fabs(e0 - want) / n < 1e-6);
    /* The lattice is the potential minimum: its energy per particle is near -6 at rho = 0.8. */
    CHECK(fcc_energy(3, l, 2.5) / n < -5.5 && fcc_energy(3, l, 2.5) / n > -6.5);
    free(out);
}

static void test_seed_binding(void)
{
    erg_kparams p;
    uint8_t seed[32], a[ERG_LJMD_OFF_HIST + 8 * 32], b[sizeof a];
    erg_kparams_default(K, &p, 1);
    CHECK(K->output_size(&p) == sizeof a);
    make_seed(1, seed);
    CHECK(run(&p, seed, a) == ERG_OK);
    CHECK(run(&p, seed, b) == ERG_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    seed[31] ^= 0x80; /* every seed word reaches the key or the counter */
    CHECK(run(&p, seed, b) == ERG_OK);
    CHECK(memcmp(a + ERG_LJMD_OFF_KE, b + ERG_LJMD_OFF_KE, 8) != 0);
    CHECK(memcmp(a + ERG_LJMD_OFF_HIST, b + ERG_LJMD_OFF_HIST, 8 * 32) != 0);
    /* Same lattice and temperature: only the velocities differ, so the header matches. */
    CHECK(memcmp(a, b, ERG_LJMD_OFF_KE) == 0);
}

/* One liquid run at rho = 0.8, T = 1.0 (N = 108, r_c = 2.5); fills drift, max deviation and output. */
static void liquid(uint32_t seed_no, uint32_t dt, uint8_t *out, double *drift, double *dev)
{
    erg_kparams p;
    uint8_t seed[32];
    erg_kparams_default(K, &p, 0);
    erg_test_set_u32(K, &p, "cells", 3);
    erg_test_set_u32(K, &p, "dt", dt);
    erg_test_set_u32(K, &p, "equil", 400);
    erg_test_set_u32(K, &p, "steps", 1200);
    erg_test_set_u32(K, &p, "bins", 100);
    make_seed(seed_no, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    CHECK(erg_load_u32(out + ERG_LJMD_OFF_EVENTS) == 0);
    *drift = fabs(fx(out, ERG_LJMD_OFF_E1) - fx(out, ERG_LJMD_OFF_E0)) / 108;
    *dev = (double)erg_load_u64(out + ERG_LJMD_OFF_EDEV) / TWO32 / 108;
}

static void test_liquid_energy_and_rdf(void)
{
    uint8_t out[ERG_LJMD_OFF_HIST + 8 * 100];
    uint32_t s, k, peak;
    double drift, dev, dev_fine, dev_coarse, l, dr, pairs = 108.0 * 107 / 2, tail;
    for (s = 1; s <= 3; s++) {
        double g[100], best = 0, ns;
        liquid(s, 5000, out, &drift, &dev);
        /* Velocity Verlet at dt = 0.005: energy wanders by ~1e-3 per particle (see the doc). */
        CHECK(drift < 5e-3 && dev < 5e-3);
        if (drift >= 5e-3 || dev >= 5e-3) printf("    seed %u: drift %.3g dev %.3g per particle\n", s, drift, dev);
        /* Averages near the known state point (truncated and shifted LJ, r_c = 2.5). */
        CHECK(fx(out, ERG_LJMD_OFF_PE) / 108 > -5.0 && fx(out, ERG_LJMD_OFF_PE) / 108 < -4.4);
        CHECK(2 * fx(out, ERG_LJMD_OFF_KE) / (3 * 107) > 0.85 && 2 * fx(out, ERG_LJMD_OFF_KE) / (3 * 107) < 1.15);
        CHECK(fx(out, ERG_LJMD_OFF_PRESS) > 0.8 && fx(out, ERG_LJMD_OFF_PRESS) < 2.6);
        /* g(r): empty core, first peak near 1.1 sigma (the FCC start had it at 1.21), then ~1. */
        l = erg_load_u64(out + ERG_LJMD_OFF_BOX) / TWO32;
        dr = l / 2 / 100;
        ns = erg_load_u32(out + ERG_LJMD_OFF_SAMPLES);
        CHECK(ns == 120);
        peak = 0;
        tail = 0;
        for (k = 0; k < 100; k++) {
            double shell = 4.0 / 3.0 * M_PI * (3.0 * k * k + 3.0 * k + 1) * dr * dr * dr;
            g[k] = erg_load_u64(out + ERG_LJMD_OFF_HIST + 8 * (size_t)k) / (ns * pairs * shell / (l * l * l));
            if (g[k] > best) {
                best = g[k];
                peak = k;
            }
            if (k >= 75) tail += g[k] / 25;
        }
        for (k = 0; (k + 1) * dr < 0.85; k++) CHECK(g[k] == 0);
        CHECK((peak + 0.5) * dr > 1.0 && (peak + 0.5) * dr < 1.17);
        CHECK(best > 2.0 && best < 3.5);
        CHECK(tail > 0.85 && tail < 1.15);
    }
    /* Second order: four times the step gives about sixteen times the energy wandering. */
    liquid(4, 2500, out, &drift, &dev_fine);
    liquid(4, 10000, out, &drift, &dev_coarse);
    CHECK(dev_coarse > 4 * dev_fine);
}

/* Extreme parameters still run, deterministically, and report clamps and caps as events. */
static void test_extremes_are_flagged(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_LJMD_OFF_HIST + 8 * 8];
    erg_kparams_default(K, &p, 1);
    erg_test_set_u32(K, &p, "density", 1200000);
    erg_test_set_u32(K, &p, "temperature", 5000000);
    erg_test_set_u32(K, &p, "dt", 20000);
    erg_test_set_u32(K, &p, "cutoff", 1400000);
    erg_test_set_u32(K, &p, "bins", 8);
    make_seed(3, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    CHECK(erg_load_u32(out + ERG_LJMD_OFF_EVENTS) > 0);
}

static void test_describe(void)
{
    erg_kparams p;
    uint8_t seed[32], out[ERG_LJMD_OFF_HIST + 8 * 32];
    erg_buf j;
    erg_err err;
    erg_kparams_default(K, &p, 1);
    make_seed(2, seed);
    CHECK(run(&p, seed, out) == ERG_OK);
    erg_buf_init(&j);
    CHECK(K->describe(&p, out, sizeof out, &j, &err) == ERG_OK);
    CHECK(j.len > 2 && j.data[0] == '{' && j.data[j.len - 1] == '}');
    erg_buf_put_u8(&j, 0);
    CHECK(strstr((char *)j.data, "\"temperature\":") && strstr((char *)j.data, "\"pressure\":") &&
          strstr((char *)j.data, "\"rdf_g\":[") && strstr((char *)j.data, "\"drift_per_particle\":"));
    erg_buf_free(&j);
    erg_buf_init(&j);
    CHECK(K->describe(&p, out, sizeof out - 1, &j, &err) == ERG_ERR_ARG);
    out[ERG_LJMD_OFF_N] ^= 1;
    CHECK(K->describe(&p, out, sizeof out, &j, &err) == ERG_ERR_PARSE);
    erg_buf_free(&j);
}

/* ---- golden hashes (computed once by the C reference) and every OpenCL device ---- */

typedef struct golden {
    int small;       /* 1: small params, 0: defaults */
    uint32_t seed;   /* make_seed number */
    const char *hex; /* erg_kernel_output_hash */
} golden;

static const golden g_golden[] = {
    {1, 1, "e5d03e1dcbdccb86aa0406920010a320d66abd4d1e722b65e5d49dcc554e5957"},
    {1, 2, "cb36371e46aca6a19bc4507a67644083cc0faaf82df2cd2407c2c413bcfcffb7"},
    {1, 3, "8f8c7afc098420d7729287cb1ce53470f617f721a969eb7af295f1b22672b57a"},
    {0, 1, "640023c31ddebf5db7e6eec486f0abc3909b21b3db528a1a27f63e77ac6e6d18"},
};

static void test_golden_ref(void)
{
    size_t i;
    for (i = 0; i < sizeof g_golden / sizeof g_golden[0]; i++) {
        erg_kparams p;
        uint8_t seed[32], *out;
        erg_kparams_default(K, &p, g_golden[i].small);
        out = malloc(K->output_size(&p));
        CHECK(out != NULL);
        if (!out) return;
        make_seed(g_golden[i].seed, seed);
        CHECK(run(&p, seed, out) == ERG_OK);
        CHECK(erg_test_golden_ok(K, &p, out, K->output_size(&p), g_golden[i].hex, "ref"));
        free(out);
    }
}

/* 101 seeds of the small params at local sizes 1 and 8, then 5 of each other shape (sizes, phases, extremes). */
static void test_opencl_matches_ref(void)
{
    static const uint32_t shapes[][9] = {
        /* cells, density, temperature, dt, cutoff, equil, steps, sample, bins */
        {3, 800000, 1000000, 5000, 2500000, 7, 5, 1, 1024},     /* every step sampled, fine bins */
        {2, 50000, 300000, 10000, 4000000, 0, 9, 3, 8},         /* dilute gas, no equilibration */
        {2, 1200000, 5000000, 20000, 1400000, 10, 10, 5, 16},   /* dense, hot, coarse: clamps */
        {4, 1000000, 700000, 2000, 1100000, 3, 4, 2, 64},       /* short cutoff */
    };
    erg_cl *cl = erg_test_open_cl(NULL);
    if (!cl) return;
    CHECK(erg_test_cl_sweep(cl, K, make_seed, 1000, &shapes[0][0], sizeof shapes / sizeof shapes[0], 9, 2000, 5) == 0);
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
            erg_kparams_default(K, &p, g_golden[i].small);
            make_seed(g_golden[i].seed, seed[0]);
            CHECK(erg_test_cl_golden(cl, dev, K, &p, NULL, 0, (const uint8_t(*)[32])seed, 1,
                                     &g_golden[i].hex) == 0);
        }
    }
    erg_cl_destroy(cl);
}

ERG_TESTS("ljmd", T(test_descriptor_and_validation), T(test_cost_model), T(test_derived_constants),
          T(test_fixed_point_helpers), T(test_pair_terms_match_double), T(test_initial_state), T(test_seed_binding),
          T(test_liquid_energy_and_rdf), T(test_extremes_are_flagged), T(test_describe), T(test_golden_ref),
          T(test_opencl_matches_ref), T(test_golden_opencl))
