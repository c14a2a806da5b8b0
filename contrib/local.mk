# Benchmarks: commands, never part of make check. `make bench` builds and runs them.
EXTRA_PROGRAMS = contrib/bench/bench_crypto
contrib_bench_bench_crypto_SOURCES = contrib/bench/bench_crypto.c
contrib_bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS)
contrib_bench_bench_crypto_LDADD = $(ERG_CRYPTO_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench
bench: contrib/bench/bench_crypto$(EXEEXT)
	./contrib/bench/bench_crypto$(EXEEXT)
