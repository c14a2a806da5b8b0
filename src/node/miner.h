/* The miner: builds templates, derives unit seeds, runs units on the compute engine, checks tickets. */
#ifndef ERG_NODE_MINER_H
#define ERG_NODE_MINER_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "kernels/engine.h"

typedef struct erg_miner erg_miner;

typedef struct erg_miner_stats {
    uint64_t units;       /* units computed (each a useful result and a ticket) */
    uint64_t cu;          /* compute units of those units */
    uint64_t blocks;      /* blocks found and accepted */
    uint64_t templates;   /* templates built */
    double seconds;       /* time spent computing */
    int running;          /* background thread active */
} erg_miner_stats;

typedef struct erg_mined_block {
    uint8_t id[32];
    uint32_t height;
    uint64_t units_tried; /* units computed for this block, the winner included */
    uint8_t ticket[32];
    const char *kernel;   /* registry name of the job's kernel */
} erg_mined_block;

/*
 * Mine one block on the current tip paying `payout`: every batch computes `batch` units with
 * consecutive nonces from a random start; the first unit whose ticket wins completes the
 * header and goes through erg_chainstate_process_block like any block from the network. A
 * tip change between batches (a block from elsewhere) restarts on the new tip. Stops early
 * with ERG_ERR_INVALID "interrupted" when *stop becomes non-zero, and gives up with
 * ERG_ERR_RANGE after max_units units (0 = no limit).
 */
erg_code erg_miner_mine_block(erg_chainstate *cs, erg_mempool *mp, erg_engine *eng, const erg_pubkey *payout,
                              size_t batch, uint64_t max_units, volatile int *stop, erg_mined_block *out,
                              erg_miner_stats *stats, erg_err *err) ERG_WARN_UNUSED;

/* A background miner thread that mines block after block (ergond -mine), pausing interval_ms
 * after each block it finds (0: none). */
erg_code erg_miner_create(erg_miner **out, erg_chainstate *cs, erg_mempool *mp, erg_engine *eng,
                          const erg_pubkey *payout, size_t batch, unsigned interval_ms, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_miner_start(erg_miner *m, erg_err *err) ERG_WARN_UNUSED;
void erg_miner_stop(erg_miner *m);
void erg_miner_destroy(erg_miner *m);
void erg_miner_get_stats(erg_miner *m, erg_miner_stats *out);
/* Serialises engine use between the background miner and generatetoaddress. */
void erg_miner_lock_engine(erg_miner *m);
void erg_miner_unlock_engine(erg_miner *m);

#endif
