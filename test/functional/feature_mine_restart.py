#!/usr/bin/env python3
"""Mine 200 regtest blocks, check balances and block data, restart, and find the same chain."""
from framework import Test, assert_equal, keygen

SUBSIDY = 50 * 10**8


class MineRestart(Test):
    num_nodes = 1

    def run(self):
        n = self.nodes[0]
        k = keygen()
        assert_equal(n.getblockcount(), 0)
        hashes = n.generatetoaddress(200, k["address"])
        assert_equal(len(hashes), 200)
        assert_equal(n.getblockcount(), 200)
        assert_equal(n.getbestblockhash(), hashes[-1])
        acct = n.getaccount(k["address"])
        # The regtest subsidy halves every 150 blocks: 150 * 50 + 50 * 25 ERG.
        assert_equal(acct["balance_base"], 150 * SUBSIDY + 50 * SUBSIDY // 2)
        kernels = set()
        for h in (1, 2, 3, 4, 5, 150, 200):
            blk = n.getblock(n.getblockhash(h))
            assert_equal(blk["height"], h)
            assert_equal(blk["payout"], k["address"])
            kernels.add(blk["kernel"])
            hdr = n.getblockheader(blk["hash"])
            assert_equal(hdr["outputhash"], blk["outputhash"])
        assert_equal(kernels, {"ising2d", "hpfold", "mcoption", "ljmd", "swe"})
        info = n.getblockchaininfo()
        assert_equal(info["chain"], "regtest")
        tip_root = info["stateroot"]
        n.stop()
        n.start()
        assert_equal(n.getblockcount(), 200)
        assert_equal(n.getbestblockhash(), hashes[-1])
        assert_equal(n.getblockchaininfo()["stateroot"], tip_root)
        assert_equal(n.getaccount(k["address"])["balance_base"], acct["balance_base"])
        # And the chain keeps growing after the restart.
        n.generatetoaddress(3, k["address"])
        assert_equal(n.getblockcount(), 203)


if __name__ == "__main__":
    MineRestart().main()
