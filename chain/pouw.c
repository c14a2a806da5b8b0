/* Proof-of-useful-work rules: unit seeds, tickets, the compute-weighted target, ASERT, chain work, commons job. */
#include "chain/pouw.h"

#include <stdlib.h>
#include <string.h>

#include "kernels/registry.h"
#include "src/crypto/sha256.h"

void erg_pouw_seed(const uint8_t prev[32], const erg_pubkey *payout, const uint8_t template_commit[32],
                   const uint8_t job_id[32], uint64_t nonce, uint8_t seed[32])
{
    uint8_t raw[32 * 4 + 8];
    memcpy(raw, prev, 32);
    memcpy(raw + 32, payout->b, 32);
    memcpy(raw + 64, template_commit, 32);
    memcpy(raw + 96, job_id, 32);
    erg_store_u64(raw + 128, nonce);
    erg_tagged_hash("Ergon/unit", raw, sizeof raw, seed);
}

void erg_pouw_header_seed(const erg_header *h, uint8_t seed[32])
{
    uint8_t tc[32];
    erg_header_template_commit(h, tc);
    erg_pouw_seed(h->prev, &h->payout, tc, h->job_id, h->nonce, seed);
}

void erg_pouw_ticket(const uint8_t seed[32], const uint8_t output_hash[32], uint8_t ticket[32])
{
    uint8_t raw[64];
    memcpy(raw, seed, 32);
    memcpy(raw + 32, output_hash, 32);
    erg_tagged_hash("Ergon/ticket", raw, sizeof raw, ticket);
}

erg_code erg_pouw_check_ticket(const uint8_t ticket[32], uint32_t bits, uint64_t cu, erg_err *err)
{
    erg_u256 target, bound, t;
    erg_code rc;
    if ((rc = erg_u256_from_compact(&target, bits, err))) return erg_err_prefix(err, "bad-diffbits: ");
    if (cu == 0) return erg_err_set(err, ERG_ERR_INVALID, "bad-cu: a unit of zero compute units cannot win");
    if (erg_u256_mul_u64(&bound, &target, cu)) return ERG_OK; /* bound >= 2^256 > every ticket */
    erg_u256_from_le(&t, ticket);
    if (erg_u256_cmp(&t, &bound) >= 0)
        return erg_err_set(err, ERG_ERR_INVALID, "high-ticket: ticket is not below target * cu (%llu CU)",
                           (unsigned long long)cu);
    return ERG_OK;
}

erg_code erg_pouw_work(uint32_t bits, erg_u256 *work, erg_err *err)
{
    /* 2^256 / (target + 1) computed as (~target / (target + 1)) + 1, as Bitcoin does. */
    erg_u256 target, num, den, one;
    erg_code rc;
    if ((rc = erg_u256_from_compact(&target, bits, err))) return rc;
    erg_u256_from_u64(&one, 1);
    if (erg_u256_add(&den, &target, &one)) {
        *work = one;
        return ERG_OK;
    }
    erg_u256_max(&num);
    erg_u256_sub(&num, &num, &target);
    if ((rc = erg_u256_div(work, &num, &den, err))) return rc;
    erg_u256_add(work, work, &one);
    return ERG_OK;
}

/* floor(a / b) for b > 0, whatever the sign of a. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && (a < 0)) q--;
    return q;
}

uint32_t erg_pouw_next_bits(const erg_chain_params *cp, uint32_t parent_height, uint64_t parent_time)
{
    erg_u256 anchor, limit, next;
    int64_t tdelta, exponent, shifts;
    uint64_t frac, factor;
    if (cp->no_retarget) return cp->genesis_bits;
    if (erg_u256_from_compact(&anchor, cp->genesis_bits, NULL) ||
        erg_u256_from_compact(&limit, cp->pow_limit_bits, NULL))
        return cp->pow_limit_bits;
    /* Schedule error of the parent against the ideal: time since genesis minus height * spacing.
     * Times are bounded by validation (MTP, future limit), so the clamp below never binds on
     * a real chain; it keeps the arithmetic defined for any input. */
    tdelta = (int64_t)(parent_time > (uint64_t)INT64_MAX / 2 ? INT64_MAX / 2 : parent_time) - cp->genesis_time -
             cp->target_spacing * (int64_t)parent_height;
    if (tdelta > ((int64_t)1 << 40)) tdelta = (int64_t)1 << 40;
    if (tdelta < -((int64_t)1 << 40)) tdelta = -((int64_t)1 << 40);
    exponent = floor_div(tdelta * 65536, cp->asert_half_life);
    shifts = floor_div(exponent, 65536);
    frac = (uint64_t)(exponent - shifts * 65536);
    /* 2^(frac/65536) * 65536 by the aserti3-2d cubic, exact in integers (< 2^64 for frac < 2^16). */
    factor = 65536 + ((195766423245049ull * frac + 971821376ull * frac * frac + 5127ull * frac * frac * frac +
                       (1ull << 47)) >> 48);
    if (erg_u256_mul_u64(&next, &anchor, factor)) return cp->pow_limit_bits;
    /* (x << shifts) >> 16 done as one shift by shifts - 16: identical result, no intermediate
     * overflow when the anchor is near the top of the 256-bit range. */
    shifts -= 16;
    if (shifts < 0) {
        erg_u256_shr(&next, &next, (unsigned)(shifts < -256 ? 256 : -shifts));
    } else {
        if (shifts > 0 && erg_u256_bits(&next) + (unsigned)shifts > 256) return cp->pow_limit_bits;
        erg_u256_shl(&next, &next, (unsigned)shifts);
    }
    if (erg_u256_is_zero(&next)) erg_u256_from_u64(&next, 1);
    if (erg_u256_cmp(&next, &limit) > 0) return cp->pow_limit_bits;
    return erg_u256_to_compact(&next);
}

/* The commons rotation and its biology input: the 48-residue 2D HP benchmark sequence
 * (Unger and Moult 1993, E_min = -23), a standard target for folding heuristics. */
static const char *const g_commons_kernels[] = {"ising2d", "hpfold", "mcoption", "ljmd", "swe"};
static const char g_commons_hp48[] = "PPHPPHHPPHHPPPPPHHHHHHHHHHPPPPPPHHPPHHPPHPPHHHHH";

erg_code erg_commons_job_at(const erg_chain_params *cp, uint32_t height, erg_commons_job *job, erg_err *err)
{
    const char *name = g_commons_kernels[height % 5];
    uint8_t input_hash[32];
    erg_buf blob;
    erg_sha256_ctx ctx;
    erg_code rc;
    memset(job, 0, sizeof *job);
    job->kernel = erg_kernel_find(name);
    if (!job->kernel) return erg_err_set(err, ERG_ERR_INTERNAL, "commons: kernel %s is not registered", name);
    erg_kparams_default(job->kernel, &job->params, cp->commons_small);
    if (job->kernel->input != ERG_KINPUT_NONE) {
        job->input = (const uint8_t *)g_commons_hp48;
        job->input_len = sizeof g_commons_hp48 - 1;
    }
    if ((rc = erg_kparams_validate(job->kernel, &job->params, job->input, job->input_len, err))) return rc;
    if ((rc = erg_kernel_cu(job->kernel, &job->params, job->input_len, &job->cu, err))) return rc;
    erg_sha256(job->input, job->input_len, input_hash);
    erg_buf_init(&blob);
    erg_buf_put_bytes(&blob, name, strlen(name));
    if ((rc = erg_kparams_encode(job->kernel, &job->params, &blob, err))) {
        erg_buf_free(&blob);
        return rc;
    }
    erg_tagged_init(&ctx, "Ergon/commons");
    erg_sha256_update(&ctx, blob.data, blob.len);
    erg_sha256_update(&ctx, input_hash, 32);
    erg_sha256_final(&ctx, job->job_id);
    erg_buf_free(&blob);
    return ERG_OK;
}

/* The job and cu a header names must be the commons job of its height. */
static erg_code check_job(const erg_chain_params *cp, const erg_header *h, erg_commons_job *job, erg_err *err)
{
    erg_code rc;
    if ((rc = erg_commons_job_at(cp, h->height, job, err))) return rc;
    if (memcmp(job->job_id, h->job_id, 32) != 0)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-job: job id is not the commons job of height %u",
                           (unsigned)h->height);
    if (h->cu != job->cu)
        return erg_err_set(err, ERG_ERR_INVALID, "bad-cu: header claims %llu CU, the unit is %llu CU",
                           (unsigned long long)h->cu, (unsigned long long)job->cu);
    return ERG_OK;
}

static erg_code check_win(const erg_chain_params *cp, const erg_header *h, const uint8_t seed[32], erg_err *err)
{
    uint8_t ticket[32];
    if (cp->net == ERG_NET_REGTEST) return ERG_OK; /* regtest mines a block from any unit */
    erg_pouw_ticket(seed, h->output_hash, ticket);
    return erg_pouw_check_ticket(ticket, h->bits, h->cu, err);
}

erg_code erg_pouw_check_header(const erg_chain_params *cp, const erg_header *h, erg_err *err)
{
    erg_commons_job job;
    uint8_t seed[32];
    erg_code rc;
    if ((rc = check_job(cp, h, &job, err))) return rc;
    erg_pouw_header_seed(h, seed);
    return check_win(cp, h, seed, err);
}

erg_code erg_pouw_verify_unit(const erg_chain_params *cp, const erg_header *h, erg_err *err)
{
    erg_commons_job job;
    uint8_t seed[32], out_hash[32], *out;
    size_t out_len;
    erg_code rc;
    if ((rc = check_job(cp, h, &job, err))) return rc;
    erg_pouw_header_seed(h, seed);
    out_len = job.kernel->output_size(&job.params);
    out = malloc(out_len ? out_len : 1);
    if (!out) return erg_err_set(err, ERG_ERR_NOMEM, "pouw: out of memory");
    rc = erg_kernel_run_ref(job.kernel, &job.params, job.input, job.input_len, seed, out, out_len, err);
    if (rc == ERG_OK) rc = erg_kernel_output_hash(job.kernel, &job.params, out, out_len, out_hash, err);
    free(out);
    if (rc) return erg_err_prefix(err, "pouw: re-execution failed: ");
    if (memcmp(out_hash, h->output_hash, 32) != 0)
        return erg_err_set(err, ERG_ERR_INVALID,
                           "bad-output-hash: re-executing the unit bound to this header gives a different output");
    return check_win(cp, h, seed, err);
}
