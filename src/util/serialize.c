/* Bounds-checked reader for Ergon's canonical serialization (the decoding side of buffer.h). */
#include "src/util/serialize.h"

#include <string.h>

#include "src/util/buffer.h"

void erg_reader_init(erg_reader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = data ? len : 0;
    r->pos = 0;
}

size_t erg_reader_left(const erg_reader *r)
{
    return r->len - r->pos;
}

erg_code erg_read_view(erg_reader *r, const uint8_t **p, size_t n, const char *what, erg_err *err)
{
    if (n > erg_reader_left(r))
        return erg_err_set(err, ERG_ERR_PARSE, "%s: need %zu bytes at offset %zu, only %zu left", what, n,
                           r->pos, erg_reader_left(r));
    *p = r->data + r->pos;
    r->pos += n;
    return ERG_OK;
}

erg_code erg_read_raw(erg_reader *r, void *out, size_t n, const char *what, erg_err *err)
{
    const uint8_t *p = NULL;
    erg_code rc = erg_read_view(r, &p, n, what, err);
    if (rc) return rc;
    if (n) memcpy(out, p, n);
    return ERG_OK;
}

erg_code erg_read_u8(erg_reader *r, uint8_t *v, const char *what, erg_err *err)
{
    return erg_read_raw(r, v, 1, what, err);
}

erg_code erg_read_u16(erg_reader *r, uint16_t *v, const char *what, erg_err *err)
{
    const uint8_t *p = NULL;
    erg_code rc = erg_read_view(r, &p, 2, what, err);
    if (rc) return rc;
    *v = (uint16_t)(p[0] | p[1] << 8);
    return ERG_OK;
}

erg_code erg_read_u32(erg_reader *r, uint32_t *v, const char *what, erg_err *err)
{
    const uint8_t *p = NULL;
    erg_code rc = erg_read_view(r, &p, 4, what, err);
    if (rc) return rc;
    *v = erg_load_u32(p);
    return ERG_OK;
}

erg_code erg_read_u64(erg_reader *r, uint64_t *v, const char *what, erg_err *err)
{
    const uint8_t *p = NULL;
    erg_code rc = erg_read_view(r, &p, 8, what, err);
    if (rc) return rc;
    *v = erg_load_u64(p);
    return ERG_OK;
}

erg_code erg_read_i64(erg_reader *r, int64_t *v, const char *what, erg_err *err)
{
    uint64_t u;
    erg_code rc = erg_read_u64(r, &u, what, err);
    if (rc) return rc;
    memcpy(v, &u, sizeof u);
    return ERG_OK;
}

erg_code erg_read_compact(erg_reader *r, uint64_t *v, uint64_t max, const char *what, erg_err *err)
{
    size_t start = r->pos;
    uint8_t tag;
    uint64_t val, min;
    erg_code rc = erg_read_u8(r, &tag, what, err);
    if (rc) return rc;
    if (tag < 0xfd) {
        val = tag;
        min = 0;
    } else if (tag == 0xfd) {
        uint16_t x;
        if ((rc = erg_read_u16(r, &x, what, err))) goto fail;
        val = x;
        min = 0xfd;
    } else if (tag == 0xfe) {
        uint32_t x;
        if ((rc = erg_read_u32(r, &x, what, err))) goto fail;
        val = x;
        min = 0x10000;
    } else {
        if ((rc = erg_read_u64(r, &val, what, err))) goto fail;
        min = 0x100000000ull;
    }
    if (val < min) {
        rc = erg_err_set(err, ERG_ERR_NONCANON, "%s: non-canonical compact size %llu at offset %zu", what,
                         (unsigned long long)val, start);
        goto fail;
    }
    if (val > max) {
        rc = erg_err_set(err, ERG_ERR_RANGE, "%s: %llu exceeds the limit %llu", what, (unsigned long long)val,
                         (unsigned long long)max);
        goto fail;
    }
    *v = val;
    return ERG_OK;
fail:
    r->pos = start;
    return rc;
}

erg_code erg_read_bytes(erg_reader *r, const uint8_t **p, size_t *n, size_t max, const char *what,
                        erg_err *err)
{
    size_t start = r->pos;
    uint64_t len;
    erg_code rc = erg_read_compact(r, &len, max, what, err);
    if (rc) return rc;
    if ((rc = erg_read_view(r, p, (size_t)len, what, err))) {
        r->pos = start;
        return rc;
    }
    *n = (size_t)len;
    return ERG_OK;
}

erg_code erg_reader_expect_end(const erg_reader *r, const char *what, erg_err *err)
{
    if (r->pos != r->len)
        return erg_err_set(err, ERG_ERR_PARSE, "%s: %zu trailing bytes after offset %zu", what, r->len - r->pos,
                           r->pos);
    return ERG_OK;
}
