/* Unsigned 256-bit integers for targets and chain work: compare, add, shifts, multiply and divide. */
#ifndef ERG_UTIL_UINT256_H
#define ERG_UTIL_UINT256_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* w[0] is the least significant 64-bit limb. Hashes are read as little-endian numbers
 * (byte 0 least significant), as Bitcoin reads block hashes against its target. */
typedef struct erg_u256 {
    uint64_t w[4];
} erg_u256;

void erg_u256_zero(erg_u256 *a);
void erg_u256_from_u64(erg_u256 *a, uint64_t v);
void erg_u256_from_le(erg_u256 *a, const uint8_t b[32]);
void erg_u256_to_le(const erg_u256 *a, uint8_t b[32]);
void erg_u256_max(erg_u256 *a); /* 2^256 - 1 */
int erg_u256_cmp(const erg_u256 *a, const erg_u256 *b);
int erg_u256_is_zero(const erg_u256 *a);
/* Number of significant bits (0 for zero). */
unsigned erg_u256_bits(const erg_u256 *a);
/* r = a + b; returns 1 on overflow (r then holds the wrapped sum). */
int erg_u256_add(erg_u256 *r, const erg_u256 *a, const erg_u256 *b);
/* r = a - b; returns 1 on borrow. */
int erg_u256_sub(erg_u256 *r, const erg_u256 *a, const erg_u256 *b);
/* r = a * m; returns 1 on overflow (r then holds the low 256 bits). */
int erg_u256_mul_u64(erg_u256 *r, const erg_u256 *a, uint64_t m);
void erg_u256_shl(erg_u256 *r, const erg_u256 *a, unsigned n);
void erg_u256_shr(erg_u256 *r, const erg_u256 *a, unsigned n);
/* q = a / b (b != 0, else ERG_ERR_ARG); bitwise long division. */
erg_code erg_u256_div(erg_u256 *q, const erg_u256 *a, const erg_u256 *b, erg_err *err) ERG_WARN_UNUSED;
/* 64 hex digits, most significant first. */
void erg_u256_hex(const erg_u256 *a, char out[65]);
/* Approximate value as a double, for display only (never consensus). */
double erg_u256_to_double(const erg_u256 *a);

/* Compact "bits" form of a target (Bitcoin's nBits: 8-bit exponent, 23-bit mantissa, no sign). */
uint32_t erg_u256_to_compact(const erg_u256 *a);
/* Fails on a negative or overflowing encoding, or a non-canonical one (ERG_ERR_NONCANON). */
erg_code erg_u256_from_compact(erg_u256 *a, uint32_t bits, erg_err *err) ERG_WARN_UNUSED;

#endif
