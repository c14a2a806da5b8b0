/* Deterministic math for kernels, in the common subset of C11 and OpenCL C 1.2. */
#ifndef ERG_KERNELS_DETMATH_H
#define ERG_KERNELS_DETMATH_H

/*
 * Compiled into the C references and prepended to every OpenCL program after philox.h.
 * Only + - * and correctly rounded / and sqrt on float/double values, no library
 * transcendentals, no fma contraction (C: -ffp-contract=off; OpenCL: FP_CONTRACT OFF), so
 * every function here returns the same bits on every device.
 */

/* Uniform float in [0, 1) with 24 random bits: exact, no rounding. */
ERG_FN float erg_u32_to_unit_float(erg_u32 x)
{
    return (float)(x >> 8) * (1.0f / 16777216.0f);
}

#endif
