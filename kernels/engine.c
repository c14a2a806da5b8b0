/* Compute engine: runs batches of kernel units on the C reference or on every selected OpenCL device. */
#include "kernels/engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util/log.h"

/* Invariant: backend is REF or OPENCL; cl != NULL iff backend == OPENCL; ref_threads >= 1. */
struct erg_engine {
    erg_backend backend;
    int auto_mode; /* created as AUTO: may fall back to the reference per kernel */
    erg_cl *cl;
    unsigned ref_threads;
};

erg_code erg_backend_parse(const char *s, erg_backend *out, erg_err *err)
{
    if (strcmp(s, "ref") == 0) *out = ERG_BACKEND_REF;
    else if (strcmp(s, "opencl") == 0) *out = ERG_BACKEND_OPENCL;
    else if (strcmp(s, "auto") == 0) *out = ERG_BACKEND_AUTO;
    else return erg_err_set(err, ERG_ERR_ARG, "backend: '%s' is not ref, opencl or auto", s);
    return ERG_OK;
}

const char *erg_backend_name(erg_backend b)
{
    switch (b) {
    case ERG_BACKEND_REF: return "ref";
    case ERG_BACKEND_OPENCL: return "opencl";
    case ERG_BACKEND_AUTO: return "auto";
    }
    return "?";
}

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n <= 4096 ? (unsigned)n : 1;
}

erg_code erg_engine_create(erg_engine **out, const erg_engine_opts *opts, erg_err *err)
{
    erg_engine_opts def;
    erg_engine *eng;
    erg_code rc;
    erg_err cl_err;

    *out = NULL;
    if (!opts) {
        memset(&def, 0, sizeof def);
        def.backend = ERG_BACKEND_AUTO;
        opts = &def;
    }
    if (opts->backend != ERG_BACKEND_REF && opts->backend != ERG_BACKEND_OPENCL && opts->backend != ERG_BACKEND_AUTO)
        return erg_err_set(err, ERG_ERR_ARG, "engine: unknown backend %d", (int)opts->backend);
    eng = calloc(1, sizeof *eng);
    if (!eng) return erg_err_set(err, ERG_ERR_NOMEM, "engine: out of memory");
    eng->ref_threads = opts->ref_threads ? opts->ref_threads : online_cores();
    eng->backend = ERG_BACKEND_REF;
    eng->auto_mode = opts->backend == ERG_BACKEND_AUTO;
    if (opts->backend != ERG_BACKEND_REF) {
        erg_err_clear(&cl_err);
        rc = erg_cl_create_select(&eng->cl, opts->devices, &cl_err);
        if (rc == ERG_OK) {
            eng->backend = ERG_BACKEND_OPENCL;
            if (opts->max_batch) erg_cl_set_max_batch(eng->cl, opts->max_batch);
        } else if (opts->backend == ERG_BACKEND_OPENCL) {
            free(eng);
            return erg_err_set(err, rc, "engine: opencl backend: %s", cl_err.reason);
        } else {
            erg_log_warn("engine", "no usable OpenCL device (%s); using the C reference on %u threads",
                         cl_err.reason, eng->ref_threads);
        }
    }
    *out = eng;
    return ERG_OK;
}

void erg_engine_destroy(erg_engine *eng)
{
    if (!eng) return;
    erg_cl_destroy(eng->cl);
    free(eng);
}

erg_backend erg_engine_backend(const erg_engine *eng)
{
    return eng->backend;
}

erg_cl *erg_engine_cl(erg_engine *eng)
{
    return eng->cl;
}

unsigned erg_engine_ref_threads(const erg_engine *eng)
{
    return eng->ref_threads;
}

/* ---- reference backend ------------------------------------------------------------------- */

/* Shared by the reference workers; units are handed out one at a time under the lock so a
 * slow unit never leaves other threads idle. The first failure stops further hand-outs. */
typedef struct ref_job {
    const erg_kernel *k;
    const erg_kparams *p;
    const uint32_t *derived;
    const uint8_t *input;
    size_t input_len;
    const uint8_t (*seeds)[32];
    size_t n_units, out_size;
    uint8_t *out;
    pthread_mutex_t lock;
    size_t next;  /* next unit to hand out */
    erg_code rc;  /* first failure */
    erg_err err;
} ref_job;

static void *ref_worker(void *arg)
{
    ref_job *j = arg;
    for (;;) {
        size_t u;
        erg_err e;
        erg_code rc;
        pthread_mutex_lock(&j->lock);
        if (j->rc != ERG_OK || j->next >= j->n_units) {
            pthread_mutex_unlock(&j->lock);
            return NULL;
        }
        u = j->next++;
        pthread_mutex_unlock(&j->lock);
        erg_err_clear(&e);
        rc = j->k->run_ref(j->p, j->derived, j->input, j->input_len, j->seeds[u], j->out + u * j->out_size,
                           j->out_size, &e);
        if (rc != ERG_OK) {
            pthread_mutex_lock(&j->lock);
            if (j->rc == ERG_OK) {
                j->rc = rc;
                j->err = e;
                (void)erg_err_prefix(&j->err, "unit %zu: ", u);
            }
            pthread_mutex_unlock(&j->lock);
            return NULL;
        }
    }
}

erg_code erg_engine_run_ref(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                            const uint8_t (*seeds)[32], size_t n_units, unsigned threads, uint8_t *out,
                            erg_err *err)
{
    uint32_t derived[ERG_KDERIVED_MAX];
    pthread_t *tids = NULL;
    ref_job j;
    unsigned t, started = 0;
    erg_code rc;

    if (!k || !p || (n_units && (!seeds || !out)) || (input_len && !input))
        return erg_err_set(err, ERG_ERR_ARG, "engine: run: missing argument");
    if ((rc = erg_kparams_validate(k, p, input, input_len, err))) return rc;
    if (n_units && k->output_size(p) > SIZE_MAX / n_units)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "%s: %zu units overflow the output size", k->name, n_units);
    memset(derived, 0, sizeof derived);
    if (k->derive && (rc = k->derive(p, input, input_len, derived, err))) return rc;
    if (n_units == 0) return ERG_OK;
    if (threads == 0) threads = online_cores();
    if (threads > n_units) threads = (unsigned)n_units;

    memset(&j, 0, sizeof j);
    j.k = k;
    j.p = p;
    j.derived = derived;
    j.input = input;
    j.input_len = input_len;
    j.seeds = seeds;
    j.n_units = n_units;
    j.out_size = k->output_size(p);
    j.out = out;
    if (pthread_mutex_init(&j.lock, NULL) != 0) return erg_err_set(err, ERG_ERR_INTERNAL, "engine: mutex init failed");
    if (threads > 1) tids = calloc(threads - 1, sizeof *tids);
    /* The calling thread is one of the workers; extra threads that fail to start just mean fewer workers. */
    for (t = 0; tids && t + 1 < threads; t++)
        if (pthread_create(&tids[t], NULL, ref_worker, &j) == 0) started++;
        else break;
    ref_worker(&j);
    for (t = 0; t < started; t++) pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&j.lock);
    if (j.rc != ERG_OK) {
        if (err) *err = j.err;
        return j.rc;
    }
    return ERG_OK;
}

/* ---- OpenCL backend ---------------------------------------------------------------------- */

/* One device's share of a batch: units [first, first + count). */
typedef struct dev_job {
    erg_cl *cl;
    size_t dev;
    const erg_kernel *k;
    const erg_kparams *p;
    const uint8_t *input;
    size_t input_len;
    const uint8_t (*seeds)[32];
    size_t first, count, out_size;
    uint8_t *out;
    erg_code rc;
    erg_err err;
} dev_job;

static void *dev_worker(void *arg)
{
    dev_job *j = arg;
    erg_err_clear(&j->err);
    j->rc = erg_cl_run_units(j->cl, j->dev, j->k, j->p, j->input, j->input_len, j->seeds + j->first, j->count, 0,
                             j->out + j->first * j->out_size, &j->err);
    return NULL;
}

erg_code erg_engine_run(erg_engine *eng, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                        size_t input_len, const uint8_t (*seeds)[32], size_t n_units, uint8_t *out, erg_err *err)
{
    size_t ndev, i, nuse = 0, assigned = 0;
    uint64_t total_cu = 0;
    dev_job *jobs = NULL;
    pthread_t *tids = NULL;
    int *started = NULL;
    erg_code rc = ERG_OK;
    char unsupported[ERG_REASON_MAX] = "";

    if (!eng) return erg_err_set(err, ERG_ERR_ARG, "engine: run: no engine");
    if (eng->backend == ERG_BACKEND_REF)
        return erg_engine_run_ref(k, p, input, input_len, seeds, n_units, eng->ref_threads, out, err);
    if (!k || !p || (n_units && (!seeds || !out)) || (input_len && !input))
        return erg_err_set(err, ERG_ERR_ARG, "engine: run: missing argument");
    if ((rc = erg_kparams_validate(k, p, input, input_len, err))) return rc;
    if (n_units == 0) return ERG_OK;
    if (k->output_size(p) > SIZE_MAX / n_units)
        return erg_err_set(err, ERG_ERR_OVERFLOW, "%s: %zu units overflow the output size", k->name, n_units);

    ndev = erg_cl_device_count(eng->cl);
    jobs = calloc(ndev, sizeof *jobs);
    tids = calloc(ndev, sizeof *tids);
    started = calloc(ndev, sizeof *started);
    if (!jobs || !tids || !started) {
        rc = erg_err_set(err, ERG_ERR_NOMEM, "engine: out of memory");
        goto done;
    }
    for (i = 0; i < ndev; i++) {
        erg_err e;
        if (erg_cl_kernel_supported(eng->cl, i, k, &e) != ERG_OK) {
            snprintf(unsupported, sizeof unsupported, "%s", e.reason);
            continue;
        }
        jobs[nuse].dev = i;
        total_cu += erg_cl_device_info(eng->cl, i)->compute_units;
        nuse++;
    }
    if (nuse == 0) {
        if (eng->auto_mode) {
            erg_log_warn("engine", "%s; running %s on the C reference", unsupported, k->name);
            rc = erg_engine_run_ref(k, p, input, input_len, seeds, n_units, eng->ref_threads, out, err);
        } else {
            rc = erg_err_set(err, ERG_ERR_UNSUPPORTED, "engine: no selected device runs %s (%s)", k->name, unsupported);
        }
        goto done;
    }
    /* Contiguous ranges in proportion to compute units; the rounding remainder goes to the first devices. */
    for (i = 0; i < nuse; i++) {
        uint64_t cu = erg_cl_device_info(eng->cl, jobs[i].dev)->compute_units;
        jobs[i].count = (size_t)((unsigned __int128)n_units * cu / total_cu);
        assigned += jobs[i].count;
    }
    for (i = 0; assigned < n_units; i = (i + 1) % nuse, assigned++) jobs[i].count++;
    assigned = 0;
    for (i = 0; i < nuse; i++) {
        dev_job *j = &jobs[i];
        j->cl = eng->cl;
        j->k = k;
        j->p = p;
        j->input = input;
        j->input_len = input_len;
        j->seeds = seeds;
        j->first = assigned;
        j->out_size = k->output_size(p);
        j->out = out;
        assigned += j->count;
    }
    /* One host thread per device beyond the first; the calling thread drives the first. */
    for (i = 1; i < nuse; i++) {
        if (jobs[i].count == 0) continue;
        if (pthread_create(&tids[i], NULL, dev_worker, &jobs[i]) == 0) started[i] = 1;
        else dev_worker(&jobs[i]);
    }
    if (jobs[0].count) dev_worker(&jobs[0]);
    for (i = 1; i < nuse; i++)
        if (started[i]) pthread_join(tids[i], NULL);
    for (i = 0; i < nuse; i++)
        if (jobs[i].count && jobs[i].rc != ERG_OK) {
            if (err) *err = jobs[i].err;
            rc = jobs[i].rc;
            break;
        }
done:
    free(jobs);
    free(tids);
    free(started);
    return rc;
}
