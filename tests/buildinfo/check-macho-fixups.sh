#!/usr/bin/env bash
# Build information behind Mach-O chained fixups: tests/data/macho-fixups.py
# writes a darwin/arm64 executable whose Go 1.17 build information is
# reached only through encoded pointers (LC_DYLD_CHAINED_FIXUPS); decoded as
# dyld does (lib/macho/fixups.c), `gort-version -m` prints it. Then the same
# file with its fixups command renamed: the pointers stay encoded and the
# file is, as Go's own tools read it, not a Go executable with build info.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
f=$tmp/fixups
python3 "$src/tests/data/macho-fixups.py" "$f"
chmod +x "$f" # go version (and so gort-version) skips non-executable files
printf '%s: go1.17.99\n\tpath\texample.com/fixups\n\tmod\texample.com/fixups\t(devel)\t\n' "$f" >"$tmp/want"
"$build/examples/gort-version" -m "$f" >"$tmp/got"
diff "$tmp/want" "$tmp/got"
# LC_DYLD_CHAINED_FIXUPS (0x80000034) -> an unknown command (0x80000099).
python3 - "$f" "$tmp/raw" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(bytes.fromhex("34000080"))
d[i] = 0x99
open(sys.argv[2], "wb").write(d)
PY
chmod +x "$tmp/raw"
echo "$tmp/raw: could not read Go build info from $tmp/raw: not a Go executable" >"$tmp/want.raw"
"$build/examples/gort-version" "$tmp/raw" >"$tmp/got.raw" 2>&1 || true
diff "$tmp/want.raw" "$tmp/got.raw"
echo "build information read through chained fixups; without them, none"
