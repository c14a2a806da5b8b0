#!/usr/bin/env python3
"""A competing heavier branch: the node reorganises and the losing branch's transactions refill the mempool."""
from framework import Test, assert_equal, keygen, tool


def copy_blocks(src, dst, start, end):
    for h in range(start, end + 1):
        raw = src.getblock(src.getblockhash(h), 0)
        res = dst.submitblock(raw)
        assert res is None or res.startswith("duplicate"), res


class Reorg(Test):
    num_nodes = 2

    def run(self):
        a, b = self.nodes
        alice, bob, carol = keygen(), keygen(), keygen()
        a.generatetoaddress(5, alice["address"])
        copy_blocks(a, b, 1, 5)
        assert_equal(b.getbestblockhash(), a.getbestblockhash())
        # Node a: alice pays bob twice, mined into a's branch (2 blocks).
        for nonce, amount in ((0, "1.5"), (1, "2.25")):
            tx = tool("ergon-tx", "-regtest", "transfer", f"--key={alice['privkey']}", f"--to={bob['address']}",
                      f"--amount={amount}", f"--nonce={nonce}", "--fee=0.0001")
            a.sendrawtransaction(tx)
        assert_equal(a.getmempoolinfo()["size"], 2)
        a.generatetoaddress(2, carol["address"])
        assert_equal(a.getmempoolinfo()["size"], 0)
        assert_equal(a.getaccount(bob["address"])["balance"], "3.75000000")
        mined = set(a.getblock(a.getbestblockhash())["tx"]) | set(a.getblock(a.getblockhash(6))["tx"])
        assert_equal(len(mined), 2)
        # Node b: a heavier branch of 4 blocks from height 5, without those transactions.
        b.generatetoaddress(4, carol["address"])
        assert_equal(b.getblockcount(), 9)
        # Give a the heavier branch: it reorganises to b's tip.
        copy_blocks(b, a, 6, 9)
        assert_equal(a.getbestblockhash(), b.getbestblockhash())
        assert_equal(a.getblockcount(), 9)
        tips = {t["status"] for t in a.getchaintips()}
        assert "valid-fork" in tips, tips
        # The losing branch's transactions are back in the mempool, and bob has nothing yet.
        assert_equal(set(a.getrawmempool()), mined)
        assert_equal(a.getaccount(bob["address"])["balance_base"], 0)
        assert_equal(a.getaccount(alice["address"])["next_nonce"], 2)
        # Mining again confirms them on the new branch.
        a.generatetoaddress(1, alice["address"])
        assert_equal(a.getmempoolinfo()["size"], 0)
        assert_equal(a.getaccount(bob["address"])["balance"], "3.75000000")
        # invalidateblock walks back to the old branch; reconsiderblock returns.
        best = a.getbestblockhash()
        a.invalidateblock(a.getblockhash(6))
        assert_equal(a.getblockcount(), 7)
        a.reconsiderblock(b.getblockhash(6))
        assert_equal(a.getbestblockhash(), best)
        # Restarting keeps the reorganised chain.
        a.stop()
        a.start()
        assert_equal(a.getbestblockhash(), best)


if __name__ == "__main__":
    Reorg().main()
