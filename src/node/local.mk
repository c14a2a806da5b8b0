# The node library (libergon_node.a): RPC/HTTP server, and later p2p, mempool, miner.
