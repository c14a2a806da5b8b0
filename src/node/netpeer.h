/* Private to the network modules: the per-peer and per-node state shared by net.c (connections) and netproc.c (messages, sync, relay). */
#ifndef ERG_NODE_NETPEER_H
#define ERG_NODE_NETPEER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "src/node/net.h"
#include "src/node/netmsg.h"

#define ERG_PEER_MAX_INFLIGHT 16    /* blocks requested from one peer at a time */
#define ERG_NET_MAX_INFLIGHT 1024   /* blocks requested overall */
#define ERG_NET_MAX_ORPHANS 100     /* blocks whose parent is unknown, kept until it arrives */
#define ERG_NET_MAX_ORPHANS_PER_PEER 10
#define ERG_NET_MAX_ORPHAN_BYTES (20u << 20)
#define ERG_NET_TXREQ_SLOTS 65536   /* transactions recently requested from some peer (power of two) */
#define ERG_NET_TXREQ_WAIT_MS 30000 /* before asking another peer for the same transaction */
#define ERG_NET_MAX_ORPHAN_TXS 100  /* transactions waiting for an earlier nonce */
#define ERG_PEER_KNOWN_SLOTS 4096   /* per generation of the known-inventory set (power of two) */
#define ERG_NET_MAX_SEND_BUFFER (64u << 20) /* a peer that lets more than this pile up is dropped */
#define ERG_NET_ADDR_RATE 0.1       /* addresses per second a peer may make us process (and relay) */
#define ERG_NET_ADDR_BURST 1000.0
#define ERG_NET_MAX_OUTBOUND 8      /* automatic outbound connections */
#define ERG_NET_BAN_SCORE 100
#define ERG_NET_SEND_HIGH_WATER (4u << 20) /* stop serving getdata while this much is queued */

typedef struct erg_inflight {
    uint8_t id[32];
    uint64_t since_ms;
} erg_inflight;

/* One connection. Owned by the network thread; freed only there (after `closing` is set and
 * the current callback has returned). Fields other than the stats are touched only by that
 * thread; the stats are read by RPC under the net lock, which the thread holds while it runs
 * callbacks. */
typedef struct erg_peer {
    int64_t id;
    struct erg_net *net;
    struct bufferevent *bev;
    erg_netaddr addr;
    erg_netaddr bind;
    int inbound;
    int manual;
    int connected;         /* TCP established (outbound: after the connect completed) */
    int closing;           /* disconnect requested: freed at the next reap */
    int paused;            /* its messages wait until our queued replies drain (process_input) */
    char close_reason[96];

    /* handshake */
    int got_version, got_verack;
    erg_msg_version ver;
    int want_headers;      /* peer sent sendheaders: announce blocks as headers */
    int sent_getaddr_reply;

    /* sync */
    int64_t best_height;   /* highest block we know the peer has, -1 unknown */
    int64_t common_height; /* highest block we both have, -1 unknown */
    erg_inflight inflight[ERG_PEER_MAX_INFLIGHT];
    size_t ninflight;
    int stalls;
    int unconnecting;      /* headers messages that did not connect */
    uint64_t getheaders_ms; /* when we last asked for headers (0: not waiting) */
    uint64_t last_headers_retry_ms;
    uint8_t (*getdata_queue)[32]; /* block ids asked for but not yet sent (send buffer full) */
    uint32_t *getdata_types;
    size_t ngetdata, capgetdata;

    /* inventory the peer knows (sent to us or by us): two generations of an open-addressing set of
     * salted 64-bit keys; when the current one is half full it becomes the old one */
    uint64_t known_cur[ERG_PEER_KNOWN_SLOTS];
    uint64_t known_old[ERG_PEER_KNOWN_SLOTS];
    size_t nknown;
    double addr_tokens;    /* token bucket for addr processing */
    uint64_t addr_tokens_ms;

    /* keep-alive */
    uint64_t ping_nonce;   /* outstanding ping, 0 none */
    uint64_t ping_sent_ms;
    uint64_t last_ping_ms;

    /* stats (read by RPC under the net lock) */
    int misbehavior;
    int64_t conntime, lastsend, lastrecv;
    uint64_t bytes_sent, bytes_recv;
    double pingtime;
    int64_t last_block_time; /* unix seconds it last delivered a block we accepted, 0 never (eviction) */
    int64_t last_tx_time;    /* unix seconds it last sent a transaction we admitted, 0 never (eviction) */
} erg_peer;

typedef struct erg_orphan_block {
    erg_block block;
    uint8_t id[32];
    int64_t from;  /* peer id */
    uint64_t time;
    size_t bytes;  /* encoded size */
    uint64_t seq;  /* arrival order (time has only whole seconds) */
} erg_orphan_block;

typedef struct erg_added_node {
    char addr[ERG_NETADDR_STRLEN];
    erg_netaddr na;
    uint64_t last_try_ms;
    int onetry; /* remove after one attempt */
} erg_added_node;

struct erg_net {
    erg_net_config cfg;
    char datadir[1024];
    pthread_mutex_t lock;  /* held by the network thread while it runs callbacks */
    pthread_t thread;
    int running;
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *tick;
    struct event *wake;    /* activated by other threads to make the loop look at requests */
    uint16_t port;
    uint64_t local_nonce;
    uint64_t known_salt;   /* keys the known-inventory sets, so peers cannot aim at one slot */
    erg_addrman *am;
    erg_banman *bm;

    erg_peer **peers;
    size_t npeers, cappeers;
    int64_t next_id;

    erg_added_node added[64];
    size_t nadded;

    erg_orphan_block orphans[ERG_NET_MAX_ORPHANS];
    size_t norphans;
    size_t orphan_bytes;
    uint64_t orphan_seq;
    uint64_t txreq_key[ERG_NET_TXREQ_SLOTS]; /* salted keys of requested txids, 0 empty */
    uint64_t txreq_ms[ERG_NET_TXREQ_SLOTS];
    size_t ntxreq;
    erg_tx orphan_txs[ERG_NET_MAX_ORPHAN_TXS];
    size_t norphan_txs;

    uint8_t last_tip[32];      /* tip last announced */
    uint64_t relay_seq;        /* mempool admissions already announced */
    int ibd;                   /* latched: 1 until caught up once */
    uint64_t last_addr_save_ms;
    uint64_t last_outbound_ms;
    unsigned stall_ms;
};

uint64_t erg_net_now_ms(void);

/* net.c: connections */
void erg_peer_send(erg_peer *p, const erg_msg *m);
void erg_peer_close(erg_peer *p, const char *fmt, ...) ERG_PRINTF(2, 3);
/* Add to the misbehaviour score; at ERG_NET_BAN_SCORE disconnect (and ban unless manual). */
void erg_peer_misbehaving(erg_peer *p, int howmuch, const char *fmt, ...) ERG_PRINTF(3, 4);
erg_peer *erg_net_find_peer(erg_net *n, int64_t id);

/* netproc.c: messages, sync, relay */
void erg_netproc_connected(erg_net *n, erg_peer *p);       /* outbound TCP up: send version */
void erg_netproc_message(erg_net *n, erg_peer *p, erg_msg_type t, const uint8_t *payload, size_t len);
void erg_netproc_peer_gone(erg_net *n, erg_peer *p);       /* release its in-flight blocks */
void erg_netproc_tick(erg_net *n);                         /* announce, download, stalls, pings */
void erg_netproc_announce(erg_net *n);                     /* announce the tip if it moved */
int erg_peer_knows(const erg_peer *p, const uint8_t h[32]);
void erg_peer_learn(erg_peer *p, const uint8_t h[32]);

#endif
