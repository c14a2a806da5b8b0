/* Hexadecimal encoding and strict decoding. */
#ifndef ERG_UTIL_HEX_H
#define ERG_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* Write 2*n lowercase hex digits and a NUL into out (out_size >= 2*n+1). */
erg_code erg_hex_encode(const uint8_t *in, size_t n, char *out, size_t out_size, erg_err *err) ERG_WARN_UNUSED;
/* Decode exactly out_len bytes from a hex string of exactly 2*out_len digits (either case). */
erg_code erg_hex_decode(const char *hex, uint8_t *out, size_t out_len, erg_err *err) ERG_WARN_UNUSED;
/* Decode a hex string of any even length into a newly allocated array (*out, *out_len). */
erg_code erg_hex_decode_alloc(const char *hex, uint8_t **out, size_t *out_len, erg_err *err) ERG_WARN_UNUSED;
/* Hex of a 32-byte value written most-significant byte first (how block ids are shown). */
void erg_hex_reverse32(const uint8_t in[32], char out[65]);

#endif
