/* The chain state: block index, block storage, accounts and state root in LevelDB, fork choice and reorgs. */
#ifndef ERG_CHAIN_CHAINSTATE_H
#define ERG_CHAIN_CHAINSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "chain/block.h"
#include "chain/params.h"
#include "src/util/uint256.h"

/*
 * One erg_chainstate owns one LevelDB database (<datadir>/chainstate). Every block is
 * connected or disconnected in ONE atomic, synced write batch that updates accounts, the
 * state-tree nodes, the undo record and the tip pointer together, so a crash (kill -9) at
 * any point leaves the previous or the next consistent tip, never a mix. All functions are
 * thread-safe (one internal lock, like Bitcoin Core's cs_main).
 */
typedef struct erg_chainstate erg_chainstate;

enum {
    ERG_BLOCK_HAVE_DATA = 1u << 0,    /* the full block is stored */
    ERG_BLOCK_VALID = 1u << 1,        /* connected successfully at least once */
    ERG_BLOCK_FAILED = 1u << 2,       /* invalid itself (or marked by invalidateblock) */
    ERG_BLOCK_FAILED_CHILD = 1u << 3  /* descends from a failed block */
};

typedef struct erg_block_info {
    uint8_t id[32];
    erg_header header;
    uint32_t status;     /* ERG_BLOCK_* bits */
    erg_u256 chainwork;  /* sum of erg_pouw_work over the chain up to and including this block */
    uint64_t mtp;        /* median time of this block and its 10 predecessors */
    int in_active_chain; /* 1 if on the current best chain */
    size_t size;         /* encoded block size, bytes */
    uint32_t ntx;
} erg_block_info;

typedef struct erg_account {
    uint64_t balance; /* base units, <= ERG_MAX_MONEY */
    uint64_t nonce;   /* number of transactions sent */
} erg_account;

/* Called under the chainstate lock after each connect/disconnect of the active chain (the
 * mempool uses them to drop mined transactions and re-admit those of disconnected blocks). */
typedef struct erg_chain_listener {
    void (*block_connected)(void *ctx, const erg_block *b, const erg_block_info *info);
    void (*block_disconnected)(void *ctx, const erg_block *b, const erg_block_info *info);
    void *ctx;
} erg_chain_listener;

/* The genesis header of a network, built deterministically from its params (no transactions,
 * the empty state; its job id names the network so that each network's genesis differs). */
void erg_genesis_header(const erg_chain_params *cp, erg_header *h);

/* Open (creating with the network's genesis block if empty) and load the block index. */
erg_code erg_chainstate_open(erg_chainstate **out, const erg_chain_params *cp, const char *dir, erg_err *err) ERG_WARN_UNUSED;
void erg_chainstate_close(erg_chainstate *cs);
/* Listeners are called in the order added (the mempool first, then the network, in ergond). */
#define ERG_CHAIN_MAX_LISTENERS 4
erg_code erg_chainstate_add_listener(erg_chainstate *cs, const erg_chain_listener *l, erg_err *err) ERG_WARN_UNUSED;
/* Remove every listener registered with this ctx (before the ctx goes away). */
void erg_chainstate_remove_listener(erg_chainstate *cs, void *ctx);
const erg_chain_params *erg_chainstate_params(const erg_chainstate *cs);
/* The genesis block of this network (built deterministically from the params). */
void erg_chainstate_genesis_id(const erg_chainstate *cs, uint8_t id[32]);

void erg_chainstate_tip(erg_chainstate *cs, erg_block_info *info);
uint32_t erg_chainstate_height(erg_chainstate *cs);
erg_code erg_chainstate_block_at(erg_chainstate *cs, uint32_t height, erg_block_info *info, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_chainstate_block_info(erg_chainstate *cs, const uint8_t id[32], erg_block_info *info, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_chainstate_read_block(erg_chainstate *cs, const uint8_t id[32], erg_block *b, erg_err *err) ERG_WARN_UNUSED;
/* Chain tips known to the index (like getchaintips): every leaf, header-only leaves included
 * (status without ERG_BLOCK_HAVE_DATA), plus the active tip even when headers extend it.
 * Fills up to cap entries. */
size_t erg_chainstate_tips(erg_chainstate *cs, erg_block_info *infos, size_t cap);

/* A transaction confirmed in the active chain, and the block holding it (info may be NULL). */
erg_code erg_chainstate_find_tx(erg_chainstate *cs, const uint8_t txid[32], erg_tx *tx, erg_block_info *info,
                                erg_err *err) ERG_WARN_UNUSED;

/* Account at the current tip (a missing account reads as zero balance and nonce). */
erg_code erg_chainstate_get_account(erg_chainstate *cs, const erg_pubkey *pk, erg_account *acct, erg_err *err) ERG_WARN_UNUSED;

/*
 * Accept a block from anywhere (miner, submitblock, a peer): context-free checks, checks
 * against its parent (height, time > MTP, time <= now + max_future_time, bits = ASERT,
 * unit re-execution and ticket), store it, then switch to the heaviest valid chain,
 * reorganising if needed. ERG_OK if the block is valid and stored (it may be on a side
 * branch; *became_tip says whether it is now the tip). Rejections carry Bitcoin-style
 * reasons ("bad-prevblk", "time-too-old", "time-too-new", "bad-diffbits", "bad-output-hash",
 * "high-ticket", "bad-txnmrklroot", "bad-state-root", "bad-txns-nonce", ...), and the node's
 * data is unchanged. An already-stored block returns ERG_ERR_INVALID "duplicate" (or
 * "duplicate-invalid"); the block of a header-only entry is accepted and completes it (a
 * failed-child one is refused "bad-prevblk"), and a block whose ancestors' data has not
 * arrived is stored and connected when they have. `now` is the node's clock (unix seconds).
 */
erg_code erg_chainstate_process_block(erg_chainstate *cs, const erg_block *b, uint64_t now, int *became_tip,
                                      erg_err *err) ERG_WARN_UNUSED;

/* invalidateblock / reconsiderblock semantics of Bitcoin Core. */
erg_code erg_chainstate_invalidate(erg_chainstate *cs, const uint8_t id[32], erg_err *err) ERG_WARN_UNUSED;
erg_code erg_chainstate_reconsider(erg_chainstate *cs, const uint8_t id[32], erg_err *err) ERG_WARN_UNUSED;

/*
 * Build a block template on the current tip: version, height, prev, time (max(now, MTP + 1)),
 * bits, the transactions from `cands` that apply in order (others are skipped, their
 * indices reported through skipped/nskipped when non-NULL), tx root, the state root after
 * applying them and crediting `payout` with subsidy + fees, side root, payout, and the
 * commons job id and cu. The miner then only sets nonce and output_hash.
 */
erg_code erg_chainstate_template(erg_chainstate *cs, const erg_pubkey *payout, const erg_tx *cands, size_t ncands,
                                 uint64_t now, erg_block *out, erg_err *err) ERG_WARN_UNUSED;

/* ---- headers-first sync ---------------------------------------------------------------
 * The index also holds headers whose block data has not arrived yet (status without
 * ERG_BLOCK_HAVE_DATA). They are persisted like any index entry, so a restart resumes the
 * download, but without waiting for the disk (a crash may lose the last headers, which peers
 * send again; the next synced block write makes them durable). A header-only entry never becomes the tip: best_candidate() needs data for the
 * block and every ancestor. */

/*
 * Accept a header from a peer: known header -> ERG_OK (ERG_ERR_INVALID "duplicate-invalid"
 * if it is marked failed); unknown parent -> ERG_ERR_NOTFOUND "prev-unknown"; then the
 * context-free header checks (version, side root), the checks against the parent (height,
 * time > MTP, time <= now + max future, bits = ASERT), the ticket against the target (cheap:
 * no re-execution, that waits for the block) -> stored as a header-only entry. *info (may
 * be NULL) receives the entry. Header-only entries beyond ERG_MAX_HEADERS_ONLY are refused
 * with ERG_ERR_RANGE "too-many-headers" (a bound on memory a peer can make us spend).
 */
#define ERG_MAX_HEADERS_ONLY 100000
erg_code erg_chainstate_accept_header(erg_chainstate *cs, const erg_header *h, uint64_t now, erg_block_info *info,
                                      erg_err *err) ERG_WARN_UNUSED;
/* The most-work entry that is not failed, header-only or not (equal to the tip when every
 * header's block has arrived). */
void erg_chainstate_best_header(erg_chainstate *cs, erg_block_info *info);
/* Block locator of the active chain: tip, then back 1 at a time for 10, then doubling, genesis
 * last. Returns the count written (<= cap; cap >= 2 keeps genesis). */
size_t erg_chainstate_locator(erg_chainstate *cs, uint8_t (*ids)[32], size_t cap);
/* The first locator id that is on the active chain (genesis if
 * none), and up to cap headers of the active chain after it, stopping after `stop` (NULL or
 * zero: no stop). Returns the count; *fork_height (may be NULL) gets the fork point's height. */
size_t erg_chainstate_headers_after(erg_chainstate *cs, const uint8_t (*locator)[32], size_t nloc,
                                    const uint8_t stop[32], erg_header *out, size_t cap, uint32_t *fork_height);
/* Ids of blocks to download: on the chain of the best header, the blocks without data above
 * the last ancestor that has it, lowest first, up to cap. Blocks marked failed are skipped
 * (the chain beyond them is not wanted). Returns the count. */
size_t erg_chainstate_missing_blocks(erg_chainstate *cs, uint8_t (*ids)[32], size_t cap);
/* Whether the index knows id (with or without data); *status gets its ERG_BLOCK_* bits. */
int erg_chainstate_have(erg_chainstate *cs, const uint8_t id[32], uint32_t *status);

#endif
