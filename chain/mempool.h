/* The transaction memory pool: admission against the tip, nonce chains, fee priority, size limit. */
#ifndef ERG_CHAIN_MEMPOOL_H
#define ERG_CHAIN_MEMPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainstate.h"
#include "chain/tx.h"

/*
 * Invariants: for every sender, the pooled transactions have consecutive nonces starting at
 * the sender's account nonce at the tip, and the account balance covers the sum of their
 * amounts and fees. The pool's total encoded size stays <= max_bytes; when full, the
 * lowest fee-rate transaction at the end of a sender's chain is evicted first, and a new
 * transaction that pays less than what it would evict is refused.
 *
 * Chain events arrive through erg_mempool_listener() while the chainstate holds its lock; the
 * pool only queues them then, and erg_mempool_sync() (called by the node after the chain
 * call returns) applies them: drops mined and conflicting transactions and re-admits the
 * transactions of disconnected blocks.
 */
typedef struct erg_mempool erg_mempool;

typedef struct erg_mempool_entry {
    erg_tx tx;
    uint8_t txid[32];
    size_t size;    /* encoded bytes */
    uint64_t time;  /* unix seconds it entered the pool */
    uint64_t seq;   /* admission order, from 1; re-admitted transactions get a new one */
} erg_mempool_entry;

typedef struct erg_mempool_info {
    size_t count;
    size_t bytes;
    size_t max_bytes;
    uint64_t total_fee;
    uint64_t min_fee_per_kb; /* relay floor, base units per 1000 bytes */
} erg_mempool_info;

erg_code erg_mempool_create(erg_mempool **out, erg_chainstate *cs, size_t max_bytes, uint64_t min_fee_per_kb,
                            erg_err *err) ERG_WARN_UNUSED;
void erg_mempool_destroy(erg_mempool *mp);
/* Hook for erg_chainstate_add_listener (ctx: the mempool, for erg_chainstate_remove_listener). */
erg_chain_listener erg_mempool_listener(erg_mempool *mp);
/* Apply queued chain events (see above). */
void erg_mempool_sync(erg_mempool *mp);

/* Admit a transaction; reasons: "txn-already-in-mempool", "txn-already-known", "nonce-too-low",
 * "nonce-gap", "txn-mempool-conflict", "insufficient-funds", "min-fee-not-met", "mempool-full",
 * and every erg_tx_check reason. */
erg_code erg_mempool_add(erg_mempool *mp, const erg_tx *tx, uint64_t now, erg_err *err) ERG_WARN_UNUSED;
int erg_mempool_has(erg_mempool *mp, const uint8_t txid[32]);
erg_code erg_mempool_get(erg_mempool *mp, const uint8_t txid[32], erg_mempool_entry *e, erg_err *err) ERG_WARN_UNUSED;
void erg_mempool_info_get(erg_mempool *mp, erg_mempool_info *info);
/* Copy of every entry (caller frees *out). */
erg_code erg_mempool_entries(erg_mempool *mp, erg_mempool_entry **out, size_t *n, erg_err *err) ERG_WARN_UNUSED;
/* Transactions for a block: highest fee rate first, each sender's nonces in order (caller frees). */
erg_code erg_mempool_select(erg_mempool *mp, size_t max_bytes, erg_tx **out, size_t *n, erg_err *err) ERG_WARN_UNUSED;
/* Next nonce a sender should use, counting its pooled transactions. */
erg_code erg_mempool_next_nonce(erg_mempool *mp, const erg_pubkey *pk, uint64_t *nonce, erg_err *err) ERG_WARN_UNUSED;

/* Ids of the entries admitted after sequence number `after` (for relay: every admission, from
 * RPC, a peer or a reorg's re-admission, is announced once); *last gets the newest sequence
 * number. Caller frees *ids. */
erg_code erg_mempool_txids_since(erg_mempool *mp, uint64_t after, uint8_t (**ids)[32], size_t *n, uint64_t *last,
                                 erg_err *err) ERG_WARN_UNUSED;

#endif
