#!/usr/bin/env python3
# A syslog listener for tests: binds a datagram socket at PATH and appends
# every message to OUT (one per line). Creates OUT.ready once listening.
# With a third argument WATCH_PID it exits once that process is gone (the
# test's shell), so no listener outlives its test.
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
watch = int(sys.argv[3]) if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
s.settimeout(0.5)
open(out + ".ready", "w").close()
with open(out, "ab", buffering=0) as f:
    while True:
        try:
            f.write(s.recv(65536).rstrip(b"\n") + b"\n")
        except socket.timeout:
            if watch is not None and not os.path.exists(f"/proc/{watch}"):
                break
