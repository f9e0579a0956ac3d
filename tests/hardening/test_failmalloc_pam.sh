#!/bin/bash
# SPDX-License-Identifier: MIT
# Allocation failure at every allocation of a login: the failmalloc shim
# (LD_PRELOAD) fails the Nth allocation made inside pam_authenticate,
# pam_acct_mgmt and pam_setcred (counted together, in that order), for
# N = 1, 2, ... until a run counts fewer than N allocations. Each run is a
# whole login through real Linux-PAM (auth, account, setcred with the
# account's groups installed, session) in a fresh process, as sshd's
# per-connection process does it; the first series in a process where
# OpenSSL has not started yet (sudo, su), the others where it has (sshd).
#
# Series that must fail (a wrong secret, a replayed assertion): no
# injected failure ever turns them into PAM_SUCCESS.
# Series that must succeed (a secret; an ES256 assertion, fresh jti each
# run): the process never crashes, and the phase in which the allocation
# failed either fails closed, or succeeds with the very login of a run
# without failure (same phases, PAM environment, groups after setcred) --
# and that only when the allocation that failed was not the module's own
# but one a library tolerates by design (OpenSSL's error-string and
# per-thread tables, GDBM's bucket cache, stdio buffers, libpam's log
# formatting), or the module's best-effort "last used" record. Any other
# success after a failure of the module's own allocation fails the test.
# Prints the number of injection points tried (docs/SECURITY.md).
. "$top_srcdir/tests/pam/lib.sh"
if san_active; then
	tap_skip "allocation failures" "ASan owns malloc in this build"
	done_testing
	exit 0
fi
SHIM=$top_builddir/tests/hardening/.libs/libfailmalloc.so
FIX=$top_builddir/tests/hardening/.libs/libfixclock.so
[ -e "$SHIM" ] && [ -e "$FIX" ] || { tap_notok "shims built ($SHIM, $FIX)"; done_testing; exit 0; }
# the module's clock is pinned (fixclock) at the tokens' minting time:
# the series take minutes, the tokens live two
export FIXCLOCK_NOW=$(date +%s)
setup_store
GIN="4242,80000,80001,80002"
MAXN=${FAILMALLOC_MAX:-20000}
LANES=${FAILMALLOC_LANES:-2}
MODSO=$(readlink -f "$MOD")

# the module's function at OFFSET (a return address: look one byte back)
mod_func() { addr2line -f -e "$MODSO" "$(printf '0x%x' $(($1 - 1)))" 2>/dev/null | head -1; }

# a login's observable result, jti aside (each run has its own)
norm() { grep -v '^prompt' | sed 's/^env SVCACCT_JTI=.*/env SVCACCT_JTI=J/'; }

# lane NAME MUST REF K: runs N = K, K + LANES, ... until a run counts
# fewer than N allocations; the credential of run N is what
# "CRED-COMMAND N" prints. Writes its counts to $T/lane.K, the sites of
# tolerated failures to $T/lane.K.sites and its diagnostics to
# $T/lane.K.diag.
lane() {
	local name=$1 must=$2 credcmd=$3 ref=$4 k=$5 n=$5 total=0 bad=0 crashes=0 \
		injected=0 tolerated=0 loader=0 out rc rep phase site caller f
	local R=$T/fm.rep.$k
	: >"$T/lane.$k.sites"
	: >"$T/lane.$k.diag"
	: >"$T/lane.$k.ns"
	diag() { printf '%s\n' "$@" | sed 's/^/# /' >>"$T/lane.$k.diag"; }
	while [ $n -le "$MAXN" ]; do
		: >"$R"
		out=$(FAILMALLOC_N=$n FAILMALLOC_REPORT="$R" LD_PRELOAD="$SHIM $FIX" \
			"$HARNESS" -c "$T/pam.d" -s sshd -u bot -r 127.0.0.1 -G "$GIN" \
			-p "$($credcmd $n)" 2>&1)
		rc=$?
		rep=$(<"$R")
		n=$((n + LANES))
		case $rep in *total=*) total=${rep##*total=} ;; *) total="" ;; esac
		# glibc's loader cannot recover from a failed allocation of a
		# dlopened library's thread-local block and ends the process
		# ("cannot allocate memory for thread-local data: ABORT", exit
		# 127): no login, nothing granted, not ours to fix
		if [ "$rc" = 127 ] && [[ $rep == *site=ld-linux* ]]; then
			injected=$((injected + 1))
			echo $((n - LANES)) >>"$T/lane.$k.ns"
			loader=$((loader + 1))
			continue
		fi
		if [ "$rc" -ge 128 ] || [ -z "$total" ]; then
			crashes=$((crashes + 1))
			diag "$name N=$((n - LANES)): crashed (rc=$rc)" "$out" "$rep"
			continue
		fi
		case $rep in
		*'inject n='*) ;;
		*)
			# past the last allocation: the login without failure
			if [ "$(norm <<<"$out")" != "$ref" ]; then
				bad=$((bad + 1))
				diag "$name N=$((n - LANES)): no injection, yet not the reference" "$out"
			fi
			break
			;;
		esac
		injected=$((injected + 1))
		echo $((n - LANES)) >>"$T/lane.$k.ns"
		phase=${rep#*phase=}
		phase=${phase%% *}
		caller=${rep#*caller=}
		caller=${caller%%$'\n'*}
		site=${rep#*site=}
		site=${site%%$'\n'*}
		case $out in *"$phase=PAM_SUCCESS"*) ;; *) continue ;; esac
		# the phase succeeded in spite of the failure
		if [ "$must" = fail ] && [ "$phase" = auth ]; then
			bad=$((bad + 1))
			diag "$name N=$((n - LANES)): a refused credential got auth=PAM_SUCCESS" "$out" "$rep"
			continue
		fi
		if [ "$(norm <<<"$out")" != "$ref" ]; then
			bad=$((bad + 1))
			diag "$name N=$((n - LANES)): $phase=PAM_SUCCESS but not the reference login" \
				"$out" "$rep"
			continue
		fi
		# the allocation the module itself asked for must fail the
		# phase; one a library made for its own use (glibc's asprintf
		# copying its result, OpenSSL's tables...) may be tolerated by
		# that library, which the identical login above shows it was
		case $caller in
		pam_svcacct.so+*)
			f=$(mod_func "${caller#*+}")
			case $f in
			sv_lastused_* | lastused_*) ;;
			*)
				bad=$((bad + 1))
				diag "$name N=$((n - LANES)): $phase=PAM_SUCCESS after the module's own allocation in $f failed" "$rep"
				continue
				;;
			esac
			site="pam_svcacct.so:$f"
			;;
		*) site="${caller%%+*}(for:${site%%+*})" ;;
		esac
		tolerated=$((tolerated + 1))
		echo "$site" >>"$T/lane.$k.sites"
	done
	echo "$total $injected $bad $crashes $tolerated $loader" >"$T/lane.$k"
}

# series NAME MUST(succeed|fail) CRED-COMMAND: every injection point, in
# LANES processes at once (N = 1.. split between them); N = 0 is the
# reference run
series() {
	local name=$1 must=$2 credcmd=$3 ref k total=0 injected=0 bad=0 crashes=0 \
		tolerated=0 loader=0 t i b c tl l least="" covered
	# cold: OpenSSL starts inside the login, as under sudo or su; warm:
	# it is up before PAM, as in sshd's per-connection process
	local -x FAILMALLOC_WARM=0
	[ "${4:-cold}" = warm ] && FAILMALLOC_WARM=1
	ref=$(LD_PRELOAD=$FIX "$HARNESS" -c "$T/pam.d" -s sshd -u bot -r 127.0.0.1 -G "$GIN" \
		-p "$($credcmd 0)" 2>&1 | norm)
	if [ "$must" = succeed ]; then
		expect_match "$name: reference login without failure" 'close=PAM_SUCCESS' "$ref"
	else
		expect_match "$name: reference login without failure is refused" \
			'auth=PAM_AUTH_ERR' "$ref"
	fi
	for k in $(seq "$LANES"); do
		lane "$name" "$must" "$credcmd" "$ref" "$k" &
	done
	wait
	for k in $(seq "$LANES"); do
		read -r t i b c tl l <"$T/lane.$k" || { t=0 i=0 b=1 c=0 tl=0 l=0; }
		[ "$t" -gt "$total" ] && total=$t
		{ [ -z "$least" ] || [ "$t" -lt "$least" ]; } && least=$t
		injected=$((injected + i)) bad=$((bad + b)) crashes=$((crashes + c))
		tolerated=$((tolerated + tl)) loader=$((loader + l))
		cat "$T/lane.$k.diag"
	done
	local by
	by=$(cat "$T"/lane.*.sites | sort | uniq -c | awk '{printf " %s:%s", $2, $1}')
	# A login's allocation count may differ by a few between runs (the
	# replay cache the earlier runs filled grows, GDBM splits a bucket):
	# each lane ran until a run of its own had fewer allocations than its
	# N, so every N up to the smallest such count must have been failed.
	covered=$(sort -nu "$T"/lane.*.ns | awk -v m="${least:-0}" '$1 >= 1 && $1 <= m' | wc -l)
	rm -f "$T"/lane.*
	tap_diag "$name: $total allocations, $injected injection points tried," \
		"$((injected - tolerated)) failed closed ($loader of them by glibc's loader ending the process)," \
		"$tolerated tolerated (same login) by:$by"
	echo "$name: points=$injected failed_closed=$((injected - tolerated)) loader_exit=$loader tolerated=$tolerated ($by )" >>"$T/figures"
	if [ "${least:-0}" != "$total" ]; then
		tap_diag "$name: allocations per login ranged from $least to $total between runs"
	fi
	expect_eq "$name: every allocation failed once (1 to ${least:-0})" "${least:-0}" "$covered"
	expect_eq "$name: at least one allocation" 1 "$([ "${least:-0}" -gt 0 ] && echo 1)"
	expect_eq "$name: no crash" 0 "$crashes"
	if [ "$must" = succeed ]; then
		expect_eq "$name: fail closed or the same login, never the module's own failure ignored" 0 "$bad"
	else
		expect_eq "$name: never PAM_SUCCESS" 0 "$bad"
	fi
}

M --key "$T/k256.key" --alg ES256 --kid k256 --now "$FIXCLOCK_NOW" \
	--count "${FAILMALLOC_TOKENS:-8000}" >"$T/tokens"
mapfile -t TOKENS <"$T/tokens"
REPLAYED=$(M --key "$T/k256.key" --alg ES256 --kid k256 --now "$FIXCLOCK_NOW")
LD_PRELOAD=$FIX H -s sshd -u bot -n -p "$REPLAYED" >/dev/null
c=${SECRET:22:1}; [ "$c" = A ] && r=B || r=A
# a wrong secret with a valid checksum: it gets as far as the HMAC compare
WRONG="${SECRET:0:22}$r${SECRET:23:42}"
WRONG="${WRONG}_$(printf '%s' "$WRONG" | sha256sum | cut -c1-8)"

secret() { printf '%s' "$SECRET"; }
wrong() { printf '%s' "$WRONG"; }
es256() { printf '%s' "${TOKENS[$1]}"; }
replayed() { printf '%s' "$REPLAYED"; }
# OpenSSL's own start-up (about 5,000 allocations, the lock it once
# crashed on) is failed allocation by allocation in the first series; the
# others run with it started, as sshd has it, so their points are the
# login's own
series "secret login" succeed secret cold
series "wrong secret" fail wrong warm
series "ES256 assertion login" succeed es256 warm
series "replayed ES256 assertion" fail replayed warm
sed 's/^/# figures: /' "$T/figures"
done_testing
