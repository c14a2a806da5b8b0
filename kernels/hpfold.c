/* HP lattice protein folding kernel: simulated annealing with pull moves on the square lattice (C reference). */
#include "kernels/hpfold.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/philox.h"
#include "kernels/hpfold_shared.h"

extern const char erg_cl_hpfold[];
extern const char erg_cl_hpfold_shared_h[];

_Static_assert(ERG_HPFOLD_OUT_SIZE == ERG_HP_OUT_SIZE, "hpfold.h and hpfold_shared.h disagree on the output size");
_Static_assert(ERG_HPFOLD_LEN_MAX == ERG_HP_LEN_MAX, "hpfold.h and hpfold_shared.h disagree on the length limit");

enum { HP_STEPS, HP_CYCLES, HP_STAGES, HP_THOT, HP_TCOLD, HP_NFIELDS };

static const erg_kparam_field hp_fields[HP_NFIELDS] = {
    {"steps", "Monte Carlo move attempts per unit (after the melt)", 1000u, 1000000000u, 16000000u, 40000u},
    {"cycles", "annealing cycles per unit (each reheats to t_hot and cools to t_cold)", 1u, 4096u, 2u, 2u},
    {"stages", "temperature stages per cycle, equally spaced in 1/T", 2u, ERG_HP_STAGES_MAX, 64u, 8u},
    {"t_hot", "first stage temperature, in thousandths of the H-H contact energy over k_B", 50u, 2800u, 1600u, 1600u},
    {"t_cold", "last stage temperature, same unit; at most t_hot", 10u, 2800u, 160u, 160u},
};

/*
 * Cost model: an attempt costs a fixed part (RNG, proposal, Metropolis test, contact lookups)
 * plus a part that grows with n (longer drags in a pull, a larger lattice to miss in cache); the
 * melt adds ERG_HP_MELT_PER_MONOMER * n attempts. Measured worst cases over sequences and
 * temperatures fit time ~ attempts * (HP_OPS_BASE + n) (doc/kernels/hpfold.md).
 */
#define HP_OPS_BASE 256u
/* Largest ops accepted: under 4 s of one core at the slowest measured rate (limit: 5 s). */
#define HP_OPS_MAX 9000000000ull

static uint64_t hp_ops(const erg_kparams *p, size_t input_len)
{
    /* Only meaningful for a valid length; the clamp keeps any other call overflow-free. */
    uint64_t n = input_len > ERG_HP_LEN_MAX ? ERG_HP_LEN_MAX : input_len;
    uint64_t attempts = (uint64_t)p->v[HP_STEPS] + (uint64_t)ERG_HP_MELT_PER_MONOMER * n;
    return attempts * ((uint64_t)HP_OPS_BASE + n);
}

static erg_code hp_validate(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err)
{
    size_t i;
    if (input_len < ERG_HP_LEN_MIN || input_len > ERG_HP_LEN_MAX)
        return erg_err_set(err, ERG_ERR_RANGE, "hpfold: sequence length %zu outside [%u, %u]", input_len,
                           (unsigned)ERG_HP_LEN_MIN, (unsigned)ERG_HP_LEN_MAX);
    for (i = 0; i < input_len; i++)
        if (input[i] != 'H' && input[i] != 'P')
            return erg_err_set(err, ERG_ERR_PARSE, "hpfold: sequence byte %zu is 0x%02x, expected 'H' or 'P'", i,
                               (unsigned)input[i]);
    if (p->v[HP_TCOLD] > p->v[HP_THOT])
        return erg_err_set(err, ERG_ERR_RANGE, "hpfold: t_cold %u exceeds t_hot %u", (unsigned)p->v[HP_TCOLD],
                           (unsigned)p->v[HP_THOT]);
    if ((uint64_t)p->v[HP_CYCLES] * p->v[HP_STAGES] > p->v[HP_STEPS])
        return erg_err_set(err, ERG_ERR_RANGE, "hpfold: %u cycles x %u stages leave a stage without a step (steps %u)",
                           (unsigned)p->v[HP_CYCLES], (unsigned)p->v[HP_STAGES], (unsigned)p->v[HP_STEPS]);
    if (hp_ops(p, input_len) > HP_OPS_MAX)
        return erg_err_set(err, ERG_ERR_RANGE,
                           "hpfold: %u steps on %zu monomers is %llu ops, above the unit limit %llu (about 5 s)",
                           (unsigned)p->v[HP_STEPS], input_len, (unsigned long long)hp_ops(p, input_len),
                           (unsigned long long)HP_OPS_MAX);
    return ERG_OK;
}

static size_t hp_output_size(const erg_kparams *p)
{
    (void)p;
    return ERG_HP_OUT_SIZE;
}

static size_t hp_scratch_size(const erg_kparams *p, size_t input_len)
{
    (void)p;
    if (input_len < ERG_HP_LEN_MIN || input_len > ERG_HP_LEN_MAX) return 0;
    return erg_hp_scratch_bytes((uint32_t)input_len);
}

/* Fixed point with 60 fractional bits; a * b >> 60 from 32-bit limbs (a, b < 2^62). */
#define HP_Q 60
#define HP_ONE ((uint64_t)1 << HP_Q)

static uint64_t hp_mulq(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    uint64_t lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    return (hi << (64 - HP_Q)) | (lo >> HP_Q);
}

/* exp(-f) for 0 <= f <= 1 in Q60 by its Taylor series; each term loses under one unit. */
static uint64_t hp_expneg_frac(uint64_t f)
{
    uint64_t term = HP_ONE, pos = HP_ONE, neg = 0;
    unsigned k;
    for (k = 1; k < 40 && term != 0; k++) {
        term = hp_mulq(term, f) / k;
        if (k & 1u)
            neg += term;
        else
            pos += term;
    }
    return pos - neg;
}

/*
 * floor(2^32 exp(-num/den)) to within a few units, with integer arithmetic only, so every host
 * derives the same words: exp(-x) = exp(-1)^floor(x) * exp(-frac(x)).
 */
static uint32_t hp_expneg_u32(uint64_t num, uint64_t den)
{
    uint64_t m = num / den, r = num % den, f = 0, e;
    uint64_t e1 = hp_expneg_frac(HP_ONE);
    int b;
    for (b = 0; b < HP_Q; b++) { /* f = floor(r * 2^60 / den) by long division (den < 2^62) */
        r <<= 1;
        f <<= 1;
        if (r >= den) {
            r -= den;
            f |= 1u;
        }
    }
    e = hp_expneg_frac(f);
    for (; m > 0 && e != 0; m--) e = hp_mulq(e, e1);
    e >>= HP_Q - 32;
    return e > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)e;
}

/*
 * derived[s] = floor(2^32 exp(-beta_s)) for stage s of a cycle, with beta linear in s from
 * 1000 / t_hot to 1000 / t_cold (in units of the inverse contact energy):
 *   beta_s = 1000 (t_cold (S-1) + (t_hot - t_cold) s) / (t_hot t_cold (S-1)).
 */
static erg_code hp_derive(const erg_kparams *p, const uint8_t *input, size_t input_len,
                          uint32_t derived[ERG_KDERIVED_MAX], erg_err *err)
{
    uint64_t th = p->v[HP_THOT], tc = p->v[HP_TCOLD], sm1 = p->v[HP_STAGES] - 1u;
    uint32_t s;
    (void)input;
    (void)input_len;
    if (p->v[HP_STAGES] < 2u || p->v[HP_STAGES] > ERG_HP_STAGES_MAX || tc > th || tc == 0)
        return erg_err_set(err, ERG_ERR_ARG, "hpfold: derive called with unvalidated parameters");
    for (s = 0; s < p->v[HP_STAGES]; s++)
        derived[s] = hp_expneg_u32(1000u * (tc * sm1 + (th - tc) * s), th * tc * sm1);
    return ERG_OK;
}

/*
 * One unit: melt the straight chain into a coil, then run `cycles` annealing cycles of
 * `stages` temperature stages each; stage k (of K = cycles * stages overall) covers the
 * attempts [k steps / K, (k + 1) steps / K). Each attempt draws one word to pick the move and,
 * only for an uphill move with dE < ERG_HP_DMAX, one more for the Metropolis test.
 */
static erg_code hp_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                           size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    uint32_t steps = p->v[HP_STEPS], stages = p->v[HP_STAGES];
    uint32_t kstages = p->v[HP_CYCLES] * stages, k, t = 0, n = (uint32_t)input_len;
    uint32_t seedw[8], thr[ERG_HP_DMAX];
    uint32_t accepted = 0, valid = 0, best_step = 0;
    int contacts = 0, best = 0;
    uint8_t *scratch;
    erg_hp_chain c;
    erg_rng rng;

    if (out_len != ERG_HP_OUT_SIZE) return erg_err_set(err, ERG_ERR_ARG, "hpfold: output buffer is %zu bytes", out_len);
    scratch = malloc(erg_hp_scratch_bytes(n));
    if (!scratch) return erg_err_set(err, ERG_ERR_NOMEM, "hpfold: scratch of %u bytes", erg_hp_scratch_bytes(n));
    erg_seed_words(seed, seedw);
    erg_rng_init(&rng, seedw, 0);
    erg_hp_chain_init(&c, scratch, input, n);
    contacts = best = erg_hp_melt(&c, &rng);
    erg_hp_save_best(&c);

    for (k = 0; k < kstages; k++) {
        uint32_t end = (uint32_t)((uint64_t)(k + 1u) * steps / kstages);
        erg_hp_thresholds(derived[k % stages], thr);
        for (; t < end; t++) {
            int gained;
            if (!erg_hp_propose_random(&c, &rng)) continue;
            valid++;
            gained = erg_hp_apply(&c);
            if (gained < 0 && ((uint32_t)-gained >= ERG_HP_DMAX || erg_rng_u32(&rng) >= thr[-gained])) {
                erg_hp_revert(&c);
                continue;
            }
            erg_hp_commit(&c);
            accepted++;
            contacts += gained;
            if (contacts > best) {
                best = contacts;
                best_step = t + 1u;
                erg_hp_save_best(&c);
            }
        }
    }

    erg_hp_store32(out + 0, n);
    erg_hp_store32(out + 4, (uint32_t)-best);
    erg_hp_store32(out + 8, best_step);
    erg_hp_store32(out + 12, (uint32_t)-contacts);
    erg_hp_store32(out + 16, accepted);
    erg_hp_store32(out + 20, valid);
    erg_hp_write_conformation(&c, out + ERG_HP_OUT_HEADER);
    free(scratch);
    return ERG_OK;
}

erg_code erg_hpfold_decode(const uint8_t *out, size_t out_len, erg_hpfold_result *res, erg_err *err)
{
    static const char letters[4] = {'R', 'U', 'L', 'D'};
    uint32_t k, bonds;
    if (out_len != ERG_HPFOLD_OUT_SIZE)
        return erg_err_set(err, ERG_ERR_PARSE, "hpfold: output is %zu bytes, expected %u", out_len,
                           (unsigned)ERG_HPFOLD_OUT_SIZE);
    memset(res, 0, sizeof *res);
    res->n = erg_load_u32(out);
    if (res->n < ERG_HP_LEN_MIN || res->n > ERG_HP_LEN_MAX)
        return erg_err_set(err, ERG_ERR_PARSE, "hpfold: output length field %u outside [%u, %u]", (unsigned)res->n,
                           (unsigned)ERG_HP_LEN_MIN, (unsigned)ERG_HP_LEN_MAX);
    res->best_energy = (int32_t)erg_load_u32(out + 4);
    res->best_step = erg_load_u32(out + 8);
    res->final_energy = (int32_t)erg_load_u32(out + 12);
    res->accepted = erg_load_u32(out + 16);
    res->valid = erg_load_u32(out + 20);
    bonds = res->n - 1u;
    for (k = 0; k < 4u * ERG_HP_CONF_BYTES; k++) {
        uint32_t d = (out[ERG_HP_OUT_HEADER + k / 4u] >> (2u * (k % 4u))) & 3u;
        if (k < bonds)
            res->moves[k] = letters[d];
        else if (d != 0)
            return erg_err_set(err, ERG_ERR_PARSE, "hpfold: conformation bits set past bond %u", (unsigned)bonds);
    }
    res->moves[bonds] = '\0';
    return ERG_OK;
}

static void hp_json(erg_buf *json, const char *fmt, ...) ERG_PRINTF(2, 3);

static void hp_json(erg_buf *json, const char *fmt, ...)
{
    char tmp[640];
    va_list ap;
    int len;
    va_start(ap, fmt);
    len = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (len > 0) erg_buf_put_raw(json, tmp, (size_t)len < sizeof tmp ? (size_t)len : sizeof tmp - 1);
}

static erg_code hp_describe(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json, erg_err *err)
{
    static const char turn_letters[4] = {'S', 'L', '?', 'R'};
    erg_hpfold_result r;
    char turns[ERG_HPFOLD_LEN_MAX];
    uint32_t k;
    erg_code rc;
    if ((rc = erg_hpfold_decode(out, out_len, &r, err))) return rc;
    for (k = 0; k + 2u < r.n; k++) {
        const char *a = strchr("RULD", r.moves[k]), *b = strchr("RULD", r.moves[k + 1u]);
        turns[k] = turn_letters[(unsigned)((b - "RULD") - (a - "RULD")) & 3u];
    }
    turns[r.n - 2u] = '\0';
    hp_json(json,
            "{\"length\":%u,\"best_energy\":%d,\"best_step\":%u,\"final_energy\":%d,\"accepted\":%u,"
            "\"valid_moves\":%u,\"acceptance\":%.6f,",
            (unsigned)r.n, (int)r.best_energy, (unsigned)r.best_step, (int)r.final_energy, (unsigned)r.accepted,
            (unsigned)r.valid, p->v[HP_STEPS] ? (double)r.accepted / (double)p->v[HP_STEPS] : 0.0);
    hp_json(json, "\"moves\":\"%s\",\"turns\":\"%s\"}", r.moves, turns);
    return erg_buf_status(json, err);
}

const erg_kernel erg_kernel_hpfold = {
    .name = "hpfold",
    .field = "biology",
    .summary = "HP lattice protein folding: simulated annealing with pull moves on the square lattice",
    .fields = hp_fields,
    .nfields = HP_NFIELDS,
    .input = ERG_KINPUT_REQUIRED,
    .input_max = ERG_HP_LEN_MAX,
    .ops_unit = "move attempts x (256 + sequence length)",
    /* The default unit on the 64-mer benchmark: 5 120 327 680 ops, 845 ms best of 3 (doc page). */
    .cu_num = 1,
    .cu_den = 6060000,
    .validate = hp_validate,
    .ops = hp_ops,
    .output_size = hp_output_size,
    .scratch_size = hp_scratch_size,
    .derive = hp_derive,
    .run_ref = hp_run_ref,
    .describe = hp_describe,
    .cl_shared = erg_cl_hpfold_shared_h,
    .cl_source = erg_cl_hpfold,
    .cl_entry = "erg_hpfold",
};
