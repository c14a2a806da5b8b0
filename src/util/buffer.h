/* Growable byte buffer with canonical little-endian writers (the encoding side of serialization). */
#ifndef ERG_UTIL_BUFFER_H
#define ERG_UTIL_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * Invariants: len <= cap; data is NULL iff cap == 0; once `failed` is set every later put is
 * a no-op, so a sequence of puts can be checked once at the end with erg_buf_status().
 */
typedef struct erg_buf {
    uint8_t *data; /* owned; cap bytes allocated */
    size_t len;    /* bytes written */
    size_t cap;    /* bytes allocated */
    size_t limit;  /* 0 = unlimited, else the most bytes this buffer may ever hold */
    int failed;    /* sticky: an allocation failed or the limit was hit */
} erg_buf;

void erg_buf_init(erg_buf *b);
/* Free the storage (wiping it first) and return to the initial state. */
void erg_buf_free(erg_buf *b);
/* Set a hard size limit; a put that would exceed it fails the buffer. */
void erg_buf_set_limit(erg_buf *b, size_t limit);
/* Drop the contents but keep the storage. */
void erg_buf_reset(erg_buf *b);
/* ERG_OK, or the reason the buffer failed (nomem / limit). */
erg_code erg_buf_status(const erg_buf *b, erg_err *err);
/* Make room for n more bytes; returns a pointer to them (len is advanced) or NULL. */
uint8_t *erg_buf_extend(erg_buf *b, size_t n);

void erg_buf_put_raw(erg_buf *b, const void *p, size_t n);
void erg_buf_put_u8(erg_buf *b, uint8_t v);
void erg_buf_put_u16(erg_buf *b, uint16_t v);
void erg_buf_put_u32(erg_buf *b, uint32_t v);
void erg_buf_put_u64(erg_buf *b, uint64_t v);
void erg_buf_put_i64(erg_buf *b, int64_t v);
/* Compact size: <0xfd one byte; 0xfd+u16; 0xfe+u32; 0xff+u64, always the shortest form. */
void erg_buf_put_compact(erg_buf *b, uint64_t v);
/* Compact-size length followed by the bytes. */
void erg_buf_put_bytes(erg_buf *b, const void *p, size_t n);

/* Fixed-width little-endian stores/loads on raw memory, for headers and hashing. */
void erg_store_u32(uint8_t *p, uint32_t v);
void erg_store_u64(uint8_t *p, uint64_t v);
uint32_t erg_load_u32(const uint8_t *p);
uint64_t erg_load_u64(const uint8_t *p);

/* Wipe memory in a way the compiler may not elide (for secrets). */
void erg_memzero(void *p, size_t n);

#endif
