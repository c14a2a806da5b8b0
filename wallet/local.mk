# Layer 4: the wallet library and ergon-wallet. Depends on chain, crypto, util; never on the node
# (src/node): everything it learns about the chain comes over JSON-RPC (src/util/httpclient).
noinst_LIBRARIES += libergon_wallet.a
libergon_wallet_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS) $(JANSSON_CFLAGS)
libergon_wallet_a_SOURCES = \
  wallet/mnemonic.c wallet/mnemonic.h \
  wallet/hd.c wallet/hd.h \
  wallet/walletfile.c wallet/walletfile.h \
  wallet/session.c wallet/session.h \
  wallet/wallet.c wallet/wallet.h \
  wallet/rpcclient.c wallet/rpcclient.h \
  wallet/sync.c wallet/sync.h \
  wallet/send.c wallet/send.h
ERG_WALLET_LIBS = libergon_wallet.a $(ERG_CHAIN_LIBS) $(JANSSON_LIBS)

bin_PROGRAMS += ergon-wallet
ergon_wallet_SOURCES = wallet/ergon-wallet.c
ergon_wallet_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ergon_wallet_LDADD = $(ERG_WALLET_LIBS)

# Unit tests of the wallet library (no node needed).
check_PROGRAMS += test/unit/test_mnemonic test/unit/test_hd test/unit/test_walletfile test/unit/test_wallet \
  test/unit/test_session test/unit/test_send
test_unit_test_mnemonic_SOURCES = test/unit/test_mnemonic.c
test_unit_test_mnemonic_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_hd_SOURCES = test/unit/test_hd.c
test_unit_test_hd_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_walletfile_SOURCES = test/unit/test_walletfile.c
test_unit_test_walletfile_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_wallet_SOURCES = test/unit/test_wallet.c
test_unit_test_wallet_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_session_SOURCES = test/unit/test_session.c
test_unit_test_session_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_send_SOURCES = test/unit/test_send.c
test_unit_test_send_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_send_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)

# test/functional/wallet_basic.py (real ergond and ergon-wallet processes) runs with the other
# functional tests under test/functional/test_runner.py.
