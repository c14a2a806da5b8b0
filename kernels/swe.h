/* Shallow-water ensemble kernel: its descriptor and the step-by-step simulation API its tests drive. */
#ifndef ERG_KERNELS_SWE_H
#define ERG_KERNELS_SWE_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "kernels/swe_shared.h"

extern const erg_kernel erg_kernel_swe;

/* Parameter word indices (declaration order of the fields). */
enum {
    ERG_SWE_P_NX = 0,
    ERG_SWE_P_NY,
    ERG_SWE_P_STEPS,
    ERG_SWE_P_DEPTH_CM,
    ERG_SWE_P_DX_M,
    ERG_SWE_P_DT_MS,
    ERG_SWE_P_BUMPS,
    ERG_SWE_P_AMP_CM,
    ERG_SWE_P_RADIUS,
    ERG_SWE_P_COUNT
};

/* Derived word indices (computed by the descriptor's derive). */
enum {
    ERG_SWE_D_LAMBDA = 0, /* Courant number dt c0 / dx, Q24, in [1, 2^23] */
    ERG_SWE_D_AMP = 1     /* largest bump amplitude, Q24 of the base depth, <= 2^23 / bumps */
};

/* Largest cells * steps of one unit: three times the default (about 3 s here, under the 5 s cap). */
#define ERG_SWE_OPS_MAX ((uint64_t)128 * 128 * 3600)

/* One initial bump (see erg_swe_draw_bump): centre in doubled cell coordinates, radius in cells, amplitude Q24. */
typedef struct erg_swe_bump {
    int32_t cx2;    /* in [0, 2 nx) */
    int32_t cy2;    /* in [0, 2 ny) */
    int32_t radius; /* >= 1 and <= min(nx, ny) / 2 */
    int32_t amp;    /* signed; the sum of |amp| over all bumps is <= 2^23 */
} erg_swe_bump;

/* What one check pass measured on one state (meaningful only when the pass succeeded). */
typedef struct erg_swe_stats {
    uint64_t energy;                      /* Q32, units of rho g H^2 dx^2 */
    int32_t h_min, h_max;                 /* Q24 */
    int32_t s_max;                        /* largest max(|u|,|v|) + c, Q24 of c0 */
    int32_t block_max[ERG_SWE_NBLOCKS];   /* largest depth in each block, Q24 */
} erg_swe_stats;

/*
 * One simulation on a periodic nx x ny grid: the state the OpenCL kernel keeps in scratch.
 * Invariants: nx and ny are multiples of 8 in [16, 512]; h, mx, my, u, v, c hold nx * ny
 * cells in row-major order (cell (i, j) at j * nx + i); flux0 and flux hold 3 * nx values;
 * ready != 0 only right after a check pass succeeded on the current state (u, v, c then
 * hold that state's primitive variables).
 */
typedef struct erg_swe_sim {
    uint32_t nx, ny;
    int64_t lambda;         /* Courant number dt c0 / dx, Q24 */
    int32_t *h, *mx, *my;   /* depth and momenta, Q24 */
    int32_t *u, *v, *c;     /* per-step cache: velocities and celerity, Q24 */
    int64_t *flux0, *flux;  /* y-face fluxes: of row 0's south faces, and of the row below */
    int ready;
} erg_swe_sim;

/* A flat sim at rest at the base depth; lambda in [1, 2^23]. */
erg_code erg_swe_sim_create(erg_swe_sim **out, uint32_t nx, uint32_t ny, int64_t lambda, erg_err *err) ERG_WARN_UNUSED;
void erg_swe_sim_destroy(erg_swe_sim *s);
/* Base depth plus the bumps (summed in order), zero velocity. */
void erg_swe_sim_init(erg_swe_sim *s, const erg_swe_bump *bumps, size_t n);
/* Check every cell against the range guard and the CFL bound and cache u, v, c; returns an
 * ERG_SWE_STATUS_* (OK lets erg_swe_sim_advance take one step) and fills *st on success. */
uint32_t erg_swe_sim_check(erg_swe_sim *s, erg_swe_stats *st);
/* One Rusanov step in place; ERG_ERR_ARG unless the last call was a successful check. */
erg_code erg_swe_sim_advance(erg_swe_sim *s, erg_err *err) ERG_WARN_UNUSED;
/* Total volume sum(h), Q24 (exact). */
int64_t erg_swe_sim_volume(const erg_swe_sim *s);

/* The unit's bumps, drawn from its seed (stream 0); out holds p->v[ERG_SWE_P_BUMPS] entries. */
void erg_swe_draw_bumps(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t seed[32],
                        erg_swe_bump *out);

#endif
