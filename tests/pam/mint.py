#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Mint JWT client assertions for the PAM tests with an independent JOSE
# implementation (python3-jwcrypto), including every adversarial variant.
# Prints the token (no newline) on stdout.
import argparse
import json
import os
import sys
import time
import uuid

# the shared signing code, without a __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from jwsmint import b64, compact, set_members  # noqa: E402


p = argparse.ArgumentParser()
p.add_argument("--key", help="private key PEM")
p.add_argument("--alg", default="ES256")
p.add_argument("--kid")
p.add_argument("--account", default="bot")
p.add_argument("--iss")
p.add_argument("--sub")
p.add_argument("--aud")
p.add_argument("--aud-list", action="store_true", help="aud as an array")
p.add_argument("--no", action="append", default=[],
               help="omit a claim (iss, sub, aud, exp, iat, jti)")
p.add_argument("--exp", type=int, default=120, help="exp = now + N")
p.add_argument("--iat", type=int, default=0, help="iat = now + N")
p.add_argument("--nbf", type=int, help="nbf = now + N")
p.add_argument("--jti")
p.add_argument("--scope")
p.add_argument("--typ")
p.add_argument("--header", action="append", default=[],
               help="extra header member NAME=JSON")
p.add_argument("--claim", action="append", default=[],
               help="claim NAME=JSON (replaces)")
p.add_argument("--raw-header", help="header JSON text, used verbatim")
p.add_argument("--raw-claims", help="claims JSON text, used verbatim")
p.add_argument("--hmac-secret-file",
               help="sign HS256 with this file's bytes (alg confusion)")
p.add_argument("--none", action="store_true", help='alg "none"')
p.add_argument("--none-sig", default="", help="signature segment for --none")
p.add_argument("--tamper", action="store_true",
               help="change the payload after signing")
p.add_argument("--sig-suffix", default="", help="append to the signature")
p.add_argument("--pad-to", type=int, help="grow the token to N bytes")
p.add_argument("--now", type=int,
               help="the time the relative times count from (default: now)")
p.add_argument("--count", type=int,
               help="mint N tokens (a fresh jti each), one a line")
a = p.parse_args()


def mint():

    now = a.now if a.now is not None else int(time.time())
    acct = a.account
    claims = {
        "iss": a.iss if a.iss is not None else acct,
        "sub": a.sub if a.sub is not None else acct,
        "aud": a.aud,
        "exp": now + a.exp,
        "iat": now + a.iat,
        "jti": a.jti if a.jti is not None else str(uuid.uuid4()),
    }
    if a.aud_list:
        claims["aud"] = [a.aud]
    if a.nbf is not None:
        claims["nbf"] = now + a.nbf
    if a.scope is not None:
        claims["scope"] = a.scope
    for c in a.no:
        claims.pop(c, None)
    set_members(claims, a.claim)

    alg = "none" if a.none else ("HS256" if a.hmac_secret_file else a.alg)
    header = {"alg": alg}
    if a.typ is not None:
        header["typ"] = a.typ
    if a.kid is not None:
        header["kid"] = a.kid
    set_members(header, a.header)

    htext = a.raw_header if a.raw_header is not None else json.dumps(header)
    ctext = a.raw_claims if a.raw_claims is not None else json.dumps(claims)
    if a.raw_claims is not None:
        ctext = ctext.replace("@NOW@", str(now)).replace(
            "@EXP@", str(now + 120)).replace("@JTI@", str(uuid.uuid4()))

    tok = compact(htext, ctext, alg, a.key, a.hmac_secret_file, a.none,
                  a.none_sig)
    if not a.none:
        if a.tamper:
            claims["sub"] = claims.get("sub", "") + "x"
            h, _, sig = tok.split(".")
            tok = h + "." + b64(json.dumps(claims).encode()) + "." + sig
        tok += a.sig_suffix
    if a.pad_to:
        tok += "A" * max(0, a.pad_to - len(tok))
    return tok


if a.count is None:
    sys.stdout.write(mint())
else:
    # many tokens from one process (load and fault tests)
    if a.jti is not None:
        sys.exit("--count mints fresh jtis: no --jti")
    for _ in range(a.count):
        sys.stdout.write(mint() + "\n")
