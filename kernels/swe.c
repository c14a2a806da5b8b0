/* Shallow-water ensemble kernel (environment): descriptor, validator, cost model and bit-exact C reference. */
#include "kernels/swe.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/buffer.h"

extern const char erg_cl_swe[];
extern const char erg_cl_swe_shared_h[];

/*
 * One unit is one ensemble member: a periodic basin of base depth H at rest, perturbed by
 * `bumps` compact bumps whose centres, radii and signed amplitudes come from the seed, then
 * integrated for `steps` steps of a first-order Rusanov finite-volume scheme in fixed point.
 * The physical parameters only enter through two nondimensional numbers computed on the
 * host (derive): the Courant number dt sqrt(g H) / dx and the relative bump amplitude.
 */

#define SWE_G_NUM 980665u /* standard gravity 9.80665 m/s^2 = SWE_G_NUM / 10^5 */
/* Validator: estimated Courant number lambda * (sqrt(1 + A) + A) at most 2/5, where A is the
 * summed relative amplitude (linear theory: |u| <= c0 A); the run-time guard stops at 1/2. */
#define SWE_CFL_EST_NUM 2u
#define SWE_CFL_EST_DEN 5u

static const erg_kparam_field swe_fields[ERG_SWE_P_COUNT] = {
    {"nx", "grid cells in x, a multiple of 8 (periodic)", 16, 512, 128, 16},
    {"ny", "grid cells in y, a multiple of 8 (periodic)", 16, 512, 128, 16},
    {"steps", "time steps", 1, 1000000, 1200, 32},
    {"depth_cm", "base depth H (cm)", 10, 1100000, 1000, 1000},
    {"dx_m", "cell width dx (m)", 1, 100000, 100, 100},
    {"dt_ms", "time step dt (ms)", 1, 600000, 2000, 2000},
    {"bumps", "number of initial bumps", 1, 32, 4, 3},
    {"amp_cm", "largest bump amplitude (cm); bumps * amp_cm <= depth_cm / 2", 1, 550000, 50, 50},
    {"radius", "largest bump radius (cells); 2 * radius <= min(nx, ny)", 2, 256, 12, 4},
};

/* Courant number dt sqrt(g H) / dx as Q24, exactly floor(lambda * 2^24); rejects lambda > 1/2 or 0. */
static erg_code swe_courant(const erg_kparams *p, uint32_t *lambda, erg_err *err)
{
    uint64_t dt = p->v[ERG_SWE_P_DT_MS], dx = p->v[ERG_SWE_P_DX_M], depth = p->v[ERG_SWE_P_DEPTH_CM];
    /* lambda^2 = dt_ms^2 * 10^-6 * (SWE_G_NUM * 10^-5) * depth_cm * 10^-2 / dx_m^2 = num / den */
    unsigned __int128 num = (unsigned __int128)(dt * dt) * SWE_G_NUM * depth;
    unsigned __int128 den = (unsigned __int128)(dx * dx) * 10000000000000ull;
    uint64_t l;
    if (4 * num > den)
        return erg_err_set(err, ERG_ERR_RANGE,
                           "swe: Courant number dt*sqrt(g*H)/dx = %.4g exceeds 1/2 (dt_ms %u, dx_m %u, depth_cm %u)",
                           sqrt((double)num / (double)den), (unsigned)dt, (unsigned)dx, (unsigned)depth);
    /* num / den <= 1/4, so num * 2^48 < 2^123 and the quotient <= 2^46. */
    l = (uint64_t)erg_swe_isqrt((uint64_t)((num << 48) / den), (uint64_t)1 << 62);
    if (l == 0)
        return erg_err_set(err, ERG_ERR_RANGE, "swe: Courant number rounds to zero (dt_ms %u is too small for dx_m %u)",
                           (unsigned)dt, (unsigned)dx);
    *lambda = (uint32_t)l;
    return ERG_OK;
}

static erg_code swe_validate(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err)
{
    uint32_t nx = p->v[ERG_SWE_P_NX], ny = p->v[ERG_SWE_P_NY], steps = p->v[ERG_SWE_P_STEPS];
    uint32_t depth = p->v[ERG_SWE_P_DEPTH_CM], bumps = p->v[ERG_SWE_P_BUMPS], amp = p->v[ERG_SWE_P_AMP_CM];
    uint32_t radius = p->v[ERG_SWE_P_RADIUS], lambda;
    uint64_t total_amp = (uint64_t)bumps * amp, a_fp, s_est, ops = (uint64_t)nx * ny * steps;
    erg_code rc;
    if (nx % ERG_SWE_BLOCKS || ny % ERG_SWE_BLOCKS)
        return erg_err_set(err, ERG_ERR_RANGE, "swe: grid %ux%u: both sides must be multiples of %d (block summary)",
                           (unsigned)nx, (unsigned)ny, ERG_SWE_BLOCKS);
    if (2 * radius > (nx < ny ? nx : ny))
        return erg_err_set(err, ERG_ERR_RANGE, "swe: radius %u exceeds half the smaller grid side (%u)",
                           (unsigned)radius, (unsigned)(nx < ny ? nx : ny) / 2);
    if (2 * total_amp > depth)
        return erg_err_set(err, ERG_ERR_RANGE,
                           "swe: bumps * amp_cm = %llu cm exceeds half the base depth (%u cm): depth could leave [H/2, 3H/2]",
                           (unsigned long long)total_amp, (unsigned)depth);
    if (ops > ERG_SWE_OPS_MAX)
        return erg_err_set(err, ERG_ERR_RANGE, "swe: %ux%u cells x %u steps = %llu cell updates exceeds %llu",
                           (unsigned)nx, (unsigned)ny, (unsigned)steps, (unsigned long long)ops,
                           (unsigned long long)ERG_SWE_OPS_MAX);
    if ((rc = swe_courant(p, &lambda, err))) return rc;
    /* Fastest signal expected: sqrt(g (H + A)) + c0 A / H, rounded up (Q24). */
    a_fp = (total_amp * (uint64_t)ERG_SWE_ONE + depth - 1) / depth;
    s_est = (uint64_t)erg_swe_isqrt(((uint64_t)ERG_SWE_ONE + a_fp) << ERG_SWE_Q, (uint64_t)1 << 62) + 1 + a_fp;
    if ((uint64_t)lambda * s_est * SWE_CFL_EST_DEN > ((uint64_t)SWE_CFL_EST_NUM << (2 * ERG_SWE_Q)))
        return erg_err_set(err, ERG_ERR_RANGE,
                           "swe: estimated CFL number %.4f exceeds %.2f (Courant %.4f with amplitude %.3f H); "
                           "lower dt_ms or amp_cm",
                           (double)lambda * (double)s_est / 281474976710656.0,
                           (double)SWE_CFL_EST_NUM / SWE_CFL_EST_DEN, (double)lambda / 16777216.0,
                           (double)total_amp / depth);
    return ERG_OK;
}

static uint64_t swe_ops(const erg_kparams *p, size_t input_len)
{
    return (uint64_t)p->v[ERG_SWE_P_NX] * p->v[ERG_SWE_P_NY] * p->v[ERG_SWE_P_STEPS];
}

static size_t swe_output_size(const erg_kparams *p)
{
    return ERG_SWE_OUT_SIZE;
}

/* h, mx, my, u, v, c (int32 per cell) then flux0 and flux (3 int64 per column); a multiple of 8. */
static size_t swe_scratch_size(const erg_kparams *p, size_t input_len)
{
    size_t cells = (size_t)p->v[ERG_SWE_P_NX] * p->v[ERG_SWE_P_NY];
    return 6 * 4 * cells + 2 * 3 * 8 * (size_t)p->v[ERG_SWE_P_NX];
}

static erg_code swe_derive(const erg_kparams *p, const uint8_t *input, size_t input_len,
                           uint32_t derived[ERG_KDERIVED_MAX], erg_err *err)
{
    uint32_t lambda;
    erg_code rc;
    if ((rc = swe_courant(p, &lambda, err))) return rc;
    derived[ERG_SWE_D_LAMBDA] = lambda;
    derived[ERG_SWE_D_AMP] =
        (uint32_t)(((uint64_t)p->v[ERG_SWE_P_AMP_CM] << ERG_SWE_Q) / p->v[ERG_SWE_P_DEPTH_CM]);
    return ERG_OK;
}

void erg_swe_draw_bumps(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t seed[32],
                        erg_swe_bump *out)
{
    uint32_t words[8], k;
    erg_rng r;
    erg_seed_words(seed, words);
    erg_rng_init(&r, words, 0);
    for (k = 0; k < p->v[ERG_SWE_P_BUMPS]; k++) {
        int32_t b[4];
        erg_swe_draw_bump(&r, p->v[ERG_SWE_P_NX], p->v[ERG_SWE_P_NY], p->v[ERG_SWE_P_RADIUS], derived[ERG_SWE_D_AMP],
                          b);
        out[k].cx2 = b[0];
        out[k].cy2 = b[1];
        out[k].radius = b[2];
        out[k].amp = b[3];
    }
}

erg_code erg_swe_sim_create(erg_swe_sim **out, uint32_t nx, uint32_t ny, int64_t lambda, erg_err *err)
{
    erg_swe_sim *s;
    size_t cells = (size_t)nx * ny, i;
    *out = NULL;
    if (nx < 16 || ny < 16 || nx > 512 || ny > 512 || nx % ERG_SWE_BLOCKS || ny % ERG_SWE_BLOCKS)
        return erg_err_set(err, ERG_ERR_ARG, "swe: grid %ux%u is not two multiples of 8 in [16, 512]", (unsigned)nx,
                           (unsigned)ny);
    if (lambda < 1 || lambda > ((int64_t)1 << (ERG_SWE_Q - 1)))
        return erg_err_set(err, ERG_ERR_ARG, "swe: Courant number %lld (Q24) outside [1, 2^23]", (long long)lambda);
    s = calloc(1, sizeof *s);
    if (!s) return erg_err_set(err, ERG_ERR_NOMEM, "swe: out of memory for the simulation");
    s->h = malloc(6 * cells * sizeof(int32_t));
    s->flux0 = malloc(2 * 3 * (size_t)nx * sizeof(int64_t));
    if (!s->h || !s->flux0) {
        erg_swe_sim_destroy(s);
        return erg_err_set(err, ERG_ERR_NOMEM, "swe: out of memory for a %ux%u grid", (unsigned)nx, (unsigned)ny);
    }
    s->nx = nx;
    s->ny = ny;
    s->lambda = lambda;
    s->mx = s->h + cells;
    s->my = s->mx + cells;
    s->u = s->my + cells;
    s->v = s->u + cells;
    s->c = s->v + cells;
    s->flux = s->flux0 + 3 * (size_t)nx;
    for (i = 0; i < cells; i++) {
        s->h[i] = (int32_t)ERG_SWE_ONE;
        s->mx[i] = s->my[i] = 0;
    }
    s->ready = 0;
    *out = s;
    return ERG_OK;
}

void erg_swe_sim_destroy(erg_swe_sim *s)
{
    if (!s) return;
    free(s->h);
    free(s->flux0);
    free(s);
}

void erg_swe_sim_init(erg_swe_sim *s, const erg_swe_bump *bumps, size_t n)
{
    int64_t nx2 = 2 * (int64_t)s->nx, ny2 = 2 * (int64_t)s->ny;
    uint32_t i, j;
    size_t k;
    for (j = 0; j < s->ny; j++) {
        for (i = 0; i < s->nx; i++) {
            int64_t h = ERG_SWE_ONE;
            for (k = 0; k < n; k++) {
                int64_t dx2 = erg_swe_wrap(2 * (int64_t)i + 1 - bumps[k].cx2, nx2);
                int64_t dy2 = erg_swe_wrap(2 * (int64_t)j + 1 - bumps[k].cy2, ny2);
                h += erg_swe_bump_height(dx2 * dx2 + dy2 * dy2, bumps[k].radius, bumps[k].amp);
            }
            s->h[(size_t)j * s->nx + i] = (int32_t)h;
            s->mx[(size_t)j * s->nx + i] = 0;
            s->my[(size_t)j * s->nx + i] = 0;
        }
    }
    s->ready = 0;
}

uint32_t erg_swe_sim_check(erg_swe_sim *s, erg_swe_stats *st)
{
    uint32_t bw = s->nx / ERG_SWE_BLOCKS, bh = s->ny / ERG_SWE_BLOCKS, i, j;
    int k;
    s->ready = 0;
    st->energy = 0;
    st->h_min = INT32_MAX;
    st->h_max = 0;
    st->s_max = 0;
    for (k = 0; k < ERG_SWE_NBLOCKS; k++) st->block_max[k] = 0;
    for (j = 0; j < s->ny; j++) {
        int32_t *bmax = st->block_max + (j / bh) * ERG_SWE_BLOCKS;
        for (i = 0; i < s->nx; i++) {
            size_t x = (size_t)j * s->nx + i;
            int64_t u, v, c, sp;
            int32_t h = s->h[x];
            uint32_t status = erg_swe_cell(s->lambda, h, s->mx[x], s->my[x], &u, &v, &c, &sp);
            if (status != ERG_SWE_STATUS_OK) return status;
            s->u[x] = (int32_t)u;
            s->v[x] = (int32_t)v;
            s->c[x] = (int32_t)c;
            st->energy += erg_swe_cell_energy(h, s->mx[x], s->my[x], u, v);
            if (h < st->h_min) st->h_min = h;
            if (h > st->h_max) st->h_max = h;
            if (sp > st->s_max) st->s_max = (int32_t)sp;
            if (h > bmax[i / bw]) bmax[i / bw] = h;
        }
    }
    s->ready = 1;
    return ERG_SWE_STATUS_OK;
}

/* Flux through the x-face between cells a (west) and b (east). */
static void swe_flux_x(const erg_swe_sim *s, size_t a, size_t b, int64_t f[3])
{
    erg_swe_flux(s->lambda, s->h[a], s->mx[a], s->my[a], s->u[a], s->c[a], s->h[b], s->mx[b], s->my[b], s->u[b],
                 s->c[b], f);
}

/* Flux through the y-face between cells a (south) and b (north): normal momentum is my. */
static void swe_flux_y(const erg_swe_sim *s, size_t a, size_t b, int64_t f[3])
{
    erg_swe_flux(s->lambda, s->h[a], s->my[a], s->mx[a], s->v[a], s->c[a], s->h[b], s->my[b], s->mx[b], s->v[b],
                 s->c[b], f);
}

/*
 * In place, row by row. Every face flux is computed once from the old state and applied with
 * opposite signs to its two cells. Cell (i, j) is overwritten only after all of its faces
 * are known; the faces that wrap around the periodic boundary (east of the last column,
 * north of the last row) are computed first, while both of their cells are still old.
 */
erg_code erg_swe_sim_advance(erg_swe_sim *s, erg_err *err)
{
    uint32_t nx = s->nx, ny = s->ny, i, j;
    if (!s->ready) return erg_err_set(err, ERG_ERR_ARG, "swe: advance without a successful check of the state");
    s->ready = 0;
    for (i = 0; i < nx; i++) {
        swe_flux_y(s, (size_t)(ny - 1) * nx + i, i, s->flux0 + 3 * i);
        memcpy(s->flux + 3 * i, s->flux0 + 3 * i, 3 * sizeof(int64_t));
    }
    for (j = 0; j < ny; j++) {
        size_t row = (size_t)j * nx, north = (size_t)(j + 1 == ny ? 0 : j + 1) * nx;
        int64_t west[3], east[3], wrap[3], up[3];
        swe_flux_x(s, row + nx - 1, row, wrap);
        memcpy(west, wrap, sizeof west);
        for (i = 0; i < nx; i++) {
            size_t x = row + i;
            int64_t *down = s->flux + 3 * i;
            if (i + 1 < nx)
                swe_flux_x(s, x, x + 1, east);
            else
                memcpy(east, wrap, sizeof east);
            if (j + 1 < ny)
                swe_flux_y(s, x, north + i, up);
            else
                memcpy(up, s->flux0 + 3 * i, sizeof up);
            /* x-faces carry (mass, mx, my); y-faces carry (mass, my, mx). */
            s->h[x] = (int32_t)(s->h[x] - (east[0] - west[0]) - (up[0] - down[0]));
            s->mx[x] = (int32_t)(s->mx[x] - (east[1] - west[1]) - (up[2] - down[2]));
            s->my[x] = (int32_t)(s->my[x] - (east[2] - west[2]) - (up[1] - down[1]));
            memcpy(down, up, sizeof up);
            memcpy(west, east, sizeof west);
        }
    }
    return ERG_OK;
}

int64_t erg_swe_sim_volume(const erg_swe_sim *s)
{
    size_t cells = (size_t)s->nx * s->ny, i;
    int64_t v = 0;
    for (i = 0; i < cells; i++) v += s->h[i];
    return v;
}

static erg_code swe_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                            size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    uint32_t steps = p->v[ERG_SWE_P_STEPS], status, n, bw, bh, bx, by, i, j;
    erg_swe_bump bumps[32];
    uint64_t energy[ERG_SWE_NCHECK];
    int32_t h_min = INT32_MAX, h_max = 0, s_max = 0, env[ERG_SWE_NBLOCKS];
    int64_t vol0;
    erg_swe_sim *s;
    erg_swe_stats st;
    erg_code rc;
    int k, next = 0;
    if (out_len != ERG_SWE_OUT_SIZE) return erg_err_set(err, ERG_ERR_ARG, "swe: output buffer of %zu bytes", out_len);
    if ((rc = erg_swe_sim_create(&s, p->v[ERG_SWE_P_NX], p->v[ERG_SWE_P_NY], derived[ERG_SWE_D_LAMBDA], err)))
        return rc;
    erg_swe_draw_bumps(p, derived, seed, bumps);
    erg_swe_sim_init(s, bumps, p->v[ERG_SWE_P_BUMPS]);
    vol0 = erg_swe_sim_volume(s);
    for (k = 0; k < ERG_SWE_NCHECK; k++) energy[k] = ERG_SWE_ENERGY_NONE;
    for (k = 0; k < ERG_SWE_NBLOCKS; k++) env[k] = 0;
    /* Check state n (recording its statistics), then step it, until state `steps` is checked. */
    for (n = 0;; n++) {
        status = erg_swe_sim_check(s, &st);
        if (status != ERG_SWE_STATUS_OK) break;
        if (st.h_min < h_min) h_min = st.h_min;
        if (st.h_max > h_max) h_max = st.h_max;
        if (st.s_max > s_max) s_max = st.s_max;
        for (k = 0; k < ERG_SWE_NBLOCKS; k++)
            if (st.block_max[k] > env[k]) env[k] = st.block_max[k];
        while (next < ERG_SWE_NCHECK && (uint64_t)steps * (uint64_t)next / (ERG_SWE_NCHECK - 1) == n)
            energy[next++] = st.energy;
        if (n == steps) break;
        if ((rc = erg_swe_sim_advance(s, err))) {
            erg_swe_sim_destroy(s);
            return rc;
        }
    }
    memset(out, 0, out_len);
    erg_store_u32(out + ERG_SWE_OFF_STATUS, status);
    erg_store_u32(out + ERG_SWE_OFF_STEPS, n);
    erg_store_u64(out + ERG_SWE_OFF_VOL0, (uint64_t)vol0);
    erg_store_u64(out + ERG_SWE_OFF_VOL1, (uint64_t)erg_swe_sim_volume(s));
    for (k = 0; k < ERG_SWE_NCHECK; k++) erg_store_u64(out + ERG_SWE_OFF_ENERGY + 8 * k, energy[k]);
    erg_store_u32(out + ERG_SWE_OFF_HMIN, (uint32_t)h_min);
    erg_store_u32(out + ERG_SWE_OFF_HMAX, (uint32_t)h_max);
    erg_store_u32(out + ERG_SWE_OFF_SMAX, (uint32_t)s_max);
    bw = s->nx / ERG_SWE_BLOCKS;
    bh = s->ny / ERG_SWE_BLOCKS;
    for (by = 0; by < ERG_SWE_BLOCKS; by++) {
        for (bx = 0; bx < ERG_SWE_BLOCKS; bx++) {
            int64_t sum = 0;
            for (j = by * bh; j < (by + 1) * bh; j++)
                for (i = bx * bw; i < (bx + 1) * bw; i++) sum += s->h[(size_t)j * s->nx + i];
            erg_store_u32(out + ERG_SWE_OFF_MEAN + 4 * (by * ERG_SWE_BLOCKS + bx),
                          (uint32_t)(int32_t)(sum / ((int64_t)bw * bh)));
            erg_store_u32(out + ERG_SWE_OFF_ENV + 4 * (by * ERG_SWE_BLOCKS + bx),
                          (uint32_t)env[by * ERG_SWE_BLOCKS + bx]);
        }
    }
    erg_swe_sim_destroy(s);
    return ERG_OK;
}

static void swe_json(erg_buf *b, const char *fmt, ...) ERG_PRINTF(2, 3);
/* printf-style append (an allocation failure sticks in the buffer and is reported by erg_buf_status). */
static void swe_json(erg_buf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return; /* only on a malformed format; these are all literals */
    if ((size_t)n < sizeof tmp) {
        erg_buf_put_raw(b, tmp, (size_t)n);
    } else {
        uint8_t *at = erg_buf_extend(b, (size_t)n + 1);
        if (!at) return;
        va_start(ap, fmt);
        vsnprintf((char *)at, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len--; /* drop the terminating NUL vsnprintf wrote */
    }
}

/* Block values (Q24 depth) as surface elevation eta = h - H in metres, 8 rows of 8. */
static void swe_json_blocks(erg_buf *json, const char *key, const uint8_t *at, double depth_m)
{
    int bx, by;
    swe_json(json, ",\"%s\":[", key);
    for (by = 0; by < ERG_SWE_BLOCKS; by++) {
        swe_json(json, "%s[", by ? "," : "");
        for (bx = 0; bx < ERG_SWE_BLOCKS; bx++) {
            int32_t h = (int32_t)erg_load_u32(at + 4 * (by * ERG_SWE_BLOCKS + bx));
            swe_json(json, "%s%.6g", bx ? "," : "", ((double)h - (double)ERG_SWE_ONE) / 16777216.0 * depth_m);
        }
        swe_json(json, "]");
    }
    swe_json(json, "]");
}

static erg_code swe_describe(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json, erg_err *err)
{
    static const char *const status_names[] = {"ok", "stopped_cfl", "stopped_range"};
    const double q24 = 16777216.0, q32 = 4294967296.0, rho = 1000.0, g = 9.80665;
    double depth_m, dx_m, dt_s, c0, vol_unit, e_unit, lambda;
    double cells = (double)p->v[ERG_SWE_P_NX] * p->v[ERG_SWE_P_NY];
    uint32_t status, steps_done, derived_lambda;
    int64_t vol0, vol1;
    int k;
    erg_code rc;
    if (out_len != ERG_SWE_OUT_SIZE)
        return erg_err_set(err, ERG_ERR_ARG, "swe: output is %zu bytes, expected %d", out_len, ERG_SWE_OUT_SIZE);
    if ((rc = swe_courant(p, &derived_lambda, err))) return rc;
    status = erg_load_u32(out + ERG_SWE_OFF_STATUS);
    if (status > ERG_SWE_STATUS_RANGE) return erg_err_set(err, ERG_ERR_PARSE, "swe: unknown status %u", (unsigned)status);
    steps_done = erg_load_u32(out + ERG_SWE_OFF_STEPS);
    depth_m = p->v[ERG_SWE_P_DEPTH_CM] / 100.0;
    dx_m = p->v[ERG_SWE_P_DX_M];
    dt_s = p->v[ERG_SWE_P_DT_MS] / 1000.0;
    c0 = sqrt(g * depth_m);
    lambda = derived_lambda / q24;
    vol_unit = depth_m * dx_m * dx_m / q24;                  /* m^3 per Q24 unit of sum(h) */
    e_unit = rho * g * depth_m * depth_m * dx_m * dx_m / q32; /* J per Q32 unit of energy */
    vol0 = (int64_t)erg_load_u64(out + ERG_SWE_OFF_VOL0);
    vol1 = (int64_t)erg_load_u64(out + ERG_SWE_OFF_VOL1);
    swe_json(json, "{\"status\":\"%s\",\"steps_done\":%u,\"simulated_time_s\":%.6g", status_names[status],
             (unsigned)steps_done, steps_done * dt_s);
    swe_json(json, ",\"courant_number\":%.6g,\"wave_speed_m_s\":%.6g,\"domain_km\":[%.6g,%.6g]", lambda, c0,
             p->v[ERG_SWE_P_NX] * dx_m / 1000.0, p->v[ERG_SWE_P_NY] * dx_m / 1000.0);
    swe_json(json, ",\"volume_m3\":{\"start\":%.12g,\"end\":%.12g,\"change_fixed_point\":%lld}", vol0 * vol_unit,
             vol1 * vol_unit, (long long)(vol1 - vol0));
    swe_json(json, ",\"energy_J\":[");
    for (k = 0; k < ERG_SWE_NCHECK; k++) {
        uint64_t e = erg_load_u64(out + ERG_SWE_OFF_ENERGY + 8 * k);
        if (e == ERG_SWE_ENERGY_NONE)
            swe_json(json, "%snull", k ? "," : "");
        else
            swe_json(json, "%s%.6g", k ? "," : "", (double)e * e_unit);
    }
    /* The flat state at the mean level keeps (dV)^2 / 2N of that energy: the rest could still move. */
    swe_json(json, "],\"available_energy_J\":[");
    for (k = 0; k < ERG_SWE_NCHECK; k++) {
        uint64_t e = erg_load_u64(out + ERG_SWE_OFF_ENERGY + 8 * k);
        double dv = ((double)vol1 - (double)cells * q24) / q24;
        if (e == ERG_SWE_ENERGY_NONE)
            swe_json(json, "%snull", k ? "," : "");
        else
            swe_json(json, "%s%.6g", k ? "," : "", ((double)e / q32 - dv * dv / (2.0 * cells)) * e_unit * q32);
    }
    swe_json(json, "],\"energy_checkpoint_steps\":[");
    for (k = 0; k < ERG_SWE_NCHECK; k++)
        swe_json(json, "%s%llu", k ? "," : "",
                 (unsigned long long)((uint64_t)p->v[ERG_SWE_P_STEPS] * k / (ERG_SWE_NCHECK - 1)));
    swe_json(json, "],\"depth_m\":{\"min\":%.6g,\"max\":%.6g}",
             (int32_t)erg_load_u32(out + ERG_SWE_OFF_HMIN) / q24 * depth_m,
             (int32_t)erg_load_u32(out + ERG_SWE_OFF_HMAX) / q24 * depth_m);
    swe_json(json, ",\"max_signal_speed_m_s\":%.6g,\"max_cfl_number\":%.6g",
             (int32_t)erg_load_u32(out + ERG_SWE_OFF_SMAX) / q24 * c0,
             (int32_t)erg_load_u32(out + ERG_SWE_OFF_SMAX) / q24 * lambda);
    swe_json_blocks(json, "final_block_mean_elevation_m", out + ERG_SWE_OFF_MEAN, depth_m);
    swe_json_blocks(json, "max_block_elevation_m", out + ERG_SWE_OFF_ENV, depth_m);
    swe_json(json, "}");
    return erg_buf_status(json, err);
}

const erg_kernel erg_kernel_swe = {
    .name = "swe",
    .field = "environment",
    .summary = "shallow-water ensemble member: seeded bumps on a periodic basin, fixed-point Rusanov finite volumes",
    .fields = swe_fields,
    .nfields = ERG_SWE_P_COUNT,
    .input = ERG_KINPUT_NONE,
    .input_max = 0,
    .ops_unit = "cell updates",
    .cu_num = 1,
    .cu_den = 19661,
    .validate = swe_validate,
    .ops = swe_ops,
    .output_size = swe_output_size,
    .scratch_size = swe_scratch_size,
    .derive = swe_derive,
    .run_ref = swe_run_ref,
    .describe = swe_describe,
    .cl_shared = erg_cl_swe_shared_h,
    .cl_source = erg_cl_swe,
    .cl_entry = "erg_swe",
};
