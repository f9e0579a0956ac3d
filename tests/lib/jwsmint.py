# SPDX-License-Identifier: MIT
# Compact JWS for the test minters (tests/pam/mint.py, tests/issuer/kcmint.py),
# signed by an independent JOSE implementation (python3-jwcrypto) over the
# exact header and claims texts the caller chose.
import base64
import json

from jwcrypto import jwk
from jwcrypto.jws import JWSCore


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def set_members(obj, specs):
    """Sets each NAME=JSON of specs as member NAME of obj (replacing)."""
    for spec in specs:
        k, v = spec.split("=", 1)
        obj[k] = json.loads(v)


def load_key(path):
    with open(path, "rb") as f:
        return jwk.JWK.from_pem(f.read())


def compact(htext, ctext, alg, key_file=None, hmac_secret_file=None,
            none=False, none_sig=""):
    """header.payload.signature of the texts htext and ctext: unsigned with
    none_sig as the signature when none, else signed with alg by the HMAC
    secret in hmac_secret_file (its raw bytes) or the PEM key in key_file."""
    if none:
        return b64(htext.encode()) + "." + b64(ctext.encode()) + "." + none_sig
    if hmac_secret_file:
        with open(hmac_secret_file, "rb") as f:
            key = jwk.JWK(kty="oct", k=b64(f.read()))
    else:
        key = load_key(key_file)
    s = JWSCore(alg, key, htext, ctext.encode(), algs=[alg]).sign()

    def t(v):
        return v.decode() if isinstance(v, bytes) else v
    return t(s["protected"]) + "." + t(s["payload"]) + "." + t(s["signature"])
