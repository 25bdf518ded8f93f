#!/usr/bin/python3
"""funcstats.py [DIR...]: function lengths and file sizes of the C sources.

Reads universal-ctags' function tags (with their end lines) and prints the
count, the median and the 90th percentile of function lengths in lines,
the longest functions and the largest .c files.  Figures, not a test.
"""
import json
import os
import statistics
import subprocess
import sys


def functions(dirs):
    out = subprocess.run(
        ["ctags", "-R", "--languages=C", "--kinds-C=f", "--fields=+ne",
         "--output-format=json", "-f", "-"] + dirs,
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        t = json.loads(line)
        if t.get("kind") == "function" and "end" in t:
            yield t["path"], t["name"], t["end"] - t["line"] + 1


def main(argv):
    dirs = argv[1:] or ["daemon", "plugins"]
    funcs = sorted(functions(dirs), key=lambda f: f[2])
    lens = [f[2] for f in funcs]
    p90 = lens[int(0.9 * (len(lens) - 1))]
    print(f"functions {len(lens)}  median {statistics.median(lens):g} "
          f"lines  p90 {p90} lines")
    print("longest:", ", ".join(f"{n} {l}" for _, n, l in funcs[-8:][::-1]))
    sizes = []
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith(".c"):
                    p = os.path.join(root, f)
                    with open(p) as fh:
                        sizes.append((sum(1 for _ in fh), p))
    sizes.sort()
    print("largest files:", ", ".join(f"{p} {n}" for n, p in sizes[-6:][::-1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
