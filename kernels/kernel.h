/* The kernel descriptor: what every seeded scientific kernel provides to the registry and runtime. */
#ifndef ERG_KERNELS_KERNEL_H
#define ERG_KERNELS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/buffer.h"
#include "src/util/error.h"

/*
 * A unit is one execution of a kernel under (params, input, seed). Parameters are a short
 * list of 32-bit words, one per declared field, in declaration order; their canonical
 * encoding (kernels/registry.h) is what jobs carry on chain. Anything derived from the
 * parameters that needs more than integer arithmetic (acceptance thresholds, float
 * constants) is computed once on the host by `derive` and handed to both backends as the
 * same words, so the C reference and every OpenCL device start from identical bits.
 *
 * OpenCL contract. `cl_entry` names a kernel with exactly this signature:
 *   __kernel void NAME(__global const uint *params,  // ERG_KPARAM_MAX words
 *                      __global const uint *derived, // ERG_KDERIVED_MAX words
 *                      __global const uchar *input, uint input_len,
 *                      __global const uint *seeds,   // 8 words per unit (the seed, LE words)
 *                      __global uchar *out,          // output_size bytes per unit
 *                      __global uchar *scratch,      // scratch_size bytes per unit (may be 1 byte if 0)
 *                      uint n_units)
 * Work-item get_global_id(0) computes unit number get_global_id(0) and returns if that is
 * >= n_units; the result must not depend on the work-group size. The runtime prepends
 * "#pragma OPENCL FP_CONTRACT OFF", kernels/philox.h, kernels/detmath.h and cl_shared to the source and
 * builds with -cl-fp32-correctly-rounded-divide-sqrt, so a .cl file must not #include.
 * Outputs are written byte by byte in little-endian order, never as host-endian words.
 */

#define ERG_KPARAM_MAX 16
#define ERG_KDERIVED_MAX 64

typedef struct erg_kparam_field {
    const char *name; /* JSON key, lowercase, e.g. "size" */
    const char *doc;  /* meaning and unit, e.g. "lattice side L (spins)" */
    uint32_t min;     /* inclusive */
    uint32_t max;     /* inclusive */
    uint32_t def;     /* default: sized so one unit takes about 1 s in the C reference */
    uint32_t small;   /* small value for CI determinism runs over many seeds */
} erg_kparam_field;

typedef struct erg_kparams {
    uint32_t v[ERG_KPARAM_MAX]; /* field values in declaration order; unused words are 0 */
} erg_kparams;

typedef enum erg_kinput { ERG_KINPUT_NONE = 0, ERG_KINPUT_OPTIONAL = 1, ERG_KINPUT_REQUIRED = 2 } erg_kinput;

typedef struct erg_kernel {
    const char *name;    /* registry name, e.g. "ising2d" */
    const char *field;   /* "physics", "biology", "finance", "chemistry", "environment" */
    const char *summary; /* one line for `ergon-kernel list` */
    const erg_kparam_field *fields;
    size_t nfields;      /* <= ERG_KPARAM_MAX */
    erg_kinput input;    /* whether the unit reads an input blob */
    size_t input_max;    /* largest input accepted, bytes */
    const char *ops_unit; /* natural operation counted by ops(), e.g. "spin-flip attempts" */
    /* CU = ceil(ops * cu_num / cu_den); see doc/compute-units.md for the calibration. */
    uint64_t cu_num;
    uint64_t cu_den;

    /* Cross-field checks beyond each field's [min, max] (already enforced by the registry). */
    erg_code (*validate)(const erg_kparams *p, const uint8_t *input, size_t input_len, erg_err *err);
    /* Natural operation count of one unit; must not overflow for any valid params. */
    uint64_t (*ops)(const erg_kparams *p, size_t input_len);
    size_t (*output_size)(const erg_kparams *p);
    /* Global scratch bytes one work-item needs (lattice, positions...); 0 if none. */
    size_t (*scratch_size)(const erg_kparams *p, size_t input_len);
    /* Host-side, deterministic derivation shared by both backends (may be NULL: all zero). */
    erg_code (*derive)(const erg_kparams *p, const uint8_t *input, size_t input_len,
                       uint32_t derived[ERG_KDERIVED_MAX], erg_err *err);
    /* The bit-exact C reference for one unit. */
    erg_code (*run_ref)(const erg_kparams *p, const uint32_t derived[ERG_KDERIVED_MAX], const uint8_t *input,
                        size_t input_len, const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err);
    /* Append a JSON object describing an output (observables, in human units) to json. */
    erg_code (*describe)(const erg_kparams *p, const uint8_t *out, size_t out_len, erg_buf *json, erg_err *err);

    const char *cl_shared; /* optional: kernels/<name>_shared.h text, prepended before cl_source
                              (code shared verbatim by the C reference and the .cl), or NULL */
    const char *cl_source; /* the kernel's .cl text, embedded at build time */
    const char *cl_entry;  /* __kernel function name */
} erg_kernel;

/* Fill p with the kernel's defaults (or its small CI values when small != 0). */
void erg_kparams_default(const erg_kernel *k, erg_kparams *p, int small);
/* Set one field by name from a decimal string; rejects unknown names and out-of-range values. */
erg_code erg_kparams_set(const erg_kernel *k, erg_kparams *p, const char *name, const char *value, erg_err *err) ERG_WARN_UNUSED;
/* Per-field ranges, then the kernel's own cross-field checks and the input rules. */
erg_code erg_kparams_validate(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                              erg_err *err) ERG_WARN_UNUSED;
/* Canonical blob: compact(nfields) then nfields u32 LE words. */
erg_code erg_kparams_encode(const erg_kernel *k, const erg_kparams *p, erg_buf *out, erg_err *err) ERG_WARN_UNUSED;
erg_code erg_kparams_decode(const erg_kernel *k, const uint8_t *blob, size_t len, erg_kparams *p, erg_err *err) ERG_WARN_UNUSED;

/* Compute units of one unit: ceil(ops * cu_num / cu_den), overflow-checked. */
erg_code erg_kernel_cu(const erg_kernel *k, const erg_kparams *p, size_t input_len, uint64_t *cu, erg_err *err) ERG_WARN_UNUSED;
/* output_hash = H_tag("Ergon/output", compact(len name) name || params blob || output). */
erg_code erg_kernel_output_hash(const erg_kernel *k, const erg_kparams *p, const uint8_t *out, size_t out_len,
                                uint8_t hash[32], erg_err *err) ERG_WARN_UNUSED;
/* Run one unit with the C reference (validate, derive, run). */
erg_code erg_kernel_run_ref(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                            const uint8_t seed[32], uint8_t *out, size_t out_len, erg_err *err) ERG_WARN_UNUSED;

/* Read a 32-byte seed as the eight little-endian words the RNG binding uses. */
void erg_seed_words(const uint8_t seed[32], uint32_t words[8]);

#endif
