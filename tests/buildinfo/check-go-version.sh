#!/usr/bin/env bash
# gort-version against `go version [-m]` (the newest Go installed), byte for
# byte on stdout and stderr, over: every Go toolchain's own programs (real
# binaries built by Go 1.15 to 1.27 that nobody here built), the fixture
# binaries of every toolchain/arch/variant (ELF, PE and Mach-O), non-Go
# files and directories.
# Then what Go's tool cannot do: zstd-compressed binaries, and binaries whose
# build info was removed (the version must still come out, and be right).
set -euo pipefail
build=$(cd "$1" && pwd)
tool=$build/examples/gort-version
go=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1)/bin/go
[ -x "$go" ] || { echo "no Go toolchain installed: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

files=()
for d in /usr/lib/go-1.*; do
  for f in "$d"/bin/* "$d"/pkg/tool/*/*; do [ -f "$f" ] && files+=("$f"); done
done
fixtures=${GORT_FIXTURES_DIR:-}
if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
  # Linux programs, and the PE (hello.exe) and Mach-O (hello) builds.
  while IFS= read -r f; do files+=("$f"); done < <(find "$fixtures" \( -name prog -o -name hello -o -name hello.exe \) -type f | sort)
else
  echo "note: no fixtures at '${fixtures}', checking toolchain binaries only"
fi
files+=(/bin/ls /etc/passwd /nonexistent "$build/CMakeCache.txt")

compare() { # compare LABEL ARGS...
  local label=$1; shift
  "$go" version "$@" >"$tmp/go.out" 2>"$tmp/go.err" && gs=0 || gs=$?
  "$tool" "$@" >"$tmp/gi.out" 2>"$tmp/gi.err" && ts=0 || ts=$?
  if ! cmp -s "$tmp/go.out" "$tmp/gi.out" || ! cmp -s "$tmp/go.err" "$tmp/gi.err" || [ $gs != $ts ]; then
    echo "MISMATCH ($label): exit go=$gs ours=$ts"
    diff "$tmp/go.out" "$tmp/gi.out" | head -20 || true
    diff "$tmp/go.err" "$tmp/gi.err" | head -20 || true
    fail=1
  fi
}
compare "files" "${files[@]}"
compare "files -m" -m "${files[@]}"
compare "directories -m" -m /usr/lib/go-1.15/bin /usr/lib/go-1.27/pkg/tool
echo "compared ${#files[@]} files with $("$go" version | cut -d' ' -f3)"

# zstd-compressed: same answer as for the plain file.
sample=/usr/lib/go-1.22/bin/gofmt
[ -f "$sample" ] || sample=$(ls /usr/lib/go-1.*/bin/gofmt | tail -n1)
zstd -q -c "$sample" >"$tmp/gofmt.zst"
if [ "$("$tool" -m "$tmp/gofmt.zst" | sed 1s/^[^:]*://)" != "$("$go" version -m "$sample" | sed 1s/^[^:]*://)" ]; then
  echo "MISMATCH on the zstd-compressed $sample"; fail=1
fi

# Build info removed: Go's tool gives up; we still report the right version
# (runtime.buildVersion): by its symbol when there is a symbol table, else
# found in the data (stripped -s -w binaries: neither blob nor symbols).
# ELF copies lose their .go.buildinfo section (objcopy); PE and Mach-O
# copies get the blob's magic zeroed (what Go's reader searches for).
noinfo() { # noinfo FILE OUT: a copy of FILE without build info
  case $1 in
    *.exe|*/darwin-*/*)
      local at
      at=$(LC_ALL=C grep -obUa 'Go buildinf:' "$1" | head -n1 | cut -d: -f1)
      [ -n "$at" ] || return 1
      cp "$1" "$2"
      head -c 14 /dev/zero | dd of="$2" bs=1 seek=$((at - 2)) conv=notrunc status=none ;;
    *) objcopy --remove-section .go.buildinfo "$1" "$2" 2>/dev/null ;;
  esac
}
n=0 nstripped=0
while IFS= read -r f; do
  want=$("$go" version "$f" | sed 's/^[^:]*: //')
  noinfo "$f" "$tmp/noinfo" || continue
  if [ -n "$("$go" version "$tmp/noinfo" 2>/dev/null)" ]; then
    echo "copy of $f still has build info"; fail=1; continue
  fi
  got=$("$tool" -m "$tmp/noinfo" 2>"$tmp/err" | sed 's/^[^:]*: //')
  if [ "$got" != "$want" ]; then
    echo "MISMATCH without build info: $f: got '$got', want '$want'"; cat "$tmp/err"; fail=1
  fi
  # Stripped Mach-O files of some releases keep a symbol table.
  case $f in */stripped/*)
    "$build/examples/gort-nm" "$f" 2>/dev/null | grep -q ' runtime\.buildVersion$' && continue
    nstripped=$((nstripped + 1))
    grep -q "found in the data" "$tmp/err" || { echo "$f: version not reported as found in the data"; fail=1; } ;;
  esac
  n=$((n + 1))
done < <(find "${fixtures:-/nonexistent}" \( -path '*/default/*' -o -path '*/stripped/*' \) \( -name prog -o -name hello -o -name hello.exe \) -type f 2>/dev/null | sort)
# A toolchain program nobody here built: stripped, no symbols.
f=$(ls /usr/lib/go-1.*/pkg/tool/*/addr2line | head -n1)
objcopy --remove-section .go.buildinfo "$f" "$tmp/noinfo"
want=$("$go" version "$f" | sed 's/^[^:]*: //')
got=$("$tool" "$tmp/noinfo" 2>&1 | sed 's/^[^:]*: //')
[ "$got" = "$want" ] || { echo "MISMATCH without build info: $f: got '$got', want '$want'"; fail=1; }
# Neither build info nor a Go runtime: still a clear error.
"$tool" /bin/ls >"$tmp/out" 2>"$tmp/err" || true
if [ -s "$tmp/out" ] || ! grep -q "not a Go executable" "$tmp/err"; then
  echo "/bin/ls: expected 'not a Go executable'"; fail=1
fi
echo "version without build info: $n fixture binaries checked ($nstripped without symbols either)"
[ $fail = 0 ] && echo "gort-version matches go version"
exit $fail
