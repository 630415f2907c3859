"""Every path the repository's comments and documents name exists, and every reference
to a section of a page of docs/ (the page, a comma, the section's title) names one of its
headings (a heading starting with the words given). Run by CTest (test_doc_references); prints each broken reference."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TOP = ("core", "ui", "app", "tests", "docs", "experiments", "installer", "resources")
# A repository path: a top-level folder, then path parts, ending in a file name with an
# extension or a slash (a folder).
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./+-]*[\w+-](?:\.\w+|/))" % "|".join(TOP))
SECTION = re.compile(r"(docs/\w+\.md), \"?([A-Z][\w' ()./-]+)")
COMMENT_BREAK = re.compile(r"\n\s*(?://|#|\*|>)?\s*")
SOURCES = (".h", ".cpp", ".py", ".sh", ".md", ".txt", ".json")


def ignored(path):
    """A path git ignores: made when a command runs (an experiment's work folder)."""
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def headings(page):
    path = os.path.join(ROOT, page)
    return [line[3:].strip() for line in open(path, encoding="utf-8") if line.startswith("## ")]


def main():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    problems = []
    checked = 0
    for name in files:
        # CMake lists name files relative to their own folder.
        if not name.endswith(SOURCES) or name.endswith("CMakeLists.txt"):
            continue
        text = open(os.path.join(ROOT, name), encoding="utf-8", errors="replace").read()
        flat = COMMENT_BREAK.sub(" ", text)
        for match in PATH.finditer(text):
            path = match.group(1).rstrip(".")
            if "*" in path or "<" in path or path.endswith(("/...", "...")):
                continue
            checked += 1
            if not os.path.exists(os.path.join(ROOT, path)) and not ignored(path):
                problems.append(f"{name}: names {path}, which does not exist")
        for match in SECTION.finditer(flat):
            page, title = match.groups()
            checked += 1
            if not os.path.exists(os.path.join(ROOT, page)):
                problems.append(f"{name}: names {page}, which does not exist")
                continue
            words = " ".join(title.split()[:3]).rstrip(").,")
            if not any(heading.startswith(words) for heading in headings(page)):
                problems.append(f"{name}: names section \"{words}...\" of {page}, which has none")
    for problem in problems:
        print(problem)
    print(f"{checked} references checked, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
