#!/usr/bin/env python3
"""Fails when a library references a layer above it (doc/design/layers.md).

Two checks, both needed: #include lines in the sources (catches a header dependency even
when no symbol is used yet) and undefined symbols in each built convenience library,
resolved against the symbols every other library defines (catches what the linker sees).
"""
import os
import re
import subprocess
import sys

# directory -> (library file, layers it may use). Order is bottom-up.
LAYERS = {
    "src/util": ("libergon_util.a", set()),
    "src/crypto": ("libergon_crypto.a", {"src/util"}),
    "kernels": ("libergon_kernels.a", {"src/util", "src/crypto"}),
    "chain": ("libergon_chain.a", {"src/util", "src/crypto", "kernels"}),
    "wallet": ("libergon_wallet.a", {"src/util", "src/crypto", "chain"}),
    "src/node": ("libergon_node.a", {"src/util", "src/crypto", "kernels", "chain"}),
}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of_path(path):
    best = None
    for d in LAYERS:
        if path == d or path.startswith(d + "/"):
            if best is None or len(d) > len(best):
                best = d
    return best


def include_violations(srcdir):
    bad = []
    for d in LAYERS:
        root = os.path.join(srcdir, d)
        if not os.path.isdir(root):
            continue
        for dirpath, _, files in os.walk(root):
            for f in files:
                if not f.endswith((".c", ".h", ".cl")):
                    continue
                full = os.path.join(dirpath, f)
                rel = os.path.relpath(full, srcdir)
                if layer_of_path(rel) != d:
                    continue  # belongs to a nested layer, checked there
                with open(full, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for inc in INCLUDE_RE.findall(text):
                    target = layer_of_path(inc)
                    if target is None or target == d:
                        continue
                    if target not in LAYERS[d][1]:
                        bad.append(f"{rel}: includes {inc} ({d} may not use {target})")
    return bad


def nm_symbols(lib):
    out = subprocess.run(["nm", "-A", lib], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 and not (len(parts) == 3 or (len(parts) == 2 and parts[0].endswith(":"))):
            continue
        kind, name = parts[-2], parts[-1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, undefined


def symbol_violations(libs):
    """libs: dict layer -> (defined, undefined)."""
    owner = {}
    for layer, (defined, _) in libs.items():
        for s in defined:
            owner.setdefault(s, layer)
    bad = []
    for layer, (_, undefined) in libs.items():
        for s in sorted(undefined):
            o = owner.get(s)
            if o is None or o == layer:
                continue
            if o not in LAYERS[layer][1]:
                bad.append(f"{LAYERS[layer][0]}: uses {s} from {LAYERS[o][0]} ({layer} may not use {o})")
    return bad


def self_test():
    """The checker itself must catch a violation, or it is a test that cannot fail."""
    fake = {
        "src/util": ({"erg_buf_init"}, {"erg_chain_tip"}),
        "chain": ({"erg_chain_tip"}, {"erg_buf_init"}),
    }
    bad = symbol_violations(fake)
    return len(bad) == 1 and "libergon_util.a: uses erg_chain_tip" in bad[0]


def main():
    srcdir = os.environ.get("ERG_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    builddir = os.environ.get("ERG_BUILDDIR", srcdir)
    passed = failed = 0
    if self_test():
        passed += 1
        print("ok   layers.self_test")
    else:
        failed += 1
        print("FAIL layers.self_test: the symbol check misses a planted violation")
    bad = include_violations(srcdir)
    for b in bad:
        print("    " + b)
    print(("FAIL" if bad else "ok  ") + " layers.includes")
    passed, failed = passed + (not bad), failed + bool(bad)
    libs = {}
    for layer, (lib, _) in LAYERS.items():
        path = os.path.join(builddir, lib)
        if os.path.exists(path):
            libs[layer] = nm_symbols(path)
    bad = symbol_violations(libs)
    for b in bad:
        print("    " + b)
    print(("FAIL" if bad else "ok  ") + f" layers.symbols ({len(libs)} libraries)")
    passed, failed = passed + (not bad), failed + bool(bad)
    print(f"layers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
