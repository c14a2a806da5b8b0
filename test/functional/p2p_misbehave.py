#!/usr/bin/env python3
"""Misbehaving peers: garbage, oversized frames, bad checksums, undecodable payloads and invalid blocks are
disconnected and banned; bad handshakes are refused; bans refuse connections and survive a restart;
unbanning lets peers back."""
import struct
import time

from framework import (HDR_OUTHASH, RawPeer, Test, assert_equal, connect_nodes, disconnect_nodes, frame,
                       handshake_done, keygen, msg_version, peers_at, sync_blocks, transfer, wait_until)

LOCAL = "127.0.0.1/32"
DEFAULT_BANTIME = 86400


class P2PMisbehave(Test):
    num_nodes = 2

    def peer(self):
        """A raw peer to node b, handshake done and answering pings."""
        b = self.nodes[1]
        p = RawPeer(b)
        p.handshake(self.genesis, b.getblockcount())
        assert p.ping()
        return p

    def assert_unchanged(self):
        b = self.nodes[1]
        assert_equal(b.getbestblockhash(), self.tip)
        assert_equal(sorted(b.getrawmempool()), self.pool)

    def assert_banned(self, what):
        bans = self.nodes[1].listbanned()
        assert_equal([x["address"] for x in bans], [LOCAL], what)
        ban = bans[0]
        assert isinstance(ban["ban_reason"], str) and ban["ban_reason"], ban
        assert_equal(ban["banned_until"] - ban["ban_created"], DEFAULT_BANTIME)
        assert_equal(ban["ban_duration"], DEFAULT_BANTIME)
        assert 0 < ban["time_remaining"] <= DEFAULT_BANTIME, ban
        return ban

    def clear(self):
        b = self.nodes[1]
        assert b.clearbanned() is None
        assert_equal(b.listbanned(), [])

    def expect_ban(self, what, send, handshake=True):
        """A peer (handshaken unless told otherwise) does `send`: disconnected, 127.0.0.1 banned, b unchanged."""
        b = self.nodes[1]
        p = self.peer() if handshake else RawPeer(b)
        send(p)
        assert p.wait_disconnected(10), f"{what}: still connected"
        ban = self.assert_banned(what)
        print(f"{what}: disconnected and banned, reason {ban['ban_reason']!r}")
        wait_until(lambda: b.getconnectioncount() == 0, 10, f"{what}: peer dropped")
        self.assert_unchanged()
        self.clear()

    def expect_refused(self, what, act):
        """A peer doing `act` is disconnected (whether it is also banned is up to the caller to check)."""
        p = RawPeer(self.nodes[1])
        try:
            act(p)
        except OSError:
            pass  # already closed by the node: what wait_disconnected checks
        assert p.wait_disconnected(10), f"{what}: still connected"
        p.close()

    def run(self):
        a, b = self.nodes
        key, other = keygen(), keygen()
        a.generatetoaddress(5, key["address"])
        connect_nodes(a, b)
        sync_blocks([a, b])
        disconnect_nodes(a, b)
        self.genesis = b.getblockhash(0)
        # A pending transaction on b, so that "mempool unchanged" means something.
        b.sendrawtransaction(transfer(key, other, "1", 0))
        self.tip, self.pool = b.getbestblockhash(), sorted(b.getrawmempool())
        assert_equal(len(self.pool), 1)

        # Control: a well-behaved raw peer stays; an unknown command is ignored.
        p = self.peer()
        p.send_msg("frobnicate", b"\x01\x02")
        assert p.ping()
        assert_equal(b.getconnectioncount(), 1)
        p.close()
        wait_until(lambda: b.getconnectioncount() == 0, 10, "raw peer gone")
        assert_equal(b.listbanned(), [])

        # (a) Garbage (bad magic) before any handshake; the node keeps serving RPC with its data intact.
        self.expect_ban("garbage", lambda p: p.send_raw(b"GARBAGE!" * 8), handshake=False)
        assert_equal(b.getblockcount(), 5)

        # (b) A frame header announcing an oversized ping; a bad checksum; an undecodable ping payload.
        self.expect_ban("oversized frame", lambda p: p.send_raw(frame("ping", b"", length=1000000)))
        self.expect_ban("bad checksum", lambda p: p.send_raw(frame("ping", struct.pack("<Q", 7), checksum=b"\0" * 4)))
        self.expect_ban("undecodable ping", lambda p: p.send_msg("ping", b"\x01\x02\x03"))

        # (c) An invalid block extending b's tip: a block a mined on it, with one byte of the winning
        # unit's output hash changed (b re-executes the unit and gets another hash).
        mined = a.generatetoaddress(1, key["address"])[0]
        assert_equal(a.getblock(mined)["previousblockhash"], self.tip)
        good = bytes.fromhex(a.getblock(mined, 0))
        bad = bytearray(good)
        bad[HDR_OUTHASH] ^= 0x01
        self.expect_ban("invalid block", lambda p: p.send_msg("block", bytes(bad)))
        # The same block unmodified is accepted from a raw peer: the ban was for the invalid one.
        p = self.peer()
        p.send_msg("block", good)
        wait_until(lambda: b.getbestblockhash() == mined, 30, "b accepts the valid block")
        assert p.ping()
        assert_equal(b.listbanned(), [])
        p.close()
        wait_until(lambda: b.getconnectioncount() == 0, 10, "raw peer gone")
        self.tip, self.pool = mined, sorted(b.getrawmempool())

        # (d) Refused handshakes: disconnected (the spec asks no ban for these; clear any).
        self.expect_refused("wrong genesis", lambda p: p.send_msg("version", msg_version(b"\x11" * 32, 0)))
        b.clearbanned()
        self.expect_refused("old protocol", lambda p: p.send_msg("version", msg_version(self.genesis, 0, 60000)))
        b.clearbanned()
        # A message before the handshake: misbehaviour +10 and disconnected, far from a ban.
        self.expect_refused("ping before version", lambda p: p.send_msg("ping", struct.pack("<Q", 1)))
        assert_equal(b.listbanned(), [])
        # A connection to itself is dropped.
        b.addnode(b.p2p_addr, "onetry")
        time.sleep(1)
        wait_until(lambda: b.getconnectioncount() == 0, 10, "self connection dropped")
        assert_equal(peers_at(b, b.p2p_addr), [])
        b.clearbanned()
        self.assert_unchanged()

        # (e) A banned IP cannot connect: the connection is closed at once, before any message.
        g = RawPeer(b)
        g.send_raw(b"\xff" * 32)
        assert g.wait_disconnected(10)
        self.assert_banned("garbage again")
        self.expect_refused("banned, silent", lambda p: None)
        self.expect_refused("banned, handshaking", lambda p: p.send_msg("version", msg_version(self.genesis, 0)))
        # The ban survives a restart (banlist.dat) and still refuses.
        before = b.listbanned()
        b.stop()
        b.start()
        after = b.listbanned()
        assert_equal([(x["address"], x["banned_until"], x["ban_reason"]) for x in after],
                     [(x["address"], x["banned_until"], x["ban_reason"]) for x in before])
        self.tip, self.pool = b.getbestblockhash(), sorted(b.getrawmempool())  # the mempool is not kept
        self.expect_refused("banned after restart", lambda p: None)
        # A real node from that IP is refused too.
        a.addnode(b.p2p_addr, "onetry")
        time.sleep(2)
        assert_equal([x for x in peers_at(a, b.p2p_addr) if handshake_done(x)], [])
        assert_equal(b.getconnectioncount(), 0)

        # (f) setban remove lets the IP in again.
        assert b.setban("127.0.0.1", "remove") is None
        assert_equal(b.listbanned(), [])
        p = self.peer()
        assert_equal(b.getconnectioncount(), 1)
        p.close()
        connect_nodes(a, b)
        sync_blocks([a, b])
        self.assert_unchanged()


if __name__ == "__main__":
    P2PMisbehave().main()
