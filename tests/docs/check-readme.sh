#!/usr/bin/env bash
# The README's first command, after its install and build steps: the tool
# it runs on the bundled sample must work from this build and print what
# the README says it prints (every goroutine, as the runtime's traceback).
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
cd "$src"
cmd=$(sed -n '/^## Run it/,/^## /p' README.md | sed -n 's/^ *&& build\//build\//p' | head -n1)
[ -n "$cmd" ] || { echo "no '&& build/...' step in README.md's Run it block"; exit 1; }
echo "README: $cmd"
out=$(eval "${cmd//build\//$build/}")
n=$(grep -c '^goroutine [0-9]* \[' <<<"$out" || true)
want=$(grep -c '^goroutine [0-9]* ' samples/crash-go1.27-amd64.txt)
echo "$n goroutines printed, the runtime's dump has $want"
[ "$n" -gt 0 ] && [ "$n" = "$want" ]
