/* Compact sparse Merkle tree over 256-bit keys: the authenticated commitment behind the state root. */
#include "chain/smt.h"

#include <string.h>

#include "src/crypto/sha256.h"

const uint8_t erg_smt_empty_root[32] = {0};

enum { NODE_INNER = 1, NODE_LEAF = 2 };

static int is_empty(const uint8_t h[32])
{
    return memcmp(h, erg_smt_empty_root, 32) == 0;
}

static int key_bit(const uint8_t key[32], unsigned depth)
{
    return (key[depth / 8] >> (7 - depth % 8)) & 1;
}

/* Tagged hash of a || b; out may alias either half. */
static void hash_pair(const char *tag, const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint8_t raw[64];
    memcpy(raw, a, 32);
    memcpy(raw + 32, b, 32);
    erg_tagged_hash(tag, raw, 64, out);
}

void erg_smt_leaf_hash(const uint8_t key[32], const uint8_t value_hash[32], uint8_t out[32])
{
    hash_pair("Ergon/smt/leaf", key, value_hash, out);
}

static void inner_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    /* Two empty children never form an inner node; the compact form collapses them. */
    hash_pair("Ergon/smt/node", l, r, out);
}

/* Store a node record, kind then its two halves (key and value hash, or left and right child),
 * under its hash, written to out. The halves are copied first: callers may pass out aliasing one. */
static erg_code put_node(const erg_smt_store *st, uint8_t kind, const uint8_t a[32], const uint8_t b[32],
                         uint8_t out[32], erg_err *err)
{
    uint8_t rec[ERG_SMT_NODE_SIZE];
    rec[0] = kind;
    memcpy(rec + 1, a, 32);
    memcpy(rec + 33, b, 32);
    if (kind == NODE_LEAF)
        erg_smt_leaf_hash(rec + 1, rec + 33, out);
    else
        inner_hash(rec + 1, rec + 33, out);
    return st->put(st->ctx, out, rec, err);
}

static erg_code load(const erg_smt_store *st, const uint8_t h[32], uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err)
{
    erg_code rc = st->get(st->ctx, h, rec, err);
    if (rc == ERG_ERR_NOTFOUND) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: missing node (corrupt state tree)");
    if (rc) return rc;
    if (rec[0] != NODE_INNER && rec[0] != NODE_LEAF)
        return erg_err_set(err, ERG_ERR_INTERNAL, "smt: node of unknown kind %u", rec[0]);
    return ERG_OK;
}

/* Subtree at `depth` holding two distinct leaves a and b (their hashes and keys). */
static erg_code join(const erg_smt_store *st, unsigned depth, const uint8_t ha[32], const uint8_t ka[32],
                     const uint8_t hb[32], const uint8_t kb[32], uint8_t out[32], erg_err *err)
{
    uint8_t child[32];
    erg_code rc;
    int ba, bb;
    if (depth >= 256) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: two leaves share a key");
    ba = key_bit(ka, depth);
    bb = key_bit(kb, depth);
    if (ba != bb) return ba ? put_node(st, NODE_INNER, hb, ha, out, err) : put_node(st, NODE_INNER, ha, hb, out, err);
    if ((rc = join(st, depth + 1, ha, ka, hb, kb, child, err))) return rc;
    if (ba) return put_node(st, NODE_INNER, erg_smt_empty_root, child, out, err);
    return put_node(st, NODE_INNER, child, erg_smt_empty_root, out, err);
}

static erg_code update(const erg_smt_store *st, const uint8_t node[32], unsigned depth, const uint8_t key[32],
                       const uint8_t *vh, uint8_t out[32], erg_err *err)
{
    uint8_t rec[ERG_SMT_NODE_SIZE], l[32], r[32], newleaf[32];
    erg_code rc;
    if (is_empty(node)) {
        if (!vh) {
            memset(out, 0, 32);
            return ERG_OK;
        }
        return put_node(st, NODE_LEAF, key, vh, out, err);
    }
    if ((rc = load(st, node, rec, err))) return rc;
    if (rec[0] == NODE_LEAF) {
        if (memcmp(rec + 1, key, 32) == 0) {
            if (!vh) {
                memset(out, 0, 32);
                return ERG_OK;
            }
            return put_node(st, NODE_LEAF, key, vh, out, err);
        }
        if (!vh) {
            memcpy(out, node, 32); /* removing an absent key changes nothing */
            return ERG_OK;
        }
        if ((rc = put_node(st, NODE_LEAF, key, vh, newleaf, err))) return rc;
        return join(st, depth, node, rec + 1, newleaf, key, out, err);
    }
    memcpy(l, rec + 1, 32);
    memcpy(r, rec + 33, 32);
    if (depth >= 255) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: tree deeper than the key");
    if (key_bit(key, depth)) {
        if ((rc = update(st, r, depth + 1, key, vh, r, err))) return rc;
    } else {
        if ((rc = update(st, l, depth + 1, key, vh, l, err))) return rc;
    }
    /* Keep the compact form: a lone leaf moves up; an empty pair disappears. */
    if (is_empty(l) && is_empty(r)) {
        memset(out, 0, 32);
        return ERG_OK;
    }
    if (is_empty(l) || is_empty(r)) {
        const uint8_t *only = is_empty(l) ? r : l;
        uint8_t crec[ERG_SMT_NODE_SIZE];
        if ((rc = load(st, only, crec, err))) return rc;
        if (crec[0] == NODE_LEAF) {
            memcpy(out, only, 32);
            return ERG_OK;
        }
    }
    return put_node(st, NODE_INNER, l, r, out, err);
}

erg_code erg_smt_update(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32],
                        const uint8_t *value_hash, uint8_t new_root[32], erg_err *err)
{
    uint8_t out[32];
    erg_code rc = update(st, root, 0, key, value_hash, out, err);
    if (rc) return rc;
    memcpy(new_root, out, 32);
    return ERG_OK;
}

erg_code erg_smt_prove(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32], erg_smt_proof *proof,
                       erg_err *err)
{
    uint8_t node[32], rec[ERG_SMT_NODE_SIZE];
    erg_code rc;
    memset(proof, 0, sizeof *proof);
    memcpy(node, root, 32);
    for (;;) {
        if (is_empty(node)) {
            proof->terminal_kind = 0;
            return ERG_OK;
        }
        if ((rc = load(st, node, rec, err))) return rc;
        if (rec[0] == NODE_LEAF) {
            proof->terminal_kind = 1;
            memcpy(proof->leaf_key, rec + 1, 32);
            memcpy(proof->leaf_value, rec + 33, 32);
            return ERG_OK;
        }
        if (proof->depth >= 256) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: path longer than the key");
        if (key_bit(key, proof->depth)) {
            memcpy(proof->siblings[proof->depth], rec + 1, 32);
            memcpy(node, rec + 33, 32);
        } else {
            memcpy(proof->siblings[proof->depth], rec + 33, 32);
            memcpy(node, rec + 1, 32);
        }
        proof->depth++;
    }
}

erg_code erg_smt_get(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32], int *found,
                     uint8_t value_hash[32], erg_err *err)
{
    erg_smt_proof *p;
    erg_code rc;
    static _Thread_local erg_smt_proof scratch; /* 8 KiB: too big for small thread stacks */
    p = &scratch;
    if ((rc = erg_smt_prove(st, root, key, p, err))) return rc;
    *found = p->terminal_kind == 1 && memcmp(p->leaf_key, key, 32) == 0;
    if (*found) memcpy(value_hash, p->leaf_value, 32);
    return ERG_OK;
}

erg_code erg_smt_verify(const uint8_t root[32], const uint8_t key[32], const uint8_t *value_hash,
                        const erg_smt_proof *proof, erg_err *err)
{
    uint8_t h[32];
    unsigned i;
    if (proof->depth > 256) return erg_err_set(err, ERG_ERR_PARSE, "smt proof: depth %u", proof->depth);
    if (value_hash) {
        if (proof->terminal_kind != 1 || memcmp(proof->leaf_key, key, 32) != 0)
            return erg_err_set(err, ERG_ERR_CHECKSUM, "smt proof: does not end at the key's leaf");
        erg_smt_leaf_hash(key, value_hash, h);
    } else if (proof->terminal_kind == 0) {
        memset(h, 0, 32);
    } else {
        /* Absence: the path ends at another key's leaf that shares the path's prefix. */
        if (memcmp(proof->leaf_key, key, 32) == 0)
            return erg_err_set(err, ERG_ERR_CHECKSUM, "smt proof: the key is present");
        for (i = 0; i < proof->depth; i++)
            if (key_bit(proof->leaf_key, i) != key_bit(key, i))
                return erg_err_set(err, ERG_ERR_CHECKSUM, "smt proof: terminal leaf is off the key's path");
        erg_smt_leaf_hash(proof->leaf_key, proof->leaf_value, h);
    }
    for (i = proof->depth; i-- > 0;) {
        if (key_bit(key, i))
            inner_hash(proof->siblings[i], h, h);
        else
            inner_hash(h, proof->siblings[i], h);
    }
    if (memcmp(h, root, 32) != 0) return erg_err_set(err, ERG_ERR_CHECKSUM, "smt proof: root mismatch");
    return ERG_OK;
}
