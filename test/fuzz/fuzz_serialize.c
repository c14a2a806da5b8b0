/* libFuzzer target: drive erg_reader over arbitrary bytes; canonical values must re-encode to the bytes read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/buffer.h"
#include "src/util/serialize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_serialize: property violated: %s\n", what);
    abort();
}

/* The bytes [start, r->pos) must be exactly what the writer produces for the value read. */
static void check_reencodes(const erg_buf *b, const erg_reader *r, size_t start)
{
    if (erg_buf_status(b, NULL) != ERG_OK) fail("buffer failed");
    if (b->len != r->pos - start || (b->len && memcmp(b->data, r->data + start, b->len) != 0)) fail("re-encoding differs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Limits a caller might pass, from tight to unbounded, chosen by the input. */
    static const uint64_t limits[] = {0, 1, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffffu, UINT64_MAX};
    erg_reader r;
    erg_buf b;
    int steps = 0;
    if (size == 0) return 0;
    /* The first byte seeds the op sequence; the rest is the data read (so ops and data stay independent). */
    erg_reader_init(&r, data + 1, size - 1);
    erg_buf_init(&b);
    while (erg_reader_left(&r) > 0 && steps++ < 256) {
        size_t start = r.pos;
        uint8_t op = (uint8_t)(data[0] + steps * 7);
        erg_err err;
        erg_code rc;
        erg_err_clear(&err);
        erg_buf_reset(&b);
        switch (op % 9) {
        case 0: {
            uint8_t v;
            if ((rc = erg_read_u8(&r, &v, "u8", &err)) == ERG_OK) erg_buf_put_u8(&b, v);
            break;
        }
        case 1: {
            uint16_t v;
            if ((rc = erg_read_u16(&r, &v, "u16", &err)) == ERG_OK) erg_buf_put_u16(&b, v);
            break;
        }
        case 2: {
            uint32_t v;
            if ((rc = erg_read_u32(&r, &v, "u32", &err)) == ERG_OK) erg_buf_put_u32(&b, v);
            break;
        }
        case 3: {
            uint64_t v;
            if ((rc = erg_read_u64(&r, &v, "u64", &err)) == ERG_OK) erg_buf_put_u64(&b, v);
            break;
        }
        case 4: {
            int64_t v;
            if ((rc = erg_read_i64(&r, &v, "i64", &err)) == ERG_OK) erg_buf_put_i64(&b, v);
            break;
        }
        case 5: {
            uint64_t v, max = limits[(op >> 4) % 8];
            if ((rc = erg_read_compact(&r, &v, max, "compact", &err)) == ERG_OK) {
                if (v > max) fail("compact above its limit");
                erg_buf_put_compact(&b, v);
            }
            break;
        }
        case 6: {
            const uint8_t *p = NULL;
            size_t n = 0, max = (size_t)limits[(op >> 4) % 8];
            if ((rc = erg_read_bytes(&r, &p, &n, max, "bytes", &err)) == ERG_OK) {
                if (n > max || p < r.data || p + n > r.data + r.len) fail("bytes view out of range");
                erg_buf_put_bytes(&b, p, n);
            }
            break;
        }
        case 7: {
            const uint8_t *p = NULL;
            size_t n = (size_t)(op >> 3);
            if ((rc = erg_read_view(&r, &p, n, "view", &err)) == ERG_OK) erg_buf_put_raw(&b, p, n);
            break;
        }
        default:
            rc = erg_reader_expect_end(&r, "end", &err);
            if ((rc == ERG_OK) != (erg_reader_left(&r) == 0)) fail("expect_end disagrees with left");
            continue;
        }
        if (r.pos > r.len) fail("pos past the end");
        if (rc != ERG_OK) {
            /* A failed read names its reason and leaves the cursor where it was. */
            if (err.code != rc || err.reason[0] == '\0') fail("error without a reason");
            if (r.pos != start) fail("failed read moved the cursor");
            r.pos++; /* skip a byte and carry on, to reach more states */
            continue;
        }
        check_reencodes(&b, &r, start);
    }
    erg_buf_free(&b);
    return 0;
}
