#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Mint a valid ES256 client assertion of exactly N bytes (for the
# credential-length measurements): a filler claim "pad" grows the payload,
# and "typ" in the header is added or left out to reach every length.
import json, sys, time, uuid
from jwcrypto import jwk, jws

key_file, account, aud, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = jwk.JWK.from_pem(open(key_file, "rb").read())
now = int(time.time())
for typ in (False, True):
    for pad in range(0, n):
        claims = {"iss": account, "sub": account, "aud": aud, "iat": now,
                  "exp": now + 60, "jti": str(uuid.uuid4()), "pad": "x" * pad}
        hdr = {"alg": "ES256"}
        if typ:
            hdr["typ"] = "JWT"
        s = jws.JWS(json.dumps(claims, separators=(",", ":")))
        s.add_signature(key, alg="ES256", protected=json.dumps(hdr, separators=(",", ":")))
        tok = s.serialize(compact=True)
        if len(tok) == n:
            print(tok)
            sys.exit(0)
        if len(tok) > n:
            break
sys.exit("no token of exactly %d bytes" % n)
