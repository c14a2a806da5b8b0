/* Unit tests for wallet/mnemonic: the word encoding, frozen phrases, round trips and every kind of typing error. */
#include "wallet/mnemonic.h"

#include <stdio.h>
#include <string.h>

#include "src/crypto/random.h"
#include "test/unit/harness.h"

/* Frozen: entropy 00 01 02 ... (16 and 32 bytes). The entropy words follow from the spec by
 * hand (0x0001 = b a b a d, 0x0203 = b a m a g, ...); the checksum words were computed once. */
static const char *g_phrase16 = "babad bamag bibaj bimal boban bomar bubat bumaz jokil";
static const char *g_phrase32 =
    "babad bamag bibaj bimal boban bomar bubat bumaz dabid damig dibij dimil dobin domir dubit dumiz pajof";

static void test_frozen_phrases(void)
{
    uint8_t e[32], d[32];
    char out[ERG_MNEMONIC_MAX];
    size_t len = 0, i;
    erg_err err;
    for (i = 0; i < 32; i++) e[i] = (uint8_t)i;
    CHECK(erg_mnemonic_encode(e, 16, out, sizeof out, &err) == ERG_OK);
    CHECK(strcmp(out, g_phrase16) == 0);
    CHECK(erg_mnemonic_encode(e, 32, out, sizeof out, &err) == ERG_OK);
    CHECK(strcmp(out, g_phrase32) == 0);
    CHECK(erg_mnemonic_decode(g_phrase32, d, &len, &err) == ERG_OK);
    CHECK(len == 32);
    CHECK_EQ_MEM(d, e, 32);
    /* All-zero and all-one words: the first and last letters of each table. */
    memset(e, 0, 16);
    CHECK(erg_mnemonic_encode(e, 16, out, sizeof out, &err) == ERG_OK);
    CHECK(strncmp(out, "babab babab babab babab babab babab babab babab ", 48) == 0);
    memset(e, 0xff, 16);
    CHECK(erg_mnemonic_encode(e, 16, out, sizeof out, &err) == ERG_OK);
    CHECK(strncmp(out, "zuzuz zuzuz zuzuz zuzuz zuzuz zuzuz zuzuz zuzuz ", 48) == 0);
}

static void test_random_round_trips(void)
{
    uint8_t e[32], d[32];
    char out[ERG_MNEMONIC_MAX];
    size_t len, sizes[2] = {16, 32};
    int i, s;
    erg_err err;
    for (s = 0; s < 2; s++) {
        for (i = 0; i < 200; i++) {
            CHECK(erg_random_bytes(e, sizes[s], &err) == ERG_OK);
            CHECK(erg_mnemonic_encode(e, sizes[s], out, sizeof out, &err) == ERG_OK);
            CHECK(strlen(out) == (sizes[s] / 2 + 1) * 6 - 1);
            len = 0;
            CHECK(erg_mnemonic_decode(out, d, &len, &err) == ERG_OK);
            CHECK(len == sizes[s]);
            CHECK_EQ_MEM(d, e, sizes[s]);
        }
    }
}

static void test_forgiving_input(void)
{
    uint8_t d[32], e[16];
    size_t len, i;
    erg_err err;
    for (i = 0; i < 16; i++) e[i] = (uint8_t)i;
    len = 0;
    CHECK(erg_mnemonic_decode("  BABAD-bamag\tBiBaJ\n bimal  boban\r\nbomar-bubat bumaz jokil \n", d, &len, &err) == ERG_OK);
    CHECK(len == 16);
    CHECK_EQ_MEM(d, e, 16);
}

static void expect_error(const char *phrase, erg_code code, const char *needle)
{
    uint8_t d[32];
    size_t len = 12345;
    erg_err err;
    memset(d, 0xee, sizeof d);
    erg_err_clear(&err);
    CHECK(erg_mnemonic_decode(phrase, d, &len, &err) == code);
    if (!strstr(err.reason, needle)) {
        fprintf(stderr, "    reason '%s' lacks '%s'\n", err.reason, needle);
        CHECK(0);
    }
    /* Nothing is written on failure. */
    CHECK(len == 12345);
    CHECK(d[0] == 0xee && d[31] == 0xee);
}

static void test_errors_name_the_word(void)
{
    expect_error("babad bamag bibaj bimal boban bomar bubat bumaz", ERG_ERR_PARSE, "8 words");
    expect_error("", ERG_ERR_PARSE, "0 words");
    expect_error("babad bamag bibaj bimal boban bomar bubat bumaz jokil babab", ERG_ERR_PARSE, "10 words");
    expect_error("babad bamag bixaj bimal boban bomar bubat bumaz jokil", ERG_ERR_PARSE, "word 3 'bixaj': letter 3 'x'");
    expect_error("babad bamag bibaj bimel boban bomar bubat bumaz jokil", ERG_ERR_PARSE, "word 4 'bimel': letter 4 'e'");
    expect_error("babad bamag bibaj bimal boban bomar bubat bumaz cokil", ERG_ERR_PARSE, "word 9 'cokil': letter 1 'c'");
    expect_error("babad bamag bibaj bimal bob4n bomar bubat bumaz jokil", ERG_ERR_PARSE, "word 5 'bob4n': letter 4 '4'");
    expect_error("babad bamag bibaj bimal boba bomar bubat bumaz jokil", ERG_ERR_PARSE, "word 5 'boba' has 4 letters");
    expect_error("babad bamagg bibaj bimal boban bomar bubat bumaz jokil", ERG_ERR_PARSE, "word 2 'bamagg' has 6 letters");
    expect_error("babad bamag bibaj bimal boban bomar bubat bumaz jokib", ERG_ERR_CHECKSUM, "checksum word 9");
    /* Two entropy words swapped. */
    expect_error("bamag babad bibaj bimal boban bomar bubat bumaz jokil", ERG_ERR_CHECKSUM, "checksum word 9");
}

/* Every single-letter substitution that keeps a valid word is caught by the checksum. */
static void test_every_substitution_caught(void)
{
    static const char cons[] = "bdfghjklmnprstvz", vows[] = "aiou";
    char p[ERG_MNEMONIC_MAX];
    uint8_t d[32];
    size_t len, w, l, k;
    erg_err err;
    int caught = 0, tried = 0;
    for (w = 0; w < 9; w++) {
        for (l = 0; l < 5; l++) {
            const char *table = l % 2 ? vows : cons;
            for (k = 0; table[k]; k++) {
                strcpy(p, g_phrase16);
                if (p[w * 6 + l] == table[k]) continue;
                p[w * 6 + l] = table[k];
                tried++;
                caught += erg_mnemonic_decode(p, d, &len, &err) == ERG_ERR_CHECKSUM;
            }
        }
    }
    CHECK(tried == 9 * (3 * 15 + 2 * 3));
    CHECK(caught == tried);
}

static void test_bad_arguments(void)
{
    uint8_t e[32] = {0};
    char small[20];
    char out[ERG_MNEMONIC_MAX];
    erg_err err;
    CHECK(erg_mnemonic_encode(e, 24, out, sizeof out, &err) == ERG_ERR_ARG);
    CHECK(erg_mnemonic_encode(e, 0, out, sizeof out, &err) == ERG_ERR_ARG);
    CHECK(erg_mnemonic_encode(e, 16, small, sizeof small, &err) == ERG_ERR_ARG);
    CHECK(erg_mnemonic_decode(NULL, e, NULL, &err) == ERG_ERR_ARG);
}

ERG_TESTS("mnemonic", T(test_frozen_phrases), T(test_random_round_trips), T(test_forgiving_input),
          T(test_errors_name_the_word), T(test_every_substitution_caught), T(test_bad_arguments))
