/* Bounds-checked reader for Ergon's canonical serialization (the decoding side of buffer.h). */
#ifndef ERG_UTIL_SERIALIZE_H
#define ERG_UTIL_SERIALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * A cursor over borrowed bytes. Invariant: pos <= len. A read that would pass the end
 * fails with ERG_ERR_PARSE, names the field and leaves pos unchanged; nothing is ever read
 * past data + len.
 */
typedef struct erg_reader {
    const uint8_t *data; /* borrowed, not owned */
    size_t len;
    size_t pos;
} erg_reader;

void erg_reader_init(erg_reader *r, const uint8_t *data, size_t len);
size_t erg_reader_left(const erg_reader *r);

/* `what` names the field in the error reason ("tx.amount"). */
erg_code erg_read_u8(erg_reader *r, uint8_t *v, const char *what, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_read_u16(erg_reader *r, uint16_t *v, const char *what, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_read_u32(erg_reader *r, uint32_t *v, const char *what, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_read_u64(erg_reader *r, uint64_t *v, const char *what, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_read_i64(erg_reader *r, int64_t *v, const char *what, erg_err *err) ERG_WARN_UNUSED;
/* Copy exactly n bytes. */
erg_code erg_read_raw(erg_reader *r, void *out, size_t n, const char *what, erg_err *err) ERG_WARN_UNUSED;
/* Borrow n bytes without copying. */
erg_code erg_read_view(erg_reader *r, const uint8_t **p, size_t n, const char *what, erg_err *err) ERG_WARN_UNUSED;
/* Compact size; rejects a non-shortest encoding (ERG_ERR_NONCANON) and values above max. */
erg_code erg_read_compact(erg_reader *r, uint64_t *v, uint64_t max, const char *what, erg_err *err) ERG_WARN_UNUSED;
/* Compact-size length (at most max) then that many bytes, borrowed. */
erg_code erg_read_bytes(erg_reader *r, const uint8_t **p, size_t *n, size_t max, const char *what,
                        erg_err *err) ERG_WARN_UNUSED;
/* Fails with ERG_ERR_PARSE when bytes remain: every structure must be consumed exactly. */
erg_code erg_reader_expect_end(const erg_reader *r, const char *what, erg_err *err) ERG_WARN_UNUSED;

#endif
