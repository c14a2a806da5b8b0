/* 2D Ising Metropolis kernel: its descriptor and the parameter indices other modules may name. */
#ifndef ERG_KERNELS_ISING2D_H
#define ERG_KERNELS_ISING2D_H

#include "kernels/kernel.h"

/* Parameter word indices (declaration order of the descriptor's fields). */
enum {
    ERG_ISING_P_SIZE = 0,    /* lattice side L, even */
    ERG_ISING_P_THERM = 1,   /* thermalisation sweeps (not measured) */
    ERG_ISING_P_MEASURE = 2, /* measurement sweeps */
    ERG_ISING_P_BETA = 3,    /* inverse temperature times 10^6 (J = 1, k_B = 1) */
    ERG_ISING_P_START = 4    /* 0 = cold (all up), 1 = hot (random) */
};

/* Most spin-flip attempts one unit may take (about 3.3 s of the C reference on one core here). */
#define ERG_ISING_MAX_OPS 500000000ull

extern const erg_kernel erg_kernel_ising2d;

#endif
