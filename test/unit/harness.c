/* A tiny unit-test harness: named cases, CHECK macros, a closing "N passed, N failed" line. */
#include "test/unit/harness.h"

#include <stdio.h>
#include <stdlib.h>

static int g_case_failures;

void erg_test_fail(const char *file, int line, const char *expr)
{
    g_case_failures++;
    fprintf(stderr, "    %s:%d: check failed: %s\n", file, line, expr);
}

size_t erg_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex), i;
    if (n % 2 || n / 2 > cap) {
        fprintf(stderr, "test vector: bad hex literal (%zu digits, cap %zu)\n", n, cap);
        abort();
    }
    for (i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            fprintf(stderr, "test vector: bad hex digit at %zu\n", 2 * i);
            abort();
        }
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

int erg_test_run(const char *suite, const erg_test_case *cases, size_t n)
{
    size_t i, passed = 0, failed = 0;
    for (i = 0; i < n; i++) {
        g_case_failures = 0;
        cases[i].fn();
        if (g_case_failures) {
            failed++;
            printf("FAIL %s.%s (%d checks)\n", suite, cases[i].name, g_case_failures);
        } else {
            passed++;
            printf("ok   %s.%s\n", suite, cases[i].name);
        }
        fflush(stdout);
    }
    printf("%s: %zu passed, %zu failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}
