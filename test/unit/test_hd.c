/* Unit tests for wallet/hd: BIP32's published hardened vector, frozen Ergon paths and derivation properties. */
#include "wallet/hd.h"

#include <string.h>

#include "src/crypto/random.h"
#include "src/util/hex.h"
#include "test/unit/harness.h"

/* BIP32 test vector 1 (bitcoin/bips, bip-0032): seed 000102...0f, chain m and m/0H. */
static void test_bip32_vector1(void)
{
    uint8_t seed[16], want[32];
    erg_hd_node m, c;
    erg_err err;
    erg_test_unhex("000102030405060708090a0b0c0d0e0f", seed, 16);
    CHECK(erg_hd_master("Bitcoin seed", seed, 16, &m, &err) == ERG_OK);
    erg_test_unhex("e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35", want, 32);
    CHECK_EQ_MEM(m.key.b, want, 32);
    erg_test_unhex("873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508", want, 32);
    CHECK_EQ_MEM(m.chain, want, 32);
    CHECK(erg_hd_child(&m, 0, &c, &err) == ERG_OK);
    erg_test_unhex("edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea", want, 32);
    CHECK_EQ_MEM(c.key.b, want, 32);
    erg_test_unhex("47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141", want, 32);
    CHECK_EQ_MEM(c.chain, want, 32);
    erg_hd_node_clear(&m);
    erg_hd_node_clear(&c);
}

/* Frozen Ergon vectors for seed 000102...0f, cross-checked once against an independent
 * Python (hmac, hashlib, integer arithmetic) implementation of the same path. */
static void test_frozen_ergon_paths(void)
{
    static const char *main_keys[3] = {"ed8ceee5560854911ff53adddd35510007d9b0710feb28214b0e2547740dd0a1",
                                       "76a9c38b0cba9c78a76ebc5b0f67e93dcb27e1a0460c06db5bc25c5f13737da4",
                                       "50c89333d335e30ec033a1e8a23ac487663d450a5a6a753c54779d3bf1931da0"};
    static const char *test_keys[3] = {"c134ddcd6879247940bb0edd24d250585dfbad01abb704f5fb5e2233814a1e7b",
                                       "0fa54d9bc3b016c94b2f93cde4dfce240766a43c8158df25e828c5a1a6688cef",
                                       "ad42fbc99f1e7612b04153e66f5be549c120d535c0908c854c1cb3293dd7e2b5"};
    uint8_t seed[16], want[32];
    erg_hd_node acct, c, r;
    erg_pubkey pk;
    char addr[ERG_ADDRESS_MAX];
    erg_err err;
    uint32_t i;
    erg_test_unhex("000102030405060708090a0b0c0d0e0f", seed, 16);
    CHECK(erg_hd_account(seed, 16, ERG_NET_MAIN, 0, &acct, &err) == ERG_OK);
    erg_test_unhex("e8ed46d2f757c657a11d0de37f85381fa8e88297a936827edd4aea7486af31b1", want, 32);
    CHECK_EQ_MEM(acct.key.b, want, 32);
    for (i = 0; i < 3; i++) {
        CHECK(erg_hd_child(&acct, i, &c, &err) == ERG_OK);
        erg_test_unhex(main_keys[i], want, 32);
        CHECK_EQ_MEM(c.key.b, want, 32);
    }
    CHECK(erg_hd_child(&acct, 0, &c, &err) == ERG_OK);
    CHECK(erg_seckey_pubkey(&c.key, &pk, &err) == ERG_OK);
    CHECK(erg_address_encode(ERG_NET_MAIN, &pk, addr, sizeof addr, &err) == ERG_OK);
    CHECK(strcmp(addr, "erg1qdtsdwq534742llwuxxntgyr5emll6zh8ecn0jpxenpf6u5094ncsgkffc9") == 0);
    /* Test and regtest share coin type 1 (as Bitcoin's test networks share BIP44 coin 1). */
    CHECK(erg_hd_account(seed, 16, ERG_NET_REGTEST, 0, &r, &err) == ERG_OK);
    CHECK(erg_hd_account(seed, 16, ERG_NET_TEST, 0, &acct, &err) == ERG_OK);
    CHECK_EQ_MEM(r.key.b, acct.key.b, 32);
    erg_test_unhex("a05a52e3b810a16e914acb3eb7fe1d2530997bf5ad120d400736e9f738f2ba02", want, 32);
    CHECK_EQ_MEM(acct.chain, want, 32);
    for (i = 0; i < 3; i++) {
        CHECK(erg_hd_child(&r, i, &c, &err) == ERG_OK);
        erg_test_unhex(test_keys[i], want, 32);
        CHECK_EQ_MEM(c.key.b, want, 32);
    }
    erg_hd_node_clear(&acct);
    erg_hd_node_clear(&c);
    erg_hd_node_clear(&r);
}

static void test_properties(void)
{
    uint8_t seed[32], seed2[32];
    erg_hd_node a, b, c1, c2;
    erg_err err;
    uint32_t i, j;
    erg_pubkey pks[16];
    CHECK(erg_random_bytes(seed, 32, &err) == ERG_OK);
    memcpy(seed2, seed, 32);
    seed2[31] ^= 1;
    /* Deterministic: the same seed gives the same account twice. */
    CHECK(erg_hd_account(seed, 32, ERG_NET_MAIN, 0, &a, &err) == ERG_OK);
    CHECK(erg_hd_account(seed, 32, ERG_NET_MAIN, 0, &b, &err) == ERG_OK);
    CHECK_EQ_MEM(a.key.b, b.key.b, 32);
    CHECK_EQ_MEM(a.chain, b.chain, 32);
    /* A one-bit change of the seed, another account or another network change everything. */
    CHECK(erg_hd_account(seed2, 32, ERG_NET_MAIN, 0, &b, &err) == ERG_OK);
    CHECK(memcmp(a.key.b, b.key.b, 32) != 0 && memcmp(a.chain, b.chain, 32) != 0);
    CHECK(erg_hd_account(seed, 32, ERG_NET_MAIN, 1, &b, &err) == ERG_OK);
    CHECK(memcmp(a.key.b, b.key.b, 32) != 0);
    CHECK(erg_hd_account(seed, 32, ERG_NET_REGTEST, 0, &b, &err) == ERG_OK);
    CHECK(memcmp(a.key.b, b.key.b, 32) != 0);
    /* Sixteen children: all distinct, each reproducible. */
    for (i = 0; i < 16; i++) {
        CHECK(erg_hd_child(&a, i, &c1, &err) == ERG_OK);
        CHECK(erg_hd_child(&a, i, &c2, &err) == ERG_OK);
        CHECK_EQ_MEM(c1.key.b, c2.key.b, 32);
        CHECK(erg_seckey_pubkey(&c1.key, &pks[i], &err) == ERG_OK);
        for (j = 0; j < i; j++) CHECK(memcmp(pks[i].b, pks[j].b, 32) != 0);
    }
    /* The largest hardened index works; 2^31 is refused (no non-hardened derivation). */
    CHECK(erg_hd_child(&a, ERG_HD_HARDENED - 1, &c1, &err) == ERG_OK);
    memcpy(&c2, &c1, sizeof c2);
    CHECK(erg_hd_child(&a, ERG_HD_HARDENED, &c1, &err) == ERG_ERR_ARG);
    CHECK_EQ_MEM(&c1, &c2, sizeof c1);
    /* The child may overwrite its parent in place. */
    b = a;
    CHECK(erg_hd_child(&a, 5, &c1, &err) == ERG_OK);
    CHECK(erg_hd_child(&b, 5, &b, &err) == ERG_OK);
    CHECK_EQ_MEM(b.key.b, c1.key.b, 32);
    /* Clearing wipes the secret. */
    erg_hd_node_clear(&a);
    memset(seed2, 0, 32);
    CHECK_EQ_MEM(a.key.b, seed2, 32);
    erg_hd_node_clear(&b);
    erg_hd_node_clear(&c1);
    erg_hd_node_clear(&c2);
}

static void test_bad_seeds(void)
{
    uint8_t seed[65] = {0};
    erg_hd_node m;
    erg_err err;
    CHECK(erg_hd_master(ERG_HD_SEED_KEY, seed, 15, &m, &err) == ERG_ERR_ARG);
    CHECK(erg_hd_master(ERG_HD_SEED_KEY, seed, 65, &m, &err) == ERG_ERR_ARG);
    CHECK(erg_hd_master(ERG_HD_SEED_KEY, seed, 64, &m, &err) == ERG_OK);
    CHECK(erg_hd_master(NULL, seed, 16, &m, &err) == ERG_ERR_ARG);
    erg_hd_node_clear(&m);
}

ERG_TESTS("hd", T(test_bip32_vector1), T(test_frozen_ergon_paths), T(test_properties), T(test_bad_seeds))
