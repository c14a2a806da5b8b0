# Benchmarks: commands, never part of make check.
