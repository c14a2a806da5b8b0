/* Unit tests for chain/pouw and chain/block: seed binding, tickets, target, chain work, ASERT, encodings. */
#include "chain/block.h"
#include "chain/pouw.h"
#include "test/unit/harness.h"

static void sample_header(erg_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = 1;
    h->height = 12;
    h->prev[0] = 0xaa;
    h->time = 1795392720;
    h->bits = 0x1f00ffff;
    h->tx_root[1] = 1;
    h->state_root[2] = 2;
    h->payout.b[3] = 3;
    h->job_id[4] = 4;
    h->nonce = 99;
    h->output_hash[5] = 5;
    h->cu = 1000;
}

static void test_header_roundtrip(void)
{
    erg_header h, back;
    erg_buf b;
    uint8_t id1[32], id2[32];
    size_t cut;
    sample_header(&h);
    erg_buf_init(&b);
    erg_header_serialize(&h, &b);
    CHECK(b.len == ERG_HEADER_SIZE);
    CHECK(erg_header_decode(b.data, b.len, &back, NULL) == ERG_OK);
    erg_header_id(&h, id1);
    erg_header_id(&back, id2);
    CHECK_EQ_MEM(id1, id2, 32);
    for (cut = 0; cut < b.len; cut += 7) CHECK(erg_header_decode(b.data, cut, &back, NULL) == ERG_ERR_PARSE);
    erg_buf_free(&b);
}

static void test_seed_binds_every_field(void)
{
    /* Changing any field the ticket must bind changes the seed. */
    erg_header h, m;
    uint8_t s0[32], s[32];
    sample_header(&h);
    erg_pouw_header_seed(&h, s0);
#define MUTATE(stmt)                    \
    do {                                \
        m = h;                          \
        stmt;                           \
        erg_pouw_header_seed(&m, s);    \
        CHECK(memcmp(s, s0, 32) != 0);  \
    } while (0)
    MUTATE(m.prev[31] ^= 1);
    MUTATE(m.payout.b[0] ^= 1);
    MUTATE(m.tx_root[0] ^= 1);
    MUTATE(m.state_root[31] ^= 1);
    MUTATE(m.side_root[0] ^= 1);
    MUTATE(m.time++);
    MUTATE(m.bits ^= 1);
    MUTATE(m.height++);
    MUTATE(m.version++);
    MUTATE(m.job_id[0] ^= 1);
    MUTATE(m.nonce++);
#undef MUTATE
    /* The result fields are not inputs of the seed (they are its outputs). */
    m = h;
    m.output_hash[0] ^= 1;
    m.cu++;
    erg_pouw_header_seed(&m, s);
    CHECK_EQ_MEM(s, s0, 32);
}

static void test_ticket_compute_weighted(void)
{
    /* target ~2^240; a ticket just above target wins only with cu >= 2. */
    uint8_t ticket[32];
    erg_u256 target, t;
    erg_err err;
    CHECK(erg_u256_from_compact(&target, 0x1f00ffff, NULL) == ERG_OK);
    erg_u256_add(&t, &target, &target); /* 2 * target */
    erg_u256_to_le(&target, ticket);     /* ticket == target: not below */
    CHECK(erg_pouw_check_ticket(ticket, 0x1f00ffff, 1, &err) == ERG_ERR_INVALID && strstr(err.reason, "high-ticket"));
    CHECK(erg_pouw_check_ticket(ticket, 0x1f00ffff, 2, NULL) == ERG_OK);
    erg_u256_to_le(&t, ticket); /* 2 * target: needs cu >= 3 */
    CHECK(erg_pouw_check_ticket(ticket, 0x1f00ffff, 2, NULL) == ERG_ERR_INVALID);
    CHECK(erg_pouw_check_ticket(ticket, 0x1f00ffff, 3, NULL) == ERG_OK);
    CHECK(erg_pouw_check_ticket(ticket, 0x1f00ffff, 0, NULL) == ERG_ERR_INVALID);
    /* A product past 2^256 always wins; a malformed target never does. */
    memset(ticket, 0xff, 32);
    CHECK(erg_pouw_check_ticket(ticket, 0x207fffff, 3, NULL) == ERG_OK);
    CHECK(erg_pouw_check_ticket(ticket, 0x04923456, 3, NULL) != ERG_OK);
}

static void test_work(void)
{
    erg_u256 w;
    CHECK(erg_pouw_work(0x1f00ffff, &w, NULL) == ERG_OK);
    /* target = 0xffff * 2^224 -> work = 2^256 / (target + 1) ~= 2^16 + 1 */
    CHECK(w.w[1] == 0 && w.w[0] >= 65536 && w.w[0] <= 65538);
    CHECK(erg_pouw_work(0x1d3fffff, &w, NULL) == ERG_OK);
    /* target = (2^22 - 1) * 2^208 -> work = 2^26 * (1 + 2^-22 + ...) */
    CHECK(w.w[1] == 0 && w.w[0] >= (1u << 26) && w.w[0] <= (1u << 26) + 64);
}

static void test_asert(void)
{
    const erg_chain_params *cp = erg_chain_params_get(ERG_NET_TEST);
    const erg_chain_params *rt = erg_chain_params_get(ERG_NET_REGTEST);
    erg_u256 on, slow, fast, anchor;
    uint32_t b_on, b_slow, b_fast, b_day;
    /* On schedule: the target stays at the anchor's. */
    b_on = erg_pouw_next_bits(cp, 100, (uint64_t)(cp->genesis_time + 100 * cp->target_spacing));
    CHECK(b_on == cp->genesis_bits);
    /* One half-life behind schedule: the target doubles (easier); ahead: it halves. */
    b_slow = erg_pouw_next_bits(cp, 100, (uint64_t)(cp->genesis_time + 100 * cp->target_spacing + cp->asert_half_life));
    b_fast = erg_pouw_next_bits(cp, 100, (uint64_t)(cp->genesis_time + 100 * cp->target_spacing - cp->asert_half_life));
    CHECK(erg_u256_from_compact(&on, b_on, NULL) == ERG_OK);
    CHECK(erg_u256_from_compact(&slow, b_slow, NULL) == ERG_OK);
    CHECK(erg_u256_from_compact(&fast, b_fast, NULL) == ERG_OK);
    erg_u256_shl(&anchor, &on, 1);
    CHECK(erg_u256_cmp(&slow, &anchor) == 0);
    erg_u256_shr(&anchor, &on, 1);
    CHECK(erg_u256_cmp(&fast, &anchor) == 0);
    /* Far behind: capped at the pow limit. */
    b_day = erg_pouw_next_bits(cp, 10, (uint64_t)(cp->genesis_time + 86400 * 30));
    CHECK(b_day == cp->pow_limit_bits);
    /* Regtest never retargets. */
    CHECK(erg_pouw_next_bits(rt, 5, 1) == rt->genesis_bits);
}

static void test_block_limits(void)
{
    erg_block b;
    erg_buf raw;
    erg_block back;
    erg_err err;
    uint8_t root1[32], root2[32];
    erg_block_init(&b);
    sample_header(&b.header);
    erg_buf_init(&raw);
    erg_block_serialize(&b, &raw);
    CHECK(erg_block_decode(raw.data, raw.len, &back, NULL) == ERG_OK && back.ntx == 0);
    erg_block_free(&back);
    /* A transaction count that the remaining bytes cannot hold is refused before allocating. */
    raw.data[ERG_HEADER_SIZE] = 0xfd;
    raw.len = ERG_HEADER_SIZE;
    erg_buf_put_u8(&raw, 0xfd);
    erg_buf_put_u16(&raw, 3000);
    raw.data[ERG_HEADER_SIZE] = 0xfd;
    CHECK(erg_block_decode(raw.data, raw.len, &back, &err) == ERG_ERR_PARSE);
    CHECK(erg_block_tx_root(&b, root1, NULL) == ERG_OK);
    CHECK(erg_block_tx_root(&b, root2, NULL) == ERG_OK);
    CHECK_EQ_MEM(root1, root2, 32);
    erg_buf_free(&raw);
    erg_block_free(&b);
}

ERG_TESTS("pouw", T(test_header_roundtrip), T(test_seed_binds_every_field), T(test_ticket_compute_weighted),
          T(test_work), T(test_asert), T(test_block_limits))
