/* Inbound eviction: which connected inbound peer gives up its slot when a new one arrives and all are taken. */
#ifndef ERG_NODE_EVICT_H
#define ERG_NODE_EVICT_H

#include <stddef.h>
#include <stdint.h>

#include "src/node/netaddr.h"

#define ERG_EVICT_PROTECT_PING 4  /* lowest measured ping times */
#define ERG_EVICT_PROTECT_BLOCK 4 /* most recent new blocks delivered */
#define ERG_EVICT_PROTECT_TX 4    /* most recent transactions admitted to the mempool */

/* What the choice looks at of one inbound, non-manual peer. */
typedef struct erg_evict_candidate {
    int64_t id;              /* peer id: larger means connected later (ties of conntime) */
    int64_t conntime;        /* unix seconds the connection was made */
    double pingtime;         /* seconds; < 0 not measured yet */
    int64_t last_block_time; /* unix seconds it last delivered a block we accepted; 0 never */
    int64_t last_tx_time;    /* unix seconds it last sent a transaction we admitted; 0 never */
    uint64_t netgroup;       /* erg_evict_netgroup of its address */
} erg_evict_candidate;

/* The key of an address's network group: IPv4 /16, IPv6 /32, every loopback address one group.
 * Keys of different families never collide. */
uint64_t erg_evict_netgroup(const erg_netaddr *a);

/* Bitcoin Core's SelectNodeToEvict, simplified. Protected, in this order, each rule choosing
 * among those not protected yet: the ERG_EVICT_PROTECT_PING with the lowest measured ping, the
 * ERG_EVICT_PROTECT_BLOCK that most recently delivered a block, the ERG_EVICT_PROTECT_TX that
 * most recently sent an admitted transaction (a peer that never did is not protected by the
 * rule), then half of the rest (rounded down) that have been connected longest. Of the
 * unprotected, the network group with the most peers (ties: the one with the most recent
 * connection) loses its most recently connected peer. Returns that peer's index in c, or -1 if
 * every peer is protected, n is 0, or memory runs out (the caller then refuses the newcomer). */
ptrdiff_t erg_evict_select(const erg_evict_candidate *c, size_t n);

#endif
