#!/bin/bash
# svcacct quick start: install the build dependencies, build, and walk
# through the main job on a throwaway store in a temporary directory.
# Nothing on this host is changed outside that directory (and the packages).
set -eu
cd "$(dirname "$0")"
top=$(pwd)
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (it installs packages and creates a root-owned store): sudo $0" >&2; exit 1; }
bash scripts/deps.sh
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build/demo
if [ ! -x build/demo/tools/svcacct ] || [ -n "$(find common tools nss -newer build/demo/tools/svcacct -name '*.[ch]' 2>/dev/null | head -1)" ]; then
	(cd build/demo && "$top/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var >/dev/null && make -j"$(nproc)" >/dev/null)
fi
exec bash "$top/scripts/demo.sh" "$top/build/demo"
