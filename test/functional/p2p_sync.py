#!/usr/bin/env python3
"""Four nodes in a line follow one miner over P2P: blocks, a relayed transfer, and a background miner."""
from framework import (Test, assert_equal, connect_line, connect_nodes, keygen, sync_blocks, sync_mempools, transfer,
                       wait_until)


class P2PSync(Test):
    num_nodes = 4

    def run(self):
        nodes = list(self.nodes)  # add_node below appends to self.nodes
        alice, bob, miner = keygen(), keygen(), keygen()
        connect_line(nodes)  # 0-1-2-3
        for n in nodes:
            assert_equal(n.getconnectioncount(), 1 if n in (nodes[0], nodes[3]) else 2)

        # Blocks mined on one end reach the other end through two relays.
        hashes = nodes[0].generatetoaddress(30, alice["address"])
        sync_blocks(nodes)
        for n in nodes:
            assert_equal(n.getblockcount(), 30)
            assert_equal(n.getbestblockhash(), hashes[-1])
            assert_equal(n.getblockchaininfo()["headers"], 30)
            assert_equal(n.getaccount(alice["address"])["balance"], "1500.00000000")

        # A transfer submitted at the far end reaches every mempool, then a block from node 0 confirms it.
        txid = nodes[3].sendrawtransaction(transfer(alice, bob, "12.5", 0))
        sync_mempools(nodes)
        for n in nodes:
            assert_equal(n.getrawmempool(), [txid])
        blk = nodes[0].generatetoaddress(1, miner["address"])[0]
        assert txid in nodes[0].getblock(blk)["tx"]
        sync_blocks(nodes)
        sync_mempools(nodes)
        for n in nodes:
            assert_equal(n.getbestblockhash(), blk)
            assert_equal(n.getrawmempool(), [])
            tx = n.getrawtransaction(txid, True)
            assert_equal(tx["blockhash"], blk)
            assert_equal(tx["confirmations"], 1)
            assert_equal(n.getaccount(bob["address"])["balance"], "12.50000000")

        # A node mining in the background (connected to the far end) keeps the whole line in step.
        # It first syncs without mining, so that it never mines on a stale tip of its own.
        bg_key = keygen()
        bg = self.add_node()
        connect_nodes(bg, nodes[3])
        sync_blocks(nodes + [bg])
        start = nodes[0].getblockcount()
        bg.stop()
        bg.start(["-mine", f"-payout={bg_key['address']}", "-mineinterval=1000"])
        connect_nodes(bg, nodes[3])
        wait_until(lambda: nodes[0].getblockcount() >= start + 4, 120, "4 background-mined blocks at node 0")
        everyone = nodes + [bg]
        # The miner pauses a second after each block: the five tips meet within that window.
        sync_blocks(everyone, timeout=60)
        tip = nodes[0].getblock(nodes[0].getbestblockhash())
        assert tip["height"] >= start + 4, tip["height"]
        assert_equal(tip["payout"], bg_key["address"])
        bg.stop()
        sync_blocks(nodes)
        for n in nodes:
            # Every block above `start` pays the background miner, on every node.
            for h in range(start + 1, n.getblockcount() + 1):
                assert_equal(n.getblock(n.getblockhash(h))["payout"], bg_key["address"])


if __name__ == "__main__":
    P2PSync().main()
