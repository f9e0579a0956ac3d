#!/bin/bash
# SPDX-License-Identifier: MIT
# What libnss_svcacct.so.2 is as a file: its name, what it links, what it
# exports, what it could call, and how it installs.
. "$top_srcdir/tests/lib/tap.sh"

so=$top_builddir/nss/.libs/libnss_svcacct.so.2
if [ ! -e "$so" ]; then
	tap_notok "module not built: $so"
	done_testing
	exit 1
fi
need readelf 'command -v readelf >/dev/null && command -v nm >/dev/null'

dyn=$(readelf -dW "$so")
expect_eq "SONAME is libnss_svcacct.so.2" "libnss_svcacct.so.2" \
	"$(echo "$dyn" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
needed=$(echo "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | xargs)
expect_match "NEEDED: libc and libgdbm only (libpthread is part of libc)" \
	"^(libc\\.so\\.6 libgdbm\\.so\\.6|libc\\.so\\.6 libgdbm\\.so\\.6 libpthread\\.so\\.0)$" "$needed"
expect_nomatch "no crypto, JWT or JSON library" "crypto|ssl|jwt|jansson|curl|pam" "$needed"
expect_match "linked with -z now" "BIND_NOW" "$dyn"
expect_match "linked with -z relro" "GNU_RELRO" "$(readelf -lW "$so")"
expect_nomatch "no thread-local storage" " TLS " "$(readelf -lW "$so")"

exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | sort)
expect_eq "only _nss_svcacct_* symbols are exported" "" \
	"$(echo "$exported" | grep -v '^_nss_svcacct_')"
want="endgrent endpwent endspent getgrent_r getgrgid_r getgrnam_r getpwent_r getpwnam_r getpwuid_r getspent_r getspnam_r initgroups_dyn setgrent setpwent setspent"
expect_eq "every entry point is exported" "$want" \
	"$(echo "$exported" | sed 's/^_nss_svcacct_//' | xargs)"

undef=$(nm -D --undefined-only "$so" | awk '{print $2}' | sed 's/@.*//')
bad=$(echo "$undef" | grep -Ex 'printf|fprintf|vfprintf|dprintf|puts|fputs|fputc|putchar|fwrite|perror|syslog|vsyslog|openlog|pthread_create|signal|sigaction|atexit|__cxa_atexit|__cxa_thread_atexit_impl|__tls_get_addr|setenv|putenv' | xargs)
expect_eq "never prints, starts no thread, no signal or exit handler" "" "$bad"
# the module links the store's reading side only, so not even the writer's
# test crash points (which read the environment) can be in it
expect_eq "no getenv reference" "" "$(echo "$undef" | grep -Ex 'getenv|secure_getenv')"
expect_eq "no writer code (rename, link, unlink)" "" \
	"$(echo "$undef" | grep -Ex 'rename|renameat|link|linkat|unlink|unlinkat|symlinkat' | xargs)"
# one .init_array entry: the compiler's frame_dummy, no constructor of ours
ia=$(readelf -SW "$so" | sed -n 's/.*\.init_array *INIT_ARRAY *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p')
expect_eq "no constructor (no work at load time)" "8" "$((16#${ia:-0}))"

# make install: the .so.2 alone, no .la, no unversioned .so
if [ -f "$top_builddir/Makefile" ]; then
	d=$(mktemp -d /tmp/svnss-inst.XXXXXX)
	# (a make of its own: not the jobserver of the make running the tests)
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" \
		install-nssexecLTLIBRARIES install-exec-hook-nss \
		DESTDIR="$d" >"$d.log" 2>&1; then
		expect_eq "make install puts libnss_svcacct.so.2 alone" "libnss_svcacct.so.2" \
			"$(find "$d" -name 'libnss_svcacct*' -printf '%f\n' | xargs)"
		inst=$(find "$d" -name 'libnss_svcacct.so.2')
		expect_eq "the installed file's SONAME" "libnss_svcacct.so.2" \
			"$(readelf -dW "$inst" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
	else
		tap_notok "make install-nssexecLTLIBRARIES"
		tap_diag "$(cat "$d.log")"
	fi
	rm -rf "$d" "$d.log"
fi

done_testing
