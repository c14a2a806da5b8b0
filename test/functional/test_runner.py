#!/usr/bin/env python3
"""Run every functional test (feature_*.py, rpc_*.py, p2p_*.py, ...) and print "functional: N passed, M failed"."""
import argparse
import glob
import os
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
    ap.add_argument("tests", nargs="*")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    tests = args.tests or sorted(
        os.path.basename(p) for pat in ("feature_*.py", "rpc_*.py", "mempool_*.py", "wallet_*.py", "p2p_*.py")
        for p in glob.glob(os.path.join(here, pat)))
    env = dict(os.environ, ERG_BUILDDIR=os.path.abspath(args.builddir), PYTHONPATH=here)
    passed = failed = 0
    for t in tests:
        start = time.time()
        r = subprocess.run([sys.executable, os.path.join(here, t)], env=env, capture_output=True, text=True)
        dt = time.time() - start
        if r.returncode == 0:
            passed += 1
            print(f"ok   {t} ({dt:.1f}s)")
        else:
            failed += 1
            print(f"FAIL {t} ({dt:.1f}s)")
            print(r.stdout[-3000:])
            print(r.stderr[-6000:])
        sys.stdout.flush()
    print(f"functional: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
