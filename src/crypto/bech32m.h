/* Bech32m (BIP350) and bech32 (BIP173) strings: a human-readable prefix, base-32 data, a 6-character checksum. */
#ifndef ERG_CRYPTO_BECH32M_H
#define ERG_CRYPTO_BECH32M_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/* The two checksum constants; Ergon uses bech32m, bech32 is kept for BIP173 interoperability. */
typedef enum erg_bech32_variant { ERG_BECH32 = 0, ERG_BECH32M = 1 } erg_bech32_variant;

#define ERG_BECH32_MAX_LEN 90      /* longest string, in characters (BIP173) */
#define ERG_BECH32_CHECKSUM_LEN 6  /* checksum characters at the end of the data part */
#define ERG_BECH32_HRP_MAX 83      /* longest prefix: 90 - separator - checksum */
#define ERG_BECH32_DATA_MAX 82     /* most 5-bit data values (1-character prefix, no checksum) */

/*
 * Encode hrp (1..83 printable ASCII characters 33..126, no upper case) and data (data_len
 * values, each < 32) as a string of at most 90 characters into out (out_size bytes, NUL
 * included). Returns ERG_ERR_ARG for a bad prefix, value or too small buffer, ERG_ERR_RANGE
 * when the result would exceed 90 characters. out is untouched on failure.
 */
erg_code erg_bech32_encode(erg_bech32_variant variant, const char *hrp, const uint8_t *data, size_t data_len,
                           char *out, size_t out_size, erg_err *err) ERG_WARN_UNUSED;

/*
 * Decode str (str_len bytes; need not be NUL-terminated) and check its checksum for `variant`.
 * On success hrp receives the lower-case prefix, NUL-terminated (hrp_size >= 84 always
 * suffices), and data the 5-bit values without the checksum (*data_len of them; data_cap >=
 * ERG_BECH32_DATA_MAX always suffices). On failure the outputs are untouched and the reason
 * names the 0-based position of the problem: an invalid character, the odd one out in mixed
 * case, or, for a bad checksum or a missing/misplaced separator, the one position whose single
 * substitution (or one adjacent swap) would make the string valid, when exactly one does:
 * "checksum error; likely mistyped character at position N". Codes: ERG_ERR_PARSE (characters,
 * case, structure), ERG_ERR_RANGE (too long), ERG_ERR_CHECKSUM, ERG_ERR_ARG (buffers).
 */
erg_code erg_bech32_decode(erg_bech32_variant variant, const char *str, size_t str_len, char *hrp, size_t hrp_size,
                           uint8_t *data, size_t data_cap, size_t *data_len, erg_err *err) ERG_WARN_UNUSED;

/*
 * Regroup bits: in holds in_len values of from_bits bits each (1..8), out receives values of
 * to_bits bits (1..8), big-endian bit order. pad != 0 zero-pads the last group (encoding);
 * pad == 0 (decoding) rejects more than from_bits - 1 leftover bits or any non-zero leftover
 * bit with ERG_ERR_NONCANON. ERG_ERR_PARSE for an input value that does not fit from_bits,
 * ERG_ERR_RANGE when out_cap is too small. out/out_len are written only on success.
 */
erg_code erg_bech32_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, unsigned to_bits, const uint8_t *in,
                                 size_t in_len, unsigned from_bits, int pad, erg_err *err) ERG_WARN_UNUSED;

#endif
