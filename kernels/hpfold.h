/* HP lattice protein folding kernel: output layout and its decoder, for describe, tools and tests. */
#ifndef ERG_KERNELS_HPFOLD_H
#define ERG_KERNELS_HPFOLD_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "src/util/error.h"

extern const erg_kernel erg_kernel_hpfold;

/*
 * Output of one unit, 88 bytes, all little-endian (doc/kernels/hpfold.md):
 *   0  u32 n             sequence length
 *   4  i32 best_energy   lowest energy seen, -(non-bonded H-H contacts)
 *   8  u32 best_step     move attempts made when best_energy was first reached (0: the start)
 *  12  i32 final_energy  energy of the conformation after the last attempt
 *  16  u32 accepted      accepted moves
 *  20  u32 valid         geometrically possible proposals (accepted or rejected by Metropolis)
 *  24  u8[64] conf       best conformation: bond k (monomer k to k + 1) in bits 2(k mod 4) of
 *                        byte k / 4; 0 = +x, 1 = +y, 2 = -x, 3 = -y; canonical orientation
 *                        (first bond +x, first turn +y); bits past bond n - 2 are zero.
 */
#define ERG_HPFOLD_OUT_SIZE 88u
#define ERG_HPFOLD_LEN_MAX 255u

/* Invariants after a successful decode: 4 <= n <= 255; moves holds n - 1 letters of "RULD". */
typedef struct erg_hpfold_result {
    uint32_t n;
    int32_t best_energy;
    uint32_t best_step;
    int32_t final_energy;
    uint32_t accepted;
    uint32_t valid;
    char moves[ERG_HPFOLD_LEN_MAX]; /* absolute moves of the best fold, NUL-terminated */
} erg_hpfold_result;

/* Parse an output record (checks its size, length field and unused bits). */
erg_code erg_hpfold_decode(const uint8_t *out, size_t out_len, erg_hpfold_result *res, erg_err *err) ERG_WARN_UNUSED;

#endif
