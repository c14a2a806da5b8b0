#!/usr/bin/env python3
"""kill -9 while mining, again and again: every restart comes back to a consistent tip."""
import random
import time

from framework import Test, assert_equal, keygen, wait_until

SUBSIDY = 50 * 10**8


def expected_balance(height):
    # Regtest halves every 150 blocks; the payout gets every subsidy (no transactions here).
    total = 0
    for h in range(1, height + 1):
        total += SUBSIDY >> ((h - 1) // 150)
    return total


class Crash(Test):
    num_nodes = 1

    def run(self):
        n = self.nodes[0]
        k = keygen()
        n.stop()
        rng = random.Random(20261123)
        last = 0
        for round_ in range(5):
            n.start(["-mine", f"-payout={k['address']}"])
            wait_until(lambda: n.getblockcount() > last, timeout=60, what="mining progress")
            time.sleep(rng.uniform(0.05, 0.6))
            n.kill9()
            n.start()
            h = n.getblockcount()
            assert h >= last, f"tip went back from {last} to {h}"
            # State consistent with the chain: the payout holds exactly the subsidies of every block.
            assert_equal(n.getaccount(k["address"])["balance_base"], expected_balance(h))
            info = n.getblockchaininfo()
            assert_equal(info["blocks"], h)
            blk = n.getblock(info["bestblockhash"])
            assert_equal(blk["stateroot"], info["stateroot"])
            n.stop()
            last = h
        assert last > 0


if __name__ == "__main__":
    Crash().main()
