/* Banned subnets: added by misbehaviour scores or setban, checked on every connection, persisted. */
#ifndef ERG_NODE_BANMAN_H
#define ERG_NODE_BANMAN_H

#include <stddef.h>
#include <stdint.h>

#include "src/node/netaddr.h"
#include "src/util/error.h"

typedef struct erg_ban_entry {
    erg_subnet subnet;
    int64_t created; /* unix seconds */
    int64_t until;   /* unix seconds; the ban ends then */
    char reason[64]; /* "misbehaving: <why>" or "manually added" */
} erg_ban_entry;

/* Thread-safe. Every change is written at once (atomically, checksummed) to `path` when it is
 * non-NULL (banlist.dat), so bans survive a restart or a crash. */
typedef struct erg_banman erg_banman;

/* Load from path (NULL: memory only). A missing file is an empty list; a corrupt file is an
 * error with a reason (the caller decides whether to start without it). */
erg_code erg_banman_create(erg_banman **out, const char *path, erg_err *err) ERG_WARN_UNUSED;
void erg_banman_destroy(erg_banman *bm);

/* Ban a subnet until `until`. ERG_ERR_INVALID "already banned" if that exact subnet is banned. */
erg_code erg_banman_ban(erg_banman *bm, const erg_subnet *sn, int64_t now, int64_t until, const char *reason,
                        erg_err *err) ERG_WARN_UNUSED;
/* ERG_ERR_NOTFOUND if that exact subnet is not banned. */
erg_code erg_banman_unban(erg_banman *bm, const erg_subnet *sn, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_banman_clear(erg_banman *bm, erg_err *err) ERG_WARN_UNUSED;
/* Whether any unexpired ban covers ip. */
int erg_banman_is_banned(erg_banman *bm, const uint8_t ip[16], int64_t now);
/* Unexpired bans (expired ones are dropped and the file rewritten); caller frees *out. */
erg_code erg_banman_list(erg_banman *bm, int64_t now, erg_ban_entry **out, size_t *n, erg_err *err) ERG_WARN_UNUSED;

#endif
