/* Lennard-Jones molecular dynamics kernel: parameters, cost model, fixed-point C reference, description. */
#include "kernels/ljmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/philox.h"
#include "kernels/ljmd_shared.h"
#include "src/util/buffer.h"

extern const char erg_cl_ljmd[];
extern const char erg_cl_ljmd_shared_h[];

static const erg_kparam_field ljmd_fields[] = {
    {"cells", "FCC unit cells per box side c; N = 4 c^3 particles (32, 108, 256, 500)", 2, 5, 4, 2},
    {"density", "number density rho, in 1e-6 reduced units (sigma^-3)", 50000, 1200000, 800000, 800000},
    {"temperature", "set temperature T, in 1e-6 reduced units (epsilon / k_B)", 100000, 5000000, 1000000, 1000000},
    {"dt", "time step, in 1e-6 reduced units (tau)", 100, 20000, 5000, 5000},
    {"cutoff", "cutoff radius r_c of the truncated and shifted potential, in 1e-6 sigma (< L/2)", 1000000, 4000000,
     2500000, 1600000},
    {"equil", "equilibration steps, velocities rescaled to T every 10 steps and at the last", 0, 100000, 1000, 20},
    {"steps", "production steps (constant N, V, E)", 1, 100000, 4000, 60},
    {"sample", "production steps between samples of energies, virial and RDF", 1, 1000, 10, 10},
    {"bins", "radial distribution bins over [0, L/2)", 8, 1024, 128, 32},
};

#define LJMD_NFIELDS (sizeof ljmd_fields / sizeof ljmd_fields[0])

static uint32_t ljmd_n(const erg_kparams *p)
{
    uint32_t c = p->v[ERG_LJMD_P_CELLS];
    return 4 * c * c * c;
}

/* Box side L = (N / rho)^(1/3) in Q32, floor of the exact cube root (integer bisection). */
static uint64_t ljmd_box_q32(const erg_kparams *p)
{
    /* L_Q32^3 = N * 10^6 * 2^96 / rho_micro, below 2^125 for N <= 500. */
    unsigned __int128 v = ((unsigned __int128)ljmd_n(p) * 1000000u << 96) / p->v[ERG_LJMD_P_DENSITY];
    uint64_t lo = 0, hi = (uint64_t)1 << 40; /* lo^3 <= v < hi^3 */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        unsigned __int128 m = mid;
        if (m * m * m <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static uint64_t ljmd_pairs(const erg_kparams *p)
{
    uint64_t n = ljmd_n(p);
    return n * (n - 1) / 2;
}

/*
 * Expected pairs inside the cutoff per force computation, pairs * (4/3) pi rc^3 rho / N
 * (ideal-gas estimate, pi as 355/113), in exact integer arithmetic because CU is consensus.
 */
static uint64_t ljmd_pairs_inside(const erg_kparams *p)
{
    unsigned __int128 rc = p->v[ERG_LJMD_P_CUTOFF];
    unsigned __int128 num = (unsigned __int128)ljmd_pairs(p) * 4 * 355 * rc * rc * rc * p->v[ERG_LJMD_P_DENSITY];
    unsigned __int128 den = (unsigned __int128)3 * 113 * ljmd_n(p) * 1000000000000u * 1000000000000u;
    return den ? (uint64_t)(num / den) : 0;
}

/*
 * Cost in weighted pair terms, fitted to the C reference (doc/kernels/ljmd.md): every force
 * computation (the initial one and one per step) checks every pair (weight 2) and evaluates
 * the expected pairs inside the cutoff (weight 13); every RDF sample bins every pair
 * (weight 1). Below 2^39 for any field values in range.
 */
static uint64_t ljmd_ops(const erg_kparams *p, size_t input_len)
{
    uint64_t steps = p->v[ERG_LJMD_P_STEPS], every = p->v[ERG_LJMD_P_SAMPLE] ? p->v[ERG_LJMD_P_SAMPLE] : 1;
    uint64_t per_force = 2 * ljmd_pairs(p) + 13 * ljmd_pairs_inside(p);
    (void)input_len;
    return (1 + (uint64_t)p->v[ERG_LJMD_P_EQUIL] + steps) * per_force + steps / every * ljmd_pairs(p);
}

static erg_code ljmd_validate(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err)
{
    uint64_t l = ljmd_box_q32(p), ops = ljmd_ops(p, input_len);
    (void)input;
    /* Minimum image needs r_c < L/2: rc_micro * 2^33 < L_Q32 * 10^6. */
    if ((unsigned __int128)p->v[ERG_LJMD_P_CUTOFF] << 33 >= (unsigned __int128)l * 1000000u)
        return erg_err_set(err, ERG_ERR_RANGE,
                           "ljmd: cutoff %.6f sigma is not below half the box side %.6f (N = %u, density %.6f)",
                           p->v[ERG_LJMD_P_CUTOFF] / 1e6, (double)l / 8589934592.0, (unsigned)ljmd_n(p),
                           p->v[ERG_LJMD_P_DENSITY] / 1e6);
    if (p->v[ERG_LJMD_P_SAMPLE] > p->v[ERG_LJMD_P_STEPS])
        return erg_err_set(err, ERG_ERR_RANGE, "ljmd: sample interval %u exceeds the %u production steps (no sample)",
                           (unsigned)p->v[ERG_LJMD_P_SAMPLE], (unsigned)p->v[ERG_LJMD_P_STEPS]);
    if (ops > ERG_LJMD_MAX_OPS)
        return erg_err_set(err, ERG_ERR_RANGE, "ljmd: %llu weighted pair terms exceed the per-unit limit %llu (about 5 s)",
                           (unsigned long long)ops, (unsigned long long)ERG_LJMD_MAX_OPS);
    return ERG_OK;
}

static size_t ljmd_output_size(const erg_kparams *p)
{
    return ERG_LJMD_OFF_HIST + 8 * (size_t)p->v[ERG_LJMD_P_BINS];
}

/* Per unit: positions 3N u32, velocities and forces 3N u64 each, the histogram bins u64. */
static size_t ljmd_scratch_size(const erg_kparams *p, size_t input_len)
{
    (void)input_len;
    return 12 * (size_t)ljmd_n(p) + 48 * (size_t)ljmd_n(p) + 8 * (size_t)p->v[ERG_LJMD_P_BINS];
}

static void ljmd_put64(uint32_t *d, int k, uint64_t v)
{
    d[2 * k] = (uint32_t)v;
    d[2 * k + 1] = (uint32_t)(v >> 32);
}

static uint64_t ljmd_get64(const uint32_t *d, int k)
{
    return (uint64_t)d[2 * k] | (uint64_t)d[2 * k + 1] << 32;
}

/* Derived words, as u64 pairs (low word first), in erg_ljmd_consts field order. */
static erg_code ljmd_derive(const erg_kparams *p, const uint8_t *input, size_t input_len,
                            uint32_t derived[ERG_KDERIVED_MAX], erg_err *err)
{
    uint64_t l = ljmd_box_q32(p), n = ljmd_n(p), w, fr;
    unsigned __int128 l2 = (unsigned __int128)l * l, rc = p->v[ERG_LJMD_P_CUTOFF], dt = p->v[ERG_LJMD_P_DT];
    erg_ljmd_consts c;
    (void)input;
    (void)input_len;
    (void)err;
    c.l_q32 = l;
    c.l2c = (uint64_t)(l2 >> 16);
    c.rc2 = (uint64_t)((rc * rc << 32) / 1000000000000u);
    /* r^2 (Q32) = floor(r2box * l2c / 2^80) < rc2  <=>  r2box * l2c < rc2 * 2^80. */
    c.rc2box = (uint64_t)((((unsigned __int128)c.rc2 << 80) + c.l2c - 1) / c.l2c);
    erg_ljmd_lj(c.rc2, &c.ushift, &w, &fr);
    c.kick = (uint64_t)((dt << ERG_LJMD_KICK_SHIFT) / 2000000u);
    c.drift = (uint64_t)((dt << (ERG_LJMD_DRIFT_SHIFT + 32)) / ((unsigned __int128)1000000u * l));
    c.ke2_target = (uint64_t)(((unsigned __int128)(3 * n - 3) * p->v[ERG_LJMD_P_TEMP] << 32) / 1000000u);
    /* V in Q32 is L_Q32^3 / 2^64; 1/(3V) in Q64 is 2^96 / (3 V_Q32). */
    c.press = (uint64_t)(((unsigned __int128)1 << 96) / (3 * ((l2 * l) >> 64)));
    ljmd_put64(derived, 0, c.l_q32);
    ljmd_put64(derived, 1, c.l2c);
    ljmd_put64(derived, 2, c.rc2);
    ljmd_put64(derived, 3, c.rc2box);
    ljmd_put64(derived, 4, c.ushift);
    ljmd_put64(derived, 5, c.kick);
    ljmd_put64(derived, 6, c.drift);
    ljmd_put64(derived, 7, c.ke2_target);
    ljmd_put64(derived, 8, c.press);
    return ERG_OK;
}

static void ljmd_consts_load(erg_ljmd_consts *c, const uint32_t *d)
{
    c->l_q32 = ljmd_get64(d, 0);
    c->l2c = ljmd_get64(d, 1);
    c->rc2 = ljmd_get64(d, 2);
    c->rc2box = ljmd_get64(d, 3);
    c->ushift = ljmd_get64(d, 4);
    c->kick = ljmd_get64(d, 5);
    c->drift = ljmd_get64(d, 6);
    c->ke2_target = ljmd_get64(d, 7);
    c->press = ljmd_get64(d, 8);
}

/*
 * One unit's state. Invariants: pos/vel/frc hold 3n entries (particle-major, x y z), hist
 * nbins; events only grows.
 */
typedef struct ljmd_state {
    erg_ljmd_consts c;
    uint32_t n;      /* particles */
    uint32_t nbins;  /* RDF bins */
    uint32_t *pos;   /* box fractions, Q32 */
    uint64_t *vel;   /* Q32 two's complement */
    uint64_t *frc;   /* forces at the current positions, Q32 two's complement */
    uint64_t *hist;  /* RDF pair counts */
    uint64_t pe;     /* potential energy at the current positions */
    uint64_t vir;    /* virial sum of r.F at the current positions */
    uint64_t events; /* close-contact clamps and velocity caps so far */
} ljmd_state;

/* Forces, potential energy and virial over all pairs i < j (integer sums: order-free, exact). */
static void ljmd_forces(ljmd_state *s, int sample)
{
    uint32_t i, j, n = s->n;
    memset(s->frc, 0, 3 * (size_t)n * sizeof *s->frc);
    s->pe = 0;
    s->vir = 0;
    for (i = 0; i < n; i++) {
        uint64_t fxi = 0, fyi = 0, fzi = 0;
        const uint32_t *pi = s->pos + 3 * i;
        for (j = i + 1; j < n; j++) {
            const uint32_t *pj = s->pos + 3 * j;
            uint32_t dx = pi[0] - pj[0], dy = pi[1] - pj[1], dz = pi[2] - pj[2], clamped;
            uint64_t r2b = erg_ljmd_r2box(dx, dy, dz), fx, fy, fz, u, w;
            if (sample) {
                uint32_t b = erg_ljmd_bin(r2b, s->nbins);
                if (b < s->nbins) s->hist[b]++;
            }
            if (!erg_ljmd_pair(&s->c, r2b, dx, dy, dz, &fx, &fy, &fz, &u, &w, &clamped)) continue;
            fxi += fx;
            fyi += fy;
            fzi += fz;
            s->frc[3 * j] -= fx;
            s->frc[3 * j + 1] -= fy;
            s->frc[3 * j + 2] -= fz;
            s->pe += u;
            s->vir += w;
            s->events += clamped;
        }
        s->frc[3 * i] += fxi;
        s->frc[3 * i + 1] += fyi;
        s->frc[3 * i + 2] += fzi;
    }
}

/* Twice the kinetic energy, Q32. */
static uint64_t ljmd_ke2(const ljmd_state *s)
{
    uint64_t sum = 0;
    uint32_t k;
    for (k = 0; k < 3 * s->n; k++) sum += erg_ljmd_v2(s->vel[k]);
    return sum;
}

/* Scale every velocity so that the kinetic temperature is the set one. */
static void ljmd_rescale(ljmd_state *s)
{
    uint64_t lambda = erg_ljmd_lambda(&s->c, ljmd_ke2(s));
    uint32_t k;
    for (k = 0; k < 3 * s->n; k++) {
        uint64_t v = erg_ljmd_smulshr(s->vel[k], lambda, ERG_LJMD_LAMBDA_SHIFT);
        if (erg_ljmd_abs(v) > ERG_LJMD_VMAX) {
            v = (v >> 63) ? erg_ljmd_neg(ERG_LJMD_VMAX) : ERG_LJMD_VMAX;
            s->events++;
        }
        s->vel[k] = v;
    }
}

/* FCC positions; Maxwell-Boltzmann-like velocities (stream i for particle i), zero momentum, exact T. */
static void ljmd_init(ljmd_state *s, uint32_t cells, const uint32_t seed[8])
{
    uint32_t i, k, a;
    for (i = 0; i < s->n; i++) {
        erg_rng r;
        erg_rng_init(&r, seed, i);
        for (a = 0; a < 3; a++) {
            s->pos[3 * i + a] = erg_ljmd_fcc(i, cells, (int)a);
            s->vel[3 * i + a] = erg_ljmd_normal(&r);
        }
    }
    for (a = 0; a < 3; a++) {
        uint64_t sum = 0, mean;
        for (i = 0; i < s->n; i++) sum += s->vel[3 * i + a];
        mean = erg_ljmd_sdiv(sum, s->n);
        for (i = 0; i < s->n; i++) s->vel[3 * i + a] -= mean;
    }
    ljmd_rescale(s);
    for (k = 0; k < s->nbins; k++) s->hist[k] = 0;
    ljmd_forces(s, 0);
}

/* One velocity-Verlet step: half kick, drift, forces at the new positions, half kick. */
static void ljmd_step(ljmd_state *s, int sample)
{
    uint32_t k;
    for (k = 0; k < 3 * s->n; k++) s->vel[k] = erg_ljmd_kick(&s->c, s->vel[k], s->frc[k], &s->events);
    for (k = 0; k < 3 * s->n; k++) s->pos[k] = erg_ljmd_drift(&s->c, s->pos[k], s->vel[k]);
    ljmd_forces(s, sample);
    for (k = 0; k < 3 * s->n; k++) s->vel[k] = erg_ljmd_kick(&s->c, s->vel[k], s->frc[k], &s->events);
}

static void ljmd_simulate(ljmd_state *s, const erg_kparams *p, const uint32_t seed[8], uint8_t *out)
{
    uint32_t equil = p->v[ERG_LJMD_P_EQUIL], steps = p->v[ERG_LJMD_P_STEPS], every = p->v[ERG_LJMD_P_SAMPLE];
    uint32_t t, ns = steps / every, k;
    uint64_t e0, e1, ke, sum_ke = 0, sum_pe = 0, sum_e = 0, sum_vir = 0, dev = 0, ke_avg, vir_avg;

    ljmd_init(s, p->v[ERG_LJMD_P_CELLS], seed);
    for (t = 1; t <= equil; t++) {
        ljmd_step(s, 0);
        if (t % ERG_LJMD_RESCALE_EVERY == 0 || t == equil) ljmd_rescale(s);
    }
    e0 = (ljmd_ke2(s) >> 1) + s->pe;
    for (t = 1; t <= steps; t++) {
        int sample = t % every == 0;
        ljmd_step(s, sample);
        if (sample) {
            uint64_t e, d;
            ke = ljmd_ke2(s) >> 1;
            e = ke + s->pe;
            sum_ke += ke;
            sum_pe += s->pe;
            sum_e += e;
            sum_vir += s->vir;
            d = erg_ljmd_abs(e - e0);
            if (d > dev) dev = d;
        }
    }
    e1 = (ljmd_ke2(s) >> 1) + s->pe;

    ke_avg = erg_ljmd_sdiv(sum_ke, ns);
    vir_avg = erg_ljmd_sdiv(sum_vir, ns);
    erg_store_u32(out + ERG_LJMD_OFF_N, s->n);
    erg_store_u32(out + ERG_LJMD_OFF_SAMPLES, ns);
    erg_store_u32(out + ERG_LJMD_OFF_BINS, s->nbins);
    erg_store_u32(out + ERG_LJMD_OFF_EVENTS, s->events > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)s->events);
    erg_store_u64(out + ERG_LJMD_OFF_BOX, s->c.l_q32);
    erg_store_u64(out + ERG_LJMD_OFF_KE, ke_avg);
    erg_store_u64(out + ERG_LJMD_OFF_PE, erg_ljmd_sdiv(sum_pe, ns));
    erg_store_u64(out + ERG_LJMD_OFF_E, erg_ljmd_sdiv(sum_e, ns));
    erg_store_u64(out + ERG_LJMD_OFF_VIRIAL, vir_avg);
    erg_store_u64(out + ERG_LJMD_OFF_PRESS, erg_ljmd_smulhi(2 * ke_avg + vir_avg, s->c.press));
    erg_store_u64(out + ERG_LJMD_OFF_E0, e0);
    erg_store_u64(out + ERG_LJMD_OFF_E1, e1);
    erg_store_u64(out + ERG_LJMD_OFF_EDEV, dev);
    for (k = 0; k < s->nbins; k++) erg_store_u64(out + ERG_LJMD_OFF_HIST + 8 * (size_t)k, s->hist[k]);
}

static erg_code ljmd_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                             size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    ljmd_state s;
    uint32_t words[8];
    (void)input;
    (void)input_len;
    if (out_len != ljmd_output_size(p))
        return erg_err_set(err, ERG_ERR_ARG, "ljmd: output buffer is %zu bytes, unit writes %zu", out_len,
                           ljmd_output_size(p));
    memset(&s, 0, sizeof s);
    ljmd_consts_load(&s.c, derived);
    s.n = ljmd_n(p);
    s.nbins = p->v[ERG_LJMD_P_BINS];
    s.pos = malloc(3 * (size_t)s.n * sizeof *s.pos);
    s.vel = malloc(3 * (size_t)s.n * sizeof *s.vel);
    s.frc = malloc(3 * (size_t)s.n * sizeof *s.frc);
    s.hist = malloc((size_t)s.nbins * sizeof *s.hist);
    if (!s.pos || !s.vel || !s.frc || !s.hist) {
        free(s.pos);
        free(s.vel);
        free(s.frc);
        free(s.hist);
        return erg_err_set(err, ERG_ERR_NOMEM, "ljmd: cannot allocate the state of %u particles", (unsigned)s.n);
    }
    erg_seed_words(seed, words);
    ljmd_simulate(&s, p, words, out);
    free(s.pos);
    free(s.vel);
    free(s.frc);
    free(s.hist);
    return ERG_OK;
}

/* ---- describe (human units; double is fine here, it is not consensus) ---- */

static double ljmd_fx(const uint8_t *p)
{
    return (double)(int64_t)erg_load_u64(p) / 4294967296.0;
}

static void ljmd_json_num(erg_buf *json, const char *key, double v)
{
    char tmp[96];
    int n = isfinite(v) ? snprintf(tmp, sizeof tmp, ",\"%s\":%.9g", key, v) : snprintf(tmp, sizeof tmp, ",\"%s\":null", key);
    if (n > 0 && (size_t)n < sizeof tmp) erg_buf_put_raw(json, tmp, (size_t)n);
}

static erg_code ljmd_describe(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json, erg_err *err)
{
    uint32_t n = ljmd_n(p), nbins = p->v[ERG_LJMD_P_BINS], ns, k, peak = 0;
    double l, v, dr, pairs, gmax = -1.0, *g;
    char head[160];
    int hn;
    if (out_len != ljmd_output_size(p))
        return erg_err_set(err, ERG_ERR_ARG, "ljmd: output is %zu bytes, expected %zu", out_len, ljmd_output_size(p));
    if (erg_load_u32(out + ERG_LJMD_OFF_N) != n || erg_load_u32(out + ERG_LJMD_OFF_BINS) != nbins)
        return erg_err_set(err, ERG_ERR_PARSE, "ljmd: output header does not match the parameters");
    ns = erg_load_u32(out + ERG_LJMD_OFF_SAMPLES);
    l = (double)erg_load_u64(out + ERG_LJMD_OFF_BOX) / 4294967296.0;
    v = l * l * l;
    dr = l / 2 / nbins;
    pairs = (double)n * (n - 1) / 2;
    g = malloc(nbins * sizeof *g);
    if (!g) return erg_err_set(err, ERG_ERR_NOMEM, "ljmd: describe: out of memory");
    for (k = 0; k < nbins; k++) {
        /* Ideal-gas pair count in the shell, per sample: pairs * shell volume / V. */
        double shell = 4.0 / 3.0 * M_PI * (3.0 * k * k + 3.0 * k + 1.0) * dr * dr * dr;
        double cnt = (double)erg_load_u64(out + ERG_LJMD_OFF_HIST + 8 * (size_t)k);
        g[k] = ns ? cnt / (ns * pairs * shell / v) : 0.0;
        if (g[k] > gmax) {
            gmax = g[k];
            peak = k;
        }
    }
    hn = snprintf(head, sizeof head, "{\"n\":%u,\"samples\":%u,\"events\":%u", (unsigned)n, (unsigned)ns,
                  (unsigned)erg_load_u32(out + ERG_LJMD_OFF_EVENTS));
    erg_buf_put_raw(json, head, (size_t)hn);
    ljmd_json_num(json, "box", l);
    ljmd_json_num(json, "density", n / v);
    ljmd_json_num(json, "set_temperature", p->v[ERG_LJMD_P_TEMP] / 1e6);
    ljmd_json_num(json, "temperature", 2.0 * ljmd_fx(out + ERG_LJMD_OFF_KE) / (3.0 * n - 3.0));
    ljmd_json_num(json, "kinetic_per_particle", ljmd_fx(out + ERG_LJMD_OFF_KE) / n);
    ljmd_json_num(json, "potential_per_particle", ljmd_fx(out + ERG_LJMD_OFF_PE) / n);
    ljmd_json_num(json, "total_per_particle", ljmd_fx(out + ERG_LJMD_OFF_E) / n);
    ljmd_json_num(json, "virial_per_particle", ljmd_fx(out + ERG_LJMD_OFF_VIRIAL) / n);
    ljmd_json_num(json, "pressure", ljmd_fx(out + ERG_LJMD_OFF_PRESS));
    ljmd_json_num(json, "energy_initial_per_particle", ljmd_fx(out + ERG_LJMD_OFF_E0) / n);
    ljmd_json_num(json, "energy_final_per_particle", ljmd_fx(out + ERG_LJMD_OFF_E1) / n);
    ljmd_json_num(json, "drift_per_particle",
                  (ljmd_fx(out + ERG_LJMD_OFF_E1) - ljmd_fx(out + ERG_LJMD_OFF_E0)) / n);
    ljmd_json_num(json, "max_deviation_per_particle",
                  (double)erg_load_u64(out + ERG_LJMD_OFF_EDEV) / 4294967296.0 / n);
    ljmd_json_num(json, "rdf_dr", dr);
    ljmd_json_num(json, "rdf_peak_r", (peak + 0.5) * dr);
    ljmd_json_num(json, "rdf_peak_g", gmax);
    erg_buf_put_raw(json, ",\"rdf_g\":[", 10);
    for (k = 0; k < nbins; k++) {
        char tmp[40];
        int tn = snprintf(tmp, sizeof tmp, "%s%.6g", k ? "," : "", isfinite(g[k]) ? g[k] : 0.0);
        erg_buf_put_raw(json, tmp, (size_t)tn);
    }
    erg_buf_put_raw(json, "]}", 2);
    free(g);
    return erg_buf_status(json, err);
}

const erg_kernel erg_kernel_ljmd = {
    .name = "ljmd",
    .field = "chemistry",
    .summary = "Lennard-Jones molecular dynamics of a periodic box: energies, virial pressure, g(r)",
    .fields = ljmd_fields,
    .nfields = LJMD_NFIELDS,
    .input = ERG_KINPUT_NONE,
    .input_max = 0,
    .ops_unit = "pair evaluations",
    .cu_num = 1,
    .cu_den = 773484, /* defaults (773 483 055 ops) = 1000 CU; see doc/kernels/ljmd.md */
    .validate = ljmd_validate,
    .ops = ljmd_ops,
    .output_size = ljmd_output_size,
    .scratch_size = ljmd_scratch_size,
    .derive = ljmd_derive,
    .run_ref = ljmd_run_ref,
    .describe = ljmd_describe,
    .cl_shared = erg_cl_ljmd_shared_h,
    .cl_source = erg_cl_ljmd,
    .cl_entry = "erg_ljmd",
};
