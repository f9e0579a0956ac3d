#!/bin/bash
# SPDX-License-Identifier: MIT
# The base role "svcacct" in svcacct(8): role set/show/list take it, delete,
# create and a GID change are refused, grant and revoke keep refusing it,
# and its settings travel through export/import and apply. Every refused
# command exits 1 with a clear message and leaves the store as it was.
# Runs as root (TAP), against private stores.
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/cli.sh"

cli_need_svcacct python3
cli_cleanup_on_exit

new_env() { cli_store_setup base "$@"; }
sv() { "$SV" --conf "$CONF" "$@"; }
snap() {
	sv generations 2>&1
	sv export 2>&1
	sv --json role show svcacct 2>&1
	ls -A "$T/db" 2>&1
	find "$T/state" -maxdepth 1 -type f -exec md5sum {} + 2>&1
}
refused() { cli_refused "$@"; }
jf() {
	printf '%s' "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$2" 2>&1
}

# files that outlive each store
W=$(mktemp -d /tmp/svcacct-base-files.XXXXXX)
CLEAN+=("$W")
new_env
mkdir -p "$W/pam.d"
for s in sshd cron backup; do touch "$W/pam.d/$s"; done
export SVCACCT_TEST_PAM_DIR=$W/pam.d
sv role create ops --services sshd --from local >/dev/null
sv account create alpha --no-home --role ops >/dev/null
sv account create beta --no-home >/dev/null
EXPORT0=$(sv export | grep -v '"generation"')

# ------------------------------------------------------------ defaults
J=$(sv --json role show svcacct)
expect_eq "show: the base role exists without settings" \
	'["svcacct", 80000, [], [], [], 2, ["alpha", "beta"]]' \
	"$(jf "$J" '[j["name"], j["gid"], j["services"], j["from"], j["commands"], j["member_count"], j["members"]]')"
expect_match "show (text): every account a member" "members +every account \(2\)" "$(sv role show svcacct)"
expect_eq "list: no row for a base role without settings" '["ops"]' \
	"$(jf "$(sv --json role list)" '[r["name"] for r in j]')"

# ------------------------------------------------------------ refusals
refused "delete of the base role refused" 1 "'svcacct' is the base role: every account holds it, so it is never deleted" \
	sv role delete svcacct
refused "delete --force of the base role refused" 1 "never deleted" sv role delete --force svcacct
refused "create of a role named svcacct refused" 1 "'svcacct' is the base role: it always exists" \
	sv role create svcacct --services sshd
refused "GID change of the base role refused" 1 "the GID of the base role 'svcacct' is base_gid in .*svcacct.conf" \
	sv role set svcacct --gid 80000
refused "grant of the base role refused (as before)" 1 "'svcacct' is the base role: every account holds it" \
	sv grant beta svcacct
refused "revoke of the base role refused (as before)" 1 "'svcacct' is the base role: every account holds it" \
	sv revoke alpha svcacct
refused "bad service name refused" 1 "bad service 'ss/hd'" sv role set svcacct --services 'ss/hd'
refused "bad source refused" 1 "bad source '10.0.0.0/33'" sv role set svcacct --from 10.0.0.0/33
refused "relative command refused" 1 "must start with an absolute path" sv role set svcacct --command 'true'
refused "service without PAM configuration refused" 1 "without PAM configuration" \
	sv role set svcacct --services nosuchservice
refused "removing a service it lacks refused" 1 "role 'svcacct' has no service 'sshd' to remove" \
	sv role set svcacct --remove-service sshd
refused "a bad description refused" 1 "description" sv role set svcacct --description "$(printf 'a\tb')"
cli_refused_run 2 "replaces the list" sv role set svcacct --services sshd --add-service cron
cli_verdict "--services with --add-service refused (usage)" sv role set svcacct --services sshd --add-service cron
expect_eq "nothing written by the refusals: export as before" "$EXPORT0" "$(sv export | grep -v '"generation"')"

# ------------------------------------------------------------ role set
ok_cmd "role set svcacct" sv role set svcacct --services cron,backup --from local,192.0.2.0/24 \
	--command "/usr/bin/true now" --description "defaults for every account"
J=$(sv --json role show svcacct)
expect_eq "show: its settings" \
	'["defaults for every account", ["cron", "backup"], ["local", "192.0.2.0/24"], ["/usr/bin/true now"], 80000]' \
	"$(jf "$J" '[j["description"], j["services"], j["from"], j["commands"], j["gid"]]')"
expect_match "show: created set" '^[0-9]{4}-' "$(jf "$J" 'j["created"]')"
ok_cmd "--add-service / --remove-from" sv role set svcacct --add-service sshd --remove-from 192.0.2.0/24
expect_eq "edited lists" '[["cron", "backup", "sshd"], ["local"]]' \
	"$(jf "$(sv --json role show svcacct)" '[j["services"], j["from"]]')"
expect_eq "list: the base role's row once it has settings" '[["ops", 80001, 1], ["svcacct", 80000, 2]]' \
	"$(jf "$(sv --json role list)" '[[r["name"], r["gid"], r["member_count"]] for r in j]')"
expect_match "list (text)" "svcacct +80000 +2 cron,backup,sshd +local" "$(sv role list)"
expect_eq "the accounts' roles unchanged" '["svcacct", "ops"]' "$(jf "$(sv --json account show alpha)" 'j["roles"]')"
expect_eq "no role record and no GID index for it: check is clean" "0" \
	"$(sv check >/dev/null 2>&1; echo $?)"

# ------------------------------------------------------------ export / import
E=$(sv export)
expect_eq "export: the base role's settings, without a GID" \
	'{"commands": ["/usr/bin/true now"], "description": "defaults for every account", "from": ["local"], "name": "svcacct", "services": ["cron", "backup", "sshd"]}' \
	"$(jf "$E" '[r for r in j["roles"] if r["name"] == "svcacct"][0]')"
printf '%s' "$E" >"$W/export.json"
SRC_T=$T SRC_CONF=$CONF
new_env
export SVCACCT_TEST_PAM_DIR=$W/pam.d
ok_cmd "import of the export" sv import "$W/export.json"
norm='[[r["name"], r["description"], r["services"], r["from"], r["commands"]] for r in j]'
expect_eq "import reproduces role list --json (base role included)" \
	"$(jf "$("$SV" --conf "$SRC_CONF" --json role list)" "$norm")" "$(jf "$(sv --json role list)" "$norm")"
expect_eq "export of the import equals the export" \
	"$(printf '%s' "$E" | grep -v '"generation"')" "$(sv export | grep -v '"generation"')"
# base_role_edit IN OUT KEY VALUE: the export or manifest IN with the
# base role's KEY set to the JSON VALUE, written to OUT
base_role_edit() {
	python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
[r for r in d["roles"] if r["name"] == "svcacct"][0][sys.argv[3]] = json.loads(sys.argv[4])
json.dump(d, open(sys.argv[2], "w"))
EOF
}
# role show --json of the base role imports too (members ignored)
jf "$(sv --json role show svcacct)" 'dict(format="svcacct-export", version=1, roles=[j])' >"$W/show.json"
base_role_edit "$W/show.json" "$W/badgid.json" gid 80007
refused "import: a base role with another GID refused" 1 "the base role 'svcacct' has GID 80000 \(base_gid\), not 80007" \
	sv import "$W/badgid.json"
base_role_edit "$W/show.json" "$W/badsvc.json" services '["bad service"]'
refused "import: a bad service of the base role refused" 1 "roles\[0\] \(svcacct\): bad service 'bad service'" \
	sv import "$W/badsvc.json"

# ------------------------------------------------------------ apply
M=$("$SV" --conf "$SRC_CONF" export --manifest)
expect_eq "export --manifest: the base role's settings" '["cron", "backup", "sshd"]' \
	"$(jf "$M" '[r for r in j["roles"] if r["name"] == "svcacct"][0]["services"]')"
printf '%s' "$M" >"$W/m.json"
new_env
export SVCACCT_TEST_PAM_DIR=$W/pam.d
run sv apply "$W/m.json"
expect_eq "apply: exit 0" "0" "$RC"
expect_match "apply: the base role's services as a change" "~ role svcacct: services - -> backup,cron,sshd" "$OUT"
expect_eq "apply reproduces the base role" \
	"$(jf "$("$SV" --conf "$SRC_CONF" --json role show svcacct)" '[j["description"], sorted(j["services"]), j["from"], j["commands"]]')" \
	"$(jf "$(sv --json role show svcacct)" '[j["description"], sorted(j["services"]), j["from"], j["commands"]]')"
run sv apply "$W/m.json"
expect_match "apply again: nothing to change" "no change" "$OUT$ERR"
python3 - "$W/m.json" "$W/m-nobase.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["roles"] = [r for r in d["roles"] if r["name"] != "svcacct"]
json.dump(d, open(sys.argv[2], "w"))
EOF
run sv apply "$W/m-nobase.json"
expect_eq "apply without the base role (no --prune): left alone" '["cron", "backup", "sshd"]' \
	"$(jf "$(sv --json role show svcacct)" 'j["services"]')"
base_role_edit "$W/m.json" "$W/m-members.json" members '["alpha"]'
refused "apply: members of the base role refused" 1 "unknown member 'members'" sv apply "$W/m-members.json"
base_role_edit "$W/m.json" "$W/m-gid.json" gid 80009
refused "apply: another GID for the base role refused" 1 "the GID of a role never changes" sv apply "$W/m-gid.json"
base_role_edit "$W/m.json" "$W/m-bad.json" from '["nowhere"]'
refused "apply: a bad source of the base role refused" 1 "bad source 'nowhere'" sv apply "$W/m-bad.json"
run sv apply --prune "$W/m-nobase.json"
expect_match "apply --prune without the base role: its settings go" "~ role svcacct: services backup,cron,sshd -> -" "$OUT"
expect_eq "... the base role is still there, empty" '["svcacct", 80000, [], [], []]' \
	"$(jf "$(sv --json role show svcacct)" '[j["name"], j["gid"], j["services"], j["from"], j["commands"]]')"
expect_eq "... and no longer exported" '[]' \
	"$(jf "$(sv export)" '[r for r in j["roles"] if r["name"] == "svcacct"]')"
done_testing
