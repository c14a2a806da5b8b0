/* The peer-to-peer connection manager: listening, outbound connections, framing, limits, bans, keep-alive. */
#include "src/node/net.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "src/crypto/random.h"
#include "src/node/evict.h"
#include "src/node/http.h"
#include "src/node/netpeer.h"
#include "src/util/log.h"

#define PING_INTERVAL_MS (60u * 1000)
#define PING_TIMEOUT_MS (20u * 60 * 1000)
#define INACTIVITY_MS (20u * 60 * 1000)
#define HANDSHAKE_TIMEOUT_MS (60u * 1000)
#define ADDR_SAVE_MS (15u * 60 * 1000)

uint64_t erg_net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void erg_net_config_default(erg_net_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = 1;
    cfg->max_connections = 125;
    cfg->bantime = 86400;
}

static int inbound_limit(const erg_net *n)
{
    int lim = n->cfg.max_connections - (n->cfg.connect_only ? 0 : ERG_NET_MAX_OUTBOUND);
    return lim < 0 ? 0 : lim;
}

/* Messages go out as soon as they are written: without this, Nagle's algorithm holds a small
 * message (a block announcement, a getdata) until the previous one is acknowledged, and the
 * peer's delayed ACK makes every hop wait up to 40 ms. */
static void set_nodelay(evutil_socket_t fd)
{
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
        erg_log_debug("net", "TCP_NODELAY: %s", strerror(errno));
}

static void peer_name(const erg_peer *p, char *out, size_t cap)
{
    char a[ERG_NETADDR_STRLEN];
    erg_netaddr_format(&p->addr, 1, a, sizeof a);
    snprintf(out, cap, "peer=%lld %s", (long long)p->id, a);
}

/* ---- sending and closing ------------------------------------------------------------------ */

void erg_peer_send(erg_peer *p, const erg_msg *m)
{
    erg_buf b;
    if (p->closing || !p->bev) return;
    if (evbuffer_get_length(bufferevent_get_output(p->bev)) > ERG_NET_MAX_SEND_BUFFER) {
        erg_peer_close(p, "send buffer over %u bytes: the peer does not read", ERG_NET_MAX_SEND_BUFFER);
        return;
    }
    erg_buf_init(&b);
    erg_msg_encode(p->net->cfg.cp->magic, m, &b);
    if (erg_buf_status(&b, NULL) == ERG_OK && bufferevent_write(p->bev, b.data, b.len) == 0) {
        p->bytes_sent += b.len;
        p->lastsend = (int64_t)time(NULL);
        erg_log_debug("net", "sent %s (%zu bytes) to peer=%lld", erg_msg_command(m->type), b.len, (long long)p->id);
    }
    erg_buf_free(&b);
}

void erg_peer_close(erg_peer *p, const char *fmt, ...)
{
    va_list ap;
    char name[96];
    if (p->closing) return;
    p->closing = 1;
    va_start(ap, fmt);
    vsnprintf(p->close_reason, sizeof p->close_reason, fmt, ap);
    va_end(ap);
    peer_name(p, name, sizeof name);
    erg_log_info("net", "disconnecting %s: %s", name, p->close_reason);
    if (p->bev) bufferevent_disable(p->bev, EV_READ);
}

void erg_peer_misbehaving(erg_peer *p, int howmuch, const char *fmt, ...)
{
    va_list ap;
    char why[200], name[96];
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    peer_name(p, name, sizeof name);
    p->misbehavior += howmuch;
    erg_log_warn("net", "misbehaving %s (score +%d = %d): %s", name, howmuch, p->misbehavior, why);
    if (p->misbehavior < ERG_NET_BAN_SCORE) return;
    if (!p->manual) {
        erg_subnet sn;
        erg_err err;
        char reason[64];
        int64_t now = (int64_t)time(NULL);
        snprintf(reason, sizeof reason, "misbehaving: %.50s", why);
        erg_subnet_host(p->addr.ip, &sn);
        if (!erg_banman_is_banned(p->net->bm, p->addr.ip, now) &&
            erg_banman_ban(p->net->bm, &sn, now,
                           p->net->cfg.bantime > INT64_MAX - now ? INT64_MAX : now + p->net->cfg.bantime, reason, &err))
            erg_log_error("net", "could not ban %s: %s", name, err.reason);
    }
    erg_peer_close(p, "misbehaving: %s", why);
}

erg_peer *erg_net_find_peer(erg_net *n, int64_t id)
{
    size_t i;
    for (i = 0; i < n->npeers; i++)
        if (n->peers[i]->id == id) return n->peers[i];
    return NULL;
}

/* ---- connection callbacks ------------------------------------------------------------------ */

/* Handle every complete frame waiting in the input; the lock is held. While more than
 * ERG_NET_SEND_HIGH_WATER of our messages wait for the peer to read them, its requests wait too
 * (as Core's fPauseSend): otherwise a peer that sends small requests (getheaders, mempool, ping)
 * and never reads would make us queue up to ERG_NET_MAX_SEND_BUFFER of replies. The socket is
 * still read, so two nodes that both wait cannot block each other; write_cb resumes. */
static void process_input(erg_peer *p)
{
    erg_net *n = p->net;
    struct evbuffer *in = bufferevent_get_input(p->bev);
    p->paused = 0;
    while (!p->closing) {
        uint8_t hdr[ERG_NET_FRAME_HEADER];
        uint8_t *payload;
        erg_msg_frame f;
        erg_err err;
        size_t avail = evbuffer_get_length(in);
        if (evbuffer_get_length(bufferevent_get_output(p->bev)) >= ERG_NET_SEND_HIGH_WATER) {
            if (avail > ERG_NET_MAX_SEND_BUFFER)
                erg_peer_close(p, "over %u bytes received while our replies wait: the peer does not read",
                               ERG_NET_MAX_SEND_BUFFER);
            p->paused = 1;
            break;
        }
        if (avail < ERG_NET_FRAME_HEADER) break;
        if (evbuffer_copyout(in, hdr, sizeof hdr) != (ssize_t)sizeof hdr) break;
        if (erg_msg_frame_parse(hdr, n->cfg.cp->magic, &f, &err)) {
            erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "%s", err.reason);
            break;
        }
        if (!p->got_version && f.type != ERG_MSG_VERSION) {
            /* Refused from its header: a stranger cannot make us buffer (and hash) a large payload. */
            erg_peer_misbehaving(p, 10, "%s before version", f.command);
            erg_peer_close(p, "no version message first");
            break;
        }
        if (avail < ERG_NET_FRAME_HEADER + (size_t)f.length) break; /* the rest is on its way */
        evbuffer_drain(in, ERG_NET_FRAME_HEADER);
        payload = malloc(f.length ? f.length : 1);
        if (!payload) {
            erg_peer_close(p, "out of memory");
            break;
        }
        if (f.length && evbuffer_remove(in, payload, f.length) != (int)f.length) {
            free(payload);
            erg_peer_close(p, "read error");
            break;
        }
        p->bytes_recv += ERG_NET_FRAME_HEADER + (uint64_t)f.length;
        p->lastrecv = (int64_t)time(NULL);
        if (erg_msg_frame_check(&f, payload, f.length, &err)) {
            erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "%s (%s)", err.reason, f.command);
        } else if (f.type == ERG_MSG_COUNT) {
            erg_log_debug("net", "ignoring unknown command '%s' from peer=%lld", f.command, (long long)p->id);
        } else {
            erg_log_debug("net", "received %s (%u bytes) from peer=%lld", f.command, (unsigned)f.length,
                          (long long)p->id);
            erg_netproc_message(n, p, f.type, payload, f.length);
        }
        free(payload);
    }
}

static void read_cb(struct bufferevent *bev, void *ctx)
{
    erg_peer *p = ctx;
    erg_net *n = p->net;
    (void)bev;
    pthread_mutex_lock(&n->lock);
    process_input(p);
    pthread_mutex_unlock(&n->lock);
}

/* The output has drained to half the high water: requests held back by process_input go on. */
static void write_cb(struct bufferevent *bev, void *ctx)
{
    erg_peer *p = ctx;
    erg_net *n = p->net;
    if (!p->paused) return; /* only the network thread changes it */
    (void)bev;
    pthread_mutex_lock(&n->lock);
    process_input(p);
    pthread_mutex_unlock(&n->lock);
}

static void event_cb(struct bufferevent *bev, short events, void *ctx)
{
    erg_peer *p = ctx;
    erg_net *n = p->net;
    pthread_mutex_lock(&n->lock);
    if (events & BEV_EVENT_CONNECTED) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        p->connected = 1;
        set_nodelay(bufferevent_getfd(bev));
        if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&ss, &len) == 0 &&
            erg_netaddr_from_sockaddr((struct sockaddr *)&ss, len, &p->bind, NULL) != ERG_OK)
            memset(&p->bind, 0, sizeof p->bind);
        erg_netproc_connected(n, p);
    } else if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        if (!p->inbound && !p->connected) {
            erg_addrman_failed(n->am, &p->addr, (uint64_t)time(NULL));
            erg_peer_close(p, "connection failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        } else {
            erg_peer_close(p, "%s", (events & BEV_EVENT_EOF) ? "connection closed by peer" : "socket error");
        }
    }
    pthread_mutex_unlock(&n->lock);
}

static erg_peer *peer_add(erg_net *n, struct bufferevent *bev, const erg_netaddr *a, int inbound, int manual)
{
    erg_peer *p;
    if (n->npeers == n->cappeers) {
        size_t nc = n->cappeers ? n->cappeers * 2 : 16;
        erg_peer **nv = realloc(n->peers, nc * sizeof *nv);
        if (!nv) return NULL;
        n->peers = nv;
        n->cappeers = nc;
    }
    p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->id = n->next_id++;
    p->net = n;
    p->bev = bev;
    p->addr = *a;
    p->inbound = inbound;
    p->manual = manual;
    p->best_height = -1;
    p->common_height = -1;
    p->pingtime = -1;
    p->conntime = (int64_t)time(NULL);
    p->last_ping_ms = erg_net_now_ms();
    n->peers[n->npeers++] = p;
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, p);
    bufferevent_setwatermark(bev, EV_WRITE, ERG_NET_SEND_HIGH_WATER / 2, 0); /* write_cb resumes there */
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    return p;
}

static void peer_free(erg_net *n, size_t i)
{
    erg_peer *p = n->peers[i];
    erg_netproc_peer_gone(n, p);
    if (p->bev) bufferevent_free(p->bev);
    free(p->getdata_queue);
    free(p->getdata_types);
    n->peers[i] = n->peers[--n->npeers];
    free(p);
}

static void count_peers(erg_net *n, size_t *in, size_t *out_auto, size_t *out_all)
{
    size_t i;
    *in = *out_auto = *out_all = 0;
    for (i = 0; i < n->npeers; i++) {
        const erg_peer *p = n->peers[i];
        if (p->closing) continue;
        if (p->inbound) {
            (*in)++;
        } else {
            (*out_all)++;
            if (!p->manual) (*out_auto)++;
        }
    }
}

/* Inbound slots are full: make room by disconnecting the inbound peer erg_evict_select picks, so
 * that an attacker who fills every slot cannot lock honest peers out. Returns 1 if one went. */
static int evict_inbound(erg_net *n)
{
    erg_evict_candidate *c;
    erg_peer **who;
    size_t i, k = 0;
    ptrdiff_t pick;
    if (!n->npeers) return 0;
    c = malloc(n->npeers * sizeof *c);
    who = malloc(n->npeers * sizeof *who);
    if (!c || !who) {
        free(c);
        free(who);
        return 0;
    }
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        if (p->closing || !p->inbound || p->manual) continue;
        c[k].id = p->id;
        c[k].conntime = p->conntime;
        c[k].pingtime = p->pingtime;
        c[k].last_block_time = p->last_block_time;
        c[k].last_tx_time = p->last_tx_time;
        c[k].netgroup = erg_evict_netgroup(&p->addr);
        who[k++] = p;
    }
    pick = erg_evict_select(c, k);
    if (pick >= 0) erg_peer_close(who[pick], "evicted to make room for an inbound connection");
    free(c);
    free(who);
    return pick >= 0;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *ctx)
{
    erg_net *n = ctx;
    erg_netaddr a;
    struct bufferevent *bev;
    size_t in, oa, oall;
    char as[ERG_NETADDR_STRLEN];
    (void)l;
    pthread_mutex_lock(&n->lock);
    if (erg_netaddr_from_sockaddr(sa, (socklen_t)salen, &a, NULL) != ERG_OK) {
        evutil_closesocket(fd);
        goto out;
    }
    erg_netaddr_format(&a, 1, as, sizeof as);
    if (erg_banman_is_banned(n->bm, a.ip, (int64_t)time(NULL))) {
        erg_log_info("net", "refusing connection from banned %s", as);
        evutil_closesocket(fd);
        goto out;
    }
    count_peers(n, &in, &oa, &oall);
    if ((int)in >= inbound_limit(n) && !evict_inbound(n)) {
        erg_log_info("net", "refusing connection from %s: %zu inbound connections, the limit, none evictable", as, in);
        evutil_closesocket(fd);
        goto out;
    }
    evutil_make_socket_nonblocking(fd);
    set_nodelay(fd);
    bev = bufferevent_socket_new(n->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        goto out;
    }
    {
        erg_peer *p = peer_add(n, bev, &a, 1, 0);
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (!p) {
            bufferevent_free(bev);
            goto out;
        }
        p->connected = 1;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
            erg_netaddr_from_sockaddr((struct sockaddr *)&ss, len, &p->bind, NULL) != ERG_OK)
            memset(&p->bind, 0, sizeof p->bind);
        erg_log_info("net", "accepted connection from %s (peer=%lld)", as, (long long)p->id);
    }
out:
    pthread_mutex_unlock(&n->lock);
}

static int connected_to(erg_net *n, const erg_netaddr *a)
{
    size_t i;
    for (i = 0; i < n->npeers; i++)
        if (!n->peers[i]->closing && erg_netaddr_equal(&n->peers[i]->addr, a)) return 1;
    return 0;
}

static void connect_to(erg_net *n, const erg_netaddr *a, int manual)
{
    struct sockaddr_storage ss;
    socklen_t len = erg_netaddr_to_sockaddr(a, &ss);
    struct bufferevent *bev;
    erg_peer *p;
    char as[ERG_NETADDR_STRLEN];
    erg_netaddr_format(a, 1, as, sizeof as);
    if (!len) return;
    bev = bufferevent_socket_new(n->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) return;
    p = peer_add(n, bev, a, 0, manual);
    if (!p) {
        bufferevent_free(bev);
        return;
    }
    if (!manual) erg_addrman_attempt(n->am, a, (uint64_t)time(NULL));
    erg_log_info("net", "connecting to %s (peer=%lld%s)", as, (long long)p->id, manual ? ", manual" : "");
    if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, (int)len) != 0)
        erg_peer_close(p, "connect failed");
}

static int skip_addr(void *ctx, const erg_netaddr *a)
{
    erg_net *n = ctx;
    if (connected_to(n, a)) return 1;
    if (erg_banman_is_banned(n->bm, a->ip, (int64_t)time(NULL))) return 1;
    /* Our own listening address, as peers gossip it back. */
    if (a->port == n->port && erg_netaddr_is_loopback(a)) return 1;
    return 0;
}

static void open_connections(erg_net *n, uint64_t now_ms)
{
    size_t i, in, oa, oall;
    for (i = 0; i < n->nadded;) {
        erg_added_node *an = &n->added[i];
        uint64_t retry = n->cfg.cp->net == ERG_NET_REGTEST ? 2000 : 60000;
        if (!connected_to(n, &an->na) && (an->last_try_ms == 0 || now_ms - an->last_try_ms >= retry)) {
            an->last_try_ms = now_ms;
            connect_to(n, &an->na, 1); /* manual connections ignore bans, as in Bitcoin Core */
            if (an->onetry) {
                n->added[i] = n->added[--n->nadded];
                continue;
            }
        }
        i++;
    }
    if (n->cfg.connect_only) return;
    count_peers(n, &in, &oa, &oall);
    if (oa >= ERG_NET_MAX_OUTBOUND || now_ms - n->last_outbound_ms < 500) return;
    n->last_outbound_ms = now_ms;
    {
        erg_netaddr a;
        if (erg_addrman_select(n->am, (uint64_t)time(NULL), skip_addr, n, &a)) connect_to(n, &a, 0);
    }
}

static void keepalive(erg_net *n, uint64_t now_ms)
{
    size_t i;
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        int done = p->got_version && p->got_verack;
        if (p->closing) continue;
        if (!done) {
            if (now_ms - p->last_ping_ms > HANDSHAKE_TIMEOUT_MS) erg_peer_close(p, "version handshake timeout");
            continue;
        }
        if (p->ping_nonce && now_ms - p->ping_sent_ms > PING_TIMEOUT_MS) {
            erg_peer_close(p, "ping timeout: %.0f s", (double)(now_ms - p->ping_sent_ms) / 1000.0);
            continue;
        }
        if (p->lastrecv && (int64_t)time(NULL) - p->lastrecv > (int64_t)(INACTIVITY_MS / 1000)) {
            erg_peer_close(p, "inactivity timeout");
            continue;
        }
        if (!p->ping_nonce && now_ms - p->last_ping_ms >= PING_INTERVAL_MS) {
            erg_msg m;
            erg_msg_init(&m, ERG_MSG_PING);
            while (!p->ping_nonce)
                if (erg_random_bytes(&p->ping_nonce, sizeof p->ping_nonce, NULL)) break;
            m.u.nonce = p->ping_nonce;
            p->ping_sent_ms = now_ms;
            p->last_ping_ms = now_ms;
            erg_peer_send(p, &m);
        }
    }
}

static void wake_cb(evutil_socket_t fd, short what, void *ctx)
{
    erg_net *n = ctx;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&n->lock);
    if (n->running) erg_netproc_announce(n);
    pthread_mutex_unlock(&n->lock);
}

void erg_net_wake(erg_net *n)
{
    if (n && n->wake) event_active(n->wake, EV_READ, 0);
}

/* Chain hook (under the chainstate lock): a block connected by anyone — the miner, submitblock,
 * a reorg — is announced at once rather than at the next tick. */
static void on_block_connected(void *ctx, const erg_block *b, const erg_block_info *info)
{
    (void)b;
    (void)info;
    erg_net_wake(ctx);
}

static void tick_cb(evutil_socket_t fd, short what, void *ctx)
{
    erg_net *n = ctx;
    uint64_t now_ms = erg_net_now_ms();
    size_t i;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&n->lock);
    if (!n->running) {
        pthread_mutex_unlock(&n->lock);
        event_base_loopbreak(n->base);
        return;
    }
    for (i = 0; i < n->npeers;) {
        if (n->peers[i]->closing) {
            peer_free(n, i);
            continue;
        }
        i++;
    }
    keepalive(n, now_ms);
    erg_netproc_tick(n);
    open_connections(n, now_ms);
    if (now_ms - n->last_addr_save_ms >= ADDR_SAVE_MS) {
        char path[1100];
        erg_err err;
        n->last_addr_save_ms = now_ms;
        snprintf(path, sizeof path, "%s/peers.dat", n->datadir);
        if (erg_addrman_save(n->am, path, &err)) erg_log_warn("net", "could not save peers.dat: %s", err.reason);
    }
    pthread_mutex_unlock(&n->lock);
}

static void *net_thread(void *arg)
{
    erg_net *n = arg;
    event_base_dispatch(n->base);
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

erg_code erg_net_create(erg_net **out, const erg_net_config *cfg, erg_err *err)
{
    erg_net *n = calloc(1, sizeof *n);
    erg_code rc;
    size_t i;
    if (!n) return erg_err_set(err, ERG_ERR_NOMEM, "net: out of memory");
    n->cfg = *cfg;
    snprintf(n->datadir, sizeof n->datadir, "%s", cfg->datadir ? cfg->datadir : ".");
    n->cfg.datadir = n->datadir;
    if (n->cfg.max_connections < 0) n->cfg.max_connections = 0;
    if (n->cfg.bantime <= 0) n->cfg.bantime = 86400;
    n->stall_ms = cfg->stall_timeout_ms ? cfg->stall_timeout_ms : (cfg->cp->net == ERG_NET_REGTEST ? 5000 : 60000);
    n->port = cfg->port ? cfg->port : cfg->cp->p2p_port;
    n->ibd = 1;
    n->next_id = 0;
    pthread_mutex_init(&n->lock, NULL);
    if ((rc = erg_random_bytes(&n->local_nonce, sizeof n->local_nonce, err))) goto fail;
    if ((rc = erg_random_bytes(&n->known_salt, sizeof n->known_salt, err))) goto fail;
    if ((rc = erg_addrman_create(&n->am, 10000, err))) goto fail;
    {
        char path[1100];
        erg_err lerr;
        snprintf(path, sizeof path, "%s/peers.dat", n->datadir);
        if (erg_addrman_load(n->am, path, &lerr)) {
            char bad[1200];
            snprintf(bad, sizeof bad, "%s.bad", path);
            erg_log_warn("net", "peers.dat unreadable (%s): starting with an empty address store, old file kept as %s",
                         lerr.reason, bad);
            if (rename(path, bad) != 0) erg_log_warn("net", "could not rename %s: %s", path, strerror(errno));
        }
        snprintf(path, sizeof path, "%s/banlist.dat", n->datadir);
        if ((rc = erg_banman_create(&n->bm, path, err))) goto fail;
    }
    for (i = 0; i < cfg->nconnect + cfg->naddnode && n->nadded < sizeof n->added / sizeof n->added[0]; i++) {
        const char *s = i < cfg->nconnect ? cfg->connect[i] : cfg->addnode[i - cfg->nconnect];
        erg_added_node *an = &n->added[n->nadded];
        if (strcmp(s, "0") == 0) continue;
        if ((rc = erg_netaddr_parse(s, cfg->cp->p2p_port, &an->na, err))) goto fail;
        snprintf(an->addr, sizeof an->addr, "%s", s);
        n->nadded++;
    }
    *out = n;
    return ERG_OK;
fail:
    erg_addrman_destroy(n->am);
    erg_banman_destroy(n->bm);
    pthread_mutex_destroy(&n->lock);
    free(n);
    return rc;
}

/* A listening socket on [::]:port that also takes IPv4 (IPV6_V6ONLY off); NULL where the host
 * has no IPv6 (the caller then listens on 0.0.0.0). */
static struct evconnlistener *listen_dual_stack(erg_net *n)
{
    struct sockaddr_in6 sa;
    int fd = socket(AF_INET6, SOCK_STREAM, 0), off = 0, on = 1;
    struct evconnlistener *l;
    if (fd < 0) return NULL;
    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_any;
    sa.sin6_port = htons(n->port);
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 || evutil_make_socket_nonblocking(fd) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SOMAXCONN) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    l = evconnlistener_new(n->base, accept_cb, n, LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (!l) close(fd);
    return l;
}

erg_code erg_net_start(erg_net *n, erg_err *err)
{
    struct timeval tv = {0, 100 * 1000};
    erg_code trc;
    if ((trc = erg_libevent_threads(err))) return trc;
    /* libevent writes with plain write(2): a peer that hangs up must not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    n->base = event_base_new();
    if (!n->base) return erg_err_set(err, ERG_ERR_NOMEM, "net: cannot create the event loop");
    if (n->cfg.listen) {
        erg_netaddr a;
        struct sockaddr_storage ss;
        socklen_t len;
        erg_code rc;
        char as[ERG_NETADDR_STRLEN];
        if (n->cfg.bind) {
            if ((rc = erg_netaddr_parse(n->cfg.bind, n->port, &a, err))) return rc;
            if (strchr(n->cfg.bind, ']') || (strchr(n->cfg.bind, ':') && strchr(n->cfg.bind, '.')))
                n->port = a.port; /* a port given with -bind wins */
            a.port = n->port;
        } else {
            /* Every interface, IPv6 and IPv4 on one dual-stack socket where the host has IPv6. */
            n->listener = listen_dual_stack(n);
            if ((rc = erg_netaddr_parse(n->listener ? "::" : "0.0.0.0", n->port, &a, err))) return rc;
        }
        erg_netaddr_format(&a, 1, as, sizeof as);
        if (!n->listener) {
            len = erg_netaddr_to_sockaddr(&a, &ss);
            n->listener = evconnlistener_new_bind(n->base, accept_cb, n, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                                  -1, (struct sockaddr *)&ss, (int)len);
        }
        if (!n->listener)
            return erg_err_set(err, ERG_ERR_IO, "cannot listen for peers on %s: %s (is another node running?)", as,
                               strerror(errno));
        erg_log_info("net", "listening for peers on %s", as);
    }
    n->wake = event_new(n->base, -1, 0, wake_cb, n);
    if (!n->wake) return erg_err_set(err, ERG_ERR_NOMEM, "net: cannot add the wake event");
    n->tick = event_new(n->base, -1, EV_PERSIST, tick_cb, n);
    if (!n->tick || event_add(n->tick, &tv) != 0) return erg_err_set(err, ERG_ERR_NOMEM, "net: cannot add the timer");
    event_active(n->tick, EV_TIMEOUT, 0); /* first tick at once: -connect/-addnode peers without delay */
    n->last_addr_save_ms = erg_net_now_ms();
    {
        erg_chain_listener l = {on_block_connected, NULL, n};
        if ((trc = erg_chainstate_add_listener(n->cfg.cs, &l, err))) return trc;
    }
    n->running = 1;
    if (pthread_create(&n->thread, NULL, net_thread, n) != 0) {
        n->running = 0;
        return erg_err_set(err, ERG_ERR_INTERNAL, "net: cannot start the network thread");
    }
    return ERG_OK;
}

void erg_net_stop(erg_net *n)
{
    char path[1100];
    erg_err err;
    if (!n || !n->base) return;
    pthread_mutex_lock(&n->lock);
    if (!n->running) {
        pthread_mutex_unlock(&n->lock);
        return;
    }
    n->running = 0;
    pthread_mutex_unlock(&n->lock);
    erg_chainstate_remove_listener(n->cfg.cs, n);
    pthread_join(n->thread, NULL);
    /* RPC threads may still be reading the peer list (the HTTP server stops after us). */
    pthread_mutex_lock(&n->lock);
    while (n->npeers) peer_free(n, n->npeers - 1);
    pthread_mutex_unlock(&n->lock);
    snprintf(path, sizeof path, "%s/peers.dat", n->datadir);
    if (erg_addrman_save(n->am, path, &err)) erg_log_warn("net", "could not save peers.dat: %s", err.reason);
}

void erg_net_destroy(erg_net *n)
{
    size_t i;
    if (!n) return;
    erg_net_stop(n);
    while (n->npeers) peer_free(n, n->npeers - 1);
    if (n->tick) event_free(n->tick);
    if (n->wake) event_free(n->wake);
    if (n->listener) evconnlistener_free(n->listener);
    if (n->base) event_base_free(n->base);
    for (i = 0; i < n->norphans; i++) erg_block_free(&n->orphans[i].block);
    free(n->peers);
    erg_addrman_destroy(n->am);
    erg_banman_destroy(n->bm);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

uint16_t erg_net_listen_port(erg_net *n)
{
    return n->port;
}

/* ---- for RPC ------------------------------------------------------------------------------ */

erg_code erg_net_peers(erg_net *n, erg_peer_info **out, size_t *count, erg_err *err)
{
    size_t i, k = 0;
    pthread_mutex_lock(&n->lock);
    *out = calloc(n->npeers ? n->npeers : 1, sizeof **out);
    if (!*out) {
        pthread_mutex_unlock(&n->lock);
        return erg_err_set(err, ERG_ERR_NOMEM, "net: out of memory");
    }
    for (i = 0; i < n->npeers; i++) {
        const erg_peer *p = n->peers[i];
        erg_peer_info *pi = &(*out)[k];
        if (p->closing) continue;
        pi->id = p->id;
        pi->addr = p->addr;
        pi->bind = p->bind;
        pi->inbound = p->inbound;
        pi->manual = p->manual;
        pi->version = p->got_version ? p->ver.version : 0;
        pi->services = p->got_version ? p->ver.services : 0;
        snprintf(pi->subver, sizeof pi->subver, "%s", p->got_version ? p->ver.user_agent : "");
        pi->starting_height = p->got_version ? p->ver.best_height : 0;
        pi->synced_headers = p->best_height;
        pi->synced_blocks = p->common_height;
        pi->conntime = p->conntime;
        pi->lastsend = p->lastsend;
        pi->lastrecv = p->lastrecv;
        pi->bytes_sent = p->bytes_sent;
        pi->bytes_recv = p->bytes_recv;
        pi->pingtime = p->pingtime;
        pi->misbehavior = p->misbehavior;
        pi->handshake_done = p->got_version && p->got_verack;
        pi->inflight = p->ninflight;
        k++;
    }
    *count = k;
    pthread_mutex_unlock(&n->lock);
    return ERG_OK;
}

void erg_net_counts(erg_net *n, size_t *in, size_t *out)
{
    size_t oa;
    pthread_mutex_lock(&n->lock);
    count_peers(n, in, &oa, out);
    pthread_mutex_unlock(&n->lock);
}

erg_code erg_net_addnode(erg_net *n, const char *addr, const char *command, erg_err *err)
{
    erg_netaddr a;
    size_t i;
    erg_code rc = ERG_OK;
    if ((rc = erg_netaddr_parse(addr, n->cfg.cp->p2p_port, &a, err))) return rc;
    pthread_mutex_lock(&n->lock);
    for (i = 0; i < n->nadded; i++)
        if (!n->added[i].onetry && erg_netaddr_equal(&n->added[i].na, &a)) break;
    if (strcmp(command, "add") == 0 || strcmp(command, "onetry") == 0) {
        int onetry = command[0] == 'o';
        if (!onetry && i < n->nadded) {
            rc = erg_err_set(err, ERG_ERR_INVALID, "Error: Node already added");
        } else if (n->nadded == sizeof n->added / sizeof n->added[0]) {
            rc = erg_err_set(err, ERG_ERR_RANGE, "Error: too many added nodes");
        } else {
            erg_added_node *an = &n->added[n->nadded++];
            memset(an, 0, sizeof *an);
            an->na = a;
            an->onetry = onetry;
            snprintf(an->addr, sizeof an->addr, "%s", addr);
        }
    } else if (strcmp(command, "remove") == 0) {
        if (i == n->nadded)
            rc = erg_err_set(err, ERG_ERR_NOTFOUND, "Error: Node could not be removed. It has not been added previously.");
        else
            n->added[i] = n->added[--n->nadded];
    } else {
        rc = erg_err_set(err, ERG_ERR_ARG, "command must be one of add, remove, onetry");
    }
    pthread_mutex_unlock(&n->lock);
    return rc;
}

erg_code erg_net_disconnect(erg_net *n, const char *addr, int64_t id, erg_err *err)
{
    erg_netaddr a;
    size_t i;
    int found = 0;
    if (addr && erg_netaddr_parse(addr, n->cfg.cp->p2p_port, &a, NULL) != ERG_OK)
        return erg_err_set(err, ERG_ERR_NOTFOUND, "Node not found in connected nodes");
    pthread_mutex_lock(&n->lock);
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        if (p->closing) continue;
        if (addr ? erg_netaddr_equal(&p->addr, &a) : p->id == id) {
            erg_peer_close(p, "disconnectnode");
            found = 1;
        }
    }
    pthread_mutex_unlock(&n->lock);
    return found ? ERG_OK : erg_err_set(err, ERG_ERR_NOTFOUND, "Node not found in connected nodes");
}

erg_code erg_net_ban(erg_net *n, const erg_subnet *sn, int64_t until, const char *reason, erg_err *err)
{
    size_t i;
    erg_code rc;
    pthread_mutex_lock(&n->lock);
    rc = erg_banman_ban(n->bm, sn, (int64_t)time(NULL), until, reason, err);
    if (rc == ERG_OK)
        for (i = 0; i < n->npeers; i++)
            if (erg_subnet_match(sn, n->peers[i]->addr.ip)) erg_peer_close(n->peers[i], "banned by setban");
    pthread_mutex_unlock(&n->lock);
    return rc;
}

int64_t erg_net_bantime(erg_net *n)
{
    return n->cfg.bantime;
}

erg_banman *erg_net_banman(erg_net *n)
{
    return n->bm;
}

erg_addrman *erg_net_addrman(erg_net *n)
{
    return n->am;
}

int erg_net_initial_download(erg_net *n)
{
    int v;
    pthread_mutex_lock(&n->lock);
    v = n->ibd;
    pthread_mutex_unlock(&n->lock);
    return v;
}
