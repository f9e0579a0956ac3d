#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Damage a lookup index (docs/FORMAT.md section 13, version 2) behind its
# valid header, in place, one way at a time, for the tests of the readers'
# bounds checks:
#   idxdamage.py FILE HOW
# HOW:
#   slots-past-end   every slot in use names a record past the end
#   slots-in-tables  every slot in use names a record inside the tables
#   slots-mid-record every slot in use names its record's key bytes as a
#                    record (its lengths are then key bytes)
#   lengths-past-end every record's value one byte longer than the file
#   lengths-max      every record's lengths 2^32 - 1 (their sum overflows
#                    32 bits)
#   order-past-end   every order-table entry past the end
#   version-1        a version-1 header (its checksum made to agree)
# The data checksum is left stale: readers never check it on a lookup.
import struct
import sys


def header_sum(b):
    # sum() of FORMAT.md section 13 over bytes 0..59, low 32 bits
    M = (1 << 64) - 1

    def fmix64(h):
        h ^= h >> 33
        h = (h * 0xFF51AFD7ED558CCD) & M
        h ^= h >> 33
        h = (h * 0xC4CEB9FE1A85EC53) & M
        h ^= h >> 33
        return h

    h, n, i = 0x243F6A8885A308D3, 60, 0
    while i + 8 <= n:
        (w,) = struct.unpack_from("<Q", b, i)
        h = ((h ^ w) * 0x9E3779B97F4A7C15) & M
        h ^= h >> 29
        i += 8
    w = int.from_bytes(bytes(b[i:n]), "little")
    h = ((h ^ w) * 0x9E3779B97F4A7C15) & M
    return fmix64(h ^ n) & 0xFFFFFFFF


def main():
    path, how = sys.argv[1], sys.argv[2]
    b = bytearray(open(path, "rb").read())
    nent, nslots = struct.unpack_from("<II", b, 32)
    slots = 64
    order = slots + 8 * nslots
    used = [slots + 8 * i for i in range(nslots)
            if struct.unpack_from("<I", b, slots + 8 * i + 4)[0]]
    recs = [8 * struct.unpack_from("<I", b, order + 4 * i)[0]
            for i in range(nent)]
    if how == "slots-past-end":
        for s in used:
            struct.pack_into("<I", b, s + 4, (len(b) + 8) // 8)
    elif how == "slots-in-tables":
        for s in used:
            struct.pack_into("<I", b, s + 4, order // 8)
    elif how == "slots-mid-record":
        for s in used:
            ref = struct.unpack_from("<I", b, s + 4)[0]
            struct.pack_into("<I", b, s + 4, ref + 1)
    elif how == "lengths-past-end":
        for off in recs:
            kl = struct.unpack_from("<I", b, off)[0]
            struct.pack_into("<I", b, off + 4, len(b) - off - 8 - kl + 1)
    elif how == "lengths-max":
        for off in recs:
            struct.pack_into("<II", b, off, 0xFFFFFFFF, 0xFFFFFFFF)
    elif how == "order-past-end":
        for i in range(nent):
            struct.pack_into("<I", b, order + 4 * i, (len(b) + 8) // 8)
    elif how == "version-1":
        struct.pack_into("<I", b, 8, 1)
        struct.pack_into("<I", b, 60, header_sum(b))
    else:
        sys.exit("idxdamage.py: unknown damage " + how)
    if not used and how.startswith("slots"):
        sys.exit("idxdamage.py: no slot in use")
    open(path, "r+b").write(b)


main()
