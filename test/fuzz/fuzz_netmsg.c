/* libFuzzer target: byte 0 picks a P2P message type, the rest is its payload; decoded messages re-encode to the same frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/sha256.h"
#include "src/node/netmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t g_magic[4] = {0xe7, 0x72, 0x67, 0x52};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_netmsg: %s\n", what);
    abort();
}

static void check_reason(erg_code rc, const erg_err *err)
{
    if (err->code != rc || err->reason[0] == '\0') fail("a rejection without its reason");
}

/* Any 24 bytes as a frame header (under their own magic, so the command and length rules are
 * reached): what parses must satisfy the documented limits. */
static void fuzz_raw_header(const uint8_t *hdr)
{
    erg_msg_frame f;
    erg_err err;
    erg_code rc = erg_msg_frame_parse(hdr, hdr, &f, &err);
    if (rc != ERG_OK) {
        check_reason(rc, &err);
        return;
    }
    if (f.command[0] == '\0' || f.length > erg_msg_max_payload(f.type)) fail("frame outside its limits");
    if (f.type != ERG_MSG_COUNT && strcmp(f.command, erg_msg_command(f.type)) != 0) fail("frame type mismatch");
    if (f.length > ERG_NET_MAX_FRAME) fail("frame past the frame limit");
}

/* The frame header a peer would send ahead of this payload under t's command. */
static void make_header(erg_msg_type t, const uint8_t *payload, size_t len, uint8_t hdr[ERG_NET_FRAME_HEADER])
{
    const char *cmd = erg_msg_command(t);
    uint8_t sum[32];
    memcpy(hdr, g_magic, 4);
    memset(hdr + 4, 0, ERG_NET_COMMAND_SIZE);
    memcpy(hdr + 4, cmd, strlen(cmd));
    erg_store_u32(hdr + 16, (uint32_t)len);
    erg_sha256d(payload, len, sum);
    memcpy(hdr + 20, sum, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t hdr[ERG_NET_FRAME_HEADER];
    const uint8_t *payload;
    erg_msg_frame f;
    erg_msg m, again;
    erg_err err;
    erg_buf b, b2;
    erg_msg_type t;
    erg_code rc;
    size_t len;
    if (size >= 1 + ERG_NET_FRAME_HEADER) fuzz_raw_header(data + 1);
    if (size < 1) return 0;
    t = (erg_msg_type)(data[0] % ERG_MSG_COUNT);
    payload = data + 1;
    len = size - 1;

    make_header(t, payload, len, hdr);
    rc = erg_msg_frame_parse(hdr, g_magic, &f, &err);
    if (rc != ERG_OK) {
        check_reason(rc, &err);
        if (len <= erg_msg_max_payload(t)) fail("a well-formed frame refused");
        return 0;
    }
    if (f.type != t || f.length != len) fail("frame parse changed type or length");
    if (erg_msg_frame_check(&f, payload, len, &err) != ERG_OK) fail("own checksum refused");
    rc = erg_msg_decode(t, payload, len, &m, &err);
    if (rc != ERG_OK) {
        check_reason(rc, &err);
        return 0;
    }

    /* Canonical encoding: the frame rebuilt from the message is exactly the one received. */
    erg_buf_init(&b);
    erg_msg_encode(g_magic, &m, &b);
    if (erg_buf_status(&b, NULL) != ERG_OK) fail("encode failed");
    if (b.len != ERG_NET_FRAME_HEADER + len || memcmp(b.data, hdr, ERG_NET_FRAME_HEADER) != 0 ||
        memcmp(b.data + ERG_NET_FRAME_HEADER, payload, len) != 0)
        fail("re-encoding differs from the input");
    /* And decode(encode(x)) encodes identically once more. */
    if (erg_msg_decode(t, b.data + ERG_NET_FRAME_HEADER, len, &again, &err) != ERG_OK) fail("own encoding refused");
    erg_buf_init(&b2);
    erg_msg_encode(g_magic, &again, &b2);
    if (b2.len != b.len || memcmp(b2.data, b.data, b.len) != 0) fail("second re-encoding differs");
    erg_buf_free(&b2);
    erg_buf_free(&b);
    erg_msg_free(&again);
    erg_msg_free(&m);
    return 0;
}
