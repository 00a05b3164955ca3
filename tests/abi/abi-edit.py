#!/usr/bin/env python3
"""Doctor an abidw XML file so that check-abidiff.sh can show it fails:

    abi-edit.py remove FUNC IN OUT    drop FUNC (its ELF symbol and declaration)
    abi-edit.py grow STRUCT IN OUT    make STRUCT 64 bits larger

A baseline without FUNC against the real library is an addition (allowed);
the real baseline against a library without FUNC, or with STRUCT grown, is
a removal or a change (refused).
"""
import re
import sys


def main(op, name, src, dst):
    text = open(src, encoding="utf-8").read()
    if op == "remove":
        text, n = re.subn(r"\s*<elf-symbol name='%s' [^>]*/>" % re.escape(name), "", text)
        text, m = re.subn(r"\s*<function-decl name='%s' .*?</function-decl>" % re.escape(name),
                          "", text, flags=re.S)
        if not n or not m:
            sys.exit(f"abi-edit.py: no function {name}")
    elif op == "grow":
        def grow(match):
            return match.group(1) + str(int(match.group(2)) + 64) + "'"
        text, n = re.subn(r"(<class-decl name='%s' size-in-bits=')(\d+)'" % re.escape(name), grow,
                          text)
        if not n:
            sys.exit(f"abi-edit.py: no struct {name}")
    else:
        sys.exit(__doc__)
    open(dst, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
