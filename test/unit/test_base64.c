/* Unit tests for src/util/base64: RFC 4648 vectors, round trips, every malformed shape rejected. */
#include <stdlib.h>

#include "src/util/base64.h"
#include "test/unit/harness.h"

static void test_rfc4648_vectors(void)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    size_t i;
    for (i = 0; i < 7; i++) {
        char out[16];
        uint8_t *dec = NULL;
        size_t n = strlen(plain[i]), dn = 99;
        CHECK(erg_base64_encoded_len(n) == strlen(enc[i]));
        CHECK(erg_base64_encode((const uint8_t *)plain[i], n, out, sizeof out, NULL) == ERG_OK);
        CHECK(strcmp(out, enc[i]) == 0);
        CHECK(erg_base64_decode_alloc(enc[i], strlen(enc[i]), &dec, &dn, NULL) == ERG_OK);
        CHECK(dn == n);
        if (dec) CHECK(memcmp(dec, plain[i], n) == 0 && dec[n] == 0);
        free(dec);
    }
}

static void test_round_trip_all_bytes(void)
{
    uint8_t in[256], *dec = NULL;
    char out[400];
    size_t n, dn;
    for (n = 0; n < 256; n++) in[n] = (uint8_t)(255 - n);
    for (n = 0; n <= 256; n += 17) {
        CHECK(erg_base64_encode(in, n, out, sizeof out, NULL) == ERG_OK);
        CHECK(erg_base64_decode_alloc(out, strlen(out), &dec, &dn, NULL) == ERG_OK);
        CHECK(dn == n && memcmp(dec, in, n) == 0);
        free(dec);
        dec = NULL;
    }
}

static void test_rejects_malformed(void)
{
    static const char *bad[] = {"Zg=", "Zg", "Z===", "Zm9v=g==", "Zm9*", "Zh==", "Zm9=Zm9v", "====", "Zm 9", "Zm8\n"};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *dec = (uint8_t *)&i;
        size_t dn = 7;
        erg_err err;
        CHECK(erg_base64_decode_alloc(bad[i], strlen(bad[i]), &dec, &dn, &err) != ERG_OK);
        CHECK(err.reason[0] != '\0');
        /* Nothing changes on failure. */
        CHECK(dec == (uint8_t *)&i && dn == 7);
    }
}

static void test_encode_needs_room(void)
{
    char out[4];
    erg_err err;
    CHECK(erg_base64_encode((const uint8_t *)"foo", 3, out, sizeof out, &err) == ERG_ERR_ARG);
}

ERG_TESTS("base64", T(test_rfc4648_vectors), T(test_round_trip_all_bytes), T(test_rejects_malformed),
          T(test_encode_needs_room))
