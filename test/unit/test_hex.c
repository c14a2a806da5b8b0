/* Unit tests for src/util/hex. */
#include <stdlib.h>

#include "src/util/hex.h"
#include "test/unit/harness.h"

static void test_encode(void)
{
    uint8_t in[] = {0x00, 0x01, 0xab, 0xff};
    char out[9];
    CHECK(erg_hex_encode(in, 4, out, sizeof out, NULL) == ERG_OK);
    CHECK(strcmp(out, "0001abff") == 0);
    CHECK(erg_hex_encode(in, 4, out, 8, NULL) == ERG_ERR_ARG);
}

static void test_decode(void)
{
    uint8_t out[4];
    erg_err err;
    CHECK(erg_hex_decode("0001ABff", out, 4, NULL) == ERG_OK);
    CHECK(out[0] == 0 && out[1] == 1 && out[2] == 0xab && out[3] == 0xff);
    CHECK(erg_hex_decode("0001ab", out, 4, &err) == ERG_ERR_PARSE);
    CHECK(erg_hex_decode("0001abfg", out, 4, &err) == ERG_ERR_PARSE);
    CHECK(strstr(err.reason, "position 7") != NULL);
}

static void test_decode_alloc(void)
{
    uint8_t *p = NULL;
    size_t n = 0;
    CHECK(erg_hex_decode_alloc("deadbeef", &p, &n, NULL) == ERG_OK);
    CHECK(n == 4 && p[0] == 0xde && p[3] == 0xef);
    free(p);
    CHECK(erg_hex_decode_alloc("abc", &p, &n, NULL) == ERG_ERR_PARSE);
    CHECK(erg_hex_decode_alloc("", &p, &n, NULL) == ERG_OK && n == 0);
    free(p);
}

static void test_reverse32(void)
{
    uint8_t in[32] = {0};
    char out[65];
    in[0] = 0x01;
    in[31] = 0xf0;
    erg_hex_reverse32(in, out);
    CHECK(strncmp(out, "f0", 2) == 0);
    CHECK(strcmp(out + 62, "01") == 0);
}

ERG_TESTS("hex", T(test_encode), T(test_decode), T(test_decode_alloc), T(test_reverse32))
