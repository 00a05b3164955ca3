#!/usr/bin/env bash
# The pclntab benchmark of BENCHMARKS.md, in one run:
#   1. gort-bench FILE       (libgoinspect: open, lookups, iteration, memory)
#   2. bench/gosym FILE      (the same measures with Go's debug/gosym)
#   3. gort-addr2line vs `go tool addr2line` on the same random addresses,
#      end to end (process start to exit), outputs compared byte for byte.
# Usage: bench/run.sh BUILD_DIR FILE [NPCS] [NADDR]
#   NPCS: PCs per lookup measure (default 1000000); NADDR: addresses for
#   the addr2line comparison (default 300000). Needs a Go toolchain in
#   /usr/lib/go-1.* (the newest is used) and GNU time (/usr/bin/time).
# Times are CPU times (user + system) where the machine may be loaded:
# other programs' work does not count, wall time is printed as well.
set -euo pipefail
build=$(cd "$1" && pwd) file=$2 npcs=${3:-1000000} naddr=${4:-300000}
src=$(cd "$(dirname "$0")/.." && pwd)
goroot=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1)
[ -x "$goroot/bin/go" ] || { echo "no Go toolchain in /usr/lib/go-1.*"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go_env() {
  env GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off \
    GOCACHE="${GORT_GOCACHE:-${GORT_CACHE_DIR:-$HOME/.cache/goinspect}/go-build}" "$@"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== input: $file ($(stat -L -c %s "$file") bytes), Go: $("$goroot/bin/go" version)"
echo "== libgoinspect (gort-bench)"
"$build/bench/gort-bench" -n "$npcs" "$file"

echo "== debug/gosym (bench/gosym, $("$goroot/bin/go" version | cut -d' ' -f3))"
(cd "$src/bench/gosym" && go_env "$goroot/bin/go" build -o "$tmp/gosym-bench" .)
"$tmp/gosym-bench" -n "$npcs" "$file"

echo "== addr2line, $naddr random addresses, end to end"
"$build/bench/gort-bench" -pcs "$naddr" "$file" >"$tmp/pcs"
# `go tool addr2line` goes through the go command (which may build the tool
# first, then caches it); the tool binary alone is timed as well.
a2l=$("$goroot/bin/go" tool -n addr2line)
run() { # NAME CMD...: CPU and wall seconds, peak RSS
  local name=$1; shift
  /usr/bin/time -f "%U %S %e %M" -o "$tmp/time" "$@" <"$tmp/pcs" >"$tmp/out.$name" 2>"$tmp/err.$name"
  read -r u s e m <"$tmp/time"
  printf '%-28s CPU %6.2f s  wall %6.2f s  peak RSS %6.1f MB\n' "$name" \
    "$(echo "$u + $s" | bc)" "$e" "$(echo "$m / 1000" | bc -l)"
  echo "$u + $s" | bc >"$tmp/cpu.$name"
}
run "go tool addr2line" "$goroot/bin/go" tool addr2line "$file"
run "addr2line (Go, tool alone)" "$a2l" "$file"
run "gort-addr2line" "$build/examples/gort-addr2line" "$file"
if cmp -s "$tmp/out.go tool addr2line" "$tmp/out.gort-addr2line"; then
  echo "outputs identical ($(wc -l <"$tmp/out.gort-addr2line") lines)"
else
  echo "OUTPUTS DIFFER"; diff "$tmp/out.go tool addr2line" "$tmp/out.gort-addr2line" | head -5
  exit 1
fi
printf 'CPU ratio: go tool addr2line / gort-addr2line = %.1fx (tool alone: %.1fx)\n' \
  "$(echo "$(cat "$tmp/cpu.go tool addr2line") / $(cat "$tmp/cpu.gort-addr2line")" | bc -l)" \
  "$(echo "$(cat "$tmp/cpu.addr2line (Go, tool alone)") / $(cat "$tmp/cpu.gort-addr2line")" | bc -l)"
