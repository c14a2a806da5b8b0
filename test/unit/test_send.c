/* Unit tests for wallet/send: choosing the paying address, and the insufficient-funds reasons, before anything is signed. */
#include "wallet/send.h"

#include <string.h>

#include "test/unit/harness.h"

static void test_choose_largest_spendable(void)
{
    erg_wallet_funds f[3];
    size_t pick = 99;
    erg_err err;
    memset(f, 0, sizeof f);
    f[0].balance = 500;
    f[1].balance = 900;
    f[1].pending_out = 600; /* only 300 left */
    f[2].balance = 700;
    CHECK(erg_wallet_choose_source(f, 3, 650, &pick, &err) == ERG_OK && pick == 2);
    CHECK(erg_wallet_choose_source(f, 3, 700, &pick, &err) == ERG_OK && pick == 2);
    CHECK(erg_wallet_choose_source(f, 3, 1, &pick, &err) == ERG_OK && pick == 2);
}

static void test_insufficient_funds_reasons(void)
{
    erg_wallet_funds f[2];
    size_t pick = 99;
    erg_err err;
    memset(f, 0, sizeof f);
    f[0].balance = 150000000;
    f[1].balance = 100000000;
    f[1].pending_out = 200000000; /* more pending than confirmed counts as nothing spendable */
    /* Covered by no address and not by the total. */
    CHECK(erg_wallet_choose_source(f, 2, 150000001, &pick, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "insufficient funds: need 1.50000001") != NULL);
    CHECK(strstr(err.reason, "can spend 1.50000000") != NULL);
    CHECK(pick == 99);
    /* Covered by the total but by no single address (the account model pays from one). */
    f[1].pending_out = 0;
    CHECK(erg_wallet_choose_source(f, 2, 200000000, &pick, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "in any one address") != NULL);
    CHECK(strstr(err.reason, "wallet total 2.50000000") != NULL);
    CHECK(pick == 99);
    CHECK(erg_wallet_choose_source(f, 0, 1, &pick, &err) == ERG_ERR_INVALID);
}

ERG_TESTS("send", T(test_choose_largest_spendable), T(test_insufficient_funds_reasons))
