/* A thin LevelDB wrapper: open/close, get, atomic synced write batches and prefix iteration. */
#include "chain/db.h"

#include <leveldb/c.h>
#include <stdlib.h>
#include <string.h>

struct erg_db {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts; /* sync = 1: a returned write survives power loss */
    leveldb_writeoptions_t *wopts_nosync;
    leveldb_cache_t *cache;
};

struct erg_batch {
    leveldb_writebatch_t *wb;
};

static erg_code take_error(char *e, erg_err *err, const char *what)
{
    erg_code rc = erg_err_set(err, ERG_ERR_IO, "leveldb %s: %s", what, e);
    leveldb_free(e);
    return rc;
}

erg_code erg_db_open(erg_db **out, const char *path, erg_err *err)
{
    erg_db *d = calloc(1, sizeof *d);
    char *e = NULL;
    if (!d) return erg_err_set(err, ERG_ERR_NOMEM, "db: out of memory");
    d->opts = leveldb_options_create();
    d->cache = leveldb_cache_create_lru(64 << 20);
    leveldb_options_set_create_if_missing(d->opts, 1);
    leveldb_options_set_paranoid_checks(d->opts, 1);
    leveldb_options_set_cache(d->opts, d->cache);
    leveldb_options_set_max_open_files(d->opts, 256);
    d->ropts = leveldb_readoptions_create();
    leveldb_readoptions_set_verify_checksums(d->ropts, 1);
    d->wopts = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(d->wopts, 1);
    d->wopts_nosync = leveldb_writeoptions_create();
    d->db = leveldb_open(d->opts, path, &e);
    if (e) {
        erg_code rc = take_error(e, err, "open");
        erg_err_prefix(err, "%s: ", path);
        d->db = NULL;
        erg_db_close(d);
        return rc;
    }
    *out = d;
    return ERG_OK;
}

void erg_db_close(erg_db *d)
{
    if (!d) return;
    if (d->db) leveldb_close(d->db);
    leveldb_options_destroy(d->opts);
    leveldb_readoptions_destroy(d->ropts);
    leveldb_writeoptions_destroy(d->wopts);
    if (d->wopts_nosync) leveldb_writeoptions_destroy(d->wopts_nosync);
    leveldb_cache_destroy(d->cache);
    free(d);
}

erg_code erg_db_get(erg_db *d, const void *key, size_t klen, uint8_t **val, size_t *vlen, erg_err *err)
{
    char *e = NULL;
    size_t n = 0;
    char *v = leveldb_get(d->db, d->ropts, key, klen, &n, &e);
    if (e) return take_error(e, err, "get");
    if (!v) return erg_err_set(err, ERG_ERR_NOTFOUND, "db: key not found");
    /* leveldb_get's memory belongs to LevelDB's allocator; copy into ours. */
    *val = malloc(n ? n : 1);
    if (!*val) {
        leveldb_free(v);
        return erg_err_set(err, ERG_ERR_NOMEM, "db: out of memory");
    }
    memcpy(*val, v, n);
    leveldb_free(v);
    *vlen = n;
    return ERG_OK;
}

erg_code erg_db_get_fixed(erg_db *d, const void *key, size_t klen, void *val, size_t len, erg_err *err)
{
    char *e = NULL;
    size_t n = 0;
    char *v = leveldb_get(d->db, d->ropts, key, klen, &n, &e);
    if (e) return take_error(e, err, "get");
    if (!v) return erg_err_set(err, ERG_ERR_NOTFOUND, "db: key not found");
    if (n != len) {
        leveldb_free(v);
        return erg_err_set(err, ERG_ERR_PARSE, "db: record of %zu bytes, expected %zu (corrupt database)", n, len);
    }
    memcpy(val, v, n);
    leveldb_free(v);
    return ERG_OK;
}

erg_batch *erg_batch_create(void)
{
    erg_batch *b = calloc(1, sizeof *b);
    if (b) b->wb = leveldb_writebatch_create();
    return b;
}

void erg_batch_destroy(erg_batch *b)
{
    if (!b) return;
    leveldb_writebatch_destroy(b->wb);
    free(b);
}

void erg_batch_put(erg_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    leveldb_writebatch_put(b->wb, key, klen, val, vlen);
}

void erg_batch_delete(erg_batch *b, const void *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, key, klen);
}

erg_code erg_db_write(erg_db *d, erg_batch *b, erg_err *err)
{
    char *e = NULL;
    leveldb_write(d->db, d->wopts, b->wb, &e);
    if (e) return take_error(e, err, "write");
    return ERG_OK;
}

erg_code erg_db_write_nosync(erg_db *d, erg_batch *b, erg_err *err)
{
    char *e = NULL;
    leveldb_write(d->db, d->wopts_nosync, b->wb, &e);
    if (e) return take_error(e, err, "write");
    return ERG_OK;
}

erg_code erg_db_scan(erg_db *d, const void *prefix, size_t plen, erg_db_visit fn, void *ctx, erg_err *err)
{
    leveldb_iterator_t *it = leveldb_create_iterator(d->db, d->ropts);
    erg_code rc = ERG_OK;
    char *e = NULL;
    for (leveldb_iter_seek(it, prefix, plen); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v;
        if (klen < plen || memcmp(k, prefix, plen) != 0) break;
        v = leveldb_iter_value(it, &vlen);
        if ((rc = fn(ctx, (const uint8_t *)k, klen, (const uint8_t *)v, vlen, err))) break;
    }
    leveldb_iter_get_error(it, &e);
    leveldb_iter_destroy(it);
    if (e && rc == ERG_OK) return take_error(e, err, "iterate");
    if (e) leveldb_free(e);
    return rc;
}
