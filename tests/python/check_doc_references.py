"""Every path the repository's comments and documents name exists, and every reference
to a section of a page of docs/ (the page, a comma, the section's title) names one of its
headings (a heading starting with the words given). Run by CTest (test_doc_references); prints each broken reference."""
import os
import re
import fnmatch
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


def ignore_patterns():
    """Every .gitignore's patterns, with the folder each applies below: what the build and the
    commands make (read as text, so that the check needs no git: a copy of the repository
    without .git is checked as well)."""
    patterns = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in (".git", "build", "data")]
        if ".gitignore" not in names:
            continue
        base = os.path.relpath(folder, ROOT)
        base = "" if base == "." else base + "/"
        for line in open(os.path.join(folder, ".gitignore"), encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                patterns.append((base, line.strip("/")))
    return patterns


PATTERNS = ignore_patterns()


def ignored(path):
    """A path a .gitignore leaves out, or one below such a folder: made when a command runs
    (an experiment's work folder)."""
    path = path.strip("/")
    for base, pattern in PATTERNS:
        if not path.startswith(base):
            continue
        parts = path[len(base):].split("/")
        for i in range(1, len(parts) + 1):
            if fnmatch.fnmatch("/".join(parts[:i]), pattern) or fnmatch.fnmatch(parts[i - 1], pattern):
                return True
    return False


def repository_files():
    """The repository's files, as a checkout holds them: every file below the root but what
    .gitignore leaves out and the .git folder."""
    found = []
    for folder, subfolders, names in os.walk(ROOT):
        relative = os.path.relpath(folder, ROOT)
        relative = "" if relative == "." else relative + "/"
        subfolders[:] = [name for name in subfolders
                         if name != ".git" and not ignored(relative + name)]
        found += [relative + name for name in names if not ignored(relative + name)]
    return found


def headings(page):
    path = os.path.join(ROOT, page)
    return [line[3:].strip() for line in open(path, encoding="utf-8") if line.startswith("## ")]


def main():
    files = repository_files()
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
