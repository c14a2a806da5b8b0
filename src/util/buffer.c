/* Growable byte buffer with canonical little-endian writers (the encoding side of serialization). */
#include "src/util/buffer.h"

#include <stdlib.h>
#include <string.h>

void erg_memzero(void *p, size_t n)
{
    /* A volatile function pointer keeps the compiler from proving the store dead. */
    static void *(*const volatile memset_v)(void *, int, size_t) = memset;
    if (p && n) memset_v(p, 0, n);
}

void erg_buf_init(erg_buf *b)
{
    memset(b, 0, sizeof *b);
}

void erg_buf_free(erg_buf *b)
{
    if (b->data) {
        erg_memzero(b->data, b->cap);
        free(b->data);
    }
    erg_buf_init(b);
}

void erg_buf_set_limit(erg_buf *b, size_t limit)
{
    b->limit = limit;
}

void erg_buf_reset(erg_buf *b)
{
    b->len = 0;
    b->failed = 0;
}

erg_code erg_buf_status(const erg_buf *b, erg_err *err)
{
    if (b->failed == 1) return erg_err_set(err, ERG_ERR_NOMEM, "buffer: out of memory");
    if (b->failed == 2)
        return erg_err_set(err, ERG_ERR_RANGE, "buffer: size limit of %zu bytes exceeded", b->limit);
    return ERG_OK;
}

uint8_t *erg_buf_extend(erg_buf *b, size_t n)
{
    uint8_t *p;
    if (b->failed) return NULL;
    if (n > SIZE_MAX - b->len || (b->limit && b->len + n > b->limit)) {
        b->failed = 2;
        return NULL;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        uint8_t *nd;
        while (cap < b->len + n) {
            if (cap > SIZE_MAX / 2) { cap = b->len + n; break; }
            cap *= 2;
        }
        /* Grow by copy, not realloc, so a secret never lingers in freed memory. */
        nd = malloc(cap);
        if (!nd) {
            b->failed = 1;
            return NULL;
        }
        if (b->data) {
            memcpy(nd, b->data, b->len);
            erg_memzero(b->data, b->cap);
            free(b->data);
        }
        b->data = nd;
        b->cap = cap;
    }
    p = b->data + b->len;
    b->len += n;
    return p;
}

void erg_buf_put_raw(erg_buf *b, const void *p, size_t n)
{
    uint8_t *d;
    if (n == 0) return;
    d = erg_buf_extend(b, n);
    if (d) memcpy(d, p, n);
}

void erg_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void erg_store_u64(uint8_t *p, uint64_t v)
{
    erg_store_u32(p, (uint32_t)v);
    erg_store_u32(p + 4, (uint32_t)(v >> 32));
}

uint32_t erg_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t erg_load_u64(const uint8_t *p)
{
    return (uint64_t)erg_load_u32(p) | (uint64_t)erg_load_u32(p + 4) << 32;
}

void erg_buf_put_u8(erg_buf *b, uint8_t v)
{
    uint8_t *d = erg_buf_extend(b, 1);
    if (d) d[0] = v;
}

void erg_buf_put_u16(erg_buf *b, uint16_t v)
{
    uint8_t *d = erg_buf_extend(b, 2);
    if (d) {
        d[0] = (uint8_t)v;
        d[1] = (uint8_t)(v >> 8);
    }
}

void erg_buf_put_u32(erg_buf *b, uint32_t v)
{
    uint8_t *d = erg_buf_extend(b, 4);
    if (d) erg_store_u32(d, v);
}

void erg_buf_put_u64(erg_buf *b, uint64_t v)
{
    uint8_t *d = erg_buf_extend(b, 8);
    if (d) erg_store_u64(d, v);
}

void erg_buf_put_i64(erg_buf *b, int64_t v)
{
    erg_buf_put_u64(b, (uint64_t)v);
}

void erg_buf_put_compact(erg_buf *b, uint64_t v)
{
    if (v < 0xfd) {
        erg_buf_put_u8(b, (uint8_t)v);
    } else if (v <= 0xffff) {
        erg_buf_put_u8(b, 0xfd);
        erg_buf_put_u16(b, (uint16_t)v);
    } else if (v <= 0xffffffffu) {
        erg_buf_put_u8(b, 0xfe);
        erg_buf_put_u32(b, (uint32_t)v);
    } else {
        erg_buf_put_u8(b, 0xff);
        erg_buf_put_u64(b, v);
    }
}

void erg_buf_put_bytes(erg_buf *b, const void *p, size_t n)
{
    erg_buf_put_compact(b, n);
    erg_buf_put_raw(b, p, n);
}
