/* Proof-of-useful-work rules: unit seeds, tickets, the compute-weighted target, ASERT, chain work, commons job. */
#ifndef ERG_CHAIN_POUW_H
#define ERG_CHAIN_POUW_H

#include <stdint.h>

#include "chain/block.h"
#include "chain/params.h"
#include "kernels/kernel.h"
#include "src/util/uint256.h"

/* seed = H_tag("Ergon/unit", prev || payout || template_commit || job_id || nonce LE64). */
void erg_pouw_seed(const uint8_t prev[32], const erg_pubkey *payout, const uint8_t template_commit[32],
                   const uint8_t job_id[32], uint64_t nonce, uint8_t seed[32]);
/* The seed a header's fields bind (template commitment computed from the header). */
void erg_pouw_header_seed(const erg_header *h, uint8_t seed[32]);
/* ticket = H_tag("Ergon/ticket", seed || output_hash). */
void erg_pouw_ticket(const uint8_t seed[32], const uint8_t output_hash[32], uint8_t ticket[32]);
/* ERG_OK when ticket (a little-endian number) < target(bits) * cu, computed without overflow:
 * a product of 2^256 or more always wins. "high-ticket" otherwise. */
erg_code erg_pouw_check_ticket(const uint8_t ticket[32], uint32_t bits, uint64_t cu, erg_err *err) ERG_WARN_UNUSED;
/* Expected compute of one block at this target: floor((2^256 - 1) / (target + 1)) + 1, in CU. */
erg_code erg_pouw_work(uint32_t bits, erg_u256 *work, erg_err *err) ERG_WARN_UNUSED;

/* ASERT (aserti3-2d, anchored at genesis): the bits required of the block after a parent with
 * (parent_height, parent_time). Regtest returns genesis_bits. */
uint32_t erg_pouw_next_bits(const erg_chain_params *cp, uint32_t parent_height, uint64_t parent_time);

/* The built-in public-science job computed when no paying job is open. It rotates through
 * the registered fields by height (physics, biology, finance, chemistry, environment). */
typedef struct erg_commons_job {
    const erg_kernel *kernel;
    erg_kparams params;
    const uint8_t *input; /* static data, may be NULL */
    size_t input_len;
    uint8_t job_id[32];   /* H_tag("Ergon/commons", name || params blob || SHA256(input)) */
    uint64_t cu;          /* compute units of one unit */
} erg_commons_job;

erg_code erg_commons_job_at(const erg_chain_params *cp, uint32_t height, erg_commons_job *job, erg_err *err) ERG_WARN_UNUSED;

/* The checks of a header's unit that need no re-execution (cheap, for headers-first sync): the
 * job is the commons job of its height, cu matches it, and the ticket wins (regtest: any unit
 * wins). Reasons: "bad-job", "bad-cu", "high-ticket". */
erg_code erg_pouw_check_header(const erg_chain_params *cp, const erg_header *h, erg_err *err) ERG_WARN_UNUSED;

/* Full verification of a header's winning unit: the job is the commons job of its height,
 * cu matches the job, the unit re-executed with the C reference under the header's seed
 * gives output_hash, and the ticket wins (regtest: any unit wins). Reasons: "bad-job",
 * "bad-cu", "bad-output-hash", "high-ticket". */
erg_code erg_pouw_verify_unit(const erg_chain_params *cp, const erg_header *h, erg_err *err) ERG_WARN_UNUSED;

#endif
