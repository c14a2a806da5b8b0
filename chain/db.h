/* A thin LevelDB wrapper: open/close, get, atomic synced write batches and prefix iteration. */
#ifndef ERG_CHAIN_DB_H
#define ERG_CHAIN_DB_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

typedef struct erg_db erg_db;       /* one open LevelDB database */
typedef struct erg_batch erg_batch; /* pending writes, applied all or nothing */

erg_code erg_db_open(erg_db **out, const char *path, erg_err *err) ERG_WARN_UNUSED;
void erg_db_close(erg_db *db);
/* *val is malloc'd (free it); ERG_ERR_NOTFOUND when the key is absent. */
erg_code erg_db_get(erg_db *db, const void *key, size_t klen, uint8_t **val, size_t *vlen, erg_err *err) ERG_WARN_UNUSED;
/* Like erg_db_get into a fixed buffer; fails with ERG_ERR_PARSE unless the value has exactly len bytes. */
erg_code erg_db_get_fixed(erg_db *db, const void *key, size_t klen, void *val, size_t len, erg_err *err) ERG_WARN_UNUSED;

erg_batch *erg_batch_create(void);
void erg_batch_destroy(erg_batch *b);
void erg_batch_put(erg_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void erg_batch_delete(erg_batch *b, const void *key, size_t klen);
/* Apply atomically and fsync before returning (a crash after this returns keeps the batch). */
erg_code erg_db_write(erg_db *db, erg_batch *b, erg_err *err) ERG_WARN_UNUSED;
/* Apply atomically without waiting for the disk: a crash may lose it (and every later unsynced
 * write), never reorder it, and the next synced write makes it durable too (LevelDB's log is
 * sequential). For data that can be fetched again, such as headers from peers. */
erg_code erg_db_write_nosync(erg_db *db, erg_batch *b, erg_err *err) ERG_WARN_UNUSED;

/* Call fn for every key starting with prefix, in key order; a non-OK return stops and is returned. */
typedef erg_code (*erg_db_visit)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                                 erg_err *err);
erg_code erg_db_scan(erg_db *db, const void *prefix, size_t plen, erg_db_visit fn, void *ctx, erg_err *err) ERG_WARN_UNUSED;

#endif
