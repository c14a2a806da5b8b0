/* Unit tests for src/crypto/sha256: FIPS 180 and RFC 4231 vectors, streaming, tagged hashes. */
#include <stdlib.h>

#include "src/crypto/sha256.h"
#include "test/unit/harness.h"

static void check_digest(const char *msg, size_t len, const char *hex)
{
    uint8_t want[32], got[32];
    erg_test_unhex(hex, want, 32);
    erg_sha256(msg, len, got);
    CHECK_EQ_MEM(got, want, 32);
}

static void test_fips_vectors(void)
{
    check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_streaming(void)
{
    uint8_t want[32], got[32], chunk[1000];
    erg_sha256_ctx ctx;
    int i;
    memset(chunk, 'a', sizeof chunk);
    erg_sha256_init(&ctx);
    for (i = 0; i < 1000; i++) erg_sha256_update(&ctx, chunk, sizeof chunk);
    erg_sha256_final(&ctx, got);
    erg_test_unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want, 32);
    CHECK_EQ_MEM(got, want, 32);
}

static void test_double(void)
{
    uint8_t once[32], twice[32], d[32];
    erg_sha256("abc", 3, once);
    erg_sha256(once, 32, twice);
    erg_sha256d("abc", 3, d);
    CHECK_EQ_MEM(d, twice, 32);
}

static void test_tagged_matches_definition(void)
{
    uint8_t th[32], buf[64 + 5], want[32], got[32], streamed[32];
    erg_sha256_ctx ctx;
    erg_sha256("BIP0340/challenge", 17, th);
    memcpy(buf, th, 32);
    memcpy(buf + 32, th, 32);
    memcpy(buf + 64, "hello", 5);
    erg_sha256(buf, sizeof buf, want);
    erg_tagged_hash("BIP0340/challenge", "hello", 5, got);
    CHECK_EQ_MEM(got, want, 32);
    erg_tagged_init(&ctx, "BIP0340/challenge");
    erg_sha256_update(&ctx, "hel", 3);
    erg_sha256_update(&ctx, "lo", 2);
    erg_sha256_final(&ctx, streamed);
    CHECK_EQ_MEM(streamed, want, 32);
    /* Different tags separate domains. */
    erg_tagged_hash("BIP0340/aux", "hello", 5, got);
    CHECK(memcmp(got, want, 32) != 0);
}

static void test_hmac_rfc4231(void)
{
    uint8_t key[20], want32[32], want64[64], got32[32], got64[64];
    memset(key, 0x0b, sizeof key);
    erg_hmac_sha256(key, 20, "Hi There", 8, got32);
    erg_test_unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want32, 32);
    CHECK_EQ_MEM(got32, want32, 32);
    erg_hmac_sha512(key, 20, "Hi There", 8, got64);
    erg_test_unhex("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                   "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                   want64, 64);
    CHECK_EQ_MEM(got64, want64, 64);
    erg_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, got32);
    erg_test_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want32, 32);
    CHECK_EQ_MEM(got32, want32, 32);
}

ERG_TESTS("sha256", T(test_fips_vectors), T(test_million_a_streaming), T(test_double),
          T(test_tagged_matches_definition), T(test_hmac_rfc4231))
