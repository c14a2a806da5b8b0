/* Bech32m (BIP350) and bech32 (BIP173) encoding, decoding and error location. */
#include "src/crypto/bech32m.h"

#include <stdio.h>
#include <string.h>

static const char g_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Longest expanded checksum input: 2 * 83 prefix symbols + 1 + 6 data symbols (string <= 90). */
#define EXPANDED_MAX (2 * ERG_BECH32_HRP_MAX + 1 + ERG_BECH32_MAX_LEN)

static uint32_t variant_const(erg_bech32_variant v)
{
    return v == ERG_BECH32M ? 0x2bc830a3u : 1u;
}

static const char *variant_name(erg_bech32_variant v)
{
    return v == ERG_BECH32M ? "bech32m" : "bech32";
}

/* -1 for characters outside the alphabet (upper case included: callers lower-case first). */
static int charset_value(unsigned char c)
{
    const char *p;
    if (c == 0) return -1;
    p = strchr(g_charset, c);
    return p ? (int)(p - g_charset) : -1;
}

/* One step of the BCH checksum with input symbol v: multiply by x and add v, modulo the generator. */
static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
    uint32_t b = chk >> 25;
    chk = ((chk & 0x1ffffffu) << 5) ^ v;
    if (b & 1) chk ^= 0x3b6a57b2u;
    if (b & 2) chk ^= 0x26508e6du;
    if (b & 4) chk ^= 0x1ea119fau;
    if (b & 8) chk ^= 0x3d4233ddu;
    if (b & 16) chk ^= 0x2a1462b3u;
    return chk;
}

/* The checksum input: high bits of each prefix character, 0, low bits of each, then the data. */
static size_t expand(const char *s, size_t hrp_len, size_t n, uint8_t *e)
{
    size_t i, m = 0;
    for (i = 0; i < hrp_len; i++) e[m++] = (uint8_t)((unsigned char)s[i] >> 5);
    e[m++] = 0;
    for (i = 0; i < hrp_len; i++) e[m++] = (uint8_t)((unsigned char)s[i] & 31);
    for (i = hrp_len + 1; i < n; i++) e[m++] = (uint8_t)charset_value((unsigned char)s[i]);
    return m;
}

static uint32_t polymod(const uint8_t *e, size_t m)
{
    uint32_t chk = 1;
    size_t i;
    for (i = 0; i < m; i++) chk = polymod_step(chk, e[i]);
    return chk;
}

static int hrp_char_ok(unsigned char c)
{
    return c >= 33 && c <= 126 && !(c >= 'A' && c <= 'Z');
}

/*
 * Full check of a lower-case candidate string s[0..n) whose characters are all in 33..126:
 * separator, prefix, data alphabet and checksum. Used by the error locator on the candidates
 * that move the separator, where the shape of the string changes.
 */
static int string_valid(const char *s, size_t n, uint32_t konst)
{
    uint8_t e[EXPANDED_MAX];
    size_t sep, i;
    const char *p = NULL;
    for (i = 0; i < n; i++)
        if (s[i] == '1') p = s + i;
    if (!p) return 0;
    sep = (size_t)(p - s);
    if (sep == 0 || n - sep - 1 < ERG_BECH32_CHECKSUM_LEN) return 0;
    for (i = sep + 1; i < n; i++)
        if (charset_value((unsigned char)s[i]) < 0) return 0;
    return polymod(e, expand(s, sep, n, e)) == konst;
}

/* What the error locator found: no single-edit explanation, exactly one, or more than one. */
typedef struct locate_result {
    int count;     /* distinct explanations found, capped at 2 */
    int swapped;   /* the explanation is a swap of pos and pos + 1, not a substitution at pos */
    size_t pos;    /* valid when count == 1 */
} locate_result;

static void note(locate_result *r, size_t pos, int swapped)
{
    if (r->count == 1 && r->pos == pos && r->swapped == swapped) return;
    if (r->count < 2) r->count++;
    r->pos = pos;
    r->swapped = swapped;
}

/* Effect on the checksum of XOR-ing `delta` into the symbol whose basis effects are b[0..4]. */
static uint32_t effect(const uint32_t *b, unsigned delta)
{
    uint32_t x = 0;
    int k;
    for (k = 0; k < 5; k++)
        if (delta & (1u << k)) x ^= b[k];
    return x;
}

/*
 * Find every single-character substitution and adjacent swap of s[0..n) (lower case, all
 * characters in 33..126) that yields a valid string. The checksum is linear over GF(2) in its
 * input symbols, so when the shape of the string is sound, a substitution that keeps the
 * separator in place is tested in O(1) against precomputed per-position effects; only the
 * few candidates that move the separator, and the swaps, are checked in full.
 */
static locate_result locate_error(const char *s, size_t n, uint32_t konst)
{
    locate_result r = {0, 0, 0};
    char t[ERG_BECH32_MAX_LEN];
    size_t i, sep = n, start;
    int has_sep = 0, shape_ok;
    unsigned c;
    for (i = 0; i < n; i++)
        if (s[i] == '1') {
            sep = i;
            has_sep = 1;
        }
    shape_ok = has_sep && sep >= 1 && n - sep - 1 >= ERG_BECH32_CHECKSUM_LEN;
    for (i = sep + 1; shape_ok && i < n; i++)
        if (charset_value((unsigned char)s[i]) < 0) shape_ok = 0;

    if (shape_ok) {
        uint8_t e[EXPANDED_MAX];
        uint32_t basis[EXPANDED_MAX][5], residue;
        size_t m = expand(s, sep, n, e), j;
        int k;
        residue = polymod(e, m) ^ konst;
        for (k = 0; k < 5; k++) basis[m - 1][k] = 1u << k;
        for (j = m - 1; j-- > 0;)
            for (k = 0; k < 5; k++) basis[j][k] = polymod_step(basis[j + 1][k], 0);
        for (i = 0; i < sep && r.count < 2; i++) {
            unsigned old = (unsigned char)s[i];
            for (c = 33; c <= 126; c++) {
                if (c == old || !hrp_char_ok((unsigned char)c)) continue;
                if ((effect(basis[i], (old >> 5) ^ (c >> 5)) ^ effect(basis[sep + 1 + i], (old & 31) ^ (c & 31))) ==
                    residue)
                    note(&r, i, 0);
            }
        }
        for (i = sep + 1; i < n && r.count < 2; i++) {
            unsigned old = (unsigned)charset_value((unsigned char)s[i]);
            for (c = 0; c < 32; c++)
                if (c != old && effect(basis[2 * sep + 1 + (i - sep - 1)], c ^ old) == residue) note(&r, i, 0);
        }
    }

    memcpy(t, s, n);
    /* A '1' typed in the data part, or a separator mistyped as another character. */
    start = has_sep ? sep + 1 : 0;
    for (i = start; i < n && r.count < 2; i++) {
        t[i] = '1';
        if (string_valid(t, n, konst)) note(&r, i, 0);
        t[i] = s[i];
    }
    for (c = 33; has_sep && c <= 126 && r.count < 2; c++) {
        if (c == '1' || !hrp_char_ok((unsigned char)c)) continue;
        t[sep] = (char)c;
        if (string_valid(t, n, konst)) note(&r, sep, 0);
        t[sep] = '1';
    }
    for (i = 0; i + 1 < n && r.count < 2; i++) {
        if (s[i] == s[i + 1]) continue;
        t[i] = s[i + 1];
        t[i + 1] = s[i];
        if (string_valid(t, n, konst)) note(&r, i, 1);
        t[i] = s[i];
        t[i + 1] = s[i + 1];
    }
    return r;
}

/* Fail with `code` and `what`, adding the located typo when exactly one edit explains it. */
static erg_code fail_located(erg_err *err, erg_code code, const char *what, const char *s, size_t n, uint32_t konst)
{
    locate_result r = locate_error(s, n, konst);
    if (r.count == 1 && r.swapped)
        return erg_err_set(err, code, "%s; likely swapped characters at positions %zu and %zu", what, r.pos, r.pos + 1);
    if (r.count == 1) return erg_err_set(err, code, "%s; likely mistyped character at position %zu", what, r.pos);
    return erg_err_set(err, code, "%s", what);
}

erg_code erg_bech32_decode(erg_bech32_variant variant, const char *str, size_t str_len, char *hrp, size_t hrp_size,
                           uint8_t *data, size_t data_cap, size_t *data_len, erg_err *err)
{
    char s[ERG_BECH32_MAX_LEN];
    uint8_t e[EXPANDED_MAX];
    size_t i, sep = 0, n_upper = 0, n_lower = 0, first_upper = 0, first_lower = 0, dlen;
    uint32_t konst = variant_const(variant), pm;
    int has_sep = 0;
    char what[128];

    if (variant != ERG_BECH32 && variant != ERG_BECH32M)
        return erg_err_set(err, ERG_ERR_ARG, "bech32: unknown variant %d", (int)variant);
    if (!str && str_len) return erg_err_set(err, ERG_ERR_ARG, "bech32: NULL string of length %zu", str_len);
    if (str_len > ERG_BECH32_MAX_LEN)
        return erg_err_set(err, ERG_ERR_RANGE, "bech32: too long: %zu characters, at most %d (excess from position %d)",
                           str_len, ERG_BECH32_MAX_LEN, ERG_BECH32_MAX_LEN);
    for (i = 0; i < str_len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c < 33 || c > 126)
            return erg_err_set(err, ERG_ERR_PARSE, "bech32: invalid character 0x%02x at position %zu", c, i);
        if (c >= 'A' && c <= 'Z') {
            if (!n_upper++) first_upper = i;
            c = (unsigned char)(c - 'A' + 'a');
        } else if (c >= 'a' && c <= 'z') {
            if (!n_lower++) first_lower = i;
        }
        s[i] = (char)c;
        if (c == '1') {
            sep = i;
            has_sep = 1;
        }
    }
    /* Name the odd one out: one mistyped capital in a lower-case string is the usual case. */
    if (n_upper && n_lower) {
        if (n_upper <= n_lower)
            return erg_err_set(err, ERG_ERR_PARSE, "bech32: mixed case: upper-case character at position %zu",
                               first_upper);
        return erg_err_set(err, ERG_ERR_PARSE, "bech32: mixed case: lower-case character at position %zu", first_lower);
    }
    if (!has_sep) return fail_located(err, ERG_ERR_PARSE, "bech32: no separator '1'", s, str_len, konst);
    if (sep == 0)
        return fail_located(err, ERG_ERR_PARSE, "bech32: empty human-readable part (separator at position 0)", s,
                            str_len, konst);
    if (str_len - sep - 1 < ERG_BECH32_CHECKSUM_LEN) {
        snprintf(what, sizeof what, "bech32: data part after the separator at position %zu is shorter than the checksum",
                 sep);
        return fail_located(err, ERG_ERR_PARSE, what, s, str_len, konst);
    }
    for (i = sep + 1; i < str_len; i++)
        if (charset_value((unsigned char)s[i]) < 0)
            return erg_err_set(err, ERG_ERR_PARSE, "bech32: invalid character '%c' at position %zu (not in the %s alphabet)",
                               str[i], i, variant_name(variant));
    pm = polymod(e, expand(s, sep, str_len, e));
    if (pm != konst) {
        erg_bech32_variant other = variant == ERG_BECH32M ? ERG_BECH32 : ERG_BECH32M;
        if (pm == variant_const(other))
            return erg_err_set(err, ERG_ERR_CHECKSUM, "bech32: checksum error: this is a %s string, %s expected",
                               variant_name(other), variant_name(variant));
        return fail_located(err, ERG_ERR_CHECKSUM, "bech32: checksum error", s, str_len, konst);
    }
    dlen = str_len - sep - 1 - ERG_BECH32_CHECKSUM_LEN;
    if (!hrp || hrp_size < sep + 1)
        return erg_err_set(err, ERG_ERR_ARG, "bech32: prefix buffer of %zu bytes, need %zu", hrp_size, sep + 1);
    if (dlen && (!data || data_cap < dlen))
        return erg_err_set(err, ERG_ERR_ARG, "bech32: data buffer of %zu values, need %zu", data_cap, dlen);
    if (!data_len) return erg_err_set(err, ERG_ERR_ARG, "bech32: NULL data_len");
    memcpy(hrp, s, sep);
    hrp[sep] = '\0';
    for (i = 0; i < dlen; i++) data[i] = (uint8_t)charset_value((unsigned char)s[sep + 1 + i]);
    *data_len = dlen;
    return ERG_OK;
}

erg_code erg_bech32_encode(erg_bech32_variant variant, const char *hrp, const uint8_t *data, size_t data_len,
                           char *out, size_t out_size, erg_err *err)
{
    uint8_t e[EXPANDED_MAX];
    size_t hrp_len, total, i, m = 0;
    uint32_t chk;
    if (variant != ERG_BECH32 && variant != ERG_BECH32M)
        return erg_err_set(err, ERG_ERR_ARG, "bech32: unknown variant %d", (int)variant);
    if (!hrp) return erg_err_set(err, ERG_ERR_ARG, "bech32: NULL prefix");
    if (!data && data_len) return erg_err_set(err, ERG_ERR_ARG, "bech32: NULL data of length %zu", data_len);
    hrp_len = strnlen(hrp, ERG_BECH32_HRP_MAX + 1);
    if (hrp_len == 0 || hrp_len > ERG_BECH32_HRP_MAX)
        return erg_err_set(err, ERG_ERR_ARG, "bech32: prefix must have 1 to %d characters", ERG_BECH32_HRP_MAX);
    for (i = 0; i < hrp_len; i++)
        if (!hrp_char_ok((unsigned char)hrp[i]))
            return erg_err_set(err, ERG_ERR_ARG, "bech32: prefix character 0x%02x at position %zu is not allowed",
                               (unsigned char)hrp[i], i);
    if (data_len > ERG_BECH32_MAX_LEN)
        return erg_err_set(err, ERG_ERR_RANGE, "bech32: %zu data values, more than any string can hold", data_len);
    for (i = 0; i < data_len; i++)
        if (data[i] > 31)
            return erg_err_set(err, ERG_ERR_ARG, "bech32: data value %u at index %zu does not fit 5 bits", data[i], i);
    total = hrp_len + 1 + data_len + ERG_BECH32_CHECKSUM_LEN;
    if (total > ERG_BECH32_MAX_LEN)
        return erg_err_set(err, ERG_ERR_RANGE, "bech32: encoding would be %zu characters, at most %d", total,
                           ERG_BECH32_MAX_LEN);
    if (!out || out_size < total + 1)
        return erg_err_set(err, ERG_ERR_ARG, "bech32: output buffer of %zu bytes, need %zu", out_size, total + 1);
    for (i = 0; i < hrp_len; i++) e[m++] = (uint8_t)((unsigned char)hrp[i] >> 5);
    e[m++] = 0;
    for (i = 0; i < hrp_len; i++) e[m++] = (uint8_t)((unsigned char)hrp[i] & 31);
    for (i = 0; i < data_len; i++) e[m++] = data[i];
    for (i = 0; i < ERG_BECH32_CHECKSUM_LEN; i++) e[m++] = 0;
    chk = polymod(e, m) ^ variant_const(variant);
    memcpy(out, hrp, hrp_len);
    out[hrp_len] = '1';
    for (i = 0; i < data_len; i++) out[hrp_len + 1 + i] = g_charset[data[i]];
    for (i = 0; i < ERG_BECH32_CHECKSUM_LEN; i++)
        out[hrp_len + 1 + data_len + i] = g_charset[(chk >> (5 * (5 - i))) & 31];
    out[total] = '\0';
    return ERG_OK;
}

erg_code erg_bech32_convert_bits(uint8_t *out, size_t out_cap, size_t *out_len, unsigned to_bits, const uint8_t *in,
                                 size_t in_len, unsigned from_bits, int pad, erg_err *err)
{
    uint32_t acc = 0, maxv;
    unsigned bits = 0;
    size_t i, need, n = 0;
    if (from_bits < 1 || from_bits > 8 || to_bits < 1 || to_bits > 8)
        return erg_err_set(err, ERG_ERR_ARG, "convert bits: group sizes %u -> %u outside 1..8", from_bits, to_bits);
    if (!in && in_len) return erg_err_set(err, ERG_ERR_ARG, "convert bits: NULL input of length %zu", in_len);
    if (!out_len) return erg_err_set(err, ERG_ERR_ARG, "convert bits: NULL out_len");
    /* Check everything before writing, so out is untouched on failure. */
    for (i = 0; i < in_len; i++)
        if (in[i] >> from_bits)
            return erg_err_set(err, ERG_ERR_PARSE, "convert bits: value %u at index %zu does not fit %u bits", in[i], i,
                               from_bits);
    if (in_len > (SIZE_MAX - 8) / 8)
        return erg_err_set(err, ERG_ERR_RANGE, "convert bits: input of %zu values is too long", in_len);
    need = (in_len * from_bits + (pad ? to_bits - 1 : 0)) / to_bits;
    if (!pad) {
        size_t left = in_len * from_bits % to_bits;
        if (left >= from_bits)
            return erg_err_set(err, ERG_ERR_NONCANON, "convert bits: %zu bits of padding, at most %u allowed", left,
                               from_bits - 1);
        if (left && (in[in_len - 1] & ((1u << left) - 1)))
            return erg_err_set(err, ERG_ERR_NONCANON, "convert bits: non-zero padding bits in the last value");
    }
    if (need > out_cap || (need && !out))
        return erg_err_set(err, ERG_ERR_RANGE, "convert bits: output needs %zu values, room for %zu", need, out_cap);
    maxv = (1u << to_bits) - 1;
    for (i = 0; i < in_len; i++) {
        acc = ((acc << from_bits) | in[i]) & 0xffffu;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            out[n++] = (uint8_t)((acc >> bits) & maxv);
        }
    }
    if (pad && bits) out[n++] = (uint8_t)((acc << (to_bits - bits)) & maxv);
    *out_len = n;
    return ERG_OK;
}
