/* Unit tests for wallet/session: write and read back, expiry, unsafe permissions, malformed files, wiping on lock. */
#include "wallet/session.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test/unit/harness.h"

static char g_dir[64], g_wallet[128], g_session[160];

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/erg_sess_XXXXXX");
    CHECK(mkdtemp(g_dir) != NULL);
    snprintf(g_wallet, sizeof g_wallet, "%s/w.dat", g_dir);
    snprintf(g_session, sizeof g_session, "%s/w.dat.session", g_dir);
}

static void teardown(void)
{
    unlink(g_session);
    CHECK(rmdir(g_dir) == 0);
}

static void sample_key(erg_wallet_key *k)
{
    memset(k->k, 0x5a, 32);
    memset(k->salt, 0x33, 32);
    k->kdf.log2_n = 17;
    k->kdf.r = 8;
    k->kdf.p = 1;
}

static void test_round_trip_and_expiry(void)
{
    erg_wallet_key k, got;
    uint64_t exp = 0;
    struct stat st;
    erg_err err;
    char path[PATH_MAX];
    setup();
    sample_key(&k);
    CHECK(erg_session_path(g_wallet, path, sizeof path, &err) == ERG_OK && strcmp(path, g_session) == 0);
    CHECK(erg_session_read(g_wallet, 1000, &got, &exp, &err) == ERG_ERR_NOTFOUND);
    CHECK(strstr(err.reason, "locked") != NULL);
    CHECK(erg_session_write(g_wallet, &k, 2000, &err) == ERG_OK);
    CHECK(stat(g_session, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == ERG_SESSION_SIZE);
    CHECK(erg_session_read(g_wallet, 1999, &got, &exp, &err) == ERG_OK);
    CHECK(exp == 2000 && memcmp(&got, &k, sizeof k) == 0);
    /* At the deadline the session is gone, and so is its file. */
    CHECK(erg_session_read(g_wallet, 2000, &got, &exp, &err) == ERG_ERR_NOTFOUND);
    CHECK(strstr(err.reason, "expired") != NULL);
    CHECK(stat(g_session, &st) != 0);
    teardown();
}

static void test_unsafe_or_malformed_removed(void)
{
    erg_wallet_key k, got;
    erg_err err;
    struct stat st;
    FILE *f;
    setup();
    sample_key(&k);
    CHECK(erg_session_write(g_wallet, &k, 5000, &err) == ERG_OK);
    CHECK(chmod(g_session, 0640) == 0);
    CHECK(erg_session_read(g_wallet, 1, &got, NULL, &err) == ERG_ERR_NOTFOUND);
    CHECK(strstr(err.reason, "unsafe permissions") != NULL);
    CHECK(stat(g_session, &st) != 0);
    f = fopen(g_session, "w");
    CHECK(f != NULL);
    if (f) fputs("ERGSESN1 too short", f), fclose(f);
    CHECK(chmod(g_session, 0600) == 0);
    CHECK(erg_session_read(g_wallet, 1, &got, NULL, &err) == ERG_ERR_NOTFOUND);
    CHECK(strstr(err.reason, "malformed") != NULL);
    CHECK(stat(g_session, &st) != 0);
    teardown();
}

static void test_lock_removes(void)
{
    erg_wallet_key k, got;
    int removed = -1;
    erg_err err;
    struct stat st;
    setup();
    sample_key(&k);
    CHECK(erg_session_remove(g_wallet, &removed, &err) == ERG_OK && removed == 0);
    CHECK(erg_session_write(g_wallet, &k, 5000, &err) == ERG_OK);
    CHECK(erg_session_remove(g_wallet, &removed, &err) == ERG_OK && removed == 1);
    CHECK(stat(g_session, &st) != 0);
    CHECK(erg_session_read(g_wallet, 1, &got, NULL, &err) == ERG_ERR_NOTFOUND);
    teardown();
}

ERG_TESTS("session", T(test_round_trip_and_expiry), T(test_unsafe_or_malformed_removed), T(test_lock_removes))
