/* Lennard-Jones MD fixed-point arithmetic shared verbatim by the C reference and ljmd.cl. */
#ifndef ERG_KERNELS_LJMD_SHARED_H
#define ERG_KERNELS_LJMD_SHARED_H

/*
 * Written in the common subset of C11 and OpenCL C 1.2 (like philox.h, which must come
 * first). Every quantity is an integer, so both backends agree bit for bit without any
 * rounding-mode or contraction caveats (the one float square root, in erg_ljmd_bin, only
 * proposes an integer root that integer comparisons then correct):
 *   positions   u32 per coordinate, a fraction of the box (Q32 of L): wrap-around is exact;
 *   velocities, forces, energies, virials: signed Q32 reduced units held as u64 in two's
 *               complement and added modulo 2^64 (defined behaviour, never signed overflow);
 *   products    exact 64x64->128-bit, truncated toward zero on the magnitude, so every
 *               signed product is odd-symmetric.
 * Reduced LJ units throughout: epsilon = sigma = m = k_B = 1.
 */

#ifndef __OPENCL_C_VERSION__
#include <math.h> /* sqrtf, for the RDF bin proposal */
#endif

#define ERG_LJMD_Q 32                               /* fractional bits of every physical quantity */
#define ERG_LJMD_ONE ((erg_u64)1 << ERG_LJMD_Q)
#define ERG_LJMD_R2MIN ((erg_u64)1 << 30)           /* r^2 floor 0.25 (r = 0.5 sigma), Q32 */
#define ERG_LJMD_VMAX ((erg_u64)1024 << ERG_LJMD_Q) /* |velocity component| cap, Q32 */
#define ERG_LJMD_KICK_SHIFT 48                      /* kick constant dt/2 is Q48 */
#define ERG_LJMD_DRIFT_SHIFT 56                     /* drift constant dt/L is Q56 */
#define ERG_LJMD_LAMBDA_SHIFT 28                    /* velocity scale factor is Q28 */
#define ERG_LJMD_RESCALE_EVERY 10                   /* equilibration rescales every 10 steps */
#define ERG_LJMD_NDERIVED 18                        /* derived words used (9 u64, lo word first) */

/* Parameter words, in declaration order. */
#define ERG_LJMD_P_CELLS 0   /* FCC cells per side c; N = 4 c^3 */
#define ERG_LJMD_P_DENSITY 1 /* number density, 1e-6 units */
#define ERG_LJMD_P_TEMP 2    /* set temperature, 1e-6 units */
#define ERG_LJMD_P_DT 3      /* time step, 1e-6 units */
#define ERG_LJMD_P_CUTOFF 4  /* cutoff radius, 1e-6 units */
#define ERG_LJMD_P_EQUIL 5   /* equilibration steps (velocity rescaling) */
#define ERG_LJMD_P_STEPS 6   /* production steps (NVE) */
#define ERG_LJMD_P_SAMPLE 7  /* production steps between samples */
#define ERG_LJMD_P_BINS 8    /* RDF bins over [0, L/2) */

/*
 * Output layout (little-endian; energies, virial and pressure are signed Q32 reduced units
 * for the whole system, averages over the production samples truncated toward zero).
 */
#define ERG_LJMD_OFF_N 0        /* u32: particles N */
#define ERG_LJMD_OFF_SAMPLES 4  /* u32: production samples taken = steps / sample */
#define ERG_LJMD_OFF_BINS 8     /* u32: RDF bins */
#define ERG_LJMD_OFF_EVENTS 12  /* u32: close-contact clamps + velocity caps (saturating); 0 in a sane run */
#define ERG_LJMD_OFF_BOX 16     /* u64: box side L, Q32 */
#define ERG_LJMD_OFF_KE 24      /* i64: <kinetic energy> */
#define ERG_LJMD_OFF_PE 32      /* i64: <potential energy> (truncated and shifted) */
#define ERG_LJMD_OFF_E 40       /* i64: <total energy> */
#define ERG_LJMD_OFF_VIRIAL 48  /* i64: <sum over pairs of r.F> */
#define ERG_LJMD_OFF_PRESS 56   /* i64: (2 <KE> + <virial>) / (3 V), the virial pressure */
#define ERG_LJMD_OFF_E0 64      /* i64: total energy when production starts */
#define ERG_LJMD_OFF_E1 72      /* i64: total energy when production ends */
#define ERG_LJMD_OFF_EDEV 80    /* u64: max over samples of |E - E0| */
#define ERG_LJMD_OFF_HIST 88    /* u64[bins]: pair counts (i < j) per bin, summed over samples */

/*
 * Host-derived constants (kernels/ljmd.c, ljmd_derive), identical in both backends.
 * Invariants: l_q32 in [2^33, 2^37); rc2 <= (L/2)^2 in Q32; kick, drift, press > 0.
 */
typedef struct erg_ljmd_consts {
    erg_u64 l_q32;      /* box side L, Q32 */
    erg_u64 l2c;        /* floor(l_q32^2 / 2^16): r^2 (Q32) = (r2box * l2c) >> 80 */
    erg_u64 rc2;        /* cutoff radius squared, Q32; pairs with r^2 >= rc2 do not interact */
    erg_u64 rc2box;     /* ceil(rc2 * 2^80 / l2c): r2box < rc2box exactly when r^2 (Q32) < rc2 */
    erg_u64 ushift;     /* unshifted pair energy at r^2 = rc2 (Q32 two's complement) */
    erg_u64 kick;       /* dt / 2, Q48 */
    erg_u64 drift;      /* dt / L, Q56: box-fraction step (Q32) = v (Q32) * dt / L */
    erg_u64 ke2_target; /* 2 * kinetic energy at the set temperature = (3N - 3) T, Q32 */
    erg_u64 press;      /* 1 / (3 V), Q64 */
} erg_ljmd_consts;

/* Exact 128-bit product a * b as (hi, lo). */
ERG_FN void erg_ljmd_mul128(erg_u64 a, erg_u64 b, erg_u64 *hi, erg_u64 *lo)
{
#ifdef __OPENCL_C_VERSION__
    *hi = mul_hi(a, b);
    *lo = a * b;
#else
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (erg_u64)(p >> 64);
    *lo = (erg_u64)p;
#endif
}

/* floor(a * b / 2^k) for 0 < k < 64; the caller guarantees the result fits in 64 bits. */
ERG_FN erg_u64 erg_ljmd_mulshr(erg_u64 a, erg_u64 b, int k)
{
    erg_u64 hi, lo;
    erg_ljmd_mul128(a, b, &hi, &lo);
    return (hi << (64 - k)) | (lo >> k);
}

ERG_FN erg_u64 erg_ljmd_neg(erg_u64 x)
{
    return (erg_u64)0 - x;
}

/* |x| of a two's complement value (|INT64_MIN| = 2^63 stays representable as u64). */
ERG_FN erg_u64 erg_ljmd_abs(erg_u64 x)
{
    return (x >> 63) ? erg_ljmd_neg(x) : x;
}

/* Signed x (two's complement) times unsigned b, shifted right by k, truncated toward zero. */
ERG_FN erg_u64 erg_ljmd_smulshr(erg_u64 x, erg_u64 b, int k)
{
    erg_u64 m = erg_ljmd_mulshr(erg_ljmd_abs(x), b, k);
    return (x >> 63) ? erg_ljmd_neg(m) : m;
}

/* Signed x times unsigned b, divided by 2^64, truncated toward zero. */
ERG_FN erg_u64 erg_ljmd_smulhi(erg_u64 x, erg_u64 b)
{
    erg_u64 hi, lo;
    erg_ljmd_mul128(erg_ljmd_abs(x), b, &hi, &lo);
    return (x >> 63) ? erg_ljmd_neg(hi) : hi;
}

/* Signed x divided by n >= 1, truncated toward zero. */
ERG_FN erg_u64 erg_ljmd_sdiv(erg_u64 x, erg_u64 n)
{
    erg_u64 m = erg_ljmd_abs(x) / n;
    return (x >> 63) ? erg_ljmd_neg(m) : m;
}

/* floor((hi * 2^64 + lo) / d), saturating at 2^64 - 1 when the quotient does not fit. */
ERG_FN erg_u64 erg_ljmd_div128(erg_u64 hi, erg_u64 lo, erg_u64 d)
{
    erg_u64 q = 0;
    int i;
    if (hi >= d) return ~(erg_u64)0;
    for (i = 0; i < 64; i++) {
        erg_u64 top = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo <<= 1;
        q <<= 1;
        if (top || hi >= d) {
            hi -= d; /* the true remainder is < d, so the wrap-around of a 65-bit hi is exact */
            q |= 1;
        }
    }
    return q;
}

/* floor(sqrt(x)), bit by bit. */
ERG_FN erg_u64 erg_ljmd_isqrt(erg_u64 x)
{
    erg_u64 r = 0, bit = (erg_u64)1 << 62;
    while (bit > x) bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* |d| of a minimum-image displacement d = s_i - s_j (mod 2^32) read as a signed 32-bit value. */
ERG_FN erg_u32 erg_ljmd_mag(erg_u32 d)
{
    return (d >> 31) ? 0u - d : d;
}

/* Squared minimum-image distance in box units (Q64 of L^2); at most 3 * 2^62, never wraps. */
ERG_FN erg_u64 erg_ljmd_r2box(erg_u32 dx, erg_u32 dy, erg_u32 dz)
{
    erg_u64 mx = erg_ljmd_mag(dx), my = erg_ljmd_mag(dy), mz = erg_ljmd_mag(dz);
    return mx * mx + my * my + mz * mz;
}

/* Squared distance in reduced units, Q32 (at most 3/4 L^2, below 2^42). */
ERG_FN erg_u64 erg_ljmd_r2(const erg_ljmd_consts *c, erg_u64 r2box)
{
    erg_u64 hi, lo;
    erg_ljmd_mul128(r2box, c->l2c, &hi, &lo);
    return hi >> 16;
}

/*
 * The Lennard-Jones pair terms at squared distance r2 (Q32, >= ERG_LJMD_R2MIN, <= 16 * 2^32):
 * u = 4 (r^-12 - r^-6) (unshifted energy), w = 24 (2 r^-12 - r^-6) = r.F (virial) and
 * fr = w / r^2 (force over distance), all Q32 two's complement. Bounds at the floor r = 0.5:
 * s2 <= 2^34, s12 <= 2^44, |fr| < 2^52.
 */
ERG_FN void erg_ljmd_lj(erg_u64 r2, erg_u64 *u, erg_u64 *w, erg_u64 *fr)
{
    erg_u64 s2 = ~(erg_u64)0 / r2; /* 1/r^2, Q32 (within one unit of 2^64 / r2) */
    erg_u64 s4 = erg_ljmd_mulshr(s2, s2, ERG_LJMD_Q);
    erg_u64 s6 = erg_ljmd_mulshr(s4, s2, ERG_LJMD_Q);
    erg_u64 s12 = erg_ljmd_mulshr(s6, s6, ERG_LJMD_Q);
    erg_u64 t = 2 * s12 - s6; /* two's complement: negative beyond r = 2^(1/6) */
    *u = 4 * s12 - 4 * s6;
    *w = 24 * t;
    *fr = erg_ljmd_smulshr(*w, s2, ERG_LJMD_Q);
}

/*
 * Force on particle i from j for the minimum-image displacement (dx, dy, dz) = s_i - s_j
 * whose r2box is given; fills the force components (Q32), the shifted pair energy and the
 * virial and returns 1 if the pair is inside the cutoff, else returns 0 and touches nothing.
 * *clamped is set to 1 when r was raised to 0.5 sigma (never in a sane run).
 */
ERG_FN int erg_ljmd_pair(const erg_ljmd_consts *c, erg_u64 r2box, erg_u32 dx, erg_u32 dy, erg_u32 dz, erg_u64 *fx,
                         erg_u64 *fy, erg_u64 *fz, erg_u64 *u, erg_u64 *w, erg_u32 *clamped)
{
    erg_u64 r2, fr, g, m;
    if (r2box >= c->rc2box) return 0; /* the common case, decided without the 128-bit product */
    r2 = erg_ljmd_r2(c, r2box);
    *clamped = 0;
    if (r2 < ERG_LJMD_R2MIN) {
        r2 = ERG_LJMD_R2MIN;
        *clamped = 1;
    }
    erg_ljmd_lj(r2, u, w, &fr);
    *u -= c->ushift;
    /* F_i = fr * (r_i - r_j); the box-unit displacement times L gives reduced units. */
    g = erg_ljmd_smulshr(fr, c->l_q32, ERG_LJMD_Q);
    m = erg_ljmd_smulshr(g, erg_ljmd_mag(dx), ERG_LJMD_Q);
    *fx = (dx >> 31) ? erg_ljmd_neg(m) : m;
    m = erg_ljmd_smulshr(g, erg_ljmd_mag(dy), ERG_LJMD_Q);
    *fy = (dy >> 31) ? erg_ljmd_neg(m) : m;
    m = erg_ljmd_smulshr(g, erg_ljmd_mag(dz), ERG_LJMD_Q);
    *fz = (dz >> 31) ? erg_ljmd_neg(m) : m;
    return 1;
}

/*
 * RDF bin of a pair: floor(nbins * r / (L/2)) for nbins <= 1024, or nbins when r >= L/2
 * (r2box >= 2^62). With y = floor(r2box * nbins^2 / 2^62) < 2^20, the bin is isqrt(y)
 * (floor(sqrt(floor(x))) = floor(sqrt(x))). A float square root only proposes the root: y
 * and the proposal are exact in float, and the two integer corrections below make the
 * result isqrt(y) whenever the proposal is within one of it, which any sqrt within a few
 * ulps guarantees; so the bin never depends on float rounding.
 */
ERG_FN erg_u32 erg_ljmd_bin(erg_u64 r2box, erg_u32 nbins)
{
    erg_u64 hi, lo;
    erg_u32 y, r;
    if (r2box >= ((erg_u64)1 << 62)) return nbins;
    erg_ljmd_mul128(r2box, (erg_u64)nbins * nbins, &hi, &lo);
    y = (erg_u32)((hi << 2) | (lo >> 62));
#ifdef __OPENCL_C_VERSION__
    r = (erg_u32)sqrt((float)y);
#else
    r = (erg_u32)sqrtf((float)y);
#endif
    r -= (r * r > y);
    r += ((r + 1) * (r + 1) <= y);
    return r;
}

/* Velocity half-kick v += f dt / 2, then the cap |v| <= VMAX; *capped counts a cap. */
ERG_FN erg_u64 erg_ljmd_kick(const erg_ljmd_consts *c, erg_u64 v, erg_u64 f, erg_u64 *capped)
{
    v += erg_ljmd_smulshr(f, c->kick, ERG_LJMD_KICK_SHIFT);
    if (erg_ljmd_abs(v) > ERG_LJMD_VMAX) {
        v = (v >> 63) ? erg_ljmd_neg(ERG_LJMD_VMAX) : ERG_LJMD_VMAX;
        *capped += 1;
    }
    return v;
}

/* Position drift s += v dt / L in box units; the u32 wrap is the periodic boundary. */
ERG_FN erg_u32 erg_ljmd_drift(const erg_ljmd_consts *c, erg_u32 s, erg_u64 v)
{
    return s + (erg_u32)erg_ljmd_smulshr(v, c->drift, ERG_LJMD_DRIFT_SHIFT);
}

/* One velocity component's contribution v^2 (Q32) to 2 * kinetic energy; at most 2^52. */
ERG_FN erg_u64 erg_ljmd_v2(erg_u64 v)
{
    erg_u64 m = erg_ljmd_abs(v);
    return erg_ljmd_mulshr(m, m, ERG_LJMD_Q);
}

/*
 * Scale factor lambda (Q28) that brings 2 * kinetic energy sum_v2 (Q32) to ke2_target:
 * floor(sqrt(ke2_target / sum_v2) * 2^28), capped below 16; 1.0 when sum_v2 is zero.
 */
ERG_FN erg_u64 erg_ljmd_lambda(const erg_ljmd_consts *c, erg_u64 sum_v2)
{
    erg_u64 q;
    if (sum_v2 == 0) return (erg_u64)1 << ERG_LJMD_LAMBDA_SHIFT;
    /* lambda^2 in Q56 = ke2_target * 2^56 / sum_v2; saturates at 2^64 - 1 (lambda < 16). */
    q = erg_ljmd_div128(c->ke2_target >> 8, c->ke2_target << 56, sum_v2);
    return erg_ljmd_isqrt(q);
}

/* One standard-normal-like velocity component, Q32: the Irwin-Hall sum of 12 uniforms - 6. */
ERG_FN erg_u64 erg_ljmd_normal(erg_rng *r)
{
    erg_u64 s = 0;
    int k;
    for (k = 0; k < 12; k++) s += erg_rng_u32(r);
    return s - (erg_u64)6 * ERG_LJMD_ONE;
}

/* FCC lattice site of particle i (cells per side nc) along axis a, as a box fraction (Q32). */
ERG_FN erg_u32 erg_ljmd_fcc(erg_u32 i, erg_u32 nc, int a)
{
    erg_u32 b = i & 3, cell = i >> 2, cx;
    erg_u32 odd; /* 1 if this basis site is offset by half a cell along a */
    /* basis: (0,0,0), (1/2,1/2,0), (1/2,0,1/2), (0,1/2,1/2) in cell units */
    if (a == 0) {
        cx = cell / (nc * nc);
        odd = (b == 1 || b == 2);
    } else if (a == 1) {
        cx = (cell / nc) % nc;
        odd = (b == 1 || b == 3);
    } else {
        cx = cell % nc;
        odd = (b == 2 || b == 3);
    }
    return (erg_u32)((((erg_u64)(2 * cx + odd)) << 32) / (2 * nc));
}

#endif
