/* The kernel registry: every kernel Ergon knows, looked up by name. */
#ifndef ERG_KERNELS_REGISTRY_H
#define ERG_KERNELS_REGISTRY_H

#include "kernels/kernel.h"

/* All registered kernels, in a fixed order (the order is not consensus; names are). */
const erg_kernel *const *erg_kernel_list(size_t *n);
/* NULL if no kernel has that name. */
const erg_kernel *erg_kernel_find(const char *name);

#endif
