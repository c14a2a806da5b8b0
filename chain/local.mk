# Layer 3: consensus (types, validation, state). Depends on kernels, crypto, util.
noinst_LIBRARIES += libergon_chain.a
libergon_chain_a_CFLAGS = $(AM_CFLAGS)
libergon_chain_a_SOURCES = \
  chain/params.c chain/params.h \
  chain/tx.c chain/tx.h \
  chain/block.c chain/block.h \
  chain/pouw.c chain/pouw.h
ERG_CHAIN_LIBS = libergon_chain.a $(ERG_KERNELS_LIBS) $(LEVELDB_LIBS)
