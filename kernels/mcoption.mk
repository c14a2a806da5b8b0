# Kernel mcoption (finance): Monte Carlo option pricing, its C reference, OpenCL source and unit test.
libergon_kernels_a_SOURCES += kernels/mcoption.c kernels/mcoption.h kernels/mcoption_shared.h
KERNEL_CL_FILES += kernels/mcoption_shared.h kernels/mcoption.cl
check_PROGRAMS += test/unit/test_mcoption
test_unit_test_mcoption_SOURCES = test/unit/test_mcoption.c
test_unit_test_mcoption_LDADD = $(UNIT_LDADD_KERNELS)
