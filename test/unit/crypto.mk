# Unit tests for keys, bech32m and addresses.
check_PROGRAMS += test/unit/test_keys test/unit/test_bech32m test/unit/test_address
test_unit_test_keys_SOURCES = test/unit/test_keys.c
test_unit_test_keys_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_bech32m_SOURCES = test/unit/test_bech32m.c
test_unit_test_bech32m_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_address_SOURCES = test/unit/test_address.c
test_unit_test_address_LDADD = $(UNIT_LDADD_CRYPTO)
check_PROGRAMS += test/unit/test_datafile
test_unit_test_datafile_SOURCES = test/unit/test_datafile.c
test_unit_test_datafile_LDADD = $(UNIT_LDADD_CRYPTO)
