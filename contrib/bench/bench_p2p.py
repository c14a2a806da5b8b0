#!/usr/bin/env python3
"""P2P benchmark: block download speed against local block connection, and block propagation latency.

    contrib/bench/bench_p2p.py --builddir build [N]       (N blocks, default 500)
    make bench-p2p                                         (from the build directory, N=500)

(i)   node 0 generates N blocks; a fresh node syncs them over P2P from node 0 (timed from connect
      to tip reached);
(ii)  another fresh node connects the same blocks locally with submitblock, the hex read from
      node 0 beforehand (only the submit loop is timed);
      both rates in blocks/s and their ratio sync/local (goal >= 0.8);
(iii) propagation across a line of four nodes: 10 times, mine one block on node 0 and time until
      node 3's best block is that block (polled every 2 ms); median and max in ms, counted from the
      return of generatetoaddress on node 0 and from the call (which includes mining the block).
Uses ergond's regtest on loopback and the functional test framework (standard library only).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "functional"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builddir", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("n", nargs="?", type=int, default=500, help="blocks to generate (default 500)")
    ap.add_argument("--rounds", type=int, default=10, help="propagation rounds (default 10)")
    args = ap.parse_args()
    os.environ["ERG_BUILDDIR"] = os.path.abspath(args.builddir)
    import framework as fw
    fw.BUILDDIR = os.environ["ERG_BUILDDIR"]

    tmp = tempfile.mkdtemp(prefix="ergon_bench_p2p_")
    nodes = []
    ok = False
    try:
        def new_node():
            n = fw.Node(len(nodes), tmp)
            nodes.append(n)
            return n.start()

        src = new_node()
        key = fw.keygen()
        t0 = time.time()
        left = args.n
        while left:
            step = min(250, left)
            src.generatetoaddress(step, key["address"])
            left -= step
        tip = src.getbestblockhash()
        print(f"generated {args.n} blocks on node 0 in {time.time() - t0:.2f}s")
        raws = [src.getblock(src.getblockhash(h), 0) for h in range(1, args.n + 1)]

        # (i) P2P download.
        syncer = new_node()
        t0 = time.perf_counter()
        syncer.addnode(src.p2p_addr, "onetry")
        fw.wait_until(lambda: syncer.getbestblockhash() == tip, 600, "P2P sync", interval=0.002)
        t_sync = time.perf_counter() - t0

        # (ii) Local connection of the same blocks.
        local = new_node()
        t0 = time.perf_counter()
        for raw in raws:
            res = local.submitblock(raw)
            assert res is None, res
        t_local = time.perf_counter() - t0
        assert local.getbestblockhash() == tip

        sync_rate, local_rate = args.n / t_sync, args.n / t_local
        print(f"p2p sync:    {args.n} blocks in {t_sync:.2f}s = {sync_rate:.0f} blocks/s")
        print(f"local:       {args.n} blocks in {t_local:.2f}s = {local_rate:.0f} blocks/s (submitblock)")
        print(f"ratio sync/local = {sync_rate / local_rate:.2f} (goal >= 0.8)")

        # (iii) Propagation along 0-1-2-3 (node 1 = syncer, node 2 = local, node 3 fresh).
        last = new_node()
        line = [src, syncer, local, last]
        fw.connect_line(line)
        fw.sync_blocks(line, timeout=600)
        lat, lat_call = [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            h = src.generatetoaddress(1, key["address"])[0]
            t1 = time.perf_counter()
            fw.wait_until(lambda: last.getbestblockhash() == h, 60, "propagation to node 3", interval=0.002)
            t2 = time.perf_counter()
            lat.append((t2 - t1) * 1000)
            lat_call.append((t2 - t0) * 1000)
            fw.sync_blocks(line)
        print(f"propagation over 3 hops, {args.rounds} blocks: from node 0 having the block (RPC returned): "
              f"median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms; "
              f"from the generatetoaddress call: median {statistics.median(lat_call):.1f} ms, "
              f"max {max(lat_call):.1f} ms")
        ok = True
    finally:
        for n in nodes:
            try:
                n.stop()
            except Exception as e:
                print(f"stopping node{n.index}: {e}", file=sys.stderr)
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"data kept in {tmp}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
