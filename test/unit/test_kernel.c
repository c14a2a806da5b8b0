/* Unit tests for kernels/kernel.c: parameter defaults, set, validate, encode/decode, CU and output hashes. */
#include "kernels/kernel.h"

#include <stdio.h>

#include "src/crypto/sha256.h"
#include "test/unit/harness.h"
#include "test/unit/kernel_fixture.h"

static const erg_kernel *K = &erg_test_fixture_kernel;

static void test_defaults(void)
{
    erg_kparams p;
    size_t i;
    memset(&p, 0xff, sizeof p);
    erg_kparams_default(K, &p, 0);
    CHECK(p.v[0] == 16 && p.v[1] == 7);
    for (i = 2; i < ERG_KPARAM_MAX; i++) CHECK(p.v[i] == 0);
    erg_kparams_default(K, &p, 1);
    CHECK(p.v[0] == 4 && p.v[1] == 3);
    CHECK(erg_kparams_validate(K, &p, NULL, 0, NULL) == ERG_OK);
}

static void test_set(void)
{
    static const char *const bad_syntax[] = {"", "abc", "-1", "+3", " 5", "12x", "1.5", "99999999999999999999999"};
    erg_kparams p, before;
    erg_err err;
    size_t i;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_set(K, &p, "words", "32", &err) == ERG_OK);
    CHECK(p.v[0] == 32);
    CHECK(erg_kparams_set(K, &p, "salt", "0", &err) == ERG_OK);
    CHECK(p.v[1] == 0);
    CHECK(erg_kparams_set(K, &p, "words", "256", &err) == ERG_OK);
    CHECK(erg_kparams_set(K, &p, "words", "1", &err) == ERG_OK);
    before = p;
    for (i = 0; i < sizeof bad_syntax / sizeof bad_syntax[0]; i++) {
        CHECK(erg_kparams_set(K, &p, "words", bad_syntax[i], &err) == ERG_ERR_PARSE);
        CHECK(strstr(err.reason, "words") != NULL);
    }
    CHECK(erg_kparams_set(K, &p, "words", "0", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "words", "257", &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "[1, 256]") != NULL);
    CHECK(erg_kparams_set(K, &p, "salt", "4294967296", &err) == ERG_ERR_RANGE);
    CHECK(erg_kparams_set(K, &p, "nosuch", "1", &err) == ERG_ERR_NOTFOUND);
    CHECK(strstr(err.reason, "nosuch") != NULL);
    CHECK(memcmp(&p, &before, sizeof p) == 0); /* failures change nothing */
}

static void test_validate(void)
{
    erg_kernel none = *K, req = *K;
    erg_kparams p;
    uint8_t in[65] = {0};
    erg_err err;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kparams_validate(K, &p, in, 64, &err) == ERG_OK);
    CHECK(erg_kparams_validate(K, &p, in, 65, &err) == ERG_ERR_RANGE);
    p.v[0] = 0;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "words") != NULL);
    erg_kparams_default(K, &p, 0);
    p.v[5] = 1;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "unused") != NULL);
    /* Cross-field check of the kernel's own validate. */
    erg_kparams_default(K, &p, 0);
    p.v[0] = 201;
    p.v[1] = 500001;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_ERR_RANGE);
    CHECK(strstr(err.reason, "salt") != NULL);
    p.v[1] = 500000;
    CHECK(erg_kparams_validate(K, &p, NULL, 0, &err) == ERG_OK);
    /* Input rules. */
    erg_kparams_default(K, &p, 0);
    none.input = ERG_KINPUT_NONE;
    req.input = ERG_KINPUT_REQUIRED;
    CHECK(erg_kparams_validate(&none, &p, in, 1, &err) == ERG_ERR_ARG);
    CHECK(erg_kparams_validate(&none, &p, NULL, 0, &err) == ERG_OK);
    CHECK(erg_kparams_validate(&req, &p, NULL, 0, &err) == ERG_ERR_ARG);
    CHECK(erg_kparams_validate(&req, &p, in, 1, &err) == ERG_OK);
}

static void test_encode_decode(void)
{
    static const uint8_t want[] = {0x02, 0x10, 0, 0, 0, 0x07, 0, 0, 0};
    erg_kparams p, q;
    erg_buf b;
    erg_err err;
    uint8_t blob[32];
    erg_kparams_default(K, &p, 0);
    erg_buf_init(&b);
    CHECK(erg_kparams_encode(K, &p, &b, &err) == ERG_OK);
    CHECK(b.len == sizeof want);
    CHECK_EQ_MEM(b.data, want, sizeof want);
    CHECK(erg_kparams_decode(K, b.data, b.len, &q, &err) == ERG_OK);
    CHECK(memcmp(&p, &q, sizeof p) == 0);
    /* Round trip of extreme values. */
    p.v[0] = 0xffffffffu;
    p.v[1] = 0x01020304u;
    erg_buf_reset(&b);
    CHECK(erg_kparams_encode(K, &p, &b, &err) == ERG_OK);
    CHECK(erg_kparams_decode(K, b.data, b.len, &q, &err) == ERG_OK);
    CHECK(memcmp(&p, &q, sizeof p) == 0);
    erg_buf_free(&b);

    memcpy(blob, want, sizeof want);
    CHECK(erg_kparams_decode(K, blob, sizeof want - 1, &q, &err) == ERG_ERR_PARSE);   /* truncated */
    CHECK(erg_kparams_decode(K, blob, 0, &q, &err) == ERG_ERR_PARSE);                 /* empty */
    blob[sizeof want] = 0;
    CHECK(erg_kparams_decode(K, blob, sizeof want + 1, &q, &err) == ERG_ERR_PARSE);   /* trailing byte */
    blob[0] = 0x03;
    CHECK(erg_kparams_decode(K, blob, sizeof want, &q, &err) == ERG_ERR_PARSE);       /* wrong count */
    blob[0] = 0x11;
    CHECK(erg_kparams_decode(K, blob, sizeof want, &q, &err) != ERG_OK);              /* > ERG_KPARAM_MAX */
    {
        /* Count 2 written as 0xfd 0x02 0x00: well-formed but not the shortest form. */
        static const uint8_t noncanon[] = {0xfd, 0x02, 0x00, 0x10, 0, 0, 0, 0x07, 0, 0, 0};
        CHECK(erg_kparams_decode(K, noncanon, sizeof noncanon, &q, &err) == ERG_ERR_NONCANON);
    }
}

static uint64_t ops_huge(const erg_kparams *p, size_t input_len)
{
    return UINT64_MAX;
}

static void test_cu(void)
{
    erg_kernel big = *K, zero = *K;
    erg_kparams p;
    uint64_t cu = 0;
    erg_err err;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK);
    CHECK(cu == 4); /* 16 words * 1/4 */
    p.v[0] = 17;
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK);
    CHECK(cu == 5); /* rounded up */
    p.v[0] = 1;
    CHECK(erg_kernel_cu(K, &p, 0, &cu, &err) == ERG_OK);
    CHECK(cu == 1);
    big.ops = ops_huge;
    big.cu_num = 2;
    big.cu_den = 1;
    CHECK(erg_kernel_cu(&big, &p, 0, &cu, &err) == ERG_ERR_OVERFLOW);
    big.cu_num = 1;
    CHECK(erg_kernel_cu(&big, &p, 0, &cu, &err) == ERG_OK);
    CHECK(cu == UINT64_MAX);
    big.cu_num = 3;
    big.cu_den = 3;
    CHECK(erg_kernel_cu(&big, &p, 0, &cu, &err) == ERG_OK); /* the product is 128-bit */
    CHECK(cu == UINT64_MAX);
    zero.cu_den = 0;
    CHECK(erg_kernel_cu(&zero, &p, 0, &cu, &err) == ERG_ERR_INTERNAL);
}

static void test_output_hash(void)
{
    erg_kernel renamed = *K;
    erg_kparams p;
    uint8_t out[64], h[32], h2[32], want[32];
    erg_sha256_ctx ctx;
    erg_buf head;
    size_t i;
    erg_kparams_default(K, &p, 0);
    for (i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 13);
    CHECK(erg_kernel_output_hash(K, &p, out, sizeof out, h, NULL) == ERG_OK);
    /* H_tag("Ergon/output", compact(len name) name || params blob || output). */
    erg_buf_init(&head);
    erg_buf_put_bytes(&head, K->name, strlen(K->name));
    CHECK(erg_kparams_encode(K, &p, &head, NULL) == ERG_OK);
    erg_tagged_init(&ctx, "Ergon/output");
    erg_sha256_update(&ctx, head.data, head.len);
    erg_sha256_update(&ctx, out, sizeof out);
    erg_sha256_final(&ctx, want);
    erg_buf_free(&head);
    CHECK_EQ_MEM(h, want, 32);
    /* Every output byte, the params and the kernel name change it. */
    for (i = 0; i < sizeof out; i++) {
        out[i] ^= 0x01;
        CHECK(erg_kernel_output_hash(K, &p, out, sizeof out, h2, NULL) == ERG_OK);
        CHECK(memcmp(h, h2, 32) != 0);
        out[i] ^= 0x01;
    }
    CHECK(erg_kernel_output_hash(K, &p, out, sizeof out - 1, h2, NULL) == ERG_OK);
    CHECK(memcmp(h, h2, 32) != 0);
    p.v[1]++;
    CHECK(erg_kernel_output_hash(K, &p, out, sizeof out, h2, NULL) == ERG_OK);
    CHECK(memcmp(h, h2, 32) != 0);
    p.v[1]--;
    renamed.name = "erg_test_fixturf";
    CHECK(erg_kernel_output_hash(&renamed, &p, out, sizeof out, h2, NULL) == ERG_OK);
    CHECK(memcmp(h, h2, 32) != 0);
}

static void test_run_ref(void)
{
    erg_kparams p;
    uint8_t seed[32] = {0}, out[64], out2[64];
    erg_err err;
    erg_kparams_default(K, &p, 0);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out, sizeof out, &err) == ERG_OK);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out2, sizeof out2, &err) == ERG_OK);
    CHECK_EQ_MEM(out, out2, sizeof out);
    seed[31] = 1;
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out2, sizeof out2, &err) == ERG_OK);
    CHECK(memcmp(out, out2, sizeof out) != 0);
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out2, sizeof out2 - 1, &err) == ERG_ERR_ARG);
    CHECK(strstr(err.reason, "output buffer") != NULL);
    p.v[0] = 300;
    CHECK(erg_kernel_run_ref(K, &p, NULL, 0, seed, out2, sizeof out2, &err) == ERG_ERR_RANGE);
}

static void test_seed_words(void)
{
    uint8_t seed[32];
    uint32_t w[8];
    int i;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)i;
    erg_seed_words(seed, w);
    CHECK(w[0] == 0x03020100u);
    CHECK(w[7] == 0x1f1e1d1cu);
}

ERG_TESTS("kernel", T(test_defaults), T(test_set), T(test_validate), T(test_encode_decode), T(test_cu),
          T(test_output_hash), T(test_run_ref), T(test_seed_words))
