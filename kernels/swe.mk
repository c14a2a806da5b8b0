# Kernel swe: shallow-water ensemble member (environment); sources, .cl and unit test.
libergon_kernels_a_SOURCES += kernels/swe.c kernels/swe.h kernels/swe_shared.h
KERNEL_CL_FILES += kernels/swe_shared.h kernels/swe.cl
check_PROGRAMS += test/unit/test_swe
test_unit_test_swe_SOURCES = test/unit/test_swe.c
test_unit_test_swe_LDADD = $(UNIT_LDADD_KERNELS)
