#!/bin/bash
# SPDX-License-Identifier: MIT
# Accounts and roles made by `svcacct apply` resolve through glibc (getent,
# id) with the built NSS module, in a private mount namespace (tests/nss/
# lib.sh: an overlay over /etc and the library directory; the host's are
# never written). A prune takes them away again.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
need "tools/svcacct (built)" '[ -x "$SVCACCT_CLI" ]'
cli() { "$SVCACCT_CLI" --conf "$CONF" "$@"; }
# apply makes home directories under home_base (/home/svc here): in this
# namespace only
mount -t tmpfs tmpfs /home || { tap_notok "tmpfs over /home"; done_testing; exit 1; }

cat >"$T/m.json" <<'JSON'
{"format": "svcacct-manifest", "version": 1,
 "roles": [{"name": "deployers", "gid": 80030, "services": ["sshd"]}],
 "accounts": [
  {"name": "applybot", "uid": 70030, "description": "Applied bot", "roles": ["deployers"],
   "shell": "/bin/sh"},
  {"name": "applyoff", "uid": 70031, "state": "disabled"}]}
JSON
ok_cmd "apply the manifest" cli apply "$T/m.json"
expect_eq "getent passwd: applied account" \
	"applybot:x:70030:70030:Applied bot:/home/svc/applybot:/bin/sh" "$(getent passwd applybot)"
expect_eq "getent group: applied role with its member" "deployers:x:80030:applybot" \
	"$(getent group deployers)"
expect_eq "id: base role and granted role as groups" \
	"uid=70030(applybot) gid=70030(applybot) groups=70030(applybot),80000(svcacct),80030(deployers)" \
	"$(id applybot)"
expect_eq "home made, in the namespace's /home" "0 755" "$(stat -c '%u %a' /home/svc/applybot 2>&1)"
expect_eq "getent shadow: a disabled account is expired (day 1)" "1" \
	"$(getent shadow applyoff | cut -d: -f8)"
cat >"$T/m2.json" <<'JSON'
{"format": "svcacct-manifest", "version": 1,
 "roles": [{"name": "deployers", "gid": 80030, "services": ["sshd"]}],
 "accounts": [{"name": "applybot", "uid": 70030, "description": "Applied bot", "roles": [],
   "shell": "/bin/sh"}]}
JSON
ok_cmd "apply --prune a smaller manifest" cli apply --prune "$T/m2.json"
expect_eq "after prune: the dropped account no longer resolves" "2" \
	"$(getent passwd applyoff >/dev/null; echo $?)"
expect_eq "after prune: the revoked grant is gone from id" \
	"uid=70030(applybot) gid=70030(applybot) groups=70030(applybot),80000(svcacct)" "$(id applybot)"
done_testing
