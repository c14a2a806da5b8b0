/* Unit tests for src/node/net and netproc: two in-process nodes on loopback sync and relay; garbage gets a peer banned. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "src/node/net.h"
#include "src/node/netmsg.h"
#include "src/util/buffer.h"
#include "src/util/log.h"
#include "test/unit/chain_testutil.h"
#include "test/unit/harness.h"
#include "test/unit/net_testutil.h"

static const erg_chain_params *g_cp;

typedef erg_test_node node;

/* A frame header announcing `len` payload bytes (checksum zero: the payload never comes). */
static void frame_header(uint8_t hdr[ERG_NET_FRAME_HEADER], const char *cmd, uint32_t len)
{
    memset(hdr, 0, ERG_NET_FRAME_HEADER);
    memcpy(hdr, g_cp->magic, 4);
    memcpy(hdr + 4, cmd, strlen(cmd));
    erg_store_u32(hdr + 16, len);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Start a node listening on 127.0.0.1, connecting to `connect` ("ip:port") when non-NULL. */
static void node_start(node *nd, const char *connect)
{
    CHECK(erg_test_node_open(nd, g_cp, NULL) == ERG_OK);
    CHECK(erg_test_node_listen(nd, g_cp, 0, connect, NULL) == ERG_OK);
}

static void node_stop(node *nd)
{
    erg_test_node_close(nd);
}

static int handshaken(node *nd)
{
    erg_peer_info *v;
    size_t k, i;
    int ok = 0;
    if (erg_net_peers(nd->net, &v, &k, NULL)) return 0;
    for (i = 0; i < k; i++) ok |= v[i].handshake_done;
    free(v);
    return ok;
}

static int same_tip(node *a, node *b)
{
    erg_block_info ta, tb;
    erg_chainstate_tip(a->cs, &ta);
    erg_chainstate_tip(b->cs, &tb);
    return memcmp(ta.id, tb.id, 32) == 0;
}

static int wait_for(int (*pred)(node *, node *), node *a, node *b, unsigned ms)
{
    unsigned t;
    for (t = 0; t < ms; t += 20) {
        if (pred(a, b)) return 1;
        sleep_ms(20);
    }
    return pred(a, b);
}

static int both_handshaken(node *a, node *b)
{
    return handshaken(a) && handshaken(b);
}

static void key(erg_seckey *sk, erg_pubkey *pk)
{
    CHECK(erg_seckey_generate(sk, NULL) == ERG_OK);
    CHECK(erg_seckey_pubkey(sk, pk, NULL) == ERG_OK);
}

static uint8_t g_txid[32];

static int has_tx(node *a, node *b)
{
    (void)b;
    return erg_mempool_has(a->mp, g_txid);
}

/* Blocks mined on A reach B (headers, then blocks); a transaction added to B's pool reaches A's. */
static void test_sync_and_relay(void)
{
    node a, b;
    char target[32];
    erg_seckey sk;
    erg_pubkey pk, to;
    uint64_t t = (uint64_t)time(NULL) - 3600;
    int i;
    erg_tx tx;
    uint8_t gid[32];
    node_start(&a, NULL);
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)a.port);
    node_start(&b, target);
    CHECK(wait_for(both_handshaken, &a, &b, 10000));
    key(&sk, &pk);
    key(&sk, &to);
    key(&sk, &pk);
    for (i = 0; i < 30; i++) CHECK(erg_test_mine(g_cp, a.cs, &pk, NULL, 0, t += 60, NULL, NULL) == ERG_OK);
    CHECK(wait_for(same_tip, &a, &b, 20000));
    CHECK(erg_chainstate_height(b.cs) == 30);

    /* Spend from pk on B; the transaction travels to A. */
    memset(&tx, 0, sizeof tx);
    tx.version = ERG_TX_VERSION;
    tx.type = ERG_TX_TRANSFER;
    tx.from = pk;
    tx.to = to;
    tx.amount = 100000;
    tx.fee = 1000;
    tx.nonce = 0;
    erg_chainstate_genesis_id(b.cs, gid);
    CHECK(erg_tx_sign(&tx, &sk, gid, NULL) == ERG_OK);
    erg_tx_id(&tx, g_txid);
    CHECK(erg_mempool_add(b.mp, &tx, (uint64_t)time(NULL), NULL) == ERG_OK);
    CHECK(wait_for(has_tx, &a, &b, 10000));

    /* A block mined on B with it goes back to A, and A's pool drops it. */
    {
        erg_tx *sel;
        size_t nsel;
        CHECK(erg_mempool_select(b.mp, 100000, &sel, &nsel, NULL) == ERG_OK);
        CHECK(nsel == 1);
        CHECK(erg_test_mine(g_cp, b.cs, &to, sel, nsel, t += 60, NULL, NULL) == ERG_OK);
        free(sel);
    }
    erg_mempool_sync(b.mp);
    CHECK(wait_for(same_tip, &a, &b, 10000));
    sleep_ms(200);
    CHECK(!erg_mempool_has(a.mp, g_txid));
    node_stop(&b);
    node_stop(&a);
}

static int raw_connect(uint16_t port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* 1 when the node closed the connection within ms. */
static int closed_within(int fd, unsigned ms)
{
    struct pollfd p;
    char buf[4096];
    unsigned t = 0;
    p.fd = fd;
    p.events = POLLIN;
    while (t < ms) {
        int r = poll(&p, 1, 50);
        t += 50;
        if (r > 0) {
            ssize_t k = recv(fd, buf, sizeof buf, 0);
            if (k <= 0) return 1;
        }
    }
    return 0;
}

/* Garbage on the wire: the peer is disconnected and its IP banned; a banned IP is refused; the
 * node keeps its chain and keeps serving others. */
static void test_garbage_bans(void)
{
    node a;
    int fd;
    erg_ban_entry *bans;
    size_t nb;
    static const uint8_t junk[32] = "this is not an ergon message!!!";
    erg_pubkey pk;
    erg_seckey sk;
    uint64_t t = (uint64_t)time(NULL) - 600;
    node_start(&a, NULL);
    key(&sk, &pk);
    CHECK(erg_test_mine(g_cp, a.cs, &pk, NULL, 0, t, NULL, NULL) == ERG_OK);
    fd = raw_connect(a.port);
    CHECK(fd >= 0);
    CHECK(send(fd, junk, sizeof junk, 0) == (ssize_t)sizeof junk);
    CHECK(closed_within(fd, 5000));
    close(fd);
    CHECK(erg_banman_list(erg_net_banman(a.net), (int64_t)time(NULL), &bans, &nb, NULL) == ERG_OK);
    CHECK(nb == 1);
    if (nb) CHECK(strncmp(bans[0].reason, "misbehaving: bad-magic", 22) == 0);
    free(bans);
    fd = raw_connect(a.port);
    if (fd >= 0) {
        CHECK(closed_within(fd, 3000));
        close(fd);
    }
    CHECK(erg_chainstate_height(a.cs) == 1);
    node_stop(&a);
}

/* An oversized frame header is refused before its payload arrives. */
static void test_oversized_frame(void)
{
    node a;
    int fd;
    uint8_t hdr[ERG_NET_FRAME_HEADER];
    node_start(&a, NULL);
    frame_header(hdr, "ping", 0x00424240); /* > 8 */
    fd = raw_connect(a.port);
    CHECK(fd >= 0);
    CHECK(send(fd, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr);
    CHECK(closed_within(fd, 5000));
    close(fd);
    CHECK(erg_banman_is_banned(erg_net_banman(a.net), (const uint8_t[16]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1},
                               (int64_t)time(NULL)));
    node_stop(&a);
}

static void raw_send_msg(int fd, const erg_msg *m)
{
    erg_buf b;
    size_t off = 0;
    erg_buf_init(&b);
    erg_msg_encode(g_cp->magic, m, &b);
    CHECK(erg_buf_status(&b, NULL) == ERG_OK);
    while (off < b.len) {
        ssize_t k = send(fd, b.data + off, b.len - off, MSG_NOSIGNAL);
        if (k <= 0) break;
        off += (size_t)k;
    }
    CHECK(off == b.len);
    erg_buf_free(&b);
}

/* Version and verack to node `a` (its own messages are left unread). */
static void raw_handshake(int fd, node *a)
{
    erg_msg m;
    erg_msg_init(&m, ERG_MSG_VERSION);
    m.u.version.version = ERG_NET_PROTOCOL_VERSION;
    m.u.version.nonce = 42;
    erg_chainstate_genesis_id(a->cs, m.u.version.genesis);
    snprintf(m.u.version.user_agent, sizeof m.u.version.user_agent, "/test/");
    raw_send_msg(fd, &m);
    erg_msg_init(&m, ERG_MSG_VERACK);
    raw_send_msg(fd, &m);
}

/* Read frames until `want` named `cmd` have arrived (or ms pass); returns how many did. */
static size_t raw_count(int fd, const char *cmd, size_t want, unsigned ms)
{
    static uint8_t buf[1 << 16];
    size_t have = 0, got = 0, skip = 0;
    uint8_t hdr[ERG_NET_FRAME_HEADER];
    size_t nhdr = 0;
    struct pollfd pf;
    uint64_t t = 0;
    pf.fd = fd;
    pf.events = POLLIN;
    while (got < want && t < ms) {
        ssize_t k;
        size_t i = 0;
        if (poll(&pf, 1, 50) <= 0) {
            t += 50;
            continue;
        }
        k = recv(fd, buf, sizeof buf, 0);
        if (k <= 0) break;
        have = (size_t)k;
        while (i < have) {
            if (skip) { /* inside a payload */
                size_t d = have - i < skip ? have - i : skip;
                i += d;
                skip -= d;
                continue;
            }
            hdr[nhdr++] = buf[i++];
            if (nhdr == ERG_NET_FRAME_HEADER) {
                erg_msg_frame f;
                nhdr = 0;
                if (erg_msg_frame_parse(hdr, g_cp->magic, &f, NULL) != ERG_OK) return got;
                if (strcmp(f.command, cmd) == 0) got++;
                skip = f.length;
            }
        }
    }
    return got;
}

static uint64_t bytes_sent_to_first(node *a)
{
    erg_peer_info *v;
    size_t k;
    uint64_t s = 0;
    if (erg_net_peers(a->net, &v, &k, NULL)) return 0;
    if (k) s = v[0].bytes_sent;
    free(v);
    return s;
}

/* A peer that sends small requests (getheaders) and does not read: the node stops answering
 * once its queued replies pass the high-water mark instead of queueing up to 64 MiB, and
 * answers the rest when the peer reads. */
static void test_requests_pause_while_replies_wait(void)
{
    enum { NREQ = 2000 };
    node a;
    int fd, i, small = 4096;
    struct sockaddr_in sa;
    erg_pubkey pk;
    erg_seckey sk;
    uint64_t t = (uint64_t)time(NULL) - 3600, sent;
    uint8_t loc[1][32];
    erg_msg m;
    node_start(&a, NULL);
    key(&sk, &pk);
    for (i = 0; i < 50; i++) CHECK(erg_test_mine(g_cp, a.cs, &pk, NULL, 0, t += 60, NULL, NULL) == ERG_OK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    /* A small receive window, so the kernel holds little of what the node queues. */
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(a.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
    raw_handshake(fd, &a);
    erg_chainstate_genesis_id(a.cs, loc[0]);
    erg_msg_init(&m, ERG_MSG_GETHEADERS);
    m.u.getheaders.locator = loc;
    m.u.getheaders.n = 1;
    for (i = 0; i < NREQ; i++) raw_send_msg(fd, &m); /* each answer: 50 headers, 13 KB */
    sleep_ms(1500);
    sent = bytes_sent_to_first(&a);
    /* 26 MB if every request were answered at once; the high water (4 MiB) plus socket buffers. */
    CHECK(sent > 1000000);
    CHECK(sent < 12000000);
    CHECK(raw_count(fd, "headers", NREQ, 30000) == NREQ);
    close(fd);
    node_stop(&a);
}

/* Before its version, a peer's frame is refused from its header: no large payload is awaited. */
static void test_no_payload_before_version(void)
{
    node a;
    int fd;
    uint8_t hdr[ERG_NET_FRAME_HEADER];
    node_start(&a, NULL);
    frame_header(hdr, "block", 0x0d0040); /* 851,008 bytes: allowed for a block, never sent */
    fd = raw_connect(a.port);
    CHECK(fd >= 0);
    CHECK(send(fd, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr);
    CHECK(closed_within(fd, 3000));
    close(fd);
    /* +10, not a ban */
    CHECK(!erg_banman_is_banned(erg_net_banman(a.net),
                                (const uint8_t[16]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1},
                                (int64_t)time(NULL)));
    node_stop(&a);
}

typedef struct reader {
    erg_net *net;
    int stop;     /* both atomic (__atomic builtins) */
    size_t reads;
} reader;

static void *read_peers(void *arg)
{
    reader *r = arg;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        erg_peer_info *v;
        size_t k;
        if (erg_net_peers(r->net, &v, &k, NULL) == ERG_OK) free(v);
        __atomic_fetch_add(&r->reads, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* erg_net_stop frees the peers while an RPC thread may still list them (ergond stops the network
 * before the HTTP server): the list must change only under the lock (an ASan build sees the race). */
static void test_stop_while_rpc_reads(void)
{
    enum { NCONN = 60 };
    node a;
    int fds[NCONN], i, round;
    for (round = 0; round < 5; round++) {
        reader r;
        pthread_t th;
        size_t in = 0, out = 0;
        unsigned t;
        node_start(&a, NULL);
        for (i = 0; i < NCONN; i++) fds[i] = raw_connect(a.port);
        for (t = 0; t < 5000 && in < NCONN; t += 20) {
            erg_net_counts(a.net, &in, &out);
            if (in < NCONN) sleep_ms(20);
        }
        CHECK(in == NCONN);
        memset(&r, 0, sizeof r);
        r.net = a.net;
        CHECK(pthread_create(&th, NULL, read_peers, &r) == 0);
        while (__atomic_load_n(&r.reads, __ATOMIC_ACQUIRE) < 10) sleep_ms(1);
        erg_net_stop(a.net);
        __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
        erg_net_counts(a.net, &in, &out);
        CHECK(in == 0 && out == 0);
        for (i = 0; i < NCONN; i++)
            if (fds[i] >= 0) close(fds[i]);
        node_stop(&a);
    }
}

int main(void)
{
    static const erg_test_case cases[] = {T(test_sync_and_relay), T(test_garbage_bans), T(test_oversized_frame),
                                         T(test_stop_while_rpc_reads),
                                         T(test_requests_pause_while_replies_wait), T(test_no_payload_before_version)};
    g_cp = erg_chain_params_get(ERG_NET_REGTEST);
    erg_log_set_level(ERG_LOG_ERROR); /* the nodes' own chatter would bury the results */
    return erg_test_run("net", cases, sizeof cases / sizeof cases[0]);
}
