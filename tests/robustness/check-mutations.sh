#!/usr/bin/env bash
# Seeded mutations of real inputs through every fuzz driver (fuzz/targets.def:
# every public entry point from gort_*_open_memory to the last query), with
# gort-mutate: each run must end in a result or a checked error code, within
# the timeout, without a sanitizer error; in ASan builds LeakSanitizer checks
# for leaks after each file. Also replays the inputs that once broke the
# library (tests/robustness/inputs/TARGET/*).
#   GORT_MUTATE_ROUNDS   rounds per seed file (default 40; 15 in sanitizer builds)
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
mutate=$build/tests/gort-mutate
default=40
[ -n "${GORT_SANITIZE:-}" ] && default=15
rounds=${GORT_MUTATE_ROUNDS:-$default}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 total=0

while read -r target kind; do
  inputs=$src/tests/robustness/inputs/$target
  if [ -d "$inputs" ]; then
    "$mutate" "$target" --replay "$inputs"/* || fail=1
  fi
  [ -d "$tmp/$kind" ] || "$src/fuzz/corpus.sh" "$kind" "$tmp/$kind" >/dev/null
  files=$(find "$tmp/$kind" -type f | sort)
  [ -n "$files" ] || { echo "$target: no seeds on this machine"; continue; }
  # shellcheck disable=SC2086
  "$mutate" "$target" -s "${GORT_MUTATE_SEED:-1}" -r "$rounds" $files 2>"$tmp/log" || fail=1
  tail -n 20 "$tmp/log"
  n=$(sed -n 's/.*: \([0-9]*\) runs .*/\1/p' "$tmp/log" | tail -n1)
  total=$((total + ${n:-0}))
done < <("$mutate" --list)
echo "$total mutated runs in all"
exit $fail
