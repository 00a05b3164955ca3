#!/usr/bin/env bash
# make-fixture.sh OUTDIR: build the Go program the bindings tests need and no
# toolchain binary offers: one with a dependency and a replacement
# (OUTDIR/prog), a copy without build info (OUTDIR/noinfo, whose version
# only runtime.buildVersion tells), and an execution trace with tasks,
# regions, logs and goroutines blocking (OUTDIR/trace.out, written by
# OUTDIR/tracer). Needs no network: the dependency is a
# local module. Without a Go toolchain it does nothing and the tests skip
# those checks. Run once per build tree (ctest fixture bindings.fixture).
set -euo pipefail
out=$1
[ -x "$out/prog" ] && [ -f "$out/noinfo" ] && [ -f "$out/trace.out" ] && { echo "fixture up to date: $out"; exit 0; }
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
mkdir -p "$src/tracer"
cat >"$src/tracer/main.go" <<'GO'
package main

import (
	"context"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "work")
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			trace.WithRegion(ctx, "step", func() {
				trace.Log(ctx, "i", "value")
				ch <- i
			})
		}(i)
	}
	for i := 0; i < 4; i++ {
		<-ch
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	task.End()
	trace.Stop()
	f.Close()
}
GO
# The user's build cache when there is one (fast), else a private one.
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on
if ! (cd "$src" && "$go" build -buildvcs=false -ldflags='-X "main.unused=a b"' -o "$out/prog.tmp" . 2>"$out/build.log"); then
  (cd "$src" && GOCACHE="$out/gocache" "$go" build -buildvcs=false -ldflags='-X "main.unused=a b"' -o "$out/prog.tmp" .)
fi
objcopy --remove-section .go.buildinfo "$out/prog.tmp" "$out/noinfo"
mv "$out/prog.tmp" "$out/prog"
# The trace: Go 1.22 and later write the format the library reads.
if (cd "$src" && { "$go" build -buildvcs=false -o "$out/tracer" ./tracer 2>>"$out/build.log" ||
    GOCACHE="$out/gocache" "$go" build -buildvcs=false -o "$out/tracer" ./tracer; }); then
  "$out/tracer" "$out/trace.tmp" && mv "$out/trace.tmp" "$out/trace.out"
fi
echo "built $out/prog with $("$go" version)"
