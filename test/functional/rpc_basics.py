#!/usr/bin/env python3
"""RPC interface: auth, errors with Bitcoin Core codes, help, uptime, verbosity levels, stop."""
import json

from framework import Test, assert_equal, assert_raises_rpc, keygen


class RPCBasics(Test):
    num_nodes = 1

    def run(self):
        n = self.nodes[0]
        k = keygen()
        status, _ = n.raw_http(json.dumps({"method": "getblockcount"}), headers={})
        assert_equal(status, 401)
        status, _ = n.raw_http(json.dumps({"method": "getblockcount"}),
                               headers={"Authorization": "Basic X19jb29raWVfXzp3cm9uZw=="})
        assert_equal(status, 401)
        status, body = n.raw_http("{not json")
        assert_equal(json.loads(body)["error"]["code"], -32700)
        assert_raises_rpc(-32601, "Method not found", n.rpc, "nosuchmethod")
        assert_raises_rpc(-8, "Block height out of range", n.getblockhash, 5)
        assert_raises_rpc(None, None, n.getblockhash, "x")
        assert_raises_rpc(-8, "length 64", n.getblock, "abcd")
        assert_raises_rpc(-5, "Block not found", n.getblock, "00" * 32)
        assert_raises_rpc(-5, "Invalid address", n.getaccount, "rerg1qqqqqq")
        assert_raises_rpc(-5, "Invalid address", n.generatetoaddress, 1, k["address"].replace("rerg", "terg"))
        assert "getblock" in n.help()
        assert n.uptime() >= 0
        h = n.generatetoaddress(1, k["address"])[0]
        raw = n.getblock(h, 0)
        assert isinstance(raw, str) and len(raw) >= 2 * 261
        v1 = n.getblock(h, 1)
        v2 = n.getblock(h, 2)
        assert_equal(v1["tx"], [])
        assert_equal(v2["hash"], h)
        assert_equal(n.getblockheader(h, False), raw[:520])
        genesis = n.getblock(n.getblockhash(0))
        assert_equal(genesis["nextblockhash"], h)
        mi = n.getmininginfo()
        assert_equal(mi["blocks"], 1)
        assert mi["next_kernel"] in ("ising2d", "hpfold", "mcoption", "ljmd", "swe")
        # A batch request.
        status, body = n.raw_http(json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "getblockcount"},
                                              {"jsonrpc": "2.0", "id": 2, "method": "getbestblockhash"}]))
        replies = json.loads(body)
        assert_equal([r["result"] for r in replies], [1, h])
        n.stop()


if __name__ == "__main__":
    RPCBasics().main()
