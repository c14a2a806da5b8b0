/* libFuzzer target: decode arbitrary strings as bech32m and bech32; anything accepted must re-encode to itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/bech32m.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const uint8_t *s, size_t n)
{
    fprintf(stderr, "fuzz_bech32m: property violated: %s (input %zu bytes: %.*s)\n", what, n, (int)n, (const char *)s);
    abort();
}

static void check_variant(erg_bech32_variant v, const uint8_t *s, size_t n)
{
    char hrp[ERG_BECH32_HRP_MAX + 1], again[ERG_BECH32_MAX_LEN + 1];
    uint8_t values[ERG_BECH32_DATA_MAX];
    size_t dlen = 0, i;
    erg_err err;
    erg_code rc = erg_bech32_decode(v, (const char *)s, n, hrp, sizeof hrp, values, sizeof values, &dlen, &err);
    if (rc != ERG_OK) {
        const char *p = strstr(err.reason, "position ");
        if (err.code != rc || err.reason[0] == '\0') fail("error without a reason", s, n);
        /* A named position is inside the string (or, for "too long", the first excess one). */
        if (p && strtoul(p + 9, NULL, 10) > (n > ERG_BECH32_MAX_LEN ? ERG_BECH32_MAX_LEN : n))
            fail("position outside the string", s, n);
        return;
    }
    if (n > ERG_BECH32_MAX_LEN) fail("accepted an over-long string", s, n);
    if (erg_bech32_encode(v, hrp, values, dlen, again, sizeof again, &err) != ERG_OK) fail("re-encode failed", s, n);
    if (strlen(again) != n) fail("re-encoded length differs", s, n);
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if ((unsigned char)again[i] != c) fail("re-encoding differs from the input", s, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t groups[256], back[256];
    size_t ng = 0, nb = 0;
    check_variant(ERG_BECH32M, data, size);
    check_variant(ERG_BECH32, data, size);
    /* Regrouping 8 -> 5 bits with padding and back without is the identity. */
    if (size <= 150) {
        if (erg_bech32_convert_bits(groups, sizeof groups, &ng, 5, data, size, 8, 1, NULL) != ERG_OK ||
            erg_bech32_convert_bits(back, sizeof back, &nb, 8, groups, ng, 5, 0, NULL) != ERG_OK || nb != size ||
            (size && memcmp(back, data, size) != 0))
            fail("convert_bits round trip", data, size);
    }
    return 0;
}
