/* A wallet in memory and its payload encoding (the plaintext that walletfile.c seals). */
#include "wallet/wallet.h"

#include <stdlib.h>
#include <string.h>

#include "src/util/serialize.h"
#include "wallet/hd.h"

void erg_wallet_init(erg_wallet *w)
{
    memset(w, 0, sizeof *w);
}

void erg_wallet_free(erg_wallet *w)
{
    erg_memzero(w->entropy, sizeof w->entropy);
    free(w->addrs);
    free(w->txs);
    free(w->sent);
    erg_wallet_init(w);
}

erg_code erg_wallet_label_check(const char *label, erg_err *err)
{
    size_t i, n = strlen(label);
    if (n > ERG_WALLET_LABEL_MAX)
        return erg_err_set(err, ERG_ERR_ARG, "label: %zu characters, at most %d", n, ERG_WALLET_LABEL_MAX);
    for (i = 0; i < n; i++)
        if ((unsigned char)label[i] < 32 || (unsigned char)label[i] > 126)
            return erg_err_set(err, ERG_ERR_ARG, "label: character %zu is not printable ASCII", i + 1);
    return ERG_OK;
}

erg_code erg_wallet_derive_pubkey(const erg_wallet *w, uint32_t index, erg_pubkey *pk, erg_err *err)
{
    erg_hd_node acct, child;
    erg_code rc;
    if ((rc = erg_hd_account(w->entropy, w->entropy_len, w->net, 0, &acct, err))) return rc;
    if (!(rc = erg_hd_child(&acct, index, &child, err))) rc = erg_seckey_pubkey(&child.key, pk, err);
    erg_hd_node_clear(&acct);
    erg_hd_node_clear(&child);
    return rc;
}

erg_code erg_wallet_new_address(erg_wallet *w, const char *label, const erg_wallet_addr **out, erg_err *err)
{
    erg_wallet_addr a, *grown;
    erg_code rc;
    memset(&a, 0, sizeof a);
    if (!label) label = "";
    if ((rc = erg_wallet_label_check(label, err))) return rc;
    if (w->n_addrs >= ERG_WALLET_MAX_ADDRS)
        return erg_err_set(err, ERG_ERR_RANGE, "wallet already has %d addresses", ERG_WALLET_MAX_ADDRS);
    for (;;) {
        if (w->next_index >= ERG_HD_HARDENED) return erg_err_set(err, ERG_ERR_RANGE, "wallet: HD indexes exhausted");
        rc = erg_wallet_derive_pubkey(w, w->next_index, &a.pk, err);
        if (rc == ERG_OK) break;
        if (rc != ERG_ERR_RANGE) return rc;
        w->next_index++; /* an invalid child (probability 2^-127): BIP32 skips to the next index */
    }
    a.index = w->next_index;
    strcpy(a.label, label);
    grown = realloc(w->addrs, (w->n_addrs + 1) * sizeof *grown);
    if (!grown) return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory for addresses");
    w->addrs = grown;
    w->addrs[w->n_addrs++] = a;
    w->next_index++;
    if (out) *out = &w->addrs[w->n_addrs - 1];
    return ERG_OK;
}

erg_code erg_wallet_create(erg_wallet *w, erg_network net, const uint8_t *entropy, size_t len, uint32_t birth_height,
                           erg_err *err)
{
    erg_code rc;
    if (len != 16 && len != 32) return erg_err_set(err, ERG_ERR_ARG, "wallet: seed entropy must be 16 or 32 bytes, not %zu", len);
    erg_wallet_free(w);
    w->net = net;
    memcpy(w->entropy, entropy, len);
    w->entropy_len = len;
    w->birth_height = birth_height;
    if ((rc = erg_wallet_new_address(w, "", NULL, err))) erg_wallet_free(w);
    return rc;
}

const erg_wallet_addr *erg_wallet_find(const erg_wallet *w, const erg_pubkey *pk)
{
    size_t i;
    for (i = 0; i < w->n_addrs; i++)
        if (memcmp(w->addrs[i].pk.b, pk->b, 32) == 0) return &w->addrs[i];
    return NULL;
}

erg_code erg_wallet_seckey(const erg_wallet *w, const erg_pubkey *pk, erg_seckey *sk, erg_err *err)
{
    const erg_wallet_addr *a = erg_wallet_find(w, pk);
    erg_hd_node acct, child;
    erg_pubkey check;
    erg_code rc;
    if (!a) return erg_err_set(err, ERG_ERR_NOTFOUND, "wallet: that address is not in this wallet");
    if ((rc = erg_hd_account(w->entropy, w->entropy_len, w->net, 0, &acct, err))) return rc;
    if (!(rc = erg_hd_child(&acct, a->index, &child, err)) && !(rc = erg_seckey_pubkey(&child.key, &check, err))) {
        if (memcmp(check.b, pk->b, 32) != 0) rc = erg_err_set(err, ERG_ERR_INTERNAL, "wallet: stored key %u does not match the seed", a->index);
        else *sk = child.key;
    }
    erg_hd_node_clear(&acct);
    erg_hd_node_clear(&child);
    return rc;
}

erg_code erg_wallet_set_label(erg_wallet *w, const erg_pubkey *pk, const char *label, erg_err *err)
{
    erg_wallet_addr *a = (erg_wallet_addr *)erg_wallet_find(w, pk);
    erg_code rc;
    if (!a) return erg_err_set(err, ERG_ERR_NOTFOUND, "wallet: that address is not in this wallet");
    if ((rc = erg_wallet_label_check(label, err))) return rc;
    strcpy(a->label, label);
    return ERG_OK;
}

erg_code erg_wallet_add_tx(erg_wallet *w, const erg_wallet_tx *t, int *added, erg_err *err)
{
    size_t i, pos;
    erg_wallet_tx *grown;
    if (added) *added = 0;
    for (i = 0; i < w->n_txs; i++)
        if (w->txs[i].kind == t->kind && memcmp(w->txs[i].id, t->id, 32) == 0) return ERG_OK;
    if (w->n_txs >= ERG_WALLET_MAX_TXS) return erg_err_set(err, ERG_ERR_RANGE, "wallet: history is full");
    grown = realloc(w->txs, (w->n_txs + 1) * sizeof *grown);
    if (!grown) return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory for history");
    w->txs = grown;
    /* Stable by height: after every entry at the same or a lower height. */
    pos = w->n_txs;
    while (pos > 0 && w->txs[pos - 1].height > t->height) pos--;
    memmove(&w->txs[pos + 1], &w->txs[pos], (w->n_txs - pos) * sizeof *grown);
    w->txs[pos] = *t;
    w->n_txs++;
    if (added) *added = 1;
    return ERG_OK;
}

void erg_wallet_rewind(erg_wallet *w, uint32_t height)
{
    while (w->n_txs > 0 && w->txs[w->n_txs - 1].height > height) w->n_txs--;
}

erg_code erg_wallet_add_sent(erg_wallet *w, const erg_tx *tx, uint64_t time, erg_err *err)
{
    erg_wallet_sent *grown;
    if (w->n_sent >= ERG_WALLET_MAX_TXS) return erg_err_set(err, ERG_ERR_RANGE, "wallet: too many unconfirmed sends");
    grown = realloc(w->sent, (w->n_sent + 1) * sizeof *grown);
    if (!grown) return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory for sent transactions");
    w->sent = grown;
    w->sent[w->n_sent].tx = *tx;
    w->sent[w->n_sent].time = time;
    w->n_sent++;
    return ERG_OK;
}

int erg_wallet_drop_sent(erg_wallet *w, const uint8_t txid[32])
{
    size_t i;
    for (i = 0; i < w->n_sent; i++) {
        uint8_t id[32];
        erg_tx_id(&w->sent[i].tx, id);
        if (memcmp(id, txid, 32) == 0) {
            memmove(&w->sent[i], &w->sent[i + 1], (w->n_sent - i - 1) * sizeof *w->sent);
            w->n_sent--;
            return 1;
        }
    }
    return 0;
}

erg_code erg_wallet_tx_effect(const erg_wallet *w, const erg_wallet_tx *t, uint64_t *in, uint64_t *out, erg_err *err)
{
    *in = *out = 0;
    if (erg_wallet_find(w, &t->to)) *in = t->amount;
    if (t->kind == ERG_WTX_TRANSFER && erg_wallet_find(w, &t->from)) {
        if (t->amount > UINT64_MAX - t->fee) return erg_err_set(err, ERG_ERR_OVERFLOW, "wallet: amount + fee overflows");
        *out = t->amount + t->fee;
    }
    return ERG_OK;
}

void erg_wallet_tx_from_tx(const erg_tx *tx, erg_wallet_tx *t)
{
    memset(t, 0, sizeof *t);
    erg_tx_id(tx, t->id);
    t->kind = ERG_WTX_TRANSFER;
    t->from = tx->from;
    t->to = tx->to;
    t->amount = tx->amount;
    t->fee = tx->fee;
    t->nonce = tx->nonce;
}

/* ---- payload encoding ------------------------------------------------------------------- */

void erg_wallet_serialize(const erg_wallet *w, erg_buf *out)
{
    size_t i;
    erg_buf_put_u8(out, ERG_WALLET_PAYLOAD_VERSION);
    erg_buf_put_u8(out, (uint8_t)w->net);
    erg_buf_put_bytes(out, w->entropy, w->entropy_len);
    erg_buf_put_u32(out, w->birth_height);
    erg_buf_put_u32(out, w->next_index);
    erg_buf_put_compact(out, w->n_addrs);
    for (i = 0; i < w->n_addrs; i++) {
        erg_buf_put_u32(out, w->addrs[i].index);
        erg_buf_put_raw(out, w->addrs[i].pk.b, 32);
        erg_buf_put_bytes(out, w->addrs[i].label, strlen(w->addrs[i].label));
    }
    erg_buf_put_u8(out, (uint8_t)(w->scanned ? 1 : 0));
    erg_buf_put_u32(out, w->scan_height);
    erg_buf_put_raw(out, w->scan_hash, 32);
    erg_buf_put_compact(out, w->n_txs);
    for (i = 0; i < w->n_txs; i++) {
        const erg_wallet_tx *t = &w->txs[i];
        erg_buf_put_raw(out, t->id, 32);
        erg_buf_put_raw(out, t->block, 32);
        erg_buf_put_u32(out, t->height);
        erg_buf_put_u64(out, t->time);
        erg_buf_put_u8(out, t->kind);
        erg_buf_put_raw(out, t->from.b, 32);
        erg_buf_put_raw(out, t->to.b, 32);
        erg_buf_put_u64(out, t->amount);
        erg_buf_put_u64(out, t->fee);
        erg_buf_put_u64(out, t->nonce);
    }
    erg_buf_put_compact(out, w->n_sent);
    for (i = 0; i < w->n_sent; i++) {
        erg_buf tb;
        erg_buf_init(&tb);
        erg_tx_serialize(&w->sent[i].tx, &tb);
        erg_buf_put_u64(out, w->sent[i].time);
        erg_buf_put_bytes(out, tb.data, tb.len);
        erg_buf_free(&tb);
    }
}

static erg_code parse_body(erg_reader *r, erg_wallet *w, erg_err *err)
{
    uint8_t ver, net, scanned;
    const uint8_t *p;
    size_t n, i;
    uint64_t count;
    erg_code rc;
    if ((rc = erg_read_u8(r, &ver, "wallet.version", err))) return rc;
    if (ver != ERG_WALLET_PAYLOAD_VERSION)
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "wallet contents version %u is not supported", ver);
    if ((rc = erg_read_u8(r, &net, "wallet.network", err))) return rc;
    if (net > ERG_NET_REGTEST) return erg_err_set(err, ERG_ERR_RANGE, "wallet: unknown network %u", net);
    w->net = (erg_network)net;
    if ((rc = erg_read_bytes(r, &p, &n, 32, "wallet.seed", err))) return rc;
    if (n != 16 && n != 32) return erg_err_set(err, ERG_ERR_RANGE, "wallet: seed of %zu bytes", n);
    memcpy(w->entropy, p, n);
    w->entropy_len = n;
    if ((rc = erg_read_u32(r, &w->birth_height, "wallet.birth", err)) ||
        (rc = erg_read_u32(r, &w->next_index, "wallet.next_index", err)) ||
        (rc = erg_read_compact(r, &count, ERG_WALLET_MAX_ADDRS, "wallet.addresses", err)))
        return rc;
    if (count && !(w->addrs = calloc((size_t)count, sizeof *w->addrs)))
        return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory");
    for (i = 0; i < count; i++) {
        erg_wallet_addr *a = &w->addrs[i];
        if ((rc = erg_read_u32(r, &a->index, "wallet.address.index", err)) ||
            (rc = erg_read_raw(r, a->pk.b, 32, "wallet.address.key", err)) ||
            (rc = erg_read_bytes(r, &p, &n, ERG_WALLET_LABEL_MAX, "wallet.address.label", err)))
            return rc;
        memcpy(a->label, p, n);
        a->label[n] = '\0';
        if (strlen(a->label) != n || erg_wallet_label_check(a->label, NULL))
            return erg_err_set(err, ERG_ERR_PARSE, "wallet: address %zu has a malformed label", i);
        if (a->index >= w->next_index || (i > 0 && a->index <= w->addrs[i - 1].index))
            return erg_err_set(err, ERG_ERR_PARSE, "wallet: address %zu has index %u out of order", i, a->index);
        w->n_addrs++;
    }
    if ((rc = erg_read_u8(r, &scanned, "wallet.scanned", err)) ||
        (rc = erg_read_u32(r, &w->scan_height, "wallet.scan_height", err)) ||
        (rc = erg_read_raw(r, w->scan_hash, 32, "wallet.scan_hash", err)) ||
        (rc = erg_read_compact(r, &count, ERG_WALLET_MAX_TXS, "wallet.history", err)))
        return rc;
    if (scanned > 1) return erg_err_set(err, ERG_ERR_PARSE, "wallet: scanned flag %u", scanned);
    w->scanned = scanned;
    if (count && !(w->txs = calloc((size_t)count, sizeof *w->txs))) return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory");
    for (i = 0; i < count; i++) {
        erg_wallet_tx *t = &w->txs[i];
        if ((rc = erg_read_raw(r, t->id, 32, "wallet.tx.id", err)) || (rc = erg_read_raw(r, t->block, 32, "wallet.tx.block", err)) ||
            (rc = erg_read_u32(r, &t->height, "wallet.tx.height", err)) || (rc = erg_read_u64(r, &t->time, "wallet.tx.time", err)) ||
            (rc = erg_read_u8(r, &t->kind, "wallet.tx.kind", err)) || (rc = erg_read_raw(r, t->from.b, 32, "wallet.tx.from", err)) ||
            (rc = erg_read_raw(r, t->to.b, 32, "wallet.tx.to", err)) || (rc = erg_read_u64(r, &t->amount, "wallet.tx.amount", err)) ||
            (rc = erg_read_u64(r, &t->fee, "wallet.tx.fee", err)) || (rc = erg_read_u64(r, &t->nonce, "wallet.tx.nonce", err)))
            return rc;
        if (t->kind > ERG_WTX_REWARD) return erg_err_set(err, ERG_ERR_PARSE, "wallet: history entry %zu of kind %u", i, t->kind);
        if (i > 0 && t->height < w->txs[i - 1].height)
            return erg_err_set(err, ERG_ERR_PARSE, "wallet: history entry %zu out of height order", i);
        if (w->scanned ? t->height > w->scan_height : 1)
            return erg_err_set(err, ERG_ERR_PARSE, "wallet: history entry %zu above the scanned height", i);
        w->n_txs++;
    }
    if ((rc = erg_read_compact(r, &count, ERG_WALLET_MAX_TXS, "wallet.sent", err))) return rc;
    if (count && !(w->sent = calloc((size_t)count, sizeof *w->sent))) return erg_err_set(err, ERG_ERR_NOMEM, "wallet: out of memory");
    for (i = 0; i < count; i++) {
        if ((rc = erg_read_u64(r, &w->sent[i].time, "wallet.sent.time", err)) ||
            (rc = erg_read_bytes(r, &p, &n, ERG_TX_MAX_SIZE, "wallet.sent.tx", err)) ||
            (rc = erg_tx_decode(p, n, &w->sent[i].tx, err)))
            return rc;
        w->n_sent++;
    }
    return erg_reader_expect_end(r, "wallet", err);
}

erg_code erg_wallet_parse(const uint8_t *data, size_t len, erg_wallet *w, erg_err *err)
{
    erg_reader r;
    erg_code rc;
    erg_reader_init(&r, data, len);
    erg_wallet_init(w);
    if ((rc = parse_body(&r, w, err))) erg_wallet_free(w);
    return rc;
}
