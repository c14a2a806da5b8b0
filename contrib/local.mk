# Benchmarks: commands, never part of make check. `make bench` builds and runs them.
EXTRA_PROGRAMS = contrib/bench/bench_crypto contrib/bench/bench_chain contrib/bench/bench_net
contrib_bench_bench_net_SOURCES = contrib/bench/bench_net.c test/unit/chain_testutil.c test/unit/chain_testutil.h \
  test/unit/net_testutil.c test/unit/net_testutil.h
contrib_bench_bench_net_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
contrib_bench_bench_net_LDADD = $(ERG_NODE_LIBS)
contrib_bench_bench_chain_SOURCES = contrib/bench/bench_chain.c
contrib_bench_bench_chain_CFLAGS = $(AM_CFLAGS) $(SECP256K1_CFLAGS)
contrib_bench_bench_chain_LDADD = $(ERG_CHAIN_LIBS) $(SECP256K1_LIBS)
contrib_bench_bench_crypto_SOURCES = contrib/bench/bench_crypto.c
contrib_bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS)
contrib_bench_bench_crypto_LDADD = $(ERG_CRYPTO_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench
bench: contrib/bench/bench_crypto$(EXEEXT) contrib/bench/bench_chain$(EXEEXT) contrib/bench/bench_net$(EXEEXT)
	./contrib/bench/bench_crypto$(EXEEXT)
	./contrib/bench/bench_chain$(EXEEXT)
	./contrib/bench/bench_net$(EXEEXT)

# P2P download and propagation (Python, regtest nodes on loopback; needs ergond and ergon-tx).
EXTRA_DIST += contrib/bench/bench_p2p.py
.PHONY: bench-p2p
bench-p2p: ergond$(EXEEXT) ergon-tx$(EXEEXT)
	$(PYTHON) $(srcdir)/contrib/bench/bench_p2p.py --builddir=. 500
