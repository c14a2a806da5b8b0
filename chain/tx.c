/* Transactions of the account model: canonical encoding, ids, signature hashes and stateless checks. */
#include "chain/tx.h"

#include <string.h>

#include "chain/params.h"
#include "src/crypto/sha256.h"

static void serialize_body(const erg_tx *tx, erg_buf *out)
{
    erg_buf_put_u8(out, tx->version);
    erg_buf_put_u8(out, tx->type);
    erg_buf_put_raw(out, tx->from.b, 32);
    erg_buf_put_u64(out, tx->nonce);
    erg_buf_put_u64(out, tx->fee);
    if (tx->type == ERG_TX_TRANSFER) {
        erg_buf_put_raw(out, tx->to.b, 32);
        erg_buf_put_u64(out, tx->amount);
    }
}

void erg_tx_serialize(const erg_tx *tx, erg_buf *out)
{
    serialize_body(tx, out);
    erg_buf_put_raw(out, tx->sig, 64);
}

size_t erg_tx_size(const erg_tx *tx)
{
    return 1 + 1 + 32 + 8 + 8 + (tx->type == ERG_TX_TRANSFER ? 40 : 0) + 64;
}

erg_code erg_tx_parse(erg_reader *r, erg_tx *tx, erg_err *err)
{
    erg_code rc;
    memset(tx, 0, sizeof *tx);
    if ((rc = erg_read_u8(r, &tx->version, "tx.version", err))) return rc;
    if (tx->version != ERG_TX_VERSION)
        return erg_err_set(err, ERG_ERR_PARSE, "bad-txns-version: version %u, expected %u", tx->version,
                           ERG_TX_VERSION);
    if ((rc = erg_read_u8(r, &tx->type, "tx.type", err))) return rc;
    if (tx->type != ERG_TX_TRANSFER)
        return erg_err_set(err, ERG_ERR_PARSE, "bad-txns-type: unknown transaction type %u", tx->type);
    if ((rc = erg_read_raw(r, tx->from.b, 32, "tx.from", err))) return rc;
    if ((rc = erg_read_u64(r, &tx->nonce, "tx.nonce", err))) return rc;
    if ((rc = erg_read_u64(r, &tx->fee, "tx.fee", err))) return rc;
    if ((rc = erg_read_raw(r, tx->to.b, 32, "tx.to", err))) return rc;
    if ((rc = erg_read_u64(r, &tx->amount, "tx.amount", err))) return rc;
    return erg_read_raw(r, tx->sig, 64, "tx.sig", err);
}

erg_code erg_tx_decode(const uint8_t *data, size_t len, erg_tx *tx, erg_err *err)
{
    erg_reader r;
    erg_code rc;
    if (len > ERG_TX_MAX_SIZE)
        return erg_err_set(err, ERG_ERR_RANGE, "bad-txns-oversize: %zu bytes, limit %d", len, ERG_TX_MAX_SIZE);
    erg_reader_init(&r, data, len);
    if ((rc = erg_tx_parse(&r, tx, err))) return rc;
    return erg_reader_expect_end(&r, "tx", err);
}

void erg_tx_id(const erg_tx *tx, uint8_t id[32])
{
    erg_buf b;
    erg_buf_init(&b);
    erg_tx_serialize(tx, &b);
    erg_tagged_hash("Ergon/tx", b.data, b.len, id);
    erg_buf_free(&b);
}

void erg_tx_sighash(const erg_tx *tx, const uint8_t genesis_id[32], uint8_t out[32])
{
    erg_buf b;
    erg_sha256_ctx ctx;
    erg_buf_init(&b);
    serialize_body(tx, &b);
    erg_tagged_init(&ctx, "Ergon/sighash");
    erg_sha256_update(&ctx, genesis_id, 32);
    erg_sha256_update(&ctx, b.data, b.len);
    erg_sha256_final(&ctx, out);
    erg_buf_free(&b);
}

erg_code erg_tx_sign(erg_tx *tx, const erg_seckey *sk, const uint8_t genesis_id[32], erg_err *err)
{
    uint8_t h[32];
    erg_pubkey pk;
    erg_code rc;
    if ((rc = erg_seckey_pubkey(sk, &pk, err))) return rc;
    if (memcmp(pk.b, tx->from.b, 32) != 0)
        return erg_err_set(err, ERG_ERR_ARG, "tx: signing key does not match the sender");
    erg_tx_sighash(tx, genesis_id, h);
    return erg_schnorr_sign(sk, h, 32, NULL, tx->sig, err);
}

erg_code erg_tx_total(const erg_tx *tx, uint64_t *total, erg_err *err)
{
    if (tx->amount > UINT64_MAX - tx->fee)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "bad-txns-total-overflow: amount + fee overflows");
    *total = tx->amount + tx->fee;
    return ERG_OK;
}

erg_code erg_tx_check(const erg_tx *tx, const uint8_t genesis_id[32], erg_err *err)
{
    uint64_t total;
    uint8_t h[32];
    erg_code rc;
    if (tx->version != ERG_TX_VERSION)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-version: version %u", tx->version);
    if (tx->type != ERG_TX_TRANSFER) return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-type: type %u", tx->type);
    if (tx->amount == 0) return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-amount: zero amount");
    if (tx->amount > ERG_MAX_MONEY)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-amount: amount exceeds the money supply");
    if (tx->fee > ERG_MAX_MONEY) return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-fee: fee exceeds the money supply");
    if ((rc = erg_tx_total(tx, &total, err))) return rc;
    if (total > ERG_MAX_MONEY)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-total: amount + fee exceeds the money supply");
    if (memcmp(tx->from.b, tx->to.b, 32) == 0)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-self: sender and recipient are the same account");
    erg_tx_sighash(tx, genesis_id, h);
    if (!erg_schnorr_verify(&tx->from, h, 32, tx->sig))
        return erg_err_set(err, ERG_ERR_INVALID, "bad-txns-signature: signature does not verify for the sender");
    return ERG_OK;
}
