#!/bin/sh
# Configure (once) and build Ergon out of tree in build/ (or $ERG_BUILD_DIR); used by the demo and test scripts.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ERG_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)
cd "$top"
if [ ! -x ./configure ] || [ configure.ac -nt ./configure ] || [ Makefile.am -nt ./configure ]; then
  ./autogen.sh >/dev/null
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
  "$top/configure" --enable-werror ${ERG_CONFIGURE_FLAGS:-} >configure.out 2>&1 || { cat configure.out; exit 1; }
fi
make -j"$jobs" >make.out 2>&1 || { tail -50 make.out; exit 1; }
echo "build: ok ($build)"
