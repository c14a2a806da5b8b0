# Fuzz targets (libFuzzer): `make fuzz` builds them with clang, `make fuzz-smoke` runs each for 10 s.
# Never part of make check. Each target is compiled in one clang call straight from the sources
# it needs, so it does not depend on how the rest of the tree was configured (CC may be gcc).
CLANG ?= clang
FUZZ_TIME ?= 10
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$(srcdir) -I$(builddir)
FUZZ_TARGETS = test/fuzz/fuzz_serialize test/fuzz/fuzz_bech32m test/fuzz/fuzz_address test/fuzz/fuzz_tx test/fuzz/fuzz_block \
  test/fuzz/fuzz_netmsg
FUZZ_SRC_UTIL = $(srcdir)/src/util/error.c $(srcdir)/src/util/buffer.c $(srcdir)/src/util/serialize.c
FUZZ_SRC_ADDRESS = $(srcdir)/src/crypto/bech32m.c $(srcdir)/src/crypto/address.c $(srcdir)/src/crypto/keys.c \
  $(srcdir)/src/crypto/random.c
FUZZ_DEPS_H = $(srcdir)/src/util/error.h $(srcdir)/src/util/buffer.h $(srcdir)/src/util/serialize.h \
  $(srcdir)/src/crypto/bech32m.h $(srcdir)/src/crypto/address.h $(srcdir)/src/crypto/keys.h \
  $(srcdir)/src/crypto/random.h
EXTRA_DIST += test/fuzz/fuzz_serialize.c test/fuzz/fuzz_bech32m.c test/fuzz/fuzz_address.c test/fuzz/fuzz_tx.c \
  test/fuzz/fuzz_block.c test/fuzz/fuzz_netmsg.c test/fuzz/seeds
CLEANFILES += $(FUZZ_TARGETS) test/fuzz/*.log
# (crash-*/leak-* artifacts under test/fuzz/ are kept on purpose: they are the reproducers.)

test/fuzz/fuzz_serialize: $(srcdir)/test/fuzz/fuzz_serialize.c $(FUZZ_SRC_UTIL) $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_serialize.c $(FUZZ_SRC_UTIL)

test/fuzz/fuzz_bech32m: $(srcdir)/test/fuzz/fuzz_bech32m.c $(FUZZ_SRC_UTIL) $(srcdir)/src/crypto/bech32m.c $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_bech32m.c $(FUZZ_SRC_UTIL) $(srcdir)/src/crypto/bech32m.c

test/fuzz/fuzz_address: $(srcdir)/test/fuzz/fuzz_address.c $(FUZZ_SRC_UTIL) $(FUZZ_SRC_ADDRESS) $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $(SECP256K1_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_address.c $(FUZZ_SRC_UTIL) \
	  $(FUZZ_SRC_ADDRESS) $(SECP256K1_LIBS) -lpthread

# Chain parsers: transactions and blocks (with the Merkle tree and SHA-256 they need).
FUZZ_SRC_CHAIN = $(srcdir)/chain/tx.c $(srcdir)/chain/block.c $(srcdir)/src/crypto/merkle.c \
  $(srcdir)/src/crypto/sha256.c $(srcdir)/src/crypto/keys.c $(srcdir)/src/crypto/random.c
test/fuzz/fuzz_tx: $(srcdir)/test/fuzz/fuzz_tx.c $(FUZZ_SRC_UTIL) $(FUZZ_SRC_CHAIN) $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $(SECP256K1_CFLAGS) $(CRYPTO_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_tx.c $(FUZZ_SRC_UTIL) \
	  $(FUZZ_SRC_CHAIN) $(SECP256K1_LIBS) $(CRYPTO_LIBS) -lpthread

test/fuzz/fuzz_block: $(srcdir)/test/fuzz/fuzz_block.c $(FUZZ_SRC_UTIL) $(FUZZ_SRC_CHAIN) $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $(SECP256K1_CFLAGS) $(CRYPTO_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_block.c $(FUZZ_SRC_UTIL) \
	  $(FUZZ_SRC_CHAIN) $(SECP256K1_LIBS) $(CRYPTO_LIBS) -lpthread

# P2P messages: the frame and every payload codec, on top of the chain parsers.
test/fuzz/fuzz_netmsg: $(srcdir)/test/fuzz/fuzz_netmsg.c $(srcdir)/src/node/netmsg.c $(srcdir)/src/node/netmsg.h \
  $(FUZZ_SRC_UTIL) $(FUZZ_SRC_CHAIN) $(FUZZ_DEPS_H)
	@$(MKDIR_P) test/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $(SECP256K1_CFLAGS) $(CRYPTO_CFLAGS) -o $@ $(srcdir)/test/fuzz/fuzz_netmsg.c \
	  $(srcdir)/src/node/netmsg.c $(FUZZ_SRC_UTIL) $(FUZZ_SRC_CHAIN) $(SECP256K1_LIBS) $(CRYPTO_LIBS) -lpthread

.PHONY: fuzz fuzz-smoke
fuzz: $(FUZZ_TARGETS)

# The corpus grows in the build tree (test/fuzz/corpus-*), seeded from the checked-in seeds.
# Strings go up to 128 bytes so that over-long (> 90 character) inputs are reached too.
fuzz-smoke: fuzz
	@set -e; for t in serialize bech32m address tx block netmsg; do \
	  corpus=test/fuzz/corpus-$$t; $(MKDIR_P) $$corpus; cp $(srcdir)/test/fuzz/seeds/$$t/* $$corpus/; \
	  echo "fuzz-smoke: fuzz_$$t for $(FUZZ_TIME) s"; \
	  log=test/fuzz/fuzz_$$t.log; maxlen=4096; case $$t in bech32m|address) maxlen=128;; esac; \
	  if ! ./test/fuzz/fuzz_$$t -max_len=$$maxlen -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=test/fuzz/ $$corpus >$$log 2>&1; then \
	    tail -n 40 $$log; echo "fuzz-smoke: fuzz_$$t FAILED (log: $$log)"; exit 1; fi; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $$log; \
	done
