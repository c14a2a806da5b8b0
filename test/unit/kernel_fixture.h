/* A test-fixture kernel for the runtime tests: each unit writes Philox words via scratch. */
#ifndef ERG_TEST_KERNEL_FIXTURE_H
#define ERG_TEST_KERNEL_FIXTURE_H

#include "kernels/kernel.h"
#include "kernels/philox.h"
#include "src/util/buffer.h"

/*
 * Unit output: `words` little-endian u32 words, word i = philox stream-0 word i XOR derived[0]
 * XOR input[i % input_len] (when there is input). The OpenCL version stages the words in its
 * scratch slice, so every argument of the kernel.h contract is exercised.
 */
static const erg_kparam_field erg_test_fixture_fields[] = {
    {"words", "u32 words written per unit", 1, 256, 16, 4},
    {"salt", "value derived into derived[0]", 0, 1000000, 7, 3},
};

static erg_code erg_test_fixture_validate(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err)
{
    if (p->v[0] > 200 && p->v[1] > 500000)
        return erg_err_set(err, ERG_ERR_RANGE, "fixture: words > 200 needs salt <= 500000");
    return ERG_OK;
}

static uint64_t erg_test_fixture_ops(const erg_kparams *p, size_t input_len)
{
    return p->v[0];
}

static size_t erg_test_fixture_output_size(const erg_kparams *p)
{
    return (size_t)p->v[0] * 4;
}

static size_t erg_test_fixture_scratch_size(const erg_kparams *p, size_t input_len)
{
    return (size_t)p->v[0] * 4;
}

static erg_code erg_test_fixture_derive(const erg_kparams *p, const uint8_t *input, size_t input_len,
                                        uint32_t derived[ERG_KDERIVED_MAX], erg_err *err)
{
    derived[0] = p->v[1] * 0x9E3779B9u;
    return ERG_OK;
}

static erg_code erg_test_fixture_run_ref(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX],
                                         const uint8_t *input, size_t input_len, const uint8_t seed[32], uint8_t *out,
                                         size_t out_len, erg_err *err)
{
    uint32_t s[8], i;
    erg_rng r;
    erg_seed_words(seed, s);
    erg_rng_init(&r, s, 0);
    for (i = 0; i < p->v[0]; i++) {
        uint32_t w = erg_rng_u32(&r) ^ derived[0];
        if (input_len) w ^= input[i % input_len];
        erg_store_u32(out + 4 * i, w);
    }
    return ERG_OK;
}

static erg_code erg_test_fixture_describe(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json,
                                          erg_err *err)
{
    static const char text[] = "{\"fixture\":true}";
    erg_buf_put_raw(json, text, sizeof text - 1);
    return erg_buf_status(json, err);
}

#define ERG_TEST_FIXTURE_CL                                                                                     \
    "__kernel void erg_test_fixture_words(__global const uint *params, __global const uint *derived,\n"         \
    "    __global const uchar *input, uint input_len, __global const uint *seeds, __global uchar *out,\n"       \
    "    __global uchar *scratch, uint n_units)\n"                                                             \
    "{\n"                                                                                                      \
    "    size_t u = get_global_id(0);\n"                                                                       \
    "    uint n = params[0], i, s[8];\n"                                                                       \
    "    erg_rng r;\n"                                                                                         \
    "    __global uchar *sc;\n"                                                                                \
    "    if (u >= n_units) return;\n"                                                                          \
    "    sc = scratch + u * n * 4;\n"                                                                          \
    "    for (i = 0; i < 8; i++) s[i] = seeds[8 * u + i];\n"                                                   \
    "    erg_rng_init(&r, s, 0);\n"                                                                            \
    "    for (i = 0; i < n; i++) {\n"                                                                          \
    "        uint w = erg_rng_u32(&r) ^ derived[0];\n"                                                         \
    "        if (input_len) w ^= input[i % input_len];\n"                                                      \
    "        sc[4 * i] = (uchar)w; sc[4 * i + 1] = (uchar)(w >> 8);\n"                                         \
    "        sc[4 * i + 2] = (uchar)(w >> 16); sc[4 * i + 3] = (uchar)(w >> 24);\n"                            \
    "    }\n"                                                                                                  \
    "    for (i = 0; i < 4 * n; i++) out[u * n * 4 + i] = sc[i];\n"                                            \
    "}\n"

static const erg_kernel erg_test_fixture_kernel = {
    .name = "erg_test_fixture",
    .field = "testing",
    .summary = "test fixture: Philox words per unit",
    .fields = erg_test_fixture_fields,
    .nfields = 2,
    .input = ERG_KINPUT_OPTIONAL,
    .input_max = 64,
    .ops_unit = "words",
    .cu_num = 1,
    .cu_den = 4,
    .validate = erg_test_fixture_validate,
    .ops = erg_test_fixture_ops,
    .output_size = erg_test_fixture_output_size,
    .scratch_size = erg_test_fixture_scratch_size,
    .derive = erg_test_fixture_derive,
    .run_ref = erg_test_fixture_run_ref,
    .describe = erg_test_fixture_describe,
    .cl_shared = NULL,
    .cl_source = ERG_TEST_FIXTURE_CL,
    .cl_entry = "erg_test_fixture_words",
};

#endif
