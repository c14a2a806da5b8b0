# ergon-kernel: list, run and benchmark the scientific kernels.
bin_PROGRAMS += src/ergon-kernel
src_ergon_kernel_SOURCES = src/ergon-kernel.c
src_ergon_kernel_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
src_ergon_kernel_LDADD = $(ERG_KERNELS_LIBS) $(JANSSON_LIBS)
