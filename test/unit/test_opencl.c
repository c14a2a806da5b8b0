/* Unit tests for kernels/opencl: device listing, fixture kernel on OpenCL vs C, batching, build errors, selection. */
#include "kernels/opencl.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <CL/cl.h>

#include "test/unit/harness.h"
#include "test/unit/kernel_fixture.h"
#include "test/unit/kernel_testutil.h"

/* Every usable device whatever ERG_OPENCL_DEVICES says: this runtime's tests cover all of them. */
static erg_cl *open_cl(void)
{
    return erg_test_open_cl("");
}

static void make_seeds(uint8_t (*seeds)[32], size_t n, uint8_t tag)
{
    size_t i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < 32; j++) seeds[i][j] = (uint8_t)(i * 131u + j * 17u + tag + (i >> 8) * 7u);
}

static void test_device_listing(void)
{
    erg_cl_devinfo *all = NULL;
    erg_cl *cl;
    size_t n = 0, i, usable = 0;
    int seen_non_gpu = 0;
    CHECK(erg_cl_probe(&all, &n, NULL) == ERG_OK);
    for (i = 0; i < n; i++) {
        CHECK(all[i].index == i);
        CHECK(all[i].name[0] != '\0');
        CHECK(all[i].compute_units >= 1);
        CHECK(all[i].usable == (all[i].refusal[0] == '\0'));
        /* GPUs come first. */
        if (strcmp(all[i].type, "gpu") != 0) seen_non_gpu = 1;
        else CHECK(!seen_non_gpu);
        usable += all[i].usable != 0;
        printf("  device %zu: %s [%s, %s, %u CU] %s%s\n", i, all[i].name, all[i].platform, all[i].type,
               all[i].compute_units, all[i].usable ? "usable" : "refused: ", all[i].refusal);
    }
    cl = open_cl();
    if (cl) {
        CHECK(erg_cl_device_count(cl) == usable);
        for (i = 0; i < erg_cl_device_count(cl); i++) {
            CHECK(erg_cl_device_name(cl, i) != NULL);
            CHECK(erg_cl_device_info(cl, i)->usable);
        }
        CHECK(erg_cl_device_name(cl, erg_cl_device_count(cl)) == NULL);
        erg_cl_destroy(cl);
    }
    free(all);
}

static void test_fixture_matches_ref(void)
{
    const erg_kernel *k = &erg_test_fixture_kernel;
    enum { N = 37 }; /* not a multiple of 8 */
    static const size_t locals[] = {1, 8, 0};
    static const uint8_t input[5] = {1, 2, 3, 250, 251};
    uint8_t seeds[N][32], *want;
    erg_kparams p;
    erg_cl *cl = open_cl();
    size_t d, li;
    int with_input;
    if (!cl) return;
    erg_kparams_default(k, &p, 0);
    make_seeds(seeds, N, 1);
    want = malloc(N * k->output_size(&p));
    CHECK(want != NULL);
    for (with_input = 0; want && with_input < 2; with_input++) {
        size_t in_len = with_input ? sizeof input : 0;
        CHECK(erg_test_ref_units(k, &p, input, in_len, (const uint8_t(*)[32])seeds, N, want) == 0);
        for (d = 0; d < erg_cl_device_count(cl); d++)
            for (li = 0; li < sizeof locals / sizeof locals[0]; li++)
                CHECK(erg_test_cl_compare(cl, d, k, &p, input, in_len, (const uint8_t(*)[32])seeds, N, locals[li],
                                          want, with_input ? "with input" : "no input") == 0);
    }
    /* Zero units is a no-op that still validates. */
    CHECK(erg_cl_run_units(cl, 0, k, &p, NULL, 0, NULL, 0, 0, NULL, NULL) == ERG_OK);
    free(want);
    erg_cl_destroy(cl);
}

static void test_batching_splits_launches(void)
{
    const erg_kernel *k = &erg_test_fixture_kernel;
    enum { N = 23 };
    uint8_t seeds[N][32], *want, *got;
    erg_kparams p;
    erg_cl *cl = open_cl();
    size_t osz;
    erg_err err;
    if (!cl) return;
    erg_kparams_default(k, &p, 1);
    osz = k->output_size(&p);
    make_seeds(seeds, N, 2);
    want = malloc(N * osz);
    got = malloc(N * osz);
    CHECK(erg_test_ref_units(k, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, want) == 0);
    erg_cl_set_max_batch(cl, 5); /* five launches, the last one partial */
    CHECK(erg_cl_run_units(cl, 0, k, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, 2, got, &err) == ERG_OK);
    CHECK_EQ_MEM(got, want, N * osz);
    erg_cl_set_max_batch(cl, 1);
    memset(got, 0, N * osz);
    CHECK(erg_cl_run_units(cl, 0, k, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, 0, got, &err) == ERG_OK);
    CHECK_EQ_MEM(got, want, N * osz);
    free(want);
    free(got);
    erg_cl_destroy(cl);
}

static void test_bad_arguments_rejected(void)
{
    const erg_kernel *k = &erg_test_fixture_kernel;
    uint8_t seeds[4][32], out[4 * 16 * 4], before[sizeof out];
    erg_kparams p;
    erg_cl *cl = open_cl();
    erg_err err;
    if (!cl) return;
    make_seeds(seeds, 4, 3);
    memset(out, 0x5C, sizeof out);
    memcpy(before, out, sizeof out);
    erg_kparams_default(k, &p, 0);
    p.v[0] = 999; /* above max */
    CHECK(erg_cl_run_units(cl, 0, k, &p, NULL, 0, (const uint8_t(*)[32])seeds, 4, 0, out, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "words") != NULL);
    CHECK_EQ_MEM(out, before, sizeof out);
    erg_kparams_default(k, &p, 0);
    CHECK(erg_cl_run_units(cl, 0, k, &p, NULL, 0, (const uint8_t(*)[32])seeds, 4, 1u << 30, out, &err) == ERG_ERR_ARG);
    CHECK(strstr(err.reason, "local size") != NULL);
    CHECK(erg_cl_run_units(cl, erg_cl_device_count(cl), k, &p, NULL, 0, (const uint8_t(*)[32])seeds, 4, 0, out, &err) ==
          ERG_ERR_ARG);
    CHECK_EQ_MEM(out, before, sizeof out);
    erg_cl_destroy(cl);
}

static void test_build_failure_names_clbuildprogram(void)
{
    erg_kernel bad = erg_test_fixture_kernel;
    uint8_t seeds[2][32], out[2 * 16 * 4];
    erg_kparams p;
    erg_cl *cl = open_cl();
    erg_err err, err2;
    if (!cl) return;
    bad.cl_source = "__kernel void erg_test_fixture_words(__global uint *x) { this is not C; }\n";
    erg_kparams_default(&bad, &p, 0);
    make_seeds(seeds, 2, 4);
    CHECK(erg_cl_run_units(cl, 0, &bad, &p, NULL, 0, (const uint8_t(*)[32])seeds, 2, 0, out, &err) == ERG_ERR_OPENCL);
    CHECK(strncmp(err.reason, "clBuildProgram: CL_BUILD_PROGRAM_FAILURE", 40) == 0);
    CHECK(strstr(err.reason, "error") != NULL);
    /* The failure is cached: the same reason comes back without another build. */
    CHECK(erg_cl_prepare(cl, 0, &bad, &err2) == ERG_ERR_OPENCL);
    CHECK(strcmp(err.reason, err2.reason) == 0);
    /* A missing entry point fails at clCreateKernel. */
    bad.cl_source = erg_test_fixture_kernel.cl_source;
    bad.cl_entry = "erg_test_fixture_no_such_entry";
    CHECK(erg_cl_prepare(cl, 0, &bad, &err) == ERG_ERR_OPENCL);
    CHECK(strncmp(err.reason, "clCreateKernel: CL_INVALID_KERNEL_NAME", 38) == 0);
    erg_cl_destroy(cl);
}

static void test_fp64_kernels_need_the_extension(void)
{
    erg_kernel k64 = erg_test_fixture_kernel;
    erg_cl *cl;
    size_t d;
    k64.cl_source = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" ERG_TEST_FIXTURE_CL;
    CHECK(erg_cl_kernel_needs_fp64(&k64));
    CHECK(!erg_cl_kernel_needs_fp64(&erg_test_fixture_kernel));
    cl = open_cl();
    if (!cl) return;
    for (d = 0; d < erg_cl_device_count(cl); d++) {
        erg_err err;
        erg_code rc = erg_cl_kernel_supported(cl, d, &k64, &err);
        CHECK(erg_cl_kernel_supported(cl, d, &erg_test_fixture_kernel, NULL) == ERG_OK);
        if (erg_cl_device_info(cl, d)->fp64) {
            CHECK(rc == ERG_OK);
        } else {
            CHECK(rc == ERG_ERR_UNSUPPORTED);
            CHECK(strstr(err.reason, "cl_khr_fp64") != NULL);
        }
    }
    erg_cl_destroy(cl);
}

static void test_selection(void)
{
    erg_cl_devinfo *all = NULL;
    erg_cl *cl = NULL;
    size_t n = 0;
    erg_err err;
    char idx[32];
    CHECK(erg_cl_create_select(&cl, "none", &err) == ERG_ERR_NOTFOUND);
    CHECK(cl == NULL);
    CHECK(erg_cl_create_select(&cl, "999999", &err) == ERG_ERR_NOTFOUND);
    CHECK(erg_cl_create_select(&cl, "no-such-device-name-xyz", &err) == ERG_ERR_NOTFOUND);
    if (erg_cl_probe(&all, &n, NULL) == ERG_OK && n > 0) CHECK(strstr(err.reason, "selects none") != NULL);
    if (n == 0 || !all[0].usable) {
        free(all);
        cl = open_cl();
        erg_cl_destroy(cl);
        return;
    }
    snprintf(idx, sizeof idx, " 0 ");
    CHECK(erg_cl_create_select(&cl, idx, &err) == ERG_OK);
    CHECK(erg_cl_device_count(cl) == 1);
    CHECK(strcmp(erg_cl_device_name(cl, 0), all[0].name) == 0);
    erg_cl_destroy(cl);
    CHECK(erg_cl_create_select(&cl, all[0].type, &err) == ERG_OK);
    CHECK(erg_cl_device_count(cl) >= 1);
    erg_cl_destroy(cl);
    /* Name filters match case-insensitively. */
    {
        char upper[sizeof all[0].name];
        size_t i;
        for (i = 0; all[0].name[i] && i < 6; i++) upper[i] = (char)toupper((unsigned char)all[0].name[i]);
        upper[i] = '\0';
        CHECK(erg_cl_create_select(&cl, upper, &err) == ERG_OK);
        CHECK(erg_cl_device_count(cl) >= 1);
        erg_cl_destroy(cl);
    }
    free(all);
}

typedef struct thread_run {
    erg_cl *cl;
    const uint8_t (*seeds)[32];
    size_t n;
    uint8_t *out;
    erg_code rc;
} thread_run;

static void *run_thread(void *arg)
{
    thread_run *t = arg;
    erg_kparams p;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 0);
    t->rc = erg_cl_run_units(t->cl, 0, &erg_test_fixture_kernel, &p, NULL, 0, t->seeds, t->n, 0, t->out, NULL);
    return NULL;
}

static void test_concurrent_runs(void)
{
    enum { N = 16, T = 4 };
    uint8_t seeds[N][32], want[N * 64], got[T][N * 64];
    pthread_t tid[T];
    thread_run runs[T];
    erg_kparams p;
    erg_cl *cl = open_cl();
    int i;
    if (!cl) return;
    erg_kparams_default(&erg_test_fixture_kernel, &p, 0);
    make_seeds(seeds, N, 5);
    CHECK(erg_test_ref_units(&erg_test_fixture_kernel, &p, NULL, 0, (const uint8_t(*)[32])seeds, N, want) == 0);
    for (i = 0; i < T; i++) {
        runs[i].cl = cl;
        runs[i].seeds = (const uint8_t(*)[32])seeds;
        runs[i].n = N;
        runs[i].out = got[i];
        runs[i].rc = ERG_ERR_INTERNAL;
        CHECK(pthread_create(&tid[i], NULL, run_thread, &runs[i]) == 0);
    }
    for (i = 0; i < T; i++) {
        pthread_join(tid[i], NULL);
        CHECK(runs[i].rc == ERG_OK);
        CHECK_EQ_MEM(got[i], want, sizeof want);
    }
    erg_cl_destroy(cl);
}

static void test_error_names(void)
{
    CHECK(strcmp(erg_cl_error_name(CL_BUILD_PROGRAM_FAILURE), "CL_BUILD_PROGRAM_FAILURE") == 0);
    CHECK(strcmp(erg_cl_error_name(CL_INVALID_WORK_GROUP_SIZE), "CL_INVALID_WORK_GROUP_SIZE") == 0);
    CHECK(strcmp(erg_cl_error_name(-1001), "CL_PLATFORM_NOT_FOUND_KHR") == 0);
    CHECK(strcmp(erg_cl_error_name(-12345), "CL_UNKNOWN_ERROR") == 0);
}

ERG_TESTS("opencl", T(test_device_listing), T(test_fixture_matches_ref), T(test_batching_splits_launches),
          T(test_bad_arguments_rejected), T(test_build_failure_names_clbuildprogram),
          T(test_fp64_kernels_need_the_extension), T(test_selection), T(test_concurrent_runs), T(test_error_names))
