#!/usr/bin/env python3
"""Inbound eviction: with every inbound slot taken, a new peer is accepted and an older unprotected one is
disconnected (the youngest of the unprotected; a peer that delivered a block is protected); when every
inbound peer is protected (all with a measured ping), the newcomer is refused as before."""
from framework import PeerClosed, RawPeer, Test, assert_equal, keygen, wait_until

SLOTS = 4  # -maxconnections with -connect=0: every slot is inbound


class P2PEviction(Test):
    num_nodes = 2
    extra_args = [[f"-maxconnections={SLOTS}"], []]

    def join(self):
        p = RawPeer(self.node)
        p.handshake(self.genesis)  # fails (PeerClosed) if the node refuses the connection
        return p

    def connected(self):
        return sorted(p["addr"] for p in self.node.getpeerinfo())

    def expect_peers(self, peers, what):
        want = sorted(p.local_addr for p in peers)
        wait_until(lambda: self.connected() == want, 5, what)

    def run(self):
        self.node, miner = self.nodes
        self.genesis = self.node.getblockhash(0)
        miner.generatetoaddress(1, keygen()["address"])
        block = bytes.fromhex(miner.getblock(miner.getblockhash(1), 0))

        peers = [self.join() for _ in range(SLOTS)]
        self.expect_peers(peers, "all slots taken")
        # The youngest delivers a new block: without that it would be the one to go. The peers never read
        # after their handshake, so none answers the node's ping and no ping time protects anyone.
        peers[3].send_msg("block", block)
        wait_until(lambda: self.node.getblockcount() == 1, 5, "block accepted")

        # A fifth: accepted. Protected: the block deliverer, then half of the other three by age (peer 0);
        # of peers 1 and 2 (one network group: loopback) the younger goes.
        newcomer = self.join()
        assert peers[2].wait_disconnected(5), "peer 2 was not evicted"
        keep = [peers[0], peers[1], peers[3], newcomer]
        self.expect_peers(keep, "one evicted for the newcomer")
        assert "evicted to make room for an inbound connection" in self.node.tail_log(100), "no eviction logged"
        print("fifth peer accepted; the youngest peer without a block delivery was evicted")

        # Again: now the newcomer is the youngest unprotected peer.
        later = self.join()
        assert newcomer.wait_disconnected(5), "the previous newcomer was not evicted"
        keep = [peers[0], peers[1], peers[3], later]
        self.expect_peers(keep, "the previous newcomer evicted")

        # Every peer answers its ping: four measured ping times protect all four, so a newcomer is refused.
        for p in keep:
            p.wait_for("ping", 5)  # recv_msg answers it
        wait_until(lambda: all("pingtime" in p for p in self.node.getpeerinfo()), 5, "ping times measured")
        refused = RawPeer(self.node)
        try:
            refused.handshake(self.genesis, timeout=5)
            raise AssertionError("a newcomer was accepted although every inbound peer is protected")
        except (PeerClosed, OSError):
            pass
        assert_equal(self.connected(), sorted(p.local_addr for p in keep))
        assert "none evictable" in self.node.tail_log(100), "no refusal logged"
        print("with every inbound peer protected the newcomer was refused")
        for p in keep + [refused]:
            p.close()


if __name__ == "__main__":
    P2PEviction().main()
