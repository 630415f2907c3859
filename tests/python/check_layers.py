"""The layer table of docs/architecture.md against the includes of core/: every folder
includes only the folders its row names (so nothing runs back up the table), every folder
of core/ has a row, and no folder pair includes each other. Run by CTest (test_layers);
prints each offending include."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
INCLUDE = re.compile(r'#include "([a-z_]+)/[^"]+"')
ROW = re.compile(r"^\| `([a-z_]+)/` \| .* \| (.*) \|$")


def table(path):
    """folder -> the folders its row allows, in table order."""
    allowed = {}
    for line in open(path, encoding="utf-8"):
        match = ROW.match(line.strip())
        if match:
            names = re.findall(r"[a-z_]+", match.group(2))
            allowed[match.group(1)] = set(names) - {"-"}
    return allowed


def includes(core):
    """(folder, file, included folder) for every include of another core folder."""
    found = []
    for folder in sorted(os.listdir(core)):
        path = os.path.join(core, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".h", ".cpp")):
                continue
            for line in open(os.path.join(path, name), encoding="utf-8"):
                match = INCLUDE.match(line.strip())
                if match and match.group(1) != folder:
                    found.append((folder, name, match.group(1)))
    return found


def main():
    allowed = table(os.path.join(ROOT, "docs", "architecture.md"))
    core = os.path.join(ROOT, "core")
    problems = []
    folders = [f for f in sorted(os.listdir(core)) if os.path.isdir(os.path.join(core, f))]
    for folder in folders:
        if folder not in allowed:
            problems.append(f"core/{folder}/ has no row in docs/architecture.md's layer table")
    edges = set()
    for folder, name, target in includes(core):
        edges.add((folder, target))
        if folder in allowed and target not in allowed[folder]:
            problems.append(f"core/{folder}/{name} includes {target}/, which its row does not allow")
    for folder, target in sorted(edges):
        if (target, folder) in edges and folder < target:
            problems.append(f"core/{folder}/ and core/{target}/ include each other")
    for problem in problems:
        print(problem)
    print(f"{len(folders)} folders, {len(edges)} folder-to-folder include edges, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
