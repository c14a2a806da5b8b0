# Layer 0: buffers, serialization, hex, logging, errors, 256-bit integers. Depends on nothing in Ergon.
noinst_LIBRARIES += libergon_util.a
libergon_util_a_SOURCES = \
  src/util/error.c src/util/error.h \
  src/util/buffer.c src/util/buffer.h \
  src/util/serialize.c src/util/serialize.h \
  src/util/hex.c src/util/hex.h \
  src/util/base64.c src/util/base64.h \
  src/util/log.c src/util/log.h \
  src/util/uint256.c src/util/uint256.h \
  src/util/amount.c src/util/amount.h \
  src/util/httpclient.c src/util/httpclient.h
