/* Unit tests for chain/chainstate and chain/mempool on a real LevelDB: connect, reorg, undo, reopen, rejects. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/pouw.h"
#include "test/unit/chain_testutil.h"
#include "test/unit/harness.h"

static const erg_chain_params *g_cp;

static void tmpdir(char *out, size_t n)
{
    erg_test_tmpdir(out, n);
}

static void rmdir_r(const char *d)
{
    erg_test_rmdir(d);
}

static erg_code mine(erg_chainstate *cs, const erg_pubkey *pk, const erg_tx *txs, size_t n, uint64_t time_,
                     erg_block *keep, erg_err *err)
{
    return erg_test_mine(g_cp, cs, pk, txs, n, time_, keep, err);
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
    CHECK(erg_chainstate_add_listener(a, &l, NULL) == ERG_OK);
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
    erg_chainstate_remove_listener(a, mp);
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

/* ---- headers-first sync ------------------------------------------------------------------ */

#define SYNC_LEN 50
#ifndef LONG_LEN
#define LONG_LEN 2000
#endif

static uint64_t t0(void)
{
    return (uint64_t)g_cp->genesis_time;
}

/* A clock after every block of an n-block chain mined by mine_chain. */
static uint64_t clock_after(int n)
{
    return t0() + 60u * (unsigned)n + 100;
}

/* Mine n blocks on a throwaway chainstate: blocks[i] is at height i + 1, one minute apart. */
static void mine_chain(erg_block *blocks, int n)
{
    char dir[64];
    erg_chainstate *cs;
    erg_seckey sk;
    erg_pubkey pk;
    int i;
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    key(&sk, &pk);
    for (i = 0; i < n; i++) CHECK(mine(cs, &pk, NULL, 0, t0() + 60u * (unsigned)(i + 1), &blocks[i], NULL) == ERG_OK);
    erg_chainstate_close(cs);
    rmdir_r(dir);
}

static void free_blocks(erg_block *blocks, int n)
{
    int i;
    for (i = 0; i < n; i++) erg_block_free(&blocks[i]);
}

static void id_of(const erg_block *b, uint8_t id[32])
{
    erg_header_id(&b->header, id);
}

static void accept_headers(erg_chainstate *cs, const erg_block *blocks, int from, int to)
{
    int i;
    for (i = from; i < to; i++) CHECK(erg_chainstate_accept_header(cs, &blocks[i].header, clock_after(to), NULL, NULL) == ERG_OK);
}

static uint32_t best_header_height(erg_chainstate *cs)
{
    erg_block_info bi;
    erg_chainstate_best_header(cs, &bi);
    return bi.header.height;
}

static int reason_is(const erg_err *err, const char *token)
{
    return strncmp(err->reason, token, strlen(token)) == 0;
}

static void test_headers_then_blocks_in_reverse(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block blk[SYNC_LEN];
    erg_block_info info, tip, tips[8];
    uint8_t ids[64][32], id[32];
    uint32_t st;
    erg_err err;
    size_t n, i;
    int k, became = 1, saw_active = 0, saw_headers = 0;
    mine_chain(blk, SYNC_LEN);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    for (k = 0; k < SYNC_LEN; k++) {
        CHECK(erg_chainstate_accept_header(cs, &blk[k].header, clock_after(SYNC_LEN), &info, NULL) == ERG_OK);
        CHECK(info.header.height == (uint32_t)k + 1 && !(info.status & ERG_BLOCK_HAVE_DATA));
        CHECK(best_header_height(cs) == (uint32_t)k + 1);
        CHECK(erg_chainstate_height(cs) == 0);
    }
    /* A known header is accepted again without change. */
    CHECK(erg_chainstate_accept_header(cs, &blk[3].header, clock_after(SYNC_LEN), NULL, NULL) == ERG_OK);
    id_of(&blk[SYNC_LEN - 1], id);
    CHECK(erg_chainstate_have(cs, id, &st) && st == 0);
    CHECK(!erg_chainstate_have(cs, blk[0].header.tx_root, NULL));
    /* Every block is missing, lowest first; a small cap keeps the lowest. */
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == SYNC_LEN);
    for (k = 0; k < SYNC_LEN; k++) {
        id_of(&blk[k], id);
        CHECK_EQ_MEM(ids[k], id, 32);
    }
    CHECK(erg_chainstate_missing_blocks(cs, ids, 10) == 10);
    id_of(&blk[9], id);
    CHECK_EQ_MEM(ids[9], id, 32);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 0) == 0);
    /* Tips: the header-only leaf and the active tip it extends. */
    n = erg_chainstate_tips(cs, tips, 8);
    CHECK(n == 2);
    for (i = 0; i < n; i++) {
        if (tips[i].in_active_chain && tips[i].header.height == 0) saw_active = 1;
        if (tips[i].header.height == SYNC_LEN && !(tips[i].status & ERG_BLOCK_HAVE_DATA)) saw_headers = 1;
    }
    CHECK(saw_active && saw_headers);
    /* The header-only entries and the best header survive a restart. */
    erg_chainstate_close(cs);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    CHECK(best_header_height(cs) == SYNC_LEN && erg_chainstate_height(cs) == 0);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == SYNC_LEN);
    /* Blocks from the top down: each is stored and waits, the tip stays at genesis. */
    for (k = SYNC_LEN - 1; k >= 1; k--) {
        CHECK(erg_chainstate_process_block(cs, &blk[k], clock_after(SYNC_LEN), &became, NULL) == ERG_OK && !became);
        CHECK(erg_chainstate_height(cs) == 0);
        if (k == SYNC_LEN / 2) {
            erg_chainstate_close(cs); /* stored-but-waiting blocks survive a restart too */
            CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
            CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == (size_t)k);
        }
    }
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == 1);
    id_of(&blk[0], id);
    CHECK_EQ_MEM(ids[0], id, 32);
    /* The last missing block connects the whole chain. */
    CHECK(erg_chainstate_process_block(cs, &blk[0], clock_after(SYNC_LEN), &became, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == SYNC_LEN);
    erg_chainstate_tip(cs, &tip);
    id_of(&blk[SYNC_LEN - 1], id);
    CHECK_EQ_MEM(tip.id, id, 32);
    CHECK(tip.status & ERG_BLOCK_VALID);
    erg_chainstate_best_header(cs, &info);
    CHECK_EQ_MEM(info.id, tip.id, 32);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == 0);
    CHECK(erg_chainstate_tips(cs, tips, 8) == 1 && tips[0].in_active_chain);
    /* A block with data is a duplicate, as before. */
    CHECK(erg_chainstate_process_block(cs, &blk[10], clock_after(SYNC_LEN), NULL, &err) == ERG_ERR_INVALID);
    CHECK(reason_is(&err, "duplicate:"));
    erg_chainstate_close(cs);
    rmdir_r(dir);
    free_blocks(blk, SYNC_LEN);
}

static void test_blocks_above_header_only_parent(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block blk[SYNC_LEN];
    erg_block_info bi;
    uint8_t ids[64][32];
    int k, became;
    mine_chain(blk, SYNC_LEN);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    /* Only the lower half's headers: the upper blocks come as new entries, the first of them
     * on a header-only parent. */
    accept_headers(cs, blk, 0, SYNC_LEN / 2);
    for (k = SYNC_LEN / 2; k < SYNC_LEN; k++)
        CHECK(erg_chainstate_process_block(cs, &blk[k], clock_after(SYNC_LEN), &became, NULL) == ERG_OK && !became);
    for (k = SYNC_LEN / 2 - 1; k >= 1; k--)
        CHECK(erg_chainstate_process_block(cs, &blk[k], clock_after(SYNC_LEN), &became, NULL) == ERG_OK && !became);
    CHECK(erg_chainstate_height(cs) == 0);
    CHECK(best_header_height(cs) == SYNC_LEN);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == 1);
    /* Extending the tip through the fast path, then the waiting blocks follow. */
    CHECK(erg_chainstate_process_block(cs, &blk[0], clock_after(SYNC_LEN), &became, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == SYNC_LEN);
    CHECK(erg_chainstate_block_at(cs, 7, &bi, NULL) == ERG_OK && bi.ntx == 0 && bi.size > 0 &&
          (bi.status & ERG_BLOCK_HAVE_DATA));
    erg_chainstate_close(cs);
    rmdir_r(dir);
    free_blocks(blk, SYNC_LEN);
}

static void test_bad_headers(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block blk[3];
    erg_header h;
    erg_err err;
    uint8_t id[32];
    uint64_t now = clock_after(3);
    mine_chain(blk, 3);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    CHECK(erg_chainstate_accept_header(cs, &blk[1].header, now, NULL, &err) == ERG_ERR_NOTFOUND);
    CHECK(reason_is(&err, "prev-unknown"));
    h = blk[0].header;
    h.bits ^= 1;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-diffbits"));
    h = blk[0].header;
    h.time = t0(); /* not after the median time past (the genesis time) */
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "time-too-old"));
    CHECK(erg_chainstate_accept_header(cs, &blk[0].header, t0() - 1000, NULL, &err) == ERG_ERR_INVALID &&
          reason_is(&err, "time-too-new"));
    h = blk[0].header;
    h.version = 2;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-version"));
    h = blk[0].header;
    h.side_root[5] = 1;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-side-root"));
    h = blk[0].header;
    h.height = 2;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-height"));
    h = blk[0].header;
    h.job_id[0] ^= 1;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-job"));
    h = blk[0].header;
    h.cu++;
    CHECK(erg_chainstate_accept_header(cs, &h, now, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "bad-cu"));
    /* Nothing refused was stored. */
    CHECK(best_header_height(cs) == 0);
    {
        erg_block_info tips[4];
        CHECK(erg_chainstate_tips(cs, tips, 4) == 1 && tips[0].header.height == 0);
    }
    /* A header marked invalid is refused when it comes again. */
    CHECK(erg_chainstate_accept_header(cs, &blk[0].header, now, NULL, NULL) == ERG_OK);
    id_of(&blk[0], id);
    CHECK(erg_chainstate_invalidate(cs, id, NULL) == ERG_OK);
    CHECK(erg_chainstate_accept_header(cs, &blk[0].header, now, NULL, &err) == ERG_ERR_INVALID &&
          reason_is(&err, "duplicate-invalid"));
    CHECK(erg_chainstate_accept_header(cs, &blk[1].header, now, NULL, &err) == ERG_ERR_INVALID &&
          reason_is(&err, "bad-prevblk"));
    CHECK(best_header_height(cs) == 0);
    erg_chainstate_close(cs);
    rmdir_r(dir);
    free_blocks(blk, 3);
}

/* Regtest takes any unit, so the ticket check needs a network that compares it: regtest's
 * small units on a target where about half of all tickets win. */
static void test_high_ticket_header(void)
{
    static erg_chain_params hp;
    char dir[64];
    erg_chainstate *cs;
    erg_commons_job job;
    erg_pubkey pk;
    erg_seckey sk;
    erg_block b;
    erg_u256 target, den;
    erg_header win, lose;
    erg_err err;
    uint8_t seed[32], ticket[32], id[32];
    uint32_t st;
    int i, have_win = 0, have_lose = 0;
    hp = *g_cp;
    hp.net = ERG_NET_TEST;
    hp.name = "headers-test";
    CHECK(erg_commons_job_at(&hp, 1, &job, NULL) == ERG_OK);
    erg_u256_max(&target);
    erg_u256_shr(&target, &target, 1);
    erg_u256_from_u64(&den, job.cu);
    CHECK(erg_u256_div(&target, &target, &den, NULL) == ERG_OK);
    hp.genesis_bits = hp.pow_limit_bits = erg_u256_to_compact(&target);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, &hp, dir, NULL) == ERG_OK);
    key(&sk, &pk);
    CHECK(erg_chainstate_template(cs, &pk, NULL, 0, t0() + 60, &b, NULL) == ERG_OK);
    erg_pouw_header_seed(&b.header, seed); /* the seed does not cover the output hash */
    for (i = 0; i < 256 && !(have_win && have_lose); i++) {
        erg_header h = b.header;
        memset(h.output_hash, 0, 32);
        h.output_hash[0] = (uint8_t)i;
        erg_pouw_ticket(seed, h.output_hash, ticket);
        if (erg_pouw_check_ticket(ticket, h.bits, h.cu, NULL) == ERG_OK) {
            win = h;
            have_win = 1;
        } else {
            lose = h;
            have_lose = 1;
        }
    }
    CHECK(have_win && have_lose);
    CHECK(erg_chainstate_accept_header(cs, &lose, t0() + 200, NULL, &err) == ERG_ERR_INVALID && reason_is(&err, "high-ticket"));
    /* A winning ticket is all a header needs: the unit is re-executed when the block comes. */
    CHECK(erg_chainstate_accept_header(cs, &win, t0() + 200, NULL, NULL) == ERG_OK);
    CHECK(best_header_height(cs) == 1);
    /* The block behind it fails re-execution, and the header is marked failed with it. */
    b.header = win;
    CHECK(erg_chainstate_process_block(cs, &b, t0() + 200, NULL, &err) == ERG_ERR_INVALID &&
          reason_is(&err, "bad-output-hash"));
    erg_header_id(&win, id);
    CHECK(erg_chainstate_have(cs, id, &st) && (st & ERG_BLOCK_FAILED) && !(st & ERG_BLOCK_HAVE_DATA));
    CHECK(best_header_height(cs) == 0);
    erg_block_free(&b);
    erg_chainstate_close(cs);
    rmdir_r(dir);
}

static void check_locator_heights(erg_chainstate *cs, const uint32_t *want, size_t nwant)
{
    uint8_t ids[64][32];
    erg_block_info bi;
    size_t n = erg_chainstate_locator(cs, ids, 64), i;
    CHECK(n == nwant);
    for (i = 0; i < n && i < nwant; i++) {
        CHECK(erg_chainstate_block_info(cs, ids[i], &bi, NULL) == ERG_OK);
        CHECK(bi.header.height == want[i] && bi.in_active_chain);
    }
}

static void test_locator_shape(void)
{
    static const uint32_t at0[] = {0}, at5[] = {5, 4, 3, 2, 1, 0};
    static const uint32_t at100[] = {100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0};
    char dir[64];
    erg_chainstate *cs;
    erg_seckey sk;
    erg_pubkey pk;
    uint8_t ids[8][32], gid[32];
    erg_block_info tip;
    int i;
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    erg_chainstate_genesis_id(cs, gid);
    key(&sk, &pk);
    check_locator_heights(cs, at0, 1);
    for (i = 1; i <= 100; i++) {
        CHECK(mine(cs, &pk, NULL, 0, t0() + 60u * (unsigned)i, NULL, NULL) == ERG_OK);
        if (i == 5) check_locator_heights(cs, at5, 6);
    }
    check_locator_heights(cs, at100, 16);
    /* A short locator keeps genesis last; one slot holds only the tip. */
    CHECK(erg_chainstate_locator(cs, ids, 4) == 4);
    CHECK_EQ_MEM(ids[3], gid, 32);
    erg_chainstate_tip(cs, &tip);
    CHECK(erg_chainstate_locator(cs, ids, 1) == 1);
    CHECK_EQ_MEM(ids[0], tip.id, 32);
    CHECK(erg_chainstate_locator(cs, ids, 0) == 0);
    erg_chainstate_close(cs);
    rmdir_r(dir);
}

static void test_headers_after_fork(void)
{
    char d1[64], d2[64];
    erg_chainstate *a, *b;
    erg_block blk[20];
    erg_seckey sk;
    erg_pubkey pk;
    erg_header out[64];
    uint8_t loc[32][32], stop[32], id[32], zero[32] = {0};
    uint32_t fh = 99;
    size_t nloc;
    int i;
    tmpdir(d1, sizeof d1);
    tmpdir(d2, sizeof d2);
    CHECK(erg_chainstate_open(&a, g_cp, d1, NULL) == ERG_OK);
    CHECK(erg_chainstate_open(&b, g_cp, d2, NULL) == ERG_OK);
    key(&sk, &pk);
    for (i = 0; i < 20; i++) CHECK(mine(a, &pk, NULL, 0, t0() + 60u * (unsigned)(i + 1), &blk[i], NULL) == ERG_OK);
    /* b shares the first 10 blocks, then mines its own branch of 5. */
    for (i = 0; i < 10; i++) CHECK(erg_chainstate_process_block(b, &blk[i], clock_after(20), NULL, NULL) == ERG_OK);
    for (i = 0; i < 5; i++) CHECK(mine(b, &pk, NULL, 0, t0() + 60u * (unsigned)(11 + i) + 7, NULL, NULL) == ERG_OK);
    nloc = erg_chainstate_locator(b, loc, 32);
    CHECK(nloc == 12); /* heights 15..6, 4, 0 */
    CHECK(erg_chainstate_headers_after(a, (const uint8_t(*)[32])loc, nloc, NULL, out, 64, &fh) == 10);
    CHECK(fh == 10);
    for (i = 0; i < 10; i++) {
        uint8_t want[32];
        erg_header_id(&out[i], id);
        id_of(&blk[10 + i], want);
        CHECK(out[i].height == (uint32_t)(11 + i));
        CHECK_EQ_MEM(id, want, 32);
    }
    /* The stop hash is included and ends the answer; the cap also ends it. */
    id_of(&blk[14], stop);
    CHECK(erg_chainstate_headers_after(a, (const uint8_t(*)[32])loc, nloc, stop, out, 64, NULL) == 5);
    CHECK(out[4].height == 15);
    CHECK(erg_chainstate_headers_after(a, (const uint8_t(*)[32])loc, nloc, zero, out, 3, NULL) == 3);
    CHECK(out[2].height == 13);
    /* No id known: from genesis. The peer's own tip: nothing after it. */
    memset(loc[0], 0xab, 32);
    CHECK(erg_chainstate_headers_after(a, (const uint8_t(*)[32])loc, 1, NULL, out, 64, &fh) == 20 && fh == 0);
    CHECK(out[0].height == 1);
    id_of(&blk[19], loc[0]);
    CHECK(erg_chainstate_headers_after(a, (const uint8_t(*)[32])loc, 1, NULL, out, 64, &fh) == 0 && fh == 20);
    free_blocks(blk, 20);
    erg_chainstate_close(a);
    erg_chainstate_close(b);
    rmdir_r(d1);
    rmdir_r(d2);
}

static void test_invalidate_header_only(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block blk[SYNC_LEN];
    uint8_t ids[64][32], id[32];
    uint32_t st;
    erg_err err;
    int k, became;
    mine_chain(blk, SYNC_LEN);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    accept_headers(cs, blk, 0, SYNC_LEN);
    /* Blocks of known headers, in order: each extends the tip at once. */
    for (k = 0; k < 10; k++) {
        CHECK(erg_chainstate_process_block(cs, &blk[k], clock_after(SYNC_LEN), &became, NULL) == ERG_OK && became);
        CHECK(erg_chainstate_height(cs) == (uint32_t)k + 1);
    }
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == SYNC_LEN - 10);
    id_of(&blk[10], id);
    CHECK_EQ_MEM(ids[0], id, 32);
    /* Invalidating a header-only block: the best header falls back below it, the chain above is
     * failed and no longer wanted. */
    id_of(&blk[29], id);
    CHECK(erg_chainstate_invalidate(cs, id, NULL) == ERG_OK);
    CHECK(best_header_height(cs) == 29);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == 19);
    id_of(&blk[40], id);
    CHECK(erg_chainstate_have(cs, id, &st) && (st & ERG_BLOCK_FAILED_CHILD));
    CHECK(erg_chainstate_process_block(cs, &blk[34], clock_after(SYNC_LEN), NULL, &err) == ERG_ERR_INVALID &&
          strstr(err.reason, "bad-prevblk: parent block is invalid") != NULL);
    CHECK(erg_chainstate_process_block(cs, &blk[29], clock_after(SYNC_LEN), NULL, &err) == ERG_ERR_INVALID &&
          reason_is(&err, "duplicate-invalid"));
    CHECK(erg_chainstate_height(cs) == 10);
    /* The marks are persisted. */
    erg_chainstate_close(cs);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    CHECK(best_header_height(cs) == 29);
    id_of(&blk[29], id);
    CHECK(erg_chainstate_reconsider(cs, id, NULL) == ERG_OK);
    CHECK(best_header_height(cs) == SYNC_LEN);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 64) == SYNC_LEN - 10);
    for (k = 10; k < SYNC_LEN; k++) CHECK(erg_chainstate_process_block(cs, &blk[k], clock_after(SYNC_LEN), NULL, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == SYNC_LEN);
    erg_chainstate_close(cs);
    rmdir_r(dir);
    free_blocks(blk, SYNC_LEN);
}

/* Thousands of blocks stored above one missing block connect at once when it arrives. */
static void test_long_chain_out_of_order(void)
{
    char dir[64];
    erg_chainstate *cs;
    erg_block *blk = calloc(LONG_LEN, sizeof *blk);
    int *order = malloc(LONG_LEN * sizeof *order);
    uint8_t ids[4][32];
    uint32_t r = 12345;
    int k;
    if (!blk || !order) abort();
    mine_chain(blk, LONG_LEN);
    tmpdir(dir, sizeof dir);
    CHECK(erg_chainstate_open(&cs, g_cp, dir, NULL) == ERG_OK);
    accept_headers(cs, blk, 0, LONG_LEN);
    /* Blocks 2.. in a fixed pseudo-random order. */
    for (k = 0; k < LONG_LEN - 1; k++) order[k] = k + 1;
    for (k = LONG_LEN - 2; k > 0; k--) {
        int j, tmp;
        r = r * 1103515245u + 12345u;
        j = (int)((r >> 8) % (uint32_t)(k + 1));
        tmp = order[k];
        order[k] = order[j];
        order[j] = tmp;
    }
    for (k = 0; k < LONG_LEN - 1; k++) CHECK(erg_chainstate_process_block(cs, &blk[order[k]], clock_after(LONG_LEN), NULL, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == 0);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 4) == 1);
    CHECK(erg_chainstate_process_block(cs, &blk[0], clock_after(LONG_LEN), NULL, NULL) == ERG_OK);
    CHECK(erg_chainstate_height(cs) == LONG_LEN);
    CHECK(erg_chainstate_missing_blocks(cs, ids, 4) == 0);
    erg_chainstate_close(cs);
    rmdir_r(dir);
    free_blocks(blk, LONG_LEN);
    free(blk);
    free(order);
}

int main(void)
{
    static const erg_test_case cases[] = {T(test_genesis_and_reopen), T(test_transfers_reorg_and_undo),
                                          T(test_rejections_keep_state), T(test_mempool_refill_after_reorg),
                                          T(test_commons_rotation), T(test_headers_then_blocks_in_reverse),
                                          T(test_blocks_above_header_only_parent), T(test_bad_headers),
                                          T(test_high_ticket_header), T(test_locator_shape), T(test_headers_after_fork),
                                          T(test_invalidate_header_only), T(test_long_chain_out_of_order)};
    g_cp = erg_chain_params_get(ERG_NET_REGTEST);
    return erg_test_run("chainstate", cases, sizeof cases / sizeof cases[0]);
}
