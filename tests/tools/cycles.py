#!/usr/bin/python3
"""cycles.py OBJ...: fail when the objects' call graph has a circle.

Each object file defines some global symbols and uses others (nm: T/D/B/R
against U).  An edge a -> b means a.o uses a symbol b.o defines.  Include
lines alone miss a circle that goes through a shared internal header, so this
reads the linker's view instead.  Prints every strongly connected set of two
or more objects, with one symbol per edge as the reason, and exits 1; prints
"no circles among N objects" and exits 0 otherwise.

With --dot it prints the graph in Graphviz form instead of checking it.

With --unused OBJ... [-- USER...] it checks instead that every function an
object exports is used by another object (or by one of the USER objects:
the unit tests): an export nobody else calls should be static.  main is
exempt.
"""
import os
import subprocess
import sys


def symbols(path):
    """(defined, used) global symbol sets of one object file."""
    out = subprocess.run(["nm", "-g", path], check=True,
                         capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRVWCG":
            defined.add(parts[2])
    return defined, used


def graph(paths):
    """name -> {name it uses: one symbol that shows why}."""
    owner, uses = {}, {}
    for p in paths:
        name = os.path.basename(p)[:-2]
        defined, used = symbols(p)
        for s in defined:
            owner[s] = name
        uses[name] = used
    edges = {}
    for name, used in uses.items():
        edges[name] = {}
        for s in sorted(used):
            o = owner.get(s)
            if o is not None and o != name:
                edges[name].setdefault(o, s)
    return edges


def circles(edges):
    """The strongly connected sets of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def unused(paths, users):
    """Exported functions no other object (nor a user object) uses."""
    used_by = {}
    for p in paths + users:
        _, used = symbols(p)
        for s in used:
            used_by.setdefault(s, set()).add(p)
    out = []
    for p in paths:
        text = subprocess.run(["nm", "-g", "--defined-only", p], check=True,
                              capture_output=True, text=True).stdout
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] == "T" and parts[2] != "main" \
                    and not (used_by.get(parts[2], set()) - {p}):
                out.append(f"{os.path.basename(p)[:-2]}: {parts[2]}")
    return out


def main(argv):
    if argv[1:2] == ["--unused"]:
        rest = argv[2:]
        cut = rest.index("--") if "--" in rest else len(rest)
        found = unused(sorted(set(rest[:cut])), rest[cut + 1:])
        for f in found:
            print("exported but used by no other file: " + f)
        if found:
            return 1
        print(f"every export used among {len(set(rest[:cut]))} objects")
        return 0
    dot = argv[1:2] == ["--dot"]
    paths = argv[2:] if dot else argv[1:]
    if not paths:
        print("usage: cycles.py [--dot] OBJ...", file=sys.stderr)
        return 2
    edges = graph(paths)
    if dot:
        print("digraph objects {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    found = circles(edges)
    for comp in found:
        print("circle: " + " ".join(comp))
        for a in comp:
            for b in comp:
                if b in edges[a]:
                    print(f"  {a} -> {b} (uses {edges[a][b]})")
    if found:
        return 1
    print(f"no circles among {len(edges)} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
