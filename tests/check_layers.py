#!/usr/bin/env python3
"""The house rules the compiler cannot check, checked on every `meson test`.

1. Layers: a file in src/<layer>/ includes only headers of the layers that layer may use (LAYERS below,
   which README's "Where things are" describes). Arrows point down only.
2. No call cycles between files: from the core library's object files (nm), file A -> file B when A uses
   a symbol B defines; the graph must have no cycle.
3. No source file over 1,000 lines.

usage: check_layers.py SRC_DIR CORE_LIBRARY
"""
import re
import subprocess
import sys
from pathlib import Path

# layer -> the layers its files may include (besides its own)
LAYERS = {
    "base": set(),
    "net": {"base"},
    "model": {"base"},
    "storage": {"base", "model"},
    "streams": {"base", "model", "storage", "net"},
    "jobs": {"base", "model", "storage", "streams"},
    "expr": {"base", "model"},
    "partiql": {"base", "model", "expr"},
    "ops": {"base", "model", "storage", "streams", "jobs", "expr", "partiql"},
    "api": {"base", "net", "model", "storage", "streams", "jobs", "expr", "partiql", "ops"},
    "app": {"base", "net", "model", "storage", "streams", "jobs", "expr", "partiql", "ops", "api"},
}
MAX_LINES = 1000
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def check_includes(src):
    problems = []
    for path in sorted(src.rglob("*.[ch]")):
        rel = path.relative_to(src)
        if len(rel.parts) == 1:
            if rel.name != "main.c":
                problems.append(f"{rel}: outside a layer folder (only main.c may be)")
            continue
        layer = rel.parts[0]
        if layer not in LAYERS:
            problems.append(f"{rel}: {layer}/ is not a known layer (add it to tests/check_layers.py and README)")
            continue
        for inc in INCLUDE.findall(path.read_text()):
            target = inc.split("/")[0] if "/" in inc else layer
            if target != layer and target not in LAYERS[layer]:
                problems.append(f"{rel}: includes {inc}, but {layer}/ may not use {target}/")
    return problems


def check_sizes(src):
    problems = []
    for path in sorted(src.rglob("*.[ch]")):
        n = path.read_text().count("\n")
        if n > MAX_LINES:
            problems.append(f"{path.relative_to(src)}: {n} lines (at most {MAX_LINES})")
    return problems


def symbol_graph(library):
    """file -> set of files whose symbols it uses, from `nm` on the core library's objects."""
    out = subprocess.run(["nm", "-A", "--defined-only", "-g", library], capture_output=True, text=True,
                         check=True).stdout
    defined = {}
    for line in out.splitlines():
        name, _, rest = line.rpartition(":")
        sym = rest.split()[-1]
        defined[sym] = Path(name.split(":")[-1]).name
    out = subprocess.run(["nm", "-A", "--undefined-only", library], capture_output=True, text=True,
                         check=True).stdout
    graph = {}
    for line in out.splitlines():
        name, _, rest = line.rpartition(":")
        obj = Path(name.split(":")[-1]).name
        sym = rest.split()[-1]
        if sym in defined and defined[sym] != obj:
            graph.setdefault(obj, set()).add(defined[sym])
    return graph


def find_cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def pretty(obj):
    # meson names objects like "storage_itemstore.c.o"
    return obj.replace(".c.o", ".c").replace("_", "/", 1)


def main():
    src, library = Path(sys.argv[1]), sys.argv[2]
    problems = check_includes(src) + check_sizes(src)
    for comp in find_cycles(symbol_graph(library)):
        problems.append("call cycle between " + ", ".join(pretty(c) for c in comp))
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
