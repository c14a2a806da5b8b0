/* Unit tests for src/util/buffer: growth, limits, little-endian writers, compact sizes. */
#include "src/util/buffer.h"
#include "test/unit/harness.h"

static void test_le_integers(void)
{
    erg_buf b;
    static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                   0x0c, 0x0d, 0x0e, 0x0f};
    erg_buf_init(&b);
    erg_buf_put_u8(&b, 0x01);
    erg_buf_put_u16(&b, 0x0302);
    erg_buf_put_u32(&b, 0x07060504);
    erg_buf_put_u64(&b, 0x0f0e0d0c0b0a0908ull);
    CHECK(erg_buf_status(&b, NULL) == ERG_OK);
    CHECK(b.len == sizeof want);
    CHECK_EQ_MEM(b.data, want, sizeof want);
    CHECK(erg_load_u32(b.data + 3) == 0x07060504);
    CHECK(erg_load_u64(b.data + 7) == 0x0f0e0d0c0b0a0908ull);
    erg_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
}

static void test_compact_boundaries(void)
{
    static const struct { uint64_t v; size_t len; uint8_t tag; } cases[] = {
        {0, 1, 0}, {0xfc, 1, 0xfc}, {0xfd, 3, 0xfd}, {0xffff, 3, 0xfd}, {0x10000, 5, 0xfe},
        {0xffffffffull, 5, 0xfe}, {0x100000000ull, 9, 0xff}, {UINT64_MAX, 9, 0xff}};
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        erg_buf b;
        erg_buf_init(&b);
        erg_buf_put_compact(&b, cases[i].v);
        CHECK(b.len == cases[i].len);
        CHECK(b.data[0] == cases[i].tag);
        erg_buf_free(&b);
    }
}

static void test_growth_keeps_contents(void)
{
    erg_buf b;
    uint32_t i;
    erg_buf_init(&b);
    for (i = 0; i < 100000; i++) erg_buf_put_u32(&b, i);
    CHECK(erg_buf_status(&b, NULL) == ERG_OK);
    CHECK(b.len == 400000);
    CHECK(erg_load_u32(b.data + 4 * 77777) == 77777);
    erg_buf_free(&b);
}

static void test_limit_is_sticky(void)
{
    erg_buf b;
    erg_err err;
    erg_buf_init(&b);
    erg_buf_set_limit(&b, 10);
    erg_buf_put_u64(&b, 1);
    CHECK(erg_buf_status(&b, NULL) == ERG_OK);
    erg_buf_put_u32(&b, 2); /* 12 > 10 */
    CHECK(erg_buf_status(&b, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "limit") != NULL);
    erg_buf_put_u8(&b, 3); /* would fit, but the buffer has failed */
    CHECK(b.len == 8);
    erg_buf_reset(&b);
    CHECK(erg_buf_status(&b, NULL) == ERG_OK);
    erg_buf_free(&b);
}

static void test_bytes_prefix(void)
{
    erg_buf b;
    uint8_t payload[300];
    memset(payload, 0xab, sizeof payload);
    erg_buf_init(&b);
    erg_buf_put_bytes(&b, payload, sizeof payload);
    CHECK(b.len == 3 + 300);
    CHECK(b.data[0] == 0xfd && b.data[1] == 0x2c && b.data[2] == 0x01);
    erg_buf_free(&b);
}

static void test_memzero(void)
{
    uint8_t s[16];
    size_t i;
    int all_zero = 1;
    memset(s, 0x5a, sizeof s);
    erg_memzero(s, sizeof s);
    for (i = 0; i < sizeof s; i++) all_zero &= s[i] == 0;
    CHECK(all_zero);
}

ERG_TESTS("buffer", T(test_le_integers), T(test_compact_boundaries), T(test_growth_keeps_contents),
          T(test_limit_is_sticky), T(test_bytes_prefix), T(test_memzero))
