# Kernel ljmd: Lennard-Jones molecular dynamics (C reference, OpenCL source, shared fixed-point header) and its unit test.
libergon_kernels_a_SOURCES += kernels/ljmd.c kernels/ljmd.h kernels/ljmd_shared.h
KERNEL_CL_FILES += kernels/ljmd_shared.h kernels/ljmd.cl

check_PROGRAMS += test/unit/test_ljmd
test_unit_test_ljmd_SOURCES = test/unit/test_ljmd.c
test_unit_test_ljmd_CFLAGS = $(AM_CFLAGS) -ffp-contract=off
test_unit_test_ljmd_LDADD = $(UNIT_LDADD_KERNELS)
