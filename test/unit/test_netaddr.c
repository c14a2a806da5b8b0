/* Unit tests for src/node/netaddr: parse/format round trips, every rejection, sockaddr conversions, subnets. */
#include "src/node/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "test/unit/harness.h"

static int parses_to(const char *in, uint16_t def, const char *want)
{
    erg_netaddr a;
    char s[ERG_NETADDR_STRLEN];
    erg_err err;
    if (erg_netaddr_parse(in, def, &a, &err) != ERG_OK) return 0;
    erg_netaddr_format(&a, 1, s, sizeof s);
    return strcmp(s, want) == 0;
}

static void test_parse_format(void)
{
    erg_netaddr a;
    char s[ERG_NETADDR_STRLEN];
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4};
    CHECK(erg_netaddr_parse("1.2.3.4", 8333, &a, NULL) == ERG_OK);
    CHECK_EQ_MEM(a.ip, mapped, 16);
    CHECK(a.port == 8333 && a.services == 0 && a.time == 0);
    CHECK(erg_netaddr_is_ipv4(&a));
    erg_netaddr_format(&a, 0, s, sizeof s);
    CHECK(strcmp(s, "1.2.3.4") == 0);
    CHECK(parses_to("1.2.3.4", 8333, "1.2.3.4:8333"));
    CHECK(parses_to("1.2.3.4:18444", 8333, "1.2.3.4:18444"));
    CHECK(parses_to("255.255.255.255:65535", 1, "255.255.255.255:65535"));
    CHECK(parses_to("::1", 8333, "[::1]:8333"));
    CHECK(parses_to("[::1]:8334", 8333, "[::1]:8334"));
    CHECK(parses_to("[2001:DB8::A]", 7, "[2001:db8::a]:7"));
    CHECK(parses_to("2001:db8:0:0:0:0:0:1", 7, "[2001:db8::1]:7"));
    /* An IPv4-mapped IPv6 literal is the same address as its dotted quad. */
    CHECK(parses_to("::ffff:10.0.0.1", 7, "10.0.0.1:7"));
    CHECK(parses_to("[::ffff:10.0.0.1]:9", 7, "10.0.0.1:9"));
    CHECK(erg_netaddr_parse("::1", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_ipv4(&a));
    erg_netaddr_format(&a, 0, s, sizeof s);
    CHECK(strcmp(s, "::1") == 0);
    /* A tiny buffer gets a truncated, terminated string. */
    erg_netaddr_format(&a, 1, s, 4);
    CHECK(strlen(s) == 3);
}

/* One input that must be refused, with the code and a piece of the reason. */
typedef struct rejection {
    const char *in;
    erg_code code;
    const char *why;
} rejection;

/* Run every case through parse (which also checks that its output was left alone). */
static void check_rejections(const char *what, const rejection *bad, size_t n, int (*parse)(const char *, erg_err *))
{
    size_t i;
    for (i = 0; i < n; i++) {
        erg_err err;
        erg_err_clear(&err);
        if (parse(bad[i].in, &err) || err.code != bad[i].code || !strstr(err.reason, bad[i].why)) {
            printf("  %s rejection \"%s\": got %s \"%s\"\n", what, bad[i].in, erg_code_name(err.code), err.reason);
            CHECK(0);
        }
    }
}

/* 0 when the address was refused and the output untouched. */
static int refuse_addr(const char *in, erg_err *err)
{
    erg_netaddr a;
    memset(&a, 0x5a, sizeof a);
    return erg_netaddr_parse(in, 8333, &a, err) == ERG_OK || a.port != 0x5a5a;
}

static int refuse_subnet(const char *in, erg_err *err)
{
    erg_subnet sn;
    memset(&sn, 0x5a, sizeof sn);
    return erg_subnet_parse(in, &sn, err) == ERG_OK || sn.bits != 0x5a;
}

static void test_parse_rejections(void)
{
    static const rejection bad[] = {
        {"", ERG_ERR_PARSE, "empty"},
        {"localhost", ERG_ERR_PARSE, "host names"},
        {"seed.example.org:8333", ERG_ERR_PARSE, "host names"},
        {"1.2.3", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.256", ERG_ERR_PARSE, "not a numeric"},
        {"01.2.3.4", ERG_ERR_PARSE, "not a numeric"},
        {" 1.2.3.4", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.4 ", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.4:", ERG_ERR_PARSE, "empty port"},
        {"1.2.3.4:0", ERG_ERR_RANGE, "port 0"},
        {"1.2.3.4:65536", ERG_ERR_RANGE, "above 65535"},
        {"1.2.3.4:99999999999999999999", ERG_ERR_RANGE, "above 65535"},
        {"1.2.3.4:-1", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.4:+80", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.4:0x50", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.4:80 ", ERG_ERR_PARSE, "not a number"},
        {"[::1", ERG_ERR_PARSE, "without ']'"},
        {"[::1]:", ERG_ERR_PARSE, "empty port"},
        {"[::1]x", ERG_ERR_PARSE, "junk after"},
        {"[::1]:8333:1", ERG_ERR_PARSE, "not a number"},
        {"[1.2.3.4]:80", ERG_ERR_PARSE, "inside brackets"},
        {"[]:80", ERG_ERR_PARSE, "inside brackets"},
        {"[zz::1]:80", ERG_ERR_PARSE, "inside brackets"},
        {"1::2::3", ERG_ERR_PARSE, "not a numeric"},
        {"fe80::1%eth0", ERG_ERR_PARSE, "not a numeric"},
        {"::1]:80", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.4/24", ERG_ERR_PARSE, "not a numeric"},
        {"11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111",
         ERG_ERR_PARSE, "longer than"},
    };
    check_rejections("address", bad, sizeof bad / sizeof bad[0], refuse_addr);
    CHECK(erg_netaddr_parse(NULL, 1, &(erg_netaddr){0}, NULL) == ERG_ERR_ARG);
}

static void test_predicates(void)
{
    erg_netaddr a, b;
    CHECK(erg_netaddr_parse("127.0.0.1", 1, &a, NULL) == ERG_OK && erg_netaddr_is_loopback(&a) && erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("127.255.0.9", 1, &a, NULL) == ERG_OK && erg_netaddr_is_loopback(&a));
    CHECK(erg_netaddr_parse("::1", 1, &a, NULL) == ERG_OK && erg_netaddr_is_loopback(&a));
    CHECK(erg_netaddr_parse("128.0.0.1", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_loopback(&a));
    CHECK(erg_netaddr_parse("::2", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_loopback(&a));
    CHECK(erg_netaddr_parse("0.0.0.0", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("::", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("224.0.0.1", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("239.255.255.255", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("223.255.255.255", 1, &a, NULL) == ERG_OK && erg_netaddr_is_valid(&a));
    {
        static const char *const unroutable[] = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                                                 "192.168.1.1", "169.254.0.1", "100.64.0.1", "198.18.0.1",
                                                 "192.0.2.1", "198.51.100.1", "203.0.113.1", "240.0.0.1",
                                                 "::1", "fc00::1", "fd12::1", "fe80::1", "2001:db8::1", "0.0.0.0"};
        static const char *const routable[] = {"1.2.3.4", "8.8.8.8", "172.32.0.1", "172.15.0.1", "100.128.0.1",
                                               "192.169.0.1", "2001:4860::8888", "2a00::1"};
        size_t i;
        for (i = 0; i < sizeof unroutable / sizeof unroutable[0]; i++)
            CHECK(erg_netaddr_parse(unroutable[i], 1, &a, NULL) == ERG_OK && !erg_netaddr_is_routable(&a));
        for (i = 0; i < sizeof routable / sizeof routable[0]; i++)
            CHECK(erg_netaddr_parse(routable[i], 1, &a, NULL) == ERG_OK && erg_netaddr_is_routable(&a));
    }
    CHECK(erg_netaddr_parse("ff02::1", 1, &a, NULL) == ERG_OK && !erg_netaddr_is_valid(&a));
    CHECK(erg_netaddr_parse("2001:db8::1", 1, &a, NULL) == ERG_OK && erg_netaddr_is_valid(&a));
    /* No port: the default 0 passes the parser but not gossip validity. */
    CHECK(erg_netaddr_parse("8.8.8.8", 0, &a, NULL) == ERG_OK && a.port == 0 && !erg_netaddr_is_valid(&a));
    /* Equality is ip and port; services and time do not count. */
    CHECK(erg_netaddr_parse("1.2.3.4:5", 1, &a, NULL) == ERG_OK && erg_netaddr_parse("::ffff:1.2.3.4", 5, &b, NULL) == ERG_OK);
    b.services = 9;
    b.time = 100;
    CHECK(erg_netaddr_equal(&a, &b));
    b.port = 6;
    CHECK(!erg_netaddr_equal(&a, &b));
}

static void test_sockaddr(void)
{
    erg_netaddr a, b;
    struct sockaddr_storage ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    erg_err err;
    socklen_t len;
    CHECK(erg_netaddr_parse("10.1.2.3:8333", 1, &a, NULL) == ERG_OK);
    len = erg_netaddr_to_sockaddr(&a, &ss);
    CHECK(len == sizeof(struct sockaddr_in) && s4->sin_family == AF_INET && ntohs(s4->sin_port) == 8333);
    CHECK(ntohl(s4->sin_addr.s_addr) == 0x0a010203u);
    CHECK(erg_netaddr_from_sockaddr((struct sockaddr *)&ss, len, &b, &err) == ERG_OK && erg_netaddr_equal(&a, &b));
    CHECK(erg_netaddr_parse("[2001:db8::7]:9", 1, &a, NULL) == ERG_OK);
    len = erg_netaddr_to_sockaddr(&a, &ss);
    CHECK(len == sizeof(struct sockaddr_in6) && s6->sin6_family == AF_INET6 && ntohs(s6->sin6_port) == 9);
    CHECK(memcmp(&s6->sin6_addr, a.ip, 16) == 0);
    CHECK(erg_netaddr_from_sockaddr((struct sockaddr *)&ss, len, &b, &err) == ERG_OK && erg_netaddr_equal(&a, &b));
    /* Short lengths and other families are refused. */
    CHECK(erg_netaddr_from_sockaddr((struct sockaddr *)&ss, len - 1, &b, &err) == ERG_ERR_PARSE);
    s4->sin_family = AF_INET;
    CHECK(erg_netaddr_from_sockaddr((struct sockaddr *)&ss, sizeof *s4 - 1, &b, &err) == ERG_ERR_PARSE);
    ss.ss_family = AF_UNIX;
    CHECK(erg_netaddr_from_sockaddr((struct sockaddr *)&ss, sizeof ss, &b, &err) == ERG_ERR_UNSUPPORTED);
    CHECK(strstr(err.reason, "family") != NULL);
}

static int subnet_is(const char *in, const char *want)
{
    erg_subnet sn;
    char s[ERG_NETADDR_STRLEN];
    if (erg_subnet_parse(in, &sn, NULL) != ERG_OK) return 0;
    erg_subnet_format(&sn, s, sizeof s);
    if (strcmp(s, want) != 0) printf("  subnet \"%s\" formats as \"%s\", want \"%s\"\n", in, s, want);
    return strcmp(s, want) == 0;
}

static void test_subnet_parse_format(void)
{
    erg_subnet sn;
    CHECK(subnet_is("1.2.3.4", "1.2.3.4/32"));
    CHECK(subnet_is("1.2.3.0/24", "1.2.3.0/24"));
    CHECK(subnet_is("1.2.3.77/24", "1.2.3.0/24")); /* host bits are cleared */
    CHECK(subnet_is("1.2.3.0/255.255.255.0", "1.2.3.0/24"));
    CHECK(subnet_is("10.9.8.7/255.0.0.0", "10.0.0.0/8"));
    CHECK(subnet_is("1.2.3.4/255.255.255.255", "1.2.3.4/32"));
    CHECK(subnet_is("1.2.3.4/0.0.0.0", "0.0.0.0/0"));
    CHECK(subnet_is("1.2.3.4/0", "0.0.0.0/0"));
    CHECK(subnet_is("1.2.3.255/31", "1.2.3.254/31"));
    CHECK(subnet_is("::1", "::1/128"));
    CHECK(subnet_is("2001:db8::/32", "2001:db8::/32"));
    CHECK(subnet_is("2001:db8:ffff::1/32", "2001:db8::/32"));
    CHECK(subnet_is("2001:db8::1/127", "2001:db8::/127"));
    CHECK(subnet_is("::/0", "::/0"));
    CHECK(subnet_is("::ffff:1.2.3.4/120", "1.2.3.0/24"));
    CHECK(erg_subnet_parse("1.2.3.0/24", &sn, NULL) == ERG_OK && sn.bits == 120);
    CHECK(erg_subnet_parse("2001:db8::/32", &sn, NULL) == ERG_OK && sn.bits == 32);
    CHECK(erg_subnet_parse("1.2.3.4", &sn, NULL) == ERG_OK && sn.bits == 128);
}

static void test_subnet_rejections(void)
{
    static const rejection bad[] = {
        {"", ERG_ERR_PARSE, "empty"},
        {"example.com", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.4:80", ERG_ERR_PARSE, "not a numeric"},
        {"/24", ERG_ERR_PARSE, "not a numeric"},
        {"1.2.3.0/", ERG_ERR_PARSE, "empty prefix"},
        {"1.2.3.0/33", ERG_ERR_RANGE, "above 32"},
        {"1.2.3.0/-1", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.0/24/1", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.0/2x", ERG_ERR_PARSE, "not a number"},
        {"1.2.3.0/255.0.255.0", ERG_ERR_PARSE, "not contiguous"},
        {"1.2.3.0/0.255.255.255", ERG_ERR_PARSE, "not contiguous"},
        {"1.2.3.0/255.255.255", ERG_ERR_PARSE, "bad netmask"},
        {"::1/129", ERG_ERR_RANGE, "above 128"},
        {"2001:db8::/ffff::", ERG_ERR_PARSE, "not a number"},
        {"[::1]/128", ERG_ERR_PARSE, "not a numeric"},
    };
    check_rejections("subnet", bad, sizeof bad / sizeof bad[0], refuse_subnet);
    CHECK(erg_subnet_parse(NULL, &(erg_subnet){0}, NULL) == ERG_ERR_ARG);
}

static int matches(const char *subnet, const char *ip)
{
    erg_subnet sn;
    erg_netaddr a;
    if (erg_subnet_parse(subnet, &sn, NULL) != ERG_OK || erg_netaddr_parse(ip, 1, &a, NULL) != ERG_OK) return -1;
    return erg_subnet_match(&sn, a.ip);
}

static void test_subnet_match(void)
{
    erg_subnet a, b;
    erg_netaddr n;
    CHECK(matches("1.2.3.0/24", "1.2.3.0") == 1);
    CHECK(matches("1.2.3.0/24", "1.2.3.255") == 1);
    CHECK(matches("1.2.3.0/24", "1.2.4.0") == 0);
    CHECK(matches("1.2.3.0/24", "1.2.2.255") == 0);
    CHECK(matches("1.2.3.4", "1.2.3.4") == 1);
    CHECK(matches("1.2.3.4/32", "1.2.3.5") == 0);
    CHECK(matches("2001:db8::/32", "2001:db8:ffff::1") == 1);
    CHECK(matches("2001:db8::/32", "2001:db9::1") == 0);
    CHECK(matches("::1", "::1") == 1);
    CHECK(matches("::1", "::2") == 0);
    /* IPv4 subnets live in the mapped space: they never cover a native IPv6 address... */
    CHECK(matches("0.0.0.0/0", "2001:db8::1") == 0);
    CHECK(matches("0.0.0.0/0", "9.9.9.9") == 1);
    /* ...and a dotted address matches its mapped IPv6 spelling either way round. */
    CHECK(matches("::ffff:1.2.3.0/120", "1.2.3.9") == 1);
    CHECK(matches("1.2.3.0/24", "::ffff:1.2.3.9") == 1);
    CHECK(matches("::/0", "1.2.3.4") == 1);
    /* Equality is on the normalised form. */
    CHECK(erg_subnet_parse("1.2.3.99/24", &a, NULL) == ERG_OK && erg_subnet_parse("1.2.3.0/255.255.255.0", &b, NULL) == ERG_OK);
    CHECK(erg_subnet_equal(&a, &b));
    CHECK(erg_subnet_parse("1.2.3.0/25", &b, NULL) == ERG_OK && !erg_subnet_equal(&a, &b));
    CHECK(erg_netaddr_parse("1.2.3.4", 1, &n, NULL) == ERG_OK);
    erg_subnet_host(n.ip, &a);
    CHECK(erg_subnet_parse("1.2.3.4/32", &b, NULL) == ERG_OK && erg_subnet_equal(&a, &b) && erg_subnet_match(&a, n.ip));
}

ERG_TESTS("netaddr", T(test_parse_format), T(test_parse_rejections), T(test_predicates), T(test_sockaddr),
          T(test_subnet_parse_format), T(test_subnet_rejections), T(test_subnet_match))
