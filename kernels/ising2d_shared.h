/* 2D Ising kernel: output layout and Philox counter layout, shared verbatim by the C reference and the .cl. */
#ifndef ERG_KERNELS_ISING2D_SHARED_H
#define ERG_KERNELS_ISING2D_SHARED_H

/*
 * Written in the common subset of C11 and OpenCL C 1.2 (after philox.h): private arrays
 * only, no library calls. Both backends implement the sweep themselves; what lives here is
 * the contract they must agree on.
 *
 * Parameter words (declaration order): size L, therm_sweeps, measure_sweeps, beta_micro
 * (beta * 10^6), start (0 cold, 1 hot). Derived words: [0] threshold for dE = 4,
 * [1] threshold for dE = 8, each floor(exp(-beta*dE) * 2^32) computed on the host.
 *
 * Random numbers. Every Philox block uses the unit's seed binding from philox.h
 * (key = {s0^s4, s1^s5}, counter = {block, stream, s2^s6, s3^s7}) with:
 *   hot start:  block 0, stream i/4, word i%4 for site i = y*L + x; the spin is up iff bit
 *               31 of that word is set.
 *   half-sweep: block 1 + 2*sweep + parity, where parity 0 updates the sites with (x+y)
 *               even and parity 1 the odd ones, and sweeps are numbered from 0 through
 *               thermalisation and measurement alike; stream k/4 and word k%4 belong to the
 *               k-th site of that sublattice in row-major order (k = y*(L/2) + x/2).
 * One block thus serves four consecutive sublattice sites; (block, stream) never repeats
 * within a unit, so every word is used at most once. A word is compared with the threshold
 * for the site's energy change; for dE <= 0 the comparison always accepts.
 */

#define ERG_ISING_OUT_SIZE 56u

/* Byte offsets of the little-endian output fields. */
#define ERG_ISING_OFF_SUM_E 0u      /* i64: sum over measurement sweeps of E (lattice total) */
#define ERG_ISING_OFF_SUM_E2 8u     /* u64: sum of E^2 */
#define ERG_ISING_OFF_SUM_M 16u     /* i64: sum of M (lattice total, spins +-1) */
#define ERG_ISING_OFF_SUM_ABSM 24u  /* u64: sum of |M| */
#define ERG_ISING_OFF_SUM_M2 32u    /* u64: sum of M^2 */
#define ERG_ISING_OFF_ACCEPTED 40u  /* u64: flips accepted during the measurement sweeps */
#define ERG_ISING_OFF_FINAL_E 48u   /* i32: E after the last sweep */
#define ERG_ISING_OFF_FINAL_M 52u   /* i32: M after the last sweep */

/* Philox block of the half-sweep over sublattice `parity` (0 or 1) in sweep `sweep`; block 0 is the hot start. */
ERG_FN erg_u32 erg_ising_block(erg_u32 sweep, erg_u32 parity)
{
    return 1u + 2u * sweep + parity;
}

/* The four words of Philox block (block, stream) under the unit's seed words s[8]. */
ERG_FN void erg_ising_draw4(const erg_u32 s[8], erg_u32 block, erg_u32 stream, erg_u32 out[4])
{
    erg_u32 key[2];
    erg_u32 ctr[4];
    key[0] = s[0] ^ s[4];
    key[1] = s[1] ^ s[5];
    ctr[0] = block;
    ctr[1] = stream;
    ctr[2] = s[2] ^ s[6];
    ctr[3] = s[3] ^ s[7];
    erg_philox4x32_10(ctr, key, out);
}

#endif
