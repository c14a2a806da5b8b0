# Kernel hpfold: sources, .cl and unit test (filled in by the kernel's own change).
