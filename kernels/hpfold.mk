# Kernel hpfold: HP lattice protein folding (C reference, shared header, .cl and unit test).
libergon_kernels_a_SOURCES += kernels/hpfold.c kernels/hpfold.h kernels/hpfold_shared.h
KERNEL_CL_FILES += kernels/hpfold_shared.h kernels/hpfold.cl

check_PROGRAMS += test/unit/test_hpfold
test_unit_test_hpfold_SOURCES = test/unit/test_hpfold.c
test_unit_test_hpfold_LDADD = $(UNIT_LDADD_KERNELS)
