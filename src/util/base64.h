/* Base64 (RFC 4648, standard alphabet, padded) encoding and strict decoding, for HTTP Basic auth. */
#ifndef ERG_UTIL_BASE64_H
#define ERG_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* Characters erg_base64_encode writes for n input bytes, not counting the NUL. */
size_t erg_base64_encoded_len(size_t n);

/* Write the padded encoding of in[0..n) and a NUL into out (out_size > erg_base64_encoded_len(n)). */
erg_code erg_base64_encode(const uint8_t *in, size_t n, char *out, size_t out_size, erg_err *err) ERG_WARN_UNUSED;

/*
 * Decode exactly len characters of padded base64 into a newly allocated array (*out, *out_len);
 * a NUL is appended after the data (not counted) so decoded text can be used as a C string.
 * Rejects: a length that is not a multiple of 4, characters outside the alphabet, padding
 * anywhere but the end, and non-zero unused bits (so every byte string has one encoding).
 */
erg_code erg_base64_decode_alloc(const char *in, size_t len, uint8_t **out, size_t *out_len, erg_err *err) ERG_WARN_UNUSED;

#endif
