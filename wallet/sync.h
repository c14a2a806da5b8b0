/* What the wallet learns from a node over RPC: the scanned history, mempool transactions, used addresses. */
#ifndef ERG_WALLET_SYNC_H
#define ERG_WALLET_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "wallet/rpcclient.h"
#include "wallet/wallet.h"

/* ERG_ERR_INVALID unless the node's block 0 is this network's genesis (computed locally), so
 * that the wallet never signs for, or believes, a node of another network. */
erg_code erg_wallet_check_node(erg_wrpc *c, const erg_chain_params *cp, erg_err *err) ERG_WARN_UNUSED;

/*
 * Bring the history up to the node's tip: fetch every block after the last scanned one (from
 * birth_height the first time) raw, check it, and record transfers from or to our addresses
 * and blocks paying our addresses (subsidy + fees). A reorganisation is found by comparing
 * the stored block ids with the node's chain: since a block id commits to all its ancestors,
 * the highest stored entry whose block is still at its height marks a common ancestor;
 * entries above it are forgotten and scanning resumes after it. Sent records whose txid
 * appears are dropped. *blocks (may be NULL) gets the number of blocks fetched.
 */
erg_code erg_wallet_sync(erg_wallet *w, erg_wrpc *c, const erg_chain_params *cp, uint32_t *blocks, erg_err *err) ERG_WARN_UNUSED;

/* Mempool transactions from or to our addresses, as history entries with height 0 (caller frees). */
erg_code erg_wallet_pending(const erg_wallet *w, erg_wrpc *c, erg_wallet_tx **out, size_t *n, erg_err *err) ERG_WARN_UNUSED;

/* After a restore: derive addresses until `gap` in a row have never been used (zero balance
 * and nonce at the node), then keep those up to the last used one (at least one). */
erg_code erg_wallet_discover(erg_wallet *w, erg_wrpc *c, uint32_t gap, erg_err *err) ERG_WARN_UNUSED;

#endif
