#!/bin/bash
# Benchmark (not a test): `svcacct import` of N accounts, then one
# `account create` with N accounts present (each a commit that writes the
# generation's lookup index too). Prints seconds and the ratio to
# the targets (import 100k <= 5 s, create <= 0.5 s), and, as a peer measured
# in the same run, `useradd` of one user into an /etc/passwd copy holding N
# users (what shadow-utils pays for the same change).
# usage: tests/bench/store.sh [N] [BUILD_DIR]
set -eu
N=${1:-100000}
B=${2:-${top_builddir:-$(pwd)}}
S=$B/tools/svcacct
. "$(dirname "$0")/../lib/scratch.sh"
scratch_store /tmp/svcacct-bench.XXXXXX c.conf \
	"uid_min = 200000" "uid_max = 499999" \
	"gid_min = 100001" "gid_max = 199999" "base_gid = 100000"
python3 - "$N" >"$T/import.json" <<'PY'
import json, sys
n = int(sys.argv[1])
roles = [{"name": "deployers", "services": ["sshd"], "from": ["local"]},
         {"name": "readers", "services": ["sshd", "sudo"]}]
accts = [{"name": "bot%06d" % i, "description": "bench bot %d" % i,
          "roles": ["deployers"] if i % 2 else ["readers"]} for i in range(n)]
json.dump({"format": "svcacct-export", "version": 1, "roles": roles,
           "accounts": accts, "keys": []}, sys.stdout)
PY
now() { date +%s.%N; }
t0=$(now); "$S" --conf "$T/c.conf" import "$T/import.json" >/dev/null; t1=$(now)
"$S" --conf "$T/c.conf" account create extra-bot --role deployers >/dev/null; t2=$(now)
size=$(du -sk "$T/db/current/" | cut -f1)
# peer: useradd into a private copy of a passwd/group/shadow with N users
mkdir -p "$T/root/etc"
python3 - "$N" "$T/root/etc" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(d + "/passwd", "w") as f:
    f.write("root:x:0:0:root:/root:/bin/bash\n")
    for i in range(n): f.write("bot%06d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n" % (i, 200000 + i, 200000 + i))
with open(d + "/group", "w") as f:
    f.write("root:x:0:\n")
    for i in range(n): f.write("bot%06d:x:%d:\n" % (i, 200000 + i))
with open(d + "/shadow", "w") as f:
    f.write("root:*:19000:0:99999:7:::\n")
    for i in range(n): f.write("bot%06d:*:19000::::::\n" % i)
with open(d + "/gshadow", "w") as f:
    f.write("root:*::\n")
    for i in range(n): f.write("bot%06d:!::\n" % i)
open(d + "/login.defs", "w").write("UID_MIN 1000\nUID_MAX 600000\nGID_MIN 1000\nGID_MAX 600000\nUSERGROUPS_ENAB yes\n")
PY
t3=$(now); useradd --prefix "$T/root" -M -u 399999 -s /usr/sbin/nologin peer-bot; t4=$(now)
grep -q "^peer-bot:x:399999:399999:" "$T/root/etc/passwd" || { echo "peer useradd failed" >&2; exit 1; }
python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$t4" "$size" <<'PY'
import sys
n = int(sys.argv[1]); t0, t1, t2, t3, t4 = map(float, sys.argv[2:7]); kb = int(sys.argv[7])
imp, cre, peer = t1 - t0, t2 - t1, t4 - t3
print("| operation | accounts present | seconds | target | ratio to target |")
print("|---|---:|---:|---:|---:|")
print("| svcacct import of %d accounts (one generation) | 0 | %.3f | 5 s per 100k | %.2f |" % (n, imp, imp / (5.0 * n / 100000)))
print("| svcacct account create | %d | %.3f | 0.5 s | %.2f |" % (n, cre, cre / 0.5))
print("| peer: useradd --prefix (shadow-utils, same user + its group) | %d | %.3f | - | useradd takes %.0fx svcacct |" % (n, peer, peer / cre if cre else 0))
print("generation size: %d KiB for %d accounts" % (kb, n + 1))
PY
