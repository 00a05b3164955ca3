#!/usr/bin/env bash
# The cores benchmark of BENCHMARKS.md: every goroutine of a core with its
# full stack, gort-goroutines against `dlv core` (Debian's delve), in one run.
#   bench/goroutines.sh BUILD_DIR [N] [WORKDIR]
# N goroutines (default 100000) parked by bench/manyg at depths 1-20, built
# with Go 1.19 (the newest release Debian 12's delve 1.20 knows), crashed
# with GOTRACEBACK=crash into WORKDIR/core (default
# ~/.cache/goinspect/bench-manyg-N; reused when present; the dump the
# runtime prints on the way is discarded). Each reader lists
# every goroutine with its whole stack (dlv: `goroutines -t 1000`); wall
# and CPU time and peak RSS come from GNU time. Needs /usr/bin/time, dlv
# (apt-get install delve) and /usr/lib/go-1.19.
set -euo pipefail
build=$(cd "$1" && pwd) n=${2:-100000}
work=${3:-$HOME/.cache/goinspect/bench-manyg-$n}
src=$(cd "$(dirname "$0")" && pwd)
go=/usr/lib/go-1.19/bin/go
for x in /usr/bin/time dlv "$go"; do
  command -v "$x" >/dev/null || { echo "bench/goroutines.sh: needs $x"; exit 1; }
done
mkdir -p "$work"
if [ ! -s "$work/core" ]; then
  (cd "$src/manyg" && env GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off \
    GOCACHE="${GORT_GOCACHE:-$HOME/.cache/goinspect/go-build}" "$go" build -o "$work/manyg" .)
  (cd "$work" && ulimit -c unlimited && rm -f core core.* &&
    env -i PATH=/usr/bin:/bin GOTRACEBACK=crash ./manyg "$n" >/dev/null 2>&1) || true
  [ -s "$work/core" ] || { echo "no core written in $work (kernel.core_pattern: $(cat /proc/sys/kernel/core_pattern))"; exit 1; }
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== core: $work/core ($(stat -c %s "$work/core") bytes), $n goroutines parked, $(dlv version | sed -n 's/^Version: //p' | sed 's/^/delve /')"
run() { # NAME OUT CMD...: time and peak RSS of CMD
  local name=$1 out=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/$name.time" "$@" >"$out" 2>&1 </dev/null || true
  read -r wall user sys rss <"$tmp/$name.time"
  printf '%-16s wall %7.2f s  cpu %7.2f s  peak RSS %8.1f MiB\n' "$name" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
  echo "$wall $(echo "$user + $sys" | bc) $rss" >"$tmp/$name.sum"
}
run gort-goroutines "$tmp/g.txt" "$build/examples/gort-goroutines" "$work/core" "$work/manyg"
printf 'goroutines -t 1000\nexit\n' >"$tmp/cmds"
run "dlv core" "$tmp/d.txt" dlv core "$work/manyg" "$work/core" --check-go-version=false \
  --allow-non-terminal-interactive=true --init "$tmp/cmds"
gn=$(grep -c '^goroutine ' "$tmp/g.txt" || true)
dn=$(grep -c '^[* ] Goroutine ' "$tmp/d.txt" || true)
gf=$(grep -c '^	' "$tmp/g.txt" || true)
df=$(grep -cE '^[[:space:]]+[0-9]+  0x' "$tmp/d.txt" || true)
echo "goroutines listed: gort-goroutines $gn, dlv $dn; frames: gort-goroutines $((gf / 1)) lines (file:line, creator included), dlv $df"
read -r gw gc grss <"$tmp/gort-goroutines.sum"
read -r dw dc drss <"$tmp/dlv core.sum"
echo "ratio (dlv / gort-goroutines): wall $(echo "scale=1; $dw / $gw" | bc)x, cpu $(echo "scale=1; $dc / $gc" | bc)x, peak RSS $(echo "scale=1; $drss / $grss" | bc)x"
