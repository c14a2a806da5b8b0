/* Compact sparse Merkle tree over 256-bit keys: the authenticated commitment behind the state root. */
#include "chain/smt.h"

#include <stdlib.h>
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

/* ---- batch update ---------------------------------------------------------------------- */

enum { KIND_EMPTY = 0, KIND_LEAF = 1, KIND_INNER = 2, KIND_UNKNOWN = 3 /* non-empty, not loaded */ };

typedef struct smt_item {
    const uint8_t *key;
    const uint8_t *vh; /* NULL: remove */
} smt_item;

/* Index of the first item in [lo, hi) whose key has bit `depth` set (items sorted by key). */
static size_t split_items(const smt_item *it, size_t lo, size_t hi, unsigned depth)
{
    while (lo < hi && !key_bit(it[lo].key, depth)) lo++;
    return lo;
}

/* Subtree at `depth` holding exactly the present items of it[lo, hi) (removals skipped). */
static erg_code build(const erg_smt_store *st, const smt_item *it, size_t lo, size_t hi, unsigned depth,
                      uint8_t out[32], int *kind, erg_err *err)
{
    size_t present = 0, i, last = 0, mid;
    uint8_t l[32], r[32];
    int kl, kr;
    erg_code rc;
    for (i = lo; i < hi; i++)
        if (it[i].vh) {
            present++;
            last = i;
        }
    if (present == 0) {
        memset(out, 0, 32);
        *kind = KIND_EMPTY;
        return ERG_OK;
    }
    if (present == 1) {
        *kind = KIND_LEAF;
        return put_node(st, NODE_LEAF, it[last].key, it[last].vh, out, err);
    }
    if (depth >= 256) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: duplicate keys in a batch");
    mid = split_items(it, lo, hi, depth);
    if ((rc = build(st, it, lo, mid, depth + 1, l, &kl, err))) return rc;
    if ((rc = build(st, it, mid, hi, depth + 1, r, &kr, err))) return rc;
    *kind = KIND_INNER;
    return put_node(st, NODE_INNER, l, r, out, err);
}

static erg_code update_many(const erg_smt_store *st, const uint8_t node[32], unsigned depth, smt_item *it, size_t lo,
                            size_t hi, uint8_t out[32], int *kind, erg_err *err)
{
    uint8_t rec[ERG_SMT_NODE_SIZE], l[32], r[32];
    int kl, kr;
    size_t mid;
    erg_code rc;
    if (lo == hi) {
        /* Untouched subtree: its kind is looked up only if a collapse needs it. */
        memcpy(out, node, 32);
        *kind = is_empty(node) ? KIND_EMPTY : KIND_UNKNOWN;
        return ERG_OK;
    }
    if (is_empty(node)) return build(st, it, lo, hi, depth, out, kind, err);
    if ((rc = load(st, node, rec, err))) return rc;
    if (rec[0] == NODE_LEAF) {
        /* Fold the existing leaf into the batch unless the batch sets or removes its key. */
        size_t i, n = hi - lo;
        smt_item *tmp;
        uint8_t leaf_key[32], leaf_vh[32];
        int overridden = 0;
        memcpy(leaf_key, rec + 1, 32);
        memcpy(leaf_vh, rec + 33, 32);
        for (i = lo; i < hi; i++)
            if (memcmp(it[i].key, leaf_key, 32) == 0) overridden = 1;
        if (overridden) return build(st, it, lo, hi, depth, out, kind, err);
        tmp = malloc((n + 1) * sizeof *tmp);
        if (!tmp) return erg_err_set(err, ERG_ERR_NOMEM, "smt: out of memory");
        {
            size_t j = 0;
            int placed = 0;
            for (i = lo; i < hi; i++) {
                if (!placed && memcmp(leaf_key, it[i].key, 32) < 0) {
                    tmp[j].key = leaf_key;
                    tmp[j++].vh = leaf_vh;
                    placed = 1;
                }
                tmp[j++] = it[i];
            }
            if (!placed) {
                tmp[j].key = leaf_key;
                tmp[j++].vh = leaf_vh;
            }
        }
        rc = build(st, tmp, 0, n + 1, depth, out, kind, err);
        free(tmp);
        return rc;
    }
    if (depth >= 255) return erg_err_set(err, ERG_ERR_INTERNAL, "smt: tree deeper than the key");
    memcpy(l, rec + 1, 32);
    memcpy(r, rec + 33, 32);
    mid = split_items(it, lo, hi, depth);
    if ((rc = update_many(st, l, depth + 1, it, lo, mid, l, &kl, err))) return rc;
    if ((rc = update_many(st, r, depth + 1, it, mid, hi, r, &kr, err))) return rc;
    /* Keep the compact form, exactly as the single-key update does. */
    if (kl == KIND_EMPTY && kr == KIND_UNKNOWN) {
        if ((rc = load(st, r, rec, err))) return rc;
        kr = rec[0] == NODE_LEAF ? KIND_LEAF : KIND_INNER;
    }
    if (kr == KIND_EMPTY && kl == KIND_UNKNOWN) {
        if ((rc = load(st, l, rec, err))) return rc;
        kl = rec[0] == NODE_LEAF ? KIND_LEAF : KIND_INNER;
    }
    if (kl == KIND_EMPTY && kr == KIND_EMPTY) {
        memset(out, 0, 32);
        *kind = KIND_EMPTY;
        return ERG_OK;
    }
    if (kl == KIND_EMPTY && kr == KIND_LEAF) {
        memcpy(out, r, 32);
        *kind = KIND_LEAF;
        return ERG_OK;
    }
    if (kr == KIND_EMPTY && kl == KIND_LEAF) {
        memcpy(out, l, 32);
        *kind = KIND_LEAF;
        return ERG_OK;
    }
    *kind = KIND_INNER;
    return put_node(st, NODE_INNER, l, r, out, err);
}

erg_code erg_smt_update_batch(const erg_smt_store *st, const uint8_t root[32], const uint8_t (*keys)[32],
                              const uint8_t *const *value_hashes, size_t n, uint8_t new_root[32], erg_err *err)
{
    smt_item *it;
    uint8_t out[32];
    int kind;
    size_t i;
    erg_code rc;
    if (n == 0) {
        memcpy(new_root, root, 32);
        return ERG_OK;
    }
    for (i = 1; i < n; i++)
        if (memcmp(keys[i - 1], keys[i], 32) >= 0)
            return erg_err_set(err, ERG_ERR_ARG, "smt: batch keys must be strictly increasing");
    it = malloc(n * sizeof *it);
    if (!it) return erg_err_set(err, ERG_ERR_NOMEM, "smt: out of memory");
    for (i = 0; i < n; i++) {
        it[i].key = keys[i];
        it[i].vh = value_hashes[i];
    }
    rc = update_many(st, root, 0, it, 0, n, out, &kind, err);
    free(it);
    if (rc == ERG_OK) memcpy(new_root, out, 32);
    return rc;
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
