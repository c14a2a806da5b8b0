#!/usr/bin/env python3
"""ergon-wallet against a real ergond: mine to a wallet, send to a second wallet, both balances and
histories, restore from the phrase, reorganisation, unlock/lock, backups, and every refusal
(wrong passphrase, flipped byte, truncation, unreachable node, invalid address, insufficient
funds) leaving the wallet file byte for byte as it was.
"""
import hashlib
import json
import os
import stat
import subprocess

from framework import BUILDDIR, Test, assert_equal, free_port, keygen

WALLET = os.path.join(BUILDDIR, "ergon-wallet")
COIN = 100_000_000


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class WalletBasic(Test):
    num_nodes = 1

    def wallet(self, name, *args, ok=True, stdin=None, port=None):
        """Run ergon-wallet on wallet file `name` with its passphrase file; returns (rc, stdout, stderr)."""
        node = self.nodes[0]
        cmd = [WALLET, "-regtest", f"-datadir={node.datadir}", f"-rpcport={port or node.rpc_port}",
               f"-wallet={os.path.join(self.tmp, name)}"] + list(args)
        env = dict(os.environ, ERGON_WALLET_TEST_WEAK_KDF="1")  # test-only cheap scrypt
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=120)
        if ok and r.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr}")
        if ok is False and r.returncode == 0:
            raise AssertionError(f"{' '.join(args)} succeeded, expected a failure: {r.stdout}")
        return r.returncode, r.stdout, r.stderr

    def pw(self, name):
        return f"--passphrase-file={os.path.join(self.tmp, name)}"

    def js(self, name, *args):
        return json.loads(self.wallet(name, *args, self.pw(name + ".pw"), "--json")[1])

    def refuses(self, name, args, needle, passfile=None, port=None, stdin=None):
        """The command fails with `needle` in its message and leaves the wallet file unchanged."""
        path = os.path.join(self.tmp, name)
        before = digest(path) if os.path.exists(path) else None
        rc, out, err = self.wallet(name, *args, self.pw(passfile or name + ".pw"), ok=False, port=port, stdin=stdin)
        assert needle in err, f"expected '{needle}' in: {err}"
        assert_equal(digest(path) if os.path.exists(path) else None, before, f"{name} changed by {args}")
        return err

    def write_pass(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "w") as f:
            f.write(text + "\n")
        os.chmod(p, 0o600)

    def run(self):
        node = self.nodes[0]
        self.write_pass("a.pw", "alice passphrase")
        self.write_pass("b.pw", "bob passphrase")
        self.write_pass("bad.pw", "not the passphrase")
        a_path, b_path = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")

        # Create: a 17-word phrase, a private file, no backup yet.
        a = self.js("a", "create")
        assert_equal(len(a["phrase"].split()), 17)
        assert_equal(stat.S_IMODE(os.stat(a_path).st_mode), 0o600)
        assert not os.path.exists(a_path + ".bak")
        with open(a_path, "rb") as f:
            raw = f.read()
        assert a["phrase"].split()[0].encode() not in raw, "phrase words in the file"
        self.refuses("a", ["create"], "already exists")

        # Mine three blocks to wallet A.
        node.generatetoaddress(3, a["address"])
        bal = self.js("a", "balance")
        assert_equal(bal["confirmed"], "150.00000000")

        # Wallet B: 9 words, a labelled second address.
        b = self.js("b", "create", "--words=9")
        assert_equal(len(b["phrase"].split()), 9)
        assert_equal(b["birth_height"], 3)
        b2 = self.js("b", "newaddress", "--label=rent")
        assert_equal(b2["index"], 1)
        assert os.path.exists(b_path + ".bak"), "previous version not kept"
        addrs = self.js("b", "listaddresses")
        assert_equal([x["address"] for x in addrs], [b["address"], b2["address"]])
        assert_equal(addrs[1]["label"], "rent")
        _, plain, _ = self.wallet("b", "listaddresses", self.pw("b.pw"))
        for word in b["phrase"].split():
            assert word not in plain, "a read command printed the phrase"

        # Refusals before anything is signed or written.
        self.refuses("a", ["send", b2["address"], "1000"], "insufficient funds: need 1000.00010000")
        self.refuses("a", ["send", "rerg1qqqqqqqq", "1"], "invalid address")
        self.refuses("a", ["send", b2["address"], "1.000000001"], "invalid amount")
        self.refuses("a", ["send", b2["address"], "1", "--from=" + b["address"]], "not in this wallet")

        # Send 12.5 from A to B's second address.
        sent = self.js("a", "send", b2["address"], "12.5")
        assert_equal(sent["amount"], "12.50000000")
        assert_equal(sent["fee"], "0.00010000")
        assert sent["txid"] in node.getrawmempool()
        hist_b = self.js("b", "history")
        assert_equal([(h["category"], h["status"], h["net"]) for h in hist_b], [("receive", "pending", "+12.50000000")])
        bal_b = self.js("b", "balance")
        assert_equal((bal_b["confirmed"], bal_b["pending_in"]), ("0.00000000", "12.50000000"))
        bal_a = self.js("a", "balance")
        assert_equal((bal_a["confirmed"], bal_a["pending_out"], bal_a["spendable"]),
                     ("150.00000000", "12.50010000", "137.49990000"))
        # The pending send is counted: a second send cannot spend it again.
        self.refuses("a", ["send", b2["address"], "137.5"], "insufficient funds")

        # Confirm it in a block mined to an outside address.
        outsider = keygen()["address"]
        block4 = node.generatetoaddress(1, outsider)[0]
        hist_a = self.js("a", "history")
        assert_equal([(h["category"], h["height"], h["net"]) for h in hist_a],
                     [("mined", 1, "+50.00000000"), ("mined", 2, "+50.00000000"), ("mined", 3, "+50.00000000"),
                      ("send", 4, "-12.50010000")])
        assert_equal(hist_a[3]["txid"], sent["txid"])
        assert_equal(hist_a[3]["blockhash"], block4)
        hist_b = self.js("b", "history")
        assert_equal([(h["category"], h["status"], h["height"], h["net"], h["txid"]) for h in hist_b],
                     [("receive", "confirmed", 4, "+12.50000000", sent["txid"])])
        assert_equal(self.js("a", "balance")["confirmed"], "137.49990000")
        assert_equal(self.js("b", "balance")["confirmed"], "12.50000000")
        acct = node.getaccount(a["address"])
        assert_equal(acct["balance_base"], 150 * COIN - 1250010000)

        # A reorganisation that drops block 4 sends B's receipt back to pending, and back again.
        node.invalidateblock(block4)
        hist_b = self.js("b", "history")
        assert_equal([(h["category"], h["status"]) for h in hist_b], [("receive", "pending")])
        node.reconsiderblock(block4)
        hist_b = self.js("b", "history")
        assert_equal([(h["status"], h["height"]) for h in hist_b], [("confirmed", 4)])

        # Restore B from its phrase (standard input): same addresses, found by the gap scan, same history.
        self.write_pass("r.pw", "restored passphrase")
        self.wallet("r", "restore", self.pw("r.pw"), stdin=b["phrase"] + "\n")
        assert_equal([x["address"] for x in self.js("r", "listaddresses")], [b["address"], b2["address"]])
        assert_equal([(h["category"], h["height"], h["txid"]) for h in self.js("r", "history")],
                     [("receive", 4, sent["txid"])])
        # A mistyped phrase names the word and writes nothing.
        words = b["phrase"].split()
        typo = " ".join(words[:2] + [words[2][:3] + "e" + words[2][4:]] + words[3:])
        self.refuses("t", ["restore"], "word 3", passfile="r.pw", stdin=typo)
        swapped = " ".join([words[1], words[0]] + words[2:])
        self.refuses("t", ["restore"], "checksum word 9", passfile="r.pw", stdin=swapped)
        assert not os.path.exists(os.path.join(self.tmp, "t"))

        # Wrong passphrase, damaged and truncated files, an unreachable node: clear, and nothing changes.
        self.refuses("a", ["balance"], "wrong passphrase", passfile="bad.pw")
        self.refuses("a", ["newaddress"], "wrong passphrase", passfile="bad.pw")
        with open(a_path, "rb") as f:
            good = f.read()
        for name, data, needle in [("flip_body", good[:150] + bytes([good[150] ^ 1]) + good[151:], "contents damaged"),
                                   ("flip_head", good[:20] + bytes([good[20] ^ 0x80]) + good[21:], "header damaged"),
                                   ("flip_tag", good[:-1] + bytes([good[-1] ^ 1]), "contents damaged"),
                                   ("cut", good[:len(good) - 1], "truncated"),
                                   ("cut_head", good[:40], "truncated")]:
            with open(os.path.join(self.tmp, name), "wb") as f:
                f.write(data)
            self.refuses(name, ["history"], needle, passfile="a.pw")
            self.refuses(name, ["send", b2["address"], "1"], needle, passfile="a.pw")
        self.refuses("a", ["balance"], "cannot reach the node", port=free_port())
        self.refuses("a", ["send", b2["address"], "1"], "cannot reach the node", port=free_port())
        r = subprocess.run([WALLET, f"-datadir={node.datadir}", f"-wallet={a_path}", "balance", self.pw("a.pw")],
                           capture_output=True, text=True)
        assert r.returncode == 1 and "is a regtest wallet; run with -regtest" in r.stderr, r.stderr

        # The previous version is kept: .bak holds what the file was before the last write.
        before = digest(a_path)
        self.js("a", "newaddress")
        assert_equal(digest(a_path + ".bak"), before)

        # Unlock lets commands run without the passphrase until lock.
        nopass = [WALLET, "-regtest", f"-datadir={node.datadir}", f"-rpcport={node.rpc_port}", f"-wallet={a_path}"]
        r = subprocess.run(nopass + ["balance"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode != 0 and "passphrase is needed" in r.stderr, r.stderr
        self.wallet("a", "unlock", "--timeout=120", self.pw("a.pw"))
        assert_equal(stat.S_IMODE(os.stat(a_path + ".session").st_mode), 0o600)
        r = subprocess.run(nopass + ["balance", "--json"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        assert_equal(json.loads(r.stdout)["confirmed"], "137.49990000")
        self.wallet("a", "lock")
        assert not os.path.exists(a_path + ".session")
        r = subprocess.run(nopass + ["balance"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode != 0 and "passphrase is needed" in r.stderr, r.stderr

        # Backups: export, import elsewhere, the phrase only when asked for.
        backup = os.path.join(self.tmp, "a.backup")
        self.wallet("a", "export", backup, self.pw("a.pw"))
        self.write_pass("c.pw", "alice passphrase")
        self.wallet("c", "import", backup, self.pw("c.pw"))
        assert_equal(self.js("c", "listaddresses"), self.js("a", "listaddresses"))
        self.refuses("c", ["import", backup], "already exists")
        assert_equal(self.js("a", "export", "--phrase")["phrase"], a["phrase"])

        # Passphrase change: the old one stops working, the new one opens the same wallet.
        self.write_pass("b.new", "bob's new passphrase")
        self.wallet("b", "passphrase", self.pw("b.pw"), "--new-passphrase-file=" + os.path.join(self.tmp, "b.new"))
        self.refuses("b", ["balance"], "wrong passphrase", passfile="b.pw")
        self.write_pass("b.pw", "bob's new passphrase")
        assert_equal(self.js("b", "balance")["confirmed"], "12.50000000")

        # B pays back from the address that holds the funds (its second), with an explicit fee.
        back = self.js("b", "send", a["address"], "2.25", "--fee=0.001")
        assert_equal(back["from"], b2["address"])
        node.generatetoaddress(1, outsider)
        assert_equal(self.js("b", "balance")["confirmed"], "10.24900000")
        assert_equal([h["net"] for h in self.js("b", "history")], ["+12.50000000", "-2.25100000"])
        assert_equal(self.js("a", "history")[-1]["net"], "+2.25000000")


if __name__ == "__main__":
    WalletBasic().main()
