"""Functional test framework: start real ergond processes on loopback and drive them over JSON-RPC.

Python 3 standard library only, in the manner of Bitcoin Core's test_framework.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
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


class Node:
    """One ergond process with its own data directory and RPC port."""

    def __init__(self, index, basedir, extra_args=None):
        self.index = index
        self.datadir = os.path.join(basedir, f"node{index}")
        os.makedirs(self.datadir, exist_ok=True)
        self.rpc_port = free_port()
        self.extra_args = list(extra_args or [])
        self.process = None
        self.log = open(os.path.join(self.datadir, "stdout.log"), "ab")

    @property
    def netdir(self):
        return os.path.join(self.datadir, "regtest")

    def start(self, extra_args=None, wait=True):
        args = [os.path.join(BUILDDIR, "ergond"), "-regtest", f"-datadir={self.datadir}",
                f"-rpcport={self.rpc_port}", "-printtoconsole=0"] + self.extra_args + list(extra_args or [])
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


def wait_until(pred, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Test:
    """Subclass, set num_nodes, write run(); main() runs it with temp data dirs and cleanup."""
    num_nodes = 1
    extra_args = None

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
