/* Unit tests for src/crypto/random. */
#include "src/crypto/random.h"
#include "test/unit/harness.h"

static void test_fills_and_differs(void)
{
    uint8_t a[64], b[64];
    int i, nonzero = 0;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(erg_random_bytes(a, sizeof a, NULL) == ERG_OK);
    CHECK(erg_random_bytes(b, sizeof b, NULL) == ERG_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    for (i = 0; i < 64; i++) nonzero += a[i] != 0;
    CHECK(nonzero > 40); /* 64 random bytes with >24 zeros: probability below 2^-100 */
}

static void test_large_request(void)
{
    static uint8_t big[1 << 20];
    size_t i, counts[256] = {0};
    CHECK(erg_random_bytes(big, sizeof big, NULL) == ERG_OK);
    for (i = 0; i < sizeof big; i++) counts[big[i]]++;
    /* Each byte value expected 4096 times; 3000..5200 is > 15 sigma wide. */
    for (i = 0; i < 256; i++) CHECK(counts[i] > 3000 && counts[i] < 5200);
}

ERG_TESTS("random", T(test_fills_and_differs), T(test_large_request))
