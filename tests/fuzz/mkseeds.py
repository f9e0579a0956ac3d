#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Regenerate the fuzzers' seed corpora (tests/fuzz/corpus/TARGET) from the
# real producers: records written by the real `svcacct` into a scratch
# store, `svcacct export` JSON, secrets from `svcacct secret add`,
# assertions minted by python3-jwcrypto with the fixed keys of
# tests/fuzz/data, OpenSSH keys from ssh-keygen; plus hand-written edge
# cases (each named for what it is). Run as root from a built tree:
#
#   /usr/bin/python3 tests/fuzz/mkseeds.py BUILDDIR
#
# BUILDDIR holds tools/svcacct (the autotools build). The corpora are
# replaced, not merged. The assertions use the fuzzer's fixed clock.
import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from jwcrypto import jwk
from jwcrypto.jws import JWSCore

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
NOW = 1767225600  # fuzz_assertion.c
ACCOUNT = "fuzzbot"
AUD = "svcacct:fuzzhost"
CORPUS = os.path.join(HERE, "corpus")

build = sys.argv[1] if len(sys.argv) > 1 else "/tmp/build-fuzz"
SV = os.path.join(build, "tools", "svcacct")
tmp = tempfile.mkdtemp(prefix="svcacct-seeds.")
os.chmod(tmp, 0o755)
corpora = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    corpora.setdefault(target, {})[name] = data


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def run(*args, stdin=None):
    r = subprocess.run(args, input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit("mkseeds: %s: %s" % (" ".join(args), r.stderr.decode()))
    return r.stdout


# ------------------------------------------------------------ keys
KEYS = {}
for name in ("es256", "es384", "es512", "rsa2048"):
    with open(os.path.join(HERE, "data", name + ".key.pem"), "rb") as f:
        KEYS[name] = jwk.JWK.from_pem(f.read())
# as fuzz_assertion.c registers them
REG = [("es256", "ES256", "fz-es256"), ("es384", "ES384", "fz-es384"),
       ("es512", "ES512", "fz-es512"), ("rsa2048", "RS256", "fz-rs256"),
       ("rsa2048", "PS256", "fz-ps256")]


def mint(key, alg, kid=None, claims=None, header=None, drop=()):
    h = {"alg": alg, "typ": "JWT"}
    if kid:
        h["kid"] = kid
    h.update(header or {})
    c = {"iss": ACCOUNT, "sub": ACCOUNT, "aud": AUD, "iat": NOW - 10,
         "exp": NOW + 60, "jti": hashlib.sha256(
             repr((alg, kid, claims, header)).encode()).hexdigest()[:24]}
    c.update(claims or {})
    for d in drop:
        c.pop(d, None)
    s = JWSCore(alg, KEYS[key], json.dumps(h, separators=(",", ":")),
                json.dumps(c, separators=(",", ":")).encode(),
                algs=[alg]).sign()

    def t(v):
        return v.decode() if isinstance(v, bytes) else v
    return "%s.%s.%s" % (t(s["protected"]), t(s["payload"]),
                         t(s["signature"]))


for key, alg, kid in REG:
    seed("assertion", "valid-%s" % kid, mint(key, alg, kid))
    seed("assertion", "valid-nokid-%s" % alg, mint(key, alg))
seed("assertion", "valid-nbf-scope",
     mint("es256", "ES256", "fz-es256", {"nbf": NOW - 5, "scope": "deploy"}))
seed("assertion", "valid-aud2", mint("es256", "ES256", "fz-es256",
                                     {"aud": "https://fuzz.example/token"}))
seed("assertion", "expired", mint("es256", "ES256", "fz-es256",
                                  {"iat": NOW - 1000, "exp": NOW - 700}))
seed("assertion", "iat-future", mint("es384", "ES384", "fz-es384",
                                     {"iat": NOW + 600, "exp": NOW + 700}))
seed("assertion", "lifetime-too-long", mint("es256", "ES256", "fz-es256",
                                            {"exp": NOW + 3600}))
seed("assertion", "wrong-aud", mint("es256", "ES256", "fz-es256",
                                    {"aud": "svcacct:other"}))
seed("assertion", "wrong-iss", mint("es512", "ES512", "fz-es512",
                                    {"iss": "other"}))
seed("assertion", "aud-array", mint("es256", "ES256", "fz-es256",
                                    {"aud": [AUD]}))
seed("assertion", "exp-float", mint("es256", "ES256", "fz-es256",
                                    {"exp": NOW + 60.5}))
seed("assertion", "no-jti", mint("es256", "ES256", "fz-es256", drop=["jti"]))
seed("assertion", "jti-space", mint("es256", "ES256", "fz-es256",
                                    {"jti": "a b"}))
seed("assertion", "alg-mismatch-kid", mint("rsa2048", "PS256", "fz-rs256"))
seed("assertion", "unknown-kid", mint("es256", "ES256", "nope"))
seed("assertion", "crit-header", mint("es256", "ES256", "fz-es256",
                                      header={"crit": ["exp"]}))
seed("assertion", "typ-other", mint("es256", "ES256", "fz-es256",
                                    header={"typ": "at+jwt"}))
good = mint("es256", "ES256", "fz-es256")
hb, pb, sb = good.split(".")
seed("assertion", "alg-none", "%s.%s.%s" % (
    b64u(b'{"alg":"none"}'), pb, sb))
seed("assertion", "alg-hs256", "%s.%s.%s" % (
    b64u(b'{"alg":"HS256","kid":"fz-es256"}'), pb, sb))
seed("assertion", "dup-alg", "%s.%s.%s" % (
    b64u(b'{"alg":"ES256","alg":"ES256"}'), pb, sb))
seed("assertion", "bad-sig", "%s.%s.%s" % (hb, pb, sb[:-4] + "AAAA"))
seed("assertion", "four-segments", good + ".x")
seed("assertion", "empty-payload", "%s..%s" % (hb, sb))

# ------------------------------------------------------------ parts
limits = bytes([31, 0xFF])  # max_parts 32, max 16384 (the defaults)
tok = mint("rsa2048", "RS256", "fz-rs256").encode()
chunks = [tok[i:i + 400] for i in range(0, len(tok), 400)]
seed("parts", "jws-in-parts",
     limits + b"\0".join(c + b"\\" for c in chunks[:-1]) + b"\0" + chunks[-1])
seed("parts", "single-answer", limits + good.encode())
seed("parts", "empty-answer", limits)
seed("parts", "only-mark", limits + b"\\\0")
seed("parts", "too-many-parts", bytes([2, 0xFF]) + b"a\\\0b\\\0c\\\0d")
seed("parts", "too-long", bytes([31, 4]) + b"x" * 10 + b"\\\0" + b"y" * 10)
seed("parts", "double-mark", limits + b"ab\\\\\0cd")
seed("parts", "stop-early", limits + b"ab\0cd\\\0ef")

# ------------------------------------------------------------ jwk
pubs = []
for key, alg, kid in REG:
    d = json.loads(KEYS[key].export_public())
    d.update({"alg": alg, "kid": kid, "use": "sig"})
    pubs.append(d)
    seed("jwk", "jwk-%s" % kid, json.dumps(d))
d = json.loads(KEYS["es256"].export_public())
seed("jwk", "jwk-bare-ec", json.dumps(d))
seed("jwk", "jwks-all", json.dumps({"keys": pubs}))
seed("jwk", "jwks-dup-kid", json.dumps({"keys": [pubs[0], pubs[0]]}))
seed("jwk", "jwk-private", KEYS["es256"].export_private())
seed("jwk", "jwk-use-enc", json.dumps(dict(pubs[0], use="enc")))
seed("jwk", "jwk-alg-mismatch", json.dumps(dict(pubs[0], alg="ES384")))
seed("jwk", "jwk-dup-member", '{"kty":"EC","kty":"EC","crv":"P-256"}')
seed("jwk", "jwks-empty", '{"keys":[]}')

# ------------------------------------------------------------ sshkey
for t, bits in (("ed25519", None), ("ecdsa", "256"), ("ecdsa", "384"),
                ("ecdsa", "521"), ("rsa", "2048")):
    f = os.path.join(tmp, "id_%s%s" % (t, bits or ""))
    args = ["ssh-keygen", "-q", "-t", t, "-N", "", "-C",
            "fuzz@%s%s" % (t, bits or ""), "-f", f]
    if bits:
        args[4:4] = ["-b", bits]
    run(*args)
    with open(f + ".pub") as fh:
        line = fh.read()
    seed("sshkey", "ssh-%s%s" % (t, bits or ""), line)
ed = corpora["sshkey"]["ssh-ed25519"].decode().split()
seed("sshkey", "no-comment", "%s %s" % (ed[0], ed[1]))
seed("sshkey", "options-first", 'restrict,command="/bin/true" %s %s' %
     (ed[0], ed[1]))
seed("sshkey", "type-mismatch", "ssh-rsa %s x" % ed[1])
seed("sshkey", "tabs", "%s\t%s\tc d\t" % (ed[0], ed[1]))
seed("sshkey", "control-char", "%s %s a\x01b" % (ed[0], ed[1]))
seed("sshkey", "dss", "ssh-dss AAAAB3NzaC1kc3MAAACBAP8= x")

# ------------------------------------------------------------ store
conf = os.path.join(tmp, "svcacct.conf")
with open(conf, "w") as f:
    f.write("db_dir = %s/db\nstate_dir = %s/state\nhome_base = %s/home\n"
            "lock_timeout = 1\n" % (tmp, tmp, tmp))
os.chmod(conf, 0o644)


def sv(*args):
    return run(SV, "--conf", conf, *args)


sv("role", "create", "deploy", "--description", "Deploy the web app",
   "--services", "sshd,sudo", "--from", "10.0.0.0/8,2001:db8::/32,local",
   "--command", "/usr/bin/systemctl restart web", "--command",
   "/usr/local/bin/deploy *")
sv("role", "create", "metrics", "--services", "sshd")
sv("account", "create", ACCOUNT, "--description", "fuzz bot", "--owner",
   "ops@example.org", "--role", "deploy", "--role", "metrics", "--no-home",
   "--expires", "2030-01-01")
sv("account", "create", "idle-bot", "--no-home")
sv("account", "disable", "idle-bot")
secrets = [sv("secret", "add", ACCOUNT, "--label", "ci").decode().strip(),
           sv("secret", "add", ACCOUNT, "--expires", "30d").decode().strip()]
# a scoped one: a credential record of version 3 (roles and sources)
secrets.append(sv("secret", "add", ACCOUNT, "--label", "scoped", "--roles",
                  "deploy", "--from", "10.0.0.0/8,local").decode().strip())
for key, alg, kid in REG:
    pem = os.path.join(tmp, kid + ".pub.pem")
    with open(pem, "wb") as f:
        f.write(KEYS[key].export_to_pem())
    sv("key", "add", ACCOUNT, "--pem", pem, "--alg", alg, "--kid", kid,
       "--label", "fuzz " + alg)
for name in ("ssh-ed25519", "ssh-ecdsa256", "ssh-rsa2048"):
    pub = os.path.join(tmp, name + ".pub")
    with open(pub, "wb") as f:
        f.write(corpora["sshkey"][name])
    sv("sshkey", "add", ACCOUNT, "--pubkey", pub, "--label", name)

# secrets
for i, s in enumerate(secrets):
    seed("secret", "secret-%d" % i, s)
s = secrets[0]
seed("secret", "bad-checksum", s[:-1] + ("0" if s[-1] != "0" else "1"))
seed("secret", "upper-hex-id", s[:5] + s[5:21].upper() + s[21:])
seed("secret", "short", s[:-1])
seed("secret", "prefix-only", "svcs_")
seed("secret", "jws", good)

# export / import
exp = sv("export")
seed("import", "export-full", exp)
doc = json.loads(exp)
seed("import", "export-empty", json.dumps(
    {"format": doc["format"], "version": doc["version"], "generation": 0,
     "roles": [], "accounts": [], "keys": [], "sshkeys": []}))
seed("import", "export-roles-only", json.dumps(
    {"format": doc["format"], "version": doc["version"],
     "roles": doc["roles"]}))
bad = dict(doc)
bad["accounts"] = doc["accounts"] + [dict(doc["accounts"][0], name="Bad")]
seed("import", "bad-account-name", json.dumps(bad))
seed("import", "wrong-version", json.dumps(dict(doc, version=99)))
scoped = json.loads(exp)
for k in scoped.get("keys", [])[:1] + scoped.get("sshkeys", [])[:1]:
    k["roles"] = ["deploy"]
    k["from"] = ["10.0.0.0/8", "local"]
seed("import", "export-scoped-keys", json.dumps(scoped))
seed("import", "unknown-member", json.dumps(dict(doc, extra=1)))
for k in doc.get("keys", [])[:1]:
    seed("jwk", "jwk-from-export", json.dumps(k["jwk"]))

# records, as the store wrote them
dumpdb = os.path.join(tmp, "dumpdb")
run("cc", "-O1", "-o", dumpdb, os.path.join(HERE, "dumpdb.c"), "-lgdbm")
cur = os.path.realpath(os.path.join(tmp, "db", "current"))
recs = os.path.join(tmp, "recs")
os.mkdir(recs)
for db in ("accounts", "credentials", "pubkeys"):
    run(dumpdb, os.path.join(cur, db + ".db"), recs, db)
seen = set()
for p in sorted(glob.glob(os.path.join(recs, "*"))):
    with open(p, "rb") as f:
        data = f.read()
    if data in seen:
        continue
    seen.add(data)
    kind = chr(data[2]) if len(data) > 2 else "x"
    seed("codec", "%s-%s-%s" % (os.path.basename(p).split("-")[0], kind,
                                 hashlib.sha1(data).hexdigest()[:8]), data)
rec = next(v for k, v in sorted(corpora["codec"].items()) if "-A-" in k)
seed("codec", "edge-truncated", rec[:-1])
seed("codec", "edge-trailing", rec + b"\0")
seed("codec", "edge-header-only", b"SVA\x01")
seed("codec", "edge-bad-version", b"SVA\x02" + rec[4:])

# ------------------------------------------------------------ config
with open(os.path.join(TOP, "conf", "svcacct.conf")) as f:
    seed("config", "shipped", f.read())
with open(conf) as f:
    seed("config", "tests", f.read())
seed("config", "every-key", """# every key
db_dir = /var/lib/svcacct/db
state_dir = /var/lib/svcacct/state
home_base = /var/lib/svcacct/home
default_shell = /usr/sbin/nologin
keys_group = ssh-keys
uid_min = 70000
uid_max = 79999
gid_min = 80001
gid_max = 89999
base_gid = 80000
keep_generations = 10
lock_timeout = 10
enumerate = no
group_members_max = 1000
max_assertion_lifetime = 300
clock_skew = 60
fail_delay_ms = 2000
max_credential_length = 16384
max_parts = 32
replay_quota = 1000
audiences = svcacct:host1, https://idp.example/token
ui_services = login, gdm-password
""")
seed("config", "empty", "")
seed("config", "no-newline", "uid_min = 70000")
seed("config", "crlf", "uid_min = 70000\r\nuid_max = 70010\r\n")
seed("config", "range-inverted", "uid_min = 79999\nuid_max = 70000\n")
seed("config", "overflow", "uid_max = 99999999999999999999\n")
seed("config", "unknown-key", "colour = blue\n")
seed("config", "empty-list", "audiences =\n")
seed("config", "nul", "uid_min = 7\x000000\n")

# ------------------------------------------------------------ write
for target, seeds in sorted(corpora.items()):
    d = os.path.join(CORPUS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (target, len(seeds)))
shutil.rmtree(tmp)
