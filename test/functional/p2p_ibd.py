#!/usr/bin/env python3
"""Initial block download: a fresh node syncs 2,000 blocks headers-first, keeps them across a restart,
and nodes download from two peers at once (two nodes; a node and a raw test peer that counts what it serves)."""
import time

from framework import (HEADER_SIZE, INV_BLOCK, RawListener, Test, assert_equal, connect_nodes, keygen, parse_inv,
                       read_compact, ser_compact, sync_blocks, wait_until)

BLOCKS = 2000
CHUNK = 250
HEADER_BYTES = HEADER_SIZE


class P2PIBD(Test):
    num_nodes = 2

    def check_synced(self, node, tip):
        info = node.getblockchaininfo()
        assert_equal(info["blocks"], BLOCKS)
        assert_equal(info["headers"], BLOCKS)
        assert_equal(info["bestblockhash"], tip)
        # Synced to the best header with a recent tip (regtest blocks are stamped now): out of IBD.
        # ergond re-evaluates the flag on its 100 ms network tick, so allow it a moment after a start.
        wait_until(lambda: node.getblockchaininfo()["initialblockdownload"] is False, 5, "leaving IBD")

    def run(self):
        src, fresh = self.nodes
        k = keygen()
        t0 = time.time()
        for _ in range(BLOCKS // CHUNK):
            src.generatetoaddress(CHUNK, k["address"])
        tip = src.getbestblockhash()
        print(f"generated {BLOCKS} blocks in {time.time() - t0:.1f}s")
        assert_equal(fresh.getblockcount(), 0)
        # A node at its genesis block (old) is in initial block download.
        assert_equal(fresh.getblockchaininfo()["initialblockdownload"], True)

        t0 = time.time()
        connect_nodes(fresh, src)
        sync_blocks([src, fresh], timeout=180)
        print(f"node1 synced {BLOCKS} blocks from one peer in {time.time() - t0:.1f}s")
        self.check_synced(fresh, tip)
        for h in (1, 777, BLOCKS):
            assert_equal(fresh.getblockhash(h), src.getblockhash(h))
        assert_equal(fresh.getblockchaininfo()["stateroot"], src.getblockchaininfo()["stateroot"])
        assert_equal(fresh.getaccount(k["address"])["balance_base"], src.getaccount(k["address"])["balance_base"])

        # The downloaded chain was stored: a restart finds the same tip without any peer.
        fresh.stop()
        fresh.start()
        self.check_synced(fresh, tip)
        assert_equal(fresh.getconnectioncount(), 0)

        # A third node told to connect to both (-connect twice) downloads from the two at once.
        third = self.add_node([f"-connect={src.p2p_addr}", f"-connect={fresh.p2p_addr}"])
        t0 = time.time()
        sync_blocks([src, third], timeout=180)
        print(f"node2 synced {BLOCKS} blocks from two peers in {time.time() - t0:.1f}s")
        self.check_synced(third, tip)
        peers = third.getpeerinfo()
        assert_equal(sorted(p["addr"] for p in peers), sorted([src.p2p_addr, fresh.p2p_addr]))
        for p in peers:
            assert_equal(p["inbound"], False)
            assert_equal(p["connection_type"], "manual")
            assert_equal(p["startingheight"], BLOCKS)
        # Both peers must have served blocks, not only headers: each sent well over what 2,000
        # headers take when only one peer serves headers. (When both serve headers this check is
        # weaker; the split of bytes is printed for the record.)
        got = {p["addr"]: p["bytesrecv"] for p in peers}
        print(f"bytes received by node2 per peer: {got}")
        block_bytes = len(src.getblock(tip, 0)) // 2
        assert all(b >= 50 * block_bytes for b in got.values()), (got, block_bytes)
        assert sum(got.values()) >= BLOCKS * (block_bytes + HEADER_BYTES), got

        self.from_node_and_raw_peer(src, tip)

    def from_node_and_raw_peer(self, src, tip):
        """A fourth node syncs from src and from a raw peer serving the same chain: it asks both for blocks."""
        hashes = [src.getblockhash(h) for h in range(BLOCKS + 1)]
        raws = {hashes[h]: bytes.fromhex(src.getblock(hashes[h], 0)) for h in range(1, BLOCKS + 1)}
        height_of = {h: i for i, h in enumerate(hashes)}
        fourth = self.add_node()
        listener = RawListener()
        fourth.addnode(listener.addr, "onetry")
        server = listener.accept()
        theirs = server.accept_handshake(hashes[0], BLOCKS)
        assert_equal(theirs["best_height"], 0)
        connect_nodes(fourth, src)
        served = set()
        headers_sent = 0
        deadline = time.time() + 180
        while fourth.getbestblockhash() != tip:
            assert time.time() < deadline, f"node3 at height {fourth.getblockcount()}, raw peer served {len(served)}"
            for _ in range(64):  # serve a burst between RPC polls
                m = server.recv_msg(0.02)
                if m is None:
                    break
                cmd, payload = m
                if cmd == "getheaders":
                    n, pos = read_compact(payload, 0)
                    locator = [payload[pos + 32 * i:pos + 32 * (i + 1)].hex() for i in range(n)]
                    start = next((height_of[h] for h in locator if h in height_of), 0)
                    hs = [raws[hashes[x]][:HEADER_BYTES] for x in range(start + 1, min(start + 2000, BLOCKS) + 1)]
                    server.send_msg("headers", ser_compact(len(hs)) + b"".join(hs))
                    headers_sent += len(hs)
                elif cmd == "getdata":
                    for kind, h in parse_inv(payload):
                        if kind == INV_BLOCK and h in raws:
                            server.send_msg("block", raws[h])
                            served.add(h)
        print(f"node3 synced: raw peer sent {headers_sent} headers and served {len(served)} of {BLOCKS} blocks")
        self.check_synced(fourth, tip)
        # Blocks came from both: some from the raw peer, the rest from src.
        assert 0 < len(served) < BLOCKS, len(served)
        server.close()
        listener.close()


if __name__ == "__main__":
    P2PIBD().main()
