/* Block headers and blocks: fields, canonical encoding, block id, template commitment, tx root. */
#ifndef ERG_CHAIN_BLOCK_H
#define ERG_CHAIN_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "chain/tx.h"
#include "src/crypto/keys.h"

#define ERG_HEADER_SIZE 260
#define ERG_BLOCK_MAX_SIZE 1000000 /* bytes, header included */
#define ERG_BLOCK_MAX_TXS 4000

/*
 * A header carries everything BRIEF.md section 3 names. No signature: the winning ticket
 * binds every field. template_commit covers the fields the miner fixes before computing
 * (version, height, time, bits, tx root, state root, side root); the unit seed then binds
 * prev, payout, template_commit, job_id and nonce; output_hash and cu are the unit's result.
 */
typedef struct erg_header {
    uint32_t version;
    uint32_t height;
    uint8_t prev[32];        /* id of the parent block (zero for genesis) */
    uint64_t time;           /* unix seconds */
    uint32_t bits;           /* compact target */
    uint8_t tx_root[32];     /* Merkle root of txids */
    uint8_t state_root[32];  /* state commitment after applying this block */
    uint8_t side_root[32];   /* storage side-chain commitment (zero until side blocks exist) */
    erg_pubkey payout;       /* receives subsidy and fees */
    uint8_t job_id[32];      /* the job whose unit won (the commons job here) */
    uint64_t nonce;          /* the miner's free variable: one nonce, one unit */
    uint8_t output_hash[32]; /* erg_kernel_output_hash of the winning unit */
    uint64_t cu;             /* compute units of the winning unit */
} erg_header;

/* Invariants after erg_block_parse: ntx <= ERG_BLOCK_MAX_TXS, encoded size <= ERG_BLOCK_MAX_SIZE. */
typedef struct erg_block {
    erg_header header;
    erg_tx *txs; /* owned, ntx entries */
    size_t ntx;
} erg_block;

void erg_header_serialize(const erg_header *h, erg_buf *out);
erg_code erg_header_parse(erg_reader *r, erg_header *h, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_header_decode(const uint8_t *data, size_t len, erg_header *h, erg_err *err) ERG_WARN_UNUSED;
/* Block id = H_tag("Ergon/block", header encoding). */
void erg_header_id(const erg_header *h, uint8_t id[32]);
/* H_tag("Ergon/template", version, height, time, bits, tx_root, state_root, side_root). */
void erg_header_template_commit(const erg_header *h, uint8_t out[32]);

void erg_block_init(erg_block *b);
void erg_block_free(erg_block *b);
/* Append a copy of tx (ERG_ERR_RANGE past the limits). */
erg_code erg_block_add_tx(erg_block *b, const erg_tx *tx, erg_err *err) ERG_WARN_UNUSED;
void erg_block_serialize(const erg_block *b, erg_buf *out);
erg_code erg_block_decode(const uint8_t *data, size_t len, erg_block *b, erg_err *err) ERG_WARN_UNUSED;
/* Merkle root (src/crypto/merkle) over the txids in block order. */
erg_code erg_block_tx_root(const erg_block *b, uint8_t root[32], erg_err *err) ERG_WARN_UNUSED;

#endif
