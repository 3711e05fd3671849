#!/usr/bin/env python3
"""Lists the bodies in Swift sources longer than a limit (80 lines unless told).

  Tests/Tools/long-functions.py [--limit N] [PATH...]     (PATH: files or folders; default Sources)

A body is a `func`, `init`, `subscript`, `deinit`, a computed property or a stored property set by
a closure or a literal (`let x = {`, `let table: [..] = [`, `let shape = Shape(`), counted from its declaration line to
the line of the brace or bracket that closes it. Comments and string literals (multi-line and raw
ones included) are read as blank, so braces inside them do not count. One row a body, longest
first: `LINES path:LINE name`; a literal (a table of data) is marked `(literal)`. Exits 0: it
reports, the limit is a guide (data tables may pass it).
"""

import os
import re
import sys


def blank_out(text):
    """The text with comments and string contents replaced by spaces, newlines kept."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            start = i + hashes
            multi = text.startswith('"""', start)
            quote = '"""' if multi else '"'
            close = quote + "#" * hashes
            j = start + len(quote)
            while j < n:
                if text.startswith(close, j):
                    j += len(close)
                    break
                if text[j] == "\\" and hashes == 0:
                    j += 2
                    continue
                if text[j] == "\n" and not multi:
                    break
                j += 1
            blank(i + 1, j - 1)
            i = j
        else:
            i += 1
    return "".join(out)


DECL = re.compile(
    r"^[ \t]*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:package|public|private|fileprivate|internal|open|static|class|final|"
    r"override|mutating|nonmutating|nonisolated|convenience|required|lazy|indirect|@inlinable)\s+)*"
    r"(?P<kind>(?:func|subscript|deinit|var|let)\b|init[?!]?(?!\w))\s*(?P<name>[^\s(:=<{]*)",
    re.M,
)


# Where a declaration without a body (a protocol's requirement) ends: the next declaration of any
# kind, or a closing brace alone on its line.
BOUNDARY = re.compile(
    DECL.pattern.replace("func|subscript|deinit|var|let", "func|subscript|deinit|var|let|struct|class|enum|"
    "protocol|extension|actor|typealias|associatedtype|case") + r"|^[ \t]*\}",
    re.M,
)


def bodies(path):
    text = open(path, encoding="utf-8").read()
    code = blank_out(text)
    line_of = lambda pos: code.count("\n", 0, pos) + 1
    for m in DECL.finditer(code):
        kind, name = m.group("kind"), m.group("name") or m.group("kind")
        # The opening brace (or a literal's bracket) of this declaration, before the next one.
        nxt = BOUNDARY.search(code, m.end())
        limit = nxt.start() if nxt else len(code)
        seg = code[m.end():limit]
        if kind in ("var", "let"):
            # A computed property `var x: T {`, or a value made by `= {` / `= [` (a closure or a literal).
            o = re.match(r"[^=\n{]*?(?P<open>\{)|[^=\n]*=\s*(?:[\w.]+)?(?P<lit>[\[{(])", seg)
            if not o:
                continue
            at = m.end() + o.start(o.lastgroup)
            literal = o.lastgroup == "lit" and code[at] in "[("
        else:
            o = seg.find("{")
            if o < 0:
                continue
            at = m.end() + o
            literal = False
        depth, j = 0, at
        while j < len(code):
            ch = code[j]
            if ch in "{[(":
                depth += 1
            elif ch in "}])":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        start, end = line_of(m.start()), line_of(j)
        yield end - start + 1, start, f"{kind} {name}".strip(), literal


def main(argv):
    limit, paths = 80, []
    args = iter(argv)
    for a in args:
        if a == "--limit":
            limit = int(next(args))
        else:
            paths.append(a)
    files = []
    for p in paths or ["Sources"]:
        if os.path.isdir(p):
            for d, _, fs in os.walk(p):
                files += [os.path.join(d, f) for f in fs if f.endswith(".swift")]
        else:
            files.append(p)
    rows = []
    for f in sorted(files):
        for lines, line, name, literal in bodies(f):
            if lines > limit:
                rows.append((lines, f"{f}:{line}", name + (" (literal)" if literal else "")))
    for lines, where, name in sorted(rows, key=lambda r: (-r[0], r[1])):
        print(f"{lines:5d} {where} {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
