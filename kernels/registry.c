/* The kernel registry: every kernel Ergon knows, looked up by name. */
#include "kernels/registry.h"

#include <string.h>

/* Each kernel module defines one descriptor; add it here and to the table below. */
extern const erg_kernel erg_kernel_ising2d;
extern const erg_kernel erg_kernel_hpfold;
extern const erg_kernel erg_kernel_mcoption;
extern const erg_kernel erg_kernel_ljmd;
extern const erg_kernel erg_kernel_swe;

static const erg_kernel *const g_kernels[] = {
    &erg_kernel_ising2d,
    &erg_kernel_hpfold,
    &erg_kernel_mcoption,
    &erg_kernel_ljmd,
    &erg_kernel_swe,
};

const erg_kernel *const *erg_kernel_list(size_t *n)
{
    *n = sizeof g_kernels / sizeof g_kernels[0];
    return g_kernels;
}

const erg_kernel *erg_kernel_find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof g_kernels / sizeof g_kernels[0]; i++)
        if (strcmp(g_kernels[i]->name, name) == 0) return g_kernels[i];
    return NULL;
}

