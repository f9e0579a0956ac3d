#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Take the shell blocks out of Markdown files, verbatim (tests/docs/README.md
# has the convention):
#
#   extract.py OUTDIR FILE...
#
# A fenced block whose info string is exactly "sh" is a procedure: it is
# written to OUTDIR/NNN.sh byte for byte (without the fences), in the order
# of the files and of the blocks in each. Other blocks (```text, ```console,
# ```ini, ```json, ```yaml, ``` ...) are examples and are not written.
# An HTML comment on the line before a ```sh block,
#   <!-- docs-test: skip REASON -->
# keeps it out of the run (a step for another distribution, or one that
# needs something no test host has); the reason is required.
#
# OUTDIR/index.tsv has one line per ```sh block:
#   NNN <TAB> FILE <TAB> LINE <TAB> SECTION <TAB> SKIP-REASON
# SECTION is the slug of the nearest heading above the block and of every
# enclosing heading but the page's title (#), joined by "/" (GitHub's
# slugs: lower case, spaces to "-", punctuation dropped), so a test can
# pick "install/from-source"; "-" before the first such heading. Exits 1
# on a malformed marker or an unterminated block.
import os
import re
import sys

MARK = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->\s*$")


def slug(title):
    s = title.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def blocks(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    heads = []  # (level, slug)
    prev = ""  # the last non-blank line before the current one
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(```+|~~~+)\s*([^`\s]*)\s*$", line)
        if fence:
            tick, info = fence.group(1), fence.group(2)
            start = i
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith(tick):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                sys.exit(f"{path}:{start + 1}: unterminated code block")
            skip = ""
            m = MARK.match(prev)
            if m:
                words = m.group(1).split(None, 1)
                if words[:1] != ["skip"] or len(words) < 2:
                    sys.exit(f"{path}:{start}: marker must be '<!-- docs-test: skip REASON -->'")
                if info != "sh":
                    sys.exit(f"{path}:{start}: a docs-test marker before a ```{info} block (only ```sh blocks run)")
                skip = words[1]
            if info == "sh":
                yield start + 1, "/".join(s for _, s in heads) or "-", skip, "\n".join(body) + "\n"
            prev = line
            i += 1
            continue
        h = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if h and len(h.group(1)) > 1:
            level = len(h.group(1))
            heads = [x for x in heads if x[0] < level] + [(level, slug(h.group(2)))]
        if line.strip():
            prev = line
        i += 1


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: extract.py OUTDIR FILE...")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    with open(os.path.join(out, "index.tsv"), "w", encoding="utf-8") as idx:
        for path in sys.argv[2:]:
            for line, section, skip, body in blocks(path):
                n += 1
                with open(os.path.join(out, f"{n:03d}.sh"), "w", encoding="utf-8") as f:
                    f.write(body)
                idx.write(f"{n:03d}\t{path}\t{line}\t{section}\t{skip}\n")


main()
