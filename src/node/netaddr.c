/* Peer network addresses: numeric IPv4/IPv6 parsing (inet_pton, never DNS), formatting, subnets. */
#include "src/node/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define MAX_INPUT 100 /* longer strings cannot be an address with a port; refused before copying */

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int ip_is_v4(const uint8_t ip[16])
{
    return memcmp(ip, mapped_prefix, sizeof mapped_prefix) == 0;
}

static void ip_from_v4(const uint8_t v4[4], uint8_t ip[16])
{
    memcpy(ip, mapped_prefix, sizeof mapped_prefix);
    memcpy(ip + 12, v4, 4);
}

/* A numeric IPv4 or IPv6 address (no port, no brackets) into the mapped space. */
static int ip_parse(const char *s, uint8_t ip[16])
{
    uint8_t v4[4];
    if (strchr(s, ':')) return inet_pton(AF_INET6, s, ip) == 1;
    if (inet_pton(AF_INET, s, v4) != 1) return 0;
    ip_from_v4(v4, ip);
    return 1;
}

static void ip_format(const uint8_t ip[16], char *out, size_t cap)
{
    char tmp[INET6_ADDRSTRLEN];
    if (ip_is_v4(ip)) snprintf(out, cap, "%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
    else if (inet_ntop(AF_INET6, ip, tmp, sizeof tmp)) snprintf(out, cap, "%s", tmp);
    else snprintf(out, cap, "?");
}

/* The length of s, after refusing NULL, empty and overlong input ("what" names it in reasons). */
static erg_code check_input(const char *s, const char *what, size_t *len, erg_err *err)
{
    if (!s) return erg_err_set(err, ERG_ERR_ARG, "%s: none given", what);
    *len = strnlen(s, MAX_INPUT + 1);
    if (*len == 0) return erg_err_set(err, ERG_ERR_PARSE, "%s: empty", what);
    if (*len > MAX_INPUT) return erg_err_set(err, ERG_ERR_PARSE, "%s: longer than %d characters", what, MAX_INPUT);
    return ERG_OK;
}

/* A decimal number 0..max, digits only (no sign, space or hex): 0 ok, -1 empty, -2 not a
 * number, -3 above max. */
static int decimal_parse(const char *p, unsigned max, unsigned *out)
{
    unsigned long v = 0;
    if (!*p) return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return -2;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max) return -3;
    }
    *out = (unsigned)v;
    return 0;
}

/* Port 1..65535. */
static erg_code port_parse(const char *s, const char *whole, uint16_t *out, erg_err *err)
{
    unsigned v = 0;
    switch (decimal_parse(s, 65535, &v)) {
    case -1: return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": empty port", whole);
    case -2: return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": port is not a number", whole);
    case -3: return erg_err_set(err, ERG_ERR_RANGE, "address \"%s\": port above 65535", whole);
    }
    if (v == 0) return erg_err_set(err, ERG_ERR_RANGE, "address \"%s\": port 0", whole);
    *out = (uint16_t)v;
    return ERG_OK;
}

erg_code erg_netaddr_parse(const char *s, uint16_t default_port, erg_netaddr *out, erg_err *err)
{
    char host[MAX_INPUT + 1];
    const char *port = NULL, *colon;
    erg_netaddr a;
    erg_code rc;
    size_t n;
    if ((rc = check_input(s, "address", &n, err))) return rc;
    memset(&a, 0, sizeof a);
    a.port = default_port;
    if (s[0] == '[') {
        /* "[v6]" or "[v6]:port": brackets are the only way to give an IPv6 address a port. */
        const char *close = strchr(s, ']');
        if (!close) return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": '[' without ']'", s);
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        if (close[1] == ':') port = close + 2;
        else if (close[1]) return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": junk after ']'", s);
        if (!strchr(host, ':') || inet_pton(AF_INET6, host, a.ip) != 1)
            return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": not an IPv6 address inside brackets", s);
    } else {
        colon = strchr(s, ':');
        if (colon && !strchr(colon + 1, ':')) {
            /* Exactly one colon: IPv4 with a port (an IPv6 address has at least two). */
            memcpy(host, s, (size_t)(colon - s));
            host[colon - s] = '\0';
            port = colon + 1;
        } else {
            memcpy(host, s, n + 1);
        }
        if (!ip_parse(host, a.ip))
            return erg_err_set(err, ERG_ERR_PARSE, "address \"%s\": not a numeric IPv4 or IPv6 address (host names are not resolved)", s);
    }
    if (port && (rc = port_parse(port, s, &a.port, err))) return rc;
    *out = a;
    return ERG_OK;
}

void erg_netaddr_format(const erg_netaddr *a, int with_port, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (!cap) return;
    ip_format(a->ip, ip, sizeof ip);
    if (!with_port) snprintf(out, cap, "%s", ip);
    else if (ip_is_v4(a->ip)) snprintf(out, cap, "%s:%u", ip, a->port);
    else snprintf(out, cap, "[%s]:%u", ip, a->port);
}

int erg_netaddr_is_ipv4(const erg_netaddr *a)
{
    return ip_is_v4(a->ip);
}

int erg_netaddr_is_loopback(const erg_netaddr *a)
{
    static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (ip_is_v4(a->ip)) return a->ip[12] == 127;
    return memcmp(a->ip, v6_loopback, 16) == 0;
}

int erg_netaddr_is_valid(const erg_netaddr *a)
{
    static const uint8_t zero[16];
    if (a->port == 0) return 0;
    if (ip_is_v4(a->ip)) {
        if (memcmp(a->ip + 12, zero, 4) == 0) return 0; /* 0.0.0.0 */
        if ((a->ip[12] & 0xf0) == 0xe0) return 0;       /* 224.0.0.0/4 multicast */
        return 1;
    }
    if (memcmp(a->ip, zero, 16) == 0) return 0; /* :: */
    if (a->ip[0] == 0xff) return 0;             /* ff00::/8 multicast */
    return 1;
}

int erg_netaddr_is_routable(const erg_netaddr *a)
{
    const uint8_t *v = a->ip;
    if (!erg_netaddr_is_valid(a) || erg_netaddr_is_loopback(a)) return 0;
    if (ip_is_v4(v)) {
        const uint8_t *q = v + 12;
        if (q[0] == 10) return 0;                                  /* RFC 1918 */
        if (q[0] == 172 && (q[1] & 0xf0) == 16) return 0;          /* RFC 1918 */
        if (q[0] == 192 && q[1] == 168) return 0;                  /* RFC 1918 */
        if (q[0] == 169 && q[1] == 254) return 0;                  /* RFC 3927 link-local */
        if (q[0] == 100 && (q[1] & 0xc0) == 64) return 0;          /* RFC 6598 shared space */
        if (q[0] == 198 && (q[1] & 0xfe) == 18) return 0;          /* RFC 2544 benchmarking */
        if (q[0] == 192 && q[1] == 0 && q[2] == 2) return 0;       /* RFC 5737 documentation */
        if (q[0] == 198 && q[1] == 51 && q[2] == 100) return 0;    /* RFC 5737 */
        if (q[0] == 203 && q[1] == 0 && q[2] == 113) return 0;     /* RFC 5737 */
        if (q[0] >= 240) return 0;                                 /* reserved, broadcast */
        return 1;
    }
    if ((v[0] & 0xfe) == 0xfc) return 0;                           /* RFC 4193 unique local */
    if (v[0] == 0xfe && (v[1] & 0xc0) == 0x80) return 0;           /* RFC 4291 link-local */
    if (v[0] == 0x20 && v[1] == 0x01 && v[2] == 0x0d && v[3] == 0xb8) return 0; /* RFC 3849 documentation */
    return 1;
}

int erg_netaddr_equal(const erg_netaddr *a, const erg_netaddr *b)
{
    return a->port == b->port && memcmp(a->ip, b->ip, 16) == 0;
}

erg_code erg_netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len, erg_netaddr *out, erg_err *err)
{
    erg_netaddr a;
    if (!sa) return erg_err_set(err, ERG_ERR_ARG, "sockaddr: none given");
    memset(&a, 0, sizeof a);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        if (len < (socklen_t)sizeof *s4) return erg_err_set(err, ERG_ERR_PARSE, "sockaddr: %u bytes is short for AF_INET", (unsigned)len);
        ip_from_v4((const uint8_t *)&s4->sin_addr, a.ip);
        a.port = ntohs(s4->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        if (len < (socklen_t)sizeof *s6) return erg_err_set(err, ERG_ERR_PARSE, "sockaddr: %u bytes is short for AF_INET6", (unsigned)len);
        memcpy(a.ip, &s6->sin6_addr, 16);
        a.port = ntohs(s6->sin6_port);
    } else {
        return erg_err_set(err, ERG_ERR_UNSUPPORTED, "sockaddr: address family %d is neither IPv4 nor IPv6", (int)sa->sa_family);
    }
    *out = a;
    return ERG_OK;
}

socklen_t erg_netaddr_to_sockaddr(const erg_netaddr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip_is_v4(a->ip)) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, a->ip + 12, 4);
        s4->sin_port = htons(a->port);
        return (socklen_t)sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->ip, 16);
        s6->sin6_port = htons(a->port);
        return (socklen_t)sizeof *s6;
    }
}

/* ---- subnets ---------------------------------------------------------------------------- */

/* Clear every bit of ip past the first `bits`. */
static void mask_to(uint8_t ip[16], unsigned bits)
{
    unsigned i;
    for (i = 0; i < 16; i++) {
        if (bits >= 8 * (i + 1)) continue;
        if (bits <= 8 * i) ip[i] = 0;
        else ip[i] &= (uint8_t)(0xff << (8 - (bits - 8 * i)));
    }
}

/* Prefix length of a dotted IPv4 netmask, or -1 when its ones are not contiguous. */
static int v4_mask_bits(const uint8_t m[4])
{
    uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    int n = 0;
    while (n < 32 && (v & (0x80000000u >> n))) n++;
    if (n < 32 && (v << n) != 0) return -1;
    return n;
}

erg_code erg_subnet_parse(const char *s, erg_subnet *out, erg_err *err)
{
    char host[MAX_INPUT + 1];
    const char *slash;
    erg_subnet sn;
    size_t n;
    int v4;
    erg_code rc;
    if ((rc = check_input(s, "subnet", &n, err))) return rc;
    slash = strchr(s, '/');
    if (slash) {
        memcpy(host, s, (size_t)(slash - s));
        host[slash - s] = '\0';
    } else {
        memcpy(host, s, n + 1);
    }
    memset(&sn, 0, sizeof sn);
    if (!ip_parse(host, sn.ip))
        return erg_err_set(err, ERG_ERR_PARSE, "subnet \"%s\": not a numeric IPv4 or IPv6 address", s);
    v4 = !strchr(host, ':');
    sn.bits = 128;
    if (slash) {
        const char *p = slash + 1;
        uint8_t m[4];
        if (v4 && strchr(p, '.')) {
            int b;
            if (inet_pton(AF_INET, p, m) != 1) return erg_err_set(err, ERG_ERR_PARSE, "subnet \"%s\": bad netmask", s);
            if ((b = v4_mask_bits(m)) < 0)
                return erg_err_set(err, ERG_ERR_PARSE, "subnet \"%s\": netmask is not contiguous", s);
            sn.bits = (uint8_t)(96 + b);
        } else {
            unsigned v = 0, max = v4 ? 32 : 128;
            switch (decimal_parse(p, max, &v)) {
            case -1: return erg_err_set(err, ERG_ERR_PARSE, "subnet \"%s\": empty prefix length", s);
            case -2: return erg_err_set(err, ERG_ERR_PARSE, "subnet \"%s\": prefix length is not a number", s);
            case -3: return erg_err_set(err, ERG_ERR_RANGE, "subnet \"%s\": prefix length above %u", s, max);
            }
            sn.bits = (uint8_t)(v4 ? 96 + v : v);
        }
    }
    mask_to(sn.ip, sn.bits);
    *out = sn;
    return ERG_OK;
}

void erg_subnet_format(const erg_subnet *sn, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (!cap) return;
    ip_format(sn->ip, ip, sizeof ip);
    if (ip_is_v4(sn->ip) && sn->bits >= 96) snprintf(out, cap, "%s/%u", ip, sn->bits - 96u);
    else snprintf(out, cap, "%s/%u", ip, sn->bits);
}

int erg_subnet_match(const erg_subnet *sn, const uint8_t ip[16])
{
    uint8_t masked[16];
    if (sn->bits > 128) return 0;
    memcpy(masked, ip, 16);
    mask_to(masked, sn->bits);
    return memcmp(masked, sn->ip, 16) == 0;
}

int erg_subnet_equal(const erg_subnet *a, const erg_subnet *b)
{
    return a->bits == b->bits && memcmp(a->ip, b->ip, 16) == 0;
}

void erg_subnet_host(const uint8_t ip[16], erg_subnet *out)
{
    memcpy(out->ip, ip, 16);
    out->bits = 128;
}
