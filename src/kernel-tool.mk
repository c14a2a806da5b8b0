# ergon-kernel: list, run and benchmark the scientific kernels.
bin_PROGRAMS += ergon-kernel
ergon_kernel_SOURCES = src/ergon-kernel.c
ergon_kernel_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
ergon_kernel_LDADD = $(ERG_KERNELS_LIBS) $(JANSSON_LIBS)
