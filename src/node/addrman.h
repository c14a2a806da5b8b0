/* The peer address store: addresses learned from gossip and seeds, chosen for outbound connections, persisted. */
#ifndef ERG_NODE_ADDRMAN_H
#define ERG_NODE_ADDRMAN_H

#include <stddef.h>
#include <stdint.h>

#include "src/node/netaddr.h"
#include "src/util/error.h"

/*
 * A bounded table of peer addresses keyed by ip and port. Each entry remembers when it was
 * last seen (gossip time), last tried, last connected successfully, and how many attempts in a
 * row failed. Selection for outbound connections is random, prefers addresses that worked
 * before, skips those tried in the last minute, and drops an address after too many failures.
 * When full, a new address replaces the worst entry (most failures, then oldest). Thread-safe
 * (one internal lock). Persisted in a checksummed file written atomically (peers.dat).
 */
typedef struct erg_addrman erg_addrman;

erg_code erg_addrman_create(erg_addrman **out, size_t capacity, erg_err *err) ERG_WARN_UNUSED;
void erg_addrman_destroy(erg_addrman *am);

/* Load from path: a missing file leaves the table empty and returns ERG_OK; a corrupt or
 * truncated file returns ERG_ERR_PARSE/ERG_ERR_CHECKSUM with a reason and loads nothing. */
erg_code erg_addrman_load(erg_addrman *am, const char *path, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_addrman_save(erg_addrman *am, const char *path, erg_err *err) ERG_WARN_UNUSED;

/* Add or refresh an address (invalid ones are ignored); returns 1 if it was new. A gossip
 * time more than 10 minutes in the future is clamped to now. */
int erg_addrman_add(erg_addrman *am, const erg_netaddr *a, uint64_t now);
/* An outbound attempt began / the handshake completed / the attempt failed. */
void erg_addrman_attempt(erg_addrman *am, const erg_netaddr *a, uint64_t now);
void erg_addrman_good(erg_addrman *am, const erg_netaddr *a, uint64_t now);
void erg_addrman_failed(erg_addrman *am, const erg_netaddr *a, uint64_t now);
/* Pick an address for an outbound connection; `skip(ctx, a)` non-zero excludes one (already
 * connected, banned); it runs with the table locked, so it must not call into this addrman.
 * Returns 1 and fills *out, or 0 when nothing is eligible. */
int erg_addrman_select(erg_addrman *am, uint64_t now, int (*skip)(void *ctx, const erg_netaddr *a), void *ctx,
                       erg_netaddr *out);
/* Distinct random addresses: pct percent of the table, rounded up, and at most cap. A getaddr
 * reply uses 23 (as Bitcoin Core limits getaddr answers); getnodeaddresses uses 100. */
#define ERG_ADDRMAN_GETADDR_PCT 23
size_t erg_addrman_sample(erg_addrman *am, erg_netaddr *out, size_t cap, unsigned pct);
size_t erg_addrman_size(erg_addrman *am);

#endif
