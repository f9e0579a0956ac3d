#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The HTTPS servers that howto-fleet.md talks to, for the docs test: one
# process on 127.0.0.1:443 (inside the test's own network namespace) with a
# certificate of the test's CA for sso.example.com and config.example.com.
#
#   idp.py DIR
#
# DIR holds server.crt, server.key, certs.json (the JWKS), signing.key and
# its kid in signing.kid, clients (lines "CLIENT_ID SECRET ROLE..."), and
# www/ (files served as they are, e.g. www/svcacct/fleet.jws).
#   GET  /realms/fleet/protocol/openid-connect/certs   the JWKS
#   POST /realms/fleet/protocol/openid-connect/token   client_credentials:
#        a Keycloak-shaped access token (tests/issuer/kcmint.py) for a
#        known client id and secret, with its realm roles and the audience
#        svcacct:web1 (what an Audience mapper for scope svcacct-web1 adds)
#   GET  /svcacct/...                                  files of www/
# Writes DIR/ready once listening; logs requests to DIR/requests.log.
import http.server
import json
import os
import ssl
import subprocess
import sys
import urllib.parse

D = sys.argv[1]
ISS = "https://sso.example.com/realms/fleet"
KCMINT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kcmint.py")


def clients():
    out = {}
    with open(os.path.join(D, "clients")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 2:
                out[w[0]] = (w[1], w[2:])
    return out


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(os.path.join(D, "requests.log"), "a") as f:
            f.write((fmt % args) + "\n")

    def send(self, code, body, ctype="application/json"):
        b = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/realms/fleet/protocol/openid-connect/certs":
            with open(os.path.join(D, "certs.json"), "rb") as f:
                return self.send(200, f.read())
        if path.startswith("/svcacct/") and ".." not in path:
            p = os.path.join(D, "www", path.lstrip("/"))
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    return self.send(200, f.read(), "application/jose")
        self.send(404, '{"error":"not found"}')

    def do_POST(self):
        if urllib.parse.urlparse(self.path).path != "/realms/fleet/protocol/openid-connect/token":
            return self.send(404, '{"error":"not found"}')
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(min(n, 65536)).decode())
        one = {k: v[0] for k, v in form.items()}
        known = clients().get(one.get("client_id", ""))
        if one.get("grant_type") != "client_credentials" or not known or known[0] != one.get("client_secret"):
            return self.send(401, '{"error":"unauthorized_client"}')
        with open(os.path.join(D, "signing.kid")) as f:
            kid = f.read().strip()
        cmd = [sys.executable, KCMINT, "token", "--key", os.path.join(D, "signing.key"),
               "--kid", kid, "--iss", ISS, "--aud", "svcacct:web1", "--aud", "account",
               "--client", one["client_id"]]
        for r in known[1]:
            cmd += ["--realm-role", r]
        tok = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        self.send(200, json.dumps({"access_token": tok, "expires_in": 300,
                                   "token_type": "Bearer", "scope": "profile email"}))


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(D, "server.crt"), os.path.join(D, "server.key"))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(os.path.join(D, "ready"), "w").close()
srv.serve_forever()
