#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Keycloak look-alikes for the trusted-issuer tests, made with an
# independent JOSE implementation (python3-jwcrypto):
#   kcmint.py token ...   a service-account access token shaped exactly like
#                         the ones Keycloak's client_credentials grant issues
#                         (header alg RS256, typ JWT, kid; claims exp, iat,
#                         jti, iss, aud, sub (a UUID), typ Bearer, azp, acr,
#                         allowed-origins, realm_access.roles,
#                         resource_access.<client>.roles, scope "profile
#                         email", clientHost, email_verified,
#                         preferred_username "service-account-<client>",
#                         clientAddress, client_id)
#   kcmint.py jwks KEY:KID[:CERT]... [--enc KEY:KID:CERT]
#                         a JWKS as Keycloak's .../protocol/openid-connect/
#                         certs serves it: each key with kid, kty, alg, use,
#                         n, e, x5c, x5t, x5t#S256; an RSA-OAEP "enc" key
#                         beside the signing keys.
#   kcmint.py twin TOKEN  the same ES256/ES384/ES512 token with the other
#                         valid signature (r, n - s), formed without the key
#                         (ECDSA malleability): same header.payload bytes,
#                         a different signature segment.
import argparse
import base64
import hashlib
import json
import os
import sys
import time
import uuid

# the shared signing code, without a __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from jwsmint import b64, compact, load_key, set_members  # noqa: E402


def cert_der(path):
    with open(path) as f:
        pem = f.read()
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


def cmd_jwks(a):
    keys = []

    def one(spec, use, alg):
        parts = spec.split(":")
        k = json.loads(load_key(parts[0]).export_public())
        o = {"kid": parts[1], "kty": k["kty"], "alg": alg or k.get("alg"), "use": use}
        if k["kty"] == "RSA":
            o.update(n=k["n"], e=k["e"])
            o["alg"] = alg or "RS256"
        else:
            o.update(crv=k["crv"], x=k["x"], y=k["y"])
            o["alg"] = alg or {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[k["crv"]]
        if len(parts) > 2:
            der = cert_der(parts[2])
            o["x5c"] = [base64.b64encode(der).decode()]
            o["x5t"] = b64(hashlib.sha1(der).digest())
            o["x5t#S256"] = b64(hashlib.sha256(der).digest())
        return o

    for e in a.enc or []:
        keys.append(one(e, "enc", "RSA-OAEP"))
    for s in a.keys:
        keys.append(one(s, "sig", a.alg))
    sys.stdout.write(json.dumps({"keys": keys}))


def cmd_token(a):
    now = int(time.time())
    client = a.client
    claims = {
        "exp": now + a.exp,
        "iat": now + a.iat,
        "jti": a.jti if a.jti is not None else str(uuid.uuid4()),
        "iss": a.iss,
        "aud": a.aud if len(a.aud) != 1 else a.aud[0],
        "sub": a.sub or str(uuid.uuid5(uuid.NAMESPACE_URL, client)),
        "typ": a.typ_claim,
        "azp": client,
        "acr": "1",
        "allowed-origins": ["/*"],
        "realm_access": {"roles": ["default-roles-fleet", "offline_access",
                                   "uma_authorization"] + a.realm_role},
        "resource_access": {
            client: {"roles": ["uma_protection"] + a.client_role},
            "account": {"roles": ["manage-account", "manage-account-links",
                                  "view-profile"]},
        },
        "scope": a.scope,
        "clientHost": "192.0.2.10",
        "email_verified": False,
        "preferred_username": "service-account-" + client,
        "clientAddress": "192.0.2.10",
        "client_id": client,
    }
    if a.keycloak_before_24:
        # Keycloak up to 23 named the client "clientId"
        del claims["client_id"]
        claims["clientId"] = client
    if not a.aud:
        del claims["aud"]
    for c in a.no:
        claims.pop(c, None)
    set_members(claims, a.claim)
    alg = "none" if a.none else ("HS256" if a.hmac_secret_file else a.alg)
    header = {"alg": alg, "typ": a.typ, "kid": a.kid}
    if a.typ == "":
        del header["typ"]
    if a.kid is None:
        del header["kid"]
    set_members(header, a.header)
    htext = json.dumps(header, separators=(",", ":"))
    ctext = json.dumps(claims, separators=(",", ":"))
    tok = compact(htext, ctext, alg, a.key, a.hmac_secret_file, a.none,
                  a.none_sig)
    sys.stdout.write(tok)


# group orders of the NIST curves, by JWS alg
CURVE_N = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                 "581A0DB248B0A77AECEC196ACCC52973", 16),
    "ES512": int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                 "FFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
                 16),
}


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cmd_twin(a):
    h, p, sig = a.token.split(".")
    alg = json.loads(unb64(h))["alg"]
    n = CURVE_N[alg]
    raw = unb64(sig)
    half = len(raw) // 2
    r, s = raw[:half], int.from_bytes(raw[half:], "big")
    twin = r + (n - s).to_bytes(half, "big")
    assert twin != raw
    sys.stdout.write(h + "." + p + "." + b64(twin))


p = argparse.ArgumentParser()
sp = p.add_subparsers(dest="cmd", required=True)
j = sp.add_parser("jwks")
j.add_argument("keys", nargs="*")
j.add_argument("--enc", action="append")
j.add_argument("--alg")
t = sp.add_parser("token")
t.add_argument("--key")
t.add_argument("--alg", default="RS256")
t.add_argument("--kid")
t.add_argument("--typ", default="JWT", help='header typ ("" omits it)')
t.add_argument("--typ-claim", default="Bearer")
t.add_argument("--iss", required=True)
t.add_argument("--aud", action="append", default=[],
               help="audience (repeat: an array, as Keycloak sends)")
t.add_argument("--client", required=True)
t.add_argument("--sub")
t.add_argument("--realm-role", action="append", default=[])
t.add_argument("--client-role", action="append", default=[])
t.add_argument("--scope", default="profile email")
t.add_argument("--exp", type=int, default=300)
t.add_argument("--iat", type=int, default=0)
t.add_argument("--jti")
t.add_argument("--no", action="append", default=[])
t.add_argument("--claim", action="append", default=[])
t.add_argument("--header", action="append", default=[])
t.add_argument("--keycloak-before-24", action="store_true")
t.add_argument("--none", action="store_true")
t.add_argument("--none-sig", default="", help="signature segment for --none")
t.add_argument("--hmac-secret-file")
w = sp.add_parser("twin")
w.add_argument("token")
a = p.parse_args()
{"jwks": cmd_jwks, "token": cmd_token, "twin": cmd_twin}[a.cmd](a)
