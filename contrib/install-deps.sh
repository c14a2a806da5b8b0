#!/bin/sh
# Install every Debian 12 package the build, the tests and the demo need (idempotent, non-interactive).
set -eu
PACKAGES="build-essential autoconf automake libtool pkg-config python3 \
  libssl-dev libleveldb-dev libsecp256k1-dev libevent-dev libjansson-dev \
  ocl-icd-opencl-dev ocl-icd-libopencl1 opencl-headers pocl-opencl-icd clinfo \
  clang libclang-rt-14-dev libfuzzer-14-dev"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
