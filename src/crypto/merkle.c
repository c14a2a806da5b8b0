/* Merkle roots and inclusion proofs (RFC 6962 shape, tagged leaf and inner-node domains). */
#include "src/crypto/merkle.h"

#include <string.h>

#include "src/crypto/sha256.h"

void erg_merkle_leaf_hash(const void *data, size_t len, uint8_t out[32])
{
    erg_tagged_hash("Ergon/merkle/leaf", data, len, out);
}

void erg_merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
    uint8_t both[64];
    memcpy(both, left, 32);
    memcpy(both + 32, right, 32);
    erg_tagged_hash("Ergon/merkle/node", both, 64, out);
}

/* Largest power of two strictly below n (n >= 2). */
static size_t split_point(size_t n)
{
    size_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

static void subtree_root(const uint8_t (*leaves)[32], size_t n, uint8_t out[32])
{
    uint8_t l[32], r[32];
    size_t k;
    if (n == 1) {
        memcpy(out, leaves[0], 32);
        return;
    }
    k = split_point(n);
    subtree_root(leaves, k, l);
    subtree_root(leaves + k, n - k, r);
    erg_merkle_node_hash(l, r, out);
}

void erg_merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32])
{
    if (n == 0) {
        erg_tagged_hash("Ergon/merkle/empty", NULL, 0, root);
        return;
    }
    subtree_root(leaves, n, root);
}

erg_code erg_merkle_proof(const uint8_t (*leaves)[32], size_t n, size_t index, uint8_t (*path)[32],
                          size_t path_cap, size_t *path_len, erg_err *err)
{
    /* Walk down from the root, recording the sibling subtree at each level, then reverse. */
    uint8_t tmp[ERG_MERKLE_MAX_DEPTH][32];
    size_t depth = 0, off = 0, i;
    if (index >= n) return erg_err_set(err, ERG_ERR_ARG, "merkle: index %zu out of %zu leaves", index, n);
    while (n > 1) {
        size_t k = split_point(n);
        if (depth == ERG_MERKLE_MAX_DEPTH) return erg_err_set(err, ERG_ERR_RANGE, "merkle: tree too deep");
        if (index - off < k) {
            subtree_root(leaves + off + k, n - k, tmp[depth]);
            n = k;
        } else {
            subtree_root(leaves + off, k, tmp[depth]);
            off += k;
            n -= k;
        }
        depth++;
    }
    if (depth > path_cap)
        return erg_err_set(err, ERG_ERR_ARG, "merkle: path needs %zu entries, capacity %zu", depth, path_cap);
    for (i = 0; i < depth; i++) memcpy(path[i], tmp[depth - 1 - i], 32);
    *path_len = depth;
    return ERG_OK;
}

erg_code erg_merkle_verify(const uint8_t leaf_hash[32], size_t index, size_t n, const uint8_t (*path)[32],
                           size_t path_len, const uint8_t root[32], erg_err *err)
{
    /* RFC 9162 section 2.1.3.2: fn is the leaf's index, sn the last index, at each level. */
    uint8_t h[32];
    size_t fn = index, sn, i;
    if (n == 0 || index >= n) return erg_err_set(err, ERG_ERR_ARG, "merkle: index %zu out of %zu leaves", index, n);
    sn = n - 1;
    memcpy(h, leaf_hash, 32);
    for (i = 0; i < path_len; i++) {
        if (sn == 0) return erg_err_set(err, ERG_ERR_CHECKSUM, "merkle: proof has %zu extra entries", path_len - i);
        if ((fn & 1) || fn == sn) {
            erg_merkle_node_hash(path[i], h, h);
            if (!(fn & 1)) {
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            erg_merkle_node_hash(h, path[i], h);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return erg_err_set(err, ERG_ERR_CHECKSUM, "merkle: proof too short for %zu leaves", n);
    if (memcmp(h, root, 32) != 0) return erg_err_set(err, ERG_ERR_CHECKSUM, "merkle: root mismatch");
    return ERG_OK;
}
