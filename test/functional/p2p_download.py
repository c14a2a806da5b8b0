#!/usr/bin/env python3
"""Block download details: a peer that announces headers but never delivers the blocks is timed out
and dropped, and its blocks are fetched from another peer; an orphan block waits for its parent;
the first ping is answered right after the handshake."""
import time

from framework import (INV_BLOCK, INV_TX, RawPeer, Test, assert_equal, connect_nodes, keygen, msg_inv, parse_inv, ser_compact,
                       sync_blocks, wait_until)

BLOCKS = 40


class P2PDownload(Test):
    num_nodes = 2
    extra_args = [[], ["-blockstalltimeout=1000"]]

    def headers_payload(self, node, hashes):
        return ser_compact(len(hashes)) + b"".join(bytes.fromhex(node.getblockheader(h, False)) for h in hashes)

    def run(self):
        src, fresh = self.nodes
        k = keygen()
        src.generatetoaddress(BLOCKS, k["address"])
        hashes = [src.getblockhash(h) for h in range(1, BLOCKS + 1)]
        genesis = fresh.getblockhash(0)

        # 1. A staller: announces all headers, then sits on every getdata.
        staller = RawPeer(fresh)
        staller.handshake(genesis, best_height=BLOCKS)
        staller.send_msg("headers", self.headers_payload(src, hashes))
        asked = parse_inv(staller.wait_for("getdata", 10))
        assert len(asked) > 0 and all(t == INV_BLOCK for t, _ in asked), asked
        print(f"the staller was asked for {len(asked)} blocks")
        wait_until(lambda: fresh.getblockchaininfo()["headers"] == BLOCKS, 10, "headers accepted")
        assert_equal(fresh.getblockcount(), 0)

        # Alone, it is asked again after each 1 s stall; after three stall rounds without a delivery it is
        # dropped (not banned: it broke no rule).
        assert staller.wait_disconnected(15), "the staller was not disconnected"
        assert "stalling the block download" in fresh.tail_log(400), "no stall in the log"
        assert_equal(fresh.listbanned(), [])
        assert_equal(fresh.getblockcount(), 0)

        # A second staller and a real peer: after the stall timeout the blocks come from the real one.
        staller = RawPeer(fresh)
        staller.handshake(genesis, best_height=BLOCKS)
        staller.send_msg("headers", self.headers_payload(src, hashes))
        staller.wait_for("getdata", 10)
        t0 = time.time()
        connect_nodes(fresh, src)
        sync_blocks([src, fresh], timeout=60)
        print(f"synced {BLOCKS} blocks around the staller in {time.time() - t0:.1f}s")
        staller.close()

        # 2. Orphans: a block whose parent is unknown waits; the parent arrives and both connect.
        src.generatetoaddress(2, k["address"])
        child, parent = src.getblockhash(BLOCKS + 2), src.getblockhash(BLOCKS + 1)
        lone = self.add_node()  # knows only genesis .. BLOCKS via the raw peer below
        lone_peer = RawPeer(lone)
        lone_peer.handshake(genesis, best_height=BLOCKS + 2)
        lone_peer.send_msg("headers", self.headers_payload(src, hashes))
        # Serve what it asks for until it has the 40 blocks.
        served = 0
        while lone.getblockcount() < BLOCKS:
            m = lone_peer.recv_msg(5)
            if m is None:
                continue
            if m[0] == "getdata":
                for t, h in parse_inv(m[1]):
                    lone_peer.send_msg("block", bytes.fromhex(src.getblock(h, 0)))
                    served += 1
        assert_equal(lone.getbestblockhash(), hashes[-1])
        lone_peer.send_msg("block", bytes.fromhex(src.getblock(child, 0)))
        lone_peer.ping()  # processed in order: the child has been seen by now
        assert_equal(lone.getblockcount(), BLOCKS)  # waiting as an orphan
        lone_peer.send_msg("block", bytes.fromhex(src.getblock(parent, 0)))
        wait_until(lambda: lone.getbestblockhash() == child, 10, "orphan connected after its parent")
        assert_equal(lone.listbanned(), [])

        # 3. Keep-alive: the node pings right after the handshake and reports the round trip.
        wait_until(lambda: all("pingtime" in p for p in fresh.getpeerinfo()), 10, "pingtime known")
        # An inv for an unknown block makes the node ask for headers.
        lone_peer.send_msg("inv", msg_inv([(INV_BLOCK, "11" * 32)]))
        lone_peer.wait_for("getheaders", 10)

        # 4. One peer's orphans are capped at 10: its oldest go first.
        src.generatetoaddress(13, k["address"])
        top = lone.getblockcount()  # BLOCKS + 2
        extra = [src.getblockhash(h) for h in range(top + 1, top + 14)]
        for h in extra[1:]:  # 12 orphans: their first ancestor (extra[0]) is held back
            lone_peer.send_msg("block", bytes.fromhex(src.getblock(h, 0)))
        lone_peer.ping()
        lone_peer.send_msg("block", bytes.fromhex(src.getblock(extra[0], 0)))
        lone_peer.ping()
        # The two oldest orphans (extra[1], extra[2]) were dropped: the chain stops at extra[0].
        wait_until(lambda: lone.getbestblockhash() == extra[0], 10, "parent connected")
        time.sleep(0.3)
        assert_equal(lone.getbestblockhash(), extra[0])
        for h in extra[1:3]:
            lone_peer.send_msg("block", bytes.fromhex(src.getblock(h, 0)))
        wait_until(lambda: lone.getbestblockhash() == extra[-1], 10, "the 10 kept orphans connected")

        # 5. A transaction announced by two peers is requested from the first only.
        a, b = RawPeer(lone), RawPeer(lone)
        a.handshake(genesis, best_height=0)
        b.handshake(genesis, best_height=0)
        txid = "22" * 32
        a.send_msg("inv", msg_inv([(INV_TX, txid)]))
        assert parse_inv(a.wait_for("getdata", 10)) == [(INV_TX, txid)]
        b.send_msg("inv", msg_inv([(INV_TX, txid)]))
        b.ping()  # the inv has been handled by now
        assert not any(c == "getdata" for c, _ in b.received), "asked the second peer too"


if __name__ == "__main__":
    P2PDownload().main()
