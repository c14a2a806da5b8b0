/* Helpers shared by the kernel unit tests: the OpenCL device rule, OpenCL-vs-C byte comparison, golden hashes. */
#include "test/unit/kernel_testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util/hex.h"
#include "test/unit/harness.h"

int erg_test_allow_no_opencl(void)
{
    const char *v = getenv("ERG_ALLOW_NO_OPENCL");
    return v && strcmp(v, "1") == 0;
}

erg_cl *erg_test_open_cl(const char *select)
{
    erg_cl *cl = NULL;
    erg_err err;
    if (erg_cl_create_select(&cl, select, &err) == ERG_OK) return cl;
    if (erg_test_allow_no_opencl()) {
        printf("    skipped OpenCL (ERG_ALLOW_NO_OPENCL=1): %s\n", err.reason);
        return NULL;
    }
    printf("    no OpenCL device: %s\n", err.reason);
    CHECK(!"an OpenCL device is required (set ERG_ALLOW_NO_OPENCL=1 to skip)");
    return NULL;
}

void erg_test_set_u32(const erg_kernel *k, erg_kparams *p, const char *name, uint32_t v)
{
    char tmp[16];
    erg_err err;
    snprintf(tmp, sizeof tmp, "%u", (unsigned)v);
    if (erg_kparams_set(k, p, name, tmp, &err) != ERG_OK) {
        printf("    set %s=%s: %s\n", name, tmp, err.reason);
        CHECK(!"erg_kparams_set refused a test value");
    }
}

size_t erg_test_ref_units(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                          const uint8_t (*seeds)[32], size_t n, uint8_t *out)
{
    size_t i, osz = k->output_size(p), refused = 0;
    for (i = 0; i < n; i++) {
        erg_err err;
        if (erg_kernel_run_ref(k, p, input, input_len, seeds[i], out + i * osz, osz, &err) != ERG_OK) {
            printf("    run_ref unit %zu: %s\n", i, err.reason);
            refused++;
        }
    }
    return refused;
}

size_t erg_test_cl_compare(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                           size_t input_len, const uint8_t (*seeds)[32], size_t n, size_t local, const uint8_t *want,
                           const char *label)
{
    size_t osz = k->output_size(p), i, bad = n;
    uint8_t *got = malloc(n * osz), *ref = want ? NULL : malloc(n * osz);
    erg_err err;
    if (!got || (!want && !ref)) {
        printf("    %s: out of memory\n", label);
        goto done;
    }
    if (!want) {
        if (erg_test_ref_units(k, p, input, input_len, seeds, n, ref)) goto done;
        want = ref;
    }
    /* Poisoned first, so a unit the device never wrote cannot match by accident. */
    memset(got, 0xAA, n * osz);
    if (erg_cl_run_units(cl, dev, k, p, input, input_len, seeds, n, local, got, &err) != ERG_OK) {
        printf("    %s: %s: %s\n", erg_cl_device_name(cl, dev), label, err.reason);
        goto done;
    }
    for (bad = 0, i = 0; i < n; i++) bad += memcmp(got + i * osz, want + i * osz, osz) != 0;
    if (bad)
        printf("    %s: %s, local size %zu: %zu of %zu units differ from the C reference\n",
               erg_cl_device_name(cl, dev), label, local, bad, n);
done:
    free(got);
    free(ref);
    return bad;
}

/* erg_test_cl_compare without input, for the units seeded make_seed(first), ..., make_seed(first + n - 1). */
static size_t cl_compare_numbered(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p,
                                  erg_test_seed_fn make_seed, uint32_t first, size_t n, size_t local, const char *label)
{
    uint8_t(*seeds)[32] = malloc(n * 32);
    size_t i, bad;
    if (!seeds) {
        printf("    %s: out of memory\n", label);
        return n;
    }
    for (i = 0; i < n; i++) make_seed(first + (uint32_t)i, seeds[i]);
    bad = erg_test_cl_compare(cl, dev, k, p, NULL, 0, (const uint8_t(*)[32])seeds, n, local, NULL, label);
    free(seeds);
    return bad;
}

size_t erg_test_cl_sweep(erg_cl *cl, const erg_kernel *k, erg_test_seed_fn make_seed, uint32_t first,
                         const uint32_t *shapes, size_t nshapes, size_t nfields, uint32_t shape_first,
                         size_t per_shape)
{
    size_t dev, r, j, failed = 0;
    for (dev = 0; dev < erg_cl_device_count(cl); dev++) {
        erg_kparams p;
        erg_kparams_default(k, &p, 1);
        failed += cl_compare_numbered(cl, dev, k, &p, make_seed, first, 101, 1, "small") != 0;
        failed += cl_compare_numbered(cl, dev, k, &p, make_seed, first, 101, 8, "small") != 0;
        for (r = 0; r < nshapes; r++) {
            char label[32];
            erg_kparams_default(k, &p, 1);
            for (j = 0; j < nfields; j++) p.v[j] = shapes[r * nfields + j];
            snprintf(label, sizeof label, "shape %zu", r);
            failed += cl_compare_numbered(cl, dev, k, &p, make_seed, shape_first + 100 * (uint32_t)r, per_shape,
                                          r & 1 ? 8 : 0, label) != 0;
        }
    }
    return failed;
}

int erg_test_golden_ok(const erg_kernel *k, const erg_kparams *p, const uint8_t *out, size_t out_len,
                       const char *want_hex, const char *who)
{
    uint8_t h[32];
    char hex[65];
    erg_err err;
    if (erg_kernel_output_hash(k, p, out, out_len, h, &err) != ERG_OK) {
        printf("    %s: output hash: %s\n", who, err.reason);
        return 0;
    }
    if (erg_hex_encode(h, 32, hex, sizeof hex, &err) != ERG_OK) hex[0] = '\0';
    if (strcmp(hex, want_hex) == 0) return 1;
    printf("    %s: output hash %s, golden %s\n", who, hex, want_hex);
    return 0;
}

size_t erg_test_cl_golden(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                          size_t input_len, const uint8_t (*seeds)[32], size_t n, const char *const *want_hex)
{
    size_t osz = k->output_size(p), i, bad = n;
    uint8_t *out = malloc(n * osz);
    erg_err err;
    if (!out) {
        printf("    golden: out of memory\n");
        return n;
    }
    if (erg_cl_run_units(cl, dev, k, p, input, input_len, seeds, n, 0, out, &err) != ERG_OK) {
        printf("    %s: %s\n", erg_cl_device_name(cl, dev), err.reason);
    } else {
        for (bad = 0, i = 0; i < n; i++)
            bad += !erg_test_golden_ok(k, p, out + i * osz, osz, want_hex[i], erg_cl_device_name(cl, dev));
    }
    free(out);
    return bad;
}
