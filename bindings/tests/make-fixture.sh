#!/usr/bin/env bash
# make-fixture.sh OUTDIR: build the Go program the bindings tests need and no
# toolchain binary offers: one with a dependency and a replacement
# (OUTDIR/prog), and a copy without build info (OUTDIR/noinfo, whose version
# only runtime.buildVersion tells). Needs no network: the dependency is a
# local module. Without a Go toolchain it does nothing and the tests skip
# those checks. Run once per build tree (ctest fixture bindings.fixture).
set -euo pipefail
out=$1
[ -x "$out/prog" ] && [ -f "$out/noinfo" ] && { echo "fixture up to date: $out"; exit 0; }
go=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1)/bin/go
[ -x "$go" ] || go=$(command -v go || true)
[ -n "$go" ] && [ -x "$go" ] || { echo "no Go toolchain: no fixture"; exit 0; }

src=$out/src
rm -rf "$src" && mkdir -p "$src/dep"
cat >"$src/go.mod" <<'MOD'
module example.com/gibind

go 1.21

require example.com/gidep v1.2.3

replace example.com/gidep v1.2.3 => ./dep
MOD
cat >"$src/dep/go.mod" <<'MOD'
module example.com/gidep

go 1.21
MOD
cat >"$src/dep/dep.go" <<'GO'
package gidep

func Answer() int { return 42 }
GO
cat >"$src/main.go" <<'GO'
package main

import (
	"os"

	"example.com/gidep"
)

func main() { os.Exit(gidep.Answer() - 42) }
GO
# The user's build cache when there is one (fast), else a private one.
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on
if ! (cd "$src" && "$go" build -buildvcs=false -ldflags='-X "main.unused=a b"' -o "$out/prog.tmp" . 2>"$out/build.log"); then
  (cd "$src" && GOCACHE="$out/gocache" "$go" build -buildvcs=false -ldflags='-X "main.unused=a b"' -o "$out/prog.tmp" .)
fi
objcopy --remove-section .go.buildinfo "$out/prog.tmp" "$out/noinfo"
mv "$out/prog.tmp" "$out/prog"
echo "built $out/prog with $("$go" version)"
