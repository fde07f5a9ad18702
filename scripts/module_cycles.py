#!/usr/bin/env python3
"""Finds modules that import each other, in every crate of the workspace.

A module is a file (or a folder's mod.rs) directly under a crate's src/; `a` imports `b` when a
file of `a` names `crate::b` (in a `use` or a path) or `super::b` from a file directly in src/.
Prints each pair that import each other and exits 1 if there is one (ARCHITECTURE.md: no two
modules import each other). Submodules inside one top-level module may use each other: that is
one module's inside. Items reached through a crate-root re-export (`crate::Item`) are not
attributed to their module: the check sees module paths only.

    python3 scripts/module_cycles.py
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = ["core", "polyfaas", "testkit", "cli", "providers/local", "providers/aws", "providers/gcp",
          "providers/azure", "providers/openwhisk"]


def top_module(src, path):
    rel = os.path.relpath(path, src)
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def imports(crate):
    src = os.path.join(ROOT, crate, "src")
    edges = {}
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            module = top_module(src, path)
            if module in ("lib", "main", "bin"):
                continue
            with open(path, encoding="utf-8") as f:
                text = strip_comments(f.read())
            # `#[cfg(test)] mod tests { ... }` may use anything: cut from it to the end.
            text = text.split("#[cfg(test)]")[0]
            named = set(re.findall(r"\bcrate::(\w+)", text))
            for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
                named.update(re.findall(r"^\s*(\w+)", part)[0] for part in group.split(",") if re.findall(r"^\s*(\w+)", part))
            if os.path.dirname(path) == src:
                named.update(re.findall(r"\bsuper::(\w+)", text))
            edges.setdefault(module, set()).update(n for n in named if n != module)
    return edges


def main():
    found = []
    for crate in CRATES:
        edges = imports(crate)
        modules = set(edges)
        for a in sorted(modules):
            for b in sorted(edges[a]):
                if b in modules and a < b and a in edges.get(b, set()):
                    found.append(f"{crate}: {a} <-> {b}")
    for line in found:
        print(line)
    print(f"{len(found)} pair(s) of modules that import each other")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
