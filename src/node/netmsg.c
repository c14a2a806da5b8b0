/* P2P wire messages: one table row per type (command, size limit, codec), frame parsing and checking. */
#include "src/node/netmsg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/sha256.h"
#include "src/util/serialize.h"

/* Fixed sizes of the repeated entries, for the payload limits and the "can the count fit" checks. */
#define ADDR_ENTRY (8 + 8 + 16 + 2)
#define INV_ENTRY (4 + 32)
#define COMPACT_MAX 9 /* the longest compact size */

typedef void (*msg_encode_fn)(const erg_msg *m, erg_buf *out);
/* Reads the payload's fields from r; the caller checks that nothing is left over. Whatever it
 * allocated is reachable from m (counts kept in step), so erg_msg_free cleans up after a failure. */
typedef erg_code (*msg_decode_fn)(erg_reader *r, erg_msg *m, erg_err *err);

typedef struct msg_row {
    const char *command;
    uint32_t max_payload; /* bytes; a frame announcing more is refused before its payload is read */
    msg_encode_fn encode;
    msg_decode_fn decode;
} msg_row;

/* ---- shared pieces ---- */

static void enc_string(erg_buf *out, const char *s, size_t max)
{
    erg_buf_put_bytes(out, s, strnlen(s, max));
}

/* A compact-length string of printable ASCII into a NUL-terminated field of max + 1 bytes.
 * Anything else (an embedded NUL above all) could not be re-encoded to the same bytes. */
static erg_code dec_string(erg_reader *r, char *out, size_t max, const char *what, erg_err *err)
{
    const uint8_t *p;
    size_t n, i;
    erg_code rc = erg_read_bytes(r, &p, &n, max, what, err);
    if (rc) return rc;
    for (i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return erg_err_set(err, ERG_ERR_PARSE, "%s: byte %zu is 0x%02x, not printable ASCII", what, i, p[i]);
    memcpy(out, p, n);
    out[n] = '\0';
    return ERG_OK;
}

/* A compact count of fixed-size entries (at least min, at most max), refused before anything is
 * allocated when the remaining bytes cannot hold it. */
static erg_code dec_count(erg_reader *r, size_t min, size_t max, size_t entry, size_t *n, const char *what,
                          erg_err *err)
{
    uint64_t v;
    erg_code rc = erg_read_compact(r, &v, max, what, err);
    if (rc) return rc;
    if (v < min) return erg_err_set(err, ERG_ERR_RANGE, "%s: %llu entries, need at least %zu", what,
                                    (unsigned long long)v, min);
    if (v > erg_reader_left(r) / entry)
        return erg_err_set(err, ERG_ERR_PARSE, "%s: %llu entries of %zu bytes cannot fit in %zu bytes", what,
                           (unsigned long long)v, entry, erg_reader_left(r));
    *n = (size_t)v;
    return ERG_OK;
}

/* calloc that treats n == 0 as "no array" so an empty list never depends on calloc(0). */
static erg_code alloc_array(void **p, size_t n, size_t size, const char *what, erg_err *err)
{
    *p = NULL;
    if (n == 0) return ERG_OK;
    *p = calloc(n, size);
    if (!*p) return erg_err_set(err, ERG_ERR_NOMEM, "%s: out of memory for %zu entries", what, n);
    return ERG_OK;
}

/* ---- per-type codecs ---- */

static void enc_empty(const erg_msg *m, erg_buf *out)
{
    (void)m;
    (void)out;
}

static erg_code dec_empty(erg_reader *r, erg_msg *m, erg_err *err)
{
    (void)r;
    (void)m;
    (void)err;
    return ERG_OK;
}

static void enc_version(const erg_msg *m, erg_buf *out)
{
    const erg_msg_version *v = &m->u.version;
    erg_buf_put_u32(out, v->version);
    erg_buf_put_u64(out, v->services);
    erg_buf_put_u64(out, v->time);
    erg_buf_put_u64(out, v->nonce);
    erg_buf_put_raw(out, v->genesis, 32);
    erg_buf_put_u32(out, v->best_height);
    erg_buf_put_u16(out, v->port);
    erg_buf_put_u8(out, v->relay);
    enc_string(out, v->user_agent, ERG_NET_MAX_USER_AGENT);
}

static erg_code dec_version(erg_reader *r, erg_msg *m, erg_err *err)
{
    erg_msg_version *v = &m->u.version;
    erg_code rc;
    if ((rc = erg_read_u32(r, &v->version, "version.version", err))) return rc;
    if ((rc = erg_read_u64(r, &v->services, "version.services", err))) return rc;
    if ((rc = erg_read_u64(r, &v->time, "version.time", err))) return rc;
    if ((rc = erg_read_u64(r, &v->nonce, "version.nonce", err))) return rc;
    if ((rc = erg_read_raw(r, v->genesis, 32, "version.genesis", err))) return rc;
    if ((rc = erg_read_u32(r, &v->best_height, "version.best_height", err))) return rc;
    if ((rc = erg_read_u16(r, &v->port, "version.port", err))) return rc;
    if ((rc = erg_read_u8(r, &v->relay, "version.relay", err))) return rc;
    if (v->relay > 1) return erg_err_set(err, ERG_ERR_PARSE, "version.relay: %u is not 0 or 1", v->relay);
    return dec_string(r, v->user_agent, ERG_NET_MAX_USER_AGENT, "version.user_agent", err);
}

static void enc_nonce(const erg_msg *m, erg_buf *out)
{
    erg_buf_put_u64(out, m->u.nonce);
}

static erg_code dec_nonce(erg_reader *r, erg_msg *m, erg_err *err)
{
    return erg_read_u64(r, &m->u.nonce, m->type == ERG_MSG_PING ? "ping.nonce" : "pong.nonce", err);
}

static void enc_addr(const erg_msg *m, erg_buf *out)
{
    size_t i;
    erg_buf_put_compact(out, m->u.addr.n);
    for (i = 0; i < m->u.addr.n; i++) {
        const erg_netaddr *a = &m->u.addr.items[i];
        erg_buf_put_u64(out, a->time);
        erg_buf_put_u64(out, a->services);
        erg_buf_put_raw(out, a->ip, 16);
        erg_buf_put_u16(out, a->port);
    }
}

static erg_code dec_addr(erg_reader *r, erg_msg *m, erg_err *err)
{
    size_t n, i;
    erg_code rc;
    if ((rc = dec_count(r, 0, ERG_NET_MAX_ADDR, ADDR_ENTRY, &n, "addr.count", err))) return rc;
    if ((rc = alloc_array((void **)&m->u.addr.items, n, sizeof *m->u.addr.items, "addr", err))) return rc;
    m->u.addr.n = n;
    for (i = 0; i < n; i++) {
        erg_netaddr *a = &m->u.addr.items[i];
        if ((rc = erg_read_u64(r, &a->time, "addr.time", err))) return rc;
        if ((rc = erg_read_u64(r, &a->services, "addr.services", err))) return rc;
        if ((rc = erg_read_raw(r, a->ip, 16, "addr.ip", err))) return rc;
        if ((rc = erg_read_u16(r, &a->port, "addr.port", err))) return rc;
    }
    return ERG_OK;
}

static void enc_inv(const erg_msg *m, erg_buf *out)
{
    size_t i;
    erg_buf_put_compact(out, m->u.inv.n);
    for (i = 0; i < m->u.inv.n; i++) {
        erg_buf_put_u32(out, m->u.inv.items[i].type);
        erg_buf_put_raw(out, m->u.inv.items[i].hash, 32);
    }
}

static erg_code dec_inv(erg_reader *r, erg_msg *m, erg_err *err)
{
    size_t n, i;
    erg_code rc;
    /* inv, getdata and notfound share this layout; the reasons name the one at hand. */
    const char *cmd = erg_msg_command(m->type);
    char what[32];
    snprintf(what, sizeof what, "%s.count", cmd);
    if ((rc = dec_count(r, 0, ERG_NET_MAX_INV, INV_ENTRY, &n, what, err))) return rc;
    if ((rc = alloc_array((void **)&m->u.inv.items, n, sizeof *m->u.inv.items, cmd, err))) return rc;
    m->u.inv.n = n;
    snprintf(what, sizeof what, "%s.entry", cmd);
    for (i = 0; i < n; i++) {
        if ((rc = erg_read_u32(r, &m->u.inv.items[i].type, what, err))) return rc;
        if ((rc = erg_read_raw(r, m->u.inv.items[i].hash, 32, what, err))) return rc;
    }
    return ERG_OK;
}

static void enc_getheaders(const erg_msg *m, erg_buf *out)
{
    size_t i;
    erg_buf_put_compact(out, m->u.getheaders.n);
    for (i = 0; i < m->u.getheaders.n; i++) erg_buf_put_raw(out, m->u.getheaders.locator[i], 32);
    erg_buf_put_raw(out, m->u.getheaders.stop, 32);
}

static erg_code dec_getheaders(erg_reader *r, erg_msg *m, erg_err *err)
{
    size_t n, i;
    erg_code rc;
    /* An empty locator names no fork point to answer from. */
    if ((rc = dec_count(r, 1, ERG_NET_MAX_LOCATOR, 32, &n, "getheaders.count", err))) return rc;
    if ((rc = alloc_array((void **)&m->u.getheaders.locator, n, 32, "getheaders", err))) return rc;
    m->u.getheaders.n = n;
    for (i = 0; i < n; i++)
        if ((rc = erg_read_raw(r, m->u.getheaders.locator[i], 32, "getheaders.locator", err))) return rc;
    return erg_read_raw(r, m->u.getheaders.stop, 32, "getheaders.stop", err);
}

static void enc_headers(const erg_msg *m, erg_buf *out)
{
    size_t i;
    erg_buf_put_compact(out, m->u.headers.n);
    for (i = 0; i < m->u.headers.n; i++) erg_header_serialize(&m->u.headers.items[i], out);
}

static erg_code dec_headers(erg_reader *r, erg_msg *m, erg_err *err)
{
    size_t n, i;
    erg_code rc;
    if ((rc = dec_count(r, 0, ERG_NET_MAX_HEADERS, ERG_HEADER_SIZE, &n, "headers.count", err))) return rc;
    if ((rc = alloc_array((void **)&m->u.headers.items, n, sizeof *m->u.headers.items, "headers", err)))
        return rc;
    m->u.headers.n = n;
    for (i = 0; i < n; i++)
        if ((rc = erg_header_parse(r, &m->u.headers.items[i], err))) {
            erg_err_prefix(err, "headers %zu: ", i);
            return rc;
        }
    return ERG_OK;
}

/* Block and tx decoders take the rest of the payload whole: their chain decoders already insist
 * on exact consumption and enforce the size limits. */
static void enc_block(const erg_msg *m, erg_buf *out)
{
    erg_block_serialize(&m->u.block, out);
}

static erg_code dec_block(erg_reader *r, erg_msg *m, erg_err *err)
{
    erg_code rc = erg_block_decode(r->data + r->pos, erg_reader_left(r), &m->u.block, err);
    if (rc) return rc;
    r->pos = r->len;
    return ERG_OK;
}

static void enc_tx(const erg_msg *m, erg_buf *out)
{
    erg_tx_serialize(&m->u.tx, out);
}

static erg_code dec_tx(erg_reader *r, erg_msg *m, erg_err *err)
{
    erg_code rc = erg_tx_decode(r->data + r->pos, erg_reader_left(r), &m->u.tx, err);
    if (rc) return rc;
    r->pos = r->len;
    return ERG_OK;
}

static void enc_reject(const erg_msg *m, erg_buf *out)
{
    const erg_msg_reject *j = &m->u.reject;
    enc_string(out, j->command, ERG_NET_COMMAND_SIZE);
    erg_buf_put_u8(out, j->code);
    enc_string(out, j->reason, ERG_NET_MAX_REJECT_REASON);
    erg_buf_put_raw(out, j->hash, 32);
}

static erg_code dec_reject(erg_reader *r, erg_msg *m, erg_err *err)
{
    erg_msg_reject *j = &m->u.reject;
    erg_code rc;
    if ((rc = dec_string(r, j->command, ERG_NET_COMMAND_SIZE, "reject.command", err))) return rc;
    if ((rc = erg_read_u8(r, &j->code, "reject.code", err))) return rc;
    if ((rc = dec_string(r, j->reason, ERG_NET_MAX_REJECT_REASON, "reject.reason", err))) return rc;
    return erg_read_raw(r, j->hash, 32, "reject.hash", err);
}

/* ---- the table ---- */

#define EMPTY_ROW(cmd) {cmd, 0, enc_empty, dec_empty}
static const msg_row g_rows[ERG_MSG_COUNT] = {
    [ERG_MSG_VERSION] = {"version", 1024, enc_version, dec_version},
    [ERG_MSG_VERACK] = EMPTY_ROW("verack"),
    [ERG_MSG_PING] = {"ping", 8, enc_nonce, dec_nonce},
    [ERG_MSG_PONG] = {"pong", 8, enc_nonce, dec_nonce},
    [ERG_MSG_GETADDR] = EMPTY_ROW("getaddr"),
    [ERG_MSG_ADDR] = {"addr", COMPACT_MAX + ERG_NET_MAX_ADDR * ADDR_ENTRY, enc_addr, dec_addr},
    [ERG_MSG_INV] = {"inv", COMPACT_MAX + ERG_NET_MAX_INV * INV_ENTRY, enc_inv, dec_inv},
    [ERG_MSG_GETDATA] = {"getdata", COMPACT_MAX + ERG_NET_MAX_INV * INV_ENTRY, enc_inv, dec_inv},
    [ERG_MSG_NOTFOUND] = {"notfound", COMPACT_MAX + ERG_NET_MAX_INV * INV_ENTRY, enc_inv, dec_inv},
    [ERG_MSG_GETHEADERS] = {"getheaders", COMPACT_MAX + ERG_NET_MAX_LOCATOR * 32 + 32, enc_getheaders,
                            dec_getheaders},
    [ERG_MSG_HEADERS] = {"headers", COMPACT_MAX + ERG_NET_MAX_HEADERS * ERG_HEADER_SIZE, enc_headers,
                         dec_headers},
    [ERG_MSG_BLOCK] = {"block", ERG_BLOCK_MAX_SIZE, enc_block, dec_block},
    [ERG_MSG_TX] = {"tx", ERG_TX_MAX_SIZE, enc_tx, dec_tx},
    [ERG_MSG_MEMPOOL] = EMPTY_ROW("mempool"),
    [ERG_MSG_SENDHEADERS] = EMPTY_ROW("sendheaders"),
    /* Both strings are below 0xfd bytes, so their lengths take one byte each. */
    [ERG_MSG_REJECT] = {"reject", 1 + ERG_NET_COMMAND_SIZE + 1 + 1 + ERG_NET_MAX_REJECT_REASON + 32, enc_reject,
                        dec_reject},
};

static const msg_row *row_of(erg_msg_type t)
{
    return (unsigned)t < ERG_MSG_COUNT ? &g_rows[t] : NULL;
}

/* "" (not NULL) for ERG_MSG_COUNT and out-of-range values, so a caller may print it as is. */
const char *erg_msg_command(erg_msg_type t)
{
    const msg_row *row = row_of(t);
    return row ? row->command : "";
}

/* Unknown commands (ERG_MSG_COUNT) are bounded by the frame limit. */
uint32_t erg_msg_max_payload(erg_msg_type t)
{
    const msg_row *row = row_of(t);
    return row ? row->max_payload : ERG_NET_MAX_FRAME;
}

/* ---- frames ---- */

erg_code erg_msg_frame_parse(const uint8_t hdr[ERG_NET_FRAME_HEADER], const uint8_t magic[4], erg_msg_frame *f,
                             erg_err *err)
{
    erg_msg_frame tmp;
    const uint8_t *cmd = hdr + 4;
    size_t i, letters = 0;
    uint32_t max;
    int t;
    if (memcmp(hdr, magic, 4) != 0)
        return erg_err_set(err, ERG_ERR_PARSE, "bad-magic: %02x%02x%02x%02x, expected %02x%02x%02x%02x", hdr[0],
                           hdr[1], hdr[2], hdr[3], magic[0], magic[1], magic[2], magic[3]);
    while (letters < ERG_NET_COMMAND_SIZE && cmd[letters] >= 'a' && cmd[letters] <= 'z') letters++;
    if (letters == 0)
        return erg_err_set(err, ERG_ERR_PARSE, "bad-command: byte 0 is 0x%02x, not a letter a-z", cmd[0]);
    for (i = letters; i < ERG_NET_COMMAND_SIZE; i++)
        if (cmd[i] != 0)
            return erg_err_set(err, ERG_ERR_PARSE, "bad-command: byte %zu is 0x%02x, expected a-z or NUL padding", i,
                               cmd[i]);
    memset(&tmp, 0, sizeof tmp);
    memcpy(tmp.command, cmd, letters);
    tmp.type = ERG_MSG_COUNT;
    for (t = 0; t < ERG_MSG_COUNT; t++)
        if (strcmp(tmp.command, g_rows[t].command) == 0) tmp.type = (erg_msg_type)t;
    tmp.length = erg_load_u32(hdr + 16);
    max = erg_msg_max_payload(tmp.type);
    if (tmp.length > max)
        return erg_err_set(err, ERG_ERR_RANGE, "oversized: %s payload of %u bytes exceeds %u", tmp.command,
                           tmp.length, max);
    memcpy(tmp.checksum, hdr + 20, 4);
    *f = tmp;
    return ERG_OK;
}

erg_code erg_msg_frame_check(const erg_msg_frame *f, const uint8_t *payload, size_t len, erg_err *err)
{
    uint8_t h[32];
    if (len != f->length)
        return erg_err_set(err, ERG_ERR_ARG, "%s: payload of %zu bytes, the frame says %u", f->command, len,
                           f->length);
    erg_sha256d(payload, len, h);
    if (memcmp(h, f->checksum, 4) != 0)
        return erg_err_set(err, ERG_ERR_CHECKSUM,
                           "bad-checksum: %s payload hashes to %02x%02x%02x%02x, the frame says %02x%02x%02x%02x",
                           f->command, h[0], h[1], h[2], h[3], f->checksum[0], f->checksum[1], f->checksum[2],
                           f->checksum[3]);
    return ERG_OK;
}

/* ---- messages ---- */

void erg_msg_init(erg_msg *m, erg_msg_type t)
{
    memset(m, 0, sizeof *m);
    m->type = t;
}

void erg_msg_free(erg_msg *m)
{
    switch (m->type) {
    case ERG_MSG_ADDR: free(m->u.addr.items); break;
    case ERG_MSG_INV:
    case ERG_MSG_GETDATA:
    case ERG_MSG_NOTFOUND: free(m->u.inv.items); break;
    case ERG_MSG_GETHEADERS: free(m->u.getheaders.locator); break;
    case ERG_MSG_HEADERS: free(m->u.headers.items); break;
    case ERG_MSG_BLOCK: erg_block_free(&m->u.block); break;
    default: break;
    }
    erg_msg_init(m, m->type);
}

erg_code erg_msg_decode(erg_msg_type t, const uint8_t *payload, size_t len, erg_msg *m, erg_err *err)
{
    const msg_row *row = row_of(t);
    erg_reader r;
    erg_code rc;
    erg_msg_init(m, t);
    if (!row) return erg_err_set(err, ERG_ERR_ARG, "msg: no payload codec for message type %d", (int)t);
    if (len > row->max_payload)
        return erg_err_set(err, ERG_ERR_RANGE, "oversized: %s payload of %zu bytes exceeds %u", row->command, len,
                           row->max_payload);
    erg_reader_init(&r, payload, len);
    rc = row->decode(&r, m, err);
    if (rc == ERG_OK) rc = erg_reader_expect_end(&r, row->command, err);
    if (rc) erg_msg_free(m);
    return rc;
}

void erg_msg_encode(const uint8_t magic[4], const erg_msg *m, erg_buf *out)
{
    const msg_row *row = row_of(m->type);
    size_t start = out->len, cmdlen;
    uint8_t *hdr, sum[32];
    if (!row) return; /* nothing to send for a type without a codec */
    if (!erg_buf_extend(out, ERG_NET_FRAME_HEADER)) return;
    row->encode(m, out);
    if (out->failed) return; /* the caller sees it in erg_buf_status */
    /* The payload may have moved the storage: locate the header only now. */
    hdr = out->data + start;
    erg_sha256d(hdr + ERG_NET_FRAME_HEADER, out->len - start - ERG_NET_FRAME_HEADER, sum);
    memcpy(hdr, magic, 4);
    memset(hdr + 4, 0, ERG_NET_COMMAND_SIZE);
    cmdlen = strlen(row->command);
    memcpy(hdr + 4, row->command, cmdlen);
    erg_store_u32(hdr + 16, (uint32_t)(out->len - start - ERG_NET_FRAME_HEADER));
    memcpy(hdr + 20, sum, 4);
}
