#!/usr/bin/env python3
"""Mempool admission: nonce order, conflicts, funds, fees, bad encodings; mining empties it in order."""
from framework import Test, assert_equal, assert_raises_rpc, keygen, tool


def transfer(key, to, amount, nonce, fee="0.0001"):
    return tool("ergon-tx", "-regtest", "transfer", f"--key={key['privkey']}", f"--to={to['address']}",
                f"--amount={amount}", f"--nonce={nonce}", f"--fee={fee}")


class MempoolRules(Test):
    num_nodes = 1

    def run(self):
        n = self.nodes[0]
        alice, bob = keygen(), keygen()
        n.generatetoaddress(2, alice["address"])  # 100 ERG
        t0 = transfer(alice, bob, "10", 0)
        txid0 = n.sendrawtransaction(t0)
        assert_equal(n.sendrawtransaction(t0), txid0)  # resubmission is idempotent
        assert_raises_rpc(-26, "nonce-gap", n.sendrawtransaction, transfer(alice, bob, "1", 5))
        assert_raises_rpc(-26, "txn-mempool-conflict", n.sendrawtransaction, transfer(alice, bob, "2", 0))
        assert_raises_rpc(-26, "insufficient-funds", n.sendrawtransaction, transfer(alice, bob, "95", 1))
        assert_raises_rpc(-26, "min-fee-not-met", n.sendrawtransaction, transfer(alice, bob, "1", 1, fee="0"))
        assert_raises_rpc(-26, "insufficient-funds", n.sendrawtransaction, transfer(bob, alice, "1", 0))
        assert_raises_rpc(-22, "TX decode failed", n.sendrawtransaction, "00")
        assert_raises_rpc(-22, "TX decode failed", n.sendrawtransaction, t0[:-2])
        assert_raises_rpc(-22, "TX decode failed", n.sendrawtransaction, "xyz")
        bad_sig = t0[:-4] + ("00" if t0[-4:-2] != "00" else "01") + t0[-2:]
        assert_raises_rpc(-26, "bad-txns-signature", n.sendrawtransaction, bad_sig)
        txid1 = n.sendrawtransaction(transfer(alice, bob, "20", 1, fee="0.01"))
        txid2 = n.sendrawtransaction(transfer(alice, bob, "30", 2, fee="0.001"))
        assert_equal(set(n.getrawmempool()), {txid0, txid1, txid2})
        info = n.getmempoolinfo()
        assert_equal(info["size"], 3)
        assert_equal(info["total_fee"], "0.01110000")
        verbose = n.getrawmempool(True)
        assert_equal(verbose[txid1]["nonce"], 1)
        raw = n.getrawtransaction(txid1, True)
        assert_equal(raw["amount"], "20.00000000")
        assert_equal(raw["confirmations"], 0)
        assert_equal(n.getaccount(alice["address"])["next_nonce"], 3)
        blk = n.getblock(n.generatetoaddress(1, bob["address"])[0])
        # The three transactions, nonce order kept although fee order differs.
        assert_equal(blk["tx"], [txid0, txid1, txid2])
        assert_equal(n.getmempoolinfo()["size"], 0)
        assert_equal(n.getaccount(bob["address"])["balance"], "110.01110000")  # 60 sent + 50 subsidy + fees
        assert_raises_rpc(-27, "already in block chain", n.sendrawtransaction, t0)
        conf = n.getrawtransaction(txid0, True)
        assert_equal(conf["blockhash"], blk["hash"])
        assert_equal(conf["confirmations"], 1)
        assert_raises_rpc(-5, "No such mempool or blockchain transaction", n.getrawtransaction, "00" * 32)


if __name__ == "__main__":
    MempoolRules().main()
