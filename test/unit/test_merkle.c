/* Unit tests for src/crypto/merkle: shape, proofs for every leaf, every tampered byte rejected. */
#include "src/crypto/merkle.h"
#include "test/unit/harness.h"

static void make_leaves(uint8_t (*leaves)[32], size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t data[8];
        memcpy(data, &i, sizeof i < 8 ? sizeof i : 8);
        erg_merkle_leaf_hash(data, 8, leaves[i]);
    }
}

static void test_small_shapes(void)
{
    uint8_t leaves[3][32], root[32], ab[32], want[32];
    make_leaves(leaves, 3);
    erg_merkle_root(leaves, 1, root);
    CHECK_EQ_MEM(root, leaves[0], 32);
    erg_merkle_node_hash(leaves[0], leaves[1], ab);
    erg_merkle_root(leaves, 2, root);
    CHECK_EQ_MEM(root, ab, 32);
    /* Three leaves: (ab, c), the last leaf is promoted, never duplicated. */
    erg_merkle_node_hash(ab, leaves[2], want);
    erg_merkle_root(leaves, 3, root);
    CHECK_EQ_MEM(root, want, 32);
}

static void test_no_duplicate_ambiguity(void)
{
    /* Bitcoin's tree gives [a,b,c] and [a,b,c,c] the same root; this one must not. */
    uint8_t leaves[4][32], r3[32], r4[32];
    make_leaves(leaves, 3);
    memcpy(leaves[3], leaves[2], 32);
    erg_merkle_root(leaves, 3, r3);
    erg_merkle_root(leaves, 4, r4);
    CHECK(memcmp(r3, r4, 32) != 0);
}

static void test_empty_root(void)
{
    uint8_t root[32], zero[32] = {0};
    erg_merkle_root(NULL, 0, root);
    CHECK(memcmp(root, zero, 32) != 0);
}

static void test_proofs_every_leaf(void)
{
    uint8_t leaves[37][32], root[32], path[ERG_MERKLE_MAX_DEPTH][32];
    size_t n, i, plen;
    make_leaves(leaves, 37);
    for (n = 1; n <= 37; n++) {
        erg_merkle_root(leaves, n, root);
        for (i = 0; i < n; i++) {
            CHECK(erg_merkle_proof(leaves, n, i, path, ERG_MERKLE_MAX_DEPTH, &plen, NULL) == ERG_OK);
            CHECK(erg_merkle_verify(leaves[i], i, n, path, plen, root, NULL) == ERG_OK);
            if (n > 1) {
                /* Wrong index, wrong size, truncated path: all rejected. */
                CHECK(erg_merkle_verify(leaves[i], (i + 1) % n, n, path, plen, root, NULL) != ERG_OK);
                CHECK(erg_merkle_verify(leaves[i], i, n, path, plen - 1, root, NULL) != ERG_OK);
            }
        }
    }
}

static void test_every_tampered_byte_rejected(void)
{
    uint8_t leaves[13][32], root[32], path[ERG_MERKLE_MAX_DEPTH][32], leaf[32];
    size_t plen, i, b;
    int bit;
    make_leaves(leaves, 13);
    erg_merkle_root(leaves, 13, root);
    CHECK(erg_merkle_proof(leaves, 13, 5, path, ERG_MERKLE_MAX_DEPTH, &plen, NULL) == ERG_OK);
    for (i = 0; i < plen; i++) {
        for (b = 0; b < 32; b++) {
            for (bit = 0; bit < 8; bit++) {
                path[i][b] ^= (uint8_t)(1 << bit);
                CHECK(erg_merkle_verify(leaves[5], 5, 13, path, plen, root, NULL) == ERG_ERR_CHECKSUM);
                path[i][b] ^= (uint8_t)(1 << bit);
            }
        }
    }
    for (b = 0; b < 32; b++) {
        memcpy(leaf, leaves[5], 32);
        leaf[b] ^= 0x80;
        CHECK(erg_merkle_verify(leaf, 5, 13, path, plen, root, NULL) == ERG_ERR_CHECKSUM);
        root[b] ^= 1;
        CHECK(erg_merkle_verify(leaves[5], 5, 13, path, plen, root, NULL) == ERG_ERR_CHECKSUM);
        root[b] ^= 1;
    }
    CHECK(erg_merkle_verify(leaves[5], 5, 13, path, plen, root, NULL) == ERG_OK);
}

static void test_leaf_is_not_a_node(void)
{
    /* A 64-byte leaf whose bytes are two child hashes must not hash like the inner node. */
    uint8_t leaves[2][32], both[64], as_leaf[32], as_node[32];
    make_leaves(leaves, 2);
    memcpy(both, leaves[0], 32);
    memcpy(both + 32, leaves[1], 32);
    erg_merkle_leaf_hash(both, 64, as_leaf);
    erg_merkle_node_hash(leaves[0], leaves[1], as_node);
    CHECK(memcmp(as_leaf, as_node, 32) != 0);
}

static void test_bad_arguments(void)
{
    uint8_t leaves[4][32], path[2][32], root[32];
    size_t plen;
    make_leaves(leaves, 4);
    erg_merkle_root(leaves, 4, root);
    CHECK(erg_merkle_proof(leaves, 4, 4, path, 2, &plen, NULL) == ERG_ERR_ARG);
    CHECK(erg_merkle_proof(leaves, 4, 0, path, 1, &plen, NULL) == ERG_ERR_ARG);
    CHECK(erg_merkle_verify(leaves[0], 0, 0, path, 0, root, NULL) == ERG_ERR_ARG);
}

ERG_TESTS("merkle", T(test_small_shapes), T(test_no_duplicate_ambiguity), T(test_empty_root),
          T(test_proofs_every_leaf), T(test_every_tampered_byte_rejected), T(test_leaf_is_not_a_node),
          T(test_bad_arguments))
