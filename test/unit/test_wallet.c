/* Unit tests for wallet/wallet: restore gives the same addresses, payload round trips and truncations, history rules, exact amounts. */
#include "wallet/wallet.h"

#include <string.h>

#include "chain/params.h"
#include "src/crypto/random.h"
#include "src/util/amount.h"
#include "test/unit/harness.h"

static void seed16(uint8_t e[16])
{
    int i;
    for (i = 0; i < 16; i++) e[i] = (uint8_t)i;
}

static void test_create_and_restore_same_addresses(void)
{
    uint8_t e[32];
    erg_wallet a, b;
    const erg_wallet_addr *x;
    char addr[ERG_ADDRESS_MAX];
    erg_err err;
    int i;
    erg_wallet_init(&a);
    erg_wallet_init(&b);
    seed16(e);
    CHECK(erg_wallet_create(&a, ERG_NET_MAIN, e, 16, 0, &err) == ERG_OK);
    CHECK(a.n_addrs == 1 && a.next_index == 1 && a.addrs[0].index == 0);
    /* The first address is the frozen m/17746'/0'/0'/0' of test_hd. */
    CHECK(erg_address_encode(ERG_NET_MAIN, &a.addrs[0].pk, addr, sizeof addr, &err) == ERG_OK);
    CHECK(strcmp(addr, "erg1qdtsdwq534742llwuxxntgyr5emll6zh8ecn0jpxenpf6u5094ncsgkffc9") == 0);
    CHECK(erg_random_bytes(e, 32, &err) == ERG_OK);
    CHECK(erg_wallet_create(&a, ERG_NET_REGTEST, e, 32, 7, &err) == ERG_OK);
    CHECK(erg_wallet_create(&b, ERG_NET_REGTEST, e, 32, 0, &err) == ERG_OK);
    for (i = 0; i < 5; i++) {
        CHECK(erg_wallet_new_address(&a, "lbl", &x, &err) == ERG_OK);
        CHECK(x->index == (uint32_t)i + 1 && strcmp(x->label, "lbl") == 0);
        CHECK(erg_wallet_new_address(&b, NULL, NULL, &err) == ERG_OK);
    }
    CHECK(a.n_addrs == 6 && b.n_addrs == 6);
    for (i = 0; i < 6; i++) CHECK_EQ_MEM(a.addrs[i].pk.b, b.addrs[i].pk.b, 32);
    for (i = 1; i < 6; i++) CHECK(memcmp(a.addrs[i].pk.b, a.addrs[i - 1].pk.b, 32) != 0);
    /* Another network: other addresses. */
    CHECK(erg_wallet_create(&b, ERG_NET_MAIN, e, 32, 0, &err) == ERG_OK);
    CHECK(memcmp(a.addrs[0].pk.b, b.addrs[0].pk.b, 32) != 0);
    CHECK(erg_wallet_create(&b, ERG_NET_MAIN, e, 24, 0, &err) == ERG_ERR_ARG);
    erg_wallet_free(&a);
    erg_wallet_free(&b);
}

static void test_seckeys_match_addresses(void)
{
    uint8_t e[16], msg[32] = {1, 2, 3}, sig[64];
    erg_wallet w;
    erg_seckey sk;
    erg_pubkey pk, stranger;
    erg_err err;
    size_t i;
    seed16(e);
    erg_wallet_init(&w);
    CHECK(erg_wallet_create(&w, ERG_NET_REGTEST, e, 16, 0, &err) == ERG_OK);
    CHECK(erg_wallet_new_address(&w, "", NULL, &err) == ERG_OK);
    CHECK(erg_wallet_new_address(&w, "", NULL, &err) == ERG_OK);
    for (i = 0; i < w.n_addrs; i++) {
        CHECK(erg_wallet_seckey(&w, &w.addrs[i].pk, &sk, &err) == ERG_OK);
        CHECK(erg_seckey_pubkey(&sk, &pk, &err) == ERG_OK);
        CHECK_EQ_MEM(pk.b, w.addrs[i].pk.b, 32);
        CHECK(erg_schnorr_sign(&sk, msg, sizeof msg, NULL, sig, &err) == ERG_OK);
        CHECK(erg_schnorr_verify(&w.addrs[i].pk, msg, sizeof msg, sig));
    }
    erg_seckey_clear(&sk);
    memset(stranger.b, 7, 32);
    CHECK(erg_wallet_seckey(&w, &stranger, &sk, &err) == ERG_ERR_NOTFOUND);
    CHECK(erg_wallet_find(&w, &stranger) == NULL);
    erg_wallet_free(&w);
}

static void fill(erg_wallet *w)
{
    uint8_t e[16];
    erg_wallet_tx t;
    erg_tx tx;
    erg_err err;
    seed16(e);
    erg_wallet_init(w);
    if (erg_wallet_create(w, ERG_NET_REGTEST, e, 16, 3, &err) || erg_wallet_new_address(w, "savings", NULL, &err))
        CHECK(0);
    w->scanned = 1;
    w->scan_height = 20;
    memset(w->scan_hash, 0xab, 32);
    memset(&t, 0, sizeof t);
    t.kind = ERG_WTX_REWARD;
    memset(t.id, 1, 32);
    t.height = 5;
    t.to = w->addrs[0].pk;
    t.amount = 50 * ERG_COIN;
    CHECK(erg_wallet_add_tx(w, &t, NULL, &err) == ERG_OK);
    t.kind = ERG_WTX_TRANSFER;
    memset(t.id, 2, 32);
    t.height = 9;
    t.from = w->addrs[0].pk;
    t.to = w->addrs[1].pk;
    t.amount = 12345;
    t.fee = 10000;
    t.nonce = 0;
    CHECK(erg_wallet_add_tx(w, &t, NULL, &err) == ERG_OK);
    memset(&tx, 0, sizeof tx);
    tx.version = ERG_TX_VERSION;
    tx.from = w->addrs[1].pk;
    tx.to = w->addrs[0].pk;
    tx.amount = 5;
    tx.fee = 10000;
    CHECK(erg_wallet_add_sent(w, &tx, 1700000000, &err) == ERG_OK);
}

static void test_payload_round_trip(void)
{
    erg_wallet w, r;
    erg_buf a, b;
    erg_err err;
    fill(&w);
    erg_buf_init(&a);
    erg_buf_init(&b);
    erg_wallet_serialize(&w, &a);
    CHECK(erg_buf_status(&a, &err) == ERG_OK);
    CHECK(erg_wallet_parse(a.data, a.len, &r, &err) == ERG_OK);
    CHECK(r.net == ERG_NET_REGTEST && r.entropy_len == 16 && r.birth_height == 3 && r.next_index == 2);
    CHECK(r.n_addrs == 2 && strcmp(r.addrs[1].label, "savings") == 0);
    CHECK(r.scanned == 1 && r.scan_height == 20 && r.n_txs == 2 && r.n_sent == 1);
    CHECK(r.txs[1].amount == 12345 && r.sent[0].tx.amount == 5 && r.sent[0].time == 1700000000);
    erg_wallet_serialize(&r, &b);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    erg_wallet_free(&r);
    erg_buf_free(&a);
    erg_buf_free(&b);
    erg_wallet_free(&w);
}

static void test_every_payload_truncation_rejected(void)
{
    erg_wallet w, r;
    erg_buf a;
    size_t n;
    int accepted = 0;
    erg_err err;
    fill(&w);
    erg_buf_init(&a);
    erg_wallet_serialize(&w, &a);
    for (n = 0; n < a.len; n++)
        if (erg_wallet_parse(a.data, n, &r, &err) == ERG_OK) accepted++, erg_wallet_free(&r);
    CHECK(accepted == 0);
    erg_buf_put_u8(&a, 0);
    CHECK(erg_wallet_parse(a.data, a.len, &r, &err) == ERG_ERR_PARSE);
    /* A version this program does not know is refused by name. */
    a.data[0] = 9;
    CHECK(erg_wallet_parse(a.data, a.len - 1, &r, &err) == ERG_ERR_UNSUPPORTED);
    erg_buf_free(&a);
    erg_wallet_free(&w);
}

static void test_history_rules(void)
{
    erg_wallet w;
    erg_wallet_tx t;
    int added;
    uint64_t in, out;
    erg_err err;
    uint8_t id[32];
    fill(&w);
    /* The same (kind, id) is not added twice; the same id of another kind is. */
    t = w.txs[1];
    CHECK(erg_wallet_add_tx(&w, &t, &added, &err) == ERG_OK && added == 0);
    t.kind = ERG_WTX_REWARD;
    t.height = 7;
    CHECK(erg_wallet_add_tx(&w, &t, &added, &err) == ERG_OK && added == 1);
    CHECK(w.n_txs == 3 && w.txs[0].height == 5 && w.txs[1].height == 7 && w.txs[2].height == 9);
    /* A reorganisation back to height 6 forgets heights 7 and 9. */
    erg_wallet_rewind(&w, 6);
    CHECK(w.n_txs == 1 && w.txs[0].height == 5);
    /* Effects: a self-transfer costs only the fee; outgoing costs amount + fee; incoming adds. */
    memset(&t, 0, sizeof t);
    t.kind = ERG_WTX_TRANSFER;
    t.from = w.addrs[0].pk;
    t.to = w.addrs[1].pk;
    t.amount = 100;
    t.fee = 10;
    CHECK(erg_wallet_tx_effect(&w, &t, &in, &out, &err) == ERG_OK && in == 100 && out == 110);
    memset(t.to.b, 9, 32);
    CHECK(erg_wallet_tx_effect(&w, &t, &in, &out, &err) == ERG_OK && in == 0 && out == 110);
    t.to = w.addrs[0].pk;
    memset(t.from.b, 9, 32);
    CHECK(erg_wallet_tx_effect(&w, &t, &in, &out, &err) == ERG_OK && in == 100 && out == 0);
    t.from = w.addrs[0].pk;
    t.amount = UINT64_MAX;
    CHECK(erg_wallet_tx_effect(&w, &t, &in, &out, &err) == ERG_ERR_OVERFLOW);
    /* Sent records go once their txid is seen. */
    erg_tx_id(&w.sent[0].tx, id);
    CHECK(erg_wallet_drop_sent(&w, id) == 1 && w.n_sent == 0);
    CHECK(erg_wallet_drop_sent(&w, id) == 0);
    erg_wallet_free(&w);
}

static void test_labels(void)
{
    erg_wallet w;
    char long_label[ERG_WALLET_LABEL_MAX + 2];
    erg_err err;
    fill(&w);
    memset(long_label, 'a', sizeof long_label - 1);
    long_label[sizeof long_label - 1] = '\0';
    CHECK(erg_wallet_new_address(&w, long_label, NULL, &err) == ERG_ERR_ARG);
    CHECK(erg_wallet_new_address(&w, "tab\there", NULL, &err) == ERG_ERR_ARG);
    CHECK(strstr(err.reason, "character 4") != NULL);
    CHECK(w.n_addrs == 2 && w.next_index == 2);
    long_label[ERG_WALLET_LABEL_MAX] = '\0';
    CHECK(erg_wallet_set_label(&w, &w.addrs[0].pk, long_label, &err) == ERG_OK);
    CHECK(strlen(w.addrs[0].label) == ERG_WALLET_LABEL_MAX);
    erg_wallet_free(&w);
}

/* Amounts as the wallet reads and prints them: exact decimals, where binary floating point is not. */
static void test_exact_amounts(void)
{
    uint64_t a, b, c;
    char s[ERG_AMOUNT_STR_MAX];
    erg_err err;
    CHECK(erg_amount_parse("0.1", ERG_MAX_MONEY, &a, &err) == ERG_OK);
    CHECK(erg_amount_parse("0.2", ERG_MAX_MONEY, &b, &err) == ERG_OK);
    CHECK(erg_amount_parse("0.3", ERG_MAX_MONEY, &c, &err) == ERG_OK);
    CHECK(a + b == c);
    erg_amount_format(a + b, s);
    CHECK(strcmp(s, "0.30000000") == 0);
    CHECK(erg_amount_parse("209999999.99999999", ERG_MAX_MONEY, &a, &err) == ERG_OK && a == ERG_MAX_MONEY - 1);
    erg_amount_format(a, s);
    CHECK(strcmp(s, "209999999.99999999") == 0);
    CHECK(erg_amount_parse("0.000000001", ERG_MAX_MONEY, &a, &err) != ERG_OK);
    CHECK(erg_amount_parse("1e3", ERG_MAX_MONEY, &a, &err) != ERG_OK);
    CHECK(erg_amount_parse("-1", ERG_MAX_MONEY, &a, &err) != ERG_OK);
    CHECK(erg_amount_parse("210000000.00000001", ERG_MAX_MONEY, &a, &err) == ERG_ERR_RANGE);
}

ERG_TESTS("wallet", T(test_create_and_restore_same_addresses), T(test_seckeys_match_addresses), T(test_payload_round_trip),
          T(test_every_payload_truncation_rejected), T(test_history_rules), T(test_labels), T(test_exact_amounts))
