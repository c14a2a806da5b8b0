#!/usr/bin/env python3
"""A network split in two mines two branches; on reconnection everyone takes the heavier one and the
lighter branch's transaction returns to every mempool."""
from framework import (Test, assert_equal, connect_line, connect_nodes, disconnect_nodes, keygen, sync_blocks,
                       sync_mempools, transfer, wait_until)


def chainwork(node):
    return int(node.getblockchaininfo()["chainwork"], 16)


class P2PPartition(Test):
    num_nodes = 4

    def run(self):
        nodes = self.nodes
        alice, bob, carol, dave = keygen(), keygen(), keygen(), keygen()
        connect_line(nodes)
        nodes[0].generatetoaddress(5, alice["address"])
        sync_blocks(nodes)
        fork_point = nodes[0].getbestblockhash()

        disconnect_nodes(nodes[1], nodes[2])
        group_a, group_b = nodes[:2], nodes[2:]
        for n in nodes:
            assert_equal(n.getconnectioncount(), 1)

        # Group A: T, mined into a 3-block branch.
        t = nodes[1].sendrawtransaction(transfer(alice, bob, "7", 0))
        sync_mempools(group_a)
        branch_a = nodes[0].generatetoaddress(3, carol["address"])
        assert t in nodes[0].getblock(branch_a[0])["tx"]
        sync_blocks(group_a)
        sync_mempools(group_a)
        for n in group_a:
            assert_equal(n.getbestblockhash(), branch_a[-1])
            assert_equal(n.getrawmempool(), [])
            assert_equal(n.getaccount(bob["address"])["balance"], "7.00000000")

        # Group B: a 6-block branch, never seeing T.
        branch_b = nodes[3].generatetoaddress(6, dave["address"])
        sync_blocks(group_b)
        for n in group_b:
            assert_equal(n.getbestblockhash(), branch_b[-1])
            assert_equal(n.getrawmempool(), [])
            assert_equal(n.getaccount(bob["address"])["balance_base"], 0)
        assert_equal(nodes[0].getblockcount(), 8)
        assert_equal(nodes[3].getblockcount(), 11)
        assert chainwork(nodes[3]) > chainwork(nodes[0]), (chainwork(nodes[3]), chainwork(nodes[0]))

        # Heal the split: everyone ends on B's tip.
        connect_nodes(nodes[1], nodes[2])
        sync_blocks(nodes)
        for n in nodes:
            assert_equal(n.getbestblockhash(), branch_b[-1])
            assert_equal(n.getblockcount(), 11)
            assert_equal(n.getblockhash(5), fork_point)
            assert_equal(n.getaccount(bob["address"])["balance_base"], 0)
        tips = {tip["hash"]: tip["status"] for tip in nodes[0].getchaintips()}
        assert_equal(tips.get(branch_a[-1]), "valid-fork")
        assert_equal(tips.get(branch_b[-1]), "active")

        # T left the chain with branch A: it is back in A's mempools and relayed to B's.
        wait_until(lambda: all(t in n.getrawmempool() for n in nodes), 60, "T back in every mempool")
        sync_mempools(nodes)
        for n in nodes:
            assert_equal(n.getrawmempool(), [t])
            assert_equal(n.getaccount(alice["address"])["next_nonce"], 1)

        # And a block from group B's side confirms it everywhere.
        blk = nodes[2].generatetoaddress(1, dave["address"])[0]
        sync_blocks(nodes)
        sync_mempools(nodes)
        for n in nodes:
            assert_equal(n.getrawmempool(), [])
            assert_equal(n.getrawtransaction(t, True)["blockhash"], blk)
            assert_equal(n.getaccount(bob["address"])["balance"], "7.00000000")


if __name__ == "__main__":
    P2PPartition().main()
