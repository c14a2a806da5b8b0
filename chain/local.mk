# Layer 3: consensus (types, validation, state). Depends on kernels, crypto, util.
noinst_LIBRARIES += libergon_chain.a
libergon_chain_a_CFLAGS = $(AM_CFLAGS)
libergon_chain_a_SOURCES = \
  chain/params.c chain/params.h \
  chain/tx.c chain/tx.h \
  chain/block.c chain/block.h \
  chain/pouw.c chain/pouw.h \
  chain/smt.c chain/smt.h \
  chain/db.c chain/db.h \
  chain/chainstate.c chain/chainstate.h \
  chain/mempool.c chain/mempool.h
ERG_CHAIN_LIBS = libergon_chain.a $(ERG_KERNELS_LIBS) $(LEVELDB_LIBS)

check_PROGRAMS += test/unit/test_smt
test_unit_test_smt_SOURCES = test/unit/test_smt.c
test_unit_test_smt_LDADD = libergon_testharness.a libergon_chain.a $(ERG_CRYPTO_LIBS)
check_PROGRAMS += test/unit/test_tx
test_unit_test_tx_SOURCES = test/unit/test_tx.c
test_unit_test_tx_LDADD = libergon_testharness.a libergon_chain.a $(ERG_CRYPTO_LIBS)
check_PROGRAMS += test/unit/test_pouw test/unit/test_chainstate
test_unit_test_pouw_SOURCES = test/unit/test_pouw.c
test_unit_test_pouw_LDADD = libergon_testharness.a $(ERG_CHAIN_LIBS)
test_unit_test_chainstate_SOURCES = test/unit/test_chainstate.c test/unit/chain_testutil.c test/unit/chain_testutil.h
test_unit_test_chainstate_LDADD = libergon_testharness.a $(ERG_CHAIN_LIBS)
