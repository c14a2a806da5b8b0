/* Peer message handling: handshake, headers-first sync, block download from several peers, relay, orphans, addresses. */
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "ergon-config.h"
#include "src/crypto/random.h"
#include "src/node/netpeer.h"
#include "src/util/hex.h"
#include "src/util/log.h"

#define MAX_TIP_AGE (24 * 60 * 60) /* a tip older than this means we are still catching up */
#define ORPHAN_EXPIRE_S (20 * 60)
#define ANNOUNCE_HEADERS_MAX 8
#define UNCONNECTING_LIMIT 10

static void id_hex(const uint8_t id[32], char out[65])
{
    if (erg_hex_encode(id, 32, out, 65, NULL)) out[0] = 0;
}

static int handshake_done(const erg_peer *p)
{
    return p->got_version && p->got_verack && !p->closing;
}

/* ---- known inventory ------------------------------------------------------------------------ */

static uint64_t known_key(const erg_peer *p, const uint8_t h[32])
{
    uint64_t k;
    memcpy(&k, h, 8);
    k = (k ^ p->net->known_salt) * 0x9E3779B97F4A7C15ull;
    return k ? k : 1; /* 0 marks an empty slot */
}

static size_t known_find(const uint64_t *set, uint64_t k)
{
    size_t i = (size_t)(k >> 52) & (ERG_PEER_KNOWN_SLOTS - 1);
    while (set[i] && set[i] != k) i = (i + 1) & (ERG_PEER_KNOWN_SLOTS - 1);
    return i;
}

int erg_peer_knows(const erg_peer *p, const uint8_t h[32])
{
    uint64_t k = known_key(p, h);
    return p->known_cur[known_find(p->known_cur, k)] == k || p->known_old[known_find(p->known_old, k)] == k;
}

void erg_peer_learn(erg_peer *p, const uint8_t h[32])
{
    uint64_t k = known_key(p, h);
    size_t i;
    if (erg_peer_knows(p, h)) return;
    if (p->nknown >= ERG_PEER_KNOWN_SLOTS / 2) { /* keep probes short: at most half full */
        memcpy(p->known_old, p->known_cur, sizeof p->known_old);
        memset(p->known_cur, 0, sizeof p->known_cur);
        p->nknown = 0;
    }
    i = known_find(p->known_cur, k);
    p->known_cur[i] = k;
    p->nknown++;
}

/* ---- transactions requested, so that one announced by many peers is fetched once ----------- */

static size_t txreq_slot(const erg_net *n, const uint8_t h[32], uint64_t *key)
{
    uint64_t k;
    size_t i;
    memcpy(&k, h, 8);
    k = (k ^ n->known_salt) * 0xC2B2AE3D27D4EB4Full;
    if (!k) k = 1;
    *key = k;
    i = (size_t)(k >> 40) & (ERG_NET_TXREQ_SLOTS - 1);
    while (n->txreq_key[i] && n->txreq_key[i] != k) i = (i + 1) & (ERG_NET_TXREQ_SLOTS - 1);
    return i;
}

/* Whether h was requested less than ERG_NET_TXREQ_WAIT_MS ago; if not, record a request now. */
static int txreq_pending(erg_net *n, const uint8_t h[32], uint64_t now_ms)
{
    uint64_t k;
    size_t i = txreq_slot(n, h, &k);
    if (n->txreq_key[i] == k && now_ms - n->txreq_ms[i] < ERG_NET_TXREQ_WAIT_MS) return 1;
    if (n->txreq_key[i] != k) {
        if (n->ntxreq >= ERG_NET_TXREQ_SLOTS / 2) { /* keep probes short: start afresh */
            memset(n->txreq_key, 0, sizeof n->txreq_key);
            n->ntxreq = 0;
            i = txreq_slot(n, h, &k);
        }
        n->txreq_key[i] = k;
        n->ntxreq++;
    }
    n->txreq_ms[i] = now_ms;
    return 0;
}

/* ---- small senders --------------------------------------------------------------------------- */

static void send_empty(erg_peer *p, erg_msg_type t)
{
    erg_msg m;
    erg_msg_init(&m, t);
    erg_peer_send(p, &m);
}

static void send_version(erg_net *n, erg_peer *p)
{
    erg_msg m;
    erg_msg_init(&m, ERG_MSG_VERSION);
    m.u.version.version = ERG_NET_PROTOCOL_VERSION;
    m.u.version.services = ERG_NODE_NETWORK;
    m.u.version.time = (uint64_t)time(NULL);
    m.u.version.nonce = n->local_nonce;
    erg_chainstate_genesis_id(n->cfg.cs, m.u.version.genesis);
    m.u.version.best_height = erg_chainstate_height(n->cfg.cs);
    m.u.version.relay = 1;
    m.u.version.port = n->cfg.listen ? n->port : 0;
    snprintf(m.u.version.user_agent, sizeof m.u.version.user_agent, "/ergond:%s/", PACKAGE_VERSION);
    erg_peer_send(p, &m);
}

/* getheaders with our active-chain locator, preceded by `from` when given (continuing a long
 * headers download from the last header received). */
static void send_getheaders(erg_net *n, erg_peer *p, const uint8_t *from)
{
    uint8_t loc[ERG_NET_MAX_LOCATOR][32];
    size_t k = 0;
    erg_msg m;
    if (from) memcpy(loc[k++], from, 32);
    k += erg_chainstate_locator(n->cfg.cs, loc + k, ERG_NET_MAX_LOCATOR - k);
    erg_msg_init(&m, ERG_MSG_GETHEADERS);
    m.u.getheaders.locator = loc;
    m.u.getheaders.n = k;
    erg_peer_send(p, &m);
    p->getheaders_ms = erg_net_now_ms();
}

static void send_inv(erg_peer *p, erg_msg_type t, erg_inv *items, size_t n)
{
    size_t off = 0;
    while (off < n) {
        erg_msg m;
        size_t k = n - off > ERG_NET_MAX_INV ? ERG_NET_MAX_INV : n - off;
        erg_msg_init(&m, t);
        m.u.inv.items = items + off;
        m.u.inv.n = k;
        erg_peer_send(p, &m);
        off += k;
    }
}

/* ---- block download ------------------------------------------------------------------------- */

static erg_peer *inflight_owner(erg_net *n, const uint8_t id[32], size_t *slot)
{
    size_t i, j;
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        for (j = 0; j < p->ninflight; j++)
            if (memcmp(p->inflight[j].id, id, 32) == 0) {
                if (slot) *slot = j;
                return p;
            }
    }
    return NULL;
}

static int remove_inflight(erg_peer *p, const uint8_t id[32])
{
    size_t j;
    for (j = 0; j < p->ninflight; j++)
        if (memcmp(p->inflight[j].id, id, 32) == 0) {
            p->inflight[j] = p->inflight[--p->ninflight];
            return 1;
        }
    return 0;
}

/* Ask for the blocks the best header chain still lacks, spread over every peer that has them
 * (fewest requests outstanding first), at most ERG_PEER_MAX_INFLIGHT per peer. */
static void download(erg_net *n)
{
    uint8_t (*ids)[32];
    size_t k, i, total = 0;
    erg_inv *req[64];
    size_t nreq[64];
    erg_peer *who[64];
    size_t nwho = 0;
    size_t free_slots = 0, want;
    for (i = 0; i < n->npeers; i++) {
        total += n->peers[i]->ninflight;
        if (handshake_done(n->peers[i])) free_slots += ERG_PEER_MAX_INFLIGHT - n->peers[i]->ninflight;
    }
    if (total >= ERG_NET_MAX_INFLIGHT || free_slots == 0) return;
    /* The missing list starts with the blocks already in flight: look just past them. */
    want = total + free_slots < ERG_NET_MAX_INFLIGHT ? total + free_slots : ERG_NET_MAX_INFLIGHT;
    ids = malloc(want * sizeof *ids);
    if (!ids) return;
    k = erg_chainstate_missing_blocks(n->cfg.cs, ids, want);
    for (i = 0; i < k && total < ERG_NET_MAX_INFLIGHT; i++) {
        erg_block_info info;
        erg_peer *best = NULL;
        size_t j;
        if (inflight_owner(n, ids[i], NULL)) continue;
        if (erg_chainstate_block_info(n->cfg.cs, ids[i], &info, NULL) != ERG_OK) continue;
        for (j = 0; j < n->npeers; j++) {
            erg_peer *p = n->peers[j];
            if (!handshake_done(p) || p->ninflight >= ERG_PEER_MAX_INFLIGHT) continue;
            if (p->best_height < (int64_t)info.header.height) continue;
            if (!best || p->stalls < best->stalls || (p->stalls == best->stalls && p->ninflight < best->ninflight))
                best = p;
        }
        if (!best) continue;
        for (j = 0; j < nwho && who[j] != best; j++) {}
        if (j == nwho) {
            if (nwho == 64) continue;
            who[nwho] = best;
            nreq[nwho] = 0;
            req[nwho] = malloc(ERG_PEER_MAX_INFLIGHT * sizeof(erg_inv));
            if (!req[nwho]) continue;
            nwho++;
        }
        req[j][nreq[j]].type = ERG_INV_BLOCK;
        memcpy(req[j][nreq[j]].hash, ids[i], 32);
        nreq[j]++;
        memcpy(best->inflight[best->ninflight].id, ids[i], 32);
        best->inflight[best->ninflight].since_ms = erg_net_now_ms();
        best->ninflight++;
        total++;
    }
    for (i = 0; i < nwho; i++) {
        erg_log_debug("net", "requesting %zu blocks from peer=%lld", nreq[i], (long long)who[i]->id);
        send_inv(who[i], ERG_MSG_GETDATA, req[i], nreq[i]);
        free(req[i]);
    }
    free(ids);
}

/* A peer that sits on requested blocks past the stall timeout loses them (they go to someone
 * else next, since download() prefers peers that have not stalled) and is dropped after three
 * such rounds without delivering anything. */
static void check_stalls(erg_net *n, uint64_t now_ms)
{
    size_t i, j;
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        size_t stalled = 0;
        for (j = 0; j < p->ninflight;) {
            if (now_ms - p->inflight[j].since_ms > n->stall_ms) {
                p->inflight[j] = p->inflight[--p->ninflight];
                stalled++;
                continue;
            }
            j++;
        }
        if (!stalled) continue;
        erg_log_info("net", "peer=%lld stalled on %zu blocks for %u ms: asking others", (long long)p->id, stalled,
                     n->stall_ms);
        if (++p->stalls >= 3) erg_peer_close(p, "stalling the block download");
    }
}

/* ---- blocks ------------------------------------------------------------------------------------ */

static size_t block_bytes(const erg_block *b)
{
    size_t i, k = ERG_HEADER_SIZE + 9;
    for (i = 0; i < b->ntx; i++) k += erg_tx_size(&b->txs[i]);
    return k;
}

static void orphan_drop(erg_net *n, size_t i)
{
    n->orphan_bytes -= n->orphans[i].bytes;
    erg_block_free(&n->orphans[i].block);
    n->orphans[i] = n->orphans[--n->norphans];
}

/* The oldest orphan, of peer `from` only when from >= 0. */
static ssize_t orphan_oldest(const erg_net *n, int64_t from)
{
    size_t i;
    ssize_t best = -1;
    for (i = 0; i < n->norphans; i++)
        if ((from < 0 || n->orphans[i].from == from) && (best < 0 || n->orphans[i].seq < n->orphans[best].seq))
            best = (ssize_t)i;
    return best;
}

/* Keep an orphan within three bounds: ERG_NET_MAX_ORPHANS blocks, ERG_NET_MAX_ORPHAN_BYTES, and
 * ERG_NET_MAX_ORPHANS_PER_PEER from any one peer (its own oldest goes first, so one peer cannot
 * push out everybody else's). */
static void orphan_add(erg_net *n, erg_peer *p, erg_block *b, const uint8_t id[32])
{
    size_t i, mine = 0, bytes = block_bytes(b);
    for (i = 0; i < n->norphans; i++) {
        if (memcmp(n->orphans[i].id, id, 32) == 0) return;
        if (n->orphans[i].from == p->id) mine++;
    }
    if (mine >= ERG_NET_MAX_ORPHANS_PER_PEER) orphan_drop(n, (size_t)orphan_oldest(n, p->id));
    while (n->norphans && (n->norphans == ERG_NET_MAX_ORPHANS || n->orphan_bytes + bytes > ERG_NET_MAX_ORPHAN_BYTES))
        orphan_drop(n, (size_t)orphan_oldest(n, -1));
    n->orphans[n->norphans].block = *b; /* takes ownership */
    erg_block_init(b);
    memcpy(n->orphans[n->norphans].id, id, 32);
    n->orphans[n->norphans].from = p->id;
    n->orphans[n->norphans].time = (uint64_t)time(NULL);
    n->orphans[n->norphans].bytes = bytes;
    n->orphans[n->norphans].seq = ++n->orphan_seq;
    n->orphan_bytes += bytes;
    n->norphans++;
}

/* Hand a block to the chain state; returns 1 if it was accepted (stored), 0 otherwise. `p` may
 * be NULL for an orphan whose sender has gone. */
static int accept_block(erg_net *n, erg_peer *p, const erg_block *b, const uint8_t id[32])
{
    erg_err err;
    int became_tip = 0;
    char h[65];
    erg_code rc = erg_chainstate_process_block(n->cfg.cs, b, (uint64_t)time(NULL), &became_tip, &err);
    erg_mempool_sync(n->cfg.mp);
    id_hex(id, h);
    if (rc == ERG_OK) {
        erg_log_info("net", "block %u %s from peer=%lld accepted%s", (unsigned)b->header.height, h,
                     p ? (long long)p->id : -1LL, became_tip ? ", new tip" : "");
        return 1;
    }
    if (rc == ERG_ERR_INVALID && strncmp(err.reason, "duplicate:", 10) == 0) return 0;
    if (rc == ERG_ERR_INVALID || rc == ERG_ERR_PARSE || rc == ERG_ERR_RANGE || rc == ERG_ERR_CHECKSUM) {
        erg_log_warn("net", "block %s from peer=%lld rejected: %s", h, p ? (long long)p->id : -1LL, err.reason);
        if (p) {
            erg_msg m;
            erg_msg_init(&m, ERG_MSG_REJECT);
            snprintf(m.u.reject.command, sizeof m.u.reject.command, "block");
            m.u.reject.code = 0x10;
            snprintf(m.u.reject.reason, sizeof m.u.reject.reason, "%.*s", ERG_NET_MAX_REJECT_REASON, err.reason);
            memcpy(m.u.reject.hash, id, 32);
            erg_peer_send(p, &m);
            erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "invalid block %s: %s", h, err.reason);
        }
        return 0;
    }
    erg_log_error("net", "block %s from peer=%lld could not be processed: %s", h, p ? (long long)p->id : -1LL,
                  err.reason);
    return 0;
}

/* Blocks that waited for `parent` can go now (and their own children after them). */
static void process_orphans(erg_net *n, const uint8_t parent[32])
{
    uint8_t queue[ERG_NET_MAX_ORPHANS + 1][32];
    size_t nq = 0, i;
    memcpy(queue[nq++], parent, 32);
    while (nq) {
        uint8_t cur[32];
        memcpy(cur, queue[--nq], 32);
        for (i = 0; i < n->norphans;) {
            if (memcmp(n->orphans[i].block.header.prev, cur, 32) == 0) {
                erg_orphan_block o = n->orphans[i];
                n->orphan_bytes -= o.bytes;
                n->orphans[i] = n->orphans[--n->norphans];
                if (accept_block(n, erg_net_find_peer(n, o.from), &o.block, o.id) && nq <= ERG_NET_MAX_ORPHANS)
                    memcpy(queue[nq++], o.id, 32);
                erg_block_free(&o.block);
                continue;
            }
            i++;
        }
    }
}

static void announce_tip(erg_net *n, const erg_block_info *tip);

/* Announce the tip if it moved (called on every tick, and at once after a block from a peer so
 * that a block crosses each hop without waiting for the tick). */
void erg_netproc_announce(erg_net *n)
{
    erg_block_info tip;
    erg_chainstate_tip(n->cfg.cs, &tip);
    if (memcmp(tip.id, n->last_tip, 32) == 0) return;
    memcpy(n->last_tip, tip.id, 32);
    announce_tip(n, &tip);
}

static void on_block(erg_net *n, erg_peer *p, erg_msg *m)
{
    uint8_t id[32];
    uint32_t status = 0;
    erg_block *b = &m->u.block;
    erg_header_id(&b->header, id);
    if (remove_inflight(p, id)) p->stalls = 0; /* it delivers */
    erg_peer_learn(p, id);
    if ((int64_t)b->header.height > p->best_height) {
        p->best_height = b->header.height;
    }
    if (erg_chainstate_have(n->cfg.cs, id, &status) && (status & ERG_BLOCK_HAVE_DATA)) return;
    if (!erg_chainstate_have(n->cfg.cs, b->header.prev, NULL)) {
        char h[65];
        id_hex(id, h);
        erg_log_info("net", "orphan block %s from peer=%lld: parent unknown, asking for headers", h, (long long)p->id);
        orphan_add(n, p, b, id);
        send_getheaders(n, p, NULL);
        return;
    }
    if (accept_block(n, p, b, id)) {
        p->last_block_time = (int64_t)time(NULL);
        process_orphans(n, id);
        erg_netproc_announce(n);
    }
    download(n);
}

/* ---- headers ------------------------------------------------------------------------------------ */

static void on_headers(erg_net *n, erg_peer *p, erg_msg *m)
{
    size_t i;
    uint8_t last[32];
    uint64_t now = (uint64_t)time(NULL);
    if (m->u.headers.n == 0) {
        p->getheaders_ms = 0;
        return;
    }
    for (i = 0; i < m->u.headers.n; i++) {
        const erg_header *h = &m->u.headers.items[i];
        erg_block_info info;
        erg_err err;
        erg_code rc;
        if (i > 0 && memcmp(h->prev, last, 32) != 0) {
            erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "non-continuous headers message");
            return;
        }
        erg_header_id(h, last);
        rc = erg_chainstate_accept_header(n->cfg.cs, h, now, &info, &err);
        if (rc == ERG_ERR_NOTFOUND && i == 0) {
            if (++p->unconnecting >= UNCONNECTING_LIMIT) {
                erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "%d headers messages that do not connect", p->unconnecting);
                return;
            }
            send_getheaders(n, p, NULL);
            return;
        }
        if (rc == ERG_ERR_RANGE) {
            /* The header-only store is full: fetch blocks first; the tick asks for headers again
             * once downloads have made room (never in a tight request loop). */
            erg_log_warn("net", "headers from peer=%lld not stored: %s", (long long)p->id, err.reason);
            p->getheaders_ms = 0;
            download(n);
            return;
        }
        if (rc) {
            erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "invalid header at height %u: %s", (unsigned)h->height,
                                 err.reason);
            return;
        }
        erg_peer_learn(p, last);
        if ((int64_t)h->height > p->best_height) {
            p->best_height = h->height;
        }
    }
    p->unconnecting = 0;
    if (m->u.headers.n == ERG_NET_MAX_HEADERS)
        send_getheaders(n, p, last); /* there may be more */
    else
        p->getheaders_ms = 0;
    download(n);
}

static void on_getheaders(erg_net *n, erg_peer *p, erg_msg *m)
{
    erg_msg r;
    erg_header *hs = malloc(ERG_NET_MAX_HEADERS * sizeof *hs);
    size_t k;
    uint8_t zero[32] = {0};
    if (!hs) return;
    k = erg_chainstate_headers_after(n->cfg.cs, (const uint8_t(*)[32])m->u.getheaders.locator, m->u.getheaders.n,
                                     memcmp(m->u.getheaders.stop, zero, 32) ? m->u.getheaders.stop : NULL, hs,
                                     ERG_NET_MAX_HEADERS, NULL);
    erg_msg_init(&r, ERG_MSG_HEADERS);
    r.u.headers.items = hs;
    r.u.headers.n = k;
    erg_peer_send(p, &r);
    if (k) {
        uint8_t id[32];
        erg_header_id(&hs[k - 1], id);
        erg_peer_learn(p, id);
    }
    free(hs);
}

/* ---- inventory, data --------------------------------------------------------------------------- */

static void on_inv(erg_net *n, erg_peer *p, erg_msg *m)
{
    size_t i, nwant = 0;
    int want_headers = 0;
    erg_inv *want = malloc((m->u.inv.n ? m->u.inv.n : 1) * sizeof *want);
    if (!want) return;
    for (i = 0; i < m->u.inv.n; i++) {
        const erg_inv *iv = &m->u.inv.items[i];
        erg_peer_learn(p, iv->hash);
        if (iv->type == ERG_INV_BLOCK) {
            if (!erg_chainstate_have(n->cfg.cs, iv->hash, NULL)) want_headers = 1;
        } else if (iv->type == ERG_INV_TX) {
            if (n->ibd || erg_mempool_has(n->cfg.mp, iv->hash)) continue;
            if (txreq_pending(n, iv->hash, erg_net_now_ms())) continue; /* asked someone already */
            want[nwant++] = *iv;
        }
    }
    if (want_headers) send_getheaders(n, p, NULL);
    if (nwant) send_inv(p, ERG_MSG_GETDATA, want, nwant);
    free(want);
}

/* Serve block requests while the send buffer has room; the rest waits in the peer's queue. */
static void serve_getdata(erg_net *n, erg_peer *p)
{
    size_t done = 0;
    erg_inv *nf = NULL;
    size_t nnf = 0;
    while (done < p->ngetdata && !p->closing &&
           evbuffer_get_length(bufferevent_get_output(p->bev)) < ERG_NET_SEND_HIGH_WATER) {
        const uint8_t *id = p->getdata_queue[done];
        uint32_t type = p->getdata_types[done];
        erg_msg r;
        int found = 0;
        done++;
        if (type == ERG_INV_BLOCK) {
            erg_msg_init(&r, ERG_MSG_BLOCK);
            if (erg_chainstate_read_block(n->cfg.cs, id, &r.u.block, NULL) == ERG_OK) {
                erg_peer_send(p, &r);
                found = 1;
            }
            erg_msg_free(&r);
        } else if (type == ERG_INV_TX) {
            erg_mempool_entry e;
            if (erg_mempool_get(n->cfg.mp, id, &e, NULL) == ERG_OK) {
                erg_msg_init(&r, ERG_MSG_TX);
                r.u.tx = e.tx;
                erg_peer_send(p, &r);
                found = 1;
            }
        }
        if (!found) {
            erg_inv *nv = realloc(nf, (nnf + 1) * sizeof *nv);
            if (nv) {
                nf = nv;
                nf[nnf].type = type;
                memcpy(nf[nnf].hash, id, 32);
                nnf++;
            }
        }
    }
    if (nnf) send_inv(p, ERG_MSG_NOTFOUND, nf, nnf);
    free(nf);
    if (done) {
        memmove(p->getdata_queue, p->getdata_queue + done, (p->ngetdata - done) * sizeof *p->getdata_queue);
        memmove(p->getdata_types, p->getdata_types + done, (p->ngetdata - done) * sizeof *p->getdata_types);
        p->ngetdata -= done;
    }
}

static void on_getdata(erg_net *n, erg_peer *p, erg_msg *m)
{
    size_t i;
    if (p->ngetdata + m->u.inv.n > ERG_NET_MAX_INV) {
        erg_peer_misbehaving(p, 20, "getdata queue over %d entries", ERG_NET_MAX_INV);
        return;
    }
    if (p->ngetdata + m->u.inv.n > p->capgetdata) {
        size_t nc = p->ngetdata + m->u.inv.n;
        uint8_t(*nq)[32] = realloc(p->getdata_queue, nc * sizeof *nq);
        uint32_t *nt;
        if (!nq) return;
        p->getdata_queue = nq;
        nt = realloc(p->getdata_types, nc * sizeof *nt);
        if (!nt) return;
        p->getdata_types = nt;
        p->capgetdata = nc;
    }
    for (i = 0; i < m->u.inv.n; i++) {
        memcpy(p->getdata_queue[p->ngetdata], m->u.inv.items[i].hash, 32);
        p->getdata_types[p->ngetdata] = m->u.inv.items[i].type;
        p->ngetdata++;
    }
    serve_getdata(n, p);
}

static void on_notfound(erg_net *n, erg_peer *p, erg_msg *m)
{
    size_t i;
    (void)n;
    for (i = 0; i < m->u.inv.n; i++) {
        if (m->u.inv.items[i].type != ERG_INV_BLOCK || !remove_inflight(p, m->u.inv.items[i].hash)) continue;
        {
            erg_block_info info;
            /* It does not have that block: do not ask it for anything at that height again. */
            if (erg_chainstate_block_info(n->cfg.cs, m->u.inv.items[i].hash, &info, NULL) == ERG_OK &&
                p->best_height >= (int64_t)info.header.height)
                p->best_height = (int64_t)info.header.height - 1;
        }
    }
}

/* ---- transactions -------------------------------------------------------------------------------- */

static int tx_try(erg_net *n, erg_peer *p, const erg_tx *tx)
{
    erg_err err;
    erg_code rc = erg_mempool_add(n->cfg.mp, tx, (uint64_t)time(NULL), &err);
    uint8_t id[32];
    char h[65];
    size_t i;
    if (rc == ERG_OK) return 1;
    erg_tx_id(tx, id);
    id_hex(id, h);
    if (strncmp(err.reason, "nonce-gap", 9) == 0) {
        for (i = 0; i < n->norphan_txs; i++) {
            uint8_t oid[32];
            erg_tx_id(&n->orphan_txs[i], oid);
            if (memcmp(oid, id, 32) == 0) return 0;
        }
        if (n->norphan_txs == ERG_NET_MAX_ORPHAN_TXS) {
            memmove(n->orphan_txs, n->orphan_txs + 1, (n->norphan_txs - 1) * sizeof *n->orphan_txs);
            n->norphan_txs--;
        }
        n->orphan_txs[n->norphan_txs++] = *tx;
        erg_log_debug("net", "tx %s waits for an earlier nonce", h);
        return 0;
    }
    erg_log_debug("net", "tx %s not accepted: %s", h, err.reason);
    if (p && strncmp(err.reason, "bad-txns-", 9) == 0)
        erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "invalid transaction %s: %s", h, err.reason);
    return 0;
}

static void on_tx(erg_net *n, erg_peer *p, erg_msg *m)
{
    uint8_t id[32];
    erg_tx_id(&m->u.tx, id);
    erg_peer_learn(p, id);
    if (!tx_try(n, p, &m->u.tx)) return;
    p->last_tx_time = (int64_t)time(NULL);
    /* An admitted transaction may fill the nonce gap of waiting ones. */
    for (;;) {
        size_t i;
        int progress = 0;
        for (i = 0; i < n->norphan_txs;) {
            erg_tx t = n->orphan_txs[i];
            n->orphan_txs[i] = n->orphan_txs[--n->norphan_txs];
            if (tx_try(n, NULL, &t)) {
                progress = 1;
                continue;
            }
            i++;
        }
        if (!progress) break;
    }
}

static void on_mempool(erg_net *n, erg_peer *p, erg_msg *m)
{
    erg_mempool_entry *es;
    size_t k, i;
    erg_inv *items;
    (void)m;
    if (erg_mempool_entries(n->cfg.mp, &es, &k, NULL) != ERG_OK) return;
    items = malloc((k ? k : 1) * sizeof *items);
    if (items) {
        for (i = 0; i < k; i++) {
            items[i].type = ERG_INV_TX;
            memcpy(items[i].hash, es[i].txid, 32);
            erg_peer_learn(p, es[i].txid);
        }
        send_inv(p, ERG_MSG_INV, items, k);
    }
    free(items);
    free(es);
}

/* ---- addresses, keep-alive, handshake --------------------------------------------------------------- */

static void on_getaddr(erg_net *n, erg_peer *p, erg_msg *m)
{
    erg_msg r;
    erg_netaddr *v;
    (void)m;
    if (!p->inbound || p->sent_getaddr_reply) return; /* answered once, to inbound peers, as Core does */
    p->sent_getaddr_reply = 1;
    v = malloc(ERG_NET_MAX_ADDR * sizeof *v);
    if (!v) return;
    erg_msg_init(&r, ERG_MSG_ADDR);
    r.u.addr.items = v;
    r.u.addr.n = erg_addrman_sample(n->am, v, ERG_NET_MAX_ADDR, ERG_ADDRMAN_GETADDR_PCT);
    erg_peer_send(p, &r);
    free(v);
}

static void on_addr(erg_net *n, erg_peer *p, erg_msg *m)
{
    size_t i, j, added = 0, dropped = 0;
    uint64_t now = (uint64_t)time(NULL), now_ms = erg_net_now_ms();
    /* A token bucket, as Core's: a peer cannot make us store and relay addresses at any rate. */
    if (p->addr_tokens_ms == 0) {
        p->addr_tokens = ERG_NET_ADDR_BURST;
    } else {
        p->addr_tokens += (double)(now_ms - p->addr_tokens_ms) / 1000.0 * ERG_NET_ADDR_RATE;
        if (p->addr_tokens > ERG_NET_ADDR_BURST) p->addr_tokens = ERG_NET_ADDR_BURST;
    }
    p->addr_tokens_ms = now_ms;
    for (i = 0; i < m->u.addr.n; i++) {
        erg_netaddr *a = &m->u.addr.items[i];
        if (!erg_netaddr_is_valid(a)) continue;
        /* Outside regtest only addresses reachable across the Internet are stored and relayed:
         * a peer must not steer us at loopback or private services. */
        if (n->cfg.cp->net != ERG_NET_REGTEST && !erg_netaddr_is_routable(a)) continue;
        if (p->addr_tokens < 1.0) {
            dropped++;
            continue;
        }
        p->addr_tokens -= 1.0;
        added += (size_t)erg_addrman_add(n->am, a, now);
        /* Fresh addresses in small messages travel on to two other peers, as Core relays them. */
        if (m->u.addr.n <= 10 && a->time + 600 >= now) {
            size_t sent = 0;
            for (j = 0; j < n->npeers && sent < 2; j++) {
                erg_peer *q = n->peers[j];
                erg_msg r;
                if (q == p || !handshake_done(q)) continue;
                erg_msg_init(&r, ERG_MSG_ADDR);
                r.u.addr.items = a;
                r.u.addr.n = 1;
                erg_peer_send(q, &r);
                sent++;
            }
        }
    }
    erg_log_debug("net", "addr from peer=%lld: %zu addresses, %zu new, %zu over the rate limit", (long long)p->id,
                  m->u.addr.n, added, dropped);
}

static void on_ping(erg_net *n, erg_peer *p, erg_msg *m)
{
    erg_msg r;
    (void)n;
    erg_msg_init(&r, ERG_MSG_PONG);
    r.u.nonce = m->u.nonce;
    erg_peer_send(p, &r);
}

static void on_pong(erg_net *n, erg_peer *p, erg_msg *m)
{
    (void)n;
    if (!p->ping_nonce || m->u.nonce != p->ping_nonce) return;
    p->pingtime = (double)(erg_net_now_ms() - p->ping_sent_ms) / 1000.0;
    p->ping_nonce = 0;
}

static void on_sendheaders(erg_net *n, erg_peer *p, erg_msg *m)
{
    (void)n;
    (void)m;
    p->want_headers = 1;
}

static void on_reject(erg_net *n, erg_peer *p, erg_msg *m)
{
    (void)n;
    erg_log_info("net", "peer=%lld rejected our %s: %s", (long long)p->id, m->u.reject.command, m->u.reject.reason);
}

static void on_version(erg_net *n, erg_peer *p, erg_msg *m)
{
    const erg_msg_version *v = &m->u.version;
    uint8_t genesis[32];
    if (p->got_version) {
        erg_peer_misbehaving(p, 1, "duplicate version message");
        return;
    }
    erg_chainstate_genesis_id(n->cfg.cs, genesis);
    if (memcmp(v->genesis, genesis, 32) != 0) {
        char h[65];
        id_hex(v->genesis, h);
        erg_peer_close(p, "peer is on another chain (genesis %s)", h);
        return;
    }
    if (v->version < ERG_NET_MIN_PROTOCOL_VERSION) {
        erg_peer_close(p, "protocol version %u is too old (need %u)", (unsigned)v->version,
                       (unsigned)ERG_NET_MIN_PROTOCOL_VERSION);
        return;
    }
    if (v->nonce == n->local_nonce) {
        if (!p->inbound) erg_addrman_failed(n->am, &p->addr, (uint64_t)time(NULL));
        erg_peer_close(p, "connected to self");
        return;
    }
    p->ver = *v;
    p->got_version = 1;
    if ((int64_t)v->best_height > p->best_height) p->best_height = v->best_height;
    if (p->inbound) send_version(n, p);
    send_empty(p, ERG_MSG_VERACK);
}

static void on_verack(erg_net *n, erg_peer *p, erg_msg *m)
{
    char a[ERG_NETADDR_STRLEN];
    (void)m;
    if (p->got_verack) return;
    p->got_verack = 1;
    erg_netaddr_format(&p->addr, 1, a, sizeof a);
    erg_log_info("net", "connected to %s peer=%lld %s (%s, protocol %u, height %u)", p->inbound ? "inbound" : "outbound",
                 (long long)p->id, a, p->ver.user_agent, (unsigned)p->ver.version, (unsigned)p->ver.best_height);
    if (!p->inbound && !p->manual) erg_addrman_good(n->am, &p->addr, (uint64_t)time(NULL));
    p->last_ping_ms = 0; /* first ping at the next tick, so pingtime is known early */
    if (p->inbound && p->ver.port) {
        /* The peer listens there: others may connect to it. */
        erg_netaddr la = p->addr;
        la.port = p->ver.port;
        la.services = p->ver.services;
        la.time = (uint64_t)time(NULL);
        if (n->cfg.cp->net == ERG_NET_REGTEST || erg_netaddr_is_routable(&la)) (void)erg_addrman_add(n->am, &la, la.time);
    }
    send_empty(p, ERG_MSG_SENDHEADERS);
    if (!p->inbound) send_empty(p, ERG_MSG_GETADDR);
    send_getheaders(n, p, NULL);
}

typedef void (*handler_fn)(erg_net *n, erg_peer *p, erg_msg *m);

/* One handler per message type (a new type adds one row). */
static const handler_fn g_handlers[ERG_MSG_COUNT] = {
    [ERG_MSG_VERSION] = on_version,     [ERG_MSG_VERACK] = on_verack,     [ERG_MSG_PING] = on_ping,
    [ERG_MSG_PONG] = on_pong,           [ERG_MSG_GETADDR] = on_getaddr,   [ERG_MSG_ADDR] = on_addr,
    [ERG_MSG_INV] = on_inv,             [ERG_MSG_GETDATA] = on_getdata,   [ERG_MSG_NOTFOUND] = on_notfound,
    [ERG_MSG_GETHEADERS] = on_getheaders, [ERG_MSG_HEADERS] = on_headers, [ERG_MSG_BLOCK] = on_block,
    [ERG_MSG_TX] = on_tx,               [ERG_MSG_MEMPOOL] = on_mempool,   [ERG_MSG_SENDHEADERS] = on_sendheaders,
    [ERG_MSG_REJECT] = on_reject,
};

void erg_netproc_message(erg_net *n, erg_peer *p, erg_msg_type t, const uint8_t *payload, size_t len)
{
    erg_msg m;
    erg_err err;
    if (erg_msg_decode(t, payload, len, &m, &err)) {
        erg_peer_misbehaving(p, ERG_NET_BAN_SCORE, "malformed %s message: %s", erg_msg_command(t), err.reason);
        return;
    }
    if (t != ERG_MSG_VERSION && !p->got_version) {
        erg_peer_misbehaving(p, 10, "%s before version", erg_msg_command(t));
        erg_peer_close(p, "no version message first");
    } else if (t != ERG_MSG_VERSION && t != ERG_MSG_VERACK && !p->got_verack) {
        erg_peer_misbehaving(p, 10, "%s before verack", erg_msg_command(t));
    } else if (g_handlers[t]) {
        g_handlers[t](n, p, &m);
    }
    erg_msg_free(&m);
}

void erg_netproc_connected(erg_net *n, erg_peer *p)
{
    send_version(n, p);
}

void erg_netproc_peer_gone(erg_net *n, erg_peer *p)
{
    (void)n;
    p->ninflight = 0; /* download() asks someone else next tick */
}

/* ---- the tick: announcements, relay, downloads ------------------------------------------------------- */

static void announce_tip(erg_net *n, const erg_block_info *tip)
{
    size_t i;
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        erg_block_info chain[ANNOUNCE_HEADERS_MAX];
        size_t k = 0;
        int connects = 0;
        if (!handshake_done(p) || erg_peer_knows(p, tip->id)) continue;
        if (p->want_headers) {
            /* Walk back to a block the peer knows: if it is near, send the headers after it. */
            erg_block_info cur = *tip;
            while (k < ANNOUNCE_HEADERS_MAX) {
                chain[k++] = cur;
                if (erg_peer_knows(p, cur.header.prev) || cur.header.height == 0) {
                    connects = 1;
                    break;
                }
                if (erg_chainstate_block_info(n->cfg.cs, cur.header.prev, &cur, NULL) != ERG_OK) break;
            }
        }
        if (connects) {
            erg_header hs[ANNOUNCE_HEADERS_MAX];
            erg_msg m;
            size_t j;
            for (j = 0; j < k; j++) {
                hs[j] = chain[k - 1 - j].header;
                erg_peer_learn(p, chain[k - 1 - j].id);
            }
            erg_msg_init(&m, ERG_MSG_HEADERS);
            m.u.headers.items = hs;
            m.u.headers.n = k;
            erg_peer_send(p, &m);
        } else {
            erg_inv iv;
            iv.type = ERG_INV_BLOCK;
            memcpy(iv.hash, tip->id, 32);
            erg_peer_learn(p, tip->id);
            send_inv(p, ERG_MSG_INV, &iv, 1);
        }
    }
}

static void relay_txs(erg_net *n)
{
    uint8_t (*ids)[32] = NULL;
    size_t k = 0, i, j;
    uint64_t last;
    erg_inv *items;
    if (erg_mempool_txids_since(n->cfg.mp, n->relay_seq, &ids, &k, &last, NULL) != ERG_OK) return;
    n->relay_seq = last;
    if (!k) return;
    items = malloc(k * sizeof *items);
    for (i = 0; items && i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        size_t m = 0;
        if (!handshake_done(p) || !p->ver.relay) continue;
        for (j = 0; j < k; j++) {
            if (erg_peer_knows(p, ids[j])) continue;
            erg_peer_learn(p, ids[j]);
            items[m].type = ERG_INV_TX;
            memcpy(items[m].hash, ids[j], 32);
            m++;
        }
        if (m) send_inv(p, ERG_MSG_INV, items, m);
    }
    free(items);
    free(ids);
}

void erg_netproc_tick(erg_net *n)
{
    erg_block_info tip, best;
    uint64_t now_ms = erg_net_now_ms();
    uint64_t now = (uint64_t)time(NULL);
    size_t i;
    erg_chainstate_tip(n->cfg.cs, &tip);
    erg_chainstate_best_header(n->cfg.cs, &best);
    if (n->ibd && memcmp(tip.id, best.id, 32) == 0 && tip.header.time + MAX_TIP_AGE >= now) {
        n->ibd = 0;
        erg_log_info("net", "leaving initial block download at height %u", (unsigned)tip.header.height);
    }
    erg_netproc_announce(n);
    if (!n->ibd) relay_txs(n);
    check_stalls(n, now_ms);
    download(n);
    for (i = 0; i < n->npeers; i++) {
        erg_peer *p = n->peers[i];
        if (p->closing) continue;
        if (p->ngetdata) serve_getdata(n, p);
        if (p->getheaders_ms && now_ms - p->getheaders_ms > 60000) p->getheaders_ms = 0;
        /* A peer that has shown more than our best header, and no headers request pending to it:
         * ask again, at most every 30 s (resumes a sync paused by the header-only limit). */
        if (handshake_done(p) && !p->getheaders_ms && p->best_height > (int64_t)best.header.height &&
            now_ms - p->last_headers_retry_ms > 30000) {
            p->last_headers_retry_ms = now_ms;
            send_getheaders(n, p, NULL);
        }
        p->common_height = p->best_height < 0 ? -1
                           : (p->best_height < (int64_t)tip.header.height ? p->best_height : (int64_t)tip.header.height);
    }
    for (i = 0; i < n->norphans;) {
        if (n->orphans[i].time + ORPHAN_EXPIRE_S < now) {
            orphan_drop(n, i);
            continue;
        }
        i++;
    }
}
