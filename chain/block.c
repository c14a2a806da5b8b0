/* Block headers and blocks: fields, canonical encoding, block id, template commitment, tx root. */
#include "chain/block.h"

#include <stdlib.h>
#include <string.h>

#include "src/crypto/merkle.h"
#include "src/crypto/sha256.h"

void erg_header_serialize(const erg_header *h, erg_buf *out)
{
    erg_buf_put_u32(out, h->version);
    erg_buf_put_u32(out, h->height);
    erg_buf_put_raw(out, h->prev, 32);
    erg_buf_put_u64(out, h->time);
    erg_buf_put_u32(out, h->bits);
    erg_buf_put_raw(out, h->tx_root, 32);
    erg_buf_put_raw(out, h->state_root, 32);
    erg_buf_put_raw(out, h->side_root, 32);
    erg_buf_put_raw(out, h->payout.b, 32);
    erg_buf_put_raw(out, h->job_id, 32);
    erg_buf_put_u64(out, h->nonce);
    erg_buf_put_raw(out, h->output_hash, 32);
    erg_buf_put_u64(out, h->cu);
}

erg_code erg_header_parse(erg_reader *r, erg_header *h, erg_err *err)
{
    erg_code rc;
    memset(h, 0, sizeof *h);
    if ((rc = erg_read_u32(r, &h->version, "header.version", err))) return rc;
    if ((rc = erg_read_u32(r, &h->height, "header.height", err))) return rc;
    if ((rc = erg_read_raw(r, h->prev, 32, "header.prev", err))) return rc;
    if ((rc = erg_read_u64(r, &h->time, "header.time", err))) return rc;
    if ((rc = erg_read_u32(r, &h->bits, "header.bits", err))) return rc;
    if ((rc = erg_read_raw(r, h->tx_root, 32, "header.tx_root", err))) return rc;
    if ((rc = erg_read_raw(r, h->state_root, 32, "header.state_root", err))) return rc;
    if ((rc = erg_read_raw(r, h->side_root, 32, "header.side_root", err))) return rc;
    if ((rc = erg_read_raw(r, h->payout.b, 32, "header.payout", err))) return rc;
    if ((rc = erg_read_raw(r, h->job_id, 32, "header.job_id", err))) return rc;
    if ((rc = erg_read_u64(r, &h->nonce, "header.nonce", err))) return rc;
    if ((rc = erg_read_raw(r, h->output_hash, 32, "header.output_hash", err))) return rc;
    return erg_read_u64(r, &h->cu, "header.cu", err);
}

erg_code erg_header_decode(const uint8_t *data, size_t len, erg_header *h, erg_err *err)
{
    erg_reader r;
    erg_code rc;
    erg_reader_init(&r, data, len);
    if ((rc = erg_header_parse(&r, h, err))) return rc;
    return erg_reader_expect_end(&r, "header", err);
}

void erg_header_id(const erg_header *h, uint8_t id[32])
{
    uint8_t raw[ERG_HEADER_SIZE];
    erg_buf b;
    erg_buf_init(&b);
    erg_header_serialize(h, &b);
    memcpy(raw, b.data, ERG_HEADER_SIZE);
    erg_buf_free(&b);
    erg_tagged_hash("Ergon/block", raw, ERG_HEADER_SIZE, id);
}

void erg_header_template_commit(const erg_header *h, uint8_t out[32])
{
    uint8_t raw[4 + 4 + 8 + 4 + 32 * 3], *p = raw;
    erg_store_u32(p, h->version);
    erg_store_u32(p + 4, h->height);
    erg_store_u64(p + 8, h->time);
    erg_store_u32(p + 16, h->bits);
    p += 20;
    memcpy(p, h->tx_root, 32);
    memcpy(p + 32, h->state_root, 32);
    memcpy(p + 64, h->side_root, 32);
    erg_tagged_hash("Ergon/template", raw, sizeof raw, out);
}

void erg_block_init(erg_block *b)
{
    memset(b, 0, sizeof *b);
}

void erg_block_free(erg_block *b)
{
    free(b->txs);
    erg_block_init(b);
}

erg_code erg_block_add_tx(erg_block *b, const erg_tx *tx, erg_err *err)
{
    erg_tx *n;
    if (b->ntx >= ERG_BLOCK_MAX_TXS)
        return erg_err_set(err, ERG_ERR_RANGE, "bad-blk-length: more than %d transactions", ERG_BLOCK_MAX_TXS);
    n = realloc(b->txs, (b->ntx + 1) * sizeof *n);
    if (!n) return erg_err_set(err, ERG_ERR_NOMEM, "block: out of memory");
    b->txs = n;
    b->txs[b->ntx++] = *tx;
    return ERG_OK;
}

void erg_block_serialize(const erg_block *b, erg_buf *out)
{
    size_t i;
    erg_header_serialize(&b->header, out);
    erg_buf_put_compact(out, b->ntx);
    for (i = 0; i < b->ntx; i++) erg_tx_serialize(&b->txs[i], out);
}

erg_code erg_block_decode(const uint8_t *data, size_t len, erg_block *b, erg_err *err)
{
    erg_reader r;
    uint64_t n, i;
    erg_code rc;
    erg_block_init(b);
    if (len > ERG_BLOCK_MAX_SIZE)
        return erg_err_set(err, ERG_ERR_RANGE, "bad-blk-length: %zu bytes, limit %d", len, ERG_BLOCK_MAX_SIZE);
    erg_reader_init(&r, data, len);
    if ((rc = erg_header_parse(&r, &b->header, err))) return rc;
    if ((rc = erg_read_compact(&r, &n, ERG_BLOCK_MAX_TXS, "block.ntx", err))) return rc;
    /* Refuse a count the remaining bytes cannot hold before allocating anything for it. */
    if (n > erg_reader_left(&r) / ERG_TX_MIN_SIZE)
        return erg_err_set(err, ERG_ERR_PARSE, "block.ntx: %llu transactions cannot fit in %zu bytes",
                           (unsigned long long)n, erg_reader_left(&r));
    if (n) {
        b->txs = calloc((size_t)n, sizeof *b->txs);
        if (!b->txs) return erg_err_set(err, ERG_ERR_NOMEM, "block: out of memory");
    }
    for (i = 0; i < n; i++) {
        if ((rc = erg_tx_parse(&r, &b->txs[i], err))) {
            erg_err_prefix(err, "tx %llu: ", (unsigned long long)i);
            erg_block_free(b);
            return rc;
        }
        b->ntx++;
    }
    if ((rc = erg_reader_expect_end(&r, "block", err))) {
        erg_block_free(b);
        return rc;
    }
    return ERG_OK;
}

erg_code erg_block_tx_root(const erg_block *b, uint8_t root[32], erg_err *err)
{
    uint8_t(*leaves)[32] = NULL;
    size_t i;
    if (b->ntx) {
        leaves = malloc(b->ntx * sizeof *leaves);
        if (!leaves) return erg_err_set(err, ERG_ERR_NOMEM, "block: out of memory");
    }
    for (i = 0; i < b->ntx; i++) {
        uint8_t id[32];
        erg_tx_id(&b->txs[i], id);
        erg_merkle_leaf_hash(id, 32, leaves[i]);
    }
    erg_merkle_root((const uint8_t(*)[32])leaves, b->ntx, root);
    free(leaves);
    return ERG_OK;
}
