#!/bin/bash
# The main job: install, build, then run a small local regtest network (three nodes, two mining the
# commons scientific job on the default OpenCL device), printing blocks, tickets and balances.
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
echo "== 2. A local regtest network: three nodes on loopback, two of them mining on the default OpenCL device"
base=$(mktemp -d /tmp/ergon-demo.XXXXXX)
p0=$((20000 + RANDOM % 20000))
rpcport() { echo $((p0 + 10 * $1)); }
p2pport() { echo $((p0 + 10 * $1 + 1)); }
cli() { local i=$1; shift; "$bin/ergon-cli" -regtest -datadir="$base/n$i" -rpcport="$(rpcport "$i")" "$@"; }
key() { "$bin/ergon-tx" -regtest keygen --json; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
minerA=$(key); minerB=$(key); friend=$(key)
aaddr=$(echo "$minerA" | field address); akey=$(echo "$minerA" | field privkey)
baddr=$(echo "$minerB" | field address); bkey=$(echo "$minerB" | field privkey)
faddr=$(echo "$friend" | field address)
echo "node 0 mines to miner A: $aaddr"
echo "node 1 mines to miner B: $baddr"
echo "node 2 only follows (connected to both), and we watch the chain through it"
pids=()
start_node() {
  local i=$1; shift
  mkdir -p "$base/n$i"
  "$bin/ergond" -regtest -datadir="$base/n$i" -rpcport="$(rpcport "$i")" -port="$(p2pport "$i")" -bind=127.0.0.1 \
    -connect=0 -backend=auto -printtoconsole=0 "$@" &
  pids+=($!)
}
cleanup() {
  for i in 0 1 2; do cli "$i" stop >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$base"
}
trap cleanup EXIT
start_node 0 -mine -payout="$aaddr" -mineinterval=1500
start_node 1 -mine -payout="$baddr" -mineinterval=1500 -addnode=127.0.0.1:"$(p2pport 0)"
start_node 2 -addnode=127.0.0.1:"$(p2pport 0)" -addnode=127.0.0.1:"$(p2pport 1)"
for i in 0 1 2; do for _ in $(seq 1 100); do cli "$i" getblockcount >/dev/null 2>&1 && break; sleep 0.2; done; done
echo "backend: $(cli 0 getmininginfo | field backend)"
for _ in $(seq 1 50); do [ "$(cli 2 getconnectioncount)" -ge 2 ] && break; sleep 0.2; done
echo "peers: node 0 has $(cli 0 getconnectioncount), node 1 has $(cli 1 getconnectioncount), node 2 has $(cli 2 getconnectioncount)"
echo
printf '%-6s %-8s %-9s %-6s %-18s %-18s %s\n' height miner kernel cu ticket output_hash "A / B balance at tip (ERG)"
seen=0
sent=0
while [ "$seen" -lt "$blocks" ]; do
  h=$(cli 2 getblockcount)
  while [ "$seen" -lt "$h" ] && [ "$seen" -lt "$blocks" ]; do
    seen=$((seen + 1))
    cli 2 getblock "$(cli 2 getblockhash "$seen")" | python3 -c 'import json, sys
b = json.load(sys.stdin)
who = {"'"$aaddr"'": "A", "'"$baddr"'": "B"}.get(b.get("payout"), "?")
print("%-6s %-8s %-9s %-6s %s.. %s.. " % (b["height"], who, b["kernel"], b["cu"], b["ticket"][:16], b["outputhash"][:16]), end="")'
    echo "$(cli 2 getaccount "$aaddr" | field balance) / $(cli 2 getaccount "$baddr" | field balance)"
    if [ "$seen" -ge 5 ] && [ "$sent" -eq 0 ]; then
      # Whichever miner holds the funds at the tip pays (with two miners, either may lead).
      for who in A B; do
        if [ "$who" = A ]; then saddr=$aaddr; skey=$akey; else saddr=$baddr; skey=$bkey; fi
        funds=$(cli 2 getaccount "$saddr" | field balance_base)
        if [ "$funds" -ge 1300000000 ]; then
          tx=$("$bin/ergon-tx" -regtest transfer --key="$skey" --to="$faddr" --amount=12.5 --nonce=0 --fee=0.001)
          echo "       -> miner $who sends 12.5 ERG to a friend through node 2: txid $(cli 2 sendrawtransaction "$tx")"
          sent=1
          break
        fi
      done
    fi
  done
  sleep 0.2
done
echo
for _ in $(seq 1 50); do
  t0=$(cli 0 getbestblockhash); t1=$(cli 1 getbestblockhash); t2=$(cli 2 getbestblockhash)
  [ "$t0" = "$t1" ] && [ "$t1" = "$t2" ] && break
  sleep 0.1
done
for i in 0 1 2; do
  echo "node $i: height $(cli "$i" getblockcount), tip $(cli "$i" getbestblockhash | cut -c1-16).., $(cli "$i" getconnectioncount) peers"
done
echo "friend's balance: $(cli 2 getaccount "$faddr" | field balance) ERG"
for i in 0 1; do
  cli "$i" getmininginfo | python3 -c 'import json, sys
m = json.load(sys.stdin)
print("miner on node '"$i"' computed %d units = %d CU, found %d blocks" % (m["units"], m["cu"], m["blocks_found"]))'
done
echo "state root at the tip (sparse Merkle tree over all accounts): $(cli 2 getblockchaininfo | field stateroot)"
