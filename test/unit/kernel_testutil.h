/* Helpers shared by the kernel unit tests: the OpenCL device rule, OpenCL-vs-C byte comparison, golden hashes. */
#ifndef ERG_TEST_KERNEL_TESTUTIL_H
#define ERG_TEST_KERNEL_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "kernels/opencl.h"

/*
 * The comparing helpers print a note on stdout saying what differed and return a count, and
 * the test CHECKs it, so a failure is reported at the test's line: CHECK(erg_test_...() == 0).
 */

/* Whether ERG_ALLOW_NO_OPENCL=1: the only way a test may pass without an OpenCL device. */
int erg_test_allow_no_opencl(void);

/* The usable devices picked by `select` (NULL: the ERG_OPENCL_DEVICES environment, as
 * erg_cl_create does). With none, NULL, and the running case fails, unless
 * ERG_ALLOW_NO_OPENCL=1, which turns that into a noted skip. */
erg_cl *erg_test_open_cl(const char *select);

/* Set field `name` of p to v through the registry; a refusal fails the running case. */
void erg_test_set_u32(const erg_kernel *k, erg_kparams *p, const char *name, uint32_t v);

/* C-reference outputs of n units, unit i under seeds[i], into out (n * output_size bytes).
 * Returns the number of units the reference refused. */
size_t erg_test_ref_units(const erg_kernel *k, const erg_kparams *p, const uint8_t *input, size_t input_len,
                          const uint8_t (*seeds)[32], size_t n, uint8_t *out);

/*
 * Run n units on device dev at local size `local` (0: the runtime's choice) and compare every
 * output byte with want (n * output_size bytes; NULL: computed here by the C reference).
 * Returns the number of units that differ (n when the launch failed); the note names the
 * device, `label`, the local size and the count.
 */
size_t erg_test_cl_compare(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                           size_t input_len, const uint8_t (*seeds)[32], size_t n, size_t local, const uint8_t *want,
                           const char *label);

/* A test's seed for unit number u; each test keeps its own derivation (its golden hashes pin it). */
typedef void (*erg_test_seed_fn)(uint32_t u, uint8_t seed[32]);

/*
 * The OpenCL-vs-C sweep of a kernel without input, on every device: 101 units of the small
 * params, seeded make_seed(first), make_seed(first + 1), ..., at local sizes 1 and 8; then for
 * each row r of shapes (nshapes rows of nfields words, which replace the first parameter words
 * of the small params) per_shape units seeded from shape_first + 100 r, at local size 8 on odd
 * rows and the runtime's choice on even ones. Returns the number of comparisons that differed.
 */
size_t erg_test_cl_sweep(erg_cl *cl, const erg_kernel *k, erg_test_seed_fn make_seed, uint32_t first,
                         const uint32_t *shapes, size_t nshapes, size_t nfields, uint32_t shape_first,
                         size_t per_shape);

/* Whether one unit's output hashes (erg_kernel_output_hash) to want_hex, 64 lowercase hex
 * digits; a mismatch is noted with `who` (the backend) and both hashes. */
int erg_test_golden_ok(const erg_kernel *k, const erg_kparams *p, const uint8_t *out, size_t out_len,
                       const char *want_hex, const char *who);

/* Run n units in one launch on device dev (the runtime's local size) and check unit i's output
 * hash against want_hex[i]. Returns the number of units off their golden hash (n when the
 * launch failed). */
size_t erg_test_cl_golden(erg_cl *cl, size_t dev, const erg_kernel *k, const erg_kparams *p, const uint8_t *input,
                          size_t input_len, const uint8_t (*seeds)[32], size_t n, const char *const *want_hex);

#endif
