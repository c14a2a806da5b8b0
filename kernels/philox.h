/* Philox4x32-10 counter-based RNG, written in the common subset of C11 and OpenCL C 1.2. */
#ifndef ERG_KERNELS_PHILOX_H
#define ERG_KERNELS_PHILOX_H

/*
 * This header is compiled twice: into the C references (as C11) and, verbatim, into every
 * OpenCL program (the runtime prepends it). It must therefore use only what both languages
 * share: 32-bit unsigned arithmetic, no library calls, no address-space-sensitive pointers
 * other than private ones.
 *
 * Seed binding: a unit's 256-bit seed is read as eight little-endian 32-bit words s0..s7.
 *   key     = { s0 ^ s4, s1 ^ s5 }
 *   counter = { block, stream, s2 ^ s6, s3 ^ s7 }
 * so all 256 seed bits influence every draw, `stream` separates independent uses inside one
 * unit (a lattice site, a path, a particle), and `block` counts 128-bit blocks within a
 * stream (at most 2^32 blocks, 2^34 words, per stream).
 */

#ifdef __OPENCL_C_VERSION__
typedef uint erg_u32;
typedef ulong erg_u64;
#define ERG_FN static inline
#else
#include <stdint.h>
typedef uint32_t erg_u32;
typedef uint64_t erg_u64;
#define ERG_FN static inline
#endif

#define ERG_PHILOX_M0 0xD2511F53u
#define ERG_PHILOX_M1 0xCD9E8D57u
#define ERG_PHILOX_W0 0x9E3779B9u
#define ERG_PHILOX_W1 0xBB67AE85u

ERG_FN erg_u32 erg_mulhi32(erg_u32 a, erg_u32 b)
{
    return (erg_u32)(((erg_u64)a * (erg_u64)b) >> 32);
}

/* One Philox4x32-10 block: out = philox(ctr, key). */
ERG_FN void erg_philox4x32_10(const erg_u32 ctr[4], const erg_u32 key[2], erg_u32 out[4])
{
    erg_u32 c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    erg_u32 k0 = key[0], k1 = key[1];
    int r;
    for (r = 0; r < 10; r++) {
        erg_u32 hi0 = erg_mulhi32(ERG_PHILOX_M0, c0), lo0 = ERG_PHILOX_M0 * c0;
        erg_u32 hi1 = erg_mulhi32(ERG_PHILOX_M1, c2), lo1 = ERG_PHILOX_M1 * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += ERG_PHILOX_W0;
        k1 += ERG_PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* A stream of 32-bit words derived from a unit seed (see the binding above). */
typedef struct erg_rng {
    erg_u32 key[2];
    erg_u32 ctr[4];
    erg_u32 buf[4];
    erg_u32 used; /* words of buf already handed out; 4 = empty */
} erg_rng;

/* seed: the eight little-endian words of the 32-byte unit seed. */
ERG_FN void erg_rng_init(erg_rng *r, const erg_u32 seed[8], erg_u32 stream)
{
    r->key[0] = seed[0] ^ seed[4];
    r->key[1] = seed[1] ^ seed[5];
    r->ctr[0] = 0;
    r->ctr[1] = stream;
    r->ctr[2] = seed[2] ^ seed[6];
    r->ctr[3] = seed[3] ^ seed[7];
    r->used = 4;
}

ERG_FN erg_u32 erg_rng_u32(erg_rng *r)
{
    if (r->used == 4) {
        erg_philox4x32_10(r->ctr, r->key, r->buf);
        r->ctr[0]++;
        r->used = 0;
    }
    return r->buf[r->used++];
}

/* Uniform integer in [0, n) for n >= 1, exact (rejection, no modulo bias). */
ERG_FN erg_u32 erg_rng_below(erg_rng *r, erg_u32 n)
{
    erg_u32 limit = (erg_u32)(0u - n) % n; /* 2^32 mod n */
    erg_u32 x;
    do {
        x = erg_rng_u32(r);
    } while (x < limit);
    return x % n;
}

#endif
