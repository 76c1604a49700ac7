#!/usr/bin/env python3
"""Builds one include tree per layer so a layer can only see the headers it may use.

Usage: layer_includes.py SRC_INCLUDE_DIR OUT_DIR name=dep1,dep2 [name=...]

For every `name=deps`, OUT_DIR/name/ringcache/<dep> becomes a symlink to
SRC_INCLUDE_DIR/ringcache/<dep>. A target compiled against OUT_DIR/name can
then include "ringcache/<dep>/..." only for the listed deps: a header of any
other layer is simply not found, so a wrong include fails the build.
"""
import os
import sys


def main() -> int:
    src, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    for spec in sys.argv[3:]:
        name, deps = spec.split("=", 1)
        root = os.path.join(out, name, "ringcache")
        os.makedirs(root, exist_ok=True)
        wanted = set(filter(None, deps.split(",")))
        for entry in os.listdir(root):
            if entry not in wanted:
                os.remove(os.path.join(root, entry))
        for dep in wanted:
            target = os.path.join(src, "ringcache", dep)
            link = os.path.join(root, dep)
            if not os.path.isdir(target):
                print(f"layer_includes: no such layer {dep}", file=sys.stderr)
                return 1
            if os.path.islink(link) and os.readlink(link) == target:
                continue
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(target, link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
