/* Unit tests for src/util/serialize: bounds, canonical compact sizes, truncation at every byte. */
#include "src/util/buffer.h"
#include "src/util/serialize.h"
#include "test/unit/harness.h"

static void test_roundtrip(void)
{
    erg_buf b;
    erg_reader r;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64, c;
    int64_t i64;
    const uint8_t *p;
    size_t n;
    erg_buf_init(&b);
    erg_buf_put_u8(&b, 7);
    erg_buf_put_u16(&b, 0xbeef);
    erg_buf_put_u32(&b, 0xdeadbeef);
    erg_buf_put_u64(&b, 0x0123456789abcdefull);
    erg_buf_put_i64(&b, -5);
    erg_buf_put_compact(&b, 70000);
    erg_buf_put_bytes(&b, "hello", 5);
    erg_reader_init(&r, b.data, b.len);
    CHECK(erg_read_u8(&r, &u8, "a", NULL) == ERG_OK && u8 == 7);
    CHECK(erg_read_u16(&r, &u16, "b", NULL) == ERG_OK && u16 == 0xbeef);
    CHECK(erg_read_u32(&r, &u32, "c", NULL) == ERG_OK && u32 == 0xdeadbeef);
    CHECK(erg_read_u64(&r, &u64, "d", NULL) == ERG_OK && u64 == 0x0123456789abcdefull);
    CHECK(erg_read_i64(&r, &i64, "e", NULL) == ERG_OK && i64 == -5);
    CHECK(erg_read_compact(&r, &c, UINT64_MAX, "f", NULL) == ERG_OK && c == 70000);
    CHECK(erg_read_bytes(&r, &p, &n, 100, "g", NULL) == ERG_OK && n == 5 && memcmp(p, "hello", 5) == 0);
    CHECK(erg_reader_expect_end(&r, "end", NULL) == ERG_OK);
    erg_buf_free(&b);
}

static void test_truncation_never_overreads(void)
{
    /* Every prefix of a valid encoding must fail cleanly and leave the cursor in place. */
    erg_buf b;
    size_t cut;
    erg_buf_init(&b);
    erg_buf_put_u32(&b, 1);
    erg_buf_put_compact(&b, 0x1234567890ull);
    erg_buf_put_bytes(&b, "0123456789", 10);
    for (cut = 0; cut < b.len; cut++) {
        erg_reader r;
        uint32_t u32;
        uint64_t c;
        const uint8_t *p;
        size_t n;
        erg_err err;
        erg_code rc;
        erg_reader_init(&r, b.data, cut);
        rc = erg_read_u32(&r, &u32, "x", &err);
        if (rc == ERG_OK) rc = erg_read_compact(&r, &c, UINT64_MAX, "y", &err);
        if (rc == ERG_OK) rc = erg_read_bytes(&r, &p, &n, 1000, "z", &err);
        CHECK(rc == ERG_ERR_PARSE);
        CHECK(r.pos <= cut);
        CHECK(strstr(err.reason, "need") != NULL);
    }
    erg_buf_free(&b);
}

static void test_noncanonical_compact_rejected(void)
{
    static const char *bad[] = {"fd0000", "fdfc00", "fe00000000", "feffff0000", "ff0000000000000000",
                                "ffffffffff00000000"};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t raw[16];
        size_t n = erg_test_unhex(bad[i], raw, sizeof raw);
        erg_reader r;
        uint64_t v;
        erg_err err;
        erg_reader_init(&r, raw, n);
        CHECK(erg_read_compact(&r, &v, UINT64_MAX, "len", &err) == ERG_ERR_NONCANON);
        CHECK(r.pos == 0);
        CHECK(strstr(err.reason, "non-canonical") != NULL);
    }
}

static void test_canonical_compact_accepted(void)
{
    static const struct { const char *hex; uint64_t v; } good[] = {
        {"fc", 0xfc}, {"fdfd00", 0xfd}, {"fdffff", 0xffff}, {"fe00000100", 0x10000},
        {"ff0000000001000000", 0x100000000ull}};
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t raw[16];
        size_t n = erg_test_unhex(good[i].hex, raw, sizeof raw);
        erg_reader r;
        uint64_t v;
        erg_reader_init(&r, raw, n);
        CHECK(erg_read_compact(&r, &v, UINT64_MAX, "len", NULL) == ERG_OK && v == good[i].v);
        CHECK(erg_reader_left(&r) == 0);
    }
}

static void test_limits(void)
{
    uint8_t raw[] = {0xfd, 0x00, 0x10}; /* 4096 */
    erg_reader r;
    uint64_t v;
    const uint8_t *p;
    size_t n;
    erg_err err;
    erg_reader_init(&r, raw, sizeof raw);
    CHECK(erg_read_compact(&r, &v, 4095, "count", &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "count") != NULL);
    erg_reader_init(&r, raw, sizeof raw);
    /* A length larger than what is left fails before any allocation is made. */
    CHECK(erg_read_bytes(&r, &p, &n, 1u << 20, "blob", &err) == ERG_ERR_PARSE);
    CHECK(r.pos == 0);
}

static void test_trailing_bytes(void)
{
    uint8_t raw[] = {1, 2, 3};
    erg_reader r;
    uint8_t v;
    erg_err err;
    erg_reader_init(&r, raw, sizeof raw);
    CHECK(erg_read_u8(&r, &v, "v", NULL) == ERG_OK);
    CHECK(erg_reader_expect_end(&r, "msg", &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "2 trailing") != NULL);
}

ERG_TESTS("serialize", T(test_roundtrip), T(test_truncation_never_overreads), T(test_noncanonical_compact_rejected),
          T(test_canonical_compact_accepted), T(test_limits), T(test_trailing_bytes))
