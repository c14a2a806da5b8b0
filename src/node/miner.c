/* The miner: builds templates, derives unit seeds, runs units on the compute engine, checks tickets. */
#include "src/node/miner.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/pouw.h"
#include "src/crypto/address.h"
#include "src/crypto/random.h"
#include "src/util/hex.h"
#include "src/util/log.h"

struct erg_miner {
    erg_chainstate *cs;
    erg_mempool *mp;
    erg_engine *eng;
    erg_pubkey payout;
    size_t batch;
    unsigned interval_ms; /* least time between two blocks this miner finds (regtest demos) */
    pthread_t thread;
    int started;
    volatile int stop;
    pthread_mutex_t lock;     /* guards stats */
    pthread_mutex_t eng_lock; /* one erg_engine_run at a time */
    erg_miner_stats stats;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

erg_code erg_miner_mine_block(erg_chainstate *cs, erg_mempool *mp, erg_engine *eng, const erg_pubkey *payout,
                              size_t batch, uint64_t max_units, volatile int *stop, erg_mined_block *out,
                              erg_miner_stats *stats, erg_err *err)
{
    const erg_chain_params *cp = erg_chainstate_params(cs);
    uint8_t(*seeds)[32] = NULL, *outs = NULL, tc[32];
    uint64_t tried = 0, nonce;
    erg_block blk;
    erg_code rc = ERG_OK;
    if (batch == 0) batch = 1;
    erg_block_init(&blk);
    if ((rc = erg_random_bytes(&nonce, sizeof nonce, err))) return rc;
    for (;;) {
        erg_tx *cands = NULL;
        size_t ncands = 0, i, out_size;
        erg_commons_job job;
        erg_block_info tip;
        if (stop && *stop) return erg_err_set(err, ERG_ERR_INVALID, "interrupted");
        if (mp && (rc = erg_mempool_select(mp, ERG_BLOCK_MAX_SIZE - ERG_HEADER_SIZE - 16, &cands, &ncands, err))) break;
        rc = erg_chainstate_template(cs, payout, cands, ncands, (uint64_t)time(NULL), &blk, err);
        free(cands);
        if (rc) break;
        if (stats) stats->templates++;
        if ((rc = erg_commons_job_at(cp, blk.header.height, &job, err))) break;
        out_size = job.kernel->output_size(&job.params);
        free(seeds);
        free(outs);
        seeds = malloc(batch * sizeof *seeds);
        outs = malloc(batch * out_size);
        if (!seeds || !outs) {
            rc = erg_err_set(err, ERG_ERR_NOMEM, "miner: out of memory");
            break;
        }
        erg_header_template_commit(&blk.header, tc);
        /* Keep computing on this template until a unit wins or the tip moves. */
        for (;;) {
            double t0 = now_s();
            for (i = 0; i < batch; i++)
                erg_pouw_seed(blk.header.prev, payout, tc, blk.header.job_id, nonce + i, seeds[i]);
            if ((rc = erg_engine_run(eng, job.kernel, &job.params, job.input, job.input_len,
                                     (const uint8_t(*)[32])seeds, batch, outs, err)))
                goto done;
            if (stats) {
                stats->units += batch;
                stats->cu += batch * job.cu;
                stats->seconds += now_s() - t0;
            }
            for (i = 0; i < batch; i++) {
                uint8_t oh[32], ticket[32];
                int win;
                tried++;
                if ((rc = erg_kernel_output_hash(job.kernel, &job.params, outs + i * out_size, out_size, oh, err)))
                    goto done;
                erg_pouw_ticket(seeds[i], oh, ticket);
                win = cp->net == ERG_NET_REGTEST || erg_pouw_check_ticket(ticket, blk.header.bits, job.cu, NULL) == ERG_OK;
                if (!win) continue;
                {
                    int became_tip = 0;
                    erg_err perr;
                    blk.header.nonce = nonce + i;
                    memcpy(blk.header.output_hash, oh, 32);
                    blk.header.cu = job.cu;
                    rc = erg_chainstate_process_block(cs, &blk, (uint64_t)time(NULL), &became_tip, &perr);
                    if (mp) erg_mempool_sync(mp);
                    if (rc) {
                        /* Someone else's block may have landed first; anything else is a bug. */
                        erg_log_warn("miner", "own block rejected: %s", perr.reason);
                        if (err) *err = perr;
                        goto done;
                    }
                    if (stats) stats->blocks++;
                    if (out) {
                        erg_header_id(&blk.header, out->id);
                        out->height = blk.header.height;
                        out->units_tried = tried;
                        memcpy(out->ticket, ticket, 32);
                        out->kernel = job.kernel->name;
                    }
                    rc = ERG_OK;
                    goto done;
                }
            }
            nonce += batch;
            if (max_units && tried >= max_units) {
                rc = erg_err_set(err, ERG_ERR_RANGE, "miner: no winning unit in %llu units", (unsigned long long)tried);
                goto done;
            }
            if (stop && *stop) {
                rc = erg_err_set(err, ERG_ERR_INVALID, "interrupted");
                goto done;
            }
            erg_chainstate_tip(cs, &tip);
            if (memcmp(tip.id, blk.header.prev, 32) != 0) break; /* new tip: new template */
        }
        erg_block_free(&blk);
    }
done:
    free(seeds);
    free(outs);
    erg_block_free(&blk);
    return rc;
}

static void *miner_main(void *arg)
{
    erg_miner *m = arg;
    char addr[ERG_ADDRESS_MAX];
    if (erg_address_encode(erg_chainstate_params(m->cs)->net, &m->payout, addr, sizeof addr, NULL)) addr[0] = 0;
    erg_log_info("miner", "mining to %s, %zu units per batch", addr, m->batch);
    while (!m->stop) {
        erg_mined_block mb;
        erg_miner_stats delta;
        erg_err err;
        erg_code rc;
        memset(&delta, 0, sizeof delta);
        pthread_mutex_lock(&m->eng_lock);
        rc = erg_miner_mine_block(m->cs, m->mp, m->eng, &m->payout, m->batch, 0, &m->stop, &mb, &delta, &err);
        pthread_mutex_unlock(&m->eng_lock);
        pthread_mutex_lock(&m->lock);
        m->stats.units += delta.units;
        m->stats.cu += delta.cu;
        m->stats.blocks += delta.blocks;
        m->stats.templates += delta.templates;
        m->stats.seconds += delta.seconds;
        pthread_mutex_unlock(&m->lock);
        if (rc == ERG_OK) {
            char idhex[65], thex[65];
            erg_account a;
            if (erg_hex_encode(mb.id, 32, idhex, sizeof idhex, NULL) ||
                erg_hex_encode(mb.ticket, 32, thex, sizeof thex, NULL))
                idhex[0] = thex[0] = 0;
            if (erg_chainstate_get_account(m->cs, &m->payout, &a, NULL)) a.balance = 0;
            erg_log_info("miner", "block %u %s mined: %s unit won after %llu units, ticket %.16s..., payout balance %llu.%08llu ERG",
                         mb.height, idhex, mb.kernel, (unsigned long long)mb.units_tried, thex,
                         (unsigned long long)(a.balance / ERG_COIN), (unsigned long long)(a.balance % ERG_COIN));
            if (m->interval_ms) {
                unsigned left = m->interval_ms;
                while (left && !m->stop) {
                    unsigned step = left > 50 ? 50 : left;
                    struct timespec ts = {0, (long)step * 1000000L};
                    nanosleep(&ts, NULL);
                    left -= step;
                }
            }
        } else if (!m->stop) {
            struct timespec ts = {0, 200 * 1000 * 1000};
            erg_log_warn("miner", "%s", err.reason);
            nanosleep(&ts, NULL);
        }
    }
    erg_log_info("miner", "stopped");
    return NULL;
}

erg_code erg_miner_create(erg_miner **out, erg_chainstate *cs, erg_mempool *mp, erg_engine *eng,
                          const erg_pubkey *payout, size_t batch, unsigned interval_ms, erg_err *err)
{
    erg_miner *m = calloc(1, sizeof *m);
    if (!m) return erg_err_set(err, ERG_ERR_NOMEM, "miner: out of memory");
    m->cs = cs;
    m->mp = mp;
    m->eng = eng;
    m->payout = *payout;
    m->batch = batch ? batch : 1;
    m->interval_ms = interval_ms;
    pthread_mutex_init(&m->lock, NULL);
    pthread_mutex_init(&m->eng_lock, NULL);
    *out = m;
    return ERG_OK;
}

erg_code erg_miner_start(erg_miner *m, erg_err *err)
{
    if (m->started) return ERG_OK;
    m->stop = 0;
    if (pthread_create(&m->thread, NULL, miner_main, m) != 0)
        return erg_err_set(err, ERG_ERR_IO, "miner: cannot start thread");
    m->started = 1;
    return ERG_OK;
}

void erg_miner_stop(erg_miner *m)
{
    if (!m || !m->started) return;
    m->stop = 1;
    pthread_join(m->thread, NULL);
    m->started = 0;
}

void erg_miner_destroy(erg_miner *m)
{
    if (!m) return;
    erg_miner_stop(m);
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->eng_lock);
    free(m);
}

void erg_miner_get_stats(erg_miner *m, erg_miner_stats *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->stats;
    out->running = m->started;
    pthread_mutex_unlock(&m->lock);
}

void erg_miner_lock_engine(erg_miner *m)
{
    pthread_mutex_lock(&m->eng_lock);
}

void erg_miner_unlock_engine(erg_miner *m)
{
    pthread_mutex_unlock(&m->eng_lock);
}
