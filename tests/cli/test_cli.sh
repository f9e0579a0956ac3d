#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct(8), the admin CLI: every verb, with good and bad input.
#
# Each scenario runs against a private store: a temporary directory with its
# own svcacct.conf (db_dir, state_dir, home_base inside it). Every refused
# command is checked three ways: its exit status (1 failure, 2 usage), a
# clear message on stderr, and a store left exactly as it was (generations,
# export, state files, home directories). Runs as root (TAP).
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct setpriv openssl python3

# jwcrypto builds the JWK test files; Debian's python3-jwcrypto lives in
# /usr/bin/python3, which another python3 on PATH may shadow.
JPY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import jwcrypto' 2>/dev/null; then JPY=$p; break; fi
done

cli_cleanup_on_exit

# ------------------------------------------------------------------ helpers

# new_env [CONF-LINE...]: a fresh store; sets T (its directory) and CONF.
new_env() { cli_store_setup cli "$@"; }
sv() { "$SV" --conf "$CONF" "$@"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
svn() { nobody "$SV" --conf "$CONF" "$@"; }

# jf JSON EXPR: a python expression over the parsed document j.
jf() {
	printf '%s' "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$2" 2>&1
}
# json_fields PREFIX JSON: reads rows "DESC|WANT|KEY" (each_row) on stdin;
# for each, an expect_eq "PREFIX: DESC" that j[KEY] of JSON prints as WANT.
json_fields() {
	local json_prefix="$1" json_doc="$2"
	each_row json_field
}
# json_field DESC WANT KEY: one row of json_fields (its json_prefix and
# json_doc).
json_field() { expect_eq "$json_prefix: $1" "$2" "$(jf "$json_doc" "j[\"$3\"]")"; }

# Everything a change could touch: published generations, the content
# (export), the state files, leftovers in the db dir, home directories.
snap() {
	sv generations 2>&1
	sv export 2>&1
	ls -A "$T/db" "$T/home" 2>&1
	find "$T/state" -maxdepth 1 -type f -exec md5sum {} + 2>&1
}

# refused DESC RC REGEX CMD...: exit status RC, REGEX on stderr, no secret
# on stderr, store unchanged.
refused() {
	local d="$1" want="$2" re="$3"; shift 3
	cli_refused_run "$want" "$re" "$@"
	printf '%s' "$ERR" | grep -Eq 'svcs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}' &&
		WHY="${WHY}a secret on stderr; "
	cli_verdict "$d" "$@"
}
# refused_if_host NAME DESC SKIP-DESC SKIP-WHY REGEX CMD...: with NAME set
# (a host user or group found), the refused check (exit 1) of CMD; without
# one, a skip.
refused_if_host() {
	local name="$1" d="$2" sd="$3" why="$4"
	shift 4
	if [ -n "$name" ]; then
		refused "$d" 1 "$@"
	else tap_skip "$sd" "$why"; fi
}
# noop DESC REGEX CMD...: exit 0, REGEX in the output, store unchanged.
noop() {
	local d="$1" re="$2"; shift 2
	local before after
	before=$(snap)
	run "$@"
	after=$(snap)
	if [ "$RC" = 0 ] && printf '%s' "$OUT$ERR" | grep -Eq -- "$re" &&
		[ "$before" = "$after" ]; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "command: $*" "rc=$RC" "stdout: $OUT" "stderr: $ERR"
	fi
}
# changed DESC CMD...: exit 0 and a new generation published.
changed() {
	local d="$1"; shift
	local g0 g1
	g0=$(readlink "$T/db/current" 2>/dev/null)
	run "$@"
	g1=$(readlink "$T/db/current" 2>/dev/null)
	if [ "$RC" = 0 ] && [ -n "$g1" ] && [ "$g0" != "$g1" ]; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "command: $*" "rc=$RC current: $g0 -> $g1" "stdout: $OUT" "stderr: $ERR"
	fi
}
cur_gen() { readlink "$T/db/current" | sed 's/^gen-0*//'; }
# A process is alive if it exists and is not a zombie.
alive() {
	local s
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$s" ] && [ "$s" != Z ]
}
reap() {
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
SECRET_RE='^svcs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}_[0-9a-f]{8}$'

# ------------------------------------------------------------------ key files
cli_keydir cli
(
	cd "$KD" || exit 1
	cli_keypair b256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
	for b in 1024 2048; do
		cli_keypair rsa$b -algorithm RSA -pkeyopt rsa_keygen_bits:$b
	done
	cli_keypair ed -algorithm ED25519
	{ cat P-256.pub; echo "trailing junk"; } >trail.pub
	echo "not a key at all" >junk.pub
) >/dev/null 2>&1
if [ -n "$JPY" ]; then
	(cd "$KD" && "$JPY" - <<'EOF'
import json
from jwcrypto import jwk
def pub(k): return json.loads(k.export_public())
ec = jwk.JWK.generate(kty='EC', crv='P-256', kid='jwk-ec')
open('jwk.json', 'w').write(ec.export_public())
open('jwkpriv.json', 'w').write(ec.export_private())
p = pub(ec); p['use'] = 'enc'
open('jwkenc.json', 'w').write(json.dumps(p))
p = pub(ec); p['alg'] = 'ES384'
open('jwkalg.json', 'w').write(json.dumps(p))
p = pub(ec)
s = json.dumps(p)
# the same member twice: the last must not silently win
open('jwkdup.json', 'w').write(s[:-1] + ', "x": "' + p['x'] + '"}')
r = jwk.JWK.generate(kty='RSA', size=2048, kid='jwks-rsa')
e = jwk.JWK.generate(kty='EC', crv='P-384', kid='jwks-ec')
bad = jwk.JWK.generate(kty='RSA', size=1024, kid='jwks-weak')
e2 = jwk.JWK.generate(kty='EC', crv='P-256', kid='jwks-ec2')
open('jwks.json', 'w').write(json.dumps({'keys': [pub(r), pub(e)]}))
open('jwksbad.json', 'w').write(json.dumps({'keys': [pub(e2), pub(bad)]}))
open('jwksprv.json', 'w').write(json.dumps({'keys': [pub(e2), json.loads(r.export_private())]}))
EOF
	) 2>&1 | sed 's/^/# /'
fi
chmod 644 "$KD"/*
ok_cmd "test keys generated (openssl)" test -s "$KD/P-521.pub" -a -s "$KD/rsa1024.pub" -a -s "$KD/ed.pub"

# ------------------------------------------------------------------ config
new_env
ok_cmd "--conf FILE: a store is created" sv account create cfgbot --no-home
expect_rc "--conf FILE: the account is there" 0 "" sv account show cfgbot
CONF_A=$CONF T_A=$T
new_env
ok_cmd "second store: created" sv account create otherbot --no-home
CONF_B=$CONF
expect_rc "SVCACCT_CONF selects the file" 0 "" env SVCACCT_CONF="$CONF_A" "$SV" account show cfgbot
run env SVCACCT_CONF="$CONF_A" "$SV" --conf "$CONF_B" account list
expect_match "--conf wins over SVCACCT_CONF" "otherbot" "$OUT"
expect_nomatch "--conf wins over SVCACCT_CONF (other store not read)" "cfgbot" "$OUT"
expect_rc "SVCACCT_CONF naming a missing file is an error" 1 \
	"$T/nope\.conf: No such file" env SVCACCT_CONF="$T/nope.conf" "$SV" account list
expect_rc "--conf naming a missing file is an error" 1 \
	"configuration: $T/missing\.conf: No such file" "$SV" --conf "$T/missing.conf" account list
had=$([ -e /var/lib/svcacct/db ] && echo yes || echo no)
run "$SV" --conf "$T/missing.conf" account create ghost
expect_eq "missing --conf: no fallback to the default store" "1 $had" "$RC $([ -e /var/lib/svcacct/db ] && echo yes || echo no)"

CONF=$CONF_A T=$T_A
chmod 666 "$CONF"
refused "world-writable config refused, naming the file" 1 \
	"$CONF: writable by group or others" sv account create wbot
chmod 664 "$CONF"
refused "group-writable config refused" 1 "$CONF: writable by group or others" sv account list
chmod 644 "$CONF"
chown nobody "$CONF"
refused "config owned by nobody refused, naming the file" 1 \
	"$CONF: owned by uid 65534, not root" sv account create wbot
chown root "$CONF"
chmod 777 "$T"
refused "config in a world-writable directory refused" 1 \
	"$T: writable by group or others" sv account create wbot
chmod 755 "$T"
expect_rc "config restored: works again" 0 "" sv account show cfgbot

# conf_bad DESC REGEX LINE...: config with these extra lines (from line 5)
conf_bad() {
	local d="$1" re="$2"; shift 2
	new_env "$@"
	run sv account create cbot
	if [ "$RC" = 1 ] && printf '%s' "$ERR" | grep -Eq -- "$re" && [ ! -e "$T/db" ]; then
		tap_ok "$d"
	else
		tap_notok "$d"
		tap_diag "config: $*" "rc=$RC" "stderr: $ERR" "db: $(ls "$T" 2>&1)"
	fi
}
conf_bad "unknown key: FILE:LINE in the message" 'svcacct\.conf:5: unknown key .frobnicate' "frobnicate = 1"
conf_bad "non-numeric uid_min: FILE:LINE" 'svcacct\.conf:6: uid_min: .abc. is not a number' "# comment" "uid_min = abc"
conf_bad "uid_min below 1000: FILE:LINE" 'svcacct\.conf:5: uid_min: 500 out of range' "uid_min = 500"
conf_bad "keep_generations 1: FILE:LINE" 'svcacct\.conf:5: keep_generations: 1 out of range' "keep_generations = 1"
conf_bad "bad boolean: FILE:LINE" 'svcacct\.conf:5: enumerate: .maybe. is not yes or no' "enumerate = maybe"
conf_bad "line without '=': FILE:LINE" "svcacct\\.conf:5: expected 'key = value'" "uid_min 70000"
conf_bad "empty value: FILE:LINE" 'svcacct\.conf:5: uid_max: empty value' "uid_max ="
conf_bad "relative db_dir: FILE:LINE" 'svcacct\.conf:5: db_dir: .relative/db. is not a plain absolute path' "db_dir = relative/db"
conf_bad "UID range over 65534 refused" 'svcacct\.conf.*65534' "uid_min = 60000" "uid_max = 66000"
conf_bad "uid_min > uid_max refused" 'svcacct\.conf.*uid_min > uid_max' "uid_min = 75000" "uid_max = 74000"
conf_bad "UID and GID ranges overlapping refused" 'svcacct\.conf.*overlaps' "gid_min = 70500"
new_env
mkdir -m 777 "$T/ww"
{ echo "db_dir = $T/ww/db"; } >>"$CONF"
run sv account create cbot
expect_eq "db_dir inside a world-writable directory refused" "1 yes no" \
	"$RC $(printf '%s' "$ERR" | grep -q "$T/ww: writable by group or others" && echo yes) $([ -e "$T/ww/db" ] && echo yes || echo no)"

# ------------------------------------------------------------------ usage, help
new_env
sv account create helpbot --no-home >/dev/null 2>&1
expect_rc "svcacct --help: exit 0" 0 "usage: svcacct" sv --help
expect_rc "svcacct --version: exit 0" 0 "svcacct [0-9]" sv --version
expect_rc "svcacct with no command: exit 2" 2 "usage:" sv
for v in "account create" "account list" "account show" "account delete" \
	"account enable" "account disable" "account set" "role create" \
	"role list" "role show" "role delete" "role set" "grant" "revoke" \
	"secret add" "secret list" "secret revoke" "key add" "key list" \
	"key remove" "export" "import" "check" "rollback" "generations" \
	"account" "role" "secret" "key"; do
	# shellcheck disable=SC2086
	run sv $v --help
	if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -Eq "^usage: svcacct ${v%% *}"; then
		tap_ok "$v --help: exit 0 and usage on stdout"
	else
		tap_notok "$v --help: exit 0 and usage on stdout"
		tap_diag "rc=$RC" "stdout: $OUT" "stderr: $ERR"
	fi
done
refused "unknown noun: exit 2" 2 "unknown command 'frobnicate'" sv frobnicate
refused "unknown verb (account): exit 2" 2 "unknown verb 'account frob'" sv account frob
refused "unknown verb (role): exit 2" 2 "unknown verb 'role frob'" sv role frob
refused "unknown verb (secret): exit 2" 2 "unknown verb 'secret frob'" sv secret frob
refused "unknown verb (key): exit 2" 2 "unknown verb 'key frob'" sv key frob
refused "unknown global option: exit 2" 2 "usage:" sv --frob account list
refused "account without verb: exit 2" 2 "usage:" sv account
refused "role without verb: exit 2" 2 "usage:" sv role
refused "account create without NAME: exit 2" 2 "usage: svcacct account create" sv account create
refused "account create with two names: exit 2" 2 "usage:" sv account create a b
refused "account create --uid without value: exit 2" 2 "incomplete option" sv account create ubot --uid
refused "account create --frob: exit 2" 2 "unknown or incomplete option '--frob'" sv account create fbot --frob
refused "account create --stop (other verb's option): exit 2" 2 "unknown or incomplete option" sv account create sbot --stop
refused "account list with an argument: exit 2" 2 "usage:" sv account list extra
refused "account show without NAME: exit 2" 2 "usage:" sv account show
refused "account delete without NAME: exit 2" 2 "usage:" sv account delete
refused "account enable without NAME: exit 2" 2 "usage:" sv account enable
refused "account disable without NAME: exit 2" 2 "usage:" sv account disable
refused "account set without NAME: exit 2" 2 "usage:" sv account set
refused "role create without ROLE: exit 2" 2 "usage: svcacct role create" sv role create
refused "role show without ROLE: exit 2" 2 "usage:" sv role show
refused "role delete without ROLE: exit 2" 2 "usage:" sv role delete
refused "role set without ROLE: exit 2" 2 "usage:" sv role set
refused "grant without ROLE: exit 2" 2 "usage: svcacct grant" sv grant helpbot
refused "revoke without arguments: exit 2" 2 "usage: svcacct revoke" sv revoke
refused "secret add without NAME: exit 2" 2 "usage:" sv secret add
refused "secret list without NAME: exit 2" 2 "usage:" sv secret list
refused "secret revoke without ID: exit 2" 2 "usage:" sv secret revoke helpbot
refused "key add without a key file: exit 2" 2 "usage:" sv key add helpbot
refused "key add with --pem and --jwk: exit 2" 2 "usage:" sv key add helpbot --pem "$KD/P-256.pub" --jwk "$KD/P-256.pub"
refused "key list without NAME: exit 2" 2 "usage:" sv key list
refused "key remove without KID: exit 2" 2 "usage:" sv key remove helpbot
refused "import without FILE: exit 2" 2 "usage:" sv import
refused "export with an argument: exit 2" 2 "usage:" sv export extra
refused "check with an argument: exit 2" 2 "usage:" sv check --bogus
refused "generations with an argument: exit 2" 2 "usage:" sv generations extra
refused "rollback with two arguments: exit 2" 2 "usage:" sv rollback 1 2
refused "rollback abc: exit 2" 2 "usage:" sv rollback abc
refused "rollback 0: exit 2" 2 "usage:" sv rollback 0
refused "rollback -1: exit 2" 2 "usage:" sv rollback -1

# ------------------------------------------------------------------ accounts
new_env "uid_min = 71000" "uid_max = 71999" "gid_min = 81001" "gid_max = 81999" "base_gid = 81000"
changed "account create alpha with every option" sv account create alpha \
	--description "Alpha bot" --owner "team-a@example.com" --shell /bin/sh \
	--expires 2030-06-15
expect_match "create says name and uid" "created account alpha \(uid 71000\)" "$OUT"
expect_eq "create prints nothing on stderr" "" "$ERR"
J=$(sv --json account show alpha)
json_fields "show --json" "$J" <<EOF
name|alpha|name
uid = uid_min|71000|uid
gid = uid (user-private group)|71000|gid
description|Alpha bot|description
owner|team-a@example.com|owner
home under home_base|$T/home/alpha|home
shell|/bin/sh|shell
state|enabled|state
expires|2030-06-15|expires
roles = the base role|["svcacct"]|roles
home_writable|false|home_writable
EOF
expect_match "show --json: created is a UTC time" "$ISO" "$(jf "$J" 'j["created"]')"
expect_match "show --json: updated is a UTC time" "$ISO" "$(jf "$J" 'j["updated"]')"
expect_eq "show --json: exactly the documented fields" \
	'["created", "description", "expires", "gid", "home", "home_writable", "methods", "name", "owner", "roles", "shell", "state", "uid", "updated"]' \
	"$(jf "$J" 'sorted(j)')"
run sv account show alpha
expect_match "show (text): name line" "^name +alpha" "$OUT"
expect_match "show (text): uid line" "uid +71000" "$OUT"
expect_match "show (text): roles line" "roles +svcacct" "$OUT"
expect_eq "home: created root-owned 0755" "0:0 755" "$(stat -c '%u:%g %a' "$T/home/alpha" 2>&1)"

changed "account create beta (defaults)" sv --json account create beta
expect_eq "create --json: name and uid" '{"name": "beta", "uid": 71001}' "$(jf "$OUT" 'j')"
J=$(sv --json account show beta)
expect_eq "uid allocation is sequential" "71001" "$(jf "$J" 'j["uid"]')"
expect_eq "default shell when none given" "/usr/sbin/nologin" "$(jf "$J" 'j["shell"]' | sed 's#.*/svcacct-shell$#/usr/sbin/nologin#')"
expect_eq "default expiry is never" "never" "$(jf "$J" 'j["expires"]')"
changed "account create gamma --home-writable" sv account create gamma --home-writable
expect_eq "home-writable: 0700 owned by the account" "71002:71002 700" "$(stat -c '%u:%g %a' "$T/home/gamma" 2>&1)"
expect_eq "home-writable: show says so" "true" "$(jf "$(sv --json account show gamma)" 'j["home_writable"]')"
changed "account set gamma --home-private" sv account set gamma --home-private
expect_eq "home-private: the home is root's 0755 again" "0:0 755" "$(stat -c '%u:%g %a' "$T/home/gamma" 2>&1)"
changed "account set gamma --home-writable" sv account set gamma --home-writable
expect_eq "home-writable on set: 0700 owned by the account" "71002:71002 700" "$(stat -c '%u:%g %a' "$T/home/gamma" 2>&1)"
# a home replaced by a symlink is not followed: its target keeps its owner
mkdir -p "$T/elsewhere"
rm -rf "$T/home/gamma"
ln -s "$T/elsewhere" "$T/home/gamma"
sv account set gamma --home-private >/dev/null 2>&1
sv account set gamma --home-writable >/dev/null 2>&1
expect_eq "home that is a symlink: its target is not chowned" "0:0" "$(stat -c '%u:%g' "$T/elsewhere")"
rm -f "$T/home/gamma"
# a home that cannot be made is a warning, not a refusal: the account is
# committed before its home is made
SAVE_T=$T SAVE_CONF=$CONF
new_env
: >"$T/hb"
sed -i "s#^home_base = .*#home_base = $T/hb#" "$CONF"
expect_rc "home that cannot be made: a warning, the account created (exit 0)" 0 \
	"^svcacct: warning: cannot create $T/hb/delta: Not a directory" sv account create delta
expect_rc "... and the account is there" 0 "" sv account show delta
T=$SAVE_T CONF=$SAVE_CONF
changed "account create delta --no-home" sv account create delta --no-home
expect_eq "--no-home: no directory" "absent" "$([ -e "$T/home/delta" ] && echo present || echo absent)"
changed "account create epsilon --home elsewhere" sv account create epsilon --home /srv/epsilon-test-home --no-home
expect_eq "--home is recorded" "/srv/epsilon-test-home" "$(jf "$(sv --json account show epsilon)" 'j["home"]')"
changed "account create with an explicit --uid" sv account create zeta --uid 71500
expect_eq "explicit uid recorded" "71500" "$(jf "$(sv --json account show zeta)" 'j["uid"]')"
changed "allocation continues above the explicit uid" sv account create eta --no-home
expect_eq "next allocated uid is 71501" "71501" "$(jf "$(sv --json account show eta)" 'j["uid"]')"
changed "account create --expires never" sv account create theta --expires never --no-home
expect_eq "--expires never" "never" "$(jf "$(sv --json account show theta)" 'j["expires"]')"
changed "name of 32 characters accepted" sv account create "$(printf 'a%.0s' {1..32})" --no-home
changed "name with _ - and digits accepted" sv account create _b-1_x --no-home

J=$(sv --json account list)
expect_eq "list --json: sorted by name" \
	'["_b-1_x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "alpha", "beta", "delta", "epsilon", "eta", "gamma", "theta", "zeta"]' \
	"$(jf "$J" '[a["name"] for a in j]')"
expect_eq "list --json: uids" '[71504, 71503, 71000, 71001, 71003, 71004, 71501, 71002, 71502, 71500]' \
	"$(jf "$J" '[a["uid"] for a in j]')"
expect_eq "list --json: same fields as show" "$(jf "$(sv --json account show alpha)" 'j')" \
	"$(jf "$J" '[a for a in j if a["name"] == "alpha"][0]')"
run sv account list
expect_match "list (text): header" "^NAME +UID +STATE +EXPIRES +ROLES" "$OUT"
expect_match "list (text): a row" "alpha +71000 enabled +2030-06-15 svcacct" "$OUT"
expect_eq "list (text): one row per account" "11" "$(printf '%s\n' "$OUT" | wc -l)"

# refusals
refused "duplicate account refused" 1 "account 'alpha' already exists" sv account create alpha
refused "duplicate account refused (other options)" 1 "already exists" sv account create alpha --uid 71900
refused "taken uid refused" 1 "UID 71500 is already taken" sv account create uid1 --uid 71500
for u in 70999 72000 999 0 65534 4294967295; do
	refused "--uid '$u' refused (outside range)" 1 "outside the configured range" sv account create uid2 --uid "$u"
done
for u in 4294967296 -5 abc 71000x ""; do
	refused "--uid '$u' refused (not a number)" 1 "is not a number" sv account create uid2 --uid "$u"
done
for n in Alpha BOT 1bot 12345 "$(printf 'a%.0s' {1..33})" root svcacct -bot bot.x "bot name" "" "bötli" "bot:x" 'bot$'; do
	refused "bad name '$n' refused" 1 "name '.*' (is invalid|is all digits|is reserved|must be 1 to 32)" sv account create -- "$n"
done
refused "reserved name 'daemon' refused" 1 "'daemon' (is reserved|already exists)" sv account create daemon
refused "reserved name 'adm' refused" 1 "'adm' (is reserved|already exists)" sv account create adm
HOSTUSER=
for u in mail games man lp news uucp proxy backup list irc; do
	if getent passwd "$u" >/dev/null; then HOSTUSER=$u; break; fi
done
HOSTGROUP=
for g in cdrom dialout floppy plugdev audio video tape fax voice src operator; do
	if getent group "$g" >/dev/null && ! getent passwd "$g" >/dev/null; then HOSTGROUP=$g; break; fi
done
refused_if_host "$HOSTUSER" "name of a host user ('$HOSTUSER') refused" "name of a host user refused" "no host user found" \
	"'$HOSTUSER' already exists as a user or group on this host" sv account create "$HOSTUSER"
refused_if_host "$HOSTGROUP" "name of a host group ('$HOSTGROUP') refused" "name of a host group refused" "no host group found" \
	"'$HOSTGROUP' already exists as a user or group on this host" sv account create "$HOSTGROUP"
refused "description with ':' refused" 1 "description may not contain ':'" sv account create d1 --description "a:b"
refused "description with a newline refused" 1 "description contains a control character" sv account create d1 --description "$(printf 'a\nb')"
refused "description of 256 bytes refused" 1 "description is longer than 255" sv account create d1 --description "$(printf 'x%.0s' {1..256})"
refused "owner with ':' refused" 1 "owner may not contain ':'" sv account create d1 --owner "x:y"
refused "relative --home refused" 1 "home 'home/d1' is not an absolute path" sv account create d1 --home home/d1
refused "--home with .. refused" 1 "not a normalised path" sv account create d1 --home /srv/../etc
refused "relative --shell refused" 1 "shell 'sh' is not an absolute path" sv account create d1 --shell sh
for d in 2025-02-30 2025-13-01 2025-00-10 2025-1-01 yesterday 12/31/2030 "" 2030-06-15x 1969-12-31; do
	refused "--expires '$d' refused" 1 "bad --expires" sv account create d1 --expires "$d"
done
refused "--role unknown refused (no uid burnt)" 1 "unknown role 'nosuch'" sv account create d1 --role nosuch
refused "show of an unknown account" 1 "no account 'nosuch'" sv account show nosuch
refused "delete of an unknown account" 1 "no account 'nosuch'" sv account delete nosuch
refused "enable of an unknown account" 1 "no account 'nosuch'" sv account enable nosuch
refused "disable of an unknown account" 1 "no account 'nosuch'" sv account disable nosuch
refused "set of an unknown account" 1 "no account 'nosuch'" sv account set nosuch --owner x

# set
changed "account set with every option" sv account set alpha --description "Alpha v2" \
	--owner ops --shell /bin/bash --expires never --home "$T/home/alpha2" --home-writable
J=$(sv --json account show alpha)
expect_eq "set: description, owner, shell, expires, home, home_writable" \
	"Alpha v2|ops|/bin/bash|never|$T/home/alpha2|true" \
	"$(jf "$J" '"|".join(str(j[k]) if k != "home_writable" else str(j[k]).lower() for k in ("description","owner","shell","expires","home","home_writable"))')"
expect_eq "set: uid unchanged" "71000" "$(jf "$J" 'j["uid"]')"
changed "account set --home-private" sv account set alpha --home-private
expect_eq "--home-private clears home_writable" "false" "$(jf "$(sv --json account show alpha)" 'j["home_writable"]')"
changed "account set --expires DATE" sv account set alpha --expires 2031-01-31
expect_eq "set --expires recorded" "2031-01-31" "$(jf "$(sv --json account show alpha)" 'j["expires"]')"
refused "set --uid refused: the uid never changes" 1 "UID of an account cannot change" sv account set alpha --uid 71600
refused "set --expires 2025-02-30 refused" 1 "bad --expires" sv account set alpha --expires 2025-02-30
refused "set --description with ':' refused" 1 "may not contain ':'" sv account set alpha --description "x:y"
refused "set --home relative refused" 1 "not an absolute path" sv account set alpha --home rel
refused "set --role unknown refused" 1 "unknown role 'nosuch'" sv account set alpha --role nosuch
refused "set --no-home (create-only option): exit 2" 2 "unknown or incomplete option" sv account set alpha --no-home

# enable / disable
changed "account disable" sv account disable beta
expect_match "disable mentions running processes" "processes already running as beta keep running" "$OUT"
expect_eq "disabled: state shown" "disabled" "$(jf "$(sv --json account show beta)" 'j["state"]')"
expect_match "disabled: list shows it" "beta +71001 disabled" "$(sv account list)"
changed "account enable" sv account enable beta
expect_eq "enabled: state shown" "enabled" "$(jf "$(sv --json account show beta)" 'j["state"]')"
refused "account enable --stop: exit 2" 2 "unknown or incomplete option" sv account enable beta --stop

# disable --stop kills the account's processes, and only with --stop
setpriv --reuid=71001 --regid=71001 --clear-groups sleep 100 &
P1=$!
BGPIDS+=("$P1")
setpriv --reuid=71002 --regid=71002 --clear-groups sleep 100 &
P2=$!
BGPIDS+=("$P2")
sleep 0.3
ok_cmd "a process runs as beta's uid" alive "$P1"
sv account disable beta >/dev/null
sleep 0.3
ok_cmd "disable without --stop leaves it running" alive "$P1"
sv account enable beta >/dev/null
changed "account disable --stop" sv account disable beta --stop
expect_match "disable --stop says so" "disabled account beta and stopped its processes" "$OUT"
for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$P1" || break; sleep 0.1; done
fail_cmd "disable --stop killed beta's process" alive "$P1"
ok_cmd "disable --stop spared another account's process" alive "$P2"
reap "$P1"
reap "$P2"
expect_eq "disable --stop: state disabled" "disabled" "$(jf "$(sv --json account show beta)" 'j["state"]')"

# delete; the uid is never reused
changed "account delete" sv account delete beta
expect_match "delete says the uid is retired" "uid 71001 is retired" "$OUT"
refused "deleted account is gone" 1 "no account 'beta'" sv account show beta
expect_nomatch "deleted account not listed" "beta" "$(sv account list)"
refused "deleted uid not reusable with --uid" 1 "UID 71001 was handed out before \(to a deleted or rolled-back account\) and is never reused" sv account create beta2 --uid 71001
changed "a new account after the delete" sv account create iota --no-home
expect_eq "allocation does not reuse the deleted uid" "71505" "$(jf "$(sv --json account show iota)" 'j["uid"]')"
changed "same name can be created again (new uid)" sv account create beta --no-home
expect_eq "recreated account has a new uid" "71506" "$(jf "$(sv --json account show beta)" 'j["uid"]')"

# ------------------------------------------------------------------ uid exhaustion
new_env "uid_min = 72000" "uid_max = 72002" "gid_min = 82001" "gid_max = 82002" "base_gid = 82000"
sv account create u1 --no-home >/dev/null && sv account create u2 --no-home >/dev/null && sv account create u3 --no-home >/dev/null
expect_eq "three accounts fill 72000-72002" "72000 72001 72002" \
	"$(for a in u1 u2 u3; do jf "$(sv --json account show $a)" 'j["uid"]'; done | xargs)"
refused "UID range exhausted" 1 "no free UID left in 72000-72002" sv account create u4
sv account delete u2 >/dev/null
refused "a deleted uid does not refill the range" 1 "no free UID left" sv account create u4
refused "nor can it be taken with --uid" 1 "never reused" sv account create u4 --uid 72001
sv role create r1 >/dev/null && sv role create r2 >/dev/null
refused "GID range exhausted" 1 "no free GID left in 82001-82002" sv role create r3
sv role delete r1 >/dev/null
refused "a deleted gid does not refill the range" 1 "no free GID left" sv role create r3
refused "nor can it be taken with --gid" 1 "GID 82001 was handed out before \(to a deleted or rolled-back role\) and is never reused" sv role create r3 --gid 82001

# ------------------------------------------------------------------ roles
new_env "uid_min = 71000" "uid_max = 71999" "gid_min = 81001" "gid_max = 81999" "base_gid = 81000"
sv account create alpha --no-home >/dev/null
changed "role create with every option" sv role create ops --force --description "Operators" \
	--services sshd,sudo,cron --from 192.0.2.0/24,2001:db8::/32,local,10.1.2.3/32,::1/128 \
	--command /usr/bin/uptime --command "/usr/bin/systemctl restart app"
expect_match "role create says name and gid" "created role ops \(gid 81001\)" "$OUT"
J=$(sv --json role show ops)
json_fields "role show --json" "$J" <<'EOF'
gid = gid_min|81001|gid
description|Operators|description
services|["sshd", "sudo", "cron"]|services
from|["192.0.2.0/24", "2001:db8::/32", "local", "10.1.2.3/32", "::1/128"]|from
commands|["/usr/bin/uptime", "/usr/bin/systemctl restart app"]|commands
no members|[]|members
EOF
expect_match "role show --json: created" "$ISO" "$(jf "$J" 'j["created"]')"
run sv role show ops
expect_match "role show (text): services" "services +sshd,sudo,cron" "$OUT"
expect_match "role show (text): commands" "commands +/usr/bin/uptime \| /usr/bin/systemctl restart app" "$OUT"
changed "role create web (defaults)" sv --json role create web
expect_eq "role create --json" '{"gid": 81002, "name": "web"}' "$(jf "$OUT" 'j')"
J=$(sv --json role show web)
expect_eq "role defaults: no services, sources, commands" '[[], [], []]' "$(jf "$J" '[j["services"], j["from"], j["commands"]]')"
changed "role create --gid" sv role create db --gid 81500
expect_eq "explicit gid recorded" "81500" "$(jf "$(sv --json role show db)" 'j["gid"]')"
changed "role create after an explicit gid" sv role create cache
expect_eq "gid allocation continues above it" "81501" "$(jf "$(sv --json role show cache)" 'j["gid"]')"
J=$(sv --json role list)
expect_eq "role list --json: sorted names" '["cache", "db", "ops", "web"]' "$(jf "$J" '[r["name"] for r in j]')"
expect_eq "role list --json: gids and member counts" '[[81501, 0], [81500, 0], [81001, 0], [81002, 0]]' \
	"$(jf "$J" '[[r["gid"], r["member_count"]] for r in j]')"
expect_match "role list (text)" "ops +81001 +0 sshd,sudo,cron +192.0.2.0/24" "$(sv role list)"

for s in 10.0.0.0/33 host.example 1.2.3.4 2001:db8::/129 300.1.1.1/8 10.0.0.0/ /24 "local,10.0.0.0/33" "10.0.0.0/8 " "10.0.0.0/-1" "::1" "localhost"; do
	refused "--from '$s' refused" 1 "bad source" sv role create badsrc --from "$s"
done
# the message says what is wrong with a source, and for host bits which
# network was probably meant
refused "--from host bits: names the network" 1 "bad source '10.0.0.5/8': host bits set: the network is 10.0.0.0/8, or write the host as 10.0.0.5/32" \
	sv role create badsrc --from 10.0.0.5/8
refused "--from IPv6 host bits: names the network" 1 "bad source 'fe80::1/64': host bits set: the network is fe80::/64" \
	sv role create badsrc --from fe80::1/64
refused "--from prefix out of range: says so" 1 "bad source '10.0.0.0/33': prefix length must be 0 to 32" \
	sv role create badsrc --from 10.0.0.0/33
refused "--from without a prefix: says so" 1 "bad source '192.0.2.1': no prefix length" \
	sv role create badsrc --from 192.0.2.1
refused "--from a name: not an address" 1 "bad source 'host.example/24': not an IPv4 address" \
	sv role create badsrc --from host.example/24
refused "--services with a bad name refused" 1 "bad service 'a/b'" sv role create badsvc --services sshd,a/b
refused "--command relative refused" 1 "must start with an absolute path" sv role create badcmd --command usr/bin/x
refused "--command bare name refused" 1 "must start with an absolute path" sv role create badcmd --command uptime
refused "--command with a newline refused" 1 "control character" sv role create badcmd --command "$(printf '/bin/a\n/bin/b')"
refused "duplicate role refused" 1 "role 'ops' already exists" sv role create ops
refused "role named like an account refused" 1 "'alpha' is already an account" sv role create alpha
refused "account named like a role refused" 1 "'ops' is already a role" sv account create ops
refused "role named 'svcacct' (base role) refused" 1 "is the base role: it always exists" sv role create svcacct
refused "bad role name refused" 1 "is invalid" sv role create Ops
refused_if_host "$HOSTGROUP" "role named like a host group refused" "role named like a host group refused" "no host group" \
	"'$HOSTGROUP' already exists as a group or user on this host" sv role create "$HOSTGROUP"
refused_if_host "$HOSTUSER" "role named like a host user refused" "role named like a host user refused" "no host user" \
	"already exists as a group or user" sv role create "$HOSTUSER"
refused "--gid = base_gid refused" 1 "GID 81000 is outside" sv role create r9 --gid 81000
refused "--gid in the UID range refused" 1 "GID 71000 is outside" sv role create r9 --gid 71000
refused "--gid below 1000 refused" 1 "outside the configured range" sv role create r9 --gid 999
refused "--gid 65534 refused" 1 "outside the configured range" sv role create r9 --gid 65534
refused "--gid not a number refused" 1 "GID 'x1' is not a number" sv role create r9 --gid x1
refused "taken gid refused" 1 "GID 81500 is already taken" sv role create r9 --gid 81500
refused "role show unknown" 1 "no role 'nosuch'" sv role show nosuch
refused "role delete unknown" 1 "no role 'nosuch'" sv role delete nosuch
refused "role set unknown" 1 "no role 'nosuch'" sv role set nosuch --description x

changed "role set every option" sv role set web --description "Web tier" --services sshd \
	--from local,198.51.100.0/24 --command /bin/true
J=$(sv --json role show web)
expect_eq "role set applied" '["Web tier", ["sshd"], ["local", "198.51.100.0/24"], ["/bin/true"], 81002]' \
	"$(jf "$J" '[j["description"], j["services"], j["from"], j["commands"], j["gid"]]')"
changed "role set --clear-commands" sv role set web --clear-commands
expect_eq "commands cleared" "[]" "$(jf "$(sv --json role show web)" 'j["commands"]')"
changed "role set --from '' clears the sources" sv role set web --from ""
expect_eq "sources cleared" "[]" "$(jf "$(sv --json role show web)" 'j["from"]')"
refused "role set --gid refused" 1 "GID of a role cannot change" sv role set web --gid 81600
refused "role set bad --from refused" 1 "bad source" sv role set web --from 10.0.0.0/33
refused "role set relative --command refused" 1 "absolute path" sv role set web --command bin/x
refused "role set --description with newline refused" 1 "control character" sv role set web --description "$(printf 'a\nb')"

# roles given at creation, --role replacing on set
changed "account create --role --role" sv account create kappa --role ops --role web --no-home
expect_eq "account roles: base role first, then granted" '["svcacct", "ops", "web"]' "$(jf "$(sv --json account show kappa)" 'j["roles"]')"
expect_eq "role members list the account" '["kappa"]' "$(jf "$(sv --json role show ops)" 'j["members"]')"
changed "account set --role replaces the roles" sv account set kappa --role web
expect_eq "set --role: roles replaced" '["svcacct", "web"]' "$(jf "$(sv --json account show kappa)" 'j["roles"]')"
expect_eq "set --role: old role lost the member" '[]' "$(jf "$(sv --json role show ops)" 'j["members"]')"
expect_eq "set --role: new role keeps the member" '["kappa"]' "$(jf "$(sv --json role show web)" 'j["members"]')"

# delete: refused while granted, --force strips it; gid retired
changed "role delete of an unused role" sv role delete cache
expect_match "role delete says the gid is retired" "gid 81501 is retired" "$OUT"
refused "deleted gid not reusable with --gid" 1 "GID 81501 was handed out before \(to a deleted or rolled-back role\) and is never reused" sv role create cache --gid 81501
changed "role create after the delete" sv role create cache2
expect_eq "gid allocation skips the deleted gid" "81502" "$(jf "$(sv --json role show cache2)" 'j["gid"]')"
refused "role delete refused while granted" 1 "role 'web' is granted to 1 account\(s\); revoke it first or use --force" sv role delete web
changed "role delete --force" sv role delete web --force
refused "force-deleted role is gone" 1 "no role 'web'" sv role show web
expect_eq "the account lost the role" '["svcacct"]' "$(jf "$(sv --json account show kappa)" 'j["roles"]')"
ok_cmd "check passes after a forced delete" sv check

# ------------------------------------------------------------------ grant / revoke
changed "grant two roles" sv grant alpha ops db
expect_match "grant says what" "granted alpha: ops,db" "$OUT"
expect_eq "account show lists the roles" '["svcacct", "ops", "db"]' "$(jf "$(sv --json account show alpha)" 'j["roles"]')"
expect_eq "role show lists the member" '["alpha"]' "$(jf "$(sv --json role show ops)" 'j["members"]')"
expect_match "role show (text) lists the member" "members +alpha" "$(sv role show db)"
expect_eq "role list counts the member" "1" "$(jf "$(sv --json role list)" '[r["member_count"] for r in j if r["name"] == "ops"][0]')"
noop "grant of a role already held: no change, exit 0" "nothing to change: alpha already has these roles" sv grant alpha ops
refused "grant of an unknown role" 1 "unknown role 'nosuch'" sv grant alpha nosuch
refused "grant with one unknown role grants nothing" 1 "unknown role 'nosuch'" sv grant kappa ops nosuch
refused "grant to an unknown account" 1 "no account 'nosuch'" sv grant nosuch ops
refused "grant of the base role name (implicit)" 1 "'svcacct' is the base role: every account holds it" sv grant alpha svcacct
refused "revoke of an unknown role" 1 "unknown role 'nosuch'" sv revoke alpha nosuch
refused "revoke from an unknown account" 1 "no account 'nosuch'" sv revoke nosuch ops
changed "revoke" sv revoke alpha db
expect_match "revoke says what" "revoked alpha: db" "$OUT"
expect_eq "revoked: account roles" '["svcacct", "ops"]' "$(jf "$(sv --json account show alpha)" 'j["roles"]')"
expect_eq "revoked: role members" '[]' "$(jf "$(sv --json role show db)" 'j["members"]')"
noop "revoke of a role not held: no change, exit 0" "nothing to change: alpha has none of these roles" sv revoke alpha db
changed "delete of an account with roles" sv account delete alpha
expect_eq "deleted account left the role's members" '[]' "$(jf "$(sv --json role show ops)" 'j["members"]')"
ok_cmd "check passes after grants, revokes and deletes" sv check

# ------------------------------------------------------------------ secrets
new_env
sv account create sbot --no-home >/dev/null
sv account create obot --no-home >/dev/null
expect_eq "no host key before the first secret" "absent" "$([ -e "$T/state/hostkey" ] && echo present || echo absent)"
changed "secret add" sv secret add sbot
S1=$OUT
expect_match "secret add: one line in the documented form" "$SECRET_RE" "$S1"
expect_eq "secret add: exactly one line on stdout" "1" "$(printf '%s\n' "$OUT" | wc -l)"
expect_eq "secret add: nothing on stderr" "" "$ERR"
expect_eq "host key created root-owned 0600, 32 bytes" "0 600 32" "$(stat -c '%u %a %s' "$T/state/hostkey" 2>&1)"
ID1=${S1:5:16}
expect_eq "secret checksum = first 4 bytes of SHA-256 of the rest" "${S1: -8}" \
	"$(printf '%s' "${S1%_*}" | sha256sum | cut -c1-8)"
sv secret add sbot >"$T/s2" 2>"$T/s2.err"
S2=$(cat "$T/s2")
expect_match "second secret well-formed" "$SECRET_RE" "$S2"
ok_cmd "two adds give different secrets" test "$S1" != "$S2"
ID2=${S2:5:16}
ok_cmd "two adds give different ids" test "$ID1" != "$ID2"
run sv --json secret add sbot --label "ci runner" --expires 2030-01-01
J=$OUT
expect_match "secret add --json: secret" "$SECRET_RE" "$(jf "$J" 'j["secret"]')"
ID3=$(jf "$J" 'j["id"]')
expect_eq "secret add --json: id is the secret's" "$ID3" "$(jf "$J" 'j["secret"][5:21]')"
S3=$(jf "$J" 'j["secret"]')
run sv secret add sbot --expires 90d
S4=$OUT ID4=${OUT:5:16}
expect_match "secret add --expires 90d" "$SECRET_RE" "$S4"

run sv secret list sbot
L=$OUT
expect_match "secret list (text): header" "^ID +STATUS +CREATED +EXPIRES +LAST USED +LABEL" "$L"
for id in "$ID1" "$ID2" "$ID3" "$ID4"; do
	expect_match "secret list shows id $id active" "^$id +active" "$L"
done
expect_match "secret list: label" "$ID3 .*2030-01-01T00:00:00Z +never +ci runner" "$L"
J=$(sv --json secret list sbot)
expect_eq "secret list --json: four secrets" "4" "$(jf "$J" 'len(j)')"
expect_eq "secret list --json: only metadata fields" '["created", "expires", "from", "id", "label", "last_used", "roles", "status", "type"]' "$(jf "$J" 'sorted(set(k for c in j for k in c))')"
expect_eq "secret list --json: types" '["secret"]' "$(jf "$J" 'sorted(set(c["type"] for c in j))')"
expect_eq "secret --expires DATE: midnight UTC" "2030-01-01T00:00:00Z" "$(jf "$J" '[c["expires"] for c in j if c["id"] == "'"$ID3"'"][0]')"
E4=$(jf "$J" '[c["expires"] for c in j if c["id"] == "'"$ID4"'"][0]')
D4=$(( $(date -u -d "$(echo "$E4" | tr T ' ' | tr -d Z)" +%s 2>/dev/null || echo 0) - $(date +%s) - 90 * 86400 ))
ok_cmd "secret --expires 90d: 90 days from now ($E4)" test "${D4#-}" -lt 300
expect_eq "secret without --expires: never" "never" "$(jf "$J" '[c["expires"] for c in j if c["id"] == "'"$ID1"'"][0]')"
# neither the secret nor its keyed hash in any output
HASHES=$(python3 - "$T/state/hostkey" "$S1" "$S2" "$S3" "$S4" <<'EOF'
import base64, hashlib, hmac, sys
key = open(sys.argv[1], 'rb').read()
for s in sys.argv[2:]:
    h = hmac.new(key, s.encode(), hashlib.sha256).digest()
    print(h.hex())
    print(base64.b64encode(h).decode().rstrip('='))
    print(base64.urlsafe_b64encode(h).decode().rstrip('='))
    print(s[5+16+1:5+16+1+43])   # the random part of the secret
EOF
)
leaks() {
	local text="$1" h
	for h in $HASHES; do
		case "$text" in *"$h"*) echo "leak: $h"; return ;; esac
	done
	case "$text" in *svcs_*) echo "leak: svcs_"; return ;; esac
	echo none
}
expect_eq "secret list: no secret, no hash" "none" "$(leaks "$L$J")"
EXPORT=$(sv export)
expect_eq "export: no secret, no hash" "none" "$(leaks "$EXPORT")"
expect_nomatch "export: no secret credential ids" "$ID1|$ID2|$ID3|$ID4" "$EXPORT"
expect_eq "check output: no secret, no hash" "none" "$(leaks "$(sv check 2>&1; sv --json check 2>&1)")"

refused "secret add --expires garbage" 1 "bad --expires 'soon'" sv secret add sbot --expires soon
refused "secret add --expires 0d" 1 "bad --expires '0d'" sv secret add sbot --expires 0d
refused "secret add --expires 2025-02-30" 1 "bad --expires" sv secret add sbot --expires 2025-02-30
refused "secret add --expires in the past" 1 "--expires '2020-01-01' is in the past" sv secret add sbot --expires 2020-01-01
refused "secret add --label with a newline" 1 "label contains a control character" sv secret add sbot --label "$(printf 'a\nb')"
refused "secret add for an unknown account" 1 "no account 'nosuch'" sv secret add nosuch
refused "secret list of an unknown account" 1 "no account 'nosuch'" sv secret list nosuch
refused "secret list as nobody" 1 "listing credentials needs root" svn secret list sbot
refused "secret add as nobody" 1 "needs root" svn secret add sbot

changed "secret revoke" sv secret revoke sbot "$ID1"
expect_match "secret revoke says which" "revoked secret $ID1 of sbot" "$OUT"
run sv secret list sbot
expect_nomatch "revoked secret gone from the list" "$ID1" "$OUT"
expect_match "other secrets still listed" "$ID2 +active" "$OUT"
refused "revoke twice" 1 "account 'sbot' has no secret '$ID1'" sv secret revoke sbot "$ID1"
refused "revoke of an unknown id" 1 "has no secret 'ffffffffffffffff'" sv secret revoke sbot ffffffffffffffff
refused "revoke of another account's secret" 1 "account 'obot' has no secret '$ID2'" sv secret revoke obot "$ID2"
refused "revoke for an unknown account" 1 "no account 'nosuch'" sv secret revoke nosuch "$ID2"
refused "revoke given the whole secret instead of the id" 1 "has no secret|credential id" sv secret revoke sbot "$S2"
expect_match "another account's secret survived" "$ID2 +active" "$(sv secret list sbot)"
changed "delete of an account with secrets" sv account delete obot
changed "account with secrets deleted" sv account delete sbot
ok_cmd "check passes after deleting accounts with secrets" sv check

# ------------------------------------------------------------------ keys
new_env
sv account create kbot --no-home >/dev/null
sv account create obot --no-home >/dev/null
changed "key add --pem P-256" sv key add kbot --pem "$KD/P-256.pub"
expect_match "key add says kid and alg (thumbprint kid)" "added key [0-9a-f]{16} to kbot \(kid [A-Za-z0-9_-]{43}, ES256\)" "$OUT"
TP=$(printf '%s' "$OUT" | sed -n 's/.*(kid \([^,]*\),.*/\1/p')
refused "same key again (same thumbprint kid) refused" 1 "already has a key with kid '$TP'" sv key add kbot --pem "$KD/P-256.pub"
changed "key add --kid --alg ES256" sv key add kbot --pem "$KD/P-256.pub" --kid k256 --alg ES256 --label "laptop" --expires 30d
changed "key add P-384" sv key add kbot --pem "$KD/P-384.pub" --kid k384
changed "key add P-521" sv key add kbot --pem "$KD/P-521.pub" --kid k521
changed "key add RSA 2048" sv key add kbot --pem "$KD/rsa2048.pub" --kid krsa
changed "key add RSA 2048 --alg PS256" sv key add kbot --pem "$KD/rsa2048.pub" --kid kps --alg PS256
run sv key list kbot
L=$OUT
expect_match "key list (text): header" "^ID +KID +ALG +STATUS +EXPIRES +LAST USED +LABEL" "$L"
expect_match "key list: thumbprint kid, ES256" "$TP +ES256 +active" "$L"
expect_match "key list: k256 ES256 with label" "k256 +ES256 +active .*laptop" "$L"
expect_match "key list: P-384 is ES384" "k384 +ES384" "$L"
expect_match "key list: P-521 is ES512" "k521 +ES512" "$L"
expect_match "key list: RSA is RS256" "krsa +RS256" "$L"
expect_match "key list: --alg PS256 kept" "kps +PS256" "$L"
J=$(sv --json key list kbot)
expect_eq "key list --json: kids" "$(python3 -c 'import json,sys; print(json.dumps(sorted(sys.argv[1:])))' "$TP" k256 k384 k521 kps krsa)" "$(jf "$J" 'sorted(c["kid"] for c in j)')"
expect_eq "key list --json: fields" '["alg", "created", "expires", "from", "id", "kid", "label", "last_used", "roles", "status", "type"]' "$(jf "$J" 'sorted(set(k for c in j for k in c))')"
expect_eq "key list --json: no key material" "none" "$(jf "$J" '"none" if not any(len(str(v)) > 64 for c in j for v in c.values()) else "long value"')"
expect_eq "secret list does not list keys" "0" "$(jf "$(sv --json secret list kbot)" 'len(j)')"
refused "--alg ES384 on a P-256 key" 1 "alg ES384 needs an EC P-384 key" sv key add kbot --pem "$KD/P-256.pub" --kid x1 --alg ES384
refused "--alg RS256 on an EC key" 1 "alg RS256 needs an RSA key" sv key add kbot --pem "$KD/P-256.pub" --kid x1 --alg RS256
refused "--alg none" 1 'alg "none" refused' sv key add kbot --pem "$KD/P-256.pub" --kid x1 --alg none
refused "--alg HS256" 1 'alg "HS256" refused' sv key add kbot --pem "$KD/P-256.pub" --kid x1 --alg HS256
refused "--alg es256 (case matters)" 1 'alg "es256" refused' sv key add kbot --pem "$KD/P-256.pub" --kid x1 --alg es256
refused "private key PEM refused" 1 "this is a private key" sv key add kbot --pem "$KD/P-256.key" --kid x1
refused "private RSA key PEM refused" 1 "private key" sv key add kbot --pem "$KD/rsa2048.key" --kid x1
refused "RSA 1024 refused" 1 "RSA key of 1024 bits refused" sv key add kbot --pem "$KD/rsa1024.pub" --kid x1
refused "Ed25519 refused" 1 "key type ED25519 refused" sv key add kbot --pem "$KD/ed.pub" --kid x1
refused "PEM with trailing junk refused" 1 "trail\.pub: trailing data after the PEM block" sv key add kbot --pem "$KD/trail.pub" --kid x1
refused "not a PEM at all" 1 "junk.pub: " sv key add kbot --pem "$KD/junk.pub" --kid x1
refused "missing key file" 1 "$KD/none.pub: No such file" sv key add kbot --pem "$KD/none.pub"
refused "a directory as key file" 1 "is a directory" sv key add kbot --pem "$KD"
refused "duplicate kid on the same account" 1 "account 'kbot' already has a key with kid 'k256'" sv key add kbot --pem "$KD/b256.pub" --kid k256
refused "empty --kid" 1 "empty --kid" sv key add kbot --pem "$KD/b256.pub" --kid ""
refused "--kid with a newline" 1 "kid contains a control character" sv key add kbot --pem "$KD/b256.pub" --kid "$(printf 'a\nb')"
refused "key add --expires in the past" 1 "in the past" sv key add kbot --pem "$KD/b256.pub" --kid x2 --expires 2001-01-01
refused "key add to an unknown account" 1 "no account 'nosuch'" sv key add nosuch --pem "$KD/b256.pub"
refused "key list of an unknown account" 1 "no account 'nosuch'" sv key list nosuch
refused "key list as nobody" 1 "needs root" svn key list kbot
changed "same kid on another account is fine" sv key add obot --pem "$KD/b256.pub" --kid k256
if [ -n "$JPY" ]; then
	changed "key add --jwk" sv key add kbot --jwk "$KD/jwk.json"
	expect_match "JWK kid and alg" "kid jwk-ec, ES256" "$OUT"
	changed "key add --jwk --kid overrides the JWK's" sv key add obot --jwk "$KD/jwk.json" --kid other
	refused "private JWK refused" 1 'private key member "d" refused' sv key add kbot --jwk "$KD/jwkpriv.json" --kid x3
	refused "JWK with use=enc refused" 1 "jwkenc.json: .*use" sv key add kbot --jwk "$KD/jwkenc.json" --kid x3
	refused "JWK whose alg does not fit refused" 1 "jwkalg.json: .*ES384" sv key add kbot --jwk "$KD/jwkalg.json" --kid x3
	refused "JWK with a duplicate member refused" 1 "jwkdup.json: .*duplicate" sv key add kbot --jwk "$KD/jwkdup.json" --kid x3
	refused "JWK --alg ES384 on P-256 refused" 1 "ES384" sv key add kbot --jwk "$KD/jwk.json" --kid x3 --alg ES384
	refused "PEM given as --jwk refused" 1 "P-256\.pub: invalid JSON" sv key add kbot --jwk "$KD/P-256.pub" --kid x3
	refused "JWKS with one weak key refused wholly" 1 "keys\[1\]: RSA key of 1024 bits refused" sv key add kbot --jwks "$KD/jwksbad.json"
	refused "JWKS with one private key refused wholly" 1 "keys\[1\]: .*private" sv key add kbot --jwks "$KD/jwksprv.json"
	refused "JWKS with --kid refused" 1 "--kid and --alg do not apply to --jwks" sv key add kbot --jwks "$KD/jwks.json" --kid z
	changed "key add --jwks" sv key add kbot --jwks "$KD/jwks.json"
	expect_match "JWKS: RSA key added" "kid jwks-rsa, RS256" "$OUT"
	expect_match "JWKS: EC key added" "kid jwks-ec, ES384" "$OUT"
	refused "JWKS again: duplicate kids refused wholly" 1 "already has a key with kid 'jwks-rsa'" sv key add kbot --jwks "$KD/jwks.json"
	refused "JWK file given as --jwks refused" 1 "jwk.json" sv key add obot --jwks "$KD/jwk.json"
elif [ "${CI:-}" = true ]; then
	tap_notok "python3 with jwcrypto (JWK tests) missing under CI=true"
else
	tap_skip "JWK and JWKS tests" "needs python3-jwcrypto"
fi
N0=$(jf "$(sv --json key list kbot)" 'len(j)')
changed "key remove by kid" sv key remove kbot k384
run sv key list kbot
expect_nomatch "removed key gone" "k384" "$OUT"
expect_eq "one key fewer" "$((N0 - 1))" "$(jf "$(sv --json key list kbot)" 'len(j)')"
KID_ID=$(jf "$(sv --json key list kbot)" '[c["id"] for c in j if c["kid"] == "k521"][0]')
changed "key remove by id" sv key remove kbot "$KID_ID"
expect_nomatch "removed key (by id) gone" "k521" "$(sv key list kbot)"
refused "key remove of an unknown kid" 1 "account 'kbot' has no key 'nosuch'" sv key remove kbot nosuch
refused "key remove twice" 1 "has no key 'k384'" sv key remove kbot k384
OID=$(jf "$(sv --json key list obot)" '[c["id"] for c in j][0]')
refused "key remove of another account's key (by id)" 1 "account 'kbot' has no key '$OID'" sv key remove kbot "$OID"
refused "key remove for an unknown account" 1 "no account 'nosuch'" sv key remove nosuch k256
sv secret add kbot >/dev/null
SID=$(jf "$(sv --json secret list kbot)" 'j[0]["id"]')
refused "key remove of a secret id refused" 1 "has no key '$SID'" sv key remove kbot "$SID"
KID_ID=$(jf "$(sv --json key list kbot)" '[c["id"] for c in j if c["kid"] == "k256"][0]')
refused "secret revoke of a key id refused" 1 "has no secret '$KID_ID'" sv secret revoke kbot "$KID_ID"
ok_cmd "check passes with keys" sv check

# ------------------------------------------------------------------ export / import
# the key store above: add roles, grants, and accounts of every kind
sv role create deploy --services sshd,sudo --from 10.0.0.0/8,local --command /usr/bin/deploy >/dev/null
sv role create readers --description "read only" >/dev/null
sv account create disabled-bot --description "Off" --owner "o@example.com" --expires 2031-05-05 --role deploy --role readers --no-home >/dev/null
sv account disable disabled-bot >/dev/null
sv account create writer --home-writable --shell /bin/sh --no-home >/dev/null
sv grant kbot deploy >/dev/null
run sv export
EXPORT=$OUT
expect_eq "export: exit 0, nothing on stderr" "0 " "$RC $ERR"
expect_eq "export: format and version" '["svcacct-export", 1]' "$(jf "$EXPORT" '[j["format"], j["version"]]')"
expect_eq "export: generation is the current one" "$(cur_gen)" "$(jf "$EXPORT" 'j["generation"]')"
expect_eq "export: every account" '["disabled-bot", "kbot", "obot", "writer"]' "$(jf "$EXPORT" 'sorted(a["name"] for a in j["accounts"])')"
expect_eq "export: every role" '["deploy", "readers"]' "$(jf "$EXPORT" 'sorted(r["name"] for r in j["roles"])')"
expect_eq "export: every key, as JWK" "$(jf "$(sv --json key list kbot)" 'len(j)') + $(jf "$(sv --json key list obot)" 'len(j)')" \
	"$(jf "$EXPORT" 'str(len([k for k in j["keys"] if k["account"] == "kbot"])) + " + " + str(len([k for k in j["keys"] if k["account"] == "obot"]))')"
expect_eq "export: JWKs are public (kty, no d)" "ok" "$(jf "$EXPORT" '"ok" if all(k["jwk"]["kty"] in ("EC", "RSA") and "d" not in k["jwk"] for k in j["keys"]) else "bad"')"
expect_eq "export: account fields" '{"description": "Off", "expires": "2031-05-05", "home_writable": false, "owner": "o@example.com", "roles": ["deploy", "readers"], "state": "disabled"}' \
	"$(jf "$EXPORT" '{k: v for a in j["accounts"] if a["name"] == "disabled-bot" for k, v in a.items() if k in ("description","expires","home_writable","owner","roles","state")}')"
ssh-keygen -q -t ed25519 -N '' -C ci@host -f "$T/sshk" 2>/dev/null
changed "sshkey add (for the export)" sv sshkey add kbot --pubkey "$T/sshk.pub" --label laptop
SSH_FP=$(ssh-keygen -lf "$T/sshk.pub" | cut -d' ' -f2)
EXPORT=$(sv export)
expect_match "export carries ssh keys as key lines" "\"key\": \"ssh-ed25519 $(cut -d' ' -f2 "$T/sshk.pub" | sed 's/[+/]/./g')\"" "$EXPORT"
expect_nomatch "export: no secret" "svcs_" "$EXPORT"
expect_nomatch "export: no secret id" "$SID" "$EXPORT"
printf '%s\n' "$EXPORT" >"$T/export.json"
chmod 644 "$T/export.json"
SRC_T=$T
norm_accounts='[{k: v for k, v in a.items() if k not in ("created", "updated")} for a in j]'
norm_roles='[{k: v for k, v in a.items() if k not in ("created", "updated")} for a in j]'
norm_keys='sorted([c["kid"], c["alg"], c["label"], c["status"], c["expires"][:10]] for c in j)'
norm_export='[sorted(j["accounts"], key=lambda a: a["name"]), sorted(j["roles"], key=lambda r: r["name"]), sorted(j["keys"], key=lambda k: (k["account"], k["kid"]))]'
A_SRC=$(jf "$(sv --json account list)" "$norm_accounts")
R_SRC=$(jf "$(sv --json role list)" "$norm_roles")
M_SRC=$(for r in deploy readers; do jf "$(sv --json role show $r)" 'sorted(j["members"])'; done)
K_SRC=$(for a in kbot obot; do jf "$(sv --json key list $a)" "$norm_keys"; done)
E_SRC=$(jf "$EXPORT" "$norm_export")
K256_EXP=$(jf "$(sv --json key list kbot)" '[c["expires"] for c in j if c["kid"] == "k256"][0]')

new_env
changed "import into a fresh store" sv import "$SRC_T/export.json"
expect_match "import says what" "imported 2 roles, 4 accounts, [0-9]+ keys, 1 ssh keys" "$OUT"
expect_eq "import: one generation for the whole import" "1" "$(sv generations | wc -l)"
expect_eq "import reproduces account list --json" "$A_SRC" "$(jf "$(sv --json account list)" "$norm_accounts")"
expect_eq "import reproduces role list --json" "$R_SRC" "$(jf "$(sv --json role list)" "$norm_roles")"
expect_eq "import reproduces role members" "$M_SRC" "$(for r in deploy readers; do jf "$(sv --json role show $r)" 'sorted(j["members"])'; done)"
expect_eq "import reproduces the keys" "$K_SRC" "$(for a in kbot obot; do jf "$(sv --json key list $a)" "$norm_keys"; done)"
expect_eq "export of the import equals the original export" "$E_SRC" "$(jf "$(sv export)" "$norm_export")"
# k256 was added with --expires 30d: its expiry is a time of day, and an
# import must not move it (to midnight, or for a 12h key into the past)
expect_eq "import keeps a key's expiry time, not just its day" "$K256_EXP" \
	"$(jf "$(sv --json key list kbot)" '[c["expires"] for c in j if c["kid"] == "k256"][0]')"
expect_eq "import brings no secrets" "0" "$(jf "$(sv --json secret list kbot)" 'len(j)')"
expect_match "import restores the ssh key" "$(printf '%s' "$SSH_FP" | sed 's/[+/.]/./g').*laptop" "$(sv sshkey list kbot)"
ok_cmd "check passes after an import" sv check
refused "import of the same file again refused" 1 "already exists.*nothing imported" sv import "$SRC_T/export.json"

# all or nothing, on a store that has content
new_env
sv account create pre --no-home >/dev/null
sv role create prerole >/dev/null
IMP=$T/imp
mkdir "$IMP"
mkimport() { # mkimport FILE PYTHON-STATEMENTS (on d, the document)
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = {"format": "svcacct-export", "version": 1, "roles": [
        {"name": "r1", "gid": 80101, "services": ["sshd"], "from": ["local"], "commands": []}],
     "accounts": [
        {"name": "i1", "uid": 70101, "roles": ["r1"]},
        {"name": "i2", "uid": 70102, "roles": []},
        {"name": "i3", "uid": 70103, "roles": ["r1"]}],
     "keys": []}
exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d))
EOF
}
mkimport "$IMP/good.json" "pass"
mkimport "$IMP/badname.json" 'd["accounts"][2]["name"] = "Bad"'
mkimport "$IMP/clashuid.json" 'd["accounts"][2]["uid"] = 70101'
mkimport "$IMP/clashname.json" 'd["accounts"][2]["name"] = "pre"'
mkimport "$IMP/clashrole.json" 'd["accounts"][2]["name"] = "prerole"'
mkimport "$IMP/dupname.json" 'd["accounts"][2]["name"] = "i1"'
mkimport "$IMP/badrole.json" 'd["accounts"][2]["roles"] = ["nosuch"]'
mkimport "$IMP/baduid.json" 'd["accounts"][2]["uid"] = 999'
mkimport "$IMP/uidstr.json" 'd["accounts"][2]["uid"] = "70103"'
mkimport "$IMP/badfrom.json" 'd["roles"].append({"name": "r2", "from": ["10.0.0.0/33"]})'
mkimport "$IMP/unknownmember.json" 'd["accounts"][2]["password"] = "x"'
mkimport "$IMP/unknowntop.json" 'd["acounts"] = d.pop("accounts")'
mkimport "$IMP/wrongformat.json" 'd["format"] = "other-export"'
mkimport "$IMP/wrongversion.json" 'd["version"] = 2'
mkimport "$IMP/badstate.json" 'd["accounts"][2]["state"] = "paused"'
mkimport "$IMP/nul.json" 'd["accounts"][2]["description"] = "a\u0000b"'
mkimport "$IMP/colon.json" 'd["accounts"][2]["description"] = "a:b"'
[ -n "$HOSTUSER" ] && mkimport "$IMP/hostuser.json" 'd["accounts"][2]["name"] = "'"$HOSTUSER"'"'
mkimport "$IMP/keyacct.json" 'd["keys"] = [{"account": "nosuch", "kid": "k", "jwk": {"kty": "EC"}}]'
if [ -n "$JPY" ]; then
	mkimport "$IMP/keypriv.json" 'd["keys"] = [{"account": "i1", "kid": "k", "jwk": json.load(open("'"$KD"'/jwkpriv.json"))}]'
fi
printf '{"format": "svcacct-export", "version": 1, "accounts": [\n' >"$IMP/trunc.json"
printf '{"format": "svcacct-export", "format": "svcacct-export", "version": 1}' >"$IMP/dupkey.json"
printf '[{"format": "svcacct-export", "version": 1}]' >"$IMP/array.json"
: >"$IMP/empty.json"
refused "import: 3rd account with a bad name, nothing imported" 1 "accounts\[2\] \(Bad\): name 'Bad' is invalid.*nothing imported" sv import "$IMP/badname.json"
refused "import: 3rd account reuses a uid of the 1st" 1 "accounts\[2\] \(i3\): UID 70101 is already taken" sv import "$IMP/clashuid.json"
refused "import: 3rd account clashes with an existing account" 1 "accounts\[2\] \(pre\): account 'pre' already exists" sv import "$IMP/clashname.json"
refused "import: 3rd account clashes with an existing role" 1 "accounts\[2\] \(prerole\): 'prerole' is already a role" sv import "$IMP/clashrole.json"
refused "import: the same account twice" 1 "accounts\[2\] \(i1\): account 'i1' already exists" sv import "$IMP/dupname.json"
refused_if_host "$HOSTUSER" "import: 3rd account named like a host user" "import: account named like a host user" "no host user" \
	"accounts\[2\] \($HOSTUSER\): '$HOSTUSER' already exists as a user or group on this host" sv import "$IMP/hostuser.json"
refused "import: unknown role" 1 "accounts\[2\] \(i3\): unknown role 'nosuch'" sv import "$IMP/badrole.json"
refused "import: uid out of range" 1 "accounts\[2\] \(i3\): UID 999 is outside" sv import "$IMP/baduid.json"
refused "import: uid as a string" 1 "accounts\[2\]: wrong or missing member types" sv import "$IMP/uidstr.json"
refused "import: bad role source" 1 "roles\[1\] \(r2\): bad source" sv import "$IMP/badfrom.json"
refused "import: unknown account member" 1 "accounts\[2\]: unknown member 'password'" sv import "$IMP/unknownmember.json"
refused "import: wrong format marker" 1 "not an svcacct export" sv import "$IMP/wrongformat.json"
refused "import: wrong version" 1 "not an svcacct export" sv import "$IMP/wrongversion.json"
refused "import: not an object" 1 "not an svcacct export" sv import "$IMP/array.json"
refused "import: bad state" 1 "accounts\[2\]: wrong or missing member types" sv import "$IMP/badstate.json"
refused "import: NUL in a string" 1 "nul\.json:1:[0-9]+: .*nothing imported" sv import "$IMP/nul.json"
refused "import: ':' in a description" 1 "accounts\[2\] \(i3\): description may not contain ':'" sv import "$IMP/colon.json"
refused "import: key of an unknown account" 1 "keys\[0\]: no account 'nosuch'" sv import "$IMP/keyacct.json"
if [ -n "$JPY" ]; then
	refused "import: private JWK" 1 "keys\[0\]: .*private" sv import "$IMP/keypriv.json"
fi
refused "import: truncated JSON" 1 "trunc\.json:[0-9]+:[0-9]+: .*nothing imported" sv import "$IMP/trunc.json"
refused "import: duplicate JSON keys" 1 "dupkey\.json:.*duplicate.*nothing imported" sv import "$IMP/dupkey.json"
refused "import: empty file" 1 "empty\.json:" sv import "$IMP/empty.json"
refused "import: missing file" 1 "$IMP/none\.json: No such file" sv import "$IMP/none.json"
refused "import: a directory" 1 "is a directory" sv import "$IMP"
refused "import as nobody" 1 "needs root" svn import "$IMP/good.json"
changed "import of the good file" sv import "$IMP/good.json"
expect_eq "good import: accounts" '["i1", "i2", "i3", "pre"]' "$(jf "$(sv --json account list)" '[a["name"] for a in j]')"
expect_eq "good import: members" '["i1", "i3"]' "$(jf "$(sv --json role show r1)" 'sorted(j["members"])')"
ok_cmd "check passes after the good import" sv check
# a misspelt section must not import "nothing" with success
new_env
sv account create pre --no-home >/dev/null
refused "import: unknown top-level member refused" 1 "acounts" sv import "$IMP/unknowntop.json"

# ------------------------------------------------------------------ check
new_env
sv account create cbot --no-home >/dev/null
sv role create crole >/dev/null
sv grant cbot crole >/dev/null
sv secret add cbot >/dev/null
run sv check
expect_eq "check: healthy store, exit 0" "0" "$RC"
expect_match "check: summary" "^ok: generation [0-9]+, 1 accounts, 1 roles, 1 credentials, 0 problem" "$OUT"
J=$(sv --json check)
expect_eq "check --json" '[true, [], 1, 1, 1]' "$(jf "$J" '[j["ok"], j["problems"], j["accounts"], j["roles"], j["credentials"]]')"
D=$T/db/current
chmod 666 "$D/accounts.db"
run sv check
expect_eq "check: world-writable accounts.db, exit 1" "1" "$RC"
expect_match "check names the file and the mode" "accounts\.db: mode 0666, want 0644" "$OUT$ERR"
expect_rc "readers refuse the unsafe file too" 1 "unsafe owner or mode" sv account list
chmod 644 "$D/accounts.db"
expect_rc "check: healthy again" 0 "^ok:" sv check
chown nobody "$D/credentials.db"
run sv check
expect_eq "check: credentials.db owned by nobody, exit 1" "1" "$RC"
expect_match "check names the owner" "credentials\.db: owned by uid 65534, want root" "$OUT$ERR"
chown root "$D/credentials.db"
chmod 644 "$D/credentials.db"
run sv check
expect_match "check: readable credentials.db" "credentials\.db: mode 0644, want 0600" "$OUT$ERR"
chmod 600 "$D/credentials.db"
chmod 644 "$T/state/hostkey"
run sv check
expect_match "check: readable host key (exit 1)" "1 .*hostkey: mode 0644, want 0600" "$RC $OUT$ERR"
chmod 600 "$T/state/hostkey"
chmod 777 "$T/db"
run sv check
expect_match "check: world-writable db_dir (exit 1)" "1 .*$T/db: writable by group or others" "$RC $OUT$ERR"
chmod 755 "$T/db"
run svn check
expect_eq "check as nobody: exit 0 on a healthy store" "0" "$RC"
expect_match "check as nobody says what it skipped" "not checked: needs root" "$OUT"
chmod 666 "$D/accounts.db"
run svn check
expect_match "check as nobody reports what it can (exit 1)" "1 .*unsafe owner or mode" "$RC $OUT$ERR"
chmod 644 "$D/accounts.db"
expect_rc "check: healthy at the end" 0 "^ok:" sv check
new_env
run sv check
expect_match "check on a fresh install (no store yet): exit 0, 0 accounts" "^0 ok: no store yet .*0 accounts" "$RC $OUT$ERR"
run sv --json check
expect_match "... in JSON too" '"ok": true' "$OUT"
mkdir -p "$T/db/gen-0000000003" && chmod 755 "$T/db" "$T/db/gen-0000000003"
run sv check
expect_match "generations without current: exit 1, says so" "^1 .*current: missing, but generations exist" "$RC $OUT$ERR"

# ------------------------------------------------------------------ generations / rollback
new_env "keep_generations = 4"
sv account create ra --no-home >/dev/null
G1=$(cur_gen)
changed "a change for rollback" sv account create rb --no-home
G2=$(cur_gen)
UID_RB=$(jf "$(sv --json account show rb)" 'j["uid"]')
ok_cmd "generations advance" test "$G2" -gt "$G1"
run sv generations
expect_eq "generations: exactly one current" "1" "$(printf '%s\n' "$OUT" | grep -c '(current)')"
expect_match "generations: current is the newest" "^$G2 \(current\)$" "$(printf '%s\n' "$OUT" | tail -1)"
expect_match "generations lists the older one" "^$G1$" "$OUT"
J=$(sv --json generations)
expect_eq "generations --json" "[[$G1, false], [$G2, true]]" "$(jf "$J" '[[g["generation"], g["current"]] for g in j]')"
changed "rollback" sv rollback
expect_match "rollback says what" "published the content of .* as generation $((G2 + 1))" "$OUT"
expect_eq "rollback publishes a new generation" "$((G2 + 1))" "$(cur_gen)"
refused "rollback undid the change" 1 "no account 'rb'" sv account show rb
expect_rc "rollback kept the earlier content" 0 "" sv account show ra
changed "create after a rollback" sv account create rc --no-home
ok_cmd "rolled-back uid not handed out again" test "$(jf "$(sv --json account show rc)" 'j["uid"]')" != "$UID_RB"
refused "rollback to a generation that does not exist" 1 "generation 999 is not an older generation" sv rollback 999
refused "rollback to the current generation" 1 "generation $(cur_gen) is not an older generation" sv rollback "$(cur_gen)"
refused "rollback as nobody" 1 "needs root" svn rollback
# a revoked secret stays revoked across a rollback
sv secret add ra >"$T/sec" 2>/dev/null
RID=$(cut -c6-21 "$T/sec")
GS=$(cur_gen)
sv secret revoke ra "$RID" >/dev/null
changed "rollback to the generation that still held the secret" sv rollback "$GS"
J=$(sv --json secret list ra)
expect_eq "after rollback the revoked secret is left out of the new generation" "0" "$(jf "$J" 'len([c for c in j if c["id"] == "'"$RID"'"])')"
expect_nomatch "secret list (text) does not show it" "$RID" "$(sv secret list ra)"
for i in 1 2 3 4 5 6; do sv account create "g$i" --no-home >/dev/null; done
N=$(sv generations | wc -l)
ok_cmd "keep_generations = 4 prunes old generations (have $N)" test "$N" -le 4 -a "$N" -ge 2
expect_eq "the current symlink names the listed current one" "$(cur_gen) (current)" "$(sv generations | grep current)"
OLD=$(sv generations | head -1)
refused "rollback to a pruned generation" 1 "generation $((OLD - 1)) is not available" sv rollback "$((OLD - 1))"
ok_cmd "check passes after rollbacks" sv check

# ------------------------------------------------------------------ non-root
new_env
sv account create nbot --description "Seen by all" --no-home >/dev/null
sv account create nbot2 --no-home >/dev/null
sv role create nrole --services sshd >/dev/null
sv grant nbot nrole >/dev/null
sv secret add nbot >/dev/null
NID=$(jf "$(sv --json secret list nbot)" 'j[0]["id"]')
sv key add nbot --pem "$KD/P-256.pub" --kid nk >/dev/null
run svn account list
expect_eq "account list as nobody" "0" "$RC"
expect_match "account list as nobody shows the account" "nbot +70000 enabled" "$OUT"
run svn --json account show nbot
expect_eq "account show --json as nobody" "Seen by all" "$(jf "$OUT" 'j["description"]')"
run svn role list
expect_match "role list as nobody" "nrole +80001 +1 sshd" "$OUT"
run svn --json role show nrole
expect_eq "role show as nobody" '["nbot"]' "$(jf "$OUT" 'j["members"]')"
run svn generations
expect_match "generations as nobody" "\(current\)" "$OUT"
run svn export
expect_eq "export as nobody: accounts, but no keys" '[2, 0]' "$(jf "$OUT" '[len(j["accounts"]), len(j["keys"])]')"
refused "account create as nobody" 1 "needs root" svn account create x
refused "account delete as nobody" 1 "needs root" svn account delete nbot2
refused "account disable as nobody" 1 "needs root" svn account disable nbot
refused "account disable --stop as nobody" 1 "needs root" svn account disable nbot --stop
refused "account enable as nobody" 1 "needs root" svn account enable nbot
refused "account set as nobody" 1 "needs root" svn account set nbot --description x
refused "role create as nobody" 1 "needs root" svn role create x
refused "role delete as nobody" 1 "needs root" svn role delete nrole --force
refused "role set as nobody" 1 "needs root" svn role set nrole --services sudo
refused "grant as nobody" 1 "needs root" svn grant nbot2 nrole
refused "revoke as nobody" 1 "needs root" svn revoke nbot nrole
refused "secret add as nobody" 1 "needs root" svn secret add nbot
refused "secret revoke as nobody" 1 "needs root" svn secret revoke nbot "$NID"
refused "key add as nobody" 1 "needs root" svn key add nbot --pem "$KD/P-384.pub"
refused "key remove as nobody" 1 "needs root" svn key remove nbot nk
refused "import as nobody" 1 "needs root" svn import "$KD/P-256.pub"
refused "rollback as nobody" 1 "needs root" svn rollback

# ------------------------------------------------------------------ lock
new_env
sv account create lbot --no-home >/dev/null
python3 - "$T/db/.lock" <<'EOF' &
import fcntl, os, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
f.truncate(0); f.write("%d\n" % os.getpid()); f.flush()
open(sys.argv[1] + ".held", "w").close()
time.sleep(600)
EOF
LP=$!
BGPIDS+=("$LP")
for _ in $(seq 50); do [ -e "$T/db/.lock.held" ] && break; sleep 0.1; done
rm -f "$T/db/.lock.held"
t0=$(date +%s%N)
refused "a held lock: refused, naming the holder" 1 "store $T/db is locked by pid $LP \(waited 1s\)" sv account create lbot2
t1=$(date +%s%N)
# no upper bound in time (a loaded machine stretches any): the holder
# keeps the lock for minutes, so a refusal while it still runs is a
# refusal that did not wait for it
ok_cmd "lock_timeout = 1 is honoured: refused while the holder still holds the lock" kill -0 "$LP"
ok_cmd "lock_timeout = 1 is honoured: it waited at least 1 s ($(((t1 - t0) / 1000000)) ms)" \
	test $(((t1 - t0) / 1000000)) -ge 1000
expect_rc "readers do not wait for the lock" 0 "lbot" sv account list
reap "$LP"
changed "after the lock is released the change goes through" sv account create lbot2 --no-home
ok_cmd "check passes at the end" sv check

done_testing
