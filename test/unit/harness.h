/* A tiny unit-test harness: named cases, CHECK macros, a closing "N passed, N failed" line. */
#ifndef ERG_TEST_HARNESS_H
#define ERG_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct erg_test_case {
    const char *name;
    void (*fn)(void);
} erg_test_case;

/* Record a failed check in the running case (the case goes on, so one run shows every failure). */
void erg_test_fail(const char *file, int line, const char *expr);
/* Run every case, print one line per case and the closing count; returns the exit status. */
int erg_test_run(const char *suite, const erg_test_case *cases, size_t n);
/* Decode a hex literal for vectors; aborts the case on malformed test data. */
size_t erg_test_unhex(const char *hex, uint8_t *out, size_t cap);

#define CHECK(cond) do { if (!(cond)) erg_test_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)
#define ERG_TESTS(suite, ...) \
    int main(void) { \
        static const erg_test_case cases[] = {__VA_ARGS__}; \
        return erg_test_run(suite, cases, sizeof cases / sizeof cases[0]); \
    }
#define T(fn) {#fn, fn}

#endif
