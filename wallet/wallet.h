/* A wallet in memory: its seed, derived addresses, labels, scanned history and sent transactions, and their encoding. */
#ifndef ERG_WALLET_WALLET_H
#define ERG_WALLET_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include "chain/tx.h"
#include "src/crypto/address.h"
#include "src/crypto/keys.h"
#include "src/util/buffer.h"
#include "src/util/error.h"

#define ERG_WALLET_PAYLOAD_VERSION 1
#define ERG_WALLET_LABEL_MAX 64      /* characters, printable ASCII */
#define ERG_WALLET_MAX_ADDRS 100000  /* a bound for parsing, far above any real wallet */
#define ERG_WALLET_MAX_TXS 10000000

typedef enum erg_wtx_kind {
    ERG_WTX_TRANSFER = 0, /* a transfer from or to one of our addresses */
    ERG_WTX_REWARD = 1    /* a block whose payout is one of our addresses: subsidy plus fees */
} erg_wtx_kind;

/* One history entry, confirmed in a block of the chain the wallet last scanned. */
typedef struct erg_wallet_tx {
    uint8_t id[32];    /* txid; for a reward the block id */
    uint8_t block[32]; /* id of the block holding it */
    uint32_t height;
    uint64_t time;     /* block time, unix seconds */
    uint8_t kind;      /* erg_wtx_kind */
    erg_pubkey from;   /* transfer: sender; reward: zero */
    erg_pubkey to;     /* transfer: recipient; reward: the payout address */
    uint64_t amount;   /* base units; reward: subsidy + fees */
    uint64_t fee;      /* transfer: fee paid by the sender; reward: 0 */
    uint64_t nonce;    /* transfer: the sender's nonce */
} erg_wallet_tx;

typedef struct erg_wallet_addr {
    uint32_t index;                         /* HD child: m/17746'/coin'/0'/index' */
    erg_pubkey pk;                          /* public key of that child */
    char label[ERG_WALLET_LABEL_MAX + 1];   /* NUL-terminated, may be empty */
} erg_wallet_addr;

/* A transaction this wallet signed and the node accepted, kept until seen in a scanned block. */
typedef struct erg_wallet_sent {
    erg_tx tx;
    uint64_t time; /* unix seconds when sent */
} erg_wallet_sent;

/*
 * Invariants: entropy_len is 16 or 32 and entropy is secret (erg_wallet_free wipes it);
 * addrs are in derivation order with strictly increasing indexes, all below next_index, each
 * pk derived from entropy at its index; txs are sorted by height (stable) and no two share
 * (kind, id); if scanned, scan_hash is the id of the block at scan_height that the last scan
 * ended on and every tx has height <= scan_height.
 */
typedef struct erg_wallet {
    erg_network net;
    uint8_t entropy[32];
    size_t entropy_len;
    uint32_t birth_height;  /* scanning starts here */
    uint32_t next_index;    /* next HD index to derive */
    erg_wallet_addr *addrs;
    size_t n_addrs;
    int scanned;            /* 0 until the first scan */
    uint32_t scan_height;
    uint8_t scan_hash[32];
    erg_wallet_tx *txs;
    size_t n_txs;
    erg_wallet_sent *sent;
    size_t n_sent;
} erg_wallet;

void erg_wallet_init(erg_wallet *w);
/* Wipe the seed and free everything; back to the initial state. */
void erg_wallet_free(erg_wallet *w);
/* A new wallet over entropy (16 or 32 bytes) with its first address derived. */
erg_code erg_wallet_create(erg_wallet *w, erg_network net, const uint8_t *entropy, size_t len, uint32_t birth_height,
                           erg_err *err) ERG_WARN_UNUSED;

void erg_wallet_serialize(const erg_wallet *w, erg_buf *out);
/* Parse a payload into an initialised, empty w; checks every invariant above except the
 * derivation of each pk (the AEAD already vouches for the bytes). */
erg_code erg_wallet_parse(const uint8_t *data, size_t len, erg_wallet *w, erg_err *err) ERG_WARN_UNUSED;

/* Derive the next address (skipping an index whose child key is invalid, as BIP32 says). */
erg_code erg_wallet_new_address(erg_wallet *w, const char *label, const erg_wallet_addr **out, erg_err *err) ERG_WARN_UNUSED;
/* The public key at an HD index (the wallet's account node). */
erg_code erg_wallet_derive_pubkey(const erg_wallet *w, uint32_t index, erg_pubkey *pk, erg_err *err) ERG_WARN_UNUSED;
/* The secret key of one of the wallet's addresses (ERG_ERR_NOTFOUND if it is not ours). Wipe after use. */
erg_code erg_wallet_seckey(const erg_wallet *w, const erg_pubkey *pk, erg_seckey *sk, erg_err *err) ERG_WARN_UNUSED;
const erg_wallet_addr *erg_wallet_find(const erg_wallet *w, const erg_pubkey *pk);
erg_code erg_wallet_set_label(erg_wallet *w, const erg_pubkey *pk, const char *label, erg_err *err) ERG_WARN_UNUSED;
/* ERG_ERR_ARG naming the problem unless label is at most ERG_WALLET_LABEL_MAX printable ASCII characters. */
erg_code erg_wallet_label_check(const char *label, erg_err *err) ERG_WARN_UNUSED;

/* Add a history entry unless one with the same (kind, id) is present (*added: 1 or 0; may be NULL). */
erg_code erg_wallet_add_tx(erg_wallet *w, const erg_wallet_tx *t, int *added, erg_err *err) ERG_WARN_UNUSED;
/* Forget every entry above height (a reorganisation), keeping the rest. */
void erg_wallet_rewind(erg_wallet *w, uint32_t height);
erg_code erg_wallet_add_sent(erg_wallet *w, const erg_tx *tx, uint64_t time, erg_err *err) ERG_WARN_UNUSED;
/* Drop the sent record with this txid; 1 if there was one. */
int erg_wallet_drop_sent(erg_wallet *w, const uint8_t txid[32]);

/* What a transfer or reward does to the wallet: base units in (to our addresses) and out (from
 * our addresses, fee included). A self-transfer is in = amount, out = amount + fee. */
erg_code erg_wallet_tx_effect(const erg_wallet *w, const erg_wallet_tx *t, uint64_t *in, uint64_t *out, erg_err *err) ERG_WARN_UNUSED;
/* A history entry for a transaction (not yet in a block: height 0, block zero). */
void erg_wallet_tx_from_tx(const erg_tx *tx, erg_wallet_tx *t);

#endif
