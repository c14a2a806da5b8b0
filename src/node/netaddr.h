/* Peer network addresses: IPv4/IPv6 (IPv4 as mapped IPv6) plus port, subnets, parsing and formatting. */
#ifndef ERG_NODE_NETADDR_H
#define ERG_NODE_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/util/error.h"

#define ERG_NETADDR_STRLEN 64 /* "[ipv6]:port" with room to spare */

/* One peer address as gossiped and stored. IPv4 is kept as ::ffff:a.b.c.d. */
typedef struct erg_netaddr {
    uint8_t ip[16];
    uint16_t port;     /* host order */
    uint64_t services; /* ERG_NODE_* bits the peer advertised */
    uint64_t time;     /* unix seconds last seen (gossip) */
} erg_netaddr;

/* A subnet for bans: ip with all bits past `bits` (0..128, in the 128-bit mapped space) zero. */
typedef struct erg_subnet {
    uint8_t ip[16];
    uint8_t bits;
} erg_subnet;

/* "1.2.3.4", "1.2.3.4:8333", "::1", "[::1]:8333". A missing port gives default_port.
 * Host names are refused (no DNS lookups in the node). */
erg_code erg_netaddr_parse(const char *s, uint16_t default_port, erg_netaddr *out, erg_err *err) ERG_WARN_UNUSED;
/* "1.2.3.4:8333" or "[::1]:8333"; with_port 0 gives the ip alone. */
void erg_netaddr_format(const erg_netaddr *a, int with_port, char *out, size_t cap);
int erg_netaddr_is_ipv4(const erg_netaddr *a);
int erg_netaddr_is_loopback(const erg_netaddr *a);
/* Valid for gossip: not unspecified (0.0.0.0, ::), not multicast, port non-zero. */
int erg_netaddr_is_valid(const erg_netaddr *a);
/* Reachable across the Internet: valid, and not loopback, private (RFC 1918, 4193), link-local,
 * shared (RFC 6598), benchmarking, documentation or reserved space. */
int erg_netaddr_is_routable(const erg_netaddr *a);
int erg_netaddr_equal(const erg_netaddr *a, const erg_netaddr *b); /* ip and port */
/* Conversions with sockaddr (AF_INET or AF_INET6). */
erg_code erg_netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len, erg_netaddr *out, erg_err *err) ERG_WARN_UNUSED;
socklen_t erg_netaddr_to_sockaddr(const erg_netaddr *a, struct sockaddr_storage *ss);

/* "1.2.3.4" (one host), "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1", "2001:db8::/32". */
erg_code erg_subnet_parse(const char *s, erg_subnet *out, erg_err *err) ERG_WARN_UNUSED;
/* "1.2.3.4/32", "1.2.3.0/24", "2001:db8::/32". */
void erg_subnet_format(const erg_subnet *sn, char *out, size_t cap);
int erg_subnet_match(const erg_subnet *sn, const uint8_t ip[16]);
int erg_subnet_equal(const erg_subnet *a, const erg_subnet *b);
/* The single-host subnet of an address. */
void erg_subnet_host(const uint8_t ip[16], erg_subnet *out);

#endif
