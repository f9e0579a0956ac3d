# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared by tests/docs/test_docs.sh and tests/pkg/test_packages.sh (sourced
# after tests/lib/tap.sh, with $src the source tree): the shell blocks of
# the Markdown docs, run as written (tests/docs/README.md).
#
#   docs_extract OUT FILE...       blocks into OUT (extract.py), FILEs
#                                  relative to $src
#   docs_block OUT FILE SECTION    the id of the one runnable block of FILE
#                                  whose section path starts with SECTION
#   docs_run_here BLOCK DIR LOG    run a block on this machine, in DIR, with
#                                  the package shims (below) first in PATH
#   docs_builddeps_ok CONTROL      whether the packages the apt-get shim saw
#                                  satisfy CONTROL's Build-Depends (nocheck)
#   docs_tree_files, docs_tree_copy DIR, docs_tree_hash
#                                  the tree's files (git's list, no build/),
#                                  a copy of them, a hash of their content
#   docs_pkg_dir                   where test_packages.sh leaves the .debs

docs_pkg_dir() { echo "$src/build/pkg"; }

docs_extract() {
	local out=$1
	shift
	(cd "$src" && /usr/bin/python3 "$src/tests/docs/extract.py" "$out" "$@")
}

docs_block() {
	awk -F'\t' -v f="$2" -v s="$3" \
		'$2 == f && index($4, s) == 1 && $5 == "" {print $1}' "$1/index.tsv"
}

# The files of the tree: tracked and new ones git does not ignore, or those
# of an unpacked tarball; never build/ (the builds, the tests' output).
docs_tree_files() {
	(
		cd "$src" || exit 1
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -co --exclude-standard
		else
			find . -path ./build -prune -o -type f -print | sed 's,^\./,,'
		fi | grep -v '^build/' | LC_ALL=C sort | while IFS= read -r f; do
			[ -f "$f" ] || [ -L "$f" ] && printf '%s\n' "$f"
		done
	)
}

# docs_tree_copy DIR: those files, copied to DIR
docs_tree_copy() {
	docs_tree_files | (cd "$src" && tar -cf - -T -) | tar -xf - -C "$1"
}

# Those files and their content, as one hash.
docs_tree_hash() {
	docs_tree_files | (cd "$src" && while IFS= read -r f; do sha256sum -- "$f"; done) |
		sha256sum | cut -d' ' -f1
}

# On a machine that runs the suite, a doc's `sudo apt-get install PKG...`
# must not install or upgrade anything: the shim checks that each package
# is installed (scripts/deps.sh installs them) and writes the names to
# $DOCS_APT_LOG; `sudo` runs the command as it is (the tests run as root).
docs_shims() {
	local d=$1
	mkdir -p "$d"
	cat >"$d/apt-get" <<-'EOF'
	#!/bin/sh
	# docs test: check, never install (tests/docs/lib.sh)
	[ "$1" = install ] || { echo "docs test: apt-get $1 is not run here" >&2; exit 100; }
	shift
	for p in "$@"; do
		case $p in -*) continue ;; esac
		echo "$p" >>"$DOCS_APT_LOG"
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			{ echo "docs test: $p is not installed (scripts/deps.sh)" >&2; exit 100; }
	done
	EOF
	printf '#!/bin/sh\nexec "$@"\n' >"$d/sudo"
	chmod 755 "$d/apt-get" "$d/sudo"
}

docs_run_here() {
	local block=$1 dir=$2 log=$3
	docs_shims "$W/shims"
	: >"$W/apt.log"
	(cd "$dir" && DOCS_APT_LOG=$W/apt.log PATH="$W/shims:$PATH" \
		bash -e -o pipefail "$block") </dev/null >"$log" 2>&1
}

# The package database of a host that has only what the doc's apt-get line
# installs (and what those packages need, and the Essential set): does
# dpkg-checkbuilddeps accept debian/control with the nocheck profile there?
docs_builddeps_ok() {
	local control=$1 adm=$W/builddeps
	mkdir -p "$adm"
	[ -s "$W/apt.log" ] || { echo "the doc's apt-get line named no package" >&2; return 1; }
	# shellcheck disable=SC2046
	apt-cache depends --recurse --installed --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		$(sort -u "$W/apt.log") 2>/dev/null | grep -v '^[ <]' | sed 's/:.*//' |
		sort -u >"$adm/keep"
	/usr/bin/python3 - "$adm/keep" /var/lib/dpkg/status "$adm/status" <<-'EOF'
	import re, sys
	keep = set(open(sys.argv[1]).read().split())
	out = []
	for para in open(sys.argv[2]).read().split("\n\n"):
	    m = re.search(r"^Package: (\S+)", para, re.M)
	    if m and (m.group(1) in keep or re.search(r"^Essential: yes", para, re.M)):
	        out.append(para.strip("\n"))
	open(sys.argv[3], "w").write("\n\n".join(out) + "\n")
	EOF
	dpkg-checkbuilddeps -Pnocheck --admindir="$adm" "$control"
}
