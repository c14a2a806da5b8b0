/* Exact decimal amounts: base units (10^-8 ERG) to and from "12.34500000" strings, no floating point. */
#ifndef ERG_UTIL_AMOUNT_H
#define ERG_UTIL_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

#define ERG_AMOUNT_DECIMALS 8
#define ERG_AMOUNT_STR_MAX 32

/* "123.45000000" (always 8 decimals). */
void erg_amount_format(uint64_t base_units, char out[ERG_AMOUNT_STR_MAX]);
/* Accepts "12", "12.", "12.5", ".5", "0.00000001"; rejects signs, exponents, more than 8
 * decimals, empty strings and values above `max` (ERG_ERR_RANGE), naming the problem. */
erg_code erg_amount_parse(const char *s, uint64_t max, uint64_t *base_units, erg_err *err) ERG_WARN_UNUSED;

#endif
