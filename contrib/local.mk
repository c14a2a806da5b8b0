# Benchmarks: commands, never part of make check. `make bench` builds and runs them.
EXTRA_PROGRAMS = contrib/bench/bench_crypto contrib/bench/bench_chain
contrib_bench_bench_chain_SOURCES = contrib/bench/bench_chain.c
contrib_bench_bench_chain_CFLAGS = $(AM_CFLAGS) $(SECP256K1_CFLAGS)
contrib_bench_bench_chain_LDADD = $(ERG_CHAIN_LIBS) $(SECP256K1_LIBS)
contrib_bench_bench_crypto_SOURCES = contrib/bench/bench_crypto.c
contrib_bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS)
contrib_bench_bench_crypto_LDADD = $(ERG_CRYPTO_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench
bench: contrib/bench/bench_crypto$(EXEEXT) contrib/bench/bench_chain$(EXEEXT)
	./contrib/bench/bench_crypto$(EXEEXT)
	./contrib/bench/bench_chain$(EXEEXT)
