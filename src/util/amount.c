/* Exact decimal amounts: base units (10^-8 ERG) to and from "12.34500000" strings, no floating point. */
#include "src/util/amount.h"

#include <stdio.h>
#include <string.h>

void erg_amount_format(uint64_t v, char out[ERG_AMOUNT_STR_MAX])
{
    snprintf(out, ERG_AMOUNT_STR_MAX, "%llu.%08llu", (unsigned long long)(v / 100000000u),
             (unsigned long long)(v % 100000000u));
}

erg_code erg_amount_parse(const char *s, uint64_t max, uint64_t *out, erg_err *err)
{
    uint64_t whole = 0, frac = 0;
    size_t i = 0, nwhole = 0, nfrac = 0;
    if (!s || !*s) return erg_err_set(err, ERG_ERR_PARSE, "amount: empty");
    for (; s[i] >= '0' && s[i] <= '9'; i++, nwhole++) {
        if (whole > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return erg_err_set(err, ERG_ERR_RANGE, "amount: '%s' is too large", s);
        whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, nfrac++) {
            if (nfrac == ERG_AMOUNT_DECIMALS)
                return erg_err_set(err, ERG_ERR_PARSE, "amount: '%s' has more than %d decimals", s, ERG_AMOUNT_DECIMALS);
            frac = frac * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (s[i] != '\0')
        return erg_err_set(err, ERG_ERR_PARSE, "amount: unexpected '%c' at position %zu in '%s'", s[i], i, s);
    if (nwhole + nfrac == 0) return erg_err_set(err, ERG_ERR_PARSE, "amount: '%s' has no digits", s);
    for (; nfrac < ERG_AMOUNT_DECIMALS; nfrac++) frac *= 10;
    if (whole > (UINT64_MAX - frac) / 100000000u) return erg_err_set(err, ERG_ERR_RANGE, "amount: '%s' is too large", s);
    whole = whole * 100000000u + frac;
    if (whole > max) return erg_err_set(err, ERG_ERR_RANGE, "amount: '%s' exceeds the maximum", s);
    *out = whole;
    return ERG_OK;
}
