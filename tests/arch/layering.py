#!/usr/bin/python3
"""The rooms of models/ and analysis/ keep their order.

    layering.py SOURCE_DIR

Each room is a CMake library that declares what it links
(target_link_libraries(bs_ROOM PUBLIC bs_OTHER ...) in models/ROOM/CMakeLists.txt,
analysis and cli in their own).  This check fails when
  - a file includes a header of a room its room does not declare (directly or
    through the rooms it declares): an include that goes up, or sideways into
    a room not named;
  - the declared rooms form a circle;
  - the includes between rooms form a circle;
  - a bare include ("x.h") names no header beside the file (every header of
    another room is included as "room/x.h").
Each violation is printed as file:line; exit 1 if any, else 0.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
LINK = re.compile(r"target_link_libraries\(\s*(\w+)\s+(?:PUBLIC|PRIVATE|INTERFACE)?([^)]*)\)", re.S)


def declared(src):
    """room -> the rooms it declares, from every CMakeLists.txt."""
    deps = {}
    cmakes = [os.path.join(src, "CMakeLists.txt")]
    for d in sorted(os.listdir(os.path.join(src, "models"))):
        p = os.path.join(src, "models", d, "CMakeLists.txt")
        if os.path.exists(p):
            cmakes.append(p)
    for p in cmakes:
        text = re.sub(r"#.*", "", open(p).read())
        for target, rest in LINK.findall(text):
            name = {"blockshift": "cli"}.get(target, target[3:] if target.startswith("bs_") else None)
            if name is None or target == "blockshift_core":
                continue
            words = re.split(r"\s+", rest.replace("PUBLIC", " ").replace("PRIVATE", " "))
            deps.setdefault(name, set()).update(w[3:] for w in words if w.startswith("bs_"))
    return deps


def closure(deps, room):
    seen, todo = set(), list(deps.get(room, ()))
    while todo:
        r = todo.pop()
        if r not in seen:
            seen.add(r)
            todo.extend(deps.get(r, ()))
    return seen


def find_cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def rooms_of(src):
    out = {}
    for d in sorted(os.listdir(os.path.join(src, "models"))):
        if os.path.isdir(os.path.join(src, "models", d)):
            out[d] = os.path.join(src, "models", d)
    out["analysis"] = os.path.join(src, "analysis")
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = argv[1]
    deps = declared(src)
    rooms = rooms_of(src)
    bad = []
    cyc = find_cycle(deps)
    if cyc:
        bad.append("declared rooms form a circle: " + " -> ".join(cyc))
    used = {}
    for room, path in rooms.items():
        allowed = closure(deps, room) | {room}
        for f in sorted(os.listdir(path)):
            if not f.endswith((".c", ".h", ".cc")):
                continue
            text = open(os.path.join(path, f)).read()
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                where = f"{os.path.relpath(os.path.join(path, f), src)}:{line}"
                if "/" not in inc:
                    if not os.path.exists(os.path.join(path, inc)):
                        bad.append(f'{where}: "{inc}" is not beside the file: include another room\'s header as "room/{inc}"')
                    continue
                target = inc.split("/")[0]
                if target not in rooms:
                    continue  # a system header written with quotes, or ns-3's "ns3/..."
                if target == "ns3" and not os.path.exists(os.path.join(rooms["ns3"], inc.split("/", 1)[1])):
                    continue  # ns-3's own headers ("ns3/core-module.h")
                used.setdefault(room, set()).add(target) if target != room else None
                if target not in allowed:
                    bad.append(f'{where}: {room} includes "{inc}", but {room} does not declare {target}'
                               f" (it may use: {', '.join(sorted(allowed - {room})) or 'nothing'})")
    cyc = find_cycle(used)
    if cyc:
        bad.append("includes between rooms form a circle: " + " -> ".join(cyc))
    for b in bad:
        print(b)
    n = sum(len(v) for v in used.values())
    print(f"layering: {len(rooms)} rooms, {n} room-to-room uses, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
