#!/bin/sh
# Install what svcacct needs to build, test and demo on Debian 12.
# Sourced or run by quickstart.sh and tests/run-all.sh (as root).
set -e
SVCACCT_DEPS="build-essential autoconf automake libtool pkg-config
libpam0g-dev libssl-dev libgdbm-dev libjansson-dev
libcmocka-dev libcurl4-openssl-dev openssl python3 python3-jwcrypto
pamtester openssh-server openssh-client sudo libnss-db valgrind clang
libclang-rt-14-dev util-linux iproute2 procps strace bc"
# the zsh completion's tests (tests/cli/test_options.sh)
SVCACCT_DEPS="$SVCACCT_DEPS zsh"
# the package builds (tests/pkg/test_packages.sh)
SVCACCT_DEPS="$SVCACCT_DEPS debhelper dpkg-dev fakeroot lintian rpm"
# trusted issuers: the HTTPS JWKS endpoint of the refresh tests
SVCACCT_DEPS="$SVCACCT_DEPS nginx-light curl"
# the docs as tested procedures (tests/docs): a booted Debian under
# systemd-nspawn, and jq, which a howto uses
SVCACCT_DEPS="$SVCACCT_DEPS systemd-container jq"
missing=""
for p in $SVCACCT_DEPS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "svcacct: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "svcacct: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
