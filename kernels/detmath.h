/* Deterministic math for kernels, in the common subset of C11 and OpenCL C 1.2. */
#ifndef ERG_KERNELS_DETMATH_H
#define ERG_KERNELS_DETMATH_H

/*
 * Compiled into the C references and prepended to every OpenCL program after philox.h.
 * Only + - * and correctly rounded / and sqrt on float/double values, no library
 * transcendentals, no fma contraction (C: -ffp-contract=off; OpenCL: FP_CONTRACT OFF), so
 * every function here returns the same bits on every device.
 */

#ifndef __OPENCL_C_VERSION__
#include "kernels/philox.h"
#endif

/* Uniform float in [0, 1) with 24 random bits: exact, no rounding. */
ERG_FN float erg_u32_to_unit_float(erg_u32 x)
{
    return (float)(x >> 8) * (1.0f / 16777216.0f);
}

/*
 * Fixed-point toolkit. Everything below is integer arithmetic only (64-bit add, subtract,
 * multiply, shift, compare), so it is bit-identical on every device by construction: no
 * rounding modes, no subnormals, no fp64 extension needed. A value "in Qn" is the unsigned
 * integer v standing for v / 2^n. Transcendentals are Taylor series evaluated by Horner's
 * rule in a fixed order, written so that every intermediate is non-negative (alternating
 * series are nested as a - w*(b - w*(...)), each bracket provably positive), with
 * coefficients 2^n / k! that are integer constant expressions; range reduction is exact
 * (binary exponent, octant of a turn) except for the two tabulated log constants below.
 * Accuracy of each function is stated on it and checked against long double libm in
 * test/unit/test_mcoption.c.
 */

#ifdef __OPENCL_C_VERSION__
typedef int erg_i32;
typedef long erg_i64;
#define ERG_CONSTANT __constant
#else
typedef int32_t erg_i32;
typedef int64_t erg_i64;
#define ERG_CONSTANT static const
#endif

#define ERG_Q62 ((erg_u64)1 << 62)
#define ERG_Q63 ((erg_u64)1 << 63)

/* ln 2 in Q64, Q63 and Q59; 1/ln 2 in Q62; pi/4 in Q64 (all rounded to nearest). */
#define ERG_FX_LN2_Q64 ((erg_u64)0xB17217F7D1CF79ACUL)
#define ERG_FX_LN2_Q63 ((erg_u64)0x58B90BFBE8E7BCD6UL)
#define ERG_FX_LN2_Q59 ((erg_u64)0x058B90BFBE8E7BCDUL)
#define ERG_FX_INVLN2_Q62 ((erg_u64)0x5C551D94AE0BF85EUL)
#define ERG_FX_PI4_Q64 ((erg_u64)0xC90FDAA22168C235UL)

/*
 * Where 64x64 -> 128-bit products come from: a 128-bit type where the compiler offers one on
 * a 64-bit CPU (gcc/clang C, and clang compiling OpenCL C for a CPU device such as PoCL's),
 * which is one widening multiply (x86-64 mulq, AArch64 umulh); otherwise OpenCL's mul_hi (a
 * GPU's own multiply-high sequence); otherwise four 32-bit partial products. PoCL's library
 * mul_hi(ulong) is itself four 32-bit partial products that LLVM does not fuse back into one
 * multiply; it made the mcoption kernel about 3x slower than this path (doc/kernels/mcoption.md).
 * GPU targets are excluded by the architecture test (clang defines __SIZEOF_INT128__ for
 * nvptx64 too), so they keep mul_hi.
 */
#if defined(__SIZEOF_INT128__) && (!defined(__OPENCL_C_VERSION__) || defined(__x86_64__) || defined(__aarch64__))
#define ERG_MULHI64_WIDE 1
#elif defined(__OPENCL_C_VERSION__)
#define ERG_MULHI64_NATIVE 1
#endif

/* High 64 bits of the 128-bit product a * b. */
ERG_FN erg_u64 erg_mulhi64(erg_u64 a, erg_u64 b)
{
#if defined(ERG_MULHI64_WIDE)
    return (erg_u64)(((unsigned __int128)a * b) >> 64);
#elif defined(ERG_MULHI64_NATIVE)
    return mul_hi(a, b);
#else
    erg_u64 a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    erg_u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    erg_u64 mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* floor(a * b / 2^s) for 1 <= s <= 63; the caller guarantees the result fits in 64 bits. */
ERG_FN erg_u64 erg_fx_mulshr(erg_u64 a, erg_u64 b, erg_u32 s)
{
    return (erg_mulhi64(a, b) << (64 - s)) | ((a * b) >> s);
}

/* a * b / 2^s rounded to nearest (ties up), 1 <= s <= 63; the result must fit in 64 bits. */
ERG_FN erg_u64 erg_fx_mulshr_rn(erg_u64 a, erg_u64 b, erg_u32 s)
{
    erg_u64 lo = a * b, hi = erg_mulhi64(a, b);
    erg_u64 lo2 = lo + ((erg_u64)1 << (s - 1));
    hi += (erg_u64)(lo2 < lo);
    return (hi << (64 - s)) | (lo2 >> s);
}

/* Number of leading zero bits of x, for x != 0. */
ERG_FN erg_u32 erg_clz64(erg_u64 x)
{
#if defined(__OPENCL_C_VERSION__)
    return (erg_u32)clz(x);
#elif defined(__GNUC__)
    return (erg_u32)__builtin_clzll(x);
#else
    erg_u32 n = 0;
    if (!(x >> 32)) { n += 32; x <<= 32; }
    if (!(x >> 48)) { n += 16; x <<= 16; }
    if (!(x >> 56)) { n += 8; x <<= 8; }
    if (!(x >> 60)) { n += 4; x <<= 4; }
    if (!(x >> 62)) { n += 2; x <<= 2; }
    if (!(x >> 63)) n += 1;
    return n;
#endif
}

/*
 * 1/sqrt(a) for a in [1/4, 1) given in Q64 (so a >= 2^62), in Q62, relative error below 2^-60:
 * a quadratic first guess (within 3%) and four Newton steps r <- r (3 - a r^2) / 2, each of
 * which squares the relative error (3% -> 2^-10 -> 2^-19 -> 2^-37 -> below 2^-62 before rounding).
 */
ERG_FN erg_u64 erg_fx_rsqrt_q64(erg_u64 a)
{
    /* 2.62865 - a (3.13397 - 1.52318 a) in Q61, positive on the whole interval */
    erg_u64 r = 0x541DE486447D8400UL - erg_mulhi64(a, 0x64497D2BEBA38000UL - erg_mulhi64(a, 0x30BDECBCCB25DA00UL));
    int i;
    r <<= 1; /* Q62 */
    for (i = 0; i < 4; i++) {
        erg_u64 ar2 = erg_mulhi64(a, erg_mulhi64(r, r)); /* a r^2 in Q60, close to 1 */
        r = erg_fx_mulshr(r, ((erg_u64)3 << 60) - ar2, 61);
    }
    return r;
}

/*
 * sqrt(x * 2^64) for any x, within one unit plus 2^-59 relative: for x in Qn (n even) this is
 * sqrt(x) in Q(n/2 + 32). x is normalised by an even shift to a in [1/4, 1), and sqrt(a) = a / sqrt(a).
 */
ERG_FN erg_u64 erg_fx_sqrt_hi(erg_u64 x)
{
    erg_u32 h = erg_clz64(x | 1u) >> 1; /* x << 2h lies in [2^62, 2^64) unless x == 0 */
    erg_u64 a = x << (2 * h);
    erg_u64 s = erg_mulhi64(a, erg_fx_rsqrt_q64(a)); /* sqrt(a) in Q62 */
    /* sqrt(x 2^64) = sqrt(a) 2^(64 - h), i.e. the Q62 value s times 2^(2 - h). */
    if (x == 0) return 0;
    if (s >= ERG_Q62) s = ERG_Q62 - 1u; /* sqrt(a) < 1: only a last-bit overshoot can reach 1 */
    if (h <= 2) return s << (2 - h);
    return (s + ((erg_u64)1 << (h - 3))) >> (h - 2);
}

/*
 * round(sqrt(x)), exact (halves cannot occur for integers): a candidate from erg_fx_sqrt_hi,
 * corrected by at most one against the integer bounds y^2 - y < x <= y^2 + y.
 */
ERG_FN erg_u64 erg_isqrt64_rn(erg_u64 x)
{
    erg_u64 y = erg_fx_sqrt_hi(x), lo;
    y = (y >> 32) + ((y >> 31) & 1u);
    lo = y * (y - 1u); /* y <= 2^32, so y^2 - y fits; for y == 0 it wraps to 0 */
    if (x <= lo && y > 0)
        y -= 1u;
    else if (x - lo > 2 * y)
        y += 1u;
    return y;
}

/*
 * 2^(f / 2^64) for f in [0, 2^64), in Q62 (so in [2^62, 2^63)). g = f ln 2 < ln 2, then
 * exp(g) by its Taylor series to degree 16 (remainder < 2^-57); result below the true value
 * by less than 2^-55 relative.
 */
ERG_FN erg_u64 erg_fx_exp2_frac(erg_u64 f)
{
    erg_u64 g = erg_mulhi64(f, ERG_FX_LN2_Q64); /* Q64 */
    erg_u64 u = ERG_Q62 / 20922789888000UL;     /* 1/16! */
    u = ERG_Q62 / 1307674368000UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 87178291200UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 6227020800UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 479001600UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 39916800UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 3628800UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 362880UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 40320UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 5040UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 720UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 120UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 24UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 6UL + erg_mulhi64(g, u);
    u = ERG_Q62 / 2UL + erg_mulhi64(g, u);
    u = ERG_Q62 + erg_mulhi64(g, u);
    return ERG_Q62 + erg_mulhi64(g, u);
}

/* 2^(-y / 2^48) for y >= 0 (y in Q48), in Q63 rounded to nearest: 2^63 at y = 0, 0 once y >= 64. */
ERG_FN erg_u64 erg_fx_exp2_neg_q48(erg_u64 y)
{
    erg_u64 n = y >> 48, fr = y & (((erg_u64)1 << 48) - 1), m;
    if (n >= 64) return 0;
    if (fr == 0) return ERG_Q63 >> n;
    /* 2^-y = 2^(-n-1) * 2^(1-fr) with 2^(1-fr) in (1, 2) as m in Q62, so the Q63 value is m / 2^n. */
    m = erg_fx_exp2_frac((((erg_u64)1 << 48) - fr) << 16);
    if (n == 0) return m;
    return (m + ((erg_u64)1 << (n - 1))) >> n;
}

/* e^(-x / 2^32) for x >= 0 (x in Q32), in Q63 rounded to nearest; 0 once x >= 64 (e^-64 < 2^-92). */
ERG_FN erg_u64 erg_fx_exp_neg_q32(erg_u64 x)
{
    if (x >= ((erg_u64)64 << 32)) return 0;
    /* x / ln 2 in Q48: x < 2^38, so the product is below 2^101 and the result below 2^55. */
    return erg_fx_exp2_neg_q48(erg_fx_mulshr_rn(x, ERG_FX_INVLN2_Q62, 46));
}

/*
 * Table for ln on [1, 2): c_j = ceil(2^68 / (32 + j)), i.e. 32/(32+j) rounded up in Q63, and
 * ln(1/c_j) in Q63 rounded to nearest (computed once with 80-digit decimal arithmetic; the
 * unit test recomputes c_j exactly and checks ln(1/c_j) against logl).
 */
ERG_CONSTANT erg_u64 erg_fx_ln_c[32] = {
    0x8000000000000000UL, 0x7C1F07C1F07C1F08UL, 0x7878787878787879UL, 0x7507507507507508UL,
    0x71C71C71C71C71C8UL, 0x6EB3E45306EB3E46UL, 0x6BCA1AF286BCA1B0UL, 0x6906906906906907UL,
    0x6666666666666667UL, 0x63E7063E7063E707UL, 0x6186186186186187UL, 0x5F417D05F417D060UL,
    0x5D1745D1745D1746UL, 0x5B05B05B05B05B06UL, 0x590B21642C8590B3UL, 0x572620AE4C415C99UL,
    0x5555555555555556UL, 0x5397829CBC14E5E1UL, 0x51EB851EB851EB86UL, 0x5050505050505051UL,
    0x4EC4EC4EC4EC4EC5UL, 0x4D4873ECADE304D5UL, 0x4BDA12F684BDA130UL, 0x4A7904A7904A7905UL,
    0x4924924924924925UL, 0x47DC11F7047DC120UL, 0x469EE58469EE5847UL, 0x456C797DD49C3412UL,
    0x4444444444444445UL, 0x4325C53EF368EB05UL, 0x4210842108421085UL, 0x4104104104104105UL,
};
ERG_CONSTANT erg_u64 erg_fx_ln_inv_c[32] = {
    0x0000000000000000UL, 0x03F05361CF066009UL, 0x07C28C300458A998UL, 0x0B78694572B5A5CDUL,
    0x0F1383B7157972F4UL, 0x129552F81FF5234BUL, 0x15FF3070A793D3C7UL, 0x19525A9CF456B476UL,
    0x1C8FF7C79A9A21ABUL, 0x1FB9186D5E3E2A8CUL, 0x22CEB957574C1C06UL, 0x25D1C575C23A6137UL,
    0x28C3178438BD84FAUL, 0x2BA37B7EB01394A1UL, 0x2E73AFED77A00D38UL, 0x3134670D8284B56BUL,
    0x33E647D97F3097E4UL, 0x3689EEF7991EC519UL, 0x391FEF8F35344357UL, 0x3BA8D4098389417DUL,
    0x3E251EBF5E0DD967UL, 0x40954A969743FB1AUL, 0x42F9CB9094AA0AD9UL, 0x45530F4BD357A6A6UL,
    0x47A17D79C10340F7UL, 0x49E5784A26C46BADUL, 0x4C1F5CCD3C42F87EUL, 0x4E4F834D58A866A6UL,
    0x50763FA119CAB990UL, 0x5293E176C0FAEC07UL, 0x54A8B4996F16ABB8UL, 0x56B50130D67CB3EBUL,
};

/*
 * ln(x) for x in [1, 2) given in Q63 (x in [2^63, 2^64)), result in Q63, within 2^-58.
 * The top five fraction bits pick c_j with x c_j - 1 = y in [0, 1/32); then
 * ln x = ln(1 + y) + ln(1/c_j), with ln(1 + y) = y (1 - y (1/2 - y (1/3 - ...))) to degree 10.
 */
ERG_FN erg_u64 erg_fx_ln_q63(erg_u64 x)
{
    erg_u32 j = (erg_u32)(x >> 58) & 31u;
    erg_u64 y = (erg_fx_mulshr(x, erg_fx_ln_c[j], 63) - ERG_Q63) << 1; /* Q64, below 2^59 */
    erg_u64 u = ERG_Q63 / 10u;
    u = ERG_Q63 / 9u - erg_mulhi64(y, u);
    u = ERG_Q63 / 8u - erg_mulhi64(y, u);
    u = ERG_Q63 / 7u - erg_mulhi64(y, u);
    u = ERG_Q63 / 6u - erg_mulhi64(y, u);
    u = ERG_Q63 / 5u - erg_mulhi64(y, u);
    u = ERG_Q63 / 4u - erg_mulhi64(y, u);
    u = ERG_Q63 / 3u - erg_mulhi64(y, u);
    u = ERG_Q63 / 2u - erg_mulhi64(y, u);
    u = ERG_Q63 - erg_mulhi64(y, u);
    return erg_mulhi64(y, u) + erg_fx_ln_inv_c[j];
}

/*
 * -ln((w + 1) / 2^32) in Q59 for a uniform word w: the argument lies in (0, 1], the result in
 * [0, 32 ln 2]. The binary exponent is split off exactly; the mantissa goes to erg_fx_ln_q63.
 */
ERG_FN erg_u64 erg_fx_neg_ln_unit(erg_u32 w)
{
    erg_u64 m = (erg_u64)w + 1u;
    erg_u32 lz = erg_clz64(m);                      /* 31..63 */
    erg_u64 lnx = erg_fx_ln_q63(m << lz);            /* mantissa in [1, 2) */
    erg_u64 e = (erg_u64)(lz - 31u);                 /* m = 2^(32 - e) * mantissa */
    /* -ln u = e ln 2 - ln(mantissa) >= 0 (equality only at u = 1, where both terms are 0). */
    return e * ERG_FX_LN2_Q59 - ((lnx + 8u) >> 4);
}

/*
 * sin and cos of phi = (pi/4) t / 2^29 for t in [0, 2^29] (so phi in [0, pi/4]), in Q63,
 * within 2^-60: Taylor series to degree 17 (sin) and 18 (cos) in nested positive form.
 */
ERG_FN void erg_fx_sincos_oct(erg_u32 t, erg_u64 *s, erg_u64 *c)
{
    erg_u64 phi = erg_fx_mulshr_rn((erg_u64)t, ERG_FX_PI4_Q64, 29); /* Q64 */
    erg_u64 w = erg_mulhi64(phi, phi);                               /* phi^2, Q64 */
    erg_u64 u = ERG_Q63 / 355687428096000UL;                         /* 1/17! */
    u = ERG_Q63 / 1307674368000UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 6227020800UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 39916800UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 362880UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 5040UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 120UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 6UL - erg_mulhi64(w, u);
    u = ERG_Q63 - erg_mulhi64(w, u);
    *s = erg_mulhi64(phi, u); /* phi (Q64) times sin(phi)/phi (Q63) */
    u = ERG_Q63 / 6402373705728000UL; /* 1/18! */
    u = ERG_Q63 / 20922789888000UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 87178291200UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 479001600UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 3628800UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 40320UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 720UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 24UL - erg_mulhi64(w, u);
    u = ERG_Q63 / 2UL - erg_mulhi64(w, u);
    *c = ERG_Q63 - erg_mulhi64(w, u);
}

/*
 * sin and cos of the angle 2 pi w / 2^32 as magnitudes in Q63 plus sign flags (1 = negative).
 * The top three bits of w pick the octant; the rest is reduced exactly to [0, pi/4].
 */
ERG_FN void erg_fx_sincos_turn_mag(erg_u32 w, erg_u64 *sin_mag, erg_u32 *sin_neg, erg_u64 *cos_mag,
                                   erg_u32 *cos_neg)
{
    erg_u32 o = w >> 29, t = w & 0x1FFFFFFFu, swap;
    erg_u64 s, c;
    if (o & 1u) t = 0x20000000u - t; /* odd octants measure from the next multiple of pi/4 */
    erg_fx_sincos_oct(t, &s, &c);
    swap = ((o + 1u) >> 1) & 1u; /* octants 1, 2, 5, 6 exchange sin and cos */
    *sin_mag = swap ? c : s;
    *cos_mag = swap ? s : c;
    *sin_neg = o >> 2;              /* octants 4..7 */
    *cos_neg = ((o + 2u) >> 2) & 1u; /* octants 2..5 */
}

/*
 * Two independent standard normal variates from two uniform words (Box-Muller):
 * z0 = R cos(theta), z1 = R sin(theta), R = sqrt(-2 ln u), u = (w0 + 1) / 2^32, theta = 2 pi w1 / 2^32.
 * Output in Q32, two's complement, within 2^-32 of the exact transform of (w0, w1);
 * |z| <= sqrt(64 ln 2) < 6.67 (the tail beyond is cut: probability 2^-32 per pair).
 */
ERG_FN void erg_fx_normal_pair(erg_u32 w0, erg_u32 w1, erg_i64 z[2])
{
    erg_u64 r = erg_fx_sqrt_hi(erg_fx_neg_ln_unit(w0)); /* -2 ln u in Q58 is -ln u in Q59; R in Q61 */
    erg_u64 sm, cm, a, b;
    erg_u32 sn, cn;
    erg_fx_sincos_turn_mag(w1, &sm, &sn, &cm, &cn);
    a = (erg_mulhi64(r, cm) + ((erg_u64)1 << 27)) >> 28; /* Q61 * Q63 / 2^64 = Q60 -> Q32 */
    b = (erg_mulhi64(r, sm) + ((erg_u64)1 << 27)) >> 28;
    z[0] = cn ? -(erg_i64)a : (erg_i64)a;
    z[1] = sn ? -(erg_i64)b : (erg_i64)b;
}

#endif
