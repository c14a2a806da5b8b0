# Unit tests for the kernels layer.
