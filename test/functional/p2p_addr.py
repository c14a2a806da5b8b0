#!/usr/bin/env python3
"""Address gossip: addr from a peer fills the address store (getnodeaddresses), survives a restart
(peers.dat), and comes back in the answer to getaddr (once per connection)."""
import math
import time

from framework import RawListener, RawPeer, Test, assert_equal, msg_addr, parse_addr, wait_until

GOOD = [("1.2.3.4", 9333), ("5.6.7.8", 19444), ("9.10.11.12", 8333), ("2a01:4f8:1:2::3", 9333)]
# Not valid for gossip (unspecified, multicast, port 0): the store ignores them.
BAD = [("0.0.0.0", 9333), ("224.0.0.1", 9333), ("1.2.3.5", 0)]
# More, so that the share of the store a getaddr reply carries is measurable.
MORE = [(f"20.0.{i // 200}.{i % 200 + 1}", 9333) for i in range(96)]
# A getaddr reply carries this share of the store, rounded up (src/node/addrman.h, as Core's 23%).
GETADDR_PCT = 23


def stored(node, count=0):
    return {(e["address"], e["port"]): e for e in node.getnodeaddresses(count)}


def has_all(node, wanted):
    got = stored(node)  # one call: each answer is a fresh random sample
    return all(w in got for w in wanted)


class P2PAddr(Test):
    num_nodes = 1

    def run(self):
        n = self.nodes[0]
        genesis = n.getblockhash(0)
        assert_equal(n.getnodeaddresses(10), [])

        p = RawPeer(n)
        p.handshake(genesis)
        # The node sends sendheaders to every peer, but getaddr only on its own outbound connections.
        p.wait_for("sendheaders", 10)
        now = int(time.time())
        p.send_msg("addr", msg_addr([(ip, port, now, 1) for ip, port in GOOD + BAD + MORE]))
        assert p.ping()
        wait_until(lambda: has_all(n, GOOD + MORE), 30, "gossiped addresses stored")
        assert "getaddr" not in [c for c, _ in p.received], "getaddr sent on an inbound connection"
        entries = stored(n)
        for ip, port in BAD:
            assert (ip, port) not in entries, (ip, port)
        for (ip, port), e in entries.items():
            if (ip, port) not in GOOD:
                continue
            assert_equal(e["network"], "ipv6" if ":" in ip else "ipv4")
            services = int(e["services"], 16) if isinstance(e["services"], str) else e["services"]
            assert_equal(services, 1)
            assert isinstance(e["time"], int) and abs(e["time"] - now) < 3 * 3600, e
        assert_equal(len(n.getnodeaddresses()), 1)  # count defaults to 1
        assert_equal(len(n.getnodeaddresses(2)), 2)
        assert_equal(len(n.getnodeaddresses(10)), 10)
        assert_equal(len(entries), len(GOOD) + len(MORE))  # count 0: all
        p.close()

        # peers.dat keeps them across a restart.
        n.stop()
        n.start()
        assert has_all(n, GOOD + MORE), stored(n)
        table = stored(n)

        # getaddr is answered from the store (a random 23%), once per connection; over a few
        # connections every gossiped address comes back.
        seen = set()
        for _ in range(40):
            q = RawPeer(n)
            q.handshake(genesis)
            q.send_msg("getaddr")
            reply = [(e["ip"], e["port"]) for e in parse_addr(q.wait_for("addr", 10))]
            assert_equal(len(reply), math.ceil(len(table) * GETADDR_PCT / 100))
            assert_equal(len(set(reply)), len(reply))
            assert set(reply) <= set(table), set(reply) - set(table)
            q.close()
            seen |= set(reply)
            if len(seen) == len(table):
                break
        assert all(g in seen for g in GOOD), seen
        q = RawPeer(n)
        q.handshake(genesis)
        q.send_msg("getaddr")
        q.wait_for("addr", 10)
        q.send_msg("getaddr")
        deadline = time.time() + 3
        while time.time() < deadline:
            m = q.recv_msg(max(0.0, deadline - time.time()))
            assert not (m and m[0] == "addr"), "getaddr answered twice on one connection"
        q.close()

        # On an outbound connection the node asks for addresses itself.
        listener = RawListener()
        n.addnode(listener.addr, "onetry")
        out = listener.accept()
        theirs = out.accept_handshake(genesis)
        assert_equal(theirs["genesis"], genesis)
        out.wait_for("getaddr", 10)
        info = [x for x in n.getpeerinfo() if x["addr"] == listener.addr]
        assert_equal(len(info), 1)
        assert_equal(info[0]["inbound"], False)
        out.close()
        listener.close()


if __name__ == "__main__":
    P2PAddr().main()
