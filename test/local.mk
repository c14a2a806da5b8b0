# Unit tests (one program per module), the layer check and the functional tests.
noinst_LIBRARIES += libergon_testharness.a
libergon_testharness_a_SOURCES = test/unit/harness.c test/unit/harness.h

UNIT_LDADD_CRYPTO = libergon_testharness.a $(ERG_CRYPTO_LIBS)

check_PROGRAMS += test/unit/test_buffer test/unit/test_serialize test/unit/test_hex test/unit/test_log \
  test/unit/test_error test/unit/test_sha256 test/unit/test_merkle test/unit/test_random \
  test/unit/test_uint256 test/unit/test_amount test/unit/test_base64
test_unit_test_buffer_SOURCES = test/unit/test_buffer.c
test_unit_test_buffer_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_serialize_SOURCES = test/unit/test_serialize.c
test_unit_test_serialize_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_hex_SOURCES = test/unit/test_hex.c
test_unit_test_hex_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_log_SOURCES = test/unit/test_log.c
test_unit_test_log_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_error_SOURCES = test/unit/test_error.c
test_unit_test_error_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_sha256_SOURCES = test/unit/test_sha256.c
test_unit_test_sha256_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_merkle_SOURCES = test/unit/test_merkle.c
test_unit_test_merkle_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_random_SOURCES = test/unit/test_random.c
test_unit_test_random_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_uint256_SOURCES = test/unit/test_uint256.c
test_unit_test_uint256_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_amount_SOURCES = test/unit/test_amount.c
test_unit_test_amount_LDADD = $(UNIT_LDADD_CRYPTO)
test_unit_test_base64_SOURCES = test/unit/test_base64.c
test_unit_test_base64_LDADD = $(UNIT_LDADD_CRYPTO)

include test/unit/crypto.mk
include test/unit/kernels.mk
include test/fuzz/local.mk

TESTS += $(check_PROGRAMS) test/lint/check_layers.py
EXTRA_DIST += test/lint/check_layers.py test/functional
