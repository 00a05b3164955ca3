#!/usr/bin/env bash
# The targets the fixtures do not build (tests/fixtures/build.sh makes
# linux amd64, arm64 and 386, windows and darwin): big-endian MIPS and
# ppc64, little-endian MIPS and loong64, and the ELF flavours of the BSDs
# and illumos. A small program cross-built by Go 1.21 and the newest Go
# for each; gort-version -m byte-identical to `go version -m`, gort-funcs
# and gort-addr2line to debug/gosym and `go tool addr2line` (lib.sh), each
# also without its section headers.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
setup
mkdir -p "$tmp/p"
printf 'module example.com/cross\n\ngo 1.21\n' >"$tmp/p/go.mod"
cat >"$tmp/p/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() { fmt.Println(strings.Repeat("x", len(os.Args))) }
GO
targets="linux/mips linux/mipsle linux/mips64 linux/ppc64 linux/loong64 freebsd/386
         netbsd/arm openbsd/arm64 illumos/amd64"
for gr in /usr/lib/go-1.21 "$goroot"; do
  [ -x "$gr/bin/go" ] || continue
  for t in $targets; do
    out=$tmp/$(basename "$gr")-${t/\//-}
    if ! (cd "$tmp/p" && go_env GOOS=${t%/*} GOARCH=${t#*/} "$gr/bin/go" build -o "$out" .); then
      echo "FAIL: cannot build for $t with $gr"; fail=1; continue
    fi
    "$gr/bin/go" version -m "$out" >"$tmp/ref.v" 2>&1 || true
    "$build/examples/gort-version" -m "$out" >"$tmp/got.v" 2>&1 || true
    cmp -s "$tmp/ref.v" "$tmp/got.v" || { echo "MISMATCH gort-version -m $t ($gr)"; diff "$tmp/ref.v" "$tmp/got.v" | head -4; fail=1; }
    check_binary "$out" "$gr" noshdr
  done
done
finish
