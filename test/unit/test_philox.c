/* Unit tests for kernels/philox.h: Random123 known-answer vectors, the seed binding, exact bounded draws. */
#include "kernels/philox.h"

#include "kernels/kernel.h"
#include "test/unit/harness.h"

/*
 * Random123 (DEShawResearch/random123) tests/kat_vectors, the three "philox4x32 10" lines:
 * counter (4 words), key (2 words), expected output (4 words).
 */
static const uint32_t kat[3][10] = {
    {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
     0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
     0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
     0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
};

static void test_random123_known_answers(void)
{
    int i, j;
    for (i = 0; i < 3; i++) {
        uint32_t out[4];
        erg_philox4x32_10(kat[i], kat[i] + 4, out);
        for (j = 0; j < 4; j++) CHECK(out[j] == kat[i][6 + j]);
    }
}

static void test_mulhi(void)
{
    CHECK(erg_mulhi32(0xffffffffu, 0xffffffffu) == 0xfffffffeu);
    CHECK(erg_mulhi32(0x80000000u, 2) == 1);
    CHECK(erg_mulhi32(0x12345678u, 0) == 0);
}

/* The binding in philox.h: key = {s0^s4, s1^s5}, counter = {block, stream, s2^s6, s3^s7}. */
static void test_seed_binding(void)
{
    uint8_t seed[32];
    uint32_t s[8], key[2], ctr[4], blk[4];
    erg_rng r;
    int i, b;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(0x30 + 7 * i);
    erg_seed_words(seed, s);
    CHECK(s[0] == 0x453e3730u); /* little-endian words */
    erg_rng_init(&r, s, 5);
    key[0] = s[0] ^ s[4];
    key[1] = s[1] ^ s[5];
    ctr[1] = 5;
    ctr[2] = s[2] ^ s[6];
    ctr[3] = s[3] ^ s[7];
    for (b = 0; b < 3; b++) {
        ctr[0] = (uint32_t)b;
        erg_philox4x32_10(ctr, key, blk);
        for (i = 0; i < 4; i++) CHECK(erg_rng_u32(&r) == blk[i]);
    }
    /* Every seed word matters: flipping one bit of any word changes the first draw. */
    for (i = 0; i < 8; i++) {
        uint32_t t[8], first;
        erg_rng r2;
        memcpy(t, s, sizeof t);
        erg_rng_init(&r2, t, 5);
        first = erg_rng_u32(&r2);
        t[i] ^= 1u << (i * 3);
        erg_rng_init(&r2, t, 5);
        CHECK(erg_rng_u32(&r2) != first);
    }
}

/* erg_rng_below accepts exactly [2^32 mod n, 2^32), a multiple of n values: no modulo bias. */
static void test_below_exact(void)
{
    static const uint32_t ns[] = {1, 2, 3, 5, 6, 7, 10, 1000, 65537, 0x7fffffffu, 0x80000000u, 0x80000001u,
                                  0xaaaaaaabu, 0xfffffffeu, 0xffffffffu};
    size_t i;
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        uint32_t n = ns[i], limit = (uint32_t)(0u - n) % n;
        CHECK(limit < n);
        CHECK(((1ull << 32) - limit) % n == 0);
        CHECK(limit == (uint32_t)((1ull << 32) % n));
    }
}

/* Feed chosen words through the buffer to see rejections consumed exactly as specified. */
static void test_below_rejects_and_reduces(void)
{
    erg_rng r;
    memset(&r, 0, sizeof r);
    r.used = 0;
    r.buf[0] = 0;          /* n = 3: limit 1, rejected */
    r.buf[1] = 5;          /* accepted: 5 % 3 */
    r.buf[2] = 0x7ffffffeu; /* n = 0x80000001: limit 0x7fffffff, rejected */
    r.buf[3] = 0xffffffffu; /* accepted: 0xffffffff - 0x80000001 */
    CHECK(erg_rng_below(&r, 3) == 2);
    CHECK(r.used == 2);
    CHECK(erg_rng_below(&r, 0x80000001u) == 0x7ffffffeu);
    CHECK(r.used == 4);
}

static void test_below_uniform(void)
{
    uint32_t s[8] = {1, 2, 3, 4, 5, 6, 7, 8}, counts[10] = {0};
    erg_rng r;
    int i;
    erg_rng_init(&r, s, 0);
    for (i = 0; i < 100000; i++) {
        uint32_t v = erg_rng_below(&r, 10);
        CHECK(v < 10);
        if (v < 10) counts[v]++;
    }
    /* Each count is Binomial(1e5, 0.1): sd ~ 95, so 6 sd = 570. */
    for (i = 0; i < 10; i++) CHECK(counts[i] > 10000 - 570 && counts[i] < 10000 + 570);
    for (i = 0; i < 1000; i++) CHECK(erg_rng_below(&r, 1) == 0);
}

ERG_TESTS("philox", T(test_random123_known_answers), T(test_mulhi), T(test_seed_binding), T(test_below_exact),
          T(test_below_rejects_and_reduces), T(test_below_uniform))
