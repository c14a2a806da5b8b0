/* Banned subnets in memory, rewritten to banlist.dat (checksummed, atomic) on every change. */
#include "src/node/banman.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "src/crypto/datafile.h"
#include "src/util/buffer.h"
#include "src/util/serialize.h"

#define REASON_MAX (sizeof ((erg_ban_entry *)0)->reason - 1)
#define RECORD_MIN (16 + 1 + 8 + 8 + 1)

static const uint8_t ban_magic[4] = {'E', 'B', 'A', 'N'};

/* Invariant: bans[0..n) are distinct subnets with zero host bits; the file (when path is set)
 * holds the same list, give or take expired entries not yet dropped. */
struct erg_banman {
    pthread_mutex_t lock;
    char *path; /* owned; NULL = memory only */
    erg_ban_entry *bans;
    size_t n, cap;
};

static int subnet_canonical(const erg_subnet *sn)
{
    erg_subnet t;
    if (sn->bits > 128) return 0;
    t = *sn;
    /* A subnet matches itself exactly when no bit past the prefix is set. */
    return erg_subnet_match(&t, sn->ip);
}

static ssize_t find(const erg_banman *bm, const erg_subnet *sn)
{
    size_t i;
    for (i = 0; i < bm->n; i++)
        if (erg_subnet_equal(&bm->bans[i].subnet, sn)) return (ssize_t)i;
    return -1;
}

/* banlist.dat data: compact count, then per ban ip[16] bits u8 created i64 until i64 reason
 * (compact length, at most 63 bytes). */
static void encode_one(erg_buf *b, const erg_ban_entry *e)
{
    erg_buf_put_raw(b, e->subnet.ip, 16);
    erg_buf_put_u8(b, e->subnet.bits);
    erg_buf_put_i64(b, e->created);
    erg_buf_put_i64(b, e->until);
    erg_buf_put_bytes(b, e->reason, strnlen(e->reason, REASON_MAX));
}

/* Write the list without entry `skip` (SIZE_MAX: none) and without bans ended by `now`
 * (INT64_MIN: keep all). Memory is changed only after this succeeds. */
static erg_code persist(erg_banman *bm, size_t skip, int64_t now, erg_err *err)
{
    erg_buf b;
    erg_code rc;
    size_t i, keep = 0;
    if (!bm->path) return ERG_OK;
    for (i = 0; i < bm->n; i++)
        if (i != skip && bm->bans[i].until > now) keep++;
    erg_buf_init(&b);
    erg_buf_put_compact(&b, keep);
    for (i = 0; i < bm->n; i++)
        if (i != skip && bm->bans[i].until > now) encode_one(&b, &bm->bans[i]);
    if (!(rc = erg_buf_status(&b, err))) rc = erg_datafile_write(bm->path, ban_magic, b.data, b.len, err);
    erg_buf_free(&b);
    return rc;
}

static erg_code decode(const uint8_t *data, size_t len, erg_ban_entry **out, size_t *n_out, erg_err *err)
{
    erg_reader r;
    erg_ban_entry *bans = NULL;
    uint64_t count, i;
    erg_code rc;
    erg_reader_init(&r, data, len);
    if ((rc = erg_read_compact(&r, &count, len / RECORD_MIN, "banlist.count", err))) return rc;
    if (count && !(bans = calloc((size_t)count, sizeof *bans))) return erg_err_set(err, ERG_ERR_NOMEM, "banlist: out of memory");
    for (i = 0; i < count; i++) {
        erg_ban_entry *e = &bans[i];
        const uint8_t *reason;
        size_t rlen;
        uint64_t j;
        if ((rc = erg_read_raw(&r, e->subnet.ip, 16, "banlist.ip", err)) ||
            (rc = erg_read_u8(&r, &e->subnet.bits, "banlist.bits", err)) ||
            (rc = erg_read_i64(&r, &e->created, "banlist.created", err)) ||
            (rc = erg_read_i64(&r, &e->until, "banlist.until", err)) ||
            (rc = erg_read_bytes(&r, &reason, &rlen, REASON_MAX, "banlist.reason", err)))
            goto fail;
        if (!subnet_canonical(&e->subnet)) {
            rc = erg_err_set(err, ERG_ERR_PARSE, "banlist: entry %llu is not a valid subnet", (unsigned long long)i);
            goto fail;
        }
        if (memchr(reason, 0, rlen)) {
            rc = erg_err_set(err, ERG_ERR_PARSE, "banlist: entry %llu has a NUL in its reason", (unsigned long long)i);
            goto fail;
        }
        memcpy(e->reason, reason, rlen);
        for (j = 0; j < i; j++) {
            if (erg_subnet_equal(&bans[j].subnet, &e->subnet)) {
                rc = erg_err_set(err, ERG_ERR_PARSE, "banlist: entry %llu repeats entry %llu", (unsigned long long)i,
                                 (unsigned long long)j);
                goto fail;
            }
        }
    }
    if ((rc = erg_reader_expect_end(&r, "banlist", err))) goto fail;
    *out = bans;
    *n_out = (size_t)count;
    return ERG_OK;
fail:
    free(bans);
    return rc;
}

erg_code erg_banman_create(erg_banman **out, const char *path, erg_err *err)
{
    erg_banman *bm;
    erg_buf data;
    erg_code rc = ERG_OK;
    *out = NULL;
    if (!(bm = calloc(1, sizeof *bm))) return erg_err_set(err, ERG_ERR_NOMEM, "banman: out of memory");
    if (path && !(bm->path = strdup(path))) {
        free(bm);
        return erg_err_set(err, ERG_ERR_NOMEM, "banman: out of memory");
    }
    if (path) {
        erg_buf_init(&data);
        rc = erg_datafile_read(path, ban_magic, &data, err);
        if (rc == ERG_ERR_NOTFOUND) {
            erg_err_clear(err);
            rc = ERG_OK;
        } else if (!rc && (rc = decode(data.data, data.len, &bm->bans, &bm->n, err))) {
            erg_err_prefix(err, "%s: ", path);
        }
        bm->cap = bm->n;
        erg_buf_free(&data);
    }
    if (rc) {
        free(bm->bans);
        free(bm->path);
        free(bm);
        return rc;
    }
    pthread_mutex_init(&bm->lock, NULL);
    *out = bm;
    return ERG_OK;
}

void erg_banman_destroy(erg_banman *bm)
{
    if (!bm) return;
    pthread_mutex_destroy(&bm->lock);
    free(bm->bans);
    free(bm->path);
    free(bm);
}

erg_code erg_banman_ban(erg_banman *bm, const erg_subnet *sn, int64_t now, int64_t until, const char *reason, erg_err *err)
{
    erg_ban_entry e;
    erg_code rc = ERG_OK;
    ssize_t at;
    if (!subnet_canonical(sn)) return erg_err_set(err, ERG_ERR_ARG, "ban: subnet has bits set past its prefix or a prefix above 128");
    if (until <= now) return erg_err_set(err, ERG_ERR_ARG, "ban: it would end before it starts");
    memset(&e, 0, sizeof e);
    e.subnet = *sn;
    e.created = now;
    e.until = until;
    snprintf(e.reason, sizeof e.reason, "%s", reason ? reason : "manually added");
    pthread_mutex_lock(&bm->lock);
    at = find(bm, sn);
    if (at >= 0 && bm->bans[at].until > now) {
        rc = erg_err_set(err, ERG_ERR_INVALID, "already banned");
    } else if (at >= 0) {
        /* An expired ban of the same subnet is simply renewed. */
        erg_ban_entry old = bm->bans[at];
        bm->bans[at] = e;
        if ((rc = persist(bm, SIZE_MAX, INT64_MIN, err))) bm->bans[at] = old;
    } else {
        if (bm->n == bm->cap) {
            size_t cap = bm->cap ? 2 * bm->cap : 8;
            erg_ban_entry *nb = realloc(bm->bans, cap * sizeof *nb);
            if (!nb) rc = erg_err_set(err, ERG_ERR_NOMEM, "ban: out of memory");
            else {
                bm->bans = nb;
                bm->cap = cap;
            }
        }
        if (!rc) {
            bm->bans[bm->n++] = e;
            if ((rc = persist(bm, SIZE_MAX, INT64_MIN, err))) bm->n--;
        }
    }
    pthread_mutex_unlock(&bm->lock);
    return rc;
}

static void remove_at(erg_banman *bm, size_t i)
{
    memmove(&bm->bans[i], &bm->bans[i + 1], (bm->n - i - 1) * sizeof *bm->bans);
    bm->n--;
}

erg_code erg_banman_unban(erg_banman *bm, const erg_subnet *sn, erg_err *err)
{
    erg_code rc;
    ssize_t at;
    char s[ERG_NETADDR_STRLEN];
    pthread_mutex_lock(&bm->lock);
    at = find(bm, sn);
    if (at < 0) {
        erg_subnet_format(sn, s, sizeof s);
        rc = erg_err_set(err, ERG_ERR_NOTFOUND, "%s is not banned", s);
    } else if (!(rc = persist(bm, (size_t)at, INT64_MIN, err))) {
        remove_at(bm, (size_t)at);
    }
    pthread_mutex_unlock(&bm->lock);
    return rc;
}

erg_code erg_banman_clear(erg_banman *bm, erg_err *err)
{
    erg_code rc;
    pthread_mutex_lock(&bm->lock);
    /* Every ban ended "at" INT64_MAX: an empty list is written. */
    if (!(rc = persist(bm, SIZE_MAX, INT64_MAX, err))) bm->n = 0;
    pthread_mutex_unlock(&bm->lock);
    return rc;
}

int erg_banman_is_banned(erg_banman *bm, const uint8_t ip[16], int64_t now)
{
    size_t i;
    int hit = 0;
    pthread_mutex_lock(&bm->lock);
    for (i = 0; i < bm->n && !hit; i++) hit = bm->bans[i].until > now && erg_subnet_match(&bm->bans[i].subnet, ip);
    pthread_mutex_unlock(&bm->lock);
    return hit;
}

erg_code erg_banman_list(erg_banman *bm, int64_t now, erg_ban_entry **out, size_t *n, erg_err *err)
{
    erg_code rc = ERG_OK;
    size_t i, k = 0, expired = 0;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&bm->lock);
    for (i = 0; i < bm->n; i++) expired += bm->bans[i].until <= now;
    if (expired && !(rc = persist(bm, SIZE_MAX, now, err))) {
        for (i = 0; i < bm->n; i++)
            if (bm->bans[i].until > now) bm->bans[k++] = bm->bans[i];
        bm->n = k;
    }
    if (!rc && bm->n) {
        if (!(*out = malloc(bm->n * sizeof **out))) rc = erg_err_set(err, ERG_ERR_NOMEM, "banlist: out of memory");
        else {
            memcpy(*out, bm->bans, bm->n * sizeof **out);
            *n = bm->n;
        }
    }
    pthread_mutex_unlock(&bm->lock);
    return rc;
}
