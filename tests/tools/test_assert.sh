#!/bin/bash
# SPDX-License-Identifier: MIT
# svcacct-assert(1): keygen, token (verified independently with jwcrypto),
# and the SSH_ASKPASS mode (parts, cache, refusals). No namespace needed.
. "$top_srcdir/tests/lib/tap.sh"
need python3-jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
A=$top_builddir/tools/svcacct-assert
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# verify TOKEN PUBFILE: prints "alg kid|- iss sub aud exp-iat jti-len scope|-"
verify() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
from jwcrypto import jwk, jws
tok, pub = sys.argv[1], open(sys.argv[2], 'rb').read()
k = jwk.JWK.from_pem(pub) if pub.startswith(b'-----') else jwk.JWK.from_json(pub)
s = jws.JWS()
s.deserialize(tok)
s.verify(k)
h = s.jose_header
c = json.loads(s.payload)
print(h['alg'], h.get('kid', '-'), h.get('typ'), c['iss'], c['sub'], c['aud'],
      c['exp'] - c['iat'], len(c['jti']), c.get('scope', '-'), sorted(c))
PY
}

ok_cmd "keygen ES256" sh -c "$A keygen --out es256.key >es256.pub"
expect_eq "private key mode 0600" "600" "$(stat -c %a es256.key)"
expect_match "public key is PEM" "BEGIN PUBLIC KEY" "$(cat es256.pub)"
expect_rc "keygen refuses to overwrite" 1 "not overwriting" $A keygen --out es256.key
ok_cmd "keygen ES384 --jwk" sh -c "$A keygen --alg ES384 --out es384.key --jwk >es384.jwk"
expect_match "JWK has crv P-384" '"crv": "P-384"' "$(cat es384.jwk)"
ok_cmd "keygen RS256" sh -c "$A keygen --alg RS256 --out rs256.key >rs256.pub"
expect_rc "keygen refuses other algs" 1 "ES256, ES384 or RS256" $A keygen --alg HS256 --out x.key
expect_rc "keygen refuses small RSA" 1 "bits" $A keygen --alg RS256 --bits 1024 --out x.key
ln -s es256.key link.key
expect_rc "keygen refuses a symlink target" 1 "" $A keygen --out link.key

# ---- keygen: where the key goes, and nothing left behind on failure
# left DIR: what a failed keygen left in DIR (empty: nothing)
left() { find "$1" -mindepth 1 -printf '%P\n' 2>/dev/null | sort | xargs; }
mkdir kg
ok_cmd "keygen creates the missing directories of --out" \
	sh -c "$A keygen --out kg/a/b/bot.key >kg/bot.pub"
expect_eq "each created directory is 0700, the key 0600" "700 700 600" \
	"$(stat -c %a kg/a kg/a/b kg/a/b/bot.key | xargs)"
expect_match "... and the public key was printed" "BEGIN PUBLIC KEY" "$(cat kg/bot.pub)"
expect_eq "no temporary file beside the key" "bot.key" "$(left kg/a/b)"
ok_cmd "keygen --pub writes the public key to a file (its directory created)" \
	$A keygen --out kg/p.key --pub kg/pub/p.pub
expect_eq "--pub: the file is 0644, its new directory 0700" "644 700" \
	"$(stat -c %a kg/pub/p.pub kg/pub | xargs)"
ok_cmd "--pub: the public key is the private key's" \
	sh -c "openssl pkey -in kg/p.key -pubout | cmp - kg/pub/p.pub"
run $A keygen --out kg/j.key --pub kg/j.jwk --jwk
expect_match "--pub with --jwk: the JWK in the file, nothing on stdout" \
	'^0 :.*"kty": "EC"' "$RC :$OUT $(tr -d '\n' <kg/j.jwk)"
cp kg/p.key kg/p.key.orig
cp kg/pub/p.pub kg/p.pub.orig
expect_rc "an existing --pub file is not overwritten" 1 "p.pub: exists; not overwriting it" \
	$A keygen --out kg/new.key --pub kg/pub/p.pub
expect_eq "... and neither the new key nor anything else was made" "" "$(ls kg/new.key 2>/dev/null)"
expect_rc "an existing --out file is not overwritten" 1 "p.key: exists; not overwriting it" \
	$A keygen --out kg/p.key --pub kg/other.pub
ok_cmd "... and both files are as they were" sh -c \
	"cmp kg/p.key kg/p.key.orig && cmp kg/pub/p.pub kg/p.pub.orig && [ ! -e kg/other.pub ]"
mkdir -m 0777 kg/open
expect_rc "a group/world writable directory for the key is refused" 1 \
	"kg/open: writable by group or others \(mode 0777\)" $A keygen --out kg/open/x.key
expect_eq "... and nothing made there" "" "$(left kg/open)"
mkdir -m 1777 kg/sticky
ok_cmd "a sticky one (like /tmp) is accepted" sh -c "$A keygen --out kg/sticky/x.key >/dev/null"
expect_rc "--out inside a regular file: refused" 1 "Not a directory" \
	$A keygen --out kg/p.key.orig/x/y.key
run sh -c "$A keygen --out kg/new/dir/k.key >/dev/full"
expect_match "standard output fails (disk full): exit 1 with the reason" \
	"^1 .*writing output: No space left on device" "$RC $ERR"
expect_eq "... and the key and the directories it made are gone" "" "$(ls -A kg/new 2>&1 | grep -v 'No such')"
ok_cmd "... kg/new itself removed" test ! -e kg/new
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T" kg
	mkdir -m 755 kg/root
	run setpriv --reuid=65534 --regid=65534 --clear-groups $A keygen --out kg/root/sub/k.key
	expect_match "a directory the caller cannot write: refused with the reason" \
		"^1 .*kg/root/sub: Permission denied" "$RC $ERR"
	expect_eq "... and nothing made" "" "$(left kg/root)"
else
	tap_skip "unwritable directory" "needs root and setpriv"
	tap_skip "unwritable directory: nothing made" "needs root and setpriv"
fi
# A full file system and a read-only one, in a mount namespace of their own:
# the private key fits and the public key does not, or nothing fits.
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
	mkdir kg/fs
	# keygen_on SIZE FILLER-KiB KEYGEN-ARGS...: keygen on a new tmpfs of
	# SIZE at kg/fs, already holding FILLER-KiB KiB; prints "rc=N left=
	# WHAT-IT-LEFT" and its error
	keygen_on() {
		unshare --mount bash -c '
			size=$1 fill=$2 A=$3
			shift 3
			mount -t tmpfs -o "size=$size,mode=0700" tmpfs kg/fs || exit 9
			[ "$fill" = 0 ] || head -c $((fill * 1024)) /dev/zero >kg/fs/filler 2>/dev/null
			"$A" keygen "$@" >/dev/null 2>kg/fs.err
			echo "rc=$? left=$(find kg/fs -mindepth 1 ! -name filler -printf "%P ")"
			cat kg/fs.err' _ "$@"
	}
	run keygen_on 8k 8 "$A" --out kg/fs/k.key
	expect_match "a full file system: refused with the reason, nothing left" \
		"^rc=1 left= .*k.key: No space left on device" "$(echo $OUT)"
	run keygen_on 12k 8 "$A" --out kg/fs/d/k.key --pub kg/fs/d/k.pub
	expect_match "room for the private key, not for the public one: neither is left, nor the directory made" \
		"^rc=1 left= .*k.pub: No space left on device" "$(echo $OUT)"
	run unshare --mount sh -c "mount -t tmpfs -o ro tmpfs kg/fs && $A keygen --out kg/fs/k.key; echo rc=\$?"
	expect_match "a read-only file system: refused with the reason" \
		"Read-only file system" "$ERR"
	expect_eq "... nothing left (exit 1)" "rc=1" "$OUT"
else
	for _ in 1 2 3 4; do tap_skip "full and read-only file systems" "needs root and mount namespaces"; done
fi

tok=$($A token --key es256.key --account bot --aud svcacct:e2e)
expect_eq "ES256 token verifies" \
	"ES256 - JWT bot bot svcacct:e2e 60 22 - ['aud', 'exp', 'iat', 'iss', 'jti', 'sub']" \
	"$(verify "$tok" es256.pub)"
expect_match "ES256 token is small" "^.{200,420}$" "$tok"
tok=$($A token --key es384.key --account bot --aud a1 --kid k1 --scope deploy,read --lifetime 300)
expect_eq "ES384 token with kid and scope" \
	"ES384 k1 JWT bot bot a1 300 22 deploy read ['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']" \
	"$(verify "$tok" es384.jwk)"
run $A token --key rs256.key --account bot --aud svcacct:e2e
expect_match "RS256 token verifies" "^RS256 - JWT bot bot" "$(verify "$OUT" rs256.pub)"
expect_match "RS256 over 511 bytes: says so" "longer than sudo" "$ERR"
t1=$($A token --key es256.key --account bot --aud a)
t2=$($A token --key es256.key --account bot --aud a)
fail_cmd "jti differs per token" test "$t1" = "$t2"
expect_rc "lifetime over 300 refused" 1 "lifetime" $A token --key es256.key --account bot --aud a --lifetime 301
expect_rc "bad account refused" 1 "bad account" $A token --key es256.key --account Bad --aud a
expect_rc "bad scope refused" 1 "scope" $A token --key es256.key --account bot --aud a --scope 'a;b'
cp es256.key loose.key
chmod 640 loose.key
expect_rc "group-readable key refused" 1 "group or others" $A token --key loose.key --account bot --aud a
expect_rc "symlinked key refused" 1 "" $A token --key link.key --account bot --aud a
split=$($A token --key rs256.key --account bot --aud svcacct:e2e --split 200)
expect_eq "--split: lines of 200 bytes + mark, then the rest" "ok" \
	"$(printf '%s\n' "$split" | awk 'NR>1 && !(length(p) == 201 && substr(p, 201) == "\\") {bad=1} {p=$0} END {print (bad || length(p) > 200 || NR < 2) ? "bad" : "ok"}')"
joined=$(printf '%s\n' "$split" | sed 's/\\$//' | tr -d '\n')
expect_match "--split: joined parts verify" "^RS256" "$(verify "$joined" rs256.pub)"

# ---- the command line, from the table of tools/assert/opts.c
run $A --help
expect_match "--help: every subcommand's synopsis" \
	"^0 usage: svcacct-assert keygen .*svcacct-assert token .*svcacct-assert sign-manifest .*PROMPT" "$RC $(echo $OUT)"
for sub in keygen token sign-manifest; do
	run $A $sub --help
	expect_match "$sub --help: its synopsis, summary and options' help" \
		"^0 usage: svcacct-assert $sub .*\. +--key|^0 usage: svcacct-assert $sub .*\. +--alg" "$RC $(echo $OUT)"
done
# every option of the table, from the synopses of the full usage
OPTS=$($A --help | grep -v 'SUBCOMMAND --help' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ "$(printf '%s\n' "$OPTS" | wc -l)" -gt 10 ] && tap_ok "the usage lists the table's options" ||
	tap_notok "the usage lists the table's options"
missing=
for o in $OPTS; do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$top_srcdir/man/svcacct-assert.1" || missing="$missing $o"
done
expect_eq "svcacct-assert(1) documents every option of the table" "" "$missing"
# the SYNOPSIS of each subcommand (from ".B svcacct-assert SUB" to ".br")
# names each option of its usage
for sub in keygen token sign-manifest; do
	syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$top_srcdir/man/svcacct-assert.1" |
		sed -n "/^\\.B svcacct-assert $sub\$/,/^\\.br/p" | sed 's/\\-/-/g')
	gaps=
	for o in $($A $sub --help | sed '/^[A-Z]/,$d' | grep -oE -- '--[a-z][a-z-]+'); do
		printf '%s\n' "$syn" | grep -qE -- "$o( |\"|\$)" || gaps="$gaps $o"
	done
	[ -n "$syn" ] || gaps="no synopsis"
	expect_eq "svcacct-assert(1) SYNOPSIS of $sub: each of its options" "" "$gaps"
done
expect_eq "no getopt_long left in svcacct-assert" "" \
	"$(cd "$top_srcdir/tools/assert" && grep -l getopt_long ./*.c)"
# refusals: a clear message, the subcommand's synopsis, exit 2, nothing made
# refused NAME PATTERN ARGS...: exit 2, PATTERN and the usage on stderr
refused() {
	local name=$1 pat=$2
	shift 2
	run $A "$@"
	expect_match "$name" "^2 svcacct-assert $1: $pat usage: svcacct-assert $1 " "$RC $(echo $ERR)"
}
refused "unknown option: refused" "unknown option '--foo'" keygen --out neg.key --foo
refused "another subcommand's option: refused, naming where it belongs" \
	"unknown option '--key' \(an option of token, sign-manifest\)" keygen --out neg.key --key es256.key
refused "token does not take --out" "unknown option '--out' \(an option of keygen\)" \
	token --key es256.key --account bot --aud a --out neg.key
refused "sign-manifest does not take --alg" "unknown option '--alg' \(an option of keygen\)" \
	sign-manifest --key es256.key --alg ES256 -
refused "a prefix of an option is not the option" "unknown option '--ou'" keygen --ou neg.key
refused "a short option other than -h: refused" "unknown option '-x'" keygen -x --out neg.key
refused "missing argument: refused" "option '--out' needs an argument \(KEY\)" keygen --out
refused "missing argument of token --key" "option '--key' needs an argument \(KEY\)" token --account bot --aud a --key
refused "a required option missing: refused" "needs --out KEY" keygen --alg ES256
refused "token without --aud" "needs --aud AUD" token --key es256.key --account bot
refused "an option given twice: refused" "option '--out' given twice" keygen --out neg.key --out neg2.key
refused "a flag with a value: refused" "option '--jwk' takes no argument" keygen --out neg.key --jwk=yes
refused "an argument too many: refused" "unexpected argument 'extra'" keygen --out neg.key extra
refused "sign-manifest without its file" "needs FILE\|-" sign-manifest --key es256.key
refused "sign-manifest with two files" "unexpected argument 'b'" sign-manifest --key es256.key a b
refused "an empty --out: refused" "--out: an empty name" keygen --out=
expect_eq "... and none of them made a key" "" "$(ls neg.key neg2.key 2>/dev/null)"
run $A token --key=es256.key --account=bot --aud=a --lifetime=30
expect_match "--name=value works as --name value" "^0 ES256 - JWT bot bot a 30 " "$RC $(verify "$OUT" es256.pub)"

# ---- SSH_ASKPASS mode: every run below has this shell as its parent, as
# ssh's askpass runs have the ssh process
mkdir -m 700 run
export XDG_RUNTIME_DIR=$T/run SVCACCT_KEY=$T/es256.key SVCACCT_ACCOUNT=bot SVCACCT_AUDIENCE=svcacct:e2e
one=$($A "(bot@host) svcacct credential for svcacct:evil.example: ")
expect_match "askpass: one-part credential, no mark" "^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$" "$one"
expect_match "askpass: audience from own config, not the prompt" " svcacct:e2e " "$(verify "$one" es256.pub)"
expect_eq "askpass: nothing cached for one part" "" "$(ls run/svcacct-assert)"
expect_rc "askpass: confirm prompt refused" 1 "confirm" env SSH_ASKPASS_PROMPT=confirm $A "Are you sure (yes/no)? "
expect_rc "askpass: foreign prompt not answered" 1 "not a svcacct prompt" $A "Enter passphrase for key: "
expect_match "askpass: password prompt answered" "^ey" "$($A "bot@127.0.0.1's password: ")"
# a long credential from a token file, in parts
head -c 1900 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d = | head -c 2500 >tokfile
chmod 600 tokfile
p1=$(SVCACCT_TOKEN_FILE=$T/tokfile $A "(bot@h) svcacct credential for x: ")
expect_match "askpass parts: part 1 is 1000 bytes + mark" '^.{1000}\\$' "$p1"
expect_eq "askpass parts: cached 0600" "600" "$(stat -c %a run/svcacct-assert/ppid-$$)"
expect_eq "askpass parts: cache dir 0700" "700" "$(stat -c %a run/svcacct-assert)"
p2=$($A "(bot@h) svcacct credential (part 2): ")
p3=$($A "(bot@h) svcacct credential (part 3): ")
expect_match "askpass parts: part 2 has a mark" '^.{1000}\\$' "$p2"
expect_eq "askpass parts: joined = token file" "$(cat tokfile)" "${p1%\\}${p2%\\}$p3"
expect_eq "askpass parts: cache deleted after the last part" "" "$(ls run/svcacct-assert)"
expect_rc "askpass parts: a part without a first one fails" 1 "no credential kept" $A "svcacct credential (part 2): "
SVCACCT_PART_SIZE=300 $A "svcacct credential for x: " >/dev/null
touch -d '2 minutes ago' run/svcacct-assert/ppid-$$
expect_rc "askpass parts: expired after 60 s" 1 "" $A "svcacct credential (part 2): "
chmod 640 tokfile
expect_rc "askpass: group-readable token file refused" 1 "group or others" \
	env SVCACCT_TOKEN_FILE=$T/tokfile $A "svcacct credential for x: "
chmod 755 run/svcacct-assert
expect_rc "askpass: cache dir open to others refused" 1 "private directory" $A "svcacct credential for x: "
rm -rf run/svcacct-assert
ln -s "$T" run/svcacct-assert
expect_rc "askpass: symlinked cache dir refused" 1 "" $A "svcacct credential for x: "
rm run/svcacct-assert
expect_rc "askpass: needs an account" 1 "SVCACCT_ACCOUNT" env -u SVCACCT_ACCOUNT HOME=$T $A "svcacct credential for x: "
mkdir -p cfg/svcacct
printf 'key = %s\naccount = bot\naudience = svcacct:fromfile\n' "$T/es256.key" >cfg/svcacct/assert.conf
tok=$(env -u SVCACCT_KEY -u SVCACCT_ACCOUNT -u SVCACCT_AUDIENCE XDG_CONFIG_HOME=$T/cfg $A "svcacct credential for x: ")
expect_match "askpass: client config file" " svcacct:fromfile " "$(verify "$tok" es256.pub)"
chmod 666 cfg/svcacct/assert.conf
expect_rc "askpass: writable config refused" 1 "not writable" \
	env -u SVCACCT_KEY XDG_CONFIG_HOME=$T/cfg $A "svcacct credential for x: "
chmod 644 cfg/svcacct/assert.conf
printf 'key = %s\naccount = bot\naudiance = svcacct:typo\n' "$T/es256.key" >cfg/svcacct/assert.conf
expect_rc "askpass: a typo in the client config is refused with file and line" 1 \
	"assert.conf:3: unknown key 'audiance'" \
	env -u SVCACCT_KEY -u SVCACCT_ACCOUNT -u SVCACCT_AUDIENCE XDG_CONFIG_HOME=$T/cfg $A "svcacct credential for x: "
# the client config goes through svcacct.conf's parser: every value is
# checked on its line, and a refused file answers nothing
noenv="env -u SVCACCT_KEY -u SVCACCT_ACCOUNT -u SVCACCT_AUDIENCE XDG_CONFIG_HOME=$T/cfg"
printf 'key = es256.key\naccount = bot\naudience = svcacct:fromfile\n' >cfg/svcacct/assert.conf
run $noenv $A "svcacct credential for x: "
expect_match "askpass: a relative key path in the client config is refused with file and line" \
	"^1 .*assert.conf:1: key: 'es256.key' is not a plain absolute path" "$RC $ERR"
expect_eq "... and nothing is answered" "" "$OUT"
printf 'key = %s\naccount = bot\naudience = svcacct:fromfile\nlifetime = 301\n' "$T/es256.key" >cfg/svcacct/assert.conf
expect_rc "askpass: a lifetime out of range in the client config is refused" 1 \
	"assert.conf:4: lifetime: 301 out of range 1..300" $noenv $A "svcacct credential for x: "
printf 'key = %s\naccount = bot\naudience = svcacct:fromfile\nscope = deploy,Bad\n' "$T/es256.key" >cfg/svcacct/assert.conf
expect_rc "askpass: a bad role in the client config's scope is refused" 1 \
	"assert.conf:4: scope: bad entry 'Bad'" $noenv $A "svcacct credential for x: "
printf 'key = %s\naccount = bot\naudience = svcacct:fromfile\nscope = deploy, read\nlifetime = 30\nkid = k9\n' \
	"$T/es256.key" >cfg/svcacct/assert.conf
tok=$($noenv $A "svcacct credential for x: ")
expect_eq "askpass: scope, lifetime and kid from the client config" \
	"ES256 k9 JWT bot bot svcacct:fromfile 30 22 deploy read ['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']" \
	"$(verify "$tok" es256.pub)"
tok=$($noenv SVCACCT_AUDIENCE=svcacct:fromenv SVCACCT_SCOPE=ops $A "svcacct credential for x: ")
expect_match "askpass: the environment overrides the client config, key by key" \
	"^ES256 k9 JWT bot bot svcacct:fromenv 30 22 ops " "$(verify "$tok" es256.pub)"
mv cfg/svcacct/assert.conf cfg/svcacct/real.conf
ln -sf real.conf cfg/svcacct/assert.conf
expect_rc "askpass: a symlinked client config is refused" 1 \
	"assert.conf: Too many levels of symbolic links" $noenv $A "svcacct credential for x: "
done_testing
