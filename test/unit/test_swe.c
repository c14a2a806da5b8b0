/* Unit tests for kernels/swe (placeholder while the kernel is written). */
#include "kernels/swe.h"
#include "test/unit/harness.h"

static void test_defaults_valid(void)
{
    erg_kparams p;
    erg_kparams_default(&erg_kernel_swe, &p, 0);
    CHECK(erg_kparams_validate(&erg_kernel_swe, &p, NULL, 0, NULL) == ERG_OK);
}

ERG_TESTS("swe", T(test_defaults_valid))
