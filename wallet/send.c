/* Sending a transfer: source selection over the account model, signing with a derived key, submission over RPC. */
#include "wallet/send.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chainstate.h"
#include "src/util/amount.h"
#include "wallet/sync.h"

static uint64_t spendable(const erg_wallet_funds *f)
{
    return f->balance > f->pending_out ? f->balance - f->pending_out : 0;
}

erg_code erg_wallet_choose_source(const erg_wallet_funds *f, size_t n, uint64_t need, size_t *pick, erg_err *err)
{
    size_t i, best = 0;
    uint64_t total = 0;
    char a[ERG_AMOUNT_STR_MAX], b[ERG_AMOUNT_STR_MAX], t[ERG_AMOUNT_STR_MAX];
    for (i = 0; i < n; i++) {
        uint64_t s = spendable(&f[i]);
        total = total > UINT64_MAX - s ? UINT64_MAX : total + s;
        if (s > spendable(&f[best])) best = i;
    }
    if (n > 0 && spendable(&f[best]) >= need) {
        *pick = best;
        return ERG_OK;
    }
    erg_amount_format(need, a);
    erg_amount_format(n ? spendable(&f[best]) : 0, b);
    erg_amount_format(total, t);
    if (total >= need)
        return erg_err_set(err, ERG_ERR_INVALID,
                           "insufficient funds in any one address: need %s (amount + fee), the most one address can "
                           "spend is %s (wallet total %s); a transfer is paid from one address",
                           a, b, t);
    return erg_err_set(err, ERG_ERR_INVALID, "insufficient funds: need %s (amount + fee), the wallet can spend %s", a, t);
}

erg_code erg_wallet_funds_get(const erg_wallet *w, erg_wrpc *c, erg_wallet_funds *f, erg_err *err)
{
    size_t i, k, j;
    int any_pending = 0;
    erg_tx *txs;
    erg_code rc;
    for (i = 0; i < w->n_addrs; i++) {
        erg_wrpc_account a;
        if ((rc = erg_wrpc_getaccount(c, w->net, &w->addrs[i].pk, &a, err))) return rc;
        f[i].balance = a.balance;
        f[i].pending_out = 0;
        f[i].next_nonce = a.next_nonce;
        if (a.next_nonce > a.nonce) any_pending = 1;
    }
    if (!any_pending) return ERG_OK;
    if ((rc = erg_wrpc_mempool(c, &txs, &k, err))) return rc;
    for (j = 0; j < k; j++) {
        for (i = 0; i < w->n_addrs; i++) {
            if (memcmp(txs[j].from.b, w->addrs[i].pk.b, 32) == 0) {
                uint64_t t = txs[j].amount + txs[j].fee; /* each checked by the node: <= the money supply */
                f[i].pending_out = f[i].pending_out > UINT64_MAX - t ? UINT64_MAX : f[i].pending_out + t;
            }
        }
    }
    free(txs);
    return ERG_OK;
}

erg_code erg_wallet_send(erg_wallet *w, erg_wrpc *c, const erg_chain_params *cp, const erg_pubkey *to, uint64_t amount,
                         uint64_t fee, const erg_pubkey *from, erg_tx *sent, erg_err *err)
{
    erg_wallet_funds *f;
    erg_header g;
    uint8_t gid[32], txid[32];
    erg_seckey sk;
    erg_tx tx;
    size_t pick = 0;
    uint64_t need;
    erg_code rc;
    if (amount == 0) return erg_err_set(err, ERG_ERR_ARG, "amount must be above zero");
    if (amount > ERG_MAX_MONEY || fee > ERG_MAX_MONEY - amount)
        return erg_err_set(err, ERG_ERR_RANGE, "amount plus fee exceeds the money supply");
    need = amount + fee;
    if ((rc = erg_wallet_check_node(c, cp, err))) return rc;
    if (!(f = calloc(w->n_addrs ? w->n_addrs : 1, sizeof *f))) return erg_err_set(err, ERG_ERR_NOMEM, "send: out of memory");
    if ((rc = erg_wallet_funds_get(w, c, f, err))) goto out;
    if (from) {
        const erg_wallet_addr *a = erg_wallet_find(w, from);
        if (!a) {
            rc = erg_err_set(err, ERG_ERR_ARG, "--from: that address is not in this wallet");
            goto out;
        }
        pick = (size_t)(a - w->addrs);
        if ((rc = erg_wallet_choose_source(&f[pick], 1, need, &pick, err))) goto out;
        pick = (size_t)(a - w->addrs);
    } else if ((rc = erg_wallet_choose_source(f, w->n_addrs, need, &pick, err))) {
        goto out;
    }
    memset(&tx, 0, sizeof tx);
    tx.version = ERG_TX_VERSION;
    tx.type = ERG_TX_TRANSFER;
    tx.from = w->addrs[pick].pk;
    tx.nonce = f[pick].next_nonce;
    tx.fee = fee;
    tx.to = *to;
    tx.amount = amount;
    erg_genesis_header(cp, &g);
    erg_header_id(&g, gid);
    if ((rc = erg_wallet_seckey(w, &tx.from, &sk, err))) goto out;
    rc = erg_tx_sign(&tx, &sk, gid, err);
    erg_seckey_clear(&sk);
    if (rc || (rc = erg_tx_check(&tx, gid, err))) goto out;
    if ((rc = erg_wrpc_sendrawtransaction(c, &tx, txid, err))) goto out;
    if ((rc = erg_wallet_add_sent(w, &tx, (uint64_t)time(NULL), err))) goto out;
    if (sent) *sent = tx;
out:
    free(f);
    return rc;
}
