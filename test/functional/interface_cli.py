#!/usr/bin/env python3
"""ergon-cli against a real RPC server (test/unit/rpc_testserver): output format, errors, exit codes.

bitcoin-cli is the reference: results printed bare (strings unquoted, JSON pretty-printed with
two spaces), RPC errors on stderr as "error code: N\\nerror message:\\n...", transport errors as
"error: ...", and a clear message when no node listens.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BUILD = os.environ.get("ERG_BUILDDIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
CLI = os.path.join(BUILD, "ergon-cli")
SERVER = os.path.join(BUILD, "test", "unit", "rpc_testserver")

results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print(f"ok   cli.{name}")
    else:
        results["failed"] += 1
        print(f"FAIL cli.{name} {detail}")
    sys.stdout.flush()


class Server:
    """rpc_testserver on an ephemeral port, cookie in <datadir>/regtest."""

    def __init__(self, base, *extra, port=0):
        self.datadir = os.path.join(base, "regtest")
        os.makedirs(self.datadir, exist_ok=True)
        self.proc = subprocess.Popen([SERVER, f"-datadir={self.datadir}", f"-port={port}", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError("rpc_testserver did not start: " + line + self.proc.stderr.read())
        self.port = int(line.split()[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=10)


def cli(base, port, *args, stdin=None, timeout=30):
    cmd = [CLI, "-regtest", f"-datadir={base}", f"-rpcport={port}", *args]
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_output_format(base, srv):
    rc, out, err = cli(base, srv.port, "echo", "hello world")
    check("string_unquoted", rc == 0 and out == "hello world\n" and err == "", repr((rc, out, err)))
    rc, out, _ = cli(base, srv.port, "echo", '{"a":[1,{"b":null}],"c":"x"}')
    want = '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": "x"\n}\n'
    check("object_pretty_printed", rc == 0 and out == want, repr(out))
    rc, out, _ = cli(base, srv.port, "echo", "42")
    check("number_bare", rc == 0 and out == "42\n", repr(out))
    rc, out, _ = cli(base, srv.port, "echo", "null")
    check("null_prints_nothing", rc == 0 and out == "", repr(out))
    rc, out, _ = cli(base, srv.port, "echoargs", "1", '"1"', "abc")
    check("args_json_else_string", rc == 0 and json.loads(out) == [1, "1", "abc"], repr(out))
    rc, out, _ = cli(base, srv.port, "-named", "echoargs", "c=[1,2]", "a=x")
    check("named_args", rc == 0 and json.loads(out) == ["x", None, [1, 2]], repr(out))
    rc, out, err = cli(base, srv.port, "-named", "echoargs", "nokey")
    check("named_needs_equals", rc == 1 and "name=value" in err, repr((rc, err)))
    rc, out, _ = cli(base, srv.port, "-stdin", "echoargs", "first", stdin="second\nthird\n")
    check("stdin_args", rc == 0 and json.loads(out) == ["first", "second", "third"], repr(out))
    rc, out, _ = cli(base, srv.port, "help")
    check("help_lists_methods", rc == 0 and out.startswith("== Control ==\n") and "\nstop\n" in out
          and "echoargs ( a b c )" in out, repr(out))


def test_errors(base, srv):
    rc, out, err = cli(base, srv.port, "fail", "-8", "bad thing")
    check("rpc_error_format", rc == 8 and out == "" and err == "error code: -8\nerror message:\nbad thing\n",
          repr((rc, out, err)))
    rc, out, err = cli(base, srv.port, "fail", "-1")
    check("rpc_error_exit_1", rc == 1 and err.startswith("error code: -1\n"), repr((rc, err)))
    rc, out, err = cli(base, srv.port, "nosuch")
    check("method_not_found", rc == 1 and err == "error code: -32601\nerror message:\nMethod not found\n",
          repr((rc, err)))
    rc, out, err = cli(base, srv.port, "fail", "x")
    check("type_error", rc == 3 and err.startswith("error code: -3\nerror message:\nWrong type passed:"),
          repr((rc, err)))
    rc, out, err = cli(base, srv.port)
    check("no_command", rc == 1 and "too few parameters" in err, repr((rc, err)))
    rc, out, err = cli(base, srv.port, "-bogus", "uptime")
    check("bad_option", rc == 1 and "Invalid parameter -bogus" in err, repr((rc, err)))


def test_auth(base, srv):
    rc, out, err = cli(base, srv.port, "-rpcuser=u", "-rpcpassword=wrong", "uptime")
    check("wrong_password", rc == 1 and err == "error: Authorization failed: Incorrect rpcuser or rpcpassword\n",
          repr((rc, err)))
    empty = tempfile.mkdtemp(prefix="ergon_cli_nocookie_")
    rc, out, err = cli(empty, srv.port, "uptime")
    check("no_cookie", rc == 1 and "Could not locate RPC credentials" in err, repr((rc, err)))
    os.rmdir(empty)
    # An independent client (urllib) sees a JSON-RPC 2.0 reply with the cookie's credentials.
    with open(os.path.join(srv.datadir, ".cookie")) as f:
        cookie = f.read()
    req = urllib.request.Request(f"http://127.0.0.1:{srv.port}/",
                                 data=b'{"jsonrpc":"2.0","method":"echo","params":["v"],"id":5}',
                                 headers={"Authorization": "Basic " + base64.b64encode(cookie.encode()).decode()})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.loads(r.read())
        check("urllib_jsonrpc2", r.status == 200 and body == {"jsonrpc": "2.0", "result": "v", "id": 5}, repr(body))
    try:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{srv.port}/", data=b"{}"), timeout=10)
        check("urllib_401", False, "no error")
    except urllib.error.HTTPError as e:
        check("urllib_401", e.code == 401 and e.headers.get("WWW-Authenticate") == 'Basic realm="jsonrpc"')


def test_user_password(base):
    srv = Server(base, "-rpcuser=alice", "-rpcpassword=pw")
    rc, out, _ = cli(base, srv.port, "-rpcuser=alice", "-rpcpassword=pw", "echo", "ok")
    check("rpcuser_rpcpassword", rc == 0 and out == "ok\n", repr((rc, out)))
    srv.stop()


def test_unreachable(base):
    port = free_port()
    rc, out, err = cli(base, port, "uptime")
    check("unreachable_message",
          rc == 1 and err.startswith(f"error: Could not connect to the server 127.0.0.1:{port}")
          and "Make sure the ergond server is running" in err, repr((rc, err)))
    t0 = time.monotonic()
    rc, out, err = cli(base, port, "-rpcwait", "-rpcwaittimeout=1", "uptime")
    check("rpcwait_timeout", rc == 1 and "timeout on transient error" in err and time.monotonic() - t0 < 10,
          repr((rc, err)))


def test_rpcwait(base):
    port = free_port()
    p = subprocess.Popen([CLI, "-regtest", f"-datadir={base}", f"-rpcport={port}", "-rpcwait", "-rpcwaittimeout=20",
                          "echo", "waited"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.2)
    srv = Server(base, port=port)
    out, err = p.communicate(timeout=30)
    check("rpcwait_until_up", p.returncode == 0 and out == "waited\n", repr((p.returncode, out, err)))
    srv.stop()


def test_warmup(base):
    srv = Server(base, "-warmup=Loading block index...")
    rc, out, err = cli(base, srv.port, "echo", "x")
    check("warmup_error", rc == 28 and err == "error code: -28\nerror message:\nLoading block index...\n",
          repr((rc, err)))
    rc, out, _ = cli(base, srv.port, "uptime")
    check("uptime_in_warmup", rc == 0 and out.strip().isdigit(), repr(out))
    srv.stop()


def test_stop(base):
    srv = Server(base)
    cookie = os.path.join(srv.datadir, ".cookie")
    st = os.stat(cookie)
    check("cookie_0600", (st.st_mode & 0o777) == 0o600, oct(st.st_mode))
    rc, out, _ = cli(base, srv.port, "stop")
    check("stop_reply", rc == 0 and out == "Ergon server stopping\n", repr((rc, out)))
    code = srv.proc.wait(timeout=10)
    check("server_exits_and_removes_cookie", code == 0 and not os.path.exists(cookie), repr(code))


def main():
    for exe in (CLI, SERVER):
        if not os.path.exists(exe):
            print(f"FAIL cli.setup: {exe} not built")
            return 1
    base = tempfile.mkdtemp(prefix="ergon_cli_")
    srv = Server(base)
    try:
        test_output_format(base, srv)
        test_errors(base, srv)
        test_auth(base, srv)
    finally:
        srv.stop()
    test_user_password(base)
    test_unreachable(base)
    test_rpcwait(base)
    test_warmup(base)
    test_stop(base)
    for root, dirs, files in os.walk(base, topdown=False):
        for f in files:
            os.unlink(os.path.join(root, f))
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(base)
    print(f"cli: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
