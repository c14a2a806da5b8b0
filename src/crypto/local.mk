# Layer 1: hashing, Merkle trees, randomness, keys and addresses. Depends on util.
noinst_LIBRARIES += libergon_crypto.a
libergon_crypto_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SECP256K1_CFLAGS)
libergon_crypto_a_SOURCES = \
  src/crypto/sha256.c src/crypto/sha256.h \
  src/crypto/merkle.c src/crypto/merkle.h \
  src/crypto/random.c src/crypto/random.h \
  src/crypto/keys.c src/crypto/keys.h \
  src/crypto/bech32m.c src/crypto/bech32m.h \
  src/crypto/address.c src/crypto/address.h
libergon_crypto_a_SOURCES += src/crypto/datafile.c src/crypto/datafile.h
ERG_CRYPTO_LIBS = libergon_crypto.a libergon_util.a $(SECP256K1_LIBS) $(CRYPTO_LIBS)
