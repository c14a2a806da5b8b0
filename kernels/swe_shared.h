/* Shallow-water kernel arithmetic shared verbatim by the C reference (kernels/swe.c) and kernels/swe.cl. */
#ifndef ERG_KERNELS_SWE_SHARED_H
#define ERG_KERNELS_SWE_SHARED_H

/*
 * Written in the common subset of C11 and OpenCL C 1.2, like philox.h: the runtime prepends
 * this text to kernels/swe.cl, and kernels/swe.c includes it. Everything here is integer
 * arithmetic whose results are fixed by the C99/OpenCL rules (two's-complement wrap never
 * happens: every product is bounded below 2^62 by the range guard, see doc/kernels/swe.md).
 *
 * Units (nondimensional, g = 1): depth in units of the base depth H, velocity in units of
 * c0 = sqrt(g H), length in cells dx, time in dx / c0. All state is fixed point with
 * ERG_SWE_Q fraction bits: h = 2^24 is the base depth; hu = 2^24 is H * c0.
 * Every rounding step truncates toward zero (never floors), so the scheme commutes exactly
 * with mirror images (u -> -u): a symmetric initial state stays bit-for-bit symmetric.
 */

#ifndef __OPENCL_C_VERSION__
#include <stdint.h>

#include "kernels/philox.h"
typedef int32_t erg_swe_i32;
typedef int64_t erg_swe_i64;
#else
typedef int erg_swe_i32;
typedef long erg_swe_i64;
#endif

#define ERG_SWE_Q 24
#define ERG_SWE_ONE ((erg_swe_i64)1 << ERG_SWE_Q) /* base depth H; also c0 and H * c0 */
#define ERG_SWE_BLOCKS 8                          /* the summary is ERG_SWE_BLOCKS^2 blocks */
#define ERG_SWE_NBLOCKS (ERG_SWE_BLOCKS * ERG_SWE_BLOCKS)
#define ERG_SWE_NCHECK 17                         /* energy checkpoints: steps * k / 16, k = 0..16 */

/*
 * Range guard, checked on every cell before every step. Inside it (and with the CFL bound
 * below) every intermediate fits in 62 bits and every updated state value in 31 bits.
 */
#define ERG_SWE_H_MIN ((erg_swe_i64)1 << 18)   /* H / 64 */
#define ERG_SWE_H_MAX ((erg_swe_i64)1 << 26)   /* 4 H */
#define ERG_SWE_M_MAX ((erg_swe_i64)1 << 27)   /* |hu|, |hv| <= 8 H c0 */
#define ERG_SWE_VEL_MAX ((erg_swe_i64)1 << 26) /* |u|, |v| <= 4 c0 */
/* lambda * (max(|u|,|v|) + c) <= 1/2 (Q24 * Q24): keeps the Rusanov update a convex combination. */
#define ERG_SWE_CFL_LIMIT ((erg_swe_i64)1 << 47)

/* Unit status (output word 0). */
#define ERG_SWE_STATUS_OK 0u
#define ERG_SWE_STATUS_CFL 1u   /* a cell's signal speed broke the CFL bound: stopped */
#define ERG_SWE_STATUS_RANGE 2u /* a cell left the range guard: stopped */

/* Output layout (little-endian), see doc/kernels/swe.md. */
#define ERG_SWE_OFF_STATUS 0
#define ERG_SWE_OFF_STEPS 4
#define ERG_SWE_OFF_VOL0 8
#define ERG_SWE_OFF_VOL1 16
#define ERG_SWE_OFF_ENERGY 24 /* ERG_SWE_NCHECK u64 */
#define ERG_SWE_OFF_HMIN 160
#define ERG_SWE_OFF_HMAX 164
#define ERG_SWE_OFF_SMAX 168
#define ERG_SWE_OFF_MEAN 172 /* ERG_SWE_NBLOCKS i32: final block mean depth */
#define ERG_SWE_OFF_ENV 428  /* ERG_SWE_NBLOCKS i32: block maximum depth over the run */
#define ERG_SWE_OUT_SIZE 684
#define ERG_SWE_ENERGY_NONE (~(erg_u64)0) /* checkpoint not reached (stopped early) */

/* x / 2^s rounded toward zero: an odd function, so mirrored inputs give mirrored outputs. */
ERG_FN erg_swe_i64 erg_swe_shr(erg_swe_i64 x, int s)
{
    return x >= 0 ? (x >> s) : -((-x) >> s);
}

/*
 * floor(sqrt(x)), exact, digit by digit without branches on the data. top is a power of four
 * with x < 4 * top (2^62 covers every x); a small top skips the leading zero digits.
 */
ERG_FN erg_swe_i64 erg_swe_isqrt(erg_u64 x, erg_u64 top)
{
    erg_u64 r = 0, bit = top;
    while (bit != 0) {
        erg_u64 t = r + bit;
        erg_u64 ge = (erg_u64)0 - (erg_u64)(x >= t); /* all ones when the digit is 1 */
        x -= t & ge;
        r = (r >> 1) + (bit & ge);
        bit >>= 2;
    }
    return (erg_swe_i64)r;
}

/* Offset in doubled cell units, wrapped to the nearest periodic image; n2 = 2 * grid side. */
ERG_FN erg_swe_i64 erg_swe_wrap(erg_swe_i64 d, erg_swe_i64 n2)
{
    if (d > n2 / 2) return d - n2;
    if (d < -n2 / 2) return d + n2;
    return d;
}

/*
 * One compact bump amp * (1 - d^2/R^2)^2 (zero for d >= R) at squared distance d2 in doubled
 * units (so R is 2 * radius there). C1-smooth and made of exact integer operations only.
 * |amp| <= 2^23 and radius <= 256 keep amp * s^2 below 2^59.
 */
ERG_FN erg_swe_i64 erg_swe_bump_height(erg_swe_i64 d2, erg_swe_i64 radius, erg_swe_i64 amp)
{
    erg_swe_i64 r2 = 4 * radius * radius;
    erg_swe_i64 s;
    if (d2 >= r2) return 0;
    s = r2 - d2;
    return amp * s * s / (r2 * r2);
}

/*
 * Draw one bump from the unit's stream: centre (doubled coordinates, any cell centre or
 * corner), radius in [ceil(rmax/2), rmax] cells, amplitude uniform in [-amp_max, amp_max].
 * b = {cx2, cy2, radius, amp}.
 */
ERG_FN void erg_swe_draw_bump(erg_rng *r, erg_u32 nx, erg_u32 ny, erg_u32 rmax, erg_u32 amp_max, erg_swe_i32 b[4])
{
    erg_u32 rmin = (rmax + 1) / 2;
    b[0] = (erg_swe_i32)erg_rng_below(r, 2 * nx);
    b[1] = (erg_swe_i32)erg_rng_below(r, 2 * ny);
    b[2] = (erg_swe_i32)(rmin + erg_rng_below(r, rmax - rmin + 1));
    b[3] = (erg_swe_i32)((erg_swe_i64)erg_rng_below(r, 2 * amp_max + 1) - (erg_swe_i64)amp_max);
}

/*
 * Primitive variables of one cell: velocities u, v (Q24, c0 units; u = hu * (2^48 / h) / 2^24,
 * both steps truncated), celerity c (floor(sqrt(h_Q24)) + 1) * 2^12, the smallest multiple of
 * 2^-12 above sqrt(h), and signal speed s = max(|u|, |v|) + c. Returns ERG_SWE_STATUS_OK, or the reason the cell
 * fails the guard (then the outputs are unspecified and the step must not be taken).
 */
ERG_FN erg_u32 erg_swe_cell(erg_swe_i64 lambda, erg_swe_i64 h, erg_swe_i64 mx, erg_swe_i64 my, erg_swe_i64 *u,
                            erg_swe_i64 *v, erg_swe_i64 *c, erg_swe_i64 *s)
{
    erg_swe_i64 rec, au, av;
    if (h < ERG_SWE_H_MIN || h > ERG_SWE_H_MAX) return ERG_SWE_STATUS_RANGE;
    if (mx < -ERG_SWE_M_MAX || mx > ERG_SWE_M_MAX || my < -ERG_SWE_M_MAX || my > ERG_SWE_M_MAX)
        return ERG_SWE_STATUS_RANGE;
    rec = ((erg_swe_i64)1 << (2 * ERG_SWE_Q)) / h; /* one division per cell; <= 2^30 */
    *u = erg_swe_shr(mx * rec, ERG_SWE_Q);
    *v = erg_swe_shr(my * rec, ERG_SWE_Q);
    au = *u < 0 ? -*u : *u;
    av = *v < 0 ? -*v : *v;
    if (au > ERG_SWE_VEL_MAX || av > ERG_SWE_VEL_MAX) return ERG_SWE_STATUS_RANGE;
    /* sqrt(h) rounded up to the next multiple of 2^-12 (H_MAX = 4^13 bounds h): 14 digit steps. */
    *c = (erg_swe_isqrt((erg_u64)h, (erg_u64)ERG_SWE_H_MAX) + 1) << (ERG_SWE_Q / 2);
    *s = (au > av ? au : av) + *c;
    if (lambda * *s > ERG_SWE_CFL_LIMIT) return ERG_SWE_STATUS_CFL;
    return ERG_SWE_STATUS_OK;
}

/* The cell's energy (h u^2 + h v^2 + (h - H)^2) / 2 in Q32 (units of rho g H^2 dx^2), truncated. */
ERG_FN erg_u64 erg_swe_cell_energy(erg_swe_i64 h, erg_swe_i64 mx, erg_swe_i64 my, erg_swe_i64 u, erg_swe_i64 v)
{
    erg_swe_i64 eta = h - ERG_SWE_ONE;
    return (erg_u64)(mx * u + my * v + eta * eta) >> (2 * ERG_SWE_Q - 32 + 1);
}

/*
 * Rusanov (local Lax-Friedrichs) flux through one face, already multiplied by lambda =
 * dt c0 / dx, in state units per step. L is the cell on the low side, R on the high side;
 * n is the momentum normal to the face, t the tangential one, un the normal velocity, c the
 * celerity. f = {mass, normal momentum, tangential momentum}. The caller subtracts f from
 * one cell and adds the same integers to the other, so mass and momentum are conserved
 * exactly.
 */
ERG_FN void erg_swe_flux(erg_swe_i64 lambda, erg_swe_i64 hL, erg_swe_i64 nL, erg_swe_i64 tL, erg_swe_i64 unL,
                         erg_swe_i64 cL, erg_swe_i64 hR, erg_swe_i64 nR, erg_swe_i64 tR, erg_swe_i64 unR,
                         erg_swe_i64 cR, erg_swe_i64 f[3])
{
    erg_swe_i64 aL = (unL < 0 ? -unL : unL) + cL;
    erg_swe_i64 aR = (unR < 0 ? -unR : unR) + cR;
    erg_swe_i64 a = aL > aR ? aL : aR;
    /* Twice the flux, Q24: F(L) + F(R) - a (U_R - U_L). */
    erg_swe_i64 fh = nL + nR - erg_swe_shr(a * (hR - hL), ERG_SWE_Q);
    erg_swe_i64 fn = erg_swe_shr(nL * unL, ERG_SWE_Q) + erg_swe_shr(nR * unR, ERG_SWE_Q) +
                     erg_swe_shr(hL * hL, ERG_SWE_Q + 1) + erg_swe_shr(hR * hR, ERG_SWE_Q + 1) -
                     erg_swe_shr(a * (nR - nL), ERG_SWE_Q);
    erg_swe_i64 ft = erg_swe_shr(tL * unL, ERG_SWE_Q) + erg_swe_shr(tR * unR, ERG_SWE_Q) -
                     erg_swe_shr(a * (tR - tL), ERG_SWE_Q);
    f[0] = erg_swe_shr(lambda * fh, ERG_SWE_Q + 1);
    f[1] = erg_swe_shr(lambda * fn, ERG_SWE_Q + 1);
    f[2] = erg_swe_shr(lambda * ft, ERG_SWE_Q + 1);
}

#endif
