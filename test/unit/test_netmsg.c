/* Unit tests for src/node/netmsg: frame known answer, round trips, limits, truncation and corruption. */
#include <stdio.h>
#include <stdlib.h>

#include "src/node/netmsg.h"
#include "test/unit/harness.h"

static const uint8_t g_regtest_magic[4] = {0xe7, 0x72, 0x67, 0x52};

/* Deterministic filler so every field of a sample differs from its neighbours. */
static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void sample_header(erg_header *h, unsigned seed)
{
    memset(h, 0, sizeof *h);
    h->version = 1 + seed;
    h->height = 100 + seed;
    fill(h->prev, 32, seed + 1);
    h->time = 1795392000ull + seed;
    h->bits = 0x207fffff;
    fill(h->tx_root, 32, seed + 2);
    fill(h->state_root, 32, seed + 3);
    fill(h->side_root, 32, seed + 4);
    fill(h->payout.b, 32, seed + 5);
    fill(h->job_id, 32, seed + 6);
    h->nonce = 0x1122334455667788ull ^ seed;
    fill(h->output_hash, 32, seed + 7);
    h->cu = 5000 + seed;
}

/* A well-formed (not signed: the codec does not verify signatures) transfer. */
static void sample_tx(erg_tx *tx, unsigned seed)
{
    memset(tx, 0, sizeof *tx);
    tx->version = ERG_TX_VERSION;
    tx->type = ERG_TX_TRANSFER;
    fill(tx->from.b, 32, seed + 10);
    tx->nonce = seed;
    tx->fee = 1000 + seed;
    fill(tx->to.b, 32, seed + 11);
    tx->amount = 5000000 + seed;
    fill(tx->sig, 64, seed + 12);
}

/* A message of type t with n entries in its list (where it has one) and every field non-zero. */
static void sample_n(erg_msg *m, erg_msg_type t, size_t n)
{
    size_t i;
    erg_msg_init(m, t);
    switch (t) {
    case ERG_MSG_VERSION:
        m->u.version.version = ERG_NET_PROTOCOL_VERSION;
        m->u.version.services = ERG_NODE_NETWORK;
        m->u.version.time = 1795392123;
        m->u.version.nonce = 0xdeadbeefcafef00dull;
        fill(m->u.version.genesis, 32, 1);
        m->u.version.best_height = 4242;
        m->u.version.port = 19444;
        m->u.version.relay = 1;
        strcpy(m->u.version.user_agent, "/ergon:0.1.0/ (test; ~!)");
        break;
    case ERG_MSG_PING:
    case ERG_MSG_PONG: m->u.nonce = 0x0102030405060708ull + t; break;
    case ERG_MSG_ADDR:
        m->u.addr.items = calloc(n ? n : 1, sizeof *m->u.addr.items);
        m->u.addr.n = n;
        for (i = 0; i < n; i++) {
            erg_netaddr *a = &m->u.addr.items[i];
            a->time = 1795392000ull + i;
            a->services = ERG_NODE_NETWORK | ((uint64_t)i << 32);
            fill(a->ip, 16, (unsigned)i);
            a->port = (uint16_t)(9333 + i);
        }
        break;
    case ERG_MSG_INV:
    case ERG_MSG_GETDATA:
    case ERG_MSG_NOTFOUND:
        m->u.inv.items = calloc(n ? n : 1, sizeof *m->u.inv.items);
        m->u.inv.n = n;
        for (i = 0; i < n; i++) {
            m->u.inv.items[i].type = i % 3 == 2 ? 77u : (i % 2 ? ERG_INV_BLOCK : ERG_INV_TX); /* 77: unknown, kept */
            fill(m->u.inv.items[i].hash, 32, (unsigned)i);
        }
        break;
    case ERG_MSG_GETHEADERS:
        m->u.getheaders.locator = calloc(n ? n : 1, 32);
        m->u.getheaders.n = n;
        for (i = 0; i < n; i++) fill(m->u.getheaders.locator[i], 32, (unsigned)i);
        fill(m->u.getheaders.stop, 32, 99);
        break;
    case ERG_MSG_HEADERS:
        m->u.headers.items = calloc(n ? n : 1, sizeof *m->u.headers.items);
        m->u.headers.n = n;
        for (i = 0; i < n; i++) sample_header(&m->u.headers.items[i], (unsigned)i);
        break;
    case ERG_MSG_BLOCK:
        sample_header(&m->u.block.header, 3);
        for (i = 0; i < n; i++) {
            erg_tx tx;
            sample_tx(&tx, (unsigned)i);
            CHECK(erg_block_add_tx(&m->u.block, &tx, NULL) == ERG_OK);
        }
        break;
    case ERG_MSG_TX: sample_tx(&m->u.tx, 5); break;
    case ERG_MSG_REJECT:
        strcpy(m->u.reject.command, "block");
        m->u.reject.code = 0x10;
        strcpy(m->u.reject.reason, "bad-blk-length: 2000000 bytes");
        fill(m->u.reject.hash, 32, 4);
        break;
    default: break;
    }
}

static void sample(erg_msg *m, erg_msg_type t)
{
    sample_n(m, t, 3);
}

static int header_eq(const erg_header *a, const erg_header *b)
{
    return a->version == b->version && a->height == b->height && !memcmp(a->prev, b->prev, 32) &&
           a->time == b->time && a->bits == b->bits && !memcmp(a->tx_root, b->tx_root, 32) &&
           !memcmp(a->state_root, b->state_root, 32) && !memcmp(a->side_root, b->side_root, 32) &&
           !memcmp(a->payout.b, b->payout.b, 32) && !memcmp(a->job_id, b->job_id, 32) && a->nonce == b->nonce &&
           !memcmp(a->output_hash, b->output_hash, 32) && a->cu == b->cu;
}

static int tx_eq(const erg_tx *a, const erg_tx *b)
{
    return a->version == b->version && a->type == b->type && !memcmp(a->from.b, b->from.b, 32) &&
           a->nonce == b->nonce && a->fee == b->fee && !memcmp(a->to.b, b->to.b, 32) && a->amount == b->amount &&
           !memcmp(a->sig, b->sig, 64);
}

/* Field by field, so a codec that drops or swaps a field is caught even if it round-trips itself. */
static int msg_eq(const erg_msg *a, const erg_msg *b)
{
    size_t i;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case ERG_MSG_VERSION: {
        const erg_msg_version *x = &a->u.version, *y = &b->u.version;
        return x->version == y->version && x->services == y->services && x->time == y->time &&
               x->nonce == y->nonce && !memcmp(x->genesis, y->genesis, 32) && x->best_height == y->best_height &&
               x->port == y->port && x->relay == y->relay && strcmp(x->user_agent, y->user_agent) == 0;
    }
    case ERG_MSG_PING:
    case ERG_MSG_PONG: return a->u.nonce == b->u.nonce;
    case ERG_MSG_ADDR:
        if (a->u.addr.n != b->u.addr.n) return 0;
        for (i = 0; i < a->u.addr.n; i++) {
            const erg_netaddr *x = &a->u.addr.items[i], *y = &b->u.addr.items[i];
            if (x->time != y->time || x->services != y->services || memcmp(x->ip, y->ip, 16) || x->port != y->port)
                return 0;
        }
        return 1;
    case ERG_MSG_INV:
    case ERG_MSG_GETDATA:
    case ERG_MSG_NOTFOUND:
        if (a->u.inv.n != b->u.inv.n) return 0;
        for (i = 0; i < a->u.inv.n; i++)
            if (a->u.inv.items[i].type != b->u.inv.items[i].type ||
                memcmp(a->u.inv.items[i].hash, b->u.inv.items[i].hash, 32))
                return 0;
        return 1;
    case ERG_MSG_GETHEADERS:
        return a->u.getheaders.n == b->u.getheaders.n &&
               !memcmp(a->u.getheaders.locator, b->u.getheaders.locator, a->u.getheaders.n * 32) &&
               !memcmp(a->u.getheaders.stop, b->u.getheaders.stop, 32);
    case ERG_MSG_HEADERS:
        if (a->u.headers.n != b->u.headers.n) return 0;
        for (i = 0; i < a->u.headers.n; i++)
            if (!header_eq(&a->u.headers.items[i], &b->u.headers.items[i])) return 0;
        return 1;
    case ERG_MSG_BLOCK:
        if (!header_eq(&a->u.block.header, &b->u.block.header) || a->u.block.ntx != b->u.block.ntx) return 0;
        for (i = 0; i < a->u.block.ntx; i++)
            if (!tx_eq(&a->u.block.txs[i], &b->u.block.txs[i])) return 0;
        return 1;
    case ERG_MSG_TX: return tx_eq(&a->u.tx, &b->u.tx);
    case ERG_MSG_REJECT:
        return strcmp(a->u.reject.command, b->u.reject.command) == 0 && a->u.reject.code == b->u.reject.code &&
               strcmp(a->u.reject.reason, b->u.reject.reason) == 0 && !memcmp(a->u.reject.hash, b->u.reject.hash, 32);
    default: return 1; /* empty payloads */
    }
}

/* The payload bytes of m (the frame minus its header). */
static void payload_of(const erg_msg *m, erg_buf *out)
{
    erg_buf f;
    erg_buf_init(&f);
    erg_msg_encode(g_regtest_magic, m, &f);
    CHECK(erg_buf_status(&f, NULL) == ERG_OK && f.len >= ERG_NET_FRAME_HEADER);
    erg_buf_init(out);
    erg_buf_put_raw(out, f.data + ERG_NET_FRAME_HEADER, f.len - ERG_NET_FRAME_HEADER);
    erg_buf_free(&f);
}

/* Full path: encode, parse the frame, check it, decode, compare; returns the frame length. */
static size_t roundtrip(const erg_msg *m)
{
    erg_buf f;
    erg_msg_frame fr;
    erg_msg back;
    erg_err err;
    size_t len;
    erg_buf_init(&f);
    erg_msg_encode(g_regtest_magic, m, &f);
    CHECK(erg_buf_status(&f, NULL) == ERG_OK);
    len = f.len;
    CHECK(erg_msg_frame_parse(f.data, g_regtest_magic, &fr, &err) == ERG_OK);
    CHECK(fr.type == m->type);
    CHECK(strcmp(fr.command, erg_msg_command(m->type)) == 0);
    CHECK(fr.length == f.len - ERG_NET_FRAME_HEADER);
    CHECK(erg_msg_frame_check(&fr, f.data + ERG_NET_FRAME_HEADER, fr.length, &err) == ERG_OK);
    CHECK(erg_msg_decode(fr.type, f.data + ERG_NET_FRAME_HEADER, fr.length, &back, &err) == ERG_OK);
    CHECK(msg_eq(m, &back));
    erg_msg_free(&back);
    erg_buf_free(&f);
    return len;
}

/* Decode raw payload bytes as type t, expecting code; the reason must contain needle. */
static void expect_reject(erg_msg_type t, const erg_buf *p, erg_code code, const char *needle)
{
    erg_msg m;
    erg_err err;
    erg_code rc = erg_msg_decode(t, p->data, p->len, &m, &err);
    CHECK(rc == code);
    if (rc != code) fprintf(stderr, "  %s: got %s (%s), wanted %s\n", erg_msg_command(t), erg_code_name(rc),
                            rc ? err.reason : "", erg_code_name(code));
    if (rc != ERG_OK) {
        CHECK(err.code == rc);
        CHECK(strstr(err.reason, needle) != NULL);
        CHECK(m.type == t);
    } else {
        erg_msg_free(&m);
    }
}

static void test_table(void)
{
    static const struct { erg_msg_type t; const char *cmd; uint32_t max; } rows[] = {
        {ERG_MSG_VERSION, "version", 1024},
        {ERG_MSG_VERACK, "verack", 0},
        {ERG_MSG_PING, "ping", 8},
        {ERG_MSG_PONG, "pong", 8},
        {ERG_MSG_GETADDR, "getaddr", 0},
        {ERG_MSG_ADDR, "addr", 9 + 1000 * 34},
        {ERG_MSG_INV, "inv", 9 + 50000 * 36},
        {ERG_MSG_GETDATA, "getdata", 9 + 50000 * 36},
        {ERG_MSG_NOTFOUND, "notfound", 9 + 50000 * 36},
        {ERG_MSG_GETHEADERS, "getheaders", 9 + 101 * 32 + 32},
        {ERG_MSG_HEADERS, "headers", 9 + 2000 * 260},
        {ERG_MSG_BLOCK, "block", ERG_BLOCK_MAX_SIZE},
        {ERG_MSG_TX, "tx", ERG_TX_MAX_SIZE},
        {ERG_MSG_MEMPOOL, "mempool", 0},
        {ERG_MSG_SENDHEADERS, "sendheaders", 0},
        {ERG_MSG_REJECT, "reject", 1 + 12 + 1 + 1 + 111 + 32},
    };
    size_t i;
    CHECK(sizeof rows / sizeof rows[0] == ERG_MSG_COUNT);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        CHECK(strcmp(erg_msg_command(rows[i].t), rows[i].cmd) == 0);
        CHECK(erg_msg_max_payload(rows[i].t) == rows[i].max);
        CHECK(rows[i].max <= ERG_NET_MAX_FRAME);
    }
    CHECK(strcmp(erg_msg_command(ERG_MSG_COUNT), "") == 0);
    CHECK(erg_msg_max_payload(ERG_MSG_COUNT) == ERG_NET_MAX_FRAME);
}

static void test_ping_known_answer(void)
{
    /* magic | "ping" + 8 NULs | length 8 | checksum | nonce LE. The checksum 3b5a7513 is the first
     * 4 bytes of SHA256(SHA256(08 07 06 05 04 03 02 01)), computed outside this code base with
     * python3 hashlib (and cross-checked with `openssl dgst -sha256` twice). */
    static const uint8_t want[] = {0xe7, 0x72, 0x67, 0x52, 'p',  'i',  'n',  'g',  0,    0,    0,    0,
                                   0,    0,    0,    0,    0x08, 0x00, 0x00, 0x00, 0x3b, 0x5a, 0x75, 0x13,
                                   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    erg_msg m, back;
    erg_msg_frame fr;
    erg_buf f;
    erg_msg_init(&m, ERG_MSG_PING);
    m.u.nonce = 0x0102030405060708ull;
    erg_buf_init(&f);
    erg_buf_put_u8(&f, 0xaa); /* encode appends: what is already there stays */
    erg_msg_encode(g_regtest_magic, &m, &f);
    CHECK(f.len == 1 + sizeof want);
    CHECK(f.data[0] == 0xaa);
    CHECK_EQ_MEM(f.data + 1, want, sizeof want);
    CHECK(erg_msg_frame_parse(want, g_regtest_magic, &fr, NULL) == ERG_OK);
    CHECK(fr.type == ERG_MSG_PING && fr.length == 8 && strcmp(fr.command, "ping") == 0);
    CHECK(erg_msg_frame_check(&fr, want + 24, 8, NULL) == ERG_OK);
    CHECK(erg_msg_decode(ERG_MSG_PING, want + 24, 8, &back, NULL) == ERG_OK);
    CHECK(back.u.nonce == 0x0102030405060708ull);
    erg_buf_free(&f);
}

static void test_roundtrip_every_type(void)
{
    int t;
    for (t = 0; t < ERG_MSG_COUNT; t++) {
        erg_msg m;
        sample(&m, (erg_msg_type)t);
        roundtrip(&m);
        erg_msg_free(&m);
        CHECK(m.type == (erg_msg_type)t);
        erg_msg_free(&m); /* freeing twice is harmless */
        /* Empty lists round-trip too (getheaders has a minimum of one entry). */
        sample_n(&m, (erg_msg_type)t, t == ERG_MSG_GETHEADERS ? 1 : 0);
        roundtrip(&m);
        erg_msg_free(&m);
    }
}

static void test_empty_payload_sizes(void)
{
    static const erg_msg_type empty[] = {ERG_MSG_VERACK, ERG_MSG_GETADDR, ERG_MSG_MEMPOOL, ERG_MSG_SENDHEADERS};
    size_t i;
    for (i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        erg_msg m;
        erg_msg_init(&m, empty[i]);
        CHECK(roundtrip(&m) == ERG_NET_FRAME_HEADER);
        /* The checksum of nothing is still SHA256d(""): 5df6e0e2. */
        {
            erg_buf f;
            static const uint8_t sum[4] = {0x5d, 0xf6, 0xe0, 0xe2};
            erg_buf_init(&f);
            erg_msg_encode(g_regtest_magic, &m, &f);
            CHECK_EQ_MEM(f.data + 20, sum, 4);
            erg_buf_free(&f);
        }
    }
}

static void test_maximum_counts(void)
{
    static const struct { erg_msg_type t; size_t n; } maxes[] = {
        {ERG_MSG_ADDR, ERG_NET_MAX_ADDR},     {ERG_MSG_INV, ERG_NET_MAX_INV},
        {ERG_MSG_GETDATA, ERG_NET_MAX_INV},   {ERG_MSG_NOTFOUND, ERG_NET_MAX_INV},
        {ERG_MSG_GETHEADERS, ERG_NET_MAX_LOCATOR}, {ERG_MSG_HEADERS, ERG_NET_MAX_HEADERS},
        {ERG_MSG_BLOCK, ERG_BLOCK_MAX_TXS},
    };
    size_t i;
    for (i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
        erg_msg m;
        size_t len;
        sample_n(&m, maxes[i].t, maxes[i].n);
        len = roundtrip(&m);
        CHECK(len - ERG_NET_FRAME_HEADER <= erg_msg_max_payload(maxes[i].t));
        erg_msg_free(&m);
    }
}

static void test_counts_above_limits(void)
{
    static const struct { erg_msg_type t; uint64_t n; size_t entry; } over[] = {
        {ERG_MSG_ADDR, ERG_NET_MAX_ADDR + 1, 34},     {ERG_MSG_INV, ERG_NET_MAX_INV + 1, 36},
        {ERG_MSG_GETDATA, ERG_NET_MAX_INV + 1, 36},   {ERG_MSG_NOTFOUND, ERG_NET_MAX_INV + 1, 36},
        {ERG_MSG_GETHEADERS, ERG_NET_MAX_LOCATOR + 1, 32}, {ERG_MSG_HEADERS, ERG_NET_MAX_HEADERS + 1, 260},
    };
    size_t i;
    for (i = 0; i < sizeof over / sizeof over[0]; i++) {
        erg_buf p;
        erg_buf_init(&p);
        /* The count alone is refused before any entry is looked at... */
        erg_buf_put_compact(&p, over[i].n);
        expect_reject(over[i].t, &p, ERG_ERR_RANGE, "exceeds the limit");
        /* ...and a count that fits the limit but not the bytes is refused before allocating. */
        erg_buf_reset(&p);
        erg_buf_put_compact(&p, over[i].n - 1);
        erg_buf_put_raw(&p, "\0\0\0\0", over[i].entry < 4 ? over[i].entry : 4);
        expect_reject(over[i].t, &p, ERG_ERR_PARSE, "cannot fit");
        erg_buf_free(&p);
    }
}

static void test_inv_50001_refused(void)
{
    /* A real 50001-entry inv: past the frame limit, and past the count limit if decoded anyway. */
    erg_msg m;
    erg_buf p, f;
    erg_msg_frame fr;
    erg_err err;
    sample_n(&m, ERG_MSG_INV, ERG_NET_MAX_INV + 1);
    payload_of(&m, &p);
    CHECK(p.len == 3 + 50001u * 36);
    expect_reject(ERG_MSG_INV, &p, ERG_ERR_RANGE, "oversized: inv payload of 1800039 bytes exceeds 1800009");
    erg_buf_init(&f);
    erg_msg_encode(g_regtest_magic, &m, &f);
    CHECK(erg_msg_frame_parse(f.data, g_regtest_magic, &fr, &err) == ERG_ERR_RANGE);
    CHECK(strcmp(err.reason, "oversized: inv payload of 1800039 bytes exceeds 1800009") == 0);
    /* Cut short of the byte limit, the count check alone refuses it. */
    {
        erg_reader r;
        uint64_t n;
        erg_msg out;
        erg_reader_init(&r, p.data, p.len);
        CHECK(erg_read_compact(&r, &n, UINT64_MAX, "n", NULL) == ERG_OK && n == 50001);
        CHECK(erg_msg_decode(ERG_MSG_INV, p.data, 9, &out, &err) == ERG_ERR_RANGE);
        CHECK(strstr(err.reason, "inv.count: 50001 exceeds the limit 50000") != NULL);
    }
    erg_buf_free(&f);
    erg_buf_free(&p);
    erg_msg_free(&m);
}

static void test_block_limits(void)
{
    /* 4001 transactions: the block decoder's own count limit, passed through with its reason. */
    erg_msg m;
    erg_buf p;
    size_t i;
    sample_n(&m, ERG_MSG_BLOCK, ERG_BLOCK_MAX_TXS);
    payload_of(&m, &p);
    erg_msg_free(&m);
    /* Rewrite the count (fd a0 0f = 4000) to 4001 and append one more transaction. */
    CHECK(p.data[260] == 0xfd && p.data[261] == 0xa0 && p.data[262] == 0x0f);
    p.data[261] = 0xa1;
    for (i = 0; i < 154; i++) erg_buf_put_u8(&p, p.data[263 + i]);
    expect_reject(ERG_MSG_BLOCK, &p, ERG_ERR_RANGE, "block.ntx: 4001 exceeds the limit 4000");
    erg_buf_free(&p);
    /* Past the byte limit: refused on size alone. */
    erg_buf_init(&p);
    CHECK(erg_buf_extend(&p, ERG_BLOCK_MAX_SIZE + 1) != NULL);
    memset(p.data, 0, p.len);
    expect_reject(ERG_MSG_BLOCK, &p, ERG_ERR_RANGE, "oversized: block payload of 1000001 bytes exceeds 1000000");
    erg_buf_free(&p);
}

static void test_truncation_every_length(void)
{
    int t;
    for (t = 0; t < ERG_MSG_COUNT; t++) {
        erg_msg m, out;
        erg_buf p;
        size_t cut;
        sample(&m, (erg_msg_type)t);
        payload_of(&m, &p);
        for (cut = 0; cut < p.len; cut++) {
            erg_err err;
            erg_code rc = erg_msg_decode((erg_msg_type)t, p.data, cut, &out, &err);
            CHECK(rc != ERG_OK);
            if (rc == ERG_OK) {
                fprintf(stderr, "  %s accepted %zu of %zu bytes\n", erg_msg_command((erg_msg_type)t), cut, p.len);
                erg_msg_free(&out);
            } else {
                CHECK(err.reason[0] != '\0');
                /* Nothing to free after a failure: the lists are gone. */
                CHECK(out.type == (erg_msg_type)t);
                if (t == ERG_MSG_ADDR) CHECK(out.u.addr.items == NULL && out.u.addr.n == 0);
                if (t == ERG_MSG_HEADERS) CHECK(out.u.headers.items == NULL && out.u.headers.n == 0);
                if (t == ERG_MSG_BLOCK) CHECK(out.u.block.txs == NULL && out.u.block.ntx == 0);
            }
        }
        erg_buf_free(&p);
        erg_msg_free(&m);
    }
}

static void test_trailing_bytes(void)
{
    int t;
    for (t = 0; t < ERG_MSG_COUNT; t++) {
        erg_msg m;
        erg_buf p;
        sample(&m, (erg_msg_type)t);
        payload_of(&m, &p);
        erg_buf_put_u8(&p, 0);
        /* One byte more than a full version/reject/ping may also pass their size limit. */
        {
            erg_msg out;
            erg_err err;
            erg_code rc = erg_msg_decode((erg_msg_type)t, p.data, p.len, &out, &err);
            CHECK(rc == ERG_ERR_PARSE || rc == ERG_ERR_RANGE);
            CHECK(strstr(err.reason, "trailing") != NULL || strstr(err.reason, "oversized") != NULL);
        }
        erg_buf_free(&p);
        erg_msg_free(&m);
    }
}

static void test_noncanonical_compact(void)
{
    erg_buf p;
    erg_msg m;
    /* addr with one entry, its count written as fd 01 00. */
    erg_buf_init(&p);
    erg_buf_put_raw(&p, "\xfd\x01\x00", 3);
    CHECK(erg_buf_extend(&p, 34) != NULL);
    memset(p.data + 3, 1, 34);
    expect_reject(ERG_MSG_ADDR, &p, ERG_ERR_NONCANON, "addr.count: non-canonical");
    /* The same entry under a canonical count is fine. */
    {
        erg_buf q;
        erg_buf_init(&q);
        erg_buf_put_u8(&q, 1);
        erg_buf_put_raw(&q, p.data + 3, 34);
        expect_reject(ERG_MSG_ADDR, &q, ERG_OK, "");
        erg_buf_free(&q);
    }
    erg_buf_free(&p);
    /* A user agent length written as fd 03 00. */
    sample(&m, ERG_MSG_VERSION);
    strcpy(m.u.version.user_agent, "abc");
    payload_of(&m, &p);
    {
        erg_buf q;
        erg_buf_init(&q);
        erg_buf_put_raw(&q, p.data, p.len - 4);
        erg_buf_put_raw(&q, "\xfd\x03\x00" "abc", 6);
        expect_reject(ERG_MSG_VERSION, &q, ERG_ERR_NONCANON, "version.user_agent: non-canonical");
        erg_buf_free(&q);
    }
    erg_buf_free(&p);
    /* A getheaders count as fe 01 00 00 00. */
    erg_buf_init(&p);
    erg_buf_put_raw(&p, "\xfe\x01\x00\x00\x00", 5);
    CHECK(erg_buf_extend(&p, 64) != NULL);
    memset(p.data + 5, 2, 64);
    expect_reject(ERG_MSG_GETHEADERS, &p, ERG_ERR_NONCANON, "getheaders.count: non-canonical");
    erg_buf_free(&p);
}

static void test_getheaders_empty_locator(void)
{
    erg_buf p;
    erg_buf_init(&p);
    erg_buf_put_compact(&p, 0);
    CHECK(erg_buf_extend(&p, 32) != NULL);
    memset(p.data + 1, 0, 32);
    expect_reject(ERG_MSG_GETHEADERS, &p, ERG_ERR_RANGE, "getheaders.count: 0 entries, need at least 1");
    erg_buf_free(&p);
}

/* A version payload with the given user agent bytes and relay byte, encoded by hand. */
static void version_payload(erg_buf *p, const uint8_t *ua, size_t n, uint8_t relay)
{
    erg_msg m;
    erg_buf full;
    sample(&m, ERG_MSG_VERSION);
    m.u.version.user_agent[0] = '\0';
    payload_of(&m, &full);
    erg_buf_init(p);
    /* Everything before relay and the (empty, one byte) user agent. */
    erg_buf_put_raw(p, full.data, full.len - 2);
    erg_buf_put_u8(p, relay);
    erg_buf_put_bytes(p, ua, n);
    erg_buf_free(&full);
}

static void test_version_rejections(void)
{
    static const uint8_t bad[] = {0x00, 0x0a, 0x1f, 0x7f, 0x80, 0xff};
    uint8_t ua[ERG_NET_MAX_USER_AGENT + 1];
    erg_buf p;
    size_t i;
    memset(ua, 'x', sizeof ua);
    for (i = 0; i < sizeof bad; i++) {
        ua[3] = bad[i];
        version_payload(&p, ua, 5, 1);
        expect_reject(ERG_MSG_VERSION, &p, ERG_ERR_PARSE, "version.user_agent: byte 3 is 0x");
        erg_buf_free(&p);
    }
    ua[3] = ' ';
    /* Printable edges, the maximum length, and relay 0 are fine. */
    ua[0] = 0x20;
    ua[1] = 0x7e;
    version_payload(&p, ua, ERG_NET_MAX_USER_AGENT, 0);
    expect_reject(ERG_MSG_VERSION, &p, ERG_OK, "");
    erg_buf_free(&p);
    version_payload(&p, ua, ERG_NET_MAX_USER_AGENT + 1, 0);
    expect_reject(ERG_MSG_VERSION, &p, ERG_ERR_RANGE, "version.user_agent: 257 exceeds the limit 256");
    erg_buf_free(&p);
    version_payload(&p, ua, 4, 2);
    expect_reject(ERG_MSG_VERSION, &p, ERG_ERR_PARSE, "version.relay: 2 is not 0 or 1");
    erg_buf_free(&p);
    version_payload(&p, ua, 4, 0xff);
    expect_reject(ERG_MSG_VERSION, &p, ERG_ERR_PARSE, "version.relay: 255 is not 0 or 1");
    erg_buf_free(&p);
}

/* A reject payload with given command and reason bytes. */
static void reject_payload(erg_buf *p, const char *cmd, size_t cn, const char *reason, size_t rn)
{
    erg_buf_init(p);
    erg_buf_put_bytes(p, cmd, cn);
    erg_buf_put_u8(p, 0x10);
    erg_buf_put_bytes(p, reason, rn);
    CHECK(erg_buf_extend(p, 32) != NULL);
    memset(p->data + p->len - 32, 7, 32);
}

static void test_reject_rejections(void)
{
    char s[200];
    erg_buf p;
    memset(s, 'r', sizeof s);
    reject_payload(&p, s, 12, s, ERG_NET_MAX_REJECT_REASON);
    expect_reject(ERG_MSG_REJECT, &p, ERG_OK, "");
    CHECK(p.len == erg_msg_max_payload(ERG_MSG_REJECT)); /* the largest reject fills the limit exactly */
    erg_buf_free(&p);
    reject_payload(&p, s, 13, s, 5);
    expect_reject(ERG_MSG_REJECT, &p, ERG_ERR_RANGE, "reject.command: 13 exceeds the limit 12");
    erg_buf_free(&p);
    reject_payload(&p, s, 5, s, ERG_NET_MAX_REJECT_REASON + 1);
    expect_reject(ERG_MSG_REJECT, &p, ERG_ERR_RANGE, "reject.reason: 112 exceeds the limit 111");
    erg_buf_free(&p);
    s[2] = '\0';
    reject_payload(&p, s, 5, "ok", 2);
    expect_reject(ERG_MSG_REJECT, &p, ERG_ERR_PARSE, "reject.command: byte 2 is 0x00");
    erg_buf_free(&p);
    reject_payload(&p, "tx", 2, "bad\n", 4);
    expect_reject(ERG_MSG_REJECT, &p, ERG_ERR_PARSE, "reject.reason: byte 3 is 0x0a");
    erg_buf_free(&p);
}

static void test_chain_payload_errors(void)
{
    /* A tx with an unknown version, and a block whose transaction has one: chain reasons pass through. */
    erg_msg m;
    erg_buf p;
    sample(&m, ERG_MSG_TX);
    m.u.tx.version = 9;
    payload_of(&m, &p);
    expect_reject(ERG_MSG_TX, &p, ERG_ERR_PARSE, "bad-txns-version");
    erg_buf_free(&p);
    sample(&m, ERG_MSG_BLOCK);
    m.u.block.txs[1].version = 9;
    payload_of(&m, &p);
    expect_reject(ERG_MSG_BLOCK, &p, ERG_ERR_PARSE, "tx 1: bad-txns-version");
    erg_buf_free(&p);
    erg_msg_free(&m);
}

static void test_decode_bad_type(void)
{
    erg_msg m;
    erg_err err;
    CHECK(erg_msg_decode(ERG_MSG_COUNT, NULL, 0, &m, &err) == ERG_ERR_ARG);
    CHECK(strstr(err.reason, "message type") != NULL);
    CHECK(erg_msg_decode((erg_msg_type)-1, NULL, 0, &m, &err) == ERG_ERR_ARG);
    /* An empty payload for an empty message, with a NULL pointer, is fine. */
    CHECK(erg_msg_decode(ERG_MSG_VERACK, NULL, 0, &m, &err) == ERG_OK);
    CHECK(erg_msg_decode(ERG_MSG_VERACK, (const uint8_t *)"x", 1, &m, &err) == ERG_ERR_RANGE);
    CHECK(strcmp(err.reason, "oversized: verack payload of 1 bytes exceeds 0") == 0);
}

/* A 24-byte header with the given command bytes (12, copied as is) and length; checksum zero. */
static void make_hdr(uint8_t hdr[24], const char cmd[12], uint32_t length)
{
    memcpy(hdr, g_regtest_magic, 4);
    memcpy(hdr + 4, cmd, 12);
    erg_store_u32(hdr + 16, length);
    memset(hdr + 20, 0, 4);
}

static void expect_frame(const char cmd[12], uint32_t length, erg_code code, const char *reason, erg_msg_type t)
{
    uint8_t hdr[24];
    erg_msg_frame f;
    erg_err err;
    erg_code rc;
    make_hdr(hdr, cmd, length);
    memset(&f, 0x5a, sizeof f);
    rc = erg_msg_frame_parse(hdr, g_regtest_magic, &f, &err);
    CHECK(rc == code);
    if (rc != ERG_OK) {
        CHECK(strcmp(err.reason, reason) == 0);
        if (strcmp(err.reason, reason) != 0) fprintf(stderr, "  reason: %s\n", err.reason);
        CHECK(((const uint8_t *)&f)[0] == 0x5a); /* a refused frame leaves *f alone */
    } else {
        CHECK(f.type == t && f.length == length);
    }
}

static void test_frame_parse(void)
{
    uint8_t hdr[24];
    erg_msg_frame f;
    erg_err err;
    static const uint8_t mainnet[4] = {0xe7, 0x72, 0x67, 0x4d};
    /* Magic. */
    make_hdr(hdr, "ping\0\0\0\0\0\0\0\0", 8);
    CHECK(erg_msg_frame_parse(hdr, mainnet, &f, &err) == ERG_ERR_PARSE);
    CHECK(strcmp(err.reason, "bad-magic: e7726752, expected e772674d") == 0);
    /* Commands. */
    expect_frame("ping\0\0\0\0\0\0\0\0", 8, ERG_OK, NULL, ERG_MSG_PING);
    expect_frame("sendheaders\0", 0, ERG_OK, NULL, ERG_MSG_SENDHEADERS);
    expect_frame("abcdefghijkl", 5, ERG_OK, NULL, ERG_MSG_COUNT); /* 12 letters, no NUL: unknown but well-formed */
    expect_frame("pingx\0\0\0\0\0\0\0", 100, ERG_OK, NULL, ERG_MSG_COUNT);
    expect_frame("\0\0\0\0\0\0\0\0\0\0\0\0", 0, ERG_ERR_PARSE, "bad-command: byte 0 is 0x00, not a letter a-z",
                 ERG_MSG_COUNT);
    expect_frame("Ping\0\0\0\0\0\0\0\0", 8, ERG_ERR_PARSE, "bad-command: byte 0 is 0x50, not a letter a-z",
                 ERG_MSG_COUNT);
    expect_frame("pIng\0\0\0\0\0\0\0\0", 8, ERG_ERR_PARSE,
                 "bad-command: byte 1 is 0x49, expected a-z or NUL padding", ERG_MSG_COUNT);
    expect_frame("p1ng\0\0\0\0\0\0\0\0", 8, ERG_ERR_PARSE,
                 "bad-command: byte 1 is 0x31, expected a-z or NUL padding", ERG_MSG_COUNT);
    expect_frame("ping\0\0\0\0\0\0\0x", 8, ERG_ERR_PARSE,
                 "bad-command: byte 11 is 0x78, expected a-z or NUL padding", ERG_MSG_COUNT);
    expect_frame("ping\0pong\0\0\0", 8, ERG_ERR_PARSE,
                 "bad-command: byte 5 is 0x70, expected a-z or NUL padding", ERG_MSG_COUNT);
    expect_frame("ping \0\0\0\0\0\0\0", 8, ERG_ERR_PARSE,
                 "bad-command: byte 4 is 0x20, expected a-z or NUL padding", ERG_MSG_COUNT);
    expect_frame("`ing\0\0\0\0\0\0\0\0", 8, ERG_ERR_PARSE, "bad-command: byte 0 is 0x60, not a letter a-z",
                 ERG_MSG_COUNT);
    expect_frame("pin{\0\0\0\0\0\0\0\0", 8, ERG_ERR_PARSE,
                 "bad-command: byte 3 is 0x7b, expected a-z or NUL padding", ERG_MSG_COUNT);
    /* Lengths: each command's own limit, and the frame limit for unknown ones. */
    expect_frame("ping\0\0\0\0\0\0\0\0", 9, ERG_ERR_RANGE, "oversized: ping payload of 9 bytes exceeds 8",
                 ERG_MSG_COUNT);
    expect_frame("verack\0\0\0\0\0\0", 1, ERG_ERR_RANGE, "oversized: verack payload of 1 bytes exceeds 0",
                 ERG_MSG_COUNT);
    expect_frame("block\0\0\0\0\0\0\0", ERG_BLOCK_MAX_SIZE, ERG_OK, NULL, ERG_MSG_BLOCK);
    expect_frame("block\0\0\0\0\0\0\0", ERG_BLOCK_MAX_SIZE + 1, ERG_ERR_RANGE,
                 "oversized: block payload of 1000001 bytes exceeds 1000000", ERG_MSG_COUNT);
    expect_frame("future\0\0\0\0\0\0", ERG_NET_MAX_FRAME, ERG_OK, NULL, ERG_MSG_COUNT);
    expect_frame("future\0\0\0\0\0\0", ERG_NET_MAX_FRAME + 1, ERG_ERR_RANGE,
                 "oversized: future payload of 4194305 bytes exceeds 4194304", ERG_MSG_COUNT);
    expect_frame("future\0\0\0\0\0\0", UINT32_MAX, ERG_ERR_RANGE,
                 "oversized: future payload of 4294967295 bytes exceeds 4194304", ERG_MSG_COUNT);
}

static void test_frame_check(void)
{
    erg_msg m;
    erg_buf f;
    erg_msg_frame fr;
    erg_err err;
    sample(&m, ERG_MSG_PONG);
    erg_buf_init(&f);
    erg_msg_encode(g_regtest_magic, &m, &f);
    CHECK(erg_msg_frame_parse(f.data, g_regtest_magic, &fr, &err) == ERG_OK);
    CHECK(erg_msg_frame_check(&fr, f.data + 24, 8, &err) == ERG_OK);
    CHECK(erg_msg_frame_check(&fr, f.data + 24, 7, &err) == ERG_ERR_ARG);
    CHECK(strcmp(err.reason, "pong: payload of 7 bytes, the frame says 8") == 0);
    f.data[30] ^= 1;
    CHECK(erg_msg_frame_check(&fr, f.data + 24, 8, &err) == ERG_ERR_CHECKSUM);
    CHECK(strncmp(err.reason, "bad-checksum: pong payload hashes to ", 37) == 0);
    erg_buf_free(&f);
}

static void test_header_bit_flips(void)
{
    /* Every single-bit flip of a ping frame's header is caught: bad magic or command, another
     * command, a length the payload does not have, or a checksum that does not match. */
    erg_msg m;
    erg_buf f;
    size_t bit;
    sample(&m, ERG_MSG_PING);
    erg_buf_init(&f);
    erg_msg_encode(g_regtest_magic, &m, &f);
    for (bit = 0; bit < ERG_NET_FRAME_HEADER * 8; bit++) {
        uint8_t hdr[24];
        erg_msg_frame fr;
        erg_err err;
        erg_code rc;
        size_t byte = bit / 8;
        memcpy(hdr, f.data, 24);
        hdr[byte] ^= (uint8_t)(1u << (bit % 8));
        rc = erg_msg_frame_parse(hdr, g_regtest_magic, &fr, &err);
        if (byte < 4) {
            CHECK(rc == ERG_ERR_PARSE && strncmp(err.reason, "bad-magic", 9) == 0);
        } else if (byte < 16) {
            /* A flipped letter may still spell a (different) command; anything else is bad. */
            CHECK((rc == ERG_ERR_PARSE && strncmp(err.reason, "bad-command", 11) == 0) ||
                  (rc == ERG_OK && strcmp(fr.command, "ping") != 0 && fr.type != ERG_MSG_PING));
        } else if (byte < 20) {
            CHECK(rc != ERG_OK || erg_msg_frame_check(&fr, f.data + 24, 8, NULL) != ERG_OK);
        } else {
            CHECK(rc == ERG_OK);
            CHECK(erg_msg_frame_check(&fr, f.data + 24, 8, &err) == ERG_ERR_CHECKSUM);
            CHECK(strncmp(err.reason, "bad-checksum", 12) == 0);
        }
    }
    erg_buf_free(&f);
}

static void test_encode_failed_buffer(void)
{
    /* A buffer with too small a limit fails cleanly; the caller sees it in the status. */
    erg_msg m;
    erg_buf f;
    sample(&m, ERG_MSG_VERSION);
    erg_buf_init(&f);
    erg_buf_set_limit(&f, 30);
    erg_msg_encode(g_regtest_magic, &m, &f);
    CHECK(erg_buf_status(&f, NULL) != ERG_OK);
    erg_buf_free(&f);
    /* Encoding a type without a codec writes nothing. */
    erg_buf_init(&f);
    erg_msg_init(&m, ERG_MSG_COUNT);
    erg_msg_encode(g_regtest_magic, &m, &f);
    CHECK(f.len == 0 && erg_buf_status(&f, NULL) == ERG_OK);
    erg_buf_free(&f);
}

ERG_TESTS("netmsg", T(test_table), T(test_ping_known_answer), T(test_roundtrip_every_type),
          T(test_empty_payload_sizes), T(test_maximum_counts), T(test_counts_above_limits),
          T(test_inv_50001_refused), T(test_block_limits), T(test_truncation_every_length), T(test_trailing_bytes),
          T(test_noncanonical_compact), T(test_getheaders_empty_locator), T(test_version_rejections),
          T(test_reject_rejections), T(test_chain_payload_errors), T(test_decode_bad_type), T(test_frame_parse),
          T(test_frame_check), T(test_header_bit_flips), T(test_encode_failed_buffer))
