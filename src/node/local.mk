# The node library (libergon_node.a): RPC/HTTP server, and later p2p, mempool, miner.
noinst_LIBRARIES += libergon_node.a
libergon_node_a_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS) -DCL_TARGET_OPENCL_VERSION=120
libergon_node_a_SOURCES = \
  src/node/http.c src/node/http.h \
  src/node/rpc.c src/node/rpc.h \
  src/node/node.h \
  src/node/miner.c src/node/miner.h \
  src/node/rpc_chain.c src/node/rpc_chain.h \
  src/node/net.c src/node/net.h src/node/netpeer.h \
  src/node/netproc.c \
  src/node/rpc_net.c src/node/rpc_net.h \
  src/node/netmsg.c src/node/netmsg.h \
  src/node/netaddr.c src/node/netaddr.h \
  src/node/addrman.c src/node/addrman.h \
  src/node/banman.c src/node/banman.h \
  src/node/evict.c src/node/evict.h
# Link line for programs built on the node (ergond, tests); programs that also use the chain
# append $(ERG_CHAIN_LIBS) after it.
ERG_NODE_LIBS = libergon_node.a $(ERG_CHAIN_LIBS) $(EVENT_LIBS) $(JANSSON_LIBS)

bin_PROGRAMS += ergon-cli
ergon_cli_SOURCES = src/ergon-cli.c
ergon_cli_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ergon_cli_LDADD = libergon_chain.a $(ERG_CRYPTO_LIBS) $(JANSSON_LIBS)

# Unit tests: the real server on an ephemeral loopback port, spoken to over sockets.
check_PROGRAMS += test/unit/test_http test/unit/test_rpc
test_unit_test_http_SOURCES = test/unit/test_http.c test/unit/http_testutil.c test/unit/http_testutil.h
test_unit_test_http_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_http_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)
test_unit_test_rpc_SOURCES = test/unit/test_rpc.c test/unit/http_testutil.c test/unit/http_testutil.h \
  test/unit/rpc_testutil.c test/unit/rpc_testutil.h
test_unit_test_rpc_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_rpc_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)

check_PROGRAMS += test/unit/test_netmsg
test_unit_test_netmsg_SOURCES = test/unit/test_netmsg.c
test_unit_test_netmsg_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)

# ergon-cli against a test-only server (a plain program: it is not a test by itself).
noinst_PROGRAMS += test/unit/rpc_testserver
test_unit_rpc_testserver_SOURCES = test/unit/rpc_testserver.c test/unit/rpc_testutil.c test/unit/rpc_testutil.h
test_unit_rpc_testserver_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_rpc_testserver_LDADD = $(ERG_NODE_LIBS)
TESTS += test/functional/interface_cli.py
test/functional/interface_cli.log: ergon-cli$(EXEEXT) test/unit/rpc_testserver$(EXEEXT)

# Two in-process nodes on loopback (real sockets, real LevelDB).
check_PROGRAMS += test/unit/test_net
test_unit_test_net_SOURCES = test/unit/test_net.c test/unit/chain_testutil.c test/unit/chain_testutil.h \
  test/unit/net_testutil.c test/unit/net_testutil.h
test_unit_test_net_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_net_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)

# Unit tests for peer addresses, the address store, the ban list and inbound eviction.
check_PROGRAMS += test/unit/test_netaddr test/unit/test_addrman test/unit/test_banman test/unit/test_evict
test_unit_test_netaddr_SOURCES = test/unit/test_netaddr.c
test_unit_test_netaddr_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)
test_unit_test_addrman_SOURCES = test/unit/test_addrman.c
test_unit_test_addrman_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)
test_unit_test_banman_SOURCES = test/unit/test_banman.c
test_unit_test_banman_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)
test_unit_test_evict_SOURCES = test/unit/test_evict.c
test_unit_test_evict_LDADD = libergon_testharness.a $(ERG_NODE_LIBS)
