/* Compute engine: runs batches of kernel units on the C reference or on every selected OpenCL device. */
#ifndef ERG_KERNELS_ENGINE_H
#define ERG_KERNELS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "kernels/opencl.h"
#include "src/util/error.h"

typedef enum erg_backend {
    ERG_BACKEND_REF = 0,    /* the bit-exact C reference on CPU threads */
    ERG_BACKEND_OPENCL = 1, /* every selected usable OpenCL device; an error if there is none */
    ERG_BACKEND_AUTO = 2    /* OpenCL when a usable device exists, else the reference (logged) */
} erg_backend;

/* "ref", "opencl" or "auto". */
erg_code erg_backend_parse(const char *s, erg_backend *out, erg_err *err) ERG_WARN_UNUSED;
const char *erg_backend_name(erg_backend b);

/* Engine options; zero-initialised means auto, devices from the environment, one thread per core. */
typedef struct erg_engine_opts {
    erg_backend backend;
    const char *devices;  /* OpenCL device selection (erg_cl_create_select); NULL = ERG_OPENCL_DEVICES */
    unsigned ref_threads; /* CPU threads for the reference backend; 0 = number of online cores */
    size_t max_batch;     /* units per OpenCL launch cap; 0 = runtime default */
} erg_engine_opts;

typedef struct erg_engine erg_engine; /* opaque; one erg_engine_run at a time per engine */

erg_code erg_engine_create(erg_engine **out, const erg_engine_opts *opts, erg_err *err) ERG_WARN_UNUSED;
void erg_engine_destroy(erg_engine *eng);

/* The backend actually in use: ERG_BACKEND_REF or ERG_BACKEND_OPENCL (never AUTO). */
erg_backend erg_engine_backend(const erg_engine *eng);
/* The OpenCL runtime when the backend is OpenCL, else NULL. */
erg_cl *erg_engine_cl(erg_engine *eng);
unsigned erg_engine_ref_threads(const erg_engine *eng);

/*
 * Run n_units of kernel k under params p: unit i uses seeds[i] and writes
 * out[i * output_size .. (i + 1) * output_size). The batch is spread over every selected
 * device at once (contiguous ranges in proportion to compute units, one host thread each) or,
 * for the reference, over the CPU threads; the output bytes do not depend on the split. In auto
 * mode a kernel that no selected device supports runs on the reference (logged once per call).
 */
erg_code erg_engine_run(erg_engine *eng, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                        size_t input_len, const uint8_t (*seeds)[32], size_t n_units, uint8_t *out,
                        erg_err *err) ERG_WARN_UNUSED;

/* Run with the C reference on `threads` threads (0 = cores) regardless of the engine. */
erg_code erg_engine_run_ref(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                            const uint8_t (*seeds)[32], size_t n_units, unsigned threads, uint8_t *out,
                            erg_err *err) ERG_WARN_UNUSED;

#endif
