/* Hexadecimal encoding and strict decoding. */
#include "src/util/hex.h"

#include <stdlib.h>
#include <string.h>

static const char erg_hexdigits[] = "0123456789abcdef";

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

erg_code erg_hex_encode(const uint8_t *in, size_t n, char *out, size_t out_size, erg_err *err)
{
    size_t i;
    if (n > (SIZE_MAX - 1) / 2 || out_size < 2 * n + 1)
        return erg_err_set(err, ERG_ERR_ARG, "hex: output of %zu chars too small for %zu bytes", out_size, n);
    for (i = 0; i < n; i++) {
        out[2 * i] = erg_hexdigits[in[i] >> 4];
        out[2 * i + 1] = erg_hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
    return ERG_OK;
}

static erg_code decode_into(const char *hex, size_t digits, uint8_t *out, erg_err *err)
{
    size_t i;
    for (i = 0; i < digits; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return erg_err_set(err, ERG_ERR_PARSE, "hex: invalid digit at position %zu", hi < 0 ? i : i + 1);
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return ERG_OK;
}

erg_code erg_hex_decode(const char *hex, uint8_t *out, size_t out_len, erg_err *err)
{
    size_t n = strlen(hex);
    if (n != 2 * out_len)
        return erg_err_set(err, ERG_ERR_PARSE, "hex: expected %zu digits, got %zu", 2 * out_len, n);
    return decode_into(hex, n, out, err);
}

erg_code erg_hex_decode_alloc(const char *hex, uint8_t **out, size_t *out_len, erg_err *err)
{
    size_t n = strlen(hex);
    uint8_t *p;
    erg_code rc;
    if (n % 2) return erg_err_set(err, ERG_ERR_PARSE, "hex: odd number of digits (%zu)", n);
    p = malloc(n / 2 ? n / 2 : 1);
    if (!p) return erg_err_set(err, ERG_ERR_NOMEM, "hex: out of memory");
    if ((rc = decode_into(hex, n, p, err))) {
        free(p);
        return rc;
    }
    *out = p;
    *out_len = n / 2;
    return ERG_OK;
}

void erg_hex_reverse32(const uint8_t in[32], char out[65])
{
    int i;
    for (i = 0; i < 32; i++) {
        out[2 * i] = erg_hexdigits[in[31 - i] >> 4];
        out[2 * i + 1] = erg_hexdigits[in[31 - i] & 15];
    }
    out[64] = '\0';
}
