#!/bin/bash
# The main job: install, build, then run a local regtest node that mines the commons scientific
# job on the default OpenCL device, printing blocks, tickets and balances as it goes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ERG_BUILD_DIR:-$top/build}
blocks=${ERG_DEMO_BLOCKS:-15}
"$top/contrib/install-deps.sh"
"$top/contrib/build.sh"
bin=$build

echo
echo "== 1. The compute engine: registered kernels and OpenCL devices"
"$bin/ergon-kernel" list

echo
echo "== 2. A local regtest node mining on the default OpenCL device"
datadir=$(mktemp -d /tmp/ergon-demo.XXXXXX)
port=$((20000 + RANDOM % 20000))
cli() { "$bin/ergon-cli" -regtest -datadir="$datadir" -rpcport="$port" "$@"; }
miner=$("$bin/ergon-tx" -regtest keygen --json)
friend=$("$bin/ergon-tx" -regtest keygen --json)
maddr=$(echo "$miner" | python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
mkey=$(echo "$miner" | python3 -c 'import json,sys; print(json.load(sys.stdin)["privkey"])')
faddr=$(echo "$friend" | python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
echo "miner payout address: $maddr"
"$bin/ergond" -regtest -datadir="$datadir" -rpcport="$port" -mine -payout="$maddr" -mineinterval=1000 \
  -backend=auto -printtoconsole=0 &
node_pid=$!
cleanup() {
  cli stop >/dev/null 2>&1 || kill "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  rm -rf "$datadir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do cli getblockcount >/dev/null 2>&1 && break; sleep 0.2; done
echo "backend: $(cli getmininginfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["backend"])')"
echo
printf '%-6s %-9s %-6s %-18s %-18s %s\n' height kernel cu ticket output_hash "miner balance at tip (ERG)"
seen=0
sent=0
while [ "$seen" -lt "$blocks" ]; do
  h=$(cli getblockcount)
  while [ "$seen" -lt "$h" ] && [ "$seen" -lt "$blocks" ]; do
    seen=$((seen + 1))
    cli getblock "$(cli getblockhash "$seen")" | python3 -c 'import json, sys
b = json.load(sys.stdin)
print("%-6s %-9s %-6s %s.. %s.. " % (b["height"], b["kernel"], b["cu"], b["ticket"][:16], b["outputhash"][:16]), end="")'
    cli getaccount "$maddr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance"])'
    if [ "$seen" -eq 5 ] && [ "$sent" -eq 0 ]; then
      tx=$("$bin/ergon-tx" -regtest transfer --key="$mkey" --to="$faddr" --amount=12.5 --nonce=0 --fee=0.001)
      echo "       -> sending 12.5 ERG to a friend: txid $(cli sendrawtransaction "$tx")"
      sent=1
    fi
  done
  sleep 0.2
done
echo
echo "friend's balance: $(cli getaccount "$faddr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance"])') ERG"
cli getmininginfo | python3 -c 'import json, sys
m = json.load(sys.stdin)
print("miner computed %d units = %d CU, found %d blocks; next commons kernel: %s" % (m["units"], m["cu"], m["blocks_found"], m["next_kernel"]))'
echo "state root at the tip (sparse Merkle tree over all accounts): $(cli getblockchaininfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["stateroot"])')"
