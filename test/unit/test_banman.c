/* Unit tests for src/node/banman: ban/unban/clear, matching, expiry, listing, persistence and corrupt files. */
#include "src/node/banman.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/crypto/datafile.h"
#include "test/unit/harness.h"

#define NOW 1700000000

static char g_dir[] = "/tmp/erg_banman_XXXXXX";
static char g_path[128];

static erg_subnet subnet(const char *s)
{
    erg_subnet sn;
    memset(&sn, 0, sizeof sn);
    if (erg_subnet_parse(s, &sn, NULL)) CHECK(0);
    return sn;
}

static int banned(erg_banman *bm, const char *ip, int64_t now)
{
    erg_netaddr a;
    if (erg_netaddr_parse(ip, 1, &a, NULL)) return -1;
    return erg_banman_is_banned(bm, a.ip, now);
}

static void test_ban_unban(void)
{
    erg_banman *bm;
    erg_subnet sn = subnet("1.2.3.0/24"), host = subnet("9.9.9.9"), v6 = subnet("2001:db8::/32");
    erg_err err;
    CHECK(erg_banman_create(&bm, NULL, &err) == ERG_OK);
    CHECK(banned(bm, "1.2.3.4", NOW) == 0);
    CHECK(erg_banman_ban(bm, &sn, NOW, NOW + 100, "misbehaving: junk", &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &host, NOW, NOW + 100, NULL, &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &v6, NOW, NOW + 100, NULL, &err) == ERG_OK);
    CHECK(banned(bm, "1.2.3.4", NOW) == 1 && banned(bm, "1.2.3.255", NOW) == 1 && banned(bm, "1.2.4.1", NOW) == 0);
    CHECK(banned(bm, "9.9.9.9", NOW) == 1 && banned(bm, "9.9.9.8", NOW) == 0);
    CHECK(banned(bm, "2001:db8:1::1", NOW) == 1 && banned(bm, "2001:db9::1", NOW) == 0);
    CHECK(banned(bm, "::ffff:1.2.3.9", NOW) == 1);
    /* The exact subnet again is refused; an overlapping one is a separate ban. */
    CHECK(erg_banman_ban(bm, &sn, NOW, NOW + 500, NULL, &err) == ERG_ERR_INVALID && strcmp(err.reason, "already banned") == 0);
    {
        erg_subnet narrower = subnet("1.2.3.0/25");
        CHECK(erg_banman_ban(bm, &narrower, NOW, NOW + 500, NULL, &err) == ERG_OK);
        CHECK(erg_banman_unban(bm, &narrower, &err) == ERG_OK);
    }
    /* Bad arguments: host bits set, a prefix past 128, an end before the start. */
    {
        erg_subnet odd = sn;
        odd.ip[15] = 1;
        CHECK(erg_banman_ban(bm, &odd, NOW, NOW + 1, NULL, &err) == ERG_ERR_ARG);
        odd = sn;
        odd.bits = 129;
        CHECK(erg_banman_ban(bm, &odd, NOW, NOW + 1, NULL, &err) == ERG_ERR_ARG);
        CHECK(erg_banman_ban(bm, &host, NOW, NOW, NULL, &err) == ERG_ERR_ARG);
    }
    CHECK(erg_banman_unban(bm, &sn, &err) == ERG_OK);
    CHECK(banned(bm, "1.2.3.4", NOW) == 0);
    CHECK(erg_banman_unban(bm, &sn, &err) == ERG_ERR_NOTFOUND && strstr(err.reason, "1.2.3.0/24 is not banned"));
    CHECK(erg_banman_clear(bm, &err) == ERG_OK);
    CHECK(banned(bm, "9.9.9.9", NOW) == 0 && banned(bm, "2001:db8::1", NOW) == 0);
    CHECK(erg_banman_unban(bm, &host, &err) == ERG_ERR_NOTFOUND);
    erg_banman_destroy(bm);
}

static void test_expiry_and_list(void)
{
    erg_banman *bm;
    erg_subnet a = subnet("10.0.0.1"), b = subnet("10.0.1.0/24"), c = subnet("::1");
    erg_ban_entry *list;
    size_t n, i;
    erg_err err;
    char long_reason[100];
    memset(long_reason, 'x', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    CHECK(erg_banman_create(&bm, NULL, &err) == ERG_OK);
    CHECK(erg_banman_list(bm, NOW, &list, &n, &err) == ERG_OK && n == 0);
    free(list);
    CHECK(erg_banman_ban(bm, &a, NOW, NOW + 10, "misbehaving: bad block", &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &b, NOW, NOW + 1000, long_reason, &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &c, NOW, NOW + 20, NULL, &err) == ERG_OK);
    /* A ban ends at `until`: banned one second before, free from then on. */
    CHECK(banned(bm, "10.0.0.1", NOW + 9) == 1 && banned(bm, "10.0.0.1", NOW + 10) == 0);
    CHECK(erg_banman_list(bm, NOW + 5, &list, &n, &err) == ERG_OK && n == 3);
    for (i = 0; i < n; i++) {
        if (erg_subnet_equal(&list[i].subnet, &a))
            CHECK(strcmp(list[i].reason, "misbehaving: bad block") == 0 && list[i].created == NOW && list[i].until == NOW + 10);
        if (erg_subnet_equal(&list[i].subnet, &b)) CHECK(strlen(list[i].reason) == 63);
        if (erg_subnet_equal(&list[i].subnet, &c)) CHECK(strcmp(list[i].reason, "manually added") == 0);
    }
    free(list);
    /* Listing after the end drops the expired ban for good. */
    CHECK(erg_banman_list(bm, NOW + 15, &list, &n, &err) == ERG_OK && n == 2);
    free(list);
    CHECK(erg_banman_unban(bm, &a, &err) == ERG_ERR_NOTFOUND);
    /* An expired ban that was not dropped yet can be renewed in place. */
    CHECK(erg_banman_ban(bm, &c, NOW + 30, NOW + 40, "again", &err) == ERG_OK);
    CHECK(banned(bm, "::1", NOW + 35) == 1);
    CHECK(erg_banman_list(bm, NOW + 35, &list, &n, &err) == ERG_OK && n == 2);
    free(list);
    erg_banman_destroy(bm);
}

static void test_persistence(void)
{
    erg_banman *bm;
    erg_subnet a = subnet("10.0.0.1"), b = subnet("2001:db8::/48"), c = subnet("172.16.0.0/12");
    erg_ban_entry *list;
    size_t n, i;
    erg_err err;
    int ok_b = 0;
    CHECK(mkdtemp(g_dir) != NULL);
    snprintf(g_path, sizeof g_path, "%s/banlist.dat", g_dir);
    /* A missing file is an empty list, and nothing is written until something changes. */
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_OK);
    CHECK(access(g_path, F_OK) != 0);
    CHECK(erg_banman_ban(bm, &a, NOW, NOW + 10, "short", &err) == ERG_OK);
    CHECK(access(g_path, F_OK) == 0);
    CHECK(erg_banman_ban(bm, &b, NOW, NOW + 1000, "misbehaving: spam", &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &c, NOW, NOW + 1000, NULL, &err) == ERG_OK);
    CHECK(erg_banman_unban(bm, &c, &err) == ERG_OK);
    erg_banman_destroy(bm);
    /* Every change was written at once: a new instance sees exactly the last state. */
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_OK);
    CHECK(banned(bm, "10.0.0.1", NOW) == 1 && banned(bm, "2001:db8:0:1::1", NOW) == 1 && banned(bm, "172.16.0.1", NOW) == 0);
    CHECK(erg_banman_list(bm, NOW, &list, &n, &err) == ERG_OK && n == 2);
    for (i = 0; i < n; i++)
        if (erg_subnet_equal(&list[i].subnet, &b) && strcmp(list[i].reason, "misbehaving: spam") == 0 &&
            list[i].created == NOW && list[i].until == NOW + 1000)
            ok_b = 1;
    CHECK(ok_b);
    free(list);
    /* Expired bans dropped by list are gone from the file too. */
    CHECK(erg_banman_list(bm, NOW + 100, &list, &n, &err) == ERG_OK && n == 1);
    free(list);
    erg_banman_destroy(bm);
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_OK);
    CHECK(erg_banman_list(bm, NOW, &list, &n, &err) == ERG_OK && n == 1);
    free(list);
    CHECK(erg_banman_clear(bm, &err) == ERG_OK);
    erg_banman_destroy(bm);
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_OK);
    CHECK(banned(bm, "2001:db8::1", NOW) == 0);
    erg_banman_destroy(bm);
}

static void test_corrupt_file(void)
{
    static const uint8_t magic[4] = {'E', 'B', 'A', 'N'};
    erg_banman *bm;
    erg_subnet a = subnet("10.0.0.0/8");
    erg_buf raw, b;
    erg_err err;
    size_t k;
    int bad = 0;
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_OK);
    CHECK(erg_banman_ban(bm, &a, NOW, NOW + 1000, "x", &err) == ERG_OK);
    erg_banman_destroy(bm);
    erg_buf_init(&raw);
    CHECK(erg_datafile_read_raw(g_path, 4096, &raw, &err) == ERG_OK);
    for (k = 0; k < raw.len; k++) {
        erg_code rc;
        raw.data[k] ^= 0x40;
        CHECK(erg_datafile_write_synced(g_path, raw.data, raw.len, NULL) == ERG_OK);
        bm = (erg_banman *)&bad; /* must be reset to NULL on failure */
        rc = erg_banman_create(&bm, g_path, &err);
        if ((rc != ERG_ERR_PARSE && rc != ERG_ERR_CHECKSUM) || bm != NULL || !strstr(err.reason, g_path)) bad++;
        raw.data[k] ^= 0x40;
        CHECK(erg_datafile_write_synced(g_path, raw.data, k, NULL) == ERG_OK);
        if (erg_banman_create(&bm, g_path, &err) != ERG_ERR_PARSE) bad++;
    }
    CHECK(bad == 0);
    /* Checksummed but wrong inside: host bits set, a prefix past 128, a duplicate, an overlong
     * reason, a NUL in a reason. Each is refused with a reason naming the file. */
    for (k = 0; k < 5; k++) {
        size_t copies = k == 2 ? 2 : 1, c;
        erg_buf_init(&b);
        erg_buf_put_compact(&b, copies);
        for (c = 0; c < copies; c++) {
            erg_subnet sn = a;
            if (k == 0) sn.ip[15] = 1;
            if (k == 1) sn.bits = 200;
            erg_buf_put_raw(&b, sn.ip, 16);
            erg_buf_put_u8(&b, sn.bits);
            erg_buf_put_i64(&b, NOW);
            erg_buf_put_i64(&b, NOW + 5);
            if (k == 3) {
                char big[64];
                memset(big, 'r', sizeof big);
                erg_buf_put_bytes(&b, big, sizeof big);
            } else {
                erg_buf_put_bytes(&b, k == 4 ? "a\0b" : "ok", k == 4 ? 3 : 2);
            }
        }
        CHECK(erg_datafile_write(g_path, magic, b.data, b.len, &err) == ERG_OK);
        CHECK(erg_banman_create(&bm, g_path, &err) != ERG_OK && strstr(err.reason, g_path) != NULL);
        erg_buf_free(&b);
    }
    /* A peers file is not a ban list. */
    CHECK(erg_datafile_write(g_path, (const uint8_t *)"EPRS", (const uint8_t *)"", 0, &err) == ERG_OK);
    CHECK(erg_banman_create(&bm, g_path, &err) == ERG_ERR_PARSE && strstr(err.reason, "magic"));
    erg_buf_free(&raw);
    /* A change that cannot be written is not made: the file under a missing directory. */
    {
        char badpath[200], moved[200];
        erg_ban_entry *list;
        size_t n;
        snprintf(badpath, sizeof badpath, "%s/missing/banlist.dat", g_dir);
        CHECK(erg_banman_create(&bm, badpath, &err) == ERG_OK);
        CHECK(erg_banman_ban(bm, &a, NOW, NOW + 1000, "x", &err) == ERG_ERR_IO);
        CHECK(banned(bm, "10.1.2.3", NOW) == 0);
        erg_banman_destroy(bm);
        /* The same for unban, clear and the expiry rewrite: the directory vanishes under a list. */
        snprintf(badpath, sizeof badpath, "%s/sub", g_dir);
        CHECK(mkdir(badpath, 0700) == 0);
        snprintf(badpath, sizeof badpath, "%s/sub/banlist.dat", g_dir);
        CHECK(erg_banman_create(&bm, badpath, &err) == ERG_OK);
        CHECK(erg_banman_ban(bm, &a, NOW, NOW + 1000, "x", &err) == ERG_OK);
        snprintf(badpath, sizeof badpath, "%s/sub", g_dir);
        snprintf(moved, sizeof moved, "%s/sub2", g_dir);
        CHECK(rename(badpath, moved) == 0);
        CHECK(erg_banman_unban(bm, &a, &err) == ERG_ERR_IO && banned(bm, "10.1.2.3", NOW) == 1);
        CHECK(erg_banman_clear(bm, &err) == ERG_ERR_IO && banned(bm, "10.1.2.3", NOW) == 1);
        CHECK(erg_banman_list(bm, NOW + 2000, &list, &n, &err) == ERG_ERR_IO && list == NULL && n == 0);
        CHECK(rename(moved, badpath) == 0);
        CHECK(erg_banman_list(bm, NOW, &list, &n, &err) == ERG_OK && n == 1);
        free(list);
        erg_banman_destroy(bm);
        snprintf(moved, sizeof moved, "%s/sub/banlist.dat", g_dir);
        unlink(moved);
        CHECK(rmdir(badpath) == 0);
    }
    unlink(g_path);
    CHECK(rmdir(g_dir) == 0);
}

ERG_TESTS("banman", T(test_ban_unban), T(test_expiry_and_list), T(test_persistence), T(test_corrupt_file))
