# Layer 2: OpenCL kernels, their C references, registry and host runtime. Depends on crypto, util.
noinst_LIBRARIES += libergon_kernels.a
# -ffp-contract=off: the C references must round exactly like OpenCL with FP_CONTRACT OFF.
libergon_kernels_a_CFLAGS = $(AM_CFLAGS) -ffp-contract=off -fno-fast-math $(CRYPTO_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
libergon_kernels_a_SOURCES = \
  kernels/kernel.h kernels/philox.h kernels/detmath.h \
  kernels/kernel.c kernels/registry.c kernels/registry.h
nodist_libergon_kernels_a_SOURCES = kernels/cl_embedded.c
# Every file embedded into programs: shared headers first, then each kernel's .cl (kernel fragments add theirs).
KERNEL_CL_FILES = kernels/philox.h kernels/detmath.h

include kernels/ising2d.mk
include kernels/hpfold.mk
include kernels/mcoption.mk
include kernels/ljmd.mk
include kernels/swe.mk
include kernels/runtime.mk

kernels/cl_embedded.c: $(KERNEL_CL_FILES) kernels/embed.sh
	$(AM_V_GEN)$(MKDIR_P) kernels && $(SHELL) $(srcdir)/kernels/embed.sh $(srcdir) $(KERNEL_CL_FILES) > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += kernels/cl_embedded.c
CLEANFILES += kernels/cl_embedded.c
EXTRA_DIST += kernels/embed.sh $(KERNEL_CL_FILES)
ERG_KERNELS_LIBS = libergon_kernels.a $(ERG_CRYPTO_LIBS) $(OPENCL_LIBS) -lm
