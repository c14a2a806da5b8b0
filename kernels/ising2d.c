/* 2D Ising model, Metropolis checkerboard Monte Carlo: descriptor, validator, thresholds and C reference. */
#include "kernels/ising2d.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/philox.h"
#include "kernels/ising2d_shared.h"
#include "src/util/buffer.h"

extern const char erg_cl_ising2d[];
extern const char erg_cl_ising2d_shared_h[];

static const erg_kparam_field ising2d_fields[] = {
    {"size", "lattice side L in spins (even; periodic L x L square lattice)", 4, 1024, 64, 16},
    {"therm_sweeps", "thermalisation sweeps before measuring (not recorded)", 0, 1000000, 5000, 50},
    {"measure_sweeps", "measurement sweeps (one sample of E and M after each)", 1, 1000000, 30000, 100},
    {"beta_micro", "inverse temperature beta * 10^6 (J = k_B = 1; 440687 is near critical)", 1, 10000000, 440687,
     440687},
    {"start", "initial lattice: 0 = cold (all spins up), 1 = hot (independent random spins)", 0, 1, 1, 1},
};

/* ---- Thresholds: exp(-x) in exact integer arithmetic (Q62 fixed point, 1.0 = 2^62) ---- */

#define ISING_Q62_ONE ((uint64_t)1 << 62)
#define ISING_MICRO 1000000u

/* floor(a * b / 2^62) for a, b <= 2^62, from 32-bit limbs. */
static uint64_t ising2d_q62_mul(uint64_t a, uint64_t b)
{
    uint64_t ah = a >> 32, al = a & 0xffffffffu, bh = b >> 32, bl = b & 0xffffffffu;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t lo = (mid << 32) | (ll & 0xffffffffu);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (hi << 2) | (lo >> 62); /* hi < 2^60 because a, b <= 2^62 */
}

/* floor(t * r / d) exactly, for t <= 2^62, r <= d < 2^31 (so the result is <= t). */
static uint64_t ising2d_muldiv(uint64_t t, uint64_t r, uint64_t d)
{
    uint64_t hi = (t >> 32) * r, lo = (t & 0xffffffffu) * r; /* t*r = hi*2^32 + lo */
    uint64_t q1 = hi / d, r1 = hi % d;
    uint64_t q2 = ((r1 << 32) + lo) / d; /* r1 < 2^31, lo < 2^63: no overflow */
    return (q1 << 32) + q2;
}

/*
 * exp(-r / 10^6) in Q62 for 0 <= r <= 10^6 by its Taylor series. The terms t_k =
 * t_{k-1} * r / (k * 10^6) are exact floors and shrink monotonically, so every partial sum of
 * the alternating series stays in [0, 1] and unsigned arithmetic suffices. Against exact
 * decimal exp the whole threshold computation stayed within 3.4 units of 2^-62 (see
 * doc/kernels/ising2d.md), so the 32-bit threshold is the exact floor but for arguments whose
 * scaled value lies within 2^-28 of an integer.
 */
static uint64_t ising2d_exp_neg_frac(uint32_t r)
{
    uint64_t sum = ISING_Q62_ONE, t = ISING_Q62_ONE;
    uint32_t k;
    for (k = 1; k < 64 && t != 0; k++) {
        t = ising2d_muldiv(t, r, (uint64_t)k * ISING_MICRO);
        if (k & 1)
            sum -= t;
        else
            sum += t;
    }
    return sum;
}

/* floor(exp(-x_micro / 10^6) * 2^32) for 1 <= x_micro <= 10^8: exp(-1)^q * exp(-frac). */
static uint32_t ising2d_threshold(uint64_t x_micro)
{
    uint64_t q = x_micro / ISING_MICRO, v = ising2d_exp_neg_frac((uint32_t)(x_micro % ISING_MICRO));
    uint64_t e1 = ising2d_exp_neg_frac(ISING_MICRO);
    while (q-- > 0 && v != 0) v = ising2d_q62_mul(v, e1);
    /* x_micro >= 1 makes v < 2^62, so the threshold fits 32 bits. */
    return (uint32_t)(v >> 30);
}

static erg_code ising2d_derive(const erg_kparams *p, const uint8_t *input, size_t input_len,
                               uint32_t derived[ERG_KDERIVED_MAX], erg_err *err)
{
    uint64_t b = p->v[ERG_ISING_P_BETA];
    (void)input;
    (void)input_len;
    if (b == 0) return erg_err_set(err, ERG_ERR_RANGE, "ising2d: beta_micro must be at least 1");
    derived[0] = ising2d_threshold(4 * b);
    derived[1] = ising2d_threshold(8 * b);
    return ERG_OK;
}

/* ---- Descriptor callbacks ---- */

static uint64_t ising2d_ops(const erg_kparams *p, size_t input_len)
{
    uint64_t n = (uint64_t)p->v[ERG_ISING_P_SIZE] * p->v[ERG_ISING_P_SIZE];
    (void)input_len;
    /* Field maxima bound this by 2^20 * 2^21: no overflow. */
    return n * ((uint64_t)p->v[ERG_ISING_P_THERM] + p->v[ERG_ISING_P_MEASURE]);
}

static erg_code ising2d_validate(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err)
{
    uint32_t L = p->v[ERG_ISING_P_SIZE];
    uint64_t ops = ising2d_ops(p, input_len);
    (void)input;
    if (L & 1) return erg_err_set(err, ERG_ERR_RANGE, "ising2d.size: %u is odd (the checkerboard needs even L)", L);
    if (ops > ERG_ISING_MAX_OPS)
        return erg_err_set(err, ERG_ERR_RANGE,
                           "ising2d: size^2 * (therm_sweeps + measure_sweeps) = %llu spin-flip attempts exceeds "
                           "the per-unit limit %llu",
                           (unsigned long long)ops, (unsigned long long)ERG_ISING_MAX_OPS);
    return ERG_OK;
}

static size_t ising2d_output_size(const erg_kparams *p)
{
    (void)p;
    return ERG_ISING_OUT_SIZE;
}

static size_t ising2d_scratch_size(const erg_kparams *p, size_t input_len)
{
    (void)input_len;
    return (size_t)p->v[ERG_ISING_P_SIZE] * p->v[ERG_ISING_P_SIZE]; /* one byte (0 down, 1 up) per spin */
}

/* ---- C reference ---- */

/*
 * The lattice while a unit runs. Invariants: spin holds L*L bytes in row-major order, each
 * 0 (down) or 1 (up); e and m always equal the energy -sum_<ij> s_i s_j (each bond once) and
 * the magnetisation sum_i s_i of that lattice with s = 2*spin - 1.
 */
typedef struct ising2d_lattice {
    uint8_t *spin;
    uint32_t L;
    int64_t e;
    int64_t m;
} ising2d_lattice;

/* Energy and magnetisation recomputed from scratch (bonds to the right and below, once each). */
static void ising2d_measure_full(const ising2d_lattice *lat, int64_t *e, int64_t *m)
{
    uint32_t L = lat->L, x, y;
    int64_t ee = 0, mm = 0;
    for (y = 0; y < L; y++) {
        const uint8_t *row = lat->spin + (size_t)y * L;
        const uint8_t *below = lat->spin + (size_t)(y + 1 == L ? 0 : y + 1) * L;
        for (x = 0; x < L; x++) {
            uint8_t s = row[x];
            ee += (s == row[x + 1 == L ? 0 : x + 1]) ? -1 : 1;
            ee += (s == below[x]) ? -1 : 1;
            mm += s ? 1 : -1;
        }
    }
    *e = ee;
    *m = mm;
}

/*
 * One Metropolis pass over the sites with (x + y) % 2 == parity. A flip with `aligned`
 * neighbours equal to the spin changes the energy by dE = 4*aligned - 8; it is accepted iff
 * the site's Philox word is below thr[aligned], where thr is 2^32 (always) for dE <= 0 and
 * floor(exp(-beta*dE) * 2^32) otherwise. The loop has no data-dependent branch: at high
 * temperature acceptance is a coin flip the branch predictor cannot learn. Returns the number
 * of accepted flips.
 */
static uint64_t ising2d_half_sweep(ising2d_lattice *lat, const uint32_t seed[8], uint32_t block, uint32_t parity,
                                   const uint64_t thr[5])
{
    uint32_t L = lat->L, x, y, k = 0, words[4] = {0, 0, 0, 0};
    uint64_t accepted = 0;
    int64_t e = lat->e, m = lat->m;
    for (y = 0; y < L; y++) {
        uint8_t *row = lat->spin + (size_t)y * L;
        const uint8_t *above = lat->spin + (size_t)(y == 0 ? L - 1 : y - 1) * L;
        const uint8_t *below = lat->spin + (size_t)(y + 1 == L ? 0 : y + 1) * L;
        for (x = (y + parity) & 1; x < L; x += 2, k++) {
            uint32_t s = row[x], up, aligned, flip;
            if ((k & 3) == 0) erg_ising_draw4(seed, block, k >> 2, words);
            up = (uint32_t)above[x] + below[x] + row[x == 0 ? L - 1 : x - 1] + row[x + 1 == L ? 0 : x + 1];
            aligned = s ? up : 4 - up;
            flip = (uint64_t)words[k & 3] < thr[aligned];
            row[x] = (uint8_t)(s ^ flip);
            e += (int64_t)flip * (4 * (int64_t)aligned - 8);
            m += (int64_t)flip * (2 - 4 * (int64_t)s);
            accepted += flip;
        }
    }
    lat->e = e;
    lat->m = m;
    return accepted;
}

static void ising2d_store_i64(uint8_t *p, int64_t v)
{
    erg_store_u64(p, (uint64_t)v);
}

static erg_code ising2d_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                                size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    uint32_t L = p->v[ERG_ISING_P_SIZE], therm = p->v[ERG_ISING_P_THERM], measure = p->v[ERG_ISING_P_MEASURE];
    uint32_t sw, i, s[8];
    uint64_t thr[5];
    size_t n = (size_t)L * L;
    uint64_t sum_e2 = 0, sum_absm = 0, sum_m2 = 0, accepted = 0;
    int64_t sum_e = 0, sum_m = 0, e_check, m_check;
    ising2d_lattice lat;
    (void)input;
    (void)input_len;
    if (out_len != ERG_ISING_OUT_SIZE)
        return erg_err_set(err, ERG_ERR_ARG, "ising2d: output buffer is %zu bytes, need %u", out_len,
                           (unsigned)ERG_ISING_OUT_SIZE);
    lat.spin = malloc(n);
    if (!lat.spin) return erg_err_set(err, ERG_ERR_NOMEM, "ising2d: lattice of %zu spins", n);
    lat.L = L;
    erg_seed_words(seed, s);
    thr[0] = thr[1] = thr[2] = (uint64_t)1 << 32; /* dE <= 0: every word is below 2^32 */
    thr[3] = derived[0];
    thr[4] = derived[1];

    if (p->v[ERG_ISING_P_START] == 0) {
        memset(lat.spin, 1, n);
    } else {
        uint32_t w[4];
        for (i = 0; i < n; i++) {
            if ((i & 3) == 0) erg_ising_draw4(s, 0, i >> 2, w);
            lat.spin[i] = (uint8_t)(w[i & 3] >> 31);
        }
    }
    ising2d_measure_full(&lat, &lat.e, &lat.m);

    for (sw = 0; sw < therm + measure; sw++) {
        uint64_t acc = ising2d_half_sweep(&lat, s, erg_ising_block(sw, 0), 0, thr);
        acc += ising2d_half_sweep(&lat, s, erg_ising_block(sw, 1), 1, thr);
        if (sw < therm) continue;
        accepted += acc;
        sum_e += lat.e;
        sum_e2 += (uint64_t)(lat.e * lat.e);
        sum_m += lat.m;
        sum_absm += (uint64_t)(lat.m < 0 ? -lat.m : lat.m);
        sum_m2 += (uint64_t)(lat.m * lat.m);
    }

    /* The running totals must match a full recount: a cheap guard on the update rule. */
    ising2d_measure_full(&lat, &e_check, &m_check);
    free(lat.spin);
    if (e_check != lat.e || m_check != lat.m)
        return erg_err_set(err, ERG_ERR_INTERNAL, "ising2d: running E/M (%lld, %lld) drifted from recount (%lld, %lld)",
                           (long long)lat.e, (long long)lat.m, (long long)e_check, (long long)m_check);

    ising2d_store_i64(out + ERG_ISING_OFF_SUM_E, sum_e);
    erg_store_u64(out + ERG_ISING_OFF_SUM_E2, sum_e2);
    ising2d_store_i64(out + ERG_ISING_OFF_SUM_M, sum_m);
    erg_store_u64(out + ERG_ISING_OFF_SUM_ABSM, sum_absm);
    erg_store_u64(out + ERG_ISING_OFF_SUM_M2, sum_m2);
    erg_store_u64(out + ERG_ISING_OFF_ACCEPTED, accepted);
    erg_store_u32(out + ERG_ISING_OFF_FINAL_E, (uint32_t)(int32_t)lat.e);
    erg_store_u32(out + ERG_ISING_OFF_FINAL_M, (uint32_t)(int32_t)lat.m);
    return ERG_OK;
}

/* ---- describe ---- */

/* Append ,"key":value (the object is already open). */
static void ising2d_json_num(erg_buf *json, const char *key, double v)
{
    char tmp[96];
    int n;
    /* JSON has no NaN/inf; the estimates below are finite for every valid output, but stay safe. */
    if (v != v || v > 1e300 || v < -1e300)
        n = snprintf(tmp, sizeof tmp, ",\"%s\":null", key);
    else
        n = snprintf(tmp, sizeof tmp, ",\"%s\":%.10g", key, v);
    if (n > 0) erg_buf_put_raw(json, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static erg_code ising2d_describe(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json, erg_err *err)
{
    double L = p->v[ERG_ISING_P_SIZE], n = L * L, samples = p->v[ERG_ISING_P_MEASURE];
    double beta = p->v[ERG_ISING_P_BETA] / 1e6;
    double e, e2, m, absm, m2, acc;
    char head[160];
    int hn;
    if (out_len != ERG_ISING_OUT_SIZE)
        return erg_err_set(err, ERG_ERR_ARG, "ising2d: output is %zu bytes, expected %u", out_len,
                           (unsigned)ERG_ISING_OUT_SIZE);
    if (samples < 1) return erg_err_set(err, ERG_ERR_RANGE, "ising2d: measure_sweeps is 0");
    e = (double)(int64_t)erg_load_u64(out + ERG_ISING_OFF_SUM_E) / samples;
    e2 = (double)erg_load_u64(out + ERG_ISING_OFF_SUM_E2) / samples;
    m = (double)(int64_t)erg_load_u64(out + ERG_ISING_OFF_SUM_M) / samples;
    absm = (double)erg_load_u64(out + ERG_ISING_OFF_SUM_ABSM) / samples;
    m2 = (double)erg_load_u64(out + ERG_ISING_OFF_SUM_M2) / samples;
    acc = (double)erg_load_u64(out + ERG_ISING_OFF_ACCEPTED) / (samples * n);

    hn = snprintf(head, sizeof head, "{\"size\":%u,\"spins\":%u,\"samples\":%u", (unsigned)p->v[ERG_ISING_P_SIZE],
                  (unsigned)n, (unsigned)p->v[ERG_ISING_P_MEASURE]);
    if (hn > 0) erg_buf_put_raw(json, head, (size_t)hn);
    ising2d_json_num(json, "beta", beta);
    ising2d_json_num(json, "temperature", 1.0 / beta);
    ising2d_json_num(json, "energy_per_spin", e / n);
    /* Fluctuation estimators: C = beta^2 var(E) / N, chi = beta (<M^2> - <|M|>^2) / N (finite-size form). */
    ising2d_json_num(json, "specific_heat_per_spin", beta * beta * (e2 - e * e) / n);
    ising2d_json_num(json, "magnetisation_per_spin", m / n);
    ising2d_json_num(json, "abs_magnetisation_per_spin", absm / n);
    ising2d_json_num(json, "m2_per_spin2", m2 / (n * n));
    ising2d_json_num(json, "susceptibility_per_spin", beta * (m2 - absm * absm) / n);
    ising2d_json_num(json, "acceptance_rate", acc);
    ising2d_json_num(json, "final_energy_per_spin", (double)(int32_t)erg_load_u32(out + ERG_ISING_OFF_FINAL_E) / n);
    ising2d_json_num(json, "final_magnetisation_per_spin",
                     (double)(int32_t)erg_load_u32(out + ERG_ISING_OFF_FINAL_M) / n);
    erg_buf_put_u8(json, '}');
    return erg_buf_status(json, err);
}

const erg_kernel erg_kernel_ising2d = {
    .name = "ising2d",
    .field = "physics",
    .summary = "2D Ising model (J=1, h=0), Metropolis checkerboard Monte Carlo: energy, magnetisation, C, chi",
    .fields = ising2d_fields,
    .nfields = sizeof ising2d_fields / sizeof ising2d_fields[0],
    .input = ERG_KINPUT_NONE,
    .input_max = 0,
    .ops_unit = "spin-flip attempts",
    .cu_num = 1,
    .cu_den = 150000,
    .validate = ising2d_validate,
    .ops = ising2d_ops,
    .output_size = ising2d_output_size,
    .scratch_size = ising2d_scratch_size,
    .derive = ising2d_derive,
    .run_ref = ising2d_run_ref,
    .describe = ising2d_describe,
    .cl_shared = erg_cl_ising2d_shared_h,
    .cl_source = erg_cl_ising2d,
    .cl_entry = "erg_ising2d",
};
