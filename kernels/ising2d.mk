# Kernel ising2d: 2D Ising Metropolis (C reference, OpenCL source, shared layout header) and its unit test.
libergon_kernels_a_SOURCES += kernels/ising2d.c kernels/ising2d.h kernels/ising2d_shared.h
KERNEL_CL_FILES += kernels/ising2d_shared.h kernels/ising2d.cl

check_PROGRAMS += test/unit/test_ising2d
test_unit_test_ising2d_SOURCES = test/unit/test_ising2d.c
test_unit_test_ising2d_CFLAGS = $(AM_CFLAGS) -ffp-contract=off
test_unit_test_ising2d_LDADD = $(UNIT_LDADD_KERNELS)
