#!/usr/bin/env bash
# The shared library's ABI surface: SONAME libgoinspect.so.1, only gort_*
# symbols exported, every one versioned with a node of the version script,
# and exactly the functions the version script lists. Public headers compile
# as C11 and as C++.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
lib=$(ls "$build"/libgoinspect.so.1.* | head -n1)
fail=0

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libgoinspect.so.1 ] || { echo "SONAME is '$soname'"; fail=1; }

# Defined dynamic symbols with their version (objdump -T: ... VERSION NAME).
exports=$(objdump -T "$lib" | awk '$2 ~ /g/ && $4 != "*UND*" && $NF != "Base" {print $(NF-1), $NF}' | sort -u)
bad=$(echo "$exports" | awk '$2 !~ /^gort_/ && $2 !~ /^GORT_/')
[ -z "$bad" ] || { echo "exported but not gort_*:"; echo "$bad"; fail=1; }
unversioned=$(echo "$exports" | awk '$1 !~ /^GORT_[0-9]+\.[0-9]+$/ && $2 ~ /^gort_/')
[ -z "$unversioned" ] || { echo "not versioned GORT_x.y:"; echo "$unversioned"; fail=1; }

listed=$(grep -oE '^\s+gort_[a-z0-9_]+;' "$src/lib/libgoinspect.map" | tr -d ' \t;' | sort -u)
exported=$(echo "$exports" | awk '$2 ~ /^gort_/ {print $2}' | sort -u)
if [ "$listed" != "$exported" ]; then
  echo "version script and exports differ (< listed only, > exported only):"
  diff <(echo "$listed") <(echo "$exported") || true
  fail=1
fi

# Every public function declared in a header is exported, and vice versa.
declared=$(cat "$src"/include/gort/*.h | tr '\n' ' ' | grep -oE 'GORT_API[^;(]*\(' |
  grep -oE 'gort_[a-z0-9_]+\s*\($' | tr -d ' (' | sort -u)
if [ "$declared" != "$exported" ]; then
  echo "headers and exports differ (< declared only, > exported only):"
  diff <(echo "$declared") <(echo "$exported") || true
  fail=1
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for h in "$src"/include/gort/*.h; do
  name=$(basename "$h")
  printf '#include <gort/%s>\n#include <gort/%s>\n' "$name" "$name" > "$tmp/t.c"
  cc -std=c11 -pedantic -Wall -Wextra -Werror -I"$src/include" -fsyntax-only "$tmp/t.c" ||
    { echo "$name does not compile as C11"; fail=1; }
  cp "$tmp/t.c" "$tmp/t.cpp"
  c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$src/include" -fsyntax-only "$tmp/t.cpp" ||
    { echo "$name does not compile as C++"; fail=1; }
done

[ $fail = 0 ] && echo "ABI surface OK: $(echo "$exported" | wc -l) symbols, all gort_* and versioned"
exit $fail
