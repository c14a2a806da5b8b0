# Layer 2: OpenCL kernels, their C references, registry and host runtime. Depends on crypto, util.
