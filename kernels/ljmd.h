/* Lennard-Jones molecular dynamics kernel: its descriptor and the limits other modules may name. */
#ifndef ERG_KERNELS_LJMD_H
#define ERG_KERNELS_LJMD_H

#include "kernels/kernel.h"

/* Largest ops (weighted pair terms) one unit may take: about 5 s of the C reference on one core here. */
#define ERG_LJMD_MAX_OPS 4000000000ull

extern const erg_kernel erg_kernel_ljmd;

#endif
