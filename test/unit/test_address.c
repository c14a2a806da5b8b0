/* Unit tests for src/crypto/address: round trips per network, wrong network, and every typo located. */
#include "src/crypto/address.h"

#include <stdio.h>
#include <stdlib.h>

#include "src/crypto/bech32m.h"
#include "test/unit/harness.h"

static const erg_network g_nets[] = {ERG_NET_MAIN, ERG_NET_TEST, ERG_NET_REGTEST};

static long reason_pos(const char *reason)
{
    const char *p = strstr(reason, "position ");
    return p ? strtol(p + 9, NULL, 10) : -1;
}

static void fixed_key(erg_pubkey *pk)
{
    /* The BIP340 vector 1 key: fixed, so the expected address is computed once and pinned. */
    uint8_t b[32];
    erg_err err;
    erg_test_unhex("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", b, 32);
    CHECK(erg_pubkey_parse(pk, b, &err) == ERG_OK);
}

static void random_key(erg_pubkey *pk)
{
    erg_seckey sk;
    erg_err err;
    CHECK(erg_seckey_generate(&sk, &err) == ERG_OK);
    CHECK(erg_seckey_pubkey(&sk, pk, &err) == ERG_OK);
    erg_seckey_clear(&sk);
}

static void test_networks(void)
{
    erg_network net;
    erg_err err;
    CHECK(strcmp(erg_network_hrp(ERG_NET_MAIN), "erg") == 0);
    CHECK(strcmp(erg_network_hrp(ERG_NET_TEST), "terg") == 0);
    CHECK(strcmp(erg_network_hrp(ERG_NET_REGTEST), "rerg") == 0);
    CHECK(erg_network_hrp((erg_network)3) == NULL);
    CHECK(erg_network_parse("main", &net, &err) == ERG_OK && net == ERG_NET_MAIN);
    CHECK(erg_network_parse("testnet", &net, &err) == ERG_OK && net == ERG_NET_TEST);
    CHECK(erg_network_parse("regtest", &net, &err) == ERG_OK && net == ERG_NET_REGTEST);
    CHECK(strcmp(erg_network_name(net), "regtest") == 0);
    net = ERG_NET_TEST;
    CHECK(erg_network_parse("signet", &net, &err) == ERG_ERR_NOTFOUND);
    CHECK(net == ERG_NET_TEST);
    CHECK(strstr(err.reason, "signet") != NULL);
}

static void test_round_trips(void)
{
    size_t k, i;
    for (k = 0; k < 8; k++) {
        erg_pubkey pk, got;
        if (k == 0) fixed_key(&pk);
        else random_key(&pk);
        for (i = 0; i < 3; i++) {
            char addr[ERG_ADDRESS_MAX];
            const char *hrp = erg_network_hrp(g_nets[i]);
            erg_err err;
            CHECK(erg_address_encode(g_nets[i], &pk, addr, sizeof addr, &err) == ERG_OK);
            CHECK(strncmp(addr, hrp, strlen(hrp)) == 0 && addr[strlen(hrp)] == '1');
            CHECK(strlen(addr) == strlen(hrp) + 1 + 53 + 6);
            /* Version 0 encodes as 'q', the first data character. */
            CHECK(addr[strlen(hrp) + 1] == 'q');
            memset(&got, 0, sizeof got);
            CHECK(erg_address_decode(g_nets[i], addr, &got, &err) == ERG_OK);
            CHECK_EQ_MEM(got.b, pk.b, 32);
        }
    }
}

static void test_upper_case_accepted(void)
{
    char addr[ERG_ADDRESS_MAX];
    erg_pubkey pk, got;
    erg_err err;
    size_t i;
    fixed_key(&pk);
    CHECK(erg_address_encode(ERG_NET_MAIN, &pk, addr, sizeof addr, &err) == ERG_OK);
    for (i = 0; addr[i]; i++)
        if (addr[i] >= 'a' && addr[i] <= 'z') addr[i] = (char)(addr[i] - 'a' + 'A');
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_OK);
    CHECK_EQ_MEM(got.b, pk.b, 32);
}

static void test_wrong_network(void)
{
    size_t i, j;
    erg_pubkey pk;
    random_key(&pk);
    for (i = 0; i < 3; i++) {
        char addr[ERG_ADDRESS_MAX], want[64];
        erg_err err;
        CHECK(erg_address_encode(g_nets[i], &pk, addr, sizeof addr, &err) == ERG_OK);
        for (j = 0; j < 3; j++) {
            erg_pubkey got;
            if (i == j) continue;
            memset(got.b, 0xEE, 32);
            CHECK(erg_address_decode(g_nets[j], addr, &got, &err) == ERG_ERR_INVALID);
            snprintf(want, sizeof want, "for network '%s'", erg_network_name(g_nets[i]));
            CHECK(strstr(err.reason, want) != NULL);
            CHECK(got.b[0] == 0xEE && got.b[31] == 0xEE);
        }
    }
}

/* Build a bech32m string with an arbitrary prefix, version and key groups, to reach each later check. */
static void craft(const char *hrp, uint8_t version, const uint8_t *groups, size_t n, char *out)
{
    uint8_t data[ERG_BECH32_DATA_MAX];
    erg_err err;
    data[0] = version;
    memcpy(data + 1, groups, n);
    CHECK(erg_bech32_encode(ERG_BECH32M, hrp, data, 1 + n, out, ERG_ADDRESS_MAX, &err) == ERG_OK);
}

static void test_payload_checks(void)
{
    uint8_t groups[60], bad_x[32];
    size_t n;
    char addr[ERG_ADDRESS_MAX];
    erg_pubkey pk, got;
    erg_err err;
    fixed_key(&pk);
    CHECK(erg_bech32_convert_bits(groups, sizeof groups, &n, 5, pk.b, 32, 8, 1, &err) == ERG_OK);
    CHECK(n == 52);
    craft("erg", 0, groups, 52, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_OK);
    craft("ergo", 0, groups, 52, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "unknown prefix 'ergo'") != NULL);
    craft("erg", 1, groups, 52, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_UNSUPPORTED);
    CHECK(reason_pos(err.reason) == 4);
    craft("erg", 0, groups, 51, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_PARSE);
    groups[52] = 0;
    craft("erg", 0, groups, 53, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_PARSE);
    /* The last group carries 1 key bit and 4 padding bits that must be zero. */
    groups[51] ^= 1;
    craft("erg", 0, groups, 52, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_NONCANON);
    groups[51] ^= 1;
    /* Only the version: no key at all. */
    craft("erg", 0, groups, 0, addr);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_PARSE);
    /* An x that is not on the curve (BIP340 vector 5): refused by decode and by encode. */
    erg_test_unhex("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", bad_x, 32);
    CHECK(erg_bech32_convert_bits(groups, sizeof groups, &n, 5, bad_x, 32, 8, 1, &err) == ERG_OK);
    craft("erg", 0, groups, 52, addr);
    memset(got.b, 0xEE, 32);
    CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "curve point") != NULL);
    CHECK(got.b[0] == 0xEE);
    memcpy(pk.b, bad_x, 32);
    CHECK(erg_address_encode(ERG_NET_MAIN, &pk, addr, sizeof addr, &err) == ERG_ERR_INVALID);
    /* A bech32 (not bech32m) checksum over a valid payload. */
    {
        uint8_t data[ERG_BECH32_DATA_MAX];
        fixed_key(&pk);
        CHECK(erg_bech32_convert_bits(data + 1, 52, &n, 5, pk.b, 32, 8, 1, &err) == ERG_OK);
        data[0] = 0;
        CHECK(erg_bech32_encode(ERG_BECH32, "erg", data, 53, addr, sizeof addr, &err) == ERG_OK);
        CHECK(erg_address_decode(ERG_NET_MAIN, addr, &got, &err) == ERG_ERR_CHECKSUM);
        CHECK(strstr(err.reason, "bech32 string") != NULL);
    }
}

static void test_bad_arguments(void)
{
    char small[63];
    char addr[ERG_ADDRESS_MAX];
    erg_pubkey pk, got;
    erg_err err;
    fixed_key(&pk);
    /* "erg1" + 53 + 6 = 63 characters need 64 bytes. */
    CHECK(erg_address_encode(ERG_NET_MAIN, &pk, small, sizeof small, &err) == ERG_ERR_ARG);
    CHECK(erg_address_encode((erg_network)7, &pk, addr, sizeof addr, &err) == ERG_ERR_ARG);
    CHECK(erg_address_decode((erg_network)7, "erg1", &got, &err) == ERG_ERR_ARG);
    CHECK(erg_address_decode(ERG_NET_MAIN, NULL, &got, &err) == ERG_ERR_ARG);
    CHECK(erg_address_decode(ERG_NET_MAIN, "", &got, NULL) == ERG_ERR_PARSE);
}

/*
 * Every single-character substitution of an address (any printable character, plus a few
 * outside that range) is rejected, and the reason names exactly the mistyped position.
 */
static void test_every_substitution_rejected_and_located(void)
{
    static const int extra[] = {0x01, ' ', 0x7f, 0x80, 0xff};
    size_t i, k, failures = 0, tried = 0;
    for (k = 0; k < 3; k++) {
        char addr[ERG_ADDRESS_MAX], t[ERG_ADDRESS_MAX];
        erg_pubkey pk, got;
        erg_err err;
        size_t n;
        int c;
        random_key(&pk);
        CHECK(erg_address_encode(g_nets[k], &pk, addr, sizeof addr, &err) == ERG_OK);
        n = strlen(addr);
        memcpy(t, addr, n + 1);
        for (i = 0; i < n; i++) {
            for (c = 1; c <= 0xff; c++) {
                size_t e;
                int in_set = c >= 33 && c <= 126;
                for (e = 0; !in_set && e < sizeof extra / sizeof extra[0]; e++) in_set = c == extra[e];
                if (!in_set || c == (unsigned char)addr[i]) continue;
                t[i] = (char)c;
                tried++;
                if (erg_address_decode(g_nets[k], t, &got, &err) == ERG_OK || reason_pos(err.reason) != (long)i) {
                    if (failures++ < 10) fprintf(stderr, "    %s: 0x%02x at %zu: %s\n", addr, c, i, err.reason);
                    CHECK(0);
                }
                t[i] = addr[i];
            }
        }
    }
    CHECK(tried > 3 * 63 * 90);
}

static void test_other_typos_rejected(void)
{
    char addr[ERG_ADDRESS_MAX], t[ERG_ADDRESS_MAX + 1];
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    erg_pubkey pk, got;
    erg_err err;
    size_t n, i, c;
    random_key(&pk);
    CHECK(erg_address_encode(ERG_NET_TEST, &pk, addr, sizeof addr, &err) == ERG_OK);
    n = strlen(addr);
    for (i = 0; i < n; i++) {
        /* Deletion. */
        memcpy(t, addr, i);
        memcpy(t + i, addr + i + 1, n - i);
        CHECK(erg_address_decode(ERG_NET_TEST, t, &got, &err) != ERG_OK);
        /* Insertion of each alphabet character before position i. */
        for (c = 0; c < 32; c++) {
            memcpy(t, addr, i);
            t[i] = charset[c];
            memcpy(t + i + 1, addr + i, n - i + 1);
            CHECK(erg_address_decode(ERG_NET_TEST, t, &got, &err) != ERG_OK);
        }
        /* Adjacent swap. */
        if (i + 1 < n && addr[i] != addr[i + 1]) {
            memcpy(t, addr, n + 1);
            t[i] = addr[i + 1];
            t[i + 1] = addr[i];
            CHECK(erg_address_decode(ERG_NET_TEST, t, &got, &err) != ERG_OK);
        }
    }
}

ERG_TESTS("address", T(test_networks), T(test_round_trips), T(test_upper_case_accepted), T(test_wrong_network),
          T(test_payload_checks), T(test_bad_arguments), T(test_every_substitution_rejected_and_located),
          T(test_other_typos_rejected))
