# ergon-kernel: list, run and benchmark the scientific kernels.
