/* Unit tests for kernels/engine: backend selection, fallback, and identical bytes from every backend and split. */
#include "kernels/engine.h"

#include <stdio.h>
#include <stdlib.h>

#include "test/unit/harness.h"
#include "test/unit/kernel_fixture.h"

enum { N = 29 };

static int allow_no_opencl(void)
{
    const char *v = getenv("ERG_ALLOW_NO_OPENCL");
    return v && strcmp(v, "1") == 0;
}

static void make_seeds(uint8_t (*seeds)[32], size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < 32; j++) seeds[i][j] = (uint8_t)(i * 29u + j * 101u + 3u);
}

/* The unit-by-unit C reference: what every backend must reproduce. */
static void expected(const erg_kparams *p, const uint8_t (*seeds)[32], size_t n, uint8_t *out)
{
    const erg_kernel *k = &erg_test_fixture_kernel;
    size_t i, osz = k->output_size(p);
    for (i = 0; i < n; i++) CHECK(erg_kernel_run_ref(k, p, NULL, 0, seeds[i], out + i * osz, osz, NULL) == ERG_OK);
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
    uint8_t seeds[N][32], want[N * 64], got[N * 64];
    erg_kparams p;
    size_t i;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 0);
    make_seeds(seeds, N);
    expected(&p, (const uint8_t(*)[32])seeds, N, want);
    for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        erg_engine_opts o;
        erg_engine *eng = NULL;
        memset(&o, 0, sizeof o);
        o.backend = ERG_BACKEND_REF;
        o.ref_threads = threads[i];
        CHECK(erg_engine_create(&eng, &o, NULL) == ERG_OK);
        CHECK(erg_engine_backend(eng) == ERG_BACKEND_REF);
        CHECK(erg_engine_cl(eng) == NULL);
        memset(got, 0, sizeof got);
        CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, NULL) ==
              ERG_OK);
        CHECK_EQ_MEM(got, want, sizeof want);
        erg_engine_destroy(eng);
    }
}

static void test_ref_vs_opencl(void)
{
    static const erg_backend backends[] = {ERG_BACKEND_OPENCL, ERG_BACKEND_AUTO};
    uint8_t seeds[N][32], want[N * 64], got[N * 64];
    erg_kparams p;
    size_t i;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 0);
    make_seeds(seeds, N);
    expected(&p, (const uint8_t(*)[32])seeds, N, want);
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
            CHECK(allow_no_opencl());
            continue;
        }
        if (erg_engine_backend(eng) != ERG_BACKEND_OPENCL) {
            CHECK(allow_no_opencl());
            erg_engine_destroy(eng);
            continue;
        }
        printf("  %s: %zu device(s)\n", erg_backend_name(backends[i]), erg_cl_device_count(erg_engine_cl(eng)));
        memset(got, 0, sizeof got);
        CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, &err) ==
              ERG_OK);
        CHECK_EQ_MEM(got, want, sizeof want);
        /* Fewer units than devices, and a single unit. */
        memset(got, 0, sizeof got);
        CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, 1, got, &err) ==
              ERG_OK);
        CHECK_EQ_MEM(got, want, 64);
        CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, NULL, 0, NULL, &err) == ERG_OK);
        erg_engine_destroy(eng);
    }
}

static void test_fallback_when_nothing_selected(void)
{
    uint8_t seeds[N][32], want[N * 64], got[N * 64];
    erg_kparams p;
    erg_engine_opts o;
    erg_engine *eng = NULL;
    erg_err err;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 0);
    make_seeds(seeds, N);
    expected(&p, (const uint8_t(*)[32])seeds, N, want);

    /* Through the environment variable, as an operator would. */
    setenv(ERG_OPENCL_DEVICES_ENV, "none", 1);
    memset(&o, 0, sizeof o);
    o.backend = ERG_BACKEND_AUTO;
    CHECK(erg_engine_create(&eng, &o, &err) == ERG_OK);
    CHECK(erg_engine_backend(eng) == ERG_BACKEND_REF);
    memset(got, 0, sizeof got);
    CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, &err) ==
          ERG_OK);
    CHECK_EQ_MEM(got, want, sizeof want);
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
    uint8_t seeds[N][32], want[N * 64], got[N * 64];
    erg_kparams p;
    erg_engine_opts o;
    erg_engine *eng = NULL;
    erg_err err;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 1);
    make_seeds(seeds, N);
    expected(&p, (const uint8_t(*)[32])seeds, N, want);
    memset(&o, 0, sizeof o);
    o.backend = ERG_BACKEND_OPENCL;
    o.devices = "";
    if (erg_engine_create(&eng, &o, &err) != ERG_OK) {
        CHECK(allow_no_opencl());
        return;
    }
    printf("  %zu device(s)\n", erg_cl_device_count(erg_engine_cl(eng)));
    CHECK(erg_cl_device_count(erg_engine_cl(eng)) >= 2 || getenv("ERG_TEST_KEEP_POCL_DEVICES"));
    memset(got, 0, sizeof got);
    CHECK(erg_engine_run(eng, &erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, got, &err) ==
          ERG_OK);
    CHECK_EQ_MEM(got, want, N * 16);
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
