"""Functional test framework: start real ergond processes on loopback and drive them over JSON-RPC.

Python 3 standard library only, in the manner of Bitcoin Core's test_framework.
"""
import base64
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

BUILDDIR = os.environ.get("ERG_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RPCError(Exception):
    def __init__(self, error):
        super().__init__(f"RPC error {error.get('code')}: {error.get('message')}")
        self.code = error.get("code")
        self.message = error.get("message")


def option_name(arg):
    """"-connect=1.2.3.4:5" -> "connect"."""
    return arg.lstrip("-").split("=", 1)[0]


class Node:
    """One ergond process with its own data directory, RPC port and P2P port (listening on loopback only).

    By default a node makes no outbound connection of its own (-connect=0): tests connect nodes
    explicitly. An extra argument naming -port, -bind or -connect replaces that default.
    """

    def __init__(self, index, basedir, extra_args=None):
        self.index = index
        self.datadir = os.path.join(basedir, f"node{index}")
        os.makedirs(self.datadir, exist_ok=True)
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.extra_args = list(extra_args or [])
        self.process = None
        self.log = open(os.path.join(self.datadir, "stdout.log"), "ab")

    @property
    def netdir(self):
        return os.path.join(self.datadir, "regtest")

    @property
    def p2p_addr(self):
        return f"127.0.0.1:{self.p2p_port}"

    def p2p_args(self, given):
        overridden = {option_name(a) for a in given}
        defaults = [f"-port={self.p2p_port}", "-bind=127.0.0.1", "-connect=0"]
        return [a for a in defaults if option_name(a) not in overridden]

    def start(self, extra_args=None, wait=True):
        given = self.extra_args + list(extra_args or [])
        args = [os.path.join(BUILDDIR, "ergond"), "-regtest", f"-datadir={self.datadir}",
                f"-rpcport={self.rpc_port}", "-printtoconsole=0"] + self.p2p_args(given) + given
        self.process = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        if wait:
            self.wait_for_rpc()
        return self

    def wait_for_rpc(self, timeout=60):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"node{self.index} exited with {self.process.returncode}: {self.tail_log()}")
            try:
                self.rpc("getblockcount")
                return
            except (OSError, RPCError, FileNotFoundError, http.client.HTTPException) as e:
                last = e
                time.sleep(0.1)
        raise AssertionError(f"node{self.index} RPC not ready after {timeout}s: {last}")

    def auth_header(self):
        with open(os.path.join(self.netdir, ".cookie")) as f:
            cookie = f.read().strip()
        return "Basic " + base64.b64encode(cookie.encode()).decode()

    def raw_http(self, body, headers=None, method="POST", path="/"):
        conn = http.client.HTTPConnection("127.0.0.1", self.rpc_port, timeout=120)
        h = {"Content-Type": "application/json"}
        if headers is None:
            h["Authorization"] = self.auth_header()
        else:
            h.update(headers)
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        status, data = self.raw_http(body)
        try:
            reply = json.loads(data)
        except ValueError:
            raise AssertionError(f"HTTP {status}: non-JSON reply {data[:200]!r}")
        if reply.get("error"):
            raise RPCError(reply["error"])
        return reply["result"]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *p: self.rpc(name, *p)

    def stop(self, timeout=60):
        if not self.process or self.process.poll() is not None:
            return
        try:
            self.rpc("stop")
        except Exception:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"node{self.index} did not stop within {timeout}s")
        assert self.process.returncode == 0, f"node{self.index} exited with {self.process.returncode}"

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def tail_log(self, n=20):
        path = os.path.join(self.netdir, "debug.log")
        try:
            with open(path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no debug.log)"


def tool(name, *args):
    out = subprocess.run([os.path.join(BUILDDIR, name)] + list(args), capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"{name} {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def keygen():
    return json.loads(tool("ergon-tx", "-regtest", "keygen", "--json"))


def transfer(key, to, amount, nonce, fee="0.0001"):
    """A signed transfer's hex from the ergon-tx tool; key and to as keygen() returns them."""
    return tool("ergon-tx", "-regtest", "transfer", f"--key={key['privkey']}", f"--to={to['address']}",
                f"--amount={amount}", f"--nonce={nonce}", f"--fee={fee}")


def assert_equal(a, b, msg=""):
    if a != b:
        raise AssertionError(f"{a!r} != {b!r} {msg}")


def assert_raises_rpc(code, substring, fn, *args):
    try:
        fn(*args)
    except RPCError as e:
        if code is not None and e.code != code:
            raise AssertionError(f"expected RPC code {code}, got {e.code}: {e.message}")
        if substring and substring not in e.message:
            raise AssertionError(f"expected '{substring}' in '{e.message}'")
        return e
    raise AssertionError(f"expected RPC error {code} '{substring}', call succeeded")


def wait_until(pred, timeout=60, what="condition", interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


# ---- P2P between nodes -------------------------------------------------------------------------

def peers_at(node, addr):
    """node's peers whose address is addr ("ip:port")."""
    return [p for p in node.getpeerinfo() if p.get("addr") == addr]


def handshake_done(peer):
    """A getpeerinfo entry whose version handshake is complete ("handshake" where reported, else a version)."""
    return peer.get("handshake", peer.get("version", 0) > 0)


def handshaken_inbound(node):
    return sum(1 for p in node.getpeerinfo() if p.get("inbound") and handshake_done(p))


def connect_nodes(a, b, timeout=30):
    """a opens a connection to b; returns when both ends have completed the version handshake."""
    before = handshaken_inbound(b)
    a.addnode(b.p2p_addr, "onetry")
    done = {}

    def a_side():
        done["peers"] = [p for p in peers_at(a, b.p2p_addr) if handshake_done(p)]
        return bool(done["peers"])

    wait_until(a_side, timeout, f"node{a.index} -> node{b.index} handshake (node{a.index} side)")
    # b sees a at a's local address of that connection (addrbind); without it, count b's inbound peers.
    seen_as = {p["addrbind"] for p in done["peers"] if p.get("addrbind")}
    if seen_as:
        wait_until(lambda: any(handshake_done(p) for p in b.getpeerinfo() if p.get("addr") in seen_as),
                   timeout, f"node{a.index} -> node{b.index} handshake (node{b.index} side)")
    else:
        wait_until(lambda: handshaken_inbound(b) > before, timeout,
                   f"node{a.index} -> node{b.index} handshake (node{b.index} side)")


def disconnect_nodes(a, b, timeout=30):
    """Close every connection between a and b, whichever side opened it, and wait until neither lists the other."""
    def link_addrs():
        # The address each side sees for the other: the listening address for the side that was
        # connected to, the connecting side's local address (addrbind) for the other.
        at_a, at_b = set(), set()
        for p in peers_at(a, b.p2p_addr):
            at_a.add(p["addr"])
            if p.get("addrbind"):
                at_b.add(p["addrbind"])
        for p in peers_at(b, a.p2p_addr):
            at_b.add(p["addr"])
            if p.get("addrbind"):
                at_a.add(p["addrbind"])
        return at_a, at_b

    at_a, at_b = link_addrs()
    if not at_a and not at_b:
        raise AssertionError(f"node{a.index} and node{b.index} are not connected")
    count_b = b.getconnectioncount()
    count_a = a.getconnectioncount()
    if peers_at(a, b.p2p_addr):
        a.disconnectnode(b.p2p_addr)
    if peers_at(b, a.p2p_addr):
        b.disconnectnode(a.p2p_addr)

    def gone():
        if any(p.get("addr") in at_a for p in a.getpeerinfo()):
            return False
        if any(p.get("addr") in at_b for p in b.getpeerinfo()):
            return False
        # Without addrbind the far side's view cannot be matched by address: count instead.
        if not at_b and b.getconnectioncount() >= count_b:
            return False
        if not at_a and a.getconnectioncount() >= count_a:
            return False
        return True

    wait_until(gone, timeout, f"node{a.index} and node{b.index} disconnected")


def connect_line(nodes):
    for x, y in zip(nodes, nodes[1:]):
        connect_nodes(x, y)


def sync_blocks(nodes, timeout=60):
    """Wait until every node has the same best block."""
    last = {}

    def same():
        last["tips"] = [n.getbestblockhash() for n in nodes]
        return len(set(last["tips"])) == 1

    try:
        wait_until(same, timeout, "block sync", interval=0.05)
    except AssertionError:
        heights = [n.getblockcount() for n in nodes]
        raise AssertionError(f"blocks not in sync after {timeout}s: heights {heights}, tips {last.get('tips')}")


def sync_mempools(nodes, timeout=60):
    """Wait until every node's mempool holds the same transactions."""
    last = {}

    def same():
        last["pools"] = [frozenset(n.getrawmempool()) for n in nodes]
        return len(set(last["pools"])) == 1

    try:
        wait_until(same, timeout, "mempool sync", interval=0.05)
    except AssertionError:
        raise AssertionError(f"mempools not in sync after {timeout}s: {[sorted(p) for p in last.get('pools', [])]}")


# ---- The wire protocol (src/node/netmsg.h), for a raw test peer ---------------------------------

REGTEST_MAGIC = bytes.fromhex("e7726752")
PROTOCOL_VERSION = 70001
NODE_NETWORK = 1
INV_TX, INV_BLOCK = 1, 2
HEADER_SIZE = 260
# Offsets of the header fields (chain/block.h, erg_header_serialize).
HDR_PREV, HDR_TIME, HDR_BITS, HDR_TXROOT, HDR_STATEROOT, HDR_PAYOUT, HDR_JOBID, HDR_NONCE, HDR_OUTHASH, HDR_CU = (
    8, 40, 48, 52, 84, 148, 180, 212, 220, 252)


def dsha256(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def frame(command, payload=b"", magic=REGTEST_MAGIC, length=None, checksum=None):
    """A whole message: the 24-byte frame header then the payload. length/checksum override the true ones."""
    cmd = command.encode() if isinstance(command, str) else command
    assert len(cmd) <= 12
    hdr = magic + cmd.ljust(12, b"\0") + struct.pack("<I", len(payload) if length is None else length)
    return hdr + (dsha256(payload)[:4] if checksum is None else checksum) + payload


def ser_compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def read_compact(b, pos):
    tag = b[pos]
    if tag < 0xfd:
        return tag, pos + 1
    size = {0xfd: 2, 0xfe: 4, 0xff: 8}[tag]
    return int.from_bytes(b[pos + 1:pos + 1 + size], "little"), pos + 1 + size


def ip16(ip):
    """IPv4 "a.b.c.d" as mapped IPv6 (::ffff:a.b.c.d), or an IPv6 literal."""
    if ":" in ip:
        return socket.inet_pton(socket.AF_INET6, ip)
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(ip)


def ip_str(b16):
    if b16[:12] == b"\0" * 10 + b"\xff\xff":
        return socket.inet_ntoa(b16[12:])
    return socket.inet_ntop(socket.AF_INET6, b16)


def msg_version(genesis, best_height=0, version=PROTOCOL_VERSION, nonce=None, services=NODE_NETWORK,
                user_agent=b"/ergon-test:0.1/", relay=1, timestamp=None, port=0):
    """port: where the sender listens (0: it does not)."""
    if isinstance(genesis, str):
        genesis = bytes.fromhex(genesis)
    assert len(genesis) == 32
    nonce = random.getrandbits(64) if nonce is None else nonce
    timestamp = int(time.time()) if timestamp is None else timestamp
    return (struct.pack("<IQQQ", version, services, timestamp, nonce) + genesis
            + struct.pack("<IHB", best_height, port, relay) + ser_compact(len(user_agent)) + user_agent)


def parse_version(p):
    version, services, timestamp, nonce = struct.unpack_from("<IQQQ", p, 0)
    genesis = p[28:60]
    best_height, port, relay = struct.unpack_from("<IHB", p, 60)
    n, pos = read_compact(p, 67)
    return {"version": version, "services": services, "time": timestamp, "nonce": nonce, "genesis": genesis.hex(),
            "best_height": best_height, "port": port, "relay": relay,
            "user_agent": p[pos:pos + n].decode(errors="replace")}


def msg_addr(entries):
    """entries: (ip, port, time, services) tuples."""
    out = ser_compact(len(entries))
    for ip, port, t, services in entries:
        out += struct.pack("<QQ", t, services) + ip16(ip) + struct.pack("<H", port)
    return out


def parse_addr(p):
    n, pos = read_compact(p, 0)
    out = []
    for _ in range(n):
        t, services = struct.unpack_from("<QQ", p, pos)
        ip = ip_str(p[pos + 16:pos + 32])
        (port,) = struct.unpack_from("<H", p, pos + 32)
        out.append({"time": t, "services": services, "ip": ip, "port": port})
        pos += 34
    return out


def msg_inv(items):
    """items: (type, hash hex or bytes) pairs; also the payload of getdata and notfound."""
    out = ser_compact(len(items))
    for t, h in items:
        out += struct.pack("<I", t) + (bytes.fromhex(h) if isinstance(h, str) else h)
    return out


def parse_inv(p):
    n, pos = read_compact(p, 0)
    return [(struct.unpack_from("<I", p, pos + 36 * i)[0], p[pos + 36 * i + 4:pos + 36 * i + 36].hex())
            for i in range(n)]


def msg_getheaders(locator, stop=b"\0" * 32):
    return ser_compact(len(locator)) + b"".join(bytes.fromhex(h) if isinstance(h, str) else h
                                                for h in locator) + stop


def parse_headers(p):
    n, pos = read_compact(p, 0)
    return [p[pos + HEADER_SIZE * i:pos + HEADER_SIZE * (i + 1)] for i in range(n)]


class PeerClosed(Exception):
    pass


class RawPeer:
    """A test peer on a raw TCP socket speaking src/node/netmsg.h to one node.

    recv_msg answers the node's pings by itself (keep_alive) and returns (command, payload)."""

    def __init__(self, node=None, port=None, magic=REGTEST_MAGIC, timeout=10, sock=None):
        self.node = node
        self.magic = magic
        self.buf = b""
        self.closed = False
        self.received = []  # every (command, payload) read, for diagnostics
        if sock is None:
            self.port = port if port is not None else node.p2p_port
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        self.sock = sock

    @property
    def local_addr(self):
        host, port = self.sock.getsockname()[:2]
        return f"{host}:{port}"

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_msg(self, command, payload=b""):
        self.send_raw(frame(command, payload, self.magic))

    def _fill(self, need, deadline):
        while len(self.buf) < need:
            left = deadline - time.time()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.closed = True
                raise PeerClosed(f"node closed the connection ({len(self.buf)} bytes unread)")
            self.buf += chunk
        return True

    def recv_msg(self, timeout=10, keep_alive=True):
        """The next message as (command, payload), None on timeout; PeerClosed when the node hangs up."""
        deadline = time.time() + timeout
        while True:
            if not self._fill(24, deadline):
                return None
            magic, cmd, length = self.buf[:4], self.buf[4:16], struct.unpack_from("<I", self.buf, 16)[0]
            if magic != self.magic:
                raise AssertionError(f"node sent bad magic {magic.hex()}")
            if not self._fill(24 + length, deadline):
                return None
            checksum, payload = self.buf[20:24], self.buf[24:24 + length]
            self.buf = self.buf[24 + length:]
            if dsha256(payload)[:4] != checksum:
                raise AssertionError(f"node sent a bad checksum on {cmd!r}")
            command = cmd.rstrip(b"\0").decode()
            self.received.append((command, payload))
            if keep_alive and command == "ping":
                try:
                    self.send_msg("pong", payload)
                except OSError:
                    pass  # the node may already have hung up; the next read reports it
            return command, payload

    def wait_for(self, command, timeout=10, pred=None):
        """Read until a message named command (and satisfying pred(payload)) arrives; return its payload."""
        deadline = time.time() + timeout
        while True:
            m = self.recv_msg(max(0.0, deadline - time.time()))
            if m is None:
                seen = [c for c, _ in self.received[-20:]]
                raise AssertionError(f"no '{command}' within {timeout}s (last received: {seen})")
            if m[0] == command and (pred is None or pred(m[1])):
                return m[1]

    def handshake(self, genesis, best_height=0, timeout=10, **kw):
        """Send version, expect version and verack from the node, send verack; return the node's version."""
        self.send_msg("version", msg_version(genesis, best_height, **kw))
        theirs = None
        got_verack = False
        deadline = time.time() + timeout
        while theirs is None or not got_verack:
            m = self.recv_msg(max(0.0, deadline - time.time()))
            if m is None:
                raise AssertionError(f"handshake timed out (version {theirs is not None}, verack {got_verack})")
            if m[0] == "version":
                theirs = parse_version(m[1])
            elif m[0] == "verack":
                got_verack = True
        self.send_msg("verack")
        return theirs

    def accept_handshake(self, genesis, best_height=0, timeout=10, **kw):
        """The accepting side: expect version, answer version then verack, expect verack; return theirs."""
        theirs = parse_version(self.wait_for("version", timeout))
        self.send_msg("version", msg_version(genesis, best_height, **kw))
        self.send_msg("verack")
        self.wait_for("verack", timeout)
        return theirs

    def ping(self, timeout=10):
        """Round trip: True when the node answers a ping with the matching pong."""
        nonce = random.getrandbits(64)
        self.send_msg("ping", struct.pack("<Q", nonce))
        self.wait_for("pong", timeout, pred=lambda p: p == struct.pack("<Q", nonce))
        return True

    def wait_disconnected(self, timeout=10):
        """True when the node closes the connection within timeout (messages before that are read and dropped)."""
        if self.closed:
            return True
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                self.recv_msg(max(0.0, deadline - time.time()))
        except PeerClosed:
            return True
        except OSError:
            self.closed = True
            return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True


class RawListener:
    """A listening socket on loopback that nodes can be told to connect to (addnode); accept() gives a RawPeer."""

    def __init__(self, magic=REGTEST_MAGIC):
        self.magic = magic
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.addr = f"127.0.0.1:{self.port}"

    def accept(self, timeout=30):
        self.sock.settimeout(timeout)
        conn, _ = self.sock.accept()
        return RawPeer(sock=conn, magic=self.magic)

    def close(self):
        self.sock.close()


class Test:
    """Subclass, set num_nodes, write run(); main() runs it with temp data dirs and cleanup."""
    num_nodes = 1
    extra_args = None

    def add_node(self, extra_args=None, start=True):
        """A further node (fresh data directory), stopped with the others at the end."""
        n = Node(len(self.nodes), self.tmp, extra_args)
        self.nodes.append(n)
        if start:
            n.start()
        return n

    def main(self):
        self.tmp = tempfile.mkdtemp(prefix="ergon_func_")
        self.nodes = [Node(i, self.tmp, (self.extra_args or [[]] * self.num_nodes)[i]) for i in range(self.num_nodes)]
        ok = False
        try:
            for n in self.nodes:
                n.start()
            self.run()
            ok = True
        except Exception as e:  # report and fail, never hide
            import traceback
            traceback.print_exc()
            for n in self.nodes:
                print(f"--- node{n.index} debug.log tail:\n{n.tail_log()}", file=sys.stderr)
        finally:
            for n in self.nodes:
                try:
                    if n.process and n.process.poll() is None:
                        n.stop()
                except Exception as e:
                    print(f"stopping node{n.index}: {e}", file=sys.stderr)
                    ok = False
            if ok:
                shutil.rmtree(self.tmp, ignore_errors=True)
            else:
                print(f"data kept in {self.tmp}", file=sys.stderr)
        sys.exit(0 if ok else 1)
