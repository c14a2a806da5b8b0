/* Compact sparse Merkle tree over 256-bit keys: the authenticated commitment behind the state root. */
#ifndef ERG_CHAIN_SMT_H
#define ERG_CHAIN_SMT_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * The tree has 2^256 leaf positions addressed by the key's bits, most significant bit of
 * byte 0 first. It is stored compactly: an empty subtree hashes to 32 zero bytes, a subtree
 * holding exactly one entry is that entry's leaf hash, and only subtrees with two or more
 * entries have inner nodes. So the root depends only on the set of (key, value hash) pairs,
 * never on insertion order, and every update costs O(log n) hashes.
 *   leaf  = H_tag("Ergon/smt/leaf", key || value_hash)
 *   inner = H_tag("Ergon/smt/node", left || right)
 * Nodes are content-addressed (hash -> 65-byte record) and never overwritten, so the roots of
 * earlier blocks stay readable: a reorg only has to point back at an older root.
 */

#define ERG_SMT_NODE_SIZE 65

typedef struct erg_smt_store {
    /* Fetch the record of node `hash` into rec (ERG_SMT_NODE_SIZE bytes); ERG_ERR_NOTFOUND if absent. */
    erg_code (*get)(void *ctx, const uint8_t hash[32], uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err);
    /* Store a record under its hash (idempotent). */
    erg_code (*put)(void *ctx, const uint8_t hash[32], const uint8_t rec[ERG_SMT_NODE_SIZE], erg_err *err);
    void *ctx;
} erg_smt_store;

typedef struct erg_smt_proof {
    uint8_t siblings[256][32]; /* siblings[i] is the sibling at depth i+1 on the key's path */
    unsigned depth;            /* number of siblings */
    int terminal_kind;         /* 0: empty subtree, 1: a leaf */
    uint8_t leaf_key[32];      /* terminal leaf (may be a different key: proof of absence) */
    uint8_t leaf_value[32];
} erg_smt_proof;

extern const uint8_t erg_smt_empty_root[32];

void erg_smt_leaf_hash(const uint8_t key[32], const uint8_t value_hash[32], uint8_t out[32]);

/* Set key to value_hash (NULL removes the key) in the tree at root; writes new_root. */
erg_code erg_smt_update(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32],
                        const uint8_t *value_hash, uint8_t new_root[32], erg_err *err) ERG_WARN_UNUSED;
/* Apply many updates at once: keys[i] -> value_hashes[i] (NULL entry removes the key). Keys
 * must be strictly increasing (memcmp order, which is the tree's bit order). Same result as
 * applying them one by one, but every node on the shared paths is read and hashed once. */
erg_code erg_smt_update_batch(const erg_smt_store *st, const uint8_t root[32], const uint8_t (*keys)[32],
                              const uint8_t *const *value_hashes, size_t n, uint8_t new_root[32],
                              erg_err *err) ERG_WARN_UNUSED;
/* Look a key up: *found = 1 and its value hash, or *found = 0. */
erg_code erg_smt_get(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32], int *found,
                     uint8_t value_hash[32], erg_err *err) ERG_WARN_UNUSED;
erg_code erg_smt_prove(const erg_smt_store *st, const uint8_t root[32], const uint8_t key[32], erg_smt_proof *proof,
                       erg_err *err) ERG_WARN_UNUSED;
/* Check a proof that key maps to value_hash (or, with value_hash NULL, is absent) under root. */
erg_code erg_smt_verify(const uint8_t root[32], const uint8_t key[32], const uint8_t *value_hash,
                        const erg_smt_proof *proof, erg_err *err) ERG_WARN_UNUSED;

#endif
