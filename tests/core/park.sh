# Shared by the checks that make a core of a parked Go program and compare
# gort-goroutines with the runtime's own dump of the same moment; sourced
# with tool=gort-goroutines and norm=tests/core/normalize.awk set.
#
# park_core DIR RUNNER CMD...: runs CMD in DIR (a runner other than
# "native", e.g. qemu-aarch64, goes in front of it) under GOTRACEBACK=crash,
# lets it park, sends SIGABRT: the runtime prints every goroutine to
# DIR/dump.txt and the kernel (or qemu) writes the core. Sets $core (empty
# if none came). Returns 2 if the program does not run here (it exited
# before the signal: no 32-bit support...). A signal that comes before the
# runtime has its handlers kills without a dump: on a slow machine (or
# under qemu), it waits longer and tries again.
park_core() {
  local d=$1 run=$2 settle pid f
  shift 2
  local cmd=("$@")
  [ "$run" = native ] || { cmd=("$run" "${cmd[@]}"); mkdir -p "$d/core"; }
  core=""
  for settle in 1 3 8; do
    rm -f "$d"/qemu_*.core; [ -d "$d/core" ] || rm -f "$d/core"
    (cd "$d" && ulimit -c unlimited && exec env -i PATH=/usr/bin:/bin GOTRACEBACK=crash \
      "${cmd[@]}" >"$d/stdout" 2>"$d/dump.txt") &
    pid=$!
    sleep $settle
    if ! kill -0 "$pid" 2>/dev/null; then
      { wait "$pid"; } 2>/dev/null || true
      return 2
    fi
    kill -ABRT "$pid"
    { wait "$pid"; } 2>/dev/null || true
    for f in "$d"/core "$d"/qemu_*.core; do [ -f "$f" ] && core=$f && break; done
    [ -n "$core" ] && grep -q '^goroutine ' "$d/dump.txt" && return 0
    core=""
  done
  return 0
}

# compare_core NAME DIR EXE [SED]: gort-goroutines on $core and EXE against
# DIR/dump.txt, both normalized (signal=1: the Ms' g0 blocks the signal
# dump adds and repeated blocks dropped; SED applied to both). Prints one
# line, and the difference on a mismatch; returns 1 then.
compare_core() {
  local name=$1 d=$2 exe=$3 sed=${4:-} rc=0 n
  "$tool" "$core" "$exe" >"$d/out" 2>"$d/err" || rc=$?
  awk -v labels=0 -v signal=1 -f "$norm" "$d/dump.txt" | sed "$sed" | sort -s -k1,1 >"$d/ref"
  awk -v labels=0 -v signal=1 -f "$norm" "$d/out" | sed "$sed" | sort -s -k1,1 >"$d/got"
  n=$(grep -c '^[0-9]* goroutine ' "$d/ref" || true)
  if [ $rc -eq 0 ] && [ "$n" -gt 0 ] && cmp -s "$d/ref" "$d/got"; then
    echo "match: $name: $n goroutines"
    return 0
  fi
  echo "FAIL: $name (exit $rc)"; head -n 3 "$d/err"
  diff "$d/ref" "$d/got" | head -n 30 || true
  return 1
}
