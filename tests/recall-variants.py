#!/usr/bin/env python3
"""recall-variants.py MODE FILE: print a variant of a recall test file.

MODE is one of
  fix       the file with a guard statement added after its first line
            (the change a "fix:" commit makes)
  reformat  other indentation and layout, other comments (same tokens)
  rename    every identifier renamed, every number and string changed
  add       one statement added
  remove    one statement removed
The language comes from the extension (.c .py .js .go).
"""
import re
import sys

KEYWORDS = {
    "c": "if else for while return struct const char int long short unsigned "
         "static size_t void switch case default break continue sizeof NULL enum",
    "py": "class def return if elif else for in not and or is None True False "
          "with as try except raise from while import self lambda",
    "js": "function let const var return if else for of in new throw async "
          "await null this export continue break",
    "go": "func return if else for range switch case default nil defer var "
          "struct type map string int bool error",
}
STATEMENT = {
    "c": 'trace("enter");',
    "py": 'log.debug("enter")',
    "js": 'console.debug("enter");',
    "go": 'log.Println("enter")',
}
GUARD = {
    "c": "if (!ok) return -1;",
    "py": "if not ok: return None",
    "js": "if (!ok) return null;",
    "go": "if !ok { return nil }",
}
TOKEN = re.compile(r'''("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`[^`]*`|[A-Za-z_]\w*|\d+(?:\.\d+)?)''')


def indent_of(line):
    return line[:len(line) - len(line.lstrip())]


def insert_after_first(lines, text):
    for i, line in enumerate(lines):
        if line.rstrip().endswith(("{", ":")):
            nxt = lines[i + 1] if i + 1 < len(lines) else line + "\t"
            return lines[:i + 1] + [indent_of(nxt) + text] + lines[i + 1:]
    return lines + [text]


def reformat(lines, lang):
    out = ["# reformatted" if lang == "py" else "/* reformatted copy */"]
    for i, line in enumerate(lines):
        body = line.lstrip()
        depth = len(line) - len(body)
        if lang == "py":
            new = " " * (depth // 2) + body  # two-space indents
        else:
            new = "  " * len(indent_of(line).replace("    ", "\t")) + body
            new = new.replace(", ", " ,  ").replace(" = ", "   =   ")
        if body and i % 3 == 1:
            new += "  # note" if lang == "py" else "  // note"
        out.append(new)
        if i % 4 == 2 and body:
            out.append("")
    return out


def rename(text, lang):
    keep = set(KEYWORDS[lang].split())
    names = {}

    def sub(m):
        tok = m.group(0)
        if tok[0] in "\"'`":
            return tok[0] + "changed %d" % len(names) + tok[0] if len(tok) > 3 else tok
        if tok[0].isdigit():
            return str(float(tok) + 1) if "." in tok else str(int(tok) + 1)
        if tok in keep:
            return tok
        return names.setdefault(tok, "v%d_%s" % (len(names), tok[::-1].lower()))
    return TOKEN.sub(sub, text)


def remove(lines, lang):
    mid = len(lines) // 2
    order = sorted(range(1, len(lines) - 1), key=lambda i: abs(i - mid))
    for i in order:
        s = lines[i].strip()
        if not s or s.startswith(("return", "}", "raise")) or s.endswith(("{", ":", ",")):
            continue
        if lang in ("c", "js") and not s.endswith(";"):
            continue
        return lines[:i] + lines[i + 1:]
    return lines


def main():
    mode, path = sys.argv[1], sys.argv[2]
    lang = path.rsplit(".", 1)[1]
    text = open(path).read()
    lines = text.rstrip("\n").split("\n")
    if mode == "fix":
        lines = insert_after_first(lines, GUARD[lang])
    elif mode == "reformat":
        lines = reformat(lines, lang)
    elif mode == "rename":
        lines = rename(text, lang).rstrip("\n").split("\n")
    elif mode == "add":
        mid = len(lines) // 2
        lines = lines[:mid] + [indent_of(lines[mid]) + STATEMENT[lang]] + lines[mid:]
    elif mode == "remove":
        lines = remove(lines, lang)
    else:
        sys.exit("unknown mode " + mode)
    sys.stdout.write("\n".join(lines) + "\n")


main()
