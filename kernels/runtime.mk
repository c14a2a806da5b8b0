# OpenCL host runtime and engine (backend selection).
libergon_kernels_a_SOURCES += kernels/opencl.c kernels/opencl.h kernels/engine.c kernels/engine.h
