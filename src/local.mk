# Layer 4: node library and programs (ergond, ergon-cli, ergon-kernel, ergon-tx). Depends on everything below.
include src/node/local.mk
include src/kernel-tool.mk

# Programs on top of the node library.
bin_PROGRAMS += ergond ergon-tx
ergond_SOURCES = src/ergond.c
ergond_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
ergond_LDADD = $(ERG_NODE_LIBS)
ergon_tx_SOURCES = src/ergon-tx.c
ergon_tx_LDADD = $(ERG_CHAIN_LIBS)
