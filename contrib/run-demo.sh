#!/bin/bash
# The main job: install, build, then run Ergon's sample scientific work on the default OpenCL device.
# What it runs grows with the project; today: the compute engine (all five kernels, C reference and
# OpenCL side by side, output hashes compared). The regtest network arrives with the chain issue.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ERG_BUILD_DIR:-$top/build}
"$top/contrib/install-deps.sh"
"$top/contrib/build.sh"
kernel_tool=$build/ergon-kernel

echo
echo "== Ergon compute engine: registered kernels and OpenCL devices"
"$kernel_tool" list

seed=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
echo
echo "== One unit of every kernel under seed $seed"
echo "   (small parameters so the demo is quick; default units take about 1 s each on one core)"
status=0
for k in $("$kernel_tool" list --names); do
  echo
  echo "-- $k: OpenCL (default device)"
  cl=$("$kernel_tool" run --kernel "$k" --seed "$seed" --small --backend auto --json)
  echo "$cl" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("   backend:", d["backend"], "| cu:", d["cu"], "| ms:", d["ms"]); print("   output:", json.dumps(d["output"])[:300]); print("   output_hash:", d["output_hash"])'
  ref=$("$kernel_tool" run --kernel "$k" --seed "$seed" --small --backend ref --json)
  h_cl=$(echo "$cl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["output_hash"])')
  h_ref=$(echo "$ref" | python3 -c 'import json,sys; print(json.load(sys.stdin)["output_hash"])')
  if [ "$h_cl" = "$h_ref" ]; then
    echo "   C reference re-execution: same output hash (bit-exact)"
  else
    echo "   C reference re-execution: DIFFERENT output hash $h_ref"
    status=1
  fi
done
exit $status
