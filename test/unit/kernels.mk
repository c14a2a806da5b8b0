# Unit tests for the kernels layer, and the helpers they share (each kernel's .mk links its own test with them).
noinst_LIBRARIES += libergon_kerneltest.a
libergon_kerneltest_a_SOURCES = test/unit/kernel_testutil.c test/unit/kernel_testutil.h
UNIT_LDADD_KERNELS = libergon_kerneltest.a libergon_testharness.a $(ERG_KERNELS_LIBS)
check_PROGRAMS += test/unit/test_opencl
test_unit_test_opencl_SOURCES = test/unit/test_opencl.c test/unit/kernel_fixture.h
test_unit_test_opencl_CFLAGS = $(AM_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
test_unit_test_opencl_LDADD = $(UNIT_LDADD_KERNELS)
check_PROGRAMS += test/unit/test_philox test/unit/test_kernel test/unit/test_engine
test_unit_test_philox_SOURCES = test/unit/test_philox.c
test_unit_test_philox_LDADD = $(UNIT_LDADD_KERNELS)
test_unit_test_kernel_SOURCES = test/unit/test_kernel.c test/unit/kernel_fixture.h
test_unit_test_kernel_LDADD = $(UNIT_LDADD_KERNELS)
test_unit_test_engine_SOURCES = test/unit/test_engine.c test/unit/kernel_fixture.h
test_unit_test_engine_CFLAGS = $(AM_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
test_unit_test_engine_LDADD = $(UNIT_LDADD_KERNELS)
