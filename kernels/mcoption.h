/* Kernel mcoption: host-side helpers shared by the kernel module and its tests (constants, statistics). */
#ifndef ERG_KERNELS_MCOPTION_H
#define ERG_KERNELS_MCOPTION_H

#include <stdint.h>

#include "kernels/kernel.h"
#include "kernels/mcoption_shared.h"

extern const erg_kernel erg_kernel_mcoption;

/* The per-step constants handed to both backends (see derive in mcoption.c for the formulas). */
typedef struct erg_mcoption_consts {
    uint64_t drift_q48; /* |(r - sigma^2/2) dt / ln 2|, Q48 */
    int drift_neg;      /* 1 when r < sigma^2/2 */
    uint64_t vol_q61;   /* sigma sqrt(dt) / ln 2, Q61 */
    uint64_t strike_q32; /* K / S0, Q32 */
    uint64_t disc_q63;  /* e^(-rT), Q63 */
} erg_mcoption_consts;

/* Validate p, then compute its constants with integer arithmetic only. */
erg_code erg_mcoption_derive(const erg_kparams *p, erg_mcoption_consts *c, erg_err *err) ERG_WARN_UNUSED;

/* Estimate and standard error of one observable, in currency units. */
typedef struct erg_mcoption_stat {
    double mean; /* price of the payoff (or mean discounted spot) */
    double se;   /* standard error of mean; NaN with a single path */
} erg_mcoption_stat;

/* Observables in output order: European call, European put, Asian call, Asian put, discounted S_T. */
enum { ERG_MCO_EURO_CALL, ERG_MCO_EURO_PUT, ERG_MCO_ASIAN_CALL, ERG_MCO_ASIAN_PUT, ERG_MCO_DISC_SPOT };

/* Read an output (from one unit or the exact sum of several) into estimates; rejects a bad size. */
erg_code erg_mcoption_stats(const erg_kparams *p, const uint8_t *out, size_t out_len,
                            erg_mcoption_stat st[ERG_MCO_NOBS], uint64_t *paths, erg_err *err) ERG_WARN_UNUSED;

/* Black-Scholes prices for p (libm doubles: a reference for describe and tests, not consensus). */
void erg_mcoption_black_scholes(const erg_kparams *p, double *call, double *put);

#endif
