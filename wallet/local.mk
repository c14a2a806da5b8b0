# Layer 4: the wallet library. Depends on chain, crypto, util; never on the node (src/node).
noinst_LIBRARIES += libergon_wallet.a
libergon_wallet_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS)
libergon_wallet_a_SOURCES = \
  wallet/mnemonic.c wallet/mnemonic.h \
  wallet/hd.c wallet/hd.h \
  wallet/walletfile.c wallet/walletfile.h \
  wallet/wallet.c wallet/wallet.h
ERG_WALLET_LIBS = libergon_wallet.a $(ERG_CHAIN_LIBS)

# Unit tests of the wallet library (no node needed).
check_PROGRAMS += test/unit/test_mnemonic test/unit/test_hd test/unit/test_walletfile test/unit/test_wallet
test_unit_test_mnemonic_SOURCES = test/unit/test_mnemonic.c
test_unit_test_mnemonic_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_hd_SOURCES = test/unit/test_hd.c
test_unit_test_hd_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_walletfile_SOURCES = test/unit/test_walletfile.c
test_unit_test_walletfile_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
test_unit_test_wallet_SOURCES = test/unit/test_wallet.c
test_unit_test_wallet_LDADD = libergon_testharness.a $(ERG_WALLET_LIBS)
