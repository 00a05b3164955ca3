#!/usr/bin/env bash
# The pclntab benchmark of BENCHMARKS.md, in one run:
#   1. gort-bench FILE       (libgoinspect: open, lookups, iteration, memory)
#   2. bench/gosym FILE      (the same measures with Go's debug/gosym)
#   3. gort-addr2line vs `go tool addr2line` on the same random addresses,
#      end to end (process start to exit), outputs compared byte for byte.
# Usage: bench/run.sh BUILD_DIR FILE [NPCS] [NADDR]
#   NPCS: PCs per lookup measure (default 1000000); NADDR: addresses for
#   the addr2line comparison (default 300000); GORT_BENCH_RUNS: runs of
#   each addr2line, the median is kept (default 5). Needs a Go toolchain
#   in /usr/lib/go-1.* (the newest is used) and GNU time (/usr/bin/time,
#   for the peak RSS).
# Times are CPU times (user + system) where the machine may be loaded:
# other programs' work does not count. Wall times are printed as well
# (both tools use every CPU: Go's garbage collector, our threads), and
# mean something only on an otherwise idle machine.
set -euo pipefail
build=$(cd "$1" && pwd) file=$2 npcs=${3:-1000000} naddr=${4:-300000}
runs=${GORT_BENCH_RUNS:-5} TIMEFORMAT='%3R %3U %3S' # bash's time: milliseconds
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

echo "== addr2line, $naddr random addresses, end to end, output to a file (median of $runs interleaved runs)"
"$build/bench/gort-bench" -pcs "$naddr" "$file" >"$tmp/pcs"
# `go tool addr2line` goes through the go command (which may build the tool
# first, then caches it); the tool binary alone is timed as well.
a2l=$("$goroot/bin/go" tool -n addr2line)
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
names=("go tool addr2line" "addr2line (Go, tool alone)" "gort-addr2line")
tool() { # T [PREFIX...]: run tool T of names on $file, under PREFIX if given
  local t=$1
  shift
  case $t in
  0) "$@" "$goroot/bin/go" tool addr2line "$file" ;;
  1) "$@" "$a2l" "$file" ;;
  2) "$@" "$build/examples/gort-addr2line" "$file" ;;
  esac
}
# Once each for the peak RSS (and to warm the go command's tool cache),
# then $runs rounds, the three tools in turn in each round, so that a
# change of the machine's speed during the runs (a shared VM's neighbours)
# weighs on all three alike.
for t in 0 1 2; do
  tool $t /usr/bin/time -f "%M" -o "$tmp/rss.$t" <"$tmp/pcs" >"$tmp/out.$t" 2>"$tmp/err.$t"
  : >"$tmp/times.$t"
done
for ((i = 0; i < runs; i++)); do
  for t in 0 1 2; do
    # A new file each run: truncating the previous run's 56 MB would be
    # timed too (the redirection is part of the timed command).
    rm -f "$tmp/out.$t"
    { time tool $t <"$tmp/pcs" >"$tmp/out.$t" 2>"$tmp/err.$t"; } 2>>"$tmp/times.$t"
  done
done
for t in 0 1 2; do
  while read -r e u s; do echo "$u + $s" | bc; done <"$tmp/times.$t" | median >"$tmp/cpu.$t"
  cut -d' ' -f1 "$tmp/times.$t" | median >"$tmp/wall.$t"
  printf '%-28s CPU %6.3f s  wall %6.3f s  peak RSS %6.1f MB\n' "${names[$t]}" \
    "$(cat "$tmp/cpu.$t")" "$(cat "$tmp/wall.$t")" "$(echo "$(cat "$tmp/rss.$t") / 1000" | bc -l)"
done
if cmp -s "$tmp/out.0" "$tmp/out.2"; then
  echo "outputs identical ($(wc -l <"$tmp/out.2") lines)"
else
  echo "OUTPUTS DIFFER"; diff "$tmp/out.0" "$tmp/out.2" | head -5
  exit 1
fi
ratio() { # MEASURE: go tool addr2line's and the tool alone's over ours
  printf '%s ratio: go tool addr2line / gort-addr2line = %.1fx (tool alone: %.1fx)\n' "$2" \
    "$(echo "$(cat "$tmp/$1.0") / $(cat "$tmp/$1.2")" | bc -l)" \
    "$(echo "$(cat "$tmp/$1.1") / $(cat "$tmp/$1.2")" | bc -l)"
}
ratio cpu CPU
ratio wall Wall
