#!/bin/bash
# SPDX-License-Identifier: MIT
# nss_svcacct through the real glibc: getent, id, ls, stat, chown, runuser
# and su (pam_unix reading our shadow entries), with an nsswitch.conf of
# "files svcacct" laid over /etc in a private mount namespace.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/nss/lib.sh"
nss_enter_ns "$@"
nss_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
nss_populate

# ---------------------------------------------------------------- passwd
expect_eq "getent passwd bot" "bot:x:70001:70001:Build bot:/srv/bot:/bin/sh" \
	"$(getent passwd bot)"
expect_eq "getent passwd ci (default home and shell)" \
	"ci:x:70002:70002:CI:/home/svc/ci:/usr/sbin/nologin" "$(getent passwd ci)"
expect_eq "getent passwd by UID" "bot:x:70001:70001:Build bot:/srv/bot:/bin/sh" \
	"$(getent passwd 70001)"
expect_eq "getent passwd off (disabled accounts still resolve)" \
	"off:x:70003:70003::/home/svc/off:/usr/sbin/nologin" "$(getent passwd off)"
run getent passwd nosuchbot
expect_eq "unknown name: exit 2, no output" "2:" "$RC:$OUT"
run getent passwd 70099
expect_eq "unknown UID: exit 2" "2:" "$RC:$OUT"
expect_eq "root still comes from files" "root:0" "$(getent passwd root | cut -d: -f1,3)"
expect_eq "enumeration lists every account" "bot ci off" \
	"$(getent passwd | awk -F: '$3 >= 70000 && $3 < 80000 {print $1}' | sort | xargs)"

# ---------------------------------------------------------------- group
expect_eq "user-private group" "bot:x:70001:" "$(getent group bot)"
expect_eq "user-private group by GID" "ci:x:70002:" "$(getent group 70002)"
expect_eq "role group with members" "deploy:x:80001:bot,ci" "$(getent group deploy)"
expect_eq "role group by GID" "readers:x:80002:ci" "$(getent group 80002)"
expect_eq "role group without members" "empty:x:80003:" "$(getent group empty)"
base=$(getent group svcacct)
expect_eq "base group: name, GID" "svcacct:x:80000" "${base%:*}"
expect_eq "base group: every account a member" "bot,ci,off" \
	"$(echo "${base##*:}" | tr , '\n' | sort | paste -sd,)"
expect_eq "base group by GID" "$base" "$(getent group 80000)"
run getent group 80099
expect_eq "unknown GID: exit 2" "2" "$RC"
expect_eq "group enumeration lists every group" \
	"bot ci deploy empty off readers svcacct" \
	"$(getent group | awk -F: '$3 >= 70000 && $3 < 90000 {print $1}' | sort | xargs)"

# ---------------------------------------------------------------- shadow
expect_eq "shadow: '*', last change = update day, no aging" \
	"bot:*:19675::::::" "$(getent shadow bot)"
expect_eq "shadow: expiry day" "ci:*:19675:::::20833:" "$(getent shadow ci)"
expect_eq "shadow: disabled = expired on day 1" "off:*:19675:::::1:" \
	"$(getent shadow off)"
expect_eq "shadow enumeration" "bot ci off" \
	"$(getent shadow | awk -F: '$2 == "*" && $1 ~ /^(bot|ci|off)$/ {print $1}' | sort | xargs)"

# ---------------------------------------------------------------- initgroups, id
expect_eq "getent initgroups bot" "bot 80000 80001" \
	"$(getent initgroups bot | tr -s ' ')"
expect_eq "getent initgroups ci" "ci 80000 80001 80002" \
	"$(getent initgroups ci | tr -s ' ')"
expect_eq "id bot" "uid=70001(bot) gid=70001(bot) groups=70001(bot),80000(svcacct),80001(deploy)" \
	"$(id bot)"
expect_eq "id ci" "uid=70002(ci) gid=70002(ci) groups=70002(ci),80000(svcacct),80001(deploy),80002(readers)" \
	"$(id ci)"
expect_eq "id -un 70003" "off" "$(id -un 70003)"

# ---------------------------------------------------------------- files
f=$T/file
touch "$f"
ok_cmd "chown bot:bot" chown bot:bot "$f"
expect_eq "stat after chown bot:bot" "bot:bot 70001:70001" "$(stat -c '%U:%G %u:%g' "$f")"
ok_cmd "chown ci:deploy" chown ci:deploy "$f"
expect_eq "ls -l shows the names" "ci deploy" "$(ls -l "$f" | awk '{print $3, $4}')"
ok_cmd "chgrp svcacct" chgrp svcacct "$f"
expect_eq "stat %G of the base group" "svcacct" "$(stat -c %G "$f")"
chown 70099:80099 "$f"
expect_eq "unknown IDs stay numeric" "70099 80099" "$(ls -ln "$f" | awk '{print $3, $4}')"
fail_cmd "chown to an unknown name fails" chown nosuchbot "$f"

# ---------------------------------------------------------------- runuser, su
expect_eq "runuser -u bot -- id" \
	"uid=70001(bot) gid=70001(bot) groups=70001(bot),80000(svcacct),80001(deploy)" \
	"$(runuser -u bot -- id 2>&1)"
expect_eq "runuser -u ci -- id -Gn" "ci svcacct deploy readers" \
	"$(runuser -u ci -- id -Gn 2>&1)"
if [ -e /etc/pam.d/su ]; then
	# pam_unix's account check reads our shadow entry: enabled passes,
	# disabled (expiry day 1) is refused
	expect_eq "su to an enabled account (pam_unix account ok)" "bot" \
		"$(su -s /bin/sh bot -c 'id -un' 2>&1 </dev/null)"
	run su -s /bin/sh off -c 'id -un'
	expect_match "su to a disabled account: pam_unix says expired" \
		"expired" "$RC $OUT $ERR"
else
	tap_skip "su checks" "no /etc/pam.d/su"
	tap_skip "su checks" "no /etc/pam.d/su"
fi

# ---------------------------------------------------------------- buffers
# Through glibc (files answers first, then us): every size from 0 up
# gives ERANGE until the entry fits, then exactly the entry.
for q in "pwnam bot" "pwuid 70002" "grnam deploy" "grgid 80002" "grnam svcacct" \
	"grgid 80000" "grnam off" "grgid 70003" "spnam ci"; do
	run "$PROBE" glibc sweep $q
	expect_match "glibc buffer sweep: $q" "^sweep .* ok need=" "$OUT"
done
# Enumerations with a buffer grown one byte at a time skip nothing.
for db in pw gr sp; do
	full=$("$PROBE" glibc enum $db 2>/dev/null | sort)
	swept=$("$PROBE" glibc enum $db sweep 2>/dev/null | sort)
	expect_eq "glibc enumeration $db with growing buffers skips nothing" \
		"$full" "$swept"
done

# ---------------------------------------------------------------- enumerate = no
nss_write_conf "enumerate = no"
expect_eq "enumerate = no: no account in getent passwd" "" \
	"$(getent passwd | awk -F: '$3 >= 70000 && $3 < 80000')"
expect_eq "enumerate = no: no group in getent group" "" \
	"$(getent group | awk -F: '$3 >= 70000 && $3 < 90000')"
expect_eq "enumerate = no: none in getent shadow" "" \
	"$(getent shadow | grep -E '^(bot|ci|off):')"
expect_eq "enumerate = no: lookups still work" "bot:x:70001:" "$(getent group bot)"
nss_write_conf

done_testing
