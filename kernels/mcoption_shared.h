/* Monte Carlo option pricing: per-step helpers shared verbatim by the C reference and mcoption.cl. */
#ifndef ERG_KERNELS_MCOPTION_SHARED_H
#define ERG_KERNELS_MCOPTION_SHARED_H

/*
 * Written in the common subset of C11 and OpenCL C 1.2 (see philox.h). All arithmetic is
 * fixed point on 64-bit integers (kernels/detmath.h); the formats are:
 *   x      log2(S_t / S0) in Q48, two's complement (|x| < 2^59 for every valid parameter set)
 *   spot   S_t / S0 in Q32, capped below 2^52 (S_t < 2^20 S0)
 *   payoff discounted payoff / S0 in Q32, below 2^52
 * A sum of at most 2^24 payoffs is below 2^76 and a sum of their squares (Q64) below 2^128,
 * so both accumulate exactly in 128 bits (two 64-bit words, low word first).
 */

#ifndef __OPENCL_C_VERSION__
#include "kernels/detmath.h"
#endif

/* x is clamped to [ERG_MCO_X_LO, ERG_MCO_X_HI] before exponentiation; the path itself is not. */
#define ERG_MCO_X_HI (((erg_i64)20 << 48) - 1) /* spot < 2^20 S0 */
#define ERG_MCO_X_LO (-((erg_i64)33 << 48)) /* below this the spot rounds to 0 in Q32 */

/* Output layout: u64 path count, then for each observable u128 sum and u128 sum of squares. */
#define ERG_MCO_NOBS 5
#define ERG_MCO_OUT_SIZE (8 + ERG_MCO_NOBS * 32)

/* Derived words (host-computed, see mcoption.c): drift and volatility per step, strike, discount. */
#define ERG_MCO_D_DRIFT_LO 0 /* |(r - sigma^2/2) dt / ln 2| in Q48, low and high words */
#define ERG_MCO_D_DRIFT_HI 1
#define ERG_MCO_D_DRIFT_NEG 2 /* 1 if the drift is negative */
#define ERG_MCO_D_VOL_LO 3    /* sigma sqrt(dt) / ln 2 in Q61 */
#define ERG_MCO_D_VOL_HI 4
#define ERG_MCO_D_STRIKE_LO 5 /* K / S0 in Q32 */
#define ERG_MCO_D_STRIKE_HI 6
#define ERG_MCO_D_DISC_LO 7 /* e^(-rT) in Q63 */
#define ERG_MCO_D_DISC_HI 8
#define ERG_MCO_D_COUNT 9

/* S_t / S0 = 2^(x / 2^48) in Q32, rounded to nearest, with x clamped as above. */
ERG_FN erg_u64 erg_mco_spot(erg_i64 x)
{
    erg_u64 xo, m;
    erg_u32 sh;
    if (x < ERG_MCO_X_LO) return 0;
    if (x > ERG_MCO_X_HI) x = ERG_MCO_X_HI;
    xo = (erg_u64)(x - ERG_MCO_X_LO); /* in [0, 53 * 2^48) */
    m = erg_fx_exp2_frac((xo & (((erg_u64)1 << 48) - 1)) << 16); /* Q62, in [1, 2) */
    /* x = (xo >> 48) - 33 + frac, so the Q32 value is m / 2^(30 - (xo >> 48) + 33), shift 11..63. */
    sh = 63u - (erg_u32)(xo >> 48);
    return (m + ((erg_u64)1 << (sh - 1))) >> sh;
}

/* Discount a Q32 amount by d (Q63, at most 1): v d / 2^63 rounded to nearest. */
ERG_FN erg_u64 erg_mco_discount(erg_u64 v, erg_u64 d)
{
    return erg_fx_mulshr_rn(v, d, 63);
}

/* acc[0..1] += v and acc[2..3] += v^2, each a 128-bit integer, low word first. */
ERG_FN void erg_mco_accumulate(erg_u64 acc[4], erg_u64 v)
{
    erg_u64 lo = v * v, hi = erg_mulhi64(v, v);
    acc[0] += v;
    acc[1] += (erg_u64)(acc[0] < v);
    acc[2] += lo;
    acc[3] += hi + (erg_u64)(acc[2] < lo);
}

#endif
