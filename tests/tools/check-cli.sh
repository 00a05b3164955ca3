#!/usr/bin/env bash
# Every installed tool behaves alike at the command line: --help prints a
# "Usage: gort-..." text on stdout and exits 0, --version names the library
# version, an unknown flag is a usage error (exit 2, usage on stderr), and
# each has a man page generated from its --help (when help2man is present).
set -euo pipefail
build=$(cd "$1" && pwd)
want=$(sed -n 's/^#define GORT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*$/\2/p' \
  "$2/include/gort/common.h" | paste -sd.)
fail=0
bad() { echo "FAIL: $*"; fail=1; }
n=0
for t in "$build"/examples/gort-*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  name=$(basename "$t"); n=$((n + 1))
  out=$("$t" --help 2>/dev/null) || bad "$name --help exits $?"
  case $out in "Usage: $name"*) ;; *) bad "$name --help does not start with 'Usage: $name'";; esac
  out=$("$t" --version 2>/dev/null) || bad "$name --version exits $?"
  [ "$out" = "$name (libgoinspect) $want" ] || bad "$name --version prints '$out'"
  rc=0; err=$("$t" --no-such-flag 2>&1 >/dev/null) || rc=$?
  [ "$rc" = 2 ] || bad "$name --no-such-flag exits $rc, want 2"
  case $err in *"Usage: $name"*) ;; *) bad "$name --no-such-flag prints no usage on stderr";; esac
  if [ -d "$build/examples/man" ]; then
    page=$build/examples/man/$name.1
    if [ ! -s "$page" ]; then
      bad "no man page $page"
    elif ! grep -q "^$name \\\\- " "$page"; then
      bad "$page has no NAME line of its own (examples/man/$name.h2m)"
    fi
  fi
done
[ "$n" -gt 0 ] || { echo "no tools in $build/examples"; exit 1; }
[ $fail = 0 ] && echo "$n tools: --help, --version, usage errors and man pages ok"
exit $fail
