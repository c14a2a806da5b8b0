/* The peer-to-peer network: connections over libevent, handshake, sync, relay, bans and address gossip. */
#ifndef ERG_NODE_NET_H
#define ERG_NODE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "src/node/addrman.h"
#include "src/node/banman.h"
#include "src/node/netaddr.h"
#include "src/util/error.h"

/*
 * One erg_net runs one thread with a libevent loop that owns every connection and all peer
 * state: it reads frames, handles messages (calling into the chain state and mempool), and
 * on a 100 ms tick announces new blocks and transactions, schedules block downloads, detects
 * stalls and dead peers and opens outbound connections. Other threads (RPC, the miner) only
 * read snapshots or queue requests under the net lock; they never touch a socket.
 */
typedef struct erg_net erg_net;

#define ERG_NET_MAX_CONNECT 16 /* -connect / -addnode entries given on the command line */

typedef struct erg_net_config {
    const erg_chain_params *cp;
    erg_chainstate *cs;
    erg_mempool *mp;
    const char *datadir;        /* network data directory: peers.dat, banlist.dat */
    int listen;                 /* accept inbound connections */
    const char *bind;           /* "IP" or "IP:PORT"; NULL: every interface */
    uint16_t port;              /* listening port (0: the network's default) */
    const char *connect[ERG_NET_MAX_CONNECT]; /* -connect: only these outbound */
    size_t nconnect;
    int connect_only;           /* -connect given (also -connect=0): no automatic outbound */
    const char *addnode[ERG_NET_MAX_CONNECT];
    size_t naddnode;
    int max_connections;        /* default 125 */
    int64_t bantime;            /* seconds, default 86400 */
    unsigned stall_timeout_ms;  /* 0: 5 s on regtest, 60 s elsewhere */
} erg_net_config;

void erg_net_config_default(erg_net_config *cfg);

erg_code erg_net_create(erg_net **out, const erg_net_config *cfg, erg_err *err) ERG_WARN_UNUSED;
/* Bind, load the address store and ban list, start the network thread. */
erg_code erg_net_start(erg_net *n, erg_err *err) ERG_WARN_UNUSED;
/* Close every connection, save peers.dat, join the thread. */
void erg_net_stop(erg_net *n);
void erg_net_destroy(erg_net *n);
uint16_t erg_net_listen_port(erg_net *n);

/* Wake the network thread at once (thread-safe) to announce a new tip. The network registers
 * itself as a chain listener at start, so every connected block does this already. */
void erg_net_wake(erg_net *n);

/* ---- for RPC ---------------------------------------------------------------------------- */

typedef struct erg_peer_info {
    int64_t id;
    erg_netaddr addr;
    erg_netaddr bind;
    int inbound;
    int manual;               /* -connect, -addnode or addnode RPC */
    uint32_t version;         /* 0 until the peer's version arrived */
    uint64_t services;
    char subver[ERG_NETADDR_STRLEN * 4 + 8];
    uint32_t starting_height;
    int64_t synced_headers;   /* -1 when unknown */
    int64_t synced_blocks;
    int64_t conntime, lastsend, lastrecv; /* unix seconds */
    uint64_t bytes_sent, bytes_recv;
    double pingtime;          /* seconds, < 0 before the first pong */
    int misbehavior;
    int handshake_done;
    size_t inflight;          /* blocks requested from this peer */
} erg_peer_info;

/* Snapshot of the connected peers (caller frees *out). */
erg_code erg_net_peers(erg_net *n, erg_peer_info **out, size_t *count, erg_err *err) ERG_WARN_UNUSED;
void erg_net_counts(erg_net *n, size_t *in, size_t *out);

/* addnode "add" | "remove" | "onetry". Errors: ERG_ERR_INVALID "already added" (add twice),
 * ERG_ERR_NOTFOUND (remove of a node never added), ERG_ERR_PARSE (bad address). */
erg_code erg_net_addnode(erg_net *n, const char *addr, const char *command, erg_err *err) ERG_WARN_UNUSED;
/* Disconnect by address ("ip:port") or by id (addr NULL). ERG_ERR_NOTFOUND if none matches. */
erg_code erg_net_disconnect(erg_net *n, const char *addr, int64_t id, erg_err *err) ERG_WARN_UNUSED;
/* Ban a subnet and disconnect the peers it covers. */
erg_code erg_net_ban(erg_net *n, const erg_subnet *sn, int64_t until, const char *reason, erg_err *err) ERG_WARN_UNUSED;
erg_banman *erg_net_banman(erg_net *n);
/* -bantime: how long a ban lasts unless told otherwise (seconds). */
int64_t erg_net_bantime(erg_net *n);
erg_addrman *erg_net_addrman(erg_net *n);
/* Whether the node is still catching up (latched false once caught up). */
int erg_net_initial_download(erg_net *n);

#endif
