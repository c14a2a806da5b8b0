#!/usr/bin/env python3
"""Network RPCs: getpeerinfo, getnetworkinfo, getconnectioncount, addnode, disconnectnode, setban,
listbanned, clearbanned, and the -maxconnections limit."""
import time

from framework import (PROTOCOL_VERSION, PeerClosed, RawPeer, Test, assert_equal, assert_raises_rpc, connect_nodes,
                       keygen, peers_at, wait_until)

INT = int
NUM = (int, float)


def check_types(obj, spec):
    for key, types in spec.items():
        assert key in obj, f"missing '{key}' in {obj}"
        assert isinstance(obj[key], types) and not (types is not bool and isinstance(obj[key], bool)), \
            f"'{key}' is {obj[key]!r}, wanted {types}"


PEER_FIELDS = {"id": INT, "addr": str, "addrbind": str, "services": str, "inbound": bool, "connection_type": str,
               "version": INT, "subver": str, "startingheight": INT, "synced_headers": INT, "synced_blocks": INT,
               "conntime": INT, "lastsend": INT, "lastrecv": INT, "bytessent": INT, "bytesrecv": INT,
               "misbehavior": INT}
# relayfee is a decimal string, as every amount in this RPC (Core gives a number).
NETINFO_FIELDS = {"version": INT, "subversion": str, "protocolversion": INT, "localservices": str,
                  "networkactive": bool, "connections": INT, "connections_in": INT, "connections_out": INT,
                  "relayfee": NUM + (str,), "localaddresses": list, "warnings": str}
BAN_FIELDS = {"address": str, "ban_created": INT, "banned_until": INT, "ban_duration": INT, "time_remaining": INT,
              "ban_reason": str}


class RPCNet(Test):
    num_nodes = 3
    extra_args = [[], [], ["-maxconnections=3"]]

    def run(self):
        a, b, c = self.nodes
        self.peer_info(a, b)
        self.network_info(a, b)
        self.addnode_errors(a, b)
        self.disconnect(a, b)
        self.bans(a)
        self.max_connections(c)
        self.ban_disconnects(a, b)

    def peer_info(self, a, b):
        assert_equal(a.getpeerinfo(), [])
        assert_equal(a.getconnectioncount(), 0)
        a.generatetoaddress(3, keygen()["address"])
        t0 = int(time.time())
        connect_nodes(a, b)
        wait_until(lambda: all(p["synced_headers"] == 3 for p in b.getpeerinfo()), 30, "b learns a's headers")
        out, = a.getpeerinfo()
        inb, = b.getpeerinfo()
        for p in (out, inb):
            check_types(p, PEER_FIELDS)
            assert_equal(p["version"], PROTOCOL_VERSION)
            assert_equal(int(p["services"], 16) & 1, 1)  # NODE_NETWORK
            assert_equal(p["misbehavior"], 0)
            assert p["bytessent"] > 0 and p["bytesrecv"] > 0, p
            assert abs(p["conntime"] - t0) <= 60, p
            assert p["subver"].startswith("/"), p["subver"]
            if "pingtime" in p:
                assert isinstance(p["pingtime"], NUM) and p["pingtime"] >= 0, p
        assert_equal(out["addr"], b.p2p_addr)
        assert_equal(out["inbound"], False)
        assert_equal(out["connection_type"], "manual")  # addnode onetry
        assert_equal(out["startingheight"], 0)
        assert_equal(inb["addr"], out["addrbind"])
        assert_equal(inb["inbound"], True)
        assert_equal(inb["connection_type"], "inbound")
        assert_equal(inb["startingheight"], 3)
        assert_equal(a.getconnectioncount(), 1)
        assert_equal(b.getconnectioncount(), 1)
        wait_until(lambda: b.getblockcount() == 3, 30, "b synced")

    def network_info(self, a, b):
        for node, conn_in, conn_out in ((a, 0, 1), (b, 1, 0)):
            info = node.getnetworkinfo()
            check_types(info, NETINFO_FIELDS)
            assert_equal(info["protocolversion"], PROTOCOL_VERSION)
            assert_equal(info["networkactive"], True)
            assert_equal((info["connections"], info["connections_in"], info["connections_out"]),
                         (1, conn_in, conn_out))
            assert_equal(int(info["localservices"], 16) & 1, 1)
            assert_equal(info["warnings"], "")
        # Each node reports the other's user agent as its peer's subver.
        assert_equal(a.getpeerinfo()[0]["subver"], b.getnetworkinfo()["subversion"])
        assert_equal(b.getpeerinfo()[0]["subver"], a.getnetworkinfo()["subversion"])

    def addnode_errors(self, a, b):
        assert a.addnode(b.p2p_addr, "add") is None
        assert_raises_rpc(-23, "Node already added", a.addnode, b.p2p_addr, "add")
        assert a.addnode(b.p2p_addr, "remove") is None
        # Spec: "Node has not been added."; Core: "... It has not been added previously.": either.
        assert_raises_rpc(-24, "has not been added", a.addnode, b.p2p_addr, "remove")
        assert_raises_rpc(-24, "has not been added", a.addnode, "10.1.2.3:1234", "remove")
        assert_raises_rpc(None, None, a.addnode, b.p2p_addr, "sideways")
        assert_equal(a.getconnectioncount(), 1)  # remove does not cut the existing connection

    def disconnect(self, a, b):
        assert_raises_rpc(-29, "Node not found in connected nodes", a.disconnectnode, "10.9.9.9:1")
        assert_raises_rpc(-29, "Node not found in connected nodes", a.disconnectnode, "", 987654)
        # By id.
        pid = a.getpeerinfo()[0]["id"]
        assert a.disconnectnode("", pid) is None
        wait_until(lambda: a.getconnectioncount() == 0 and b.getconnectioncount() == 0, 10, "disconnect by id")
        # By address, from the inbound side.
        connect_nodes(a, b)
        inbound_addr = b.getpeerinfo()[0]["addr"]
        assert b.disconnectnode(inbound_addr) is None
        wait_until(lambda: a.getconnectioncount() == 0 and b.getconnectioncount() == 0, 10, "disconnect by address")
        assert_raises_rpc(-29, "Node not found", b.disconnectnode, inbound_addr)
        connect_nodes(a, b)

    def bans(self, a):
        assert_equal(a.listbanned(), [])
        now = int(time.time())
        assert a.setban("10.0.0.0/8", "add") is None
        assert_raises_rpc(-23, "IP/Subnet already banned", a.setban, "10.0.0.0/8", "add")
        assert a.setban("192.168.1.1", "add", 100) is None
        assert a.setban("172.16.0.0/12", "add", now + 1000, True) is None
        assert a.setban("2001:db8::/32", "add") is None
        bans = {x["address"]: x for x in a.listbanned()}
        assert_equal(set(bans), {"10.0.0.0/8", "192.168.1.1/32", "172.16.0.0/12", "2001:db8::/32"})
        for x in bans.values():
            check_types(x, BAN_FIELDS)
            assert_equal(x["ban_reason"], "manually added")
            assert abs(x["ban_created"] - now) <= 60, x
            assert_equal(x["banned_until"] - x["ban_created"], x["ban_duration"])
            assert 0 <= x["time_remaining"] <= x["ban_duration"], x
        assert_equal(bans["10.0.0.0/8"]["ban_duration"], 86400)  # 0/omitted: -bantime, default 86400
        assert_equal(bans["192.168.1.1/32"]["ban_duration"], 100)
        assert_equal(bans["172.16.0.0/12"]["banned_until"], now + 1000)
        # Peers on other addresses are untouched by these bans.
        assert_equal(a.getconnectioncount(), 1)
        assert a.setban("10.0.0.0/8", "remove") is None
        assert "10.0.0.0/8" not in {x["address"] for x in a.listbanned()}
        assert_raises_rpc(-30, "Unban failed", a.setban, "10.0.0.0/8", "remove")
        assert_raises_rpc(-30, "Invalid IP/Subnet", a.setban, "not-an-ip", "add")
        assert_raises_rpc(-30, "Invalid IP/Subnet", a.setban, "1.2.3.4/33", "add")
        assert_raises_rpc(None, None, a.setban, "1.2.3.4", "sideways")
        # A bantime past the end of time bans until then, rather than wrapping into the past.
        assert a.setban("1.2.3.4", "add", 2**63 - 1) is None
        assert_equal({x["address"]: x for x in a.listbanned()}["1.2.3.4/32"]["banned_until"], 2**63 - 1)
        assert a.setban("1.2.3.4", "remove") is None
        # A lapsed ban is no longer listed.
        assert a.setban("11.0.0.1", "add", 1) is None
        wait_until(lambda: "11.0.0.1/32" not in {x["address"] for x in a.listbanned()}, 10, "1-second ban lapses")
        assert a.clearbanned() is None
        assert_equal(a.listbanned(), [])
        # Bans persist across a restart.
        assert a.setban("10.0.0.0/8", "add") is None
        b_addr_seen = self.nodes[1].p2p_addr
        a.stop()
        a.start()
        assert_equal([x["address"] for x in a.listbanned()], ["10.0.0.0/8"])
        assert a.clearbanned() is None
        connect_nodes(a, self.nodes[1])
        assert peers_at(a, b_addr_seen)

    def max_connections(self, c):
        """-maxconnections=3 with -connect=0: no outbound slots are kept, so 3 inbound peers; each answers the
        node's ping, and a measured ping time protects it from eviction, so the 4th is refused."""
        genesis = c.getblockhash(0)
        live = []
        refused = 0
        for i in range(4):
            p = RawPeer(c)
            try:
                p.handshake(genesis)
                assert p.ping()
                deadline = time.time() + 5
                while not any("pingtime" in x for x in peers_at(c, p.local_addr)):
                    assert time.time() < deadline, "no ping time measured"
                    p.recv_msg(0.2)  # answers the node's ping
                live.append(p)
            except (PeerClosed, OSError, AssertionError):
                refused += 1
                p.close()
        time.sleep(1)
        # Peers dropped after the handshake (eviction) count as refused too.
        still = []
        for p in live:
            try:
                p.ping(5)
                still.append(p)
            except (PeerClosed, OSError, AssertionError):
                refused += 1
        print(f"-maxconnections=3: {len(still)} raw peers kept, {refused} refused or evicted")
        assert_equal(len(still), 3)
        assert_equal(still, live[:3])  # the first three stay, the fourth is the one refused
        assert_equal(refused, 1)
        assert_equal(c.getconnectioncount(), 3)
        for p in still:
            p.close()
        wait_until(lambda: c.getconnectioncount() == 0, 10, "raw peers gone")
        # A freed slot is usable again.
        p = RawPeer(c)
        p.handshake(genesis)
        assert p.ping()
        p.close()

    def ban_disconnects(self, a, b):
        """Banning a connected peer's address cuts it (last: every node here is 127.0.0.1)."""
        assert_equal(a.getconnectioncount(), 1)
        assert a.setban("127.0.0.1", "add") is None
        wait_until(lambda: a.getconnectioncount() == 0 and b.getconnectioncount() == 0, 10, "banned peer cut")
        assert_equal([x["address"] for x in a.listbanned()], ["127.0.0.1/32"])
        assert a.setban("127.0.0.1/32", "remove") is None
        assert_equal(a.listbanned(), [])


if __name__ == "__main__":
    RPCNet().main()
