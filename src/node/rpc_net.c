/* JSON-RPC methods of the P2P network (getpeerinfo, addnode, setban, ...), shaped as Bitcoin Core's. */
#include "src/node/rpc_net.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ergon-config.h"
#include "src/node/net.h"
#include "src/node/netmsg.h"
#include "src/util/amount.h"

static erg_net *net_of(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = ((erg_node *)c->ctx)->net;
    if (!n) erg_rpc_fail(e, ERG_RPC_CLIENT_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled");
    return n;
}

static json_t *addr_json(const erg_netaddr *a)
{
    char s[ERG_NETADDR_STRLEN];
    erg_netaddr_format(a, 1, s, sizeof s);
    return json_string(s);
}

static json_t *services_json(uint64_t services)
{
    char s[17];
    snprintf(s, sizeof s, "%016llx", (unsigned long long)services);
    return json_string(s);
}

static json_t *rpc_getpeerinfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    erg_peer_info *v;
    size_t k, i;
    json_t *arr;
    if (!n) return NULL;
    if (erg_net_peers(n, &v, &k, NULL)) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
    arr = json_array();
    for (i = 0; i < k; i++) {
        const erg_peer_info *p = &v[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(p->id));
        json_object_set_new(o, "addr", addr_json(&p->addr));
        json_object_set_new(o, "addrbind", addr_json(&p->bind));
        json_object_set_new(o, "services", services_json(p->services));
        json_object_set_new(o, "inbound", json_boolean(p->inbound));
        json_object_set_new(o, "connection_type",
                            json_string(p->inbound ? "inbound" : p->manual ? "manual" : "outbound-full-relay"));
        json_object_set_new(o, "version", json_integer(p->version));
        json_object_set_new(o, "subver", json_string(p->subver));
        json_object_set_new(o, "startingheight", json_integer(p->starting_height));
        json_object_set_new(o, "synced_headers", json_integer(p->synced_headers));
        json_object_set_new(o, "synced_blocks", json_integer(p->synced_blocks));
        json_object_set_new(o, "inflight", json_integer((json_int_t)p->inflight));
        json_object_set_new(o, "conntime", json_integer(p->conntime));
        json_object_set_new(o, "lastsend", json_integer(p->lastsend));
        json_object_set_new(o, "lastrecv", json_integer(p->lastrecv));
        json_object_set_new(o, "bytessent", json_integer((json_int_t)p->bytes_sent));
        json_object_set_new(o, "bytesrecv", json_integer((json_int_t)p->bytes_recv));
        if (p->pingtime >= 0) json_object_set_new(o, "pingtime", json_real(p->pingtime));
        json_object_set_new(o, "misbehavior", json_integer(p->misbehavior));
        json_object_set_new(o, "handshake", json_boolean(p->handshake_done));
        json_array_append_new(arr, o);
    }
    free(v);
    return arr;
}

static json_t *rpc_getconnectioncount(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    size_t in, out;
    if (!n) return NULL;
    erg_net_counts(n, &in, &out);
    return json_integer((json_int_t)(in + out));
}

static json_t *rpc_getnetworkinfo(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_node *node = c->ctx;
    json_t *o = json_object();
    size_t in = 0, out = 0;
    char sub[64], fee[ERG_AMOUNT_STR_MAX];
    erg_mempool_info mi;
    (void)e;
    if (node->net) erg_net_counts(node->net, &in, &out);
    erg_mempool_info_get(node->mp, &mi);
    erg_amount_format(mi.min_fee_per_kb, fee);
    snprintf(sub, sizeof sub, "/ergond:%s/", PACKAGE_VERSION);
    {
        /* As Core: major * 10000 + minor * 100 + patch. */
        unsigned maj = 0, min = 0, pat = 0;
        if (sscanf(PACKAGE_VERSION, "%u.%u.%u", &maj, &min, &pat) < 1) maj = 0;
        json_object_set_new(o, "version", json_integer((json_int_t)(maj * 10000 + min * 100 + pat)));
    }
    json_object_set_new(o, "subversion", json_string(sub));
    json_object_set_new(o, "protocolversion", json_integer(ERG_NET_PROTOCOL_VERSION));
    json_object_set_new(o, "localservices", services_json(node->net ? ERG_NODE_NETWORK : 0));
    json_object_set_new(o, "networkactive", json_boolean(node->net != NULL));
    json_object_set_new(o, "connections", json_integer((json_int_t)(in + out)));
    json_object_set_new(o, "connections_in", json_integer((json_int_t)in));
    json_object_set_new(o, "connections_out", json_integer((json_int_t)out));
    json_object_set_new(o, "port", json_integer(node->net ? erg_net_listen_port(node->net) : 0));
    json_object_set_new(o, "relayfee", json_string(fee));
    json_object_set_new(o, "localaddresses", json_array());
    json_object_set_new(o, "warnings", json_string(""));
    return o;
}

static json_t *rpc_addnode(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    erg_err err;
    erg_code rc;
    const char *cmd = json_string_value(json_array_get(c->params, 1));
    if (!n) return NULL;
    if (strcmp(cmd, "add") && strcmp(cmd, "remove") && strcmp(cmd, "onetry"))
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "command must be one of: add, remove, onetry");
    rc = erg_net_addnode(n, json_string_value(json_array_get(c->params, 0)), cmd, &err);
    if (rc == ERG_ERR_INVALID) return erg_rpc_fail(e, ERG_RPC_CLIENT_NODE_ALREADY_ADDED, "%s", err.reason);
    if (rc == ERG_ERR_NOTFOUND) return erg_rpc_fail(e, ERG_RPC_CLIENT_NODE_NOT_ADDED, "%s", err.reason);
    if (rc) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "%s", err.reason);
    return json_null();
}

static json_t *rpc_disconnectnode(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    json_t *a = json_array_get(c->params, 0), *id = json_array_get(c->params, 1);
    const char *addr = json_is_string(a) ? json_string_value(a) : "";
    erg_err err;
    if (!n) return NULL;
    if (addr[0] && json_is_integer(id))
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMS, "Only one of address and nodeid should be provided.");
    if (!addr[0] && !json_is_integer(id))
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMS, "Only one of address and nodeid should be provided.");
    if (erg_net_disconnect(n, addr[0] ? addr : NULL, json_is_integer(id) ? json_integer_value(id) : -1, &err))
        return erg_rpc_fail(e, ERG_RPC_CLIENT_NODE_NOT_CONNECTED, "%s", err.reason);
    return json_null();
}

static json_t *rpc_setban(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    const char *sub = json_string_value(json_array_get(c->params, 0));
    const char *cmd = json_string_value(json_array_get(c->params, 1));
    json_t *bt = json_array_get(c->params, 2), *abs = json_array_get(c->params, 3);
    erg_subnet sn;
    erg_err err;
    int64_t now = (int64_t)time(NULL), until;
    if (!n) return NULL;
    if (strcmp(cmd, "add") && strcmp(cmd, "remove"))
        return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "command must be add or remove");
    if (erg_subnet_parse(sub, &sn, &err))
        return erg_rpc_fail(e, ERG_RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet (%s)", err.reason);
    if (cmd[0] == 'r') {
        if (erg_banman_unban(erg_net_banman(n), &sn, &err))
            return erg_rpc_fail(e, ERG_RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Unban failed. Requested address/subnet was not previously manually banned.");
        return json_null();
    }
    {
        json_int_t secs = json_is_integer(bt) ? json_integer_value(bt) : 0;
        if (secs < 0) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "bantime must not be negative");
        if (json_is_true(abs)) {
            if (secs <= now) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
            until = secs;
        } else {
            if (!secs) secs = erg_net_bantime(n);
            until = secs > INT64_MAX - now ? INT64_MAX : now + secs; /* forever, not wrapped into the past */
        }
    }
    if (erg_net_ban(n, &sn, until, "manually added", &err)) {
        if (erg_banman_is_banned(erg_net_banman(n), sn.ip, now))
            return erg_rpc_fail(e, ERG_RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
        return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "%s", err.reason);
    }
    return json_null();
}

static json_t *rpc_listbanned(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    erg_ban_entry *v;
    size_t k, i;
    int64_t now = (int64_t)time(NULL);
    json_t *arr;
    if (!n) return NULL;
    if (erg_banman_list(erg_net_banman(n), now, &v, &k, NULL))
        return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
    arr = json_array();
    for (i = 0; i < k; i++) {
        char s[ERG_NETADDR_STRLEN];
        json_t *o = json_object();
        erg_subnet_format(&v[i].subnet, s, sizeof s);
        json_object_set_new(o, "address", json_string(s));
        json_object_set_new(o, "ban_created", json_integer(v[i].created));
        json_object_set_new(o, "banned_until", json_integer(v[i].until));
        json_object_set_new(o, "ban_duration", json_integer(v[i].until - v[i].created));
        json_object_set_new(o, "time_remaining", json_integer(v[i].until - now));
        json_object_set_new(o, "ban_reason", json_string(v[i].reason));
        json_array_append_new(arr, o);
    }
    free(v);
    return arr;
}

static json_t *rpc_clearbanned(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    erg_err err;
    if (!n) return NULL;
    if (erg_banman_clear(erg_net_banman(n), &err)) return erg_rpc_fail(e, ERG_RPC_MISC_ERROR, "%s", err.reason);
    return json_null();
}

static json_t *rpc_getnodeaddresses(const erg_rpc_call *c, erg_rpc_error *e)
{
    erg_net *n = net_of(c, e);
    json_t *cnt = json_array_get(c->params, 0), *arr;
    json_int_t want = json_is_integer(cnt) ? json_integer_value(cnt) : 1;
    erg_netaddr *v;
    size_t k, i;
    if (!n) return NULL;
    if (want < 0) return erg_rpc_fail(e, ERG_RPC_INVALID_PARAMETER, "Address count out of range");
    if (want == 0 || want > 10000) want = 10000; /* 0: all, as Core */
    v = malloc((size_t)want * sizeof *v);
    if (!v) return erg_rpc_fail(e, ERG_RPC_OUT_OF_MEMORY, "out of memory");
    k = erg_addrman_sample(erg_net_addrman(n), v, (size_t)want, 100);
    arr = json_array();
    for (i = 0; i < k; i++) {
        char ip[ERG_NETADDR_STRLEN];
        json_t *o = json_object();
        erg_netaddr_format(&v[i], 0, ip, sizeof ip);
        json_object_set_new(o, "time", json_integer((json_int_t)v[i].time));
        json_object_set_new(o, "services", json_integer((json_int_t)v[i].services));
        json_object_set_new(o, "address", json_string(ip));
        json_object_set_new(o, "port", json_integer(v[i].port));
        json_object_set_new(o, "network", json_string(erg_netaddr_is_ipv4(&v[i]) ? "ipv4" : "ipv6"));
        json_array_append_new(arr, o);
    }
    free(v);
    return arr;
}

static const erg_rpc_arg a_addnode[] = {{"node", ERG_RPC_STR, 0, NULL, "ip:port of the peer"},
                                        {"command", ERG_RPC_STR, 0, NULL, "add, remove or onetry"}};
static const erg_rpc_arg a_disconnect[] = {{"address", ERG_RPC_STR, 1, NULL, "ip:port of the peer"},
                                           {"nodeid", ERG_RPC_INT, 1, NULL, "the peer id (getpeerinfo)"}};
static const erg_rpc_arg a_setban[] = {{"subnet", ERG_RPC_STR, 0, NULL, "an IP or subnet (1.2.3.0/24)"},
                                       {"command", ERG_RPC_STR, 0, NULL, "add or remove"},
                                       {"bantime", ERG_RPC_INT, 1, "0", "seconds (0: -bantime), or a unix time with absolute"},
                                       {"absolute", ERG_RPC_BOOL, 1, "false", "bantime is a unix time"}};
static const erg_rpc_arg a_count[] = {{"count", ERG_RPC_INT, 1, "1", "how many addresses (0: all)"}};

static const erg_rpc_method g_methods[] = {
    {"network", "getpeerinfo", rpc_getpeerinfo, NULL, NULL, 0, "Every connected peer.", NULL, 0},
    {"network", "getconnectioncount", rpc_getconnectioncount, NULL, NULL, 0, "Number of connections.", "n", 0},
    {"network", "getnetworkinfo", rpc_getnetworkinfo, NULL, NULL, 0, "State of the P2P networking.", NULL, 0},
    {"network", "addnode", rpc_addnode, NULL, a_addnode, 2, "Add or remove a peer to keep connected, or try one once.", NULL, 0},
    {"network", "disconnectnode", rpc_disconnectnode, NULL, a_disconnect, 2, "Disconnect a peer by address or id.", NULL, 0},
    {"network", "setban", rpc_setban, NULL, a_setban, 4, "Ban or unban an IP or subnet (banning disconnects it).", NULL, 0},
    {"network", "listbanned", rpc_listbanned, NULL, NULL, 0, "Banned IPs and subnets.", NULL, 0},
    {"network", "clearbanned", rpc_clearbanned, NULL, NULL, 0, "Remove every ban.", NULL, 0},
    {"network", "getnodeaddresses", rpc_getnodeaddresses, NULL, a_count, 1, "Addresses from the peer address store.", NULL, 0},
};

erg_code erg_rpc_register_net(erg_rpc_server *rpc, erg_node *node, erg_err *err)
{
    return erg_rpc_register_with_ctx(rpc, g_methods, sizeof g_methods / sizeof g_methods[0], node, err);
}
