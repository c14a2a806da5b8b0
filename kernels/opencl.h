/* OpenCL host runtime: device discovery and refusal, program build and cache, batched unit launches. */
#ifndef ERG_KERNELS_OPENCL_H
#define ERG_KERNELS_OPENCL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "src/util/error.h"

/*
 * Devices are found through the ICD loader on every platform and listed GPUs first (then
 * accelerators, then CPUs), each group in platform/device order; that order is the device
 * index used by ERG_OPENCL_DEVICES and by `ergon-kernel list`. A device is refused, with the
 * reason kept for listing, when it lacks what bit-exact kernels need: OpenCL C >= 1.2, a
 * compiler, correctly rounded single-precision divide and sqrt, little-endian memory, 64-bit
 * integers. A kernel whose source enables cl_khr_fp64 is additionally refused on devices
 * without that extension (see erg_cl_kernel_supported).
 */

/* Environment variable selecting devices; see erg_cl_create_select for its syntax. */
#define ERG_OPENCL_DEVICES_ENV "ERG_OPENCL_DEVICES"
/* Default upper bound on units per launch (memory may bound it further). */
#define ERG_CL_DEFAULT_MAX_BATCH 65536

/* One device as probed, usable or not. Invariant: usable == (refusal[0] == '\0'). */
typedef struct erg_cl_devinfo {
    size_t index;             /* position in the full probe list (GPUs first) */
    char name[128];           /* CL_DEVICE_NAME */
    char platform[128];       /* CL_PLATFORM_NAME */
    char version[64];         /* CL_DEVICE_OPENCL_C_VERSION */
    const char *type;         /* "gpu", "accelerator", "cpu" or "other" */
    uint32_t compute_units;   /* CL_DEVICE_MAX_COMPUTE_UNITS (>= 1) */
    uint64_t global_mem;      /* bytes */
    uint64_t max_alloc;       /* largest single buffer, bytes */
    int fp64;                 /* cl_khr_fp64 present */
    int usable;               /* passes every check below */
    char refusal[ERG_REASON_MAX]; /* why it is refused; empty when usable */
} erg_cl_devinfo;

typedef struct erg_cl erg_cl; /* opaque; safe to use from several threads at once */

/* Probe every device on every platform (usable or not). *out is malloc'ed (free()); *n may be 0
 * with ERG_OK when the loader finds no platform. */
erg_code erg_cl_probe(erg_cl_devinfo **out, size_t *n, erg_err *err) ERG_WARN_UNUSED;

/* Every usable device selected by the ERG_OPENCL_DEVICES environment variable (all usable ones
 * when it is unset or empty); ERG_ERR_NOTFOUND if none. */
erg_code erg_cl_create(erg_cl **out, erg_err *err) ERG_WARN_UNUSED;
/* Like erg_cl_create with an explicit selection (NULL = read the environment). The selection
 * is a comma-separated list of tokens: a number picks that probe index, "gpu"/"cpu"/
 * "accelerator" pick every device of that type, "none" picks nothing, any other text picks
 * devices whose platform or device name contains it (case-insensitive). Refused devices are
 * never used, even when named. */
erg_code erg_cl_create_select(erg_cl **out, const char *select, erg_err *err) ERG_WARN_UNUSED;
void erg_cl_destroy(erg_cl *cl);

size_t erg_cl_device_count(const erg_cl *cl);
const char *erg_cl_device_name(const erg_cl *cl, size_t dev);
const erg_cl_devinfo *erg_cl_device_info(const erg_cl *cl, size_t dev);

/* Upper bound on units per launch for every device (>= 1; default ERG_CL_DEFAULT_MAX_BATCH). */
void erg_cl_set_max_batch(erg_cl *cl, size_t max_batch);

/* Whether kernel k can run on device dev (ERG_ERR_UNSUPPORTED with the reason if not). */
erg_code erg_cl_kernel_supported(const erg_cl *cl, size_t dev, const erg_kernel *k, erg_err *err) ERG_WARN_UNUSED;
/* Whether the kernel's OpenCL source asks for double precision (enables cl_khr_fp64). */
int erg_cl_kernel_needs_fp64(const erg_kernel *k);

/* Build (or fetch from the cache) kernel k's program on device dev. */
erg_code erg_cl_prepare(erg_cl *cl, size_t dev, const erg_kernel *k, erg_err *err) ERG_WARN_UNUSED;

/* Run n_units of kernel k on device dev; out receives n_units * k->output_size(p) bytes, unit i
 * at offset i * output_size. local_size 0 = the runtime's choice. Params are validated and
 * derived here; large batches are split into several launches. */
erg_code erg_cl_run_units(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p,
                          const uint8_t *input, size_t input_len, const uint8_t (*seeds)[32],
                          size_t n_units, size_t local_size, uint8_t *out, erg_err *err) ERG_WARN_UNUSED;

/* Name of an OpenCL status code, e.g. "CL_BUILD_PROGRAM_FAILURE" ("CL_UNKNOWN_ERROR" if unknown). */
const char *erg_cl_error_name(int32_t status);

#endif
