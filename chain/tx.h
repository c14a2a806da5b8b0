/* Transactions of the account model: canonical encoding, ids, signature hashes and stateless checks. */
#ifndef ERG_CHAIN_TX_H
#define ERG_CHAIN_TX_H

#include <stddef.h>
#include <stdint.h>

#include "src/crypto/keys.h"
#include "src/util/buffer.h"
#include "src/util/serialize.h"

#define ERG_TX_VERSION 1
#define ERG_TX_MIN_SIZE 154    /* a transfer, the smallest type */
#define ERG_TX_MAX_SIZE 100000 /* bytes; later types (jobs, receipts) carry payloads */

typedef enum erg_tx_type {
    ERG_TX_TRANSFER = 0 /* move `amount` from `from` to `to` */
} erg_tx_type;

/*
 * Invariants of a checked transaction (erg_tx_check): version == ERG_TX_VERSION, a known type,
 * 0 < amount, amount + fee <= ERG_MAX_MONEY, and sig is a BIP340 signature by `from` over
 * erg_tx_sighash. `nonce` must equal the sender's account nonce when the tx is applied.
 */
typedef struct erg_tx {
    uint8_t version;
    uint8_t type;       /* erg_tx_type */
    erg_pubkey from;    /* sender's x-only key: the account and the signature key */
    uint64_t nonce;     /* sender's sequence number, from 0 */
    uint64_t fee;       /* base units to the block's payout address */
    erg_pubkey to;      /* transfer: recipient */
    uint64_t amount;    /* transfer: base units */
    uint8_t sig[64];
} erg_tx;

void erg_tx_serialize(const erg_tx *tx, erg_buf *out);
/* Parse one transaction from r (all its bytes, nothing more); never reads past the end. */
erg_code erg_tx_parse(erg_reader *r, erg_tx *tx, erg_err *err) ERG_WARN_UNUSED;
/* Parse a complete transaction from a buffer (trailing bytes are an error). */
erg_code erg_tx_decode(const uint8_t *data, size_t len, erg_tx *tx, erg_err *err) ERG_WARN_UNUSED;
/* txid = H_tag("Ergon/tx", full encoding). */
void erg_tx_id(const erg_tx *tx, uint8_t id[32]);
/* What the sender signs: H_tag("Ergon/sighash", genesis id || encoding without sig), so a
 * transaction signed for one network is invalid on every other. */
void erg_tx_sighash(const erg_tx *tx, const uint8_t genesis_id[32], uint8_t out[32]);
erg_code erg_tx_sign(erg_tx *tx, const erg_seckey *sk, const uint8_t genesis_id[32], erg_err *err) ERG_WARN_UNUSED;
/* Context-free checks (ranges, signature); reasons are stable tokens such as "bad-txns-amount". */
erg_code erg_tx_check(const erg_tx *tx, const uint8_t genesis_id[32], erg_err *err) ERG_WARN_UNUSED;
/* amount + fee, overflow-checked (ERG_ERR_OVERFLOW). */
erg_code erg_tx_total(const erg_tx *tx, uint64_t *total, erg_err *err) ERG_WARN_UNUSED;
size_t erg_tx_size(const erg_tx *tx);

#endif
