/* Base64 (RFC 4648, standard alphabet, padded) encoding and strict decoding. */
#include "src/util/base64.h"

#include <stdlib.h>

static const char erg_b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

size_t erg_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

erg_code erg_base64_encode(const uint8_t *in, size_t n, char *out, size_t out_size, erg_err *err)
{
    size_t i, o = 0;
    if (n > (SIZE_MAX / 4 - 1) * 3 || out_size <= erg_base64_encoded_len(n))
        return erg_err_set(err, ERG_ERR_ARG, "base64: output of %zu chars too small for %zu bytes", out_size, n);
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = erg_b64chars[v >> 18];
        out[o++] = erg_b64chars[(v >> 12) & 63];
        out[o++] = erg_b64chars[(v >> 6) & 63];
        out[o++] = erg_b64chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = erg_b64chars[v >> 18];
        out[o++] = erg_b64chars[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = erg_b64chars[v >> 18];
        out[o++] = erg_b64chars[(v >> 12) & 63];
        out[o++] = erg_b64chars[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return ERG_OK;
}

erg_code erg_base64_decode_alloc(const char *in, size_t len, uint8_t **out, size_t *out_len, erg_err *err)
{
    size_t i, o = 0, pad = 0;
    uint8_t *p;
    if (len % 4)
        return erg_err_set(err, ERG_ERR_PARSE, "base64: length %zu is not a multiple of 4", len);
    if (len >= 1 && in[len - 1] == '=') pad++;
    if (len >= 2 && in[len - 2] == '=') pad++;
    p = malloc(len / 4 * 3 + 1);
    if (!p) return erg_err_set(err, ERG_ERR_NOMEM, "base64: out of memory");
    for (i = 0; i < len; i += 4) {
        int v[4], k;
        int last = i + 4 == len;
        for (k = 0; k < 4; k++) {
            if (last && in[i + k] == '=' && k >= 4 - (int)pad) {
                v[k] = 0;
                continue;
            }
            v[k] = b64val(in[i + k]);
            if (v[k] < 0) {
                free(p);
                return erg_err_set(err, ERG_ERR_PARSE, "base64: invalid character at position %zu", i + k);
            }
        }
        {
            uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
            size_t take = last ? 3 - pad : 3;
            /* The bits that padding leaves unused must be zero, or two strings decode alike. */
            if (last && ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))) {
                free(p);
                return erg_err_set(err, ERG_ERR_NONCANON, "base64: non-zero bits under the padding");
            }
            p[o++] = (uint8_t)(w >> 16);
            if (take > 1) p[o++] = (uint8_t)(w >> 8);
            if (take > 2) p[o++] = (uint8_t)w;
        }
    }
    p[o] = 0;
    *out = p;
    *out_len = o;
    return ERG_OK;
}
