/* Sending: choose the paying address, build and sign the transfer, submit it over RPC and record it. */
#ifndef ERG_WALLET_SEND_H
#define ERG_WALLET_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "wallet/rpcclient.h"
#include "wallet/wallet.h"

#define ERG_WALLET_DEFAULT_FEE 10000 /* base units: 0.0001 ERG, well above the default relay floor */

/* What one of our addresses can spend now: confirmed balance less its pending sends. */
typedef struct erg_wallet_funds {
    uint64_t balance;     /* confirmed at the node's tip */
    uint64_t pending_out; /* amount + fee of its transactions in the mempool */
    uint64_t next_nonce;
} erg_wallet_funds;

/*
 * The account model pays each transfer from one address. Pick the address that can spend the
 * most (balance - pending_out) if it covers need; otherwise ERG_ERR_INVALID "insufficient
 * funds" naming what is needed, the most one address can spend and the wallet's total.
 */
erg_code erg_wallet_choose_source(const erg_wallet_funds *f, size_t n, uint64_t need, size_t *pick, erg_err *err) ERG_WARN_UNUSED;

/* Funds of every wallet address (f has w->n_addrs entries): getaccount each, and the mempool
 * once if any address has pending transactions. */
erg_code erg_wallet_funds_get(const erg_wallet *w, erg_wrpc *c, erg_wallet_funds *f, erg_err *err) ERG_WARN_UNUSED;

/*
 * Send amount to `to` with `fee`: check the node's network, find the funds, choose the source
 * (or use *from if non-NULL, which must be ours), sign with the source's derived key (wiped
 * afterwards), submit, and on acceptance record the transaction in w->sent. Insufficient
 * funds are found before anything is signed; nothing in w changes unless the node accepted.
 */
erg_code erg_wallet_send(erg_wallet *w, erg_wrpc *c, const erg_chain_params *cp, const erg_pubkey *to, uint64_t amount,
                         uint64_t fee, const erg_pubkey *from, erg_tx *sent, erg_err *err) ERG_WARN_UNUSED;

#endif
