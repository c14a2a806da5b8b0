/* Unit tests for kernels/engine: backend selection, fallback, and identical bytes from every backend and split. */
#include "kernels/engine.h"

#include <stdio.h>
#include <stdlib.h>

#include "test/unit/harness.h"
#include "test/unit/kernel_fixture.h"
#include "test/unit/kernel_testutil.h"

enum { N = 29 };

static void make_seeds(uint8_t (*seeds)[32], size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < 32; j++) seeds[i][j] = (uint8_t)(i * 29u + j * 101u + 3u);
}

/* N fixture units and their unit-by-unit C reference: what every backend must reproduce. */
typedef struct units {
    erg_kparams p;
    uint8_t seeds[N][32];
    uint8_t want[N * 64]; /* N * output_size bytes (at most 64 per unit) */
} units;

static void units_init(units *u, int small)
{
    erg_kparams_default(&erg_test_fixture_kernel, &u->p, small);
    make_seeds(u->seeds, N);
    CHECK(erg_test_ref_units(&erg_test_fixture_kernel, &u->p, NULL, 0, (const uint8_t(*)[32])u->seeds, N,
                             u->want) == 0);
}

/* Whether the engine computes the first n of the units exactly as the reference does. */
static int engine_matches(erg_engine *eng, const units *u, size_t n)
{
    uint8_t got[N * 64];
    erg_err err;
    memset(got, 0, sizeof got);
    if (erg_engine_run(eng, &erg_test_fixture_kernel, &u->p, NULL, 0, (const uint8_t(*)[32])u->seeds, n, got, &err) !=
        ERG_OK) {
        printf("  engine run: %s\n", err.reason);
        return 0;
    }
    return memcmp(got, u->want, n * erg_test_fixture_kernel.output_size(&u->p)) == 0;
}

static void test_backend_parse(void)
{
    erg_backend b;
    erg_err err;
    CHECK(erg_backend_parse("ref", &b, &err) == ERG_OK && b == ERG_BACKEND_REF);
    CHECK(erg_backend_parse("opencl", &b, &err) == ERG_OK && b == ERG_BACKEND_OPENCL);
    CHECK(erg_backend_parse("auto", &b, &err) == ERG_OK && b == ERG_BACKEND_AUTO);
    CHECK(erg_backend_parse("gpu", &b, &err) == ERG_ERR_ARG);
    CHECK(strstr(err.reason, "gpu") != NULL);
    CHECK(strcmp(erg_backend_name(ERG_BACKEND_OPENCL), "opencl") == 0);
}

static void test_ref_threads_identical(void)
{
    static const unsigned threads[] = {1, 2, 3, 64};
    units u;
    size_t i;
    units_init(&u, 0);
    for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        erg_engine_opts o;
        erg_engine *eng = NULL;
        memset(&o, 0, sizeof o);
        o.backend = ERG_BACKEND_REF;
        o.ref_threads = threads[i];
        CHECK(erg_engine_create(&eng, &o, NULL) == ERG_OK);
        CHECK(erg_engine_backend(eng) == ERG_BACKEND_REF);
        CHECK(erg_engine_cl(eng) == NULL);
        CHECK(engine_matches(eng, &u, N));
        erg_engine_destroy(eng);
    }
}

static void test_ref_vs_opencl(void)
{
    static const erg_backend backends[] = {ERG_BACKEND_OPENCL, ERG_BACKEND_AUTO};
    units u;
    size_t i;
    units_init(&u, 0);
    for (i = 0; i < 2; i++) {
        erg_engine_opts o;
        erg_engine *eng = NULL;
        erg_err err;
        memset(&o, 0, sizeof o);
        o.backend = backends[i];
        o.devices = "";
        o.max_batch = 4; /* several launches per device */
        if (erg_engine_create(&eng, &o, &err) != ERG_OK) {
            printf("  no OpenCL engine: %s\n", err.reason);
            CHECK(erg_test_allow_no_opencl());
            continue;
        }
        if (erg_engine_backend(eng) != ERG_BACKEND_OPENCL) {
            CHECK(erg_test_allow_no_opencl());
            erg_engine_destroy(eng);
            continue;
        }
        printf("  %s: %zu device(s)\n", erg_backend_name(backends[i]), erg_cl_device_count(erg_engine_cl(eng)));
        CHECK(engine_matches(eng, &u, N));
        /* Fewer units than devices, and a single unit. */
        CHECK(engine_matches(eng, &u, 1));
        CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &u.p, NULL, 0, NULL, 0, NULL, &err) == ERG_OK);
        erg_engine_destroy(eng);
    }
}

static void test_fallback_when_nothing_selected(void)
{
    units u;
    erg_engine_opts o;
    erg_engine *eng = NULL;
    erg_err err;
    units_init(&u, 0);

    /* Through the environment variable, as an operator would. */
    setenv(ERG_OPENCL_DEVICES_ENV, "none", 1);
    memset(&o, 0, sizeof o);
    o.backend = ERG_BACKEND_AUTO;
    CHECK(erg_engine_create(&eng, &o, &err) == ERG_OK);
    CHECK(erg_engine_backend(eng) == ERG_BACKEND_REF);
    CHECK(engine_matches(eng, &u, N));
    erg_engine_destroy(eng);
    eng = NULL;

    /* The opencl backend refuses instead of falling back. */
    o.backend = ERG_BACKEND_OPENCL;
    CHECK(erg_engine_create(&eng, &o, &err) == ERG_ERR_NOTFOUND);
    CHECK(eng == NULL);
    CHECK(strstr(err.reason, "opencl") != NULL);
    unsetenv(ERG_OPENCL_DEVICES_ENV);

    o.devices = "no-such-device-xyz";
    o.backend = ERG_BACKEND_AUTO;
    CHECK(erg_engine_create(&eng, &o, &err) == ERG_OK);
    CHECK(erg_engine_backend(eng) == ERG_BACKEND_REF);
    erg_engine_destroy(eng);
}

static erg_code failing_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                                size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    if (seed[0] == 0xEE) return erg_err_set(err, ERG_ERR_INVALID, "fixture: poisoned seed");
    return erg_test_fixture_run_ref(p, derived, input, input_len, seed, out, out_len, err);
}

static void test_errors_propagate(void)
{
    erg_kernel failing = erg_test_fixture_kernel;
    uint8_t seeds[N][32], got[N * 64];
    erg_kparams p;
    erg_engine_opts o;
    erg_engine *eng = NULL;
    erg_err err;
    failing.run_ref = failing_run_ref;
    erg_kparams_default(&failing, &p, 0);
    make_seeds(seeds, N);
    seeds[17][0] = 0xEE;
    memset(&o, 0, sizeof o);
    o.backend = ERG_BACKEND_REF;
    o.ref_threads = 3;
    CHECK(erg_engine_create(&eng, &o, &err) == ERG_OK);
    CHECK(erg_engine_run(eng, &failing, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, &err) == ERG_ERR_INVALID);
    CHECK(strstr(err.reason, "unit 17") != NULL);
    p.v[0] = 0;
    CHECK(erg_engine_run(eng, &failing, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, &err) == ERG_ERR_RANGE);
    erg_engine_destroy(eng);
}

/* PoCL can expose one CPU as several devices; with two, the batch is split across both. */
static void test_split_over_devices(void)
{
    units u;
    erg_engine_opts o;
    erg_engine *eng = NULL;
    erg_err err;
    units_init(&u, 1);
    memset(&o, 0, sizeof o);
    o.backend = ERG_BACKEND_OPENCL;
    o.devices = "";
    if (erg_engine_create(&eng, &o, &err) != ERG_OK) {
        CHECK(erg_test_allow_no_opencl());
        return;
    }
    printf("  %zu device(s)\n", erg_cl_device_count(erg_engine_cl(eng)));
    CHECK(erg_cl_device_count(erg_engine_cl(eng)) >= 2 || getenv("ERG_TEST_KEEP_POCL_DEVICES"));
    CHECK(engine_matches(eng, &u, N));
    erg_engine_destroy(eng);
}

static void test_setup_two_pocl_devices(void)
{
    /* Must run before any OpenCL call in this process: PoCL reads it when the platform loads. */
    if (!getenv("POCL_DEVICES")) setenv("POCL_DEVICES", "pthread pthread", 1);
    else setenv("ERG_TEST_KEEP_POCL_DEVICES", "1", 1);
    CHECK(getenv("POCL_DEVICES") != NULL);
}

ERG_TESTS("engine", T(test_setup_two_pocl_devices), T(test_backend_parse), T(test_ref_threads_identical),
          T(test_ref_vs_opencl), T(test_fallback_when_nothing_selected), T(test_errors_propagate),
          T(test_split_over_devices))
