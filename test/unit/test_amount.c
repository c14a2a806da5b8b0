/* Unit tests for src/util/amount: exact decimal parsing and formatting. */
#include "src/util/amount.h"
#include "test/unit/harness.h"

static void test_format(void)
{
    char s[ERG_AMOUNT_STR_MAX];
    erg_amount_format(0, s);
    CHECK(strcmp(s, "0.00000000") == 0);
    erg_amount_format(1, s);
    CHECK(strcmp(s, "0.00000001") == 0);
    erg_amount_format(5000000000ull, s);
    CHECK(strcmp(s, "50.00000000") == 0);
    erg_amount_format(UINT64_MAX, s);
    CHECK(strcmp(s, "184467440737.09551615") == 0);
}

static void test_parse_good(void)
{
    static const struct { const char *s; uint64_t v; } good[] = {
        {"0", 0}, {"1", 100000000}, {"1.", 100000000}, {".5", 50000000}, {"0.00000001", 1},
        {"12.345", 1234500000}, {"184467440737.09551615", UINT64_MAX}};
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v;
        CHECK(erg_amount_parse(good[i].s, UINT64_MAX, &v, NULL) == ERG_OK && v == good[i].v);
    }
}

static void test_parse_bad(void)
{
    static const char *bad[] = {"", ".", "-1", "+1", "1e8", "1.000000001", "1,5", " 1", "1 ", "0x10", "1..2"};
    size_t i;
    uint64_t v = 77;
    erg_err err;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(erg_amount_parse(bad[i], UINT64_MAX, &v, &err) == ERG_ERR_PARSE);
    CHECK(v == 77);
    CHECK(erg_amount_parse("184467440737.09551616", UINT64_MAX, &v, &err) == ERG_ERR_RANGE);
    CHECK(erg_amount_parse("99999999999999999999999", UINT64_MAX, &v, &err) == ERG_ERR_RANGE);
    CHECK(erg_amount_parse("2", 100000000, &v, &err) == ERG_ERR_RANGE);
}

static void test_roundtrip(void)
{
    uint64_t vals[] = {0, 1, 99999999, 100000000, 123456789012345ull, 21000000ull * 100000000ull};
    size_t i;
    for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char s[ERG_AMOUNT_STR_MAX];
        uint64_t back;
        erg_amount_format(vals[i], s);
        CHECK(erg_amount_parse(s, UINT64_MAX, &back, NULL) == ERG_OK && back == vals[i]);
    }
}

ERG_TESTS("amount", T(test_format), T(test_parse_good), T(test_parse_bad), T(test_roundtrip))
