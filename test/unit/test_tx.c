/* Unit tests for chain/tx: encoding round trip, truncation, signatures bound to the network, range checks. */
#include "chain/params.h"
#include "chain/tx.h"
#include "test/unit/harness.h"

static uint8_t g_genesis[32] = {1, 2, 3};

static void make_tx(erg_tx *tx, erg_seckey *sk)
{
    erg_seckey sk2;
    erg_pubkey to;
    memset(tx, 0, sizeof *tx);
    CHECK(erg_seckey_generate(sk, NULL) == ERG_OK);
    CHECK(erg_seckey_generate(&sk2, NULL) == ERG_OK);
    CHECK(erg_seckey_pubkey(sk, &tx->from, NULL) == ERG_OK);
    CHECK(erg_seckey_pubkey(&sk2, &to, NULL) == ERG_OK);
    tx->version = ERG_TX_VERSION;
    tx->type = ERG_TX_TRANSFER;
    tx->to = to;
    tx->nonce = 7;
    tx->fee = 1000;
    tx->amount = 5 * ERG_COIN;
    CHECK(erg_tx_sign(tx, sk, g_genesis, NULL) == ERG_OK);
}

static void test_roundtrip(void)
{
    erg_tx tx, back;
    erg_seckey sk;
    erg_buf b;
    uint8_t id1[32], id2[32];
    make_tx(&tx, &sk);
    erg_buf_init(&b);
    erg_tx_serialize(&tx, &b);
    CHECK(b.len == erg_tx_size(&tx));
    CHECK(erg_tx_decode(b.data, b.len, &back, NULL) == ERG_OK);
    erg_tx_id(&tx, id1);
    erg_tx_id(&back, id2);
    CHECK_EQ_MEM(id1, id2, 32);
    CHECK(erg_tx_check(&back, g_genesis, NULL) == ERG_OK);
    erg_buf_free(&b);
}

static void test_truncated_and_trailing(void)
{
    erg_tx tx, back;
    erg_seckey sk;
    erg_buf b;
    size_t cut;
    make_tx(&tx, &sk);
    erg_buf_init(&b);
    erg_tx_serialize(&tx, &b);
    for (cut = 0; cut < b.len; cut++) CHECK(erg_tx_decode(b.data, cut, &back, NULL) == ERG_ERR_PARSE);
    erg_buf_put_u8(&b, 0);
    CHECK(erg_tx_decode(b.data, b.len, &back, NULL) == ERG_ERR_PARSE);
    erg_buf_free(&b);
}

static void test_every_field_is_signed(void)
{
    erg_tx tx, bad;
    erg_seckey sk;
    erg_err err;
    uint8_t other[32] = {9};
    make_tx(&tx, &sk);
    bad = tx;
    bad.amount++;
    CHECK(erg_tx_check(&bad, g_genesis, &err) == ERG_ERR_INVALID && strstr(err.reason, "bad-txns-signature"));
    bad = tx;
    bad.fee--;
    CHECK(erg_tx_check(&bad, g_genesis, NULL) == ERG_ERR_INVALID);
    bad = tx;
    bad.nonce++;
    CHECK(erg_tx_check(&bad, g_genesis, NULL) == ERG_ERR_INVALID);
    bad = tx;
    bad.to.b[0] ^= 1;
    CHECK(erg_tx_check(&bad, g_genesis, NULL) == ERG_ERR_INVALID);
    bad = tx;
    bad.sig[10] ^= 1;
    CHECK(erg_tx_check(&bad, g_genesis, NULL) == ERG_ERR_INVALID);
    /* Signed for one network, invalid on another. */
    CHECK(erg_tx_check(&tx, other, &err) == ERG_ERR_INVALID && strstr(err.reason, "bad-txns-signature"));
}

static void test_ranges(void)
{
    erg_tx tx;
    erg_seckey sk;
    erg_err err;
    uint64_t total;
    make_tx(&tx, &sk);
    tx.amount = 0;
    CHECK(erg_tx_sign(&tx, &sk, g_genesis, NULL) == ERG_OK);
    CHECK(erg_tx_check(&tx, g_genesis, &err) == ERG_ERR_INVALID && strstr(err.reason, "bad-txns-amount"));
    tx.amount = ERG_MAX_MONEY;
    tx.fee = 1;
    CHECK(erg_tx_sign(&tx, &sk, g_genesis, NULL) == ERG_OK);
    CHECK(erg_tx_check(&tx, g_genesis, &err) == ERG_ERR_INVALID && strstr(err.reason, "bad-txns-total"));
    tx.amount = UINT64_MAX;
    tx.fee = 2;
    CHECK(erg_tx_total(&tx, &total, &err) == ERG_ERR_OVERFLOW);
    tx.amount = 1;
    tx.fee = 0;
    tx.to = tx.from;
    CHECK(erg_tx_sign(&tx, &sk, g_genesis, NULL) == ERG_OK);
    CHECK(erg_tx_check(&tx, g_genesis, &err) == ERG_ERR_INVALID && strstr(err.reason, "bad-txns-self"));
}

static void test_wrong_key_cannot_sign(void)
{
    erg_tx tx;
    erg_seckey sk, other;
    make_tx(&tx, &sk);
    CHECK(erg_seckey_generate(&other, NULL) == ERG_OK);
    CHECK(erg_tx_sign(&tx, &other, g_genesis, NULL) == ERG_ERR_ARG);
}

static void test_unknown_version_and_type(void)
{
    erg_tx tx, back;
    erg_seckey sk;
    erg_buf b;
    erg_err err;
    make_tx(&tx, &sk);
    erg_buf_init(&b);
    erg_tx_serialize(&tx, &b);
    b.data[0] = 2;
    CHECK(erg_tx_decode(b.data, b.len, &back, &err) == ERG_ERR_PARSE && strstr(err.reason, "bad-txns-version"));
    b.data[0] = 1;
    b.data[1] = 9;
    CHECK(erg_tx_decode(b.data, b.len, &back, &err) == ERG_ERR_PARSE && strstr(err.reason, "bad-txns-type"));
    erg_buf_free(&b);
}

ERG_TESTS("tx", T(test_roundtrip), T(test_truncated_and_trailing), T(test_every_field_is_signed), T(test_ranges),
          T(test_wrong_key_cannot_sign), T(test_unknown_version_and_type))
