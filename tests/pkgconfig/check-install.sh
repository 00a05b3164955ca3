#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then build a program outside the
# tree with nothing but pkg-config, and run it and an installed tool.
set -euo pipefail
if [ -n "${GORT_SANITIZE:-}" ]; then echo "sanitizer build: skipped (an outside program cannot link a sanitized library)"; exit 77; fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
prefix=$(mktemp -d); trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name goinspect.pc | head -n1)")/..
export PKG_CONFIG_PATH=$libdir/pkgconfig
# The .pc was written for the configured prefix; point it at the scratch one.
sed -i "s|^prefix=.*|prefix=$prefix|; s|^libdir=.*|libdir=$(cd "$libdir" && pwd)|; s|^includedir=.*|includedir=$prefix/include|" \
  "$libdir/pkgconfig/goinspect.pc"

test -f "$libdir/libgoinspect.a" || { echo "no static library installed"; exit 1; }
test -L "$libdir/libgoinspect.so.1" || { echo "no libgoinspect.so.1 installed"; exit 1; }
test -x "$prefix/bin/gort-version" || { echo "gort-version not installed"; exit 1; }

cd "$prefix"
cp "$src/tests/pkgconfig/app.c" .
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror app.c $(pkg-config --cflags --libs goinspect) -o app
sample=$(ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | tail -n1)
[ -n "$sample" ] || sample=$build/examples/gort-version
want=$(/usr/lib/go-1.27/bin/go version "$sample" 2>/dev/null | sed 's/^[^:]*: //') || true
out=$(LD_LIBRARY_PATH=$libdir ./app "$sample")
echo "$out"
[ -z "$want" ] || [[ "$out" == "$sample $want "* ]] || { echo "expected $want"; exit 1; }
# The installed tool finds its library through its RPATH, wherever the prefix is.
env -u LD_LIBRARY_PATH "$prefix/bin/gort-version" "$sample"

# Man pages for every installed tool, when help2man was found.
if grep -q '^GORT_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt"; then
  for t in "$prefix"/bin/gort-*; do
    test -s "$prefix/share/man/man1/$(basename "$t").1" || { echo "no man page for $(basename "$t")"; exit 1; }
  done
fi

# The guides' programs (docs/examples) build against the installed tree alone
# and run: what the docs show works as shown.
for ex in "$src"/docs/examples/*.c; do
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror "$ex" $(pkg-config --cflags --libs goinspect) \
    -o "$prefix/$(basename "$ex" .c)"
done
pc=$("$prefix/bin/gort-funcs" "$sample" | awk '/ main\.main$/ { print $1 }')
[ -n "$pc" ] || { echo "no main.main in $sample"; exit 1; }
LD_LIBRARY_PATH=$libdir "$prefix/symbolize" "$sample" "$pc" | grep -q $'\tmain\.main\t' ||
  { echo "docs/examples/symbolize.c does not find main.main at $pc"; exit 1; }
echo "guides' examples build and run"
