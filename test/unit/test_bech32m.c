/* Unit tests for src/crypto/bech32m: BIP350 vectors, round trips, and the position named in every error. */
#include "src/crypto/bech32m.h"

#include <stdio.h>
#include <stdlib.h>

#include "test/unit/harness.h"

/* BIP350 "Test vectors for Bech32m": valid strings. */
static const char *const g_valid[] = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

/* BIP350 invalid bech32m strings with the reason the BIP gives and the code we answer. */
typedef struct invalid_vector {
    const char *str;
    size_t len; /* explicit: the first three hold bytes outside ASCII text */
    erg_code code;
    long pos; /* position the reason must name, -1 when none is expected */
    const char *why;
} invalid_vector;

#define S(lit) lit, sizeof(lit) - 1
static const invalid_vector g_invalid[] = {
    {S("\x20" "1xj0phk"), ERG_ERR_PARSE, 0, "HRP character out of range"},
    {S("\x7f" "1g6xzxy"), ERG_ERR_PARSE, 0, "HRP character out of range"},
    {S("\x80" "1vctc34"), ERG_ERR_PARSE, 0, "HRP character out of range"},
    {S("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4"), ERG_ERR_RANGE,
     90, "overall max length exceeded"},
    {S("qyrz8wqd2c9m"), ERG_ERR_PARSE, -1, "no separator character"},
    {S("1qyrz8wqd2c9m"), ERG_ERR_PARSE, 0, "empty HRP"},
    {S("y1b0jsk6g"), ERG_ERR_PARSE, 2, "invalid data character"},
    {S("lt1igcx5c0"), ERG_ERR_PARSE, 3, "invalid data character"},
    {S("in1muywd"), ERG_ERR_PARSE, 2, "too short checksum"},
    {S("mm1crxm3i"), ERG_ERR_PARSE, 8, "invalid character in checksum"},
    {S("au1s5cgom"), ERG_ERR_PARSE, 7, "invalid character in checksum"},
    {S("M1VUXWEZ"), ERG_ERR_CHECKSUM, -1, "checksum calculated with uppercase form of HRP"},
    {S("16plkw9"), ERG_ERR_PARSE, 0, "empty HRP"},
    {S("1p2gdwpf"), ERG_ERR_PARSE, 0, "empty HRP"},
};
#undef S

/* The position a reason names ("... position N ..."), or -1. */
static long reason_pos(const char *reason)
{
    const char *p = strstr(reason, "position ");
    return p ? strtol(p + 9, NULL, 10) : -1;
}

static erg_code decode(erg_bech32_variant v, const char *s, size_t n, char *hrp, uint8_t *data, size_t *dlen,
                       erg_err *err)
{
    return erg_bech32_decode(v, s, n, hrp, ERG_BECH32_HRP_MAX + 1, data, ERG_BECH32_DATA_MAX, dlen, err);
}

static void test_bip350_valid(void)
{
    size_t i, j;
    for (i = 0; i < sizeof g_valid / sizeof g_valid[0]; i++) {
        const char *s = g_valid[i];
        char hrp[ERG_BECH32_HRP_MAX + 1], again[ERG_BECH32_MAX_LEN + 1], lower[ERG_BECH32_MAX_LEN + 1];
        uint8_t data[ERG_BECH32_DATA_MAX];
        size_t dlen = 0, n = strlen(s);
        erg_err err;
        CHECK(decode(ERG_BECH32M, s, n, hrp, data, &dlen, &err) == ERG_OK);
        /* Re-encoding gives the lower-case form back. */
        for (j = 0; j <= n; j++) lower[j] = (char)((s[j] >= 'A' && s[j] <= 'Z') ? s[j] - 'A' + 'a' : s[j]);
        CHECK(erg_bech32_encode(ERG_BECH32M, hrp, data, dlen, again, sizeof again, &err) == ERG_OK);
        CHECK(strcmp(again, lower) == 0);
        /* No string is valid under both constants. */
        CHECK(decode(ERG_BECH32, s, n, hrp, data, &dlen, &err) == ERG_ERR_CHECKSUM);
    }
}

static void test_bip350_invalid(void)
{
    size_t i;
    for (i = 0; i < sizeof g_invalid / sizeof g_invalid[0]; i++) {
        const invalid_vector *v = &g_invalid[i];
        char hrp[ERG_BECH32_HRP_MAX + 1] = "untouched";
        uint8_t data[ERG_BECH32_DATA_MAX];
        size_t dlen = 12345;
        erg_err err;
        erg_code rc = decode(ERG_BECH32M, v->str, v->len, hrp, data, &dlen, &err);
        if (rc != v->code || (v->pos >= 0 && reason_pos(err.reason) != v->pos)) {
            fprintf(stderr, "    vector %zu (%s): got %s \"%s\"\n", i, v->why, erg_code_name(rc), err.reason);
            CHECK(0);
        }
        CHECK(strcmp(hrp, "untouched") == 0);
        CHECK(dlen == 12345);
    }
}

static void test_bech32_and_bech32m_told_apart(void)
{
    /* BIP350 segwit vectors: a bech32 v0 address, and a bech32-encoded v1 address (invalid). */
    static const char *v0 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    static const char *v1_wrong = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd";
    static const char *v1_right = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
    char hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    CHECK(decode(ERG_BECH32, v0, strlen(v0), hrp, data, &dlen, &err) == ERG_OK);
    CHECK(strcmp(hrp, "bc") == 0 && dlen == 33 && data[0] == 0);
    CHECK(decode(ERG_BECH32M, v0, strlen(v0), hrp, data, &dlen, &err) == ERG_ERR_CHECKSUM);
    CHECK(strstr(err.reason, "bech32 string") != NULL);
    CHECK(decode(ERG_BECH32M, v1_wrong, strlen(v1_wrong), hrp, data, &dlen, &err) == ERG_ERR_CHECKSUM);
    CHECK(strstr(err.reason, "bech32 string") != NULL);
    CHECK(decode(ERG_BECH32M, v1_right, strlen(v1_right), hrp, data, &dlen, &err) == ERG_OK);
    CHECK(data[0] == 1);
}

static void test_convert_bits(void)
{
    /* BIP350 segwit vector bc1p0xlx...: program 79be667e... (the generator's x). */
    static const char *addr = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
    uint8_t want[32], data[ERG_BECH32_DATA_MAX], prog[40], back[64], v[3];
    char hrp[ERG_BECH32_HRP_MAX + 1];
    size_t dlen, plen, blen;
    erg_err err;
    erg_test_unhex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", want, 32);
    CHECK(decode(ERG_BECH32M, addr, strlen(addr), hrp, data, &dlen, &err) == ERG_OK);
    CHECK(erg_bech32_convert_bits(prog, sizeof prog, &plen, 8, data + 1, dlen - 1, 5, 0, &err) == ERG_OK);
    CHECK(plen == 32);
    CHECK_EQ_MEM(prog, want, 32);
    CHECK(erg_bech32_convert_bits(back, sizeof back, &blen, 5, prog, 32, 8, 1, &err) == ERG_OK);
    CHECK(blen == dlen - 1);
    CHECK_EQ_MEM(back, data + 1, blen);
    /* BIP350: "zero padding of more than 4 bits" and "non-zero padding in 8-to-5 conversion". */
    {
        static const char *pad6 = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf";
        static const char *nonzero = "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j";
        CHECK(decode(ERG_BECH32M, pad6, strlen(pad6), hrp, data, &dlen, &err) == ERG_OK);
        CHECK(erg_bech32_convert_bits(prog, sizeof prog, &plen, 8, data + 1, dlen - 1, 5, 0, &err) == ERG_ERR_NONCANON);
        CHECK(decode(ERG_BECH32M, nonzero, strlen(nonzero), hrp, data, &dlen, &err) == ERG_OK);
        CHECK(erg_bech32_convert_bits(prog, sizeof prog, &plen, 8, data + 1, dlen - 1, 5, 0, &err) == ERG_ERR_NONCANON);
    }
    /* Values that do not fit, output too small, group sizes out of range. */
    v[0] = 32;
    CHECK(erg_bech32_convert_bits(prog, sizeof prog, &plen, 8, v, 1, 5, 0, &err) == ERG_ERR_PARSE);
    CHECK(erg_bech32_convert_bits(prog, 31, &plen, 8, back, 52, 5, 1, &err) == ERG_ERR_RANGE);
    CHECK(erg_bech32_convert_bits(prog, sizeof prog, &plen, 9, v, 1, 5, 0, &err) == ERG_ERR_ARG);
    /* 0xff -> 11111 111(00): padded, and the exact inverse. */
    v[0] = 0xff;
    CHECK(erg_bech32_convert_bits(back, sizeof back, &blen, 5, v, 1, 8, 1, &err) == ERG_OK);
    CHECK(blen == 2 && back[0] == 31 && back[1] == 28);
    CHECK(erg_bech32_convert_bits(v + 1, 2, &blen, 8, back, 2, 5, 0, &err) == ERG_OK);
    CHECK(blen == 1 && v[1] == 0xff);
}

static void test_round_trips(void)
{
    static const char *hrps[] = {"a", "erg", "terg", "x-y.z", "0123456789"};
    uint8_t data[ERG_BECH32_DATA_MAX + 1], got[ERG_BECH32_DATA_MAX];
    char s[ERG_BECH32_MAX_LEN + 1], hrp[ERG_BECH32_HRP_MAX + 1];
    size_t h, len, i, dlen;
    erg_err err;
    for (h = 0; h < sizeof hrps / sizeof hrps[0]; h++) {
        size_t max = ERG_BECH32_MAX_LEN - strlen(hrps[h]) - 1 - ERG_BECH32_CHECKSUM_LEN;
        for (len = 0; len <= max; len++) {
            for (i = 0; i < len; i++) data[i] = (uint8_t)((i * 13 + len * 7 + h) & 31);
            CHECK(erg_bech32_encode(ERG_BECH32M, hrps[h], data, len, s, sizeof s, &err) == ERG_OK);
            CHECK(decode(ERG_BECH32M, s, strlen(s), hrp, got, &dlen, &err) == ERG_OK);
            CHECK(strcmp(hrp, hrps[h]) == 0);
            CHECK(dlen == len);
            CHECK(len == 0 || memcmp(got, data, len) == 0);
        }
        /* One value more exceeds the 90-character limit. */
        data[max] = 0;
        CHECK(erg_bech32_encode(ERG_BECH32M, hrps[h], data, max + 1, s, sizeof s, &err) == ERG_ERR_RANGE);
    }
}

static void test_encode_rejects_bad_input(void)
{
    uint8_t data[4] = {0, 1, 2, 3};
    char out[ERG_BECH32_MAX_LEN + 1];
    erg_err err;
    memset(out, 'Z', sizeof out);
    CHECK(erg_bech32_encode(ERG_BECH32M, "", data, 4, out, sizeof out, &err) == ERG_ERR_ARG);
    CHECK(erg_bech32_encode(ERG_BECH32M, "Erg", data, 4, out, sizeof out, &err) == ERG_ERR_ARG);
    CHECK(reason_pos(err.reason) == 0);
    CHECK(erg_bech32_encode(ERG_BECH32M, "er g", data, 4, out, sizeof out, &err) == ERG_ERR_ARG);
    CHECK(reason_pos(err.reason) == 2);
    data[2] = 32;
    CHECK(erg_bech32_encode(ERG_BECH32M, "erg", data, 4, out, sizeof out, &err) == ERG_ERR_ARG);
    data[2] = 2;
    /* "erg1" + 4 + 6 = 14 characters: 14 bytes of room is one too few. */
    CHECK(erg_bech32_encode(ERG_BECH32M, "erg", data, 4, out, 14, &err) == ERG_ERR_ARG);
    CHECK(out[0] == 'Z');
    CHECK(erg_bech32_encode(ERG_BECH32M, "erg", data, 4, out, 15, &err) == ERG_OK);
    CHECK(strlen(out) == 14);
}

static void test_decode_buffers_and_arguments(void)
{
    static const char *s = "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx";
    char hrp[8];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    CHECK(erg_bech32_decode(ERG_BECH32M, s, strlen(s), hrp, 6, data, sizeof data, &dlen, &err) == ERG_ERR_ARG);
    CHECK(erg_bech32_decode(ERG_BECH32M, s, strlen(s), hrp, 7, data, 31, &dlen, &err) == ERG_ERR_ARG);
    CHECK(erg_bech32_decode(ERG_BECH32M, s, strlen(s), hrp, 7, data, 32, &dlen, &err) == ERG_OK);
    CHECK(dlen == 32);
    CHECK(erg_bech32_decode(ERG_BECH32M, NULL, 3, hrp, 7, data, 32, &dlen, &err) == ERG_ERR_ARG);
    /* An embedded NUL is an invalid character at its position. */
    CHECK(erg_bech32_decode(ERG_BECH32M, "a1lq\0fn3a", 9, hrp, 7, data, 32, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(reason_pos(err.reason) == 4);
}

static void test_mixed_case_names_odd_one_out(void)
{
    char hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    static const char *z = "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq";
    CHECK(decode(ERG_BECH32M, z, strlen(z), hrp, data, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(reason_pos(err.reason) == (long)(strchr(z, 'Z') - z));
    CHECK(decode(ERG_BECH32M, "A1lqfn3a", 8, hrp, data, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(reason_pos(err.reason) == 0);
    CHECK(decode(ERG_BECH32M, "A1LQFn3A", 8, hrp, data, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(reason_pos(err.reason) == 5);
}

/* Strings short enough (expanded checksum input <= 89 symbols) that one edit is always located. */
static const char *const g_short[] = {
    "a1lqfn3a",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "?1v759aa",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
};

static void test_every_substitution_located(void)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    size_t k, i, checked = 0;
    for (k = 0; k < sizeof g_short / sizeof g_short[0]; k++) {
        const char *s = g_short[k];
        size_t n = strlen(s), sep = (size_t)(strrchr(s, '1') - s);
        char t[ERG_BECH32_MAX_LEN + 1], hrp[ERG_BECH32_HRP_MAX + 1];
        uint8_t data[ERG_BECH32_DATA_MAX];
        size_t dlen;
        erg_err err;
        int c;
        memcpy(t, s, n + 1);
        for (i = 0; i < n; i++) {
            for (c = 33; c <= 126; c++) {
                erg_code rc;
                if (c == s[i] || (c >= 'A' && c <= 'Z')) continue;
                /* In the data part only the alphabet and the separator keep the string parseable. */
                if (i > sep && c != '1' && !strchr(charset, c)) continue;
                t[i] = (char)c;
                rc = decode(ERG_BECH32M, t, n, hrp, data, &dlen, &err);
                checked++;
                if (rc == ERG_OK || reason_pos(err.reason) != (long)i || strstr(err.reason, "mistyped") == NULL) {
                    fprintf(stderr, "    %s with '%c' at %zu: %s\n", s, c, i, err.reason);
                    CHECK(0);
                }
                t[i] = s[i];
            }
        }
    }
    CHECK(checked > 4000);
}

static void test_every_swap_located(void)
{
    size_t k, i;
    for (k = 0; k < sizeof g_short / sizeof g_short[0]; k++) {
        const char *s = g_short[k];
        size_t n = strlen(s);
        char t[ERG_BECH32_MAX_LEN + 1], hrp[ERG_BECH32_HRP_MAX + 1], want[96];
        uint8_t data[ERG_BECH32_DATA_MAX];
        size_t dlen;
        erg_err err;
        for (i = 0; i + 1 < n; i++) {
            if (s[i] == s[i + 1]) continue;
            memcpy(t, s, n + 1);
            t[i] = s[i + 1];
            t[i + 1] = s[i];
            snprintf(want, sizeof want, "swapped characters at positions %zu and %zu", i, i + 1);
            CHECK(decode(ERG_BECH32M, t, n, hrp, data, &dlen, &err) != ERG_OK);
            /* Swapping into the data part a character it cannot hold is reported as that character. */
            if (strstr(err.reason, "invalid character") || strstr(err.reason, "mixed case")) continue;
            if (!strstr(err.reason, want)) {
                fprintf(stderr, "    %s swapped at %zu: %s\n", s, i, err.reason);
                CHECK(0);
            }
        }
    }
}

static void test_unexplained_checksum_error(void)
{
    /* Two substitutions far apart: no single edit explains them, so no position is claimed. */
    char t[] = "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx";
    char hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    t[10] = t[10] == 'q' ? 'p' : 'q';
    t[30] = t[30] == 'q' ? 'p' : 'q';
    CHECK(decode(ERG_BECH32M, t, strlen(t), hrp, data, &dlen, &err) == ERG_ERR_CHECKSUM);
    CHECK(strcmp(err.reason, "bech32: checksum error") == 0);
}

static void test_separator_typos_located(void)
{
    char t[] = "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx";
    char hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    t[6] = 'q'; /* the separator mistyped */
    CHECK(decode(ERG_BECH32M, t, strlen(t), hrp, data, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "no separator") != NULL);
    CHECK(reason_pos(err.reason) == 6);
    t[6] = '1';
    t[42] = '1'; /* a '1' typed in the checksum: the data part is now too short */
    CHECK(decode(ERG_BECH32M, t, strlen(t), hrp, data, &dlen, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "likely mistyped character at position 42") != NULL);
}

static void test_too_long(void)
{
    char s[ERG_BECH32_MAX_LEN + 2], hrp[ERG_BECH32_HRP_MAX + 1];
    uint8_t data[ERG_BECH32_DATA_MAX];
    size_t dlen;
    erg_err err;
    memset(s, 'q', sizeof s);
    s[0] = 'a';
    s[1] = '1';
    CHECK(decode(ERG_BECH32M, s, ERG_BECH32_MAX_LEN + 1, hrp, data, &dlen, &err) == ERG_ERR_RANGE);
    CHECK(reason_pos(err.reason) == ERG_BECH32_MAX_LEN);
}

ERG_TESTS("bech32m", T(test_bip350_valid), T(test_bip350_invalid), T(test_bech32_and_bech32m_told_apart),
          T(test_convert_bits), T(test_round_trips), T(test_encode_rejects_bad_input),
          T(test_decode_buffers_and_arguments), T(test_mixed_case_names_odd_one_out),
          T(test_every_substitution_located), T(test_every_swap_located), T(test_unexplained_checksum_error),
          T(test_separator_typos_located), T(test_too_long))
