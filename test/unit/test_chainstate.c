/* Unit tests for chain/chainstate and chain/mempool on a real LevelDB: connect, reorg, undo, reopen, rejects. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/pouw.h"
#include "test/unit/harness.h"

static const erg_chain_params *g_cp;

static void tmpdir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/erg_cs_XXXXXX");
    if (!mkdtemp(out)) abort();
}

static void rmdir_r(const char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", d);
}

/* Build, solve (regtest: any unit wins) and submit a block on the tip paying pk. */
static erg_code mine(erg_chainstate *cs, const erg_pubkey *pk, const erg_tx *txs, size_t n, uint64_t time_,
                     erg_block *keep, erg_err *err)
{
    erg_block b;
    erg_commons_job job;
    uint8_t seed[32], *out;
    size_t len;
    erg_code rc;
    if ((rc = erg_chainstate_template(cs, pk, txs, n, time_, &b, err))) return rc;
    if ((rc = erg_commons_job_at(g_cp, b.header.height, &job, err))) return rc;
    len = job.kernel->output_size(&job.params);
    out = malloc(len);
    erg_pouw_header_seed(&b.header, seed);
    rc = erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, len, err);
    if (rc == ERG_OK) rc = erg_kernel_output_hash(job.kernel, &job.params, out, len, b.header.output_hash, err);
    free(out);
    if (rc == ERG_OK) rc = erg_chainstate_process_block(cs, &b, time_ + 100, NULL, err);
    if (keep) *keep = b;
    else erg_block_free(&b);
    return rc;
}

static void key(erg_seckey *sk, erg_pubkey *pk)
{
    CHECK(erg_seckey_generate(sk, NULL) == ERG_OK);
    CHECK(erg_seckey_pubkey(sk, pk, NULL) == ERG_OK);
}

static erg_tx transfer(const erg_seckey *sk, const erg_pubkey *from, const erg_pubkey *to, uint64_t amount,
                       uint64_t nonce, const uint8_t gid[32])
{
    erg_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = ERG_TX_VERSION;
    tx.type = ERG_TX_TRANSFER;
    tx.from = *from;
    tx.to = *to;
    tx.amount = amount;
    tx.fee = 1000;
    tx.nonce = nonce;
    if (erg_tx_sign(&tx, sk, gid, NULL)) abort();
    return tx;
}

static void test_genesis_and_reopen(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block_info tip, tip2;
    erg_seckey sk;
    erg_pubkey pk;
    erg_account a;
    int i;
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == 0);
    key(&sk, &pk);
    for (i = 1; i <= 12; i++) CHECK(mine(cs, &pk, NULL, 0, (uint64_t)g_cp->genesis_time + 60u * (unsigned)i, NULL, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == 12);
    erg_chainstate_tip(cs, &tip);
    CHECK(erg_chainstate_get_account(cs, &pk, &a, NULL) == ERG_OK && a.balance == 12 * 50 * ERG_COIN);
    erg_chainstate_close(cs);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    erg_chainstate_tip(cs, &tip2);
    CHECK(memcmp(tip.id, tip2.id, 32) == 0);
    CHECK(erg_u256_cmp(&tip.chainwork, &tip2.chainwork) == 0);
    CHECK(erg_chainstate_get_account(cs, &pk, &a, NULL) == ERG_OK && a.balance == 12 * 50 * ERG_COIN);
    erg_chainstate_close(cs);
    rmdir_r(dir);
}

static void test_transfers_reorg_and_undo(void)
{
    char d1[64], d2[64];
    erg_chainstate *a, *b;
    erg_seckey ska, skb;
    erg_pubkey pka, pkb;
    erg_account acct;
    uint8_t gid[32];
    erg_block blocks[8];
    erg_block_info tip_before;
    erg_tx tx;
    uint64_t t = (uint64_t)g_cp->genesis_time;
    int i, became = 0;
    tmpdir(d1, sizeof d1);
    tmpdir(d2, sizeof d2);
    CHECK(erg_chainstate_open(&a, g_cp, d1, NULL) == ERG_OK);
    CHECK(erg_chainstate_open(&b, g_cp, d2, NULL) == ERG_OK);
    erg_chainstate_genesis_id(a, gid);
    key(&ska, &pka);
    key(&skb, &pkb);
    /* Shared history: 2 blocks to A, copied to b. */
    for (i = 0; i < 2; i++) {
        CHECK(mine(a, &pka, NULL, 0, t += 60, &blocks[i], NULL) == ERG_OK);
        CHECK(erg_chainstate_process_block(b, &blocks[i], t + 100, &became, NULL) == ERG_OK && became);
    }
    erg_chainstate_tip(a, &tip_before);
    /* a: A pays B in block 3. */
    tx = transfer(&ska, &pka, &pkb, 7 * ERG_COIN, 0, gid);
    CHECK(mine(a, &pka, &tx, 1, t + 60, NULL, NULL) == ERG_OK);
    CHECK(erg_chainstate_get_account(a, &pkb, &acct, NULL) == ERG_OK && acct.balance == 7 * ERG_COIN);
    CHECK(erg_chainstate_get_account(a, &pka, &acct, NULL) == ERG_OK && acct.nonce == 1 &&
          acct.balance == 100 * ERG_COIN - 7 * ERG_COIN - 1000 + 50 * ERG_COIN + 1000);
    /* b: two blocks paying B (heavier than a's one). */
    for (i = 2; i < 4; i++) CHECK(mine(b, &pkb, NULL, 0, t += 60, &blocks[i], NULL) == ERG_OK);
    for (i = 2; i < 4; i++) {
        CHECK(erg_chainstate_process_block(a, &blocks[i], t + 100, &became, NULL) == ERG_OK);
        CHECK(became == (i == 3));
    }
    CHECK(erg_chainstate_height(a) == 4);
    /* The transfer was undone exactly: B holds only its two subsidies, A's nonce is back to 0. */
    CHECK(erg_chainstate_get_account(a, &pkb, &acct, NULL) == ERG_OK && acct.balance == 100 * ERG_COIN);
    CHECK(erg_chainstate_get_account(a, &pka, &acct, NULL) == ERG_OK && acct.nonce == 0 && acct.balance == 100 * ERG_COIN);
    {
        erg_block_info ta, tb;
        erg_chainstate_tip(a, &ta);
        erg_chainstate_tip(b, &tb);
        CHECK(memcmp(ta.id, tb.id, 32) == 0);
        CHECK(memcmp(ta.header.state_root, tb.header.state_root, 32) == 0);
    }
    /* invalidate b's first branch block: back to a's branch with the transfer. */
    {
        uint8_t id[32];
        erg_header_id(&blocks[2].header, id);
        CHECK(erg_chainstate_invalidate(a, id, NULL) == ERG_OK);
        CHECK(erg_chainstate_height(a) == 3);
        CHECK(erg_chainstate_get_account(a, &pkb, &acct, NULL) == ERG_OK && acct.balance == 7 * ERG_COIN);
        CHECK(erg_chainstate_reconsider(a, id, NULL) == ERG_OK);
        CHECK(erg_chainstate_height(a) == 4);
    }
    for (i = 0; i < 4; i++) erg_block_free(&blocks[i]);
    erg_chainstate_close(a);
    erg_chainstate_close(b);
    rmdir_r(d1);
    rmdir_r(d2);
}

static void test_rejections_keep_state(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_seckey sk, sk2;
    erg_pubkey pk, pk2;
    erg_block b, bad;
    erg_block_info before, after;
    erg_err err;
    uint8_t gid[32];
    erg_tx tx;
    uint64_t t = (uint64_t)g_cp->genesis_time + 60;
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    erg_chainstate_genesis_id(cs, gid);
    key(&sk, &pk);
    key(&sk2, &pk2);
    CHECK(mine(cs, &pk, NULL, 0, t, NULL, NULL) == ERG_OK);
    erg_chainstate_tip(cs, &before);
    CHECK(mine(cs, &pk, NULL, 0, t + 60, &b, NULL) != ERG_ERR_ARG); /* a valid block 2, kept */
    /* Build variants of block 2 on top of block 1 by re-using it against a copy of the chain. */
    erg_chainstate_close(cs);
    rmdir_r(dir);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    /* Unknown parent. */
    bad = b;
    CHECK(erg_chainstate_process_block(cs, &bad, t + 200, NULL, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "bad-prevblk") != NULL);
    CHECK(mine(cs, &pk, NULL, 0, t, NULL, NULL) == ERG_OK);
    erg_chainstate_tip(cs, &before);
    /* A transfer spending more than the balance in a template is skipped, not included. */
    tx = transfer(&sk2, &pk2, &pk, 5 * ERG_COIN, 0, gid);
    {
        erg_block tb;
        CHECK(erg_chainstate_template(cs, &pk, &tx, 1, t + 60, &tb, NULL) == ERG_OK);
        CHECK(tb.ntx == 0);
        erg_block_free(&tb);
    }
    /* The same transfer forced into a block: rejected at connect with its reason, tip unchanged. */
    {
        erg_block tb;
        erg_commons_job job;
        uint8_t seed[32], *out;
        size_t len;
        CHECK(erg_chainstate_template(cs, &pk, NULL, 0, t + 60, &tb, NULL) == ERG_OK);
        CHECK(erg_block_add_tx(&tb, &tx, NULL) == ERG_OK);
        CHECK(erg_block_tx_root(&tb, tb.header.tx_root, NULL) == ERG_OK);
        CHECK(erg_commons_job_at(g_cp, tb.header.height, &job, NULL) == ERG_OK);
        len = job.kernel->output_size(&job.params);
        out = malloc(len);
        erg_pouw_header_seed(&tb.header, seed);
        CHECK(erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, len, NULL) == ERG_OK);
        CHECK(erg_kernel_output_hash(job.kernel, &job.params, out, len, tb.header.output_hash, NULL) == ERG_OK);
        free(out);
        CHECK(erg_chainstate_process_block(cs, &tb, t + 200, NULL, &err) == ERG_ERR_INVALID);
        CHECK(strstr(err.reason, "bad-txns-balance") != NULL);
        erg_chainstate_tip(cs, &after);
        CHECK(memcmp(before.id, after.id, 32) == 0);
        /* Resubmitting the invalid block is refused as known-invalid. */
        CHECK(erg_chainstate_process_block(cs, &tb, t + 200, NULL, &err) == ERG_ERR_INVALID);
        CHECK(strstr(err.reason, "duplicate-invalid") != NULL);
        erg_block_free(&tb);
    }
    erg_block_free(&b);
    erg_chainstate_close(cs);
    rmdir_r(dir);
}

static void test_mempool_refill_after_reorg(void)
{
    char d1[64], d2[64];
    erg_chainstate *a, *b;
    erg_mempool *mp;
    erg_seckey ska, skb;
    erg_pubkey pka, pkb;
    erg_block blk[4];
    erg_mempool_info mi;
    erg_tx *sel;
    size_t nsel;
    uint8_t gid[32];
    uint64_t t = (uint64_t)g_cp->genesis_time;
    erg_chain_listener l;
    int i;
    erg_tx tx0, tx1;
    tmpdir(d1, sizeof d1);
    tmpdir(d2, sizeof d2);
    CHECK(erg_chainstate_open(&a, g_cp, d1, NULL) == ERG_OK);
    CHECK(erg_chainstate_open(&b, g_cp, d2, NULL) == ERG_OK);
    CHECK(erg_mempool_create(&mp, a, 1 << 20, 1000, NULL) == ERG_OK);
    l = erg_mempool_listener(mp);
    erg_chainstate_set_listener(a, &l);
    erg_chainstate_genesis_id(a, gid);
    key(&ska, &pka);
    key(&skb, &pkb);
    CHECK(mine(a, &pka, NULL, 0, t += 60, &blk[0], NULL) == ERG_OK);
    erg_mempool_sync(mp);
    CHECK(erg_chainstate_process_block(b, &blk[0], t + 100, NULL, NULL) == ERG_OK);
    tx0 = transfer(&ska, &pka, &pkb, ERG_COIN, 0, gid);
    tx1 = transfer(&ska, &pka, &pkb, ERG_COIN, 1, gid);
    CHECK(erg_mempool_add(mp, &tx1, 0, NULL) != ERG_OK); /* nonce gap */
    CHECK(erg_mempool_add(mp, &tx0, 0, NULL) == ERG_OK);
    CHECK(erg_mempool_add(mp, &tx1, 0, NULL) == ERG_OK);
    CHECK(erg_mempool_select(mp, 1 << 20, &sel, &nsel, NULL) == ERG_OK && nsel == 2 && sel[0].nonce == 0);
    CHECK(mine(a, &pka, sel, nsel, t + 60, NULL, NULL) == ERG_OK);
    free(sel);
    erg_mempool_sync(mp);
    erg_mempool_info_get(mp, &mi);
    CHECK(mi.count == 0);
    for (i = 1; i < 3; i++) CHECK(mine(b, &pkb, NULL, 0, t += 60, &blk[i], NULL) == ERG_OK);
    for (i = 1; i < 3; i++) CHECK(erg_chainstate_process_block(a, &blk[i], t + 100, NULL, NULL) == ERG_OK);
    erg_mempool_sync(mp);
    erg_mempool_info_get(mp, &mi);
    CHECK(mi.count == 2); /* both transfers back from the disconnected block */
    for (i = 0; i < 3; i++) erg_block_free(&blk[i]);
    erg_chainstate_set_listener(a, NULL);
    erg_mempool_destroy(mp);
    erg_chainstate_close(a);
    erg_chainstate_close(b);
    rmdir_r(d1);
    rmdir_r(d2);
}

static void test_commons_rotation(void)
{
    erg_commons_job j;
    uint32_t h;
    const char *seen[5];
    for (h = 1; h <= 5; h++) {
        CHECK(erg_commons_job_at(g_cp, h, &j, NULL) == ERG_OK);
        seen[h - 1] = j.kernel->name;
        CHECK(j.cu >= 1);
    }
    CHECK(strcmp(seen[0], "hpfold") == 0 && strcmp(seen[4], "ising2d") == 0);
}

int main(void)
{
    static const erg_test_case cases[] = {T(test_genesis_and_reopen), T(test_transfers_reorg_and_undo),
                                          T(test_rejections_keep_state), T(test_mempool_refill_after_reorg),
                                          T(test_commons_rotation)};
    g_cp = erg_chain_params_get(ERG_NET_REGTEST);
    return erg_test_run("chainstate", cases, sizeof cases / sizeof cases[0]);
}
