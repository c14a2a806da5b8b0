#!/usr/bin/env python3
"""Blocks that break PoUW or state rules are rejected with their reason; the node keeps running, data intact."""
import hashlib
import struct

from framework import Test, assert_equal, assert_raises_rpc, keygen, tool

# Header layout (chain/block.h): offsets of the fields in the 260-byte header.
PREV, TIME, BITS, TXROOT, STATEROOT, PAYOUT, JOBID, NONCE, OUTHASH, CU = 8, 40, 48, 52, 84, 148, 180, 212, 220, 252


def tagged(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def flip(raw, off, n=1):
    b = bytearray(raw)
    for i in range(n):
        b[off + i] ^= 0x01
    return bytes(b)


def put(raw, off, value):
    b = bytearray(raw)
    b[off:off + len(value)] = value
    return bytes(b)


class InvalidBlocks(Test):
    num_nodes = 2

    def run(self):
        a, b = self.nodes
        k, other = keygen(), keygen()
        a.generatetoaddress(3, k["address"])
        for h in range(1, 4):
            assert b.submitblock(a.getblock(a.getblockhash(h), 0)) is None
        a4 = a.generatetoaddress(1, k["address"])[0]
        a.generatetoaddress(1, k["address"])
        good4 = bytes.fromhex(a.getblock(a4, 0))
        good5 = bytes.fromhex(a.getblock(a.getbestblockhash(), 0))
        b4 = b.generatetoaddress(1, other["address"])[0]  # b's own block 4

        def reject(node, raw, reason):
            before = node.getbestblockhash()
            res = node.submitblock(raw.hex())
            assert res is not None and res.startswith(reason), f"expected {reason}, got {res}"
            assert_equal(node.getbestblockhash(), before)

        # 1. An output hash the unit does not produce.
        reject(b, flip(good4, OUTHASH), "bad-output-hash")
        # 2. The payout changed after the unit was computed (stealing a winning unit): the seed changes.
        reject(b, flip(good4, PAYOUT + 5), "bad-output-hash")
        # 3. A unit computed for one parent presented on another parent of the same height.
        reject(b, put(good5, PREV, bytes.fromhex(b4)), "bad-output-hash")
        # 4. A transaction changed after the unit was computed.
        tx = tool("ergon-tx", "-regtest", "transfer", f"--key={k['privkey']}", f"--to={other['address']}",
                  "--amount=1", "--nonce=0", "--fee=0.001")
        a.sendrawtransaction(tx)
        tmpl = a.getblocktemplate(k["address"])
        assert_equal(tmpl["height"], 6)
        solved = bytes.fromhex(tool("ergon-tx", "-regtest", "solve", tmpl["block"]))
        amount_off = 260 + 1 + 1 + 1 + 32 + 8 + 8 + 32  # count, version, type, from, nonce, fee, to
        changed = flip(solved, amount_off)
        reject(a, changed, "bad-txnmrklroot")
        #    ...and with the tx root recomputed, the template commitment (so the seed) changes instead.
        root = tagged("Ergon/merkle/leaf", tagged("Ergon/tx", changed[261:]))
        reject(a, put(changed, TXROOT, root), "bad-output-hash")
        # 5. A wrong target.
        reject(a, put(solved, BITS, struct.pack("<I", 0x1f00ffff)), "bad-diffbits")
        # 6. A bad state root under a correctly computed unit.
        lying = put(bytes.fromhex(tmpl["block"]), STATEROOT, b"\x42" * 32)
        lying = bytes.fromhex(tool("ergon-tx", "-regtest", "solve", lying.hex()))
        reject(a, lying, "bad-state-root")
        # 7. Times too far ahead and not after the median time past.
        reject(a, put(solved, TIME, struct.pack("<Q", 4102444800)), "time-too-new")
        reject(a, put(solved, TIME, struct.pack("<Q", 1)), "time-too-old")
        # 8. Garbage and truncated blocks are decode errors, not crashes.
        assert_raises_rpc(-22, "Block decode failed", a.submitblock, "00ff")
        assert_raises_rpc(-22, "Block decode failed", a.submitblock, solved[:200].hex())
        assert_raises_rpc(-22, "Block decode failed", a.submitblock, "zz")
        # The honest block is still accepted, a duplicate is reported, the bad one stays bad.
        assert a.submitblock(solved.hex()) is None
        assert_equal(a.getblockcount(), 6)
        assert a.submitblock(solved.hex()).startswith("duplicate")
        assert a.submitblock(lying.hex()).startswith("duplicate-invalid")
        assert_equal(a.getaccount(other["address"])["balance"], "1.00000000")
        # Data intact after a restart.
        best = a.getbestblockhash()
        a.stop()
        a.start()
        assert_equal(a.getbestblockhash(), best)
        assert_equal(a.getaccount(other["address"])["balance"], "1.00000000")
        assert_equal(b.getbestblockhash(), b4)


if __name__ == "__main__":
    InvalidBlocks().main()
