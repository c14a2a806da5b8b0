/* Unit tests for src/util/error. */
#include "src/util/error.h"
#include "test/unit/harness.h"

static erg_code fails(erg_err *err)
{
    return erg_err_set(err, ERG_ERR_RANGE, "value %d too big", 42);
}

static void test_set_and_prefix(void)
{
    erg_err err;
    erg_err_clear(&err);
    CHECK(err.code == ERG_OK && err.reason[0] == '\0');
    CHECK(fails(&err) == ERG_ERR_RANGE);
    CHECK(strcmp(err.reason, "value 42 too big") == 0);
    CHECK(erg_err_prefix(&err, "block %d: ", 7) == ERG_ERR_RANGE);
    CHECK(strcmp(err.reason, "block 7: value 42 too big") == 0);
}

static void test_null_err_allowed(void)
{
    CHECK(fails(NULL) == ERG_ERR_RANGE);
}

static void test_truncates_long_reason(void)
{
    erg_err err;
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    erg_err_set(&err, ERG_ERR_PARSE, "%s", big);
    CHECK(strlen(err.reason) == ERG_REASON_MAX - 1);
}

static void test_code_names(void)
{
    CHECK(strcmp(erg_code_name(ERG_OK), "ok") == 0);
    CHECK(strcmp(erg_code_name(ERG_ERR_NONCANON), "noncanonical") == 0);
    CHECK(strcmp(erg_code_name((erg_code)999), "unknown") == 0);
}

ERG_TESTS("error", T(test_set_and_prefix), T(test_null_err_allowed), T(test_truncates_long_reason),
          T(test_code_names))
