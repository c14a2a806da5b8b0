/* Unit tests for src/util/uint256: arithmetic, division, compact target encoding. */
#include "src/util/uint256.h"
#include "test/unit/harness.h"

static void test_add_sub_carry(void)
{
    erg_u256 a, b, r;
    erg_u256_from_u64(&a, UINT64_MAX);
    erg_u256_from_u64(&b, 1);
    CHECK(erg_u256_add(&r, &a, &b) == 0);
    CHECK(r.w[0] == 0 && r.w[1] == 1);
    CHECK(erg_u256_sub(&r, &r, &b) == 0);
    CHECK(r.w[0] == UINT64_MAX && r.w[1] == 0);
    erg_u256_max(&a);
    CHECK(erg_u256_add(&r, &a, &b) == 1 && erg_u256_is_zero(&r));
    erg_u256_zero(&a);
    CHECK(erg_u256_sub(&r, &a, &b) == 1);
}

static void test_mul_shift(void)
{
    erg_u256 a, r;
    erg_u256_from_u64(&a, 3);
    erg_u256_shl(&r, &a, 200);
    CHECK(erg_u256_bits(&r) == 202);
    CHECK(erg_u256_mul_u64(&r, &r, 16) == 0 && erg_u256_bits(&r) == 206);
    CHECK(erg_u256_mul_u64(&r, &r, (uint64_t)1 << 60) == 1);
    erg_u256_shr(&r, &a, 1);
    CHECK(r.w[0] == 1);
    erg_u256_shl(&r, &a, 256);
    CHECK(erg_u256_is_zero(&r));
}

static void test_div(void)
{
    erg_u256 a, b, q, check;
    erg_u256_max(&a);
    erg_u256_from_u64(&b, 1000003);
    CHECK(erg_u256_div(&q, &a, &b, NULL) == ERG_OK);
    /* q*b <= a < (q+1)*b */
    CHECK(erg_u256_mul_u64(&check, &q, 1000003) == 0);
    CHECK(erg_u256_cmp(&check, &a) <= 0);
    erg_u256_from_u64(&b, 1000003);
    erg_u256_add(&check, &check, &b);
    erg_u256_sub(&check, &check, &a);
    CHECK(!erg_u256_is_zero(&check));
    erg_u256_zero(&b);
    CHECK(erg_u256_div(&q, &a, &b, NULL) == ERG_ERR_ARG);
    erg_u256_from_u64(&a, 5);
    erg_u256_from_u64(&b, 7);
    CHECK(erg_u256_div(&q, &a, &b, NULL) == ERG_OK && erg_u256_is_zero(&q));
}

static void test_compact_roundtrip(void)
{
    static const uint32_t good[] = {0x1d00ffff, 0x207fffff, 0x1b0404cb, 0x03123456, 0x01120000, 0x2100ffff};
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        erg_u256 t;
        CHECK(erg_u256_from_compact(&t, good[i], NULL) == ERG_OK);
        CHECK(erg_u256_to_compact(&t) == good[i]);
    }
}

static void test_compact_rejects(void)
{
    erg_u256 t;
    erg_err err;
    CHECK(erg_u256_from_compact(&t, 0x04923456, &err) == ERG_ERR_RANGE); /* sign bit */
    CHECK(erg_u256_from_compact(&t, 0x22010000, &err) == ERG_ERR_RANGE); /* > 256 bits */
    CHECK(erg_u256_from_compact(&t, 0x1d000000, &err) == ERG_ERR_RANGE); /* zero */
    CHECK(erg_u256_from_compact(&t, 0x04001234, &err) == ERG_ERR_NONCANON);
    CHECK(strstr(err.reason, "canonical") != NULL);
}

static void test_le_bytes(void)
{
    uint8_t b[32] = {0}, back[32];
    erg_u256 a;
    char hex[65];
    b[0] = 0x01;
    b[31] = 0x80;
    erg_u256_from_le(&a, b);
    CHECK(a.w[0] == 1 && a.w[3] == 0x8000000000000000ull);
    erg_u256_to_le(&a, back);
    CHECK_EQ_MEM(b, back, 32);
    erg_u256_hex(&a, hex);
    CHECK(strncmp(hex, "80", 2) == 0 && strcmp(hex + 62, "01") == 0);
}

ERG_TESTS("uint256", T(test_add_sub_carry), T(test_mul_shift), T(test_div), T(test_compact_roundtrip),
          T(test_compact_rejects), T(test_le_bytes))
