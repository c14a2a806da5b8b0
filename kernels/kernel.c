/* Generic kernel operations: parameters (set, validate, encode), compute units, output hashes. */
#include "kernels/kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypto/sha256.h"
#include "src/util/serialize.h"

void erg_seed_words(const uint8_t seed[32], uint32_t words[8])
{
    int i;
    for (i = 0; i < 8; i++) words[i] = erg_load_u32(seed + 4 * i);
}

void erg_kparams_default(const erg_kernel *k, erg_kparams *p, int small)
{
    size_t i;
    memset(p, 0, sizeof *p);
    for (i = 0; i < k->nfields; i++) p->v[i] = small ? k->fields[i].small : k->fields[i].def;
}

erg_code erg_kparams_set(const erg_kernel *k, erg_kparams *p, const char *name, const char *value, erg_err *err)
{
    size_t i;
    for (i = 0; i < k->nfields; i++) {
        const erg_kparam_field *f = &k->fields[i];
        char *end;
        unsigned long long v;
        if (strcmp(f->name, name) != 0) continue;
        errno = 0;
        if (value[0] < '0' || value[0] > '9')
            return erg_err_set(err, ERG_ERR_PARSE, "%s.%s: '%s' is not a non-negative integer", k->name, name, value);
        v = strtoull(value, &end, 10);
        if (errno || *end != '\0')
            return erg_err_set(err, ERG_ERR_PARSE, "%s.%s: '%s' is not a non-negative integer", k->name, name, value);
        if (v < f->min || v > f->max)
            return erg_err_set(err, ERG_ERR_RANGE, "%s.%s: %s outside [%u, %u] (%s)", k->name, name, value,
                               (unsigned)f->min, (unsigned)f->max, f->doc);
        p->v[i] = (uint32_t)v;
        return ERG_OK;
    }
    return erg_err_set(err, ERG_ERR_NOTFOUND, "%s: no parameter named '%s'", k->name, name);
}

erg_code erg_kparams_validate(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                              erg_err *err)
{
    size_t i;
    for (i = 0; i < k->nfields; i++) {
        const erg_kparam_field *f = &k->fields[i];
        if (p->v[i] < f->min || p->v[i] > f->max)
            return erg_err_set(err, ERG_ERR_RANGE, "%s.%s: %u outside [%u, %u] (%s)", k->name, f->name,
                               (unsigned)p->v[i], (unsigned)f->min, (unsigned)f->max, f->doc);
    }
    for (; i < ERG_KPARAM_MAX; i++)
        if (p->v[i] != 0) return erg_err_set(err, ERG_ERR_RANGE, "%s: unused parameter word %zu is set", k->name, i);
    if (k->input == ERG_KINPUT_NONE && input_len != 0)
        return erg_err_set(err, ERG_ERR_ARG, "%s: takes no input, got %zu bytes", k->name, input_len);
    if (k->input == ERG_KINPUT_REQUIRED && input_len == 0)
        return erg_err_set(err, ERG_ERR_ARG, "%s: requires an input", k->name);
    if (input_len > k->input_max)
        return erg_err_set(err, ERG_ERR_RANGE, "%s: input of %zu bytes exceeds %zu", k->name, input_len, k->input_max);
    return k->validate ? k->validate(p, input, input_len, err) : ERG_OK;
}

erg_code erg_kparams_encode(const erg_kernel *k, const erg_kparams *p, erg_buf *out, erg_err *err)
{
    size_t i;
    erg_buf_put_compact(out, k->nfields);
    for (i = 0; i < k->nfields; i++) erg_buf_put_u32(out, p->v[i]);
    return erg_buf_status(out, err);
}

erg_code erg_kparams_decode(const erg_kernel *k, const uint8_t *blob, size_t len, erg_kparams *p, erg_err *err)
{
    erg_reader r;
    uint64_t n;
    size_t i;
    erg_code rc;
    erg_reader_init(&r, blob, len);
    memset(p, 0, sizeof *p);
    if ((rc = erg_read_compact(&r, &n, ERG_KPARAM_MAX, "params.count", err))) return rc;
    if (n != k->nfields)
        return erg_err_set(err, ERG_ERR_PARSE, "%s: params carry %llu fields, kernel has %zu", k->name,
                           (unsigned long long)n, k->nfields);
    for (i = 0; i < k->nfields; i++)
        if ((rc = erg_read_u32(&r, &p->v[i], k->fields[i].name, err))) return rc;
    return erg_reader_expect_end(&r, "params", err);
}

erg_code erg_kernel_cu(const erg_kernel *k, const erg_kparams *p, size_t input_len, uint64_t *cu, erg_err *err)
{
    uint64_t ops = k->ops(p, input_len);
    unsigned __int128 prod = (unsigned __int128)ops * k->cu_num;
    unsigned __int128 q;
    if (k->cu_den == 0) return erg_err_set(err, ERG_ERR_INTERNAL, "%s: zero CU denominator", k->name);
    q = (prod + k->cu_den - 1) / k->cu_den;
    if (q > UINT64_MAX) return erg_err_set(err, ERG_ERR_OVERFLOW, "%s: compute units overflow", k->name);
    *cu = (uint64_t)q;
    return ERG_OK;
}

erg_code erg_kernel_output_hash(const erg_kernel *k, const erg_kparams *p, const uint8_t *out, size_t out_len,
                                uint8_t hash[32], erg_err *err)
{
    erg_buf head;
    erg_sha256_ctx ctx;
    erg_code rc;
    erg_buf_init(&head);
    erg_buf_put_bytes(&head, k->name, strlen(k->name));
    if ((rc = erg_kparams_encode(k, p, &head, err))) {
        erg_buf_free(&head);
        return rc;
    }
    erg_tagged_init(&ctx, "Ergon/output");
    erg_sha256_update(&ctx, head.data, head.len);
    erg_sha256_update(&ctx, out, out_len);
    erg_sha256_final(&ctx, hash);
    erg_buf_free(&head);
    return ERG_OK;
}

erg_code erg_kernel_run_ref(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                            const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err)
{
    uint32_t derived[ERG_KDERIVED_MAX];
    erg_code rc;
    if ((rc = erg_kparams_validate(k, p, input, input_len, err))) return rc;
    if (out_len != k->output_size(p))
        return erg_err_set(err, ERG_ERR_ARG, "%s: output buffer is %zu bytes, unit writes %zu", k->name, out_len,
                           k->output_size(p));
    memset(derived, 0, sizeof derived);
    if (k->derive && (rc = k->derive(p, input, input_len, derived, err))) return rc;
    return k->run_ref(p, derived, input, input_len, seed, out, out_len, err);
}
