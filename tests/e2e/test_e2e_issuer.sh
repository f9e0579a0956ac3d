#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end: a bot holding a Keycloak-shaped access token (jwcrypto, longer
# than 1 KiB) logs in to Debian's real sshd with plain ssh and
# svcacct-assert as SSH_ASKPASS reading SVCACCT_TOKEN_FILE, which sends the
# token in parts. The JWKS is fetched over HTTPS from nginx on loopback
# (test CA). Refusals over ssh: wrong audience, unmapped client, replayed
# jti, rotated-out key; the IdP down: refresh fails, logins go on.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/e2e/lib.sh"
e2e_enter "$@"
need sshd '[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null'
need python3-jwcrypto '/usr/bin/python3 -c "import jwcrypto" 2>/dev/null'
need nginx '[ -x /usr/sbin/nginx ]'
e2e_setup || { tap_notok "namespace setup"; done_testing; exit 1; }
. "$top_srcdir/tests/issuer/lib.sh"
. "$top_srcdir/tests/issuer/https.sh"
trap 'https_stop; e2e_cleanup' EXIT
https_setup || { tap_notok "nginx started"; done_testing; exit 1; }

PORT=2223
e2e_pam_sshd "$E2E_PAM"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
e2e_sshd_config "$PORT" >"$T/sshd_config"
S role create deployers --services sshd --from 127.0.0.1/32 --command "/usr/bin/id -un" \
	--command /usr/bin/env >/dev/null
S account create deploy --role deployers >/dev/null
kc_key kcenc
kc_key kc1
kc_key kc2
kc_jwks "$T/www/certs" "kc1:k1"
chmod 644 "$T/www/certs"
ok_cmd "issuer add fetches the JWKS over HTTPS" S issuer add kc --issuer "$KC_ISS" \
	--jwks-url "$KC_CERTS" --ca-file "$T/ca.crt" --audience "$KC_AUD" --roles-claim realm_access.roles
S issuer map kc --client deploy-client --account deploy >/dev/null
S issuer role-map kc deployer deployers >/dev/null
e2e_sshd_start || { tap_notok "sshd started"; cat "$T/sshd.log"; done_testing; exit 1; }

C=$T/client
mkdir -m 700 "$C" "$C/run"
SSHOPTS="-F /dev/null -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o NumberOfPasswordPrompts=1"
# an askpass that notes each prompt, then answers as svcacct-assert
printf '#!/bin/sh\necho "$1" >>%s/askpass.log\nexec %s/svcacct-assert "$@"\n' "$C" "$BIN" >"$C/askpass"
chmod 755 "$C/askpass"
# ssh_tok TOKENFILE [cmd]: plain ssh, svcacct-assert as askpass sending the
# token file (in parts: the ssh client carries at most 1023 bytes)
ssh_tok() {
	local f=$1; shift
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin HOME="$C" XDG_RUNTIME_DIR="$C/run" \
		SSH_ASKPASS="$C/askpass" SSH_ASKPASS_REQUIRE=force \
		SVCACCT_TOKEN_FILE="$f" SVCACCT_ACCOUNT=deploy SVCACCT_AUDIENCE=svcacct:e2e \
		ssh $SSHOPTS -o PreferredAuthentications=keyboard-interactive \
		deploy@127.0.0.1 "$@" </dev/null
}
tok() { # FILE [kcmint options]
	local f=$1; shift
	K "$@" >"$f"
	chmod 600 "$f"
}
tok "$C/t1" --key "$T/kc1.key" --kid k1 --realm-role deployer
expect_match "the token is longer than the 1023 bytes one ssh answer carries" '^1[0-9]{3}$' "$(wc -c <"$C/t1")"
run ssh_tok "$C/t1" /usr/bin/id -un
expect_eq "Keycloak token over ssh (askpass, in parts): command runs" "0:deploy" "$RC:$OUT"
ok_cmd "audit: auth allow method=issuer issuer=kc" log_has "event=auth result=allow account=deploy .*method=issuer roles=deployers jti=.* issuer=kc"
expect_eq "askpass cache empty after the last part" "" "$(ls "$C/run/svcacct-assert" 2>/dev/null)"
expect_match "the module asked for a second part, askpass sent it" "svcacct credential \\(part 2\\)" "$(cat "$C/askpass.log" 2>/dev/null)"
tok "$C/t1b" --key "$T/kc1.key" --kid k1 --realm-role deployer
expect_match "session sees SVCACCT_METHOD=issuer" "SVCACCT_METHOD=issuer" "$(ssh_tok "$C/t1b" /usr/bin/env 2>/dev/null)"
run ssh_tok "$C/t1" /usr/bin/id -un
expect_eq "replayed token refused over ssh" 255 "$RC"
ok_cmd "audit: replay" log_has "event=auth result=deny account=deploy .*reason=replay method=issuer issuer=kc"
/usr/bin/python3 "$top_srcdir/tests/issuer/kcmint.py" token --iss "$KC_ISS" --aud account \
	--aud svcacct:elsewhere --client deploy-client --key "$T/kc1.key" --kid k1 --realm-role deployer >"$C/t2"
chmod 600 "$C/t2"
run ssh_tok "$C/t2" /usr/bin/id -un
expect_eq "token for another audience refused over ssh" 255 "$RC"
ok_cmd "audit: bad_aud" log_has "event=auth result=deny account=deploy .*reason=bad_aud method=issuer"
tok "$C/t3" --client stranger --key "$T/kc1.key" --kid k1 --realm-role deployer
run ssh_tok "$C/t3" /usr/bin/id -un
expect_eq "unmapped client refused over ssh" 255 "$RC"
ok_cmd "audit: unmapped_client" log_has "event=auth result=deny account=deploy .*reason=unmapped_client"

# rotation at the IdP, then the IdP down
kc_jwks "$T/www/certs" "kc2:k2"
ok_cmd "refresh after rotation" S issuer refresh kc
tok "$C/t4" --key "$T/kc2.key" --kid k2 --realm-role deployer
expect_eq "new kid over ssh" "deploy" "$(ssh_tok "$C/t4" /usr/bin/id -un 2>/dev/null)"
tok "$C/t5" --key "$T/kc1.key" --kid k1 --realm-role deployer
run ssh_tok "$C/t5" /usr/bin/id -un
expect_eq "removed kid refused over ssh" 255 "$RC"
https_stop
expect_rc "IdP down: refresh fails with exit 1" 1 "refresh failed, the cached keys are kept" S issuer refresh kc
tok "$C/t6" --key "$T/kc2.key" --kid k2 --realm-role deployer
expect_eq "IdP down: logins with the cached key go on" "deploy" "$(ssh_tok "$C/t6" /usr/bin/id -un 2>/dev/null)"
done_testing
