#!/bin/bash
# SPDX-License-Identifier: MIT
# The docs as tested procedures (tests/docs/README.md): every ```sh block of
# README.md, docs/howto-sshd.md, howto-sudo.md, howto-daemons.md,
# howto-fleet.md and docs/packaging.md, taken from the Markdown and run as
# written, in the docs' order, as root on a Debian 12 system that starts
# from the distribution's own configuration: an overlay of / booted by
# systemd under systemd-nspawn (tests/docs/container.sh), with sshd,
# sudo, systemd and the .debs of tests/pkg/test_packages.sh.
#   - packages: README (Install with the .debs, the main job), then
#     howto-sshd, howto-sudo, howto-daemons, howto-fleet on the same host;
#   - source: README (From source, the main job), then howto-sshd, on a
#     second host;
#   - packaging.md's build blocks are run by tests/pkg/test_packages.sh.
# After each block: every login it made (sshd's "Accepted", sudo's
# command line) has exactly one account and one session-open line of
# pam_svcacct (and one auth line where the module authenticated), and no
# process logs the same decision twice. After each page: what it promises
# (logins by each method, the sshd -T of a person unchanged, the daemon,
# the timers). Prints TAP. Needs root, namespaces and systemd-nspawn.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$src/tests/lib/tap.sh"
# shellcheck source=lib.sh
. "$src/tests/docs/lib.sh"
# shellcheck source=container.sh
. "$src/tests/docs/container.sh"

if [ "${SVCACCT_DOCS_IN_NS:-}" != 1 ]; then
	need_root
	need_userns
	need "systemd-nspawn (package systemd-container)" 'command -v systemd-nspawn >/dev/null'
	need "writable cgroup hierarchies for nspawn (name=systemd and cgroup2, or a unified cgroup2)" \
		'ct_cg_ok'
	need "openssh-server, sudo, curl, jq, python3-jwcrypto" \
		'[ -x /usr/sbin/sshd ] && command -v sudo >/dev/null && command -v curl >/dev/null && command -v jq >/dev/null && /usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
	SVCACCT_DOCS_IN_NS=1 exec unshare --mount --fork bash "$0" "$@"
fi

T0=$(date +%s)
mount --make-rprivate /
W=$(mktemp -d /tmp/svcacct-docs.XXXXXX)
cleanup() {
	[ -n "${SRC_PID:-}" ] && kill -TERM "$SRC_PID" 2>/dev/null && wait "$SRC_PID"
	ct_stop
	umount -R "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mount -t tmpfs -o mode=0700 tmpfs "$W" || { tap_notok "tmpfs on $W"; done_testing; exit 1; }
export LC_ALL=C
# the containers' consoles and journals, for whoever reads a failure
LOGDIR=$src/build/docs
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
timing() { tap_diag "timing: $1: $(($(date +%s) - T0)) s since start"; }

# ---------------------------------------------------------------- the blocks
DOCS="README.md docs/howto-sshd.md docs/howto-sudo.md docs/howto-daemons.md docs/howto-fleet.md docs/packaging.md"
# shellcheck disable=SC2086
if ! docs_extract "$W/blocks" $DOCS 2>"$W/extract.err"; then
	tap_notok "extract.py: the docs' blocks"
	tap_diag "$(cat "$W/extract.err")"
	done_testing
	exit 1
fi
ROUTE_PKG="" ROUTE_SRC="" uncovered=""
while IFS=$'\t' read -r id file line section skip; do
	where="$file:$line"
	if [ -n "$skip" ]; then
		tap_diag "not run: $where ($skip)"
		continue
	fi
	case "$file:$section" in
	docs/packaging.md:building*)
		tap_diag "run by tests/pkg/test_packages.sh: $where" ;;
	README.md:install/from-source*)
		ROUTE_SRC="$ROUTE_SRC $id" ;;
	README.md:the-main-job* | docs/howto-sshd.md:*)
		ROUTE_PKG="$ROUTE_PKG $id"
		ROUTE_SRC="$ROUTE_SRC $id" ;;
	README.md:* | docs/howto-*.md:*)
		ROUTE_PKG="$ROUTE_PKG $id" ;;
	*) uncovered="$uncovered $where" ;;
	esac
done <"$W/blocks/index.tsv"
expect_eq "every sh block is run here, by test_packages.sh, or marked with its reason" "" "$uncovered"
total=$(wc -l <"$W/blocks/index.tsv")
tap_diag "$total sh blocks; packages route:$(echo "$ROUTE_PKG" | wc -w), source route:$(echo "$ROUTE_SRC" | wc -w)"
bfile() { awk -F'\t' -v i="$1" '$1 == i {print $2 ":" $3}' "$W/blocks/index.tsv"; }
bsect() { awk -F'\t' -v i="$1" '$1 == i {print $4}' "$W/blocks/index.tsv"; }

# ---------------------------------------------------------------- the .debs
PKG=$(docs_pkg_dir)
hash=$(docs_tree_hash)
if [ -n "${SVCACCT_DOCS_DEBS:-}" ]; then
	# a developer's shortcut while editing a page (tests/docs/README.md)
	PKG=$SVCACCT_DOCS_DEBS
	tap_diag "the .debs of $PKG (SVCACCT_DOCS_DEBS), whatever tree they were built from"
elif [ -f "$PKG/tree.sha256" ] && [ "$(cat "$PKG/tree.sha256")" = "$hash" ] &&
	ls "$PKG"/svcacct_*.deb "$PKG"/libnss-svcacct_*.deb "$PKG"/libpam-svcacct_*.deb >/dev/null 2>&1; then
	tap_ok "the .debs of tests/pkg/test_packages.sh for this tree ($PKG)"
else
	# none, or of another tree: build them with packaging.md's block
	mkdir -p "$W/tree/src"
	docs_tree_copy "$W/tree/src"
	b=$(docs_block "$W/blocks" docs/packaging.md building | head -1)
	docs_run_here "$W/blocks/$b.sh" "$W/tree/src" "$W/deb.log"
	rc=$?
	expect_eq "packaging.md's build block ($(bfile "$b")) builds the .debs" 0 "$rc"
	[ "$rc" = 0 ] || { tap_diag "$(tail -30 "$W/deb.log")"; done_testing; exit 1; }
	PKG=$W/tree
fi
timing "blocks and packages"

# ---------------------------------------------------------------- the IdP's side
I=$W/idp
mkdir -p "$I/www/svcacct"
(
	cd "$I" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
		-subj "/CN=svcacct docs test CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
			-subj "/CN=sso.example.com" &&
		printf 'subjectAltName=DNS:sso.example.com,DNS:config.example.com\nextendedKeyUsage=serverAuth\n' >ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext -out server.crt &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout signing.key -out signing.crt -days 2 \
			-subj "/CN=fleet" &&
		echo kc-docs-1 >signing.kid &&
		/usr/bin/python3 "$src/tests/issuer/kcmint.py" jwks "signing.key:kc-docs-1:signing.crt" >certs.json &&
		head -c 24 /dev/urandom | base64 | tr -d '/+=' >kc-secret &&
		echo "release-bot-ci $(cat kc-secret) releaser" >clients
) >"$W/idp.log" 2>&1 || { tap_notok "test CA, server and signing keys"; tap_diag "$(cat "$W/idp.log")"; done_testing; exit 1; }
# kcmint.py finds its shared signing code (jwsmint.py) beside itself
cp "$src/tests/docs/idp.py" "$src/tests/issuer/kcmint.py" "$src/tests/lib/jwsmint.py" "$I/"

# ---------------------------------------------------------------- running blocks
# The runner keeps one administrator's shell session across blocks: the
# exported variables and the working directory of the last block.
write_runner() {
	cat >"$R/docs-test/run" <<-'EOF'
	#!/bin/bash
	st=/docs-test/session
	[ -f $st.env ] && . $st.env
	cd "$(cat $st.cwd 2>/dev/null || echo "$HOME")" || exit 1
	set -e -o pipefail
	. "$1"
	set +e +o pipefail
	unset OLDPWD
	export -n PWD SHLVL _ 2>/dev/null
	export -p >$st.env
	pwd >$st.cwd
	EOF
	chmod 755 "$R/docs-test/run"
}
# the log entries since the last call (journald of the container)
newlog() {
	ct_sh journalctl --sync
	ct_sh journalctl -q --no-pager -o short --cursor-file=/docs-test/cursor
}

# check_logins WHERE LOG: the logins of one block, each with its lines
check_logins() {
	local where=$1 log=$2 res
	res=$(printf '%s\n' "$log" | awk '
	function svc(u) { return (u in acct) }
	match($0, /sshd\[[0-9]+\]: Accepted [^ ]+ for [^ ]+ from/) {
		split(substr($0, RSTART, RLENGTH), w, " "); m = w[3]; u = w[5]
		ssh[u]++; if (m != "publickey") sshpw[u]++
	}
	match($0, /sudo\[[0-9]+\]: +[^ ]+ : .*COMMAND=/) {
		split(substr($0, RSTART, RLENGTH), w, " "); sudo[w[2]]++
	}
	match($0, /[^ ]+\[[0-9]+\]: pam_svcacct\([^)]*\): svcacct: event=[^ ]+ result=[^ ]+ account=[^ ]+/) {
		s = substr($0, RSTART, RLENGTH)
		pid = s; sub(/\]:.*/, "", pid); sub(/.*\[/, "", pid)
		svcname = s; sub(/.*pam_svcacct\(/, "", svcname); sub(/:.*/, "", svcname)
		n = split(s, w, " "); ev = w[n-2]; re = w[n-1]; ac = w[n]
		sub(/event=/, "", ev); sub(/result=/, "", re); sub(/account=/, "", ac)
		acct[ac] = 1
		if (re == "allow" || re == "ok") {
			k = ev "/" svcname "/" ac; cnt[k]++
			if ((pid SUBSEP ev) in seen && ev != "setcred") dup = dup " " ev "(pid " pid ")"
			seen[pid, ev] = 1
		}
	}
	END {
		logins = 0; bad = ""
		for (u in ssh) if (svc(u)) {
			logins += ssh[u]
			if (cnt["account/sshd/" u] != ssh[u]) bad = bad " sshd " u ": " ssh[u] " login(s), " cnt["account/sshd/" u] + 0 " account line(s);"
			if (cnt["session-open/sshd/" u] != ssh[u]) bad = bad " sshd " u ": " cnt["session-open/sshd/" u] + 0 " session-open line(s);"
			if (cnt["auth/sshd/" u] != sshpw[u]) bad = bad " sshd " u ": " sshpw[u] + 0 " login(s) through PAM auth, " cnt["auth/sshd/" u] + 0 " auth line(s);"
		}
		for (u in sudo) if (svc(u)) {
			logins += sudo[u]
			# sudo opens its PAM session for the target user (root), which
			# the module ignores: the account line is the record of a sudo
			if (cnt["account/sudo/" u] != sudo[u]) bad = bad " sudo " u ": " sudo[u] " run(s), " cnt["account/sudo/" u] + 0 " account line(s);"
			if (cnt["auth/sudo/" u] > sudo[u]) bad = bad " sudo " u ": " cnt["auth/sudo/" u] " auth line(s);"
		}
		for (k in cnt) { split(k, p, "/"); if (p[1] == "account") other[p[2] "/" p[3]] += cnt[k] }
		for (k in other) {
			split(k, p, "/"); if (p[1] == "sshd" || p[1] == "sudo") continue
			logins += other[k]
			if (cnt["session-open/" k] != other[k]) bad = bad " " k ": " other[k] " account, " cnt["session-open/" k] + 0 " session-open line(s);"
		}
		if (dup != "") bad = bad " the same process logged twice:" dup
		print logins "|" bad
	}')
	local n=${res%%|*} bad=${res#*|}
	[ "$n" = 0 ] && [ -z "$bad" ] && return 0
	if [ -z "$bad" ]; then
		tap_ok "$where: $n login(s), each with one account line, one session-open (not sudo's: root's) and one auth where PAM authenticated"
	else
		tap_notok "$where: pam_svcacct lines per login:$bad"
		tap_diag "$(printf '%s\n' "$log" | grep -E 'Accepted|COMMAND=|svcacct: event=' | tail -20)"
	fi
}

# run_route NAME IDS...: the blocks in the container, in order. A block
# that fails is reported and the next ones run all the same (a later
# failure may follow from it: read the first one first). After each page,
# after_page checks what the page promises.
run_route() {
	local name=$1 id where out rc log t page="" prev="" failed_blocks=0
	shift
	for id in "$@"; do
		where=$(bfile "$id")
		page=${where%%:*}
		if [ -n "$prev" ] && [ "$page" != "$prev" ]; then after_page "$name" "$prev"; fi
		before_block "$name" "$id"
		cp "$W/blocks/$id.sh" "$R/docs-test/blocks/$id.sh"
		t=$(date +%s)
		out=$(ct_sh /docs-test/run "/docs-test/blocks/$id.sh" 2>&1 </dev/null)
		rc=$?
		t=$(($(date +%s) - t))
		log=$(newlog)
		printf '%s\n' "$log" >>"$LOGDIR/$name.journal"
		if [ "$rc" != 0 ]; then
			tap_notok "$name: $where ($(bsect "$id")) runs as written (exit $rc)"
			tap_diag "$(sed 's/^/  | /' "$W/blocks/$id.sh")" "output:" "$(printf '%s\n' "$out" | tail -25)"
			tap_diag "log:" "$(printf '%s\n' "$log" | tail -15)"
			failed_blocks=$((failed_blocks + 1))
			prev=$page
			continue
		fi
		tap_ok "$name: $where ($(bsect "$id")) runs as written ($t s)"
		check_logins "$name: $where" "$log"
		prev=$page
	done
	after_page "$name" "$prev"
	[ "$failed_blocks" = 0 ] || tap_diag "$name: $failed_blocks block(s) failed; the first failure is the one to read"
}

J() { cat "$LOGDIR/$1.journal"; }
# count NAME ERE: lines of the route's journal so far
count() { grep -cE -- "$2" "$LOGDIR/$1.journal"; }

before_block() {
	local name=$1 id=$2
	case "$(bfile "$id")" in
	docs/howto-fleet.md:*)
		# the bot's Keycloak client secret, where the page reads it
		if [ ! -e "$R/root/.config/svcacct/release-bot-ci.kc-secret" ]; then
			install -D -m 0600 "$I/kc-secret" "$R/root/.config/svcacct/release-bot-ci.kc-secret"
		fi ;;
	esac
}

# sshd -T of a person before any block (the distribution's sshd_config)
T_ARGS="host=ci.example.com,addr=192.0.2.10"
after_page() {
	local name=$1 page=$2 t_person t_bot diffkeys
	case $page in
	docs/howto-sshd.md)
		ok_cmd "$name: sshd -t passes" ct_sh sshd -t
		t_person=$(ct_sh sshd -T -C "user=alice,$T_ARGS")
		expect_eq "$name: sshd -T for a person is the same as with the distribution's sshd_config" \
			"$(cat "$W/$name.sshd-T.person")" "$t_person"
		t_bot=$(ct_sh sshd -T -C "user=bot,$T_ARGS")
		for l in "kbdinteractiveauthentication yes" "exposeauthinfo yes" "authorizedkeysfile none" \
			"authorizedkeyscommand /usr/sbin/svcacct authorized-keys %u %U" \
			"authorizedkeyscommanduser _svcacct-keys" "disableforwarding yes" "permittty no" \
			"permittunnel no" "permituserrc no"; do
			expect_match "$name: sshd -T for the account: $l" "^$l\$" "$t_bot"
		done
		diffkeys=$(diff <(printf '%s\n' "$t_person") <(printf '%s\n' "$t_bot") | sed -n 's/^> \([a-z]*\) .*/\1/p' | sort | tr '\n' ' ')
		expect_eq "$name: the account's sshd -T differs from a person's only in the drop-in's keywords" \
			"authorizedkeyscommand authorizedkeyscommanduser authorizedkeysfile disableforwarding exposeauthinfo kbdinteractiveauthentication permittty permituserrc " \
			"$diffkeys"
		for m in assertion secret; do
			expect_match "$name: howto-sshd: a login of bot with method=$m" "." \
				"$(grep -E "session-open result=ok account=bot .*method=$m service=sshd" "$LOGDIR/$name.journal")"
		done
		expect_match "$name: howto-sshd: a login of bot with its ssh key" "." \
			"$(grep -E "sshd\[[0-9]+\]: Accepted publickey for bot from" "$LOGDIR/$name.journal")"
		;;
	docs/howto-sudo.md)
		expect_eq "$name: howto-sudo: two sudo runs of bot (NOPASSWD, then with an assertion)" 2 \
			"$(count "$name" 'sudo\[[0-9]+\]: +bot : .*COMMAND=/usr/bin/(id|whoami)$')"
		expect_eq "$name: howto-sudo: one of them authenticated by pam_svcacct (an assertion)" 1 \
			"$(count "$name" 'event=auth result=allow account=bot .*service=sudo .*method=assertion')"
		;;
	docs/howto-daemons.md)
		after_daemons "$name" ;;
	docs/howto-fleet.md)
		after_fleet "$name" ;;
	esac
	timing "$name: $page"
}

after_daemons() {
	local name=$1 i
	ok_cmd "$name: svcd.service is active" ct_sh systemctl is-active -q svcd.service
	expect_eq "$name: its process runs as svc with the role groups" "svc svc svc,svcacct,daemons,readers" \
		"$(ct_sh ps -o user=,group=,supgrp= -C svcd | tr -s ' ' | sed 's/^ //')"
	for _ in $(seq 50); do ct_sh test -s /var/lib/svcd/heartbeat && break; sleep 0.1; done
	expect_eq "$name: its state file is svc:svc" "svc:svc" "$(ct_sh stat -c %U:%G /var/lib/svcd/heartbeat 2>&1)"
	expect_eq "$name: DynamicUser=yes with User=svc runs as the existing account (no dynamic UID)" \
		"$(ct_sh id -u svc)" "$(ct_sh systemd-run --quiet --wait --pipe -p DynamicUser=yes -p User=svc id -u 2>&1)"
	# a unit's Group= reaches initgroups as the group argument: the role
	# groups come with the account's identity, not with that argument
	expect_match "$name: User=svc Group=nogroup: the role groups too" "^nogroup( svc)? svcacct daemons readers\$" \
		"$(ct_sh systemd-run --quiet --wait --pipe -p User=svc -p Group=nogroup id -Gn 2>&1)"
	ct_sh svcacct account create twin >/dev/null
	ct_sh svcacct grant twin daemons >/dev/null
	ct_sh sh -c 'cp /etc/passwd /etc/passwd.twin && echo "twin:x:1500:65534::/nonexistent:/usr/sbin/nologin" >>/etc/passwd'
	expect_eq "$name: a files user named like an account, User=twin Group=nogroup: no role group" "nogroup" \
		"$(ct_sh systemd-run --quiet --wait --pipe -p User=twin -p Group=nogroup id -Gn 2>&1)"
	ct_sh sh -c 'mv /etc/passwd.twin /etc/passwd'
	ct_sh svcacct account delete twin >/dev/null
	expect_eq "$name: the start went through PAM once (account and session-open, service svcd)" "1 1" \
		"$(count "$name" 'event=account result=allow account=svc .*service=svcd') $(count "$name" 'event=session-open result=ok account=svc .*service=svcd')"
	newlog >>"$LOGDIR/$name.journal"
	ct_sh svcacct account disable svc >/dev/null
	ct_sh systemctl restart svcd.service
	for _ in $(seq 50); do ct_sh systemctl is-failed -q svcd.service && break; sleep 0.1; done
	ok_cmd "$name: after svcacct account disable svc, the restarted unit fails (PAMName=)" \
		ct_sh systemctl is-failed -q svcd.service
	log=$(newlog)
	printf '%s\n' "$log" >>"$LOGDIR/$name.journal"
	expect_match "$name: ... in the PAM account phase (the account's shadow entry says expired)" \
		"pam_unix\(svcd:account\): account svc has expired" "$log"
	expect_match "$name: ... before the daemon ran (status 224/PAM)" "svcd.service: Main process exited, code=exited, status=224/PAM" "$log"
	ct_sh svcacct account enable svc >/dev/null
	ct_sh systemctl restart svcd.service
	sleep 1
	ok_cmd "$name: after account enable, it runs again" ct_sh systemctl is-active -q svcd.service
	newlog >>"$LOGDIR/$name.journal"
}

after_fleet() {
	local name=$1
	expect_match "$name: howto-fleet: the manifest's account exists" '^metrics-bot:' "$(ct_sh getent passwd metrics-bot)"
	expect_eq "$name: howto-fleet: the signed manifest's serial was applied" 2 \
		"$(ct_sh cat /var/lib/svcacct/state/manifest-serial 2>&1 | cut -d' ' -f1)"
	# the pulled manifest: published on the test's HTTPS server
	cp "$R/root/fleet.jws" "$R/docs-test/idp/www/svcacct/fleet.jws"
	ok_cmd "$name: svcacct-manifest.service (docs/examples) fetches and applies it" \
		ct_sh systemctl start svcacct-manifest.service
	ok_cmd "$name: ... and keeps the download" ct_sh test -s /var/lib/svcacct-manifest/fleet.jws
	ok_cmd "$name: svcacct-manifest.timer is enabled and waiting" ct_sh systemctl is-active -q svcacct-manifest.timer
	expect_match "$name: howto-fleet: release-bot logged in with the IdP's token" "." \
		"$(grep -E 'session-open result=ok account=release-bot .*method=issuer service=sshd' "$LOGDIR/$name.journal")"
	ok_cmd "$name: svcacct-issuer-refresh.timer is enabled and waiting" \
		ct_sh systemctl is-active -q svcacct-issuer-refresh.timer
	ok_cmd "$name: svcacct-issuer-refresh.service runs under systemd (its sandbox) and refreshes" \
		ct_sh systemctl start svcacct-issuer-refresh.service
	printf '%s\n' "$(newlog)" >>"$LOGDIR/$name.journal"
	expect_match "$name: ... and says so in the journal" 'issuer keycloak: cached keys kc-docs-1' "$(J "$name")"
}

# boot NAME: a fresh host with the IdP's CA trusted, a person, the runner
boot() {
	local name=$1
	ct_make "$name" || { tap_notok "$name: overlay root with the distribution's configuration"; return 1; }
	mkdir -p "$R/docs-test/blocks"
	write_runner
	cp -r "$I" "$R/docs-test/idp"
	cp "$I/ca.crt" "$R/usr/local/share/ca-certificates/svcacct-docs-test.crt"
	CT_CONSOLE=$LOGDIR/$name.console
	ct_boot || {
		tap_notok "$name: systemd boots in the container"
		tap_diag "its PID 1 seen from here: ${CT_PID:-not found}; the console's end:"
		tap_diag "$(tail -20 "$CT_CONSOLE")"
		return 1
	}
	tap_ok "$name: systemd boots the host (an overlay of / with the distribution's configuration, nspawn)"
	ct_sh update-ca-certificates >/dev/null 2>&1
	ct_sh useradd -m -s /bin/bash alice
	ct_sh ip addr add 192.0.2.1/32 dev lo
	newlog >/dev/null
	: >"$LOGDIR/$name.journal"
	ct_sh sshd -T -C "user=alice,$T_ARGS" >"$W/$name.sshd-T.person"
	# the HTTPS servers of howto-fleet.md, in the container's network
	(nsenter -t "$CT_PID" -a -r env -i /usr/bin/python3 /docs-test/idp/idp.py /docs-test/idp \
		</dev/null >"$LOGDIR/$name.idp.log" 2>&1 &)
	for _ in $(seq 50); do [ -e "$R/docs-test/idp/ready" ] && break; sleep 0.1; done
}

route_pk() {
	boot pk || return 1
	timing "packages host booted"
	cp "$PKG"/svcacct_*.deb "$PKG"/libnss-svcacct_*.deb "$PKG"/libpam-svcacct_*.deb "$R/root/"
	cp "$src/docs/examples/svcacct-manifest.service" "$src/docs/examples/svcacct-manifest.timer" "$R/root/"
	cp "$IDP/ca.crt" "$R/root/fleet-ca.pem"
	# shellcheck disable=SC2086
	run_route pk $ROUTE_PKG
	expect_eq "pk: after every page, no unit failed" "" \
		"$(ct_sh systemctl list-units --failed --plain --no-legend | awk '{print $1}')"
}

route_src() {
	boot src || return 1
	mkdir -p "$R/root/svcacct"
	docs_tree_copy "$R/root/svcacct"
	echo /root/svcacct >"$R/docs-test/session.cwd"
	# make runs with both CPUs (the README's line is plain "make")
	echo 'export MAKEFLAGS=-j2' >"$R/docs-test/session.env"
	# shellcheck disable=SC2086
	run_route src $ROUTE_SRC
}

IDP=$I
# SVCACCT_DOCS_ROUTES: a developer's choice of routes (default: both)
ROUTES=${SVCACCT_DOCS_ROUTES:-pk src}
# nspawn's files under /run/systemd/nspawn go to a /run of this namespace
mount -t tmpfs -o mode=755 tmpfs /run && CT_RUN=1
# The two hosts run at the same time: the source route spends its time
# compiling, the packages route mostly waiting for logins. The source
# route's TAP lines are numbered here afterwards.
SRC_PID=
if [ "${ROUTES#*src}" != "$ROUTES" ]; then
	(
		trap 'ct_stop' EXIT
		trap 'exit 1' TERM
		TAP_N=0 TAP_FAILED=0
		route_src
		ct_stop
		timing "source route"
	) >"$W/src.tap" 2>&1 &
	SRC_PID=$!
fi
if [ "${ROUTES#*pk}" != "$ROUTES" ]; then
	route_pk
	ct_stop
	timing "packages route"
fi
if [ -n "$SRC_PID" ]; then
	wait "$SRC_PID"
	SRC_PID=
	while IFS= read -r l; do
		case $l in
		"ok "*) tap_ok "${l#ok * - }" ;;
		"not ok "*) tap_notok "${l#not ok * - }" ;;
		*) printf '%s\n' "$l" ;;
		esac
	done <"$W/src.tap"
fi

done_testing
[ "$TAP_FAILED" = 0 ]
