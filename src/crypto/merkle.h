/* Merkle roots and inclusion proofs (RFC 6962 shape, tagged leaf and inner-node domains). */
#ifndef ERG_CRYPTO_MERKLE_H
#define ERG_CRYPTO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * Tree shape: for n leaves, split at k = the largest power of two below n and hash the two
 * subtrees (RFC 6962). No leaf is ever duplicated, so two different leaf lists never share
 * a root. Leaves are hashed under the tag "Ergon/merkle/leaf" and inner nodes under
 * "Ergon/merkle/node", so a leaf can never be passed off as an inner node. The root of an
 * empty list is the tagged hash "Ergon/merkle/empty" of nothing.
 */

#define ERG_MERKLE_MAX_DEPTH 64

void erg_merkle_leaf_hash(const void *data, size_t len, uint8_t out[32]);
void erg_merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32]);

/* Root over n leaf hashes (already passed through erg_merkle_leaf_hash). */
void erg_merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32]);

/* Audit path for leaf `index`: writes *path_len sibling hashes, bottom-up, into path
 * (capacity path_cap, ERG_MERKLE_MAX_DEPTH always suffices). */
erg_code erg_merkle_proof(const uint8_t (*leaves)[32], size_t n, size_t index, uint8_t (*path)[32],
                          size_t path_cap, size_t *path_len, erg_err *err) ERG_WARN_UNUSED;

/* ERG_OK when leaf_hash sits at `index` of an n-leaf tree with this root, else a reason. */
erg_code erg_merkle_verify(const uint8_t leaf_hash[32], size_t index, size_t n, const uint8_t (*path)[32],
                           size_t path_len, const uint8_t root[32], erg_err *err) ERG_WARN_UNUSED;

#endif
