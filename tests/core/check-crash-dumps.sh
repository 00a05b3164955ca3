#!/usr/bin/env bash
# gort-goroutines against the Go runtime's own GOTRACEBACK=crash dump of
# the same moment (tests/fixtures/build.sh: OUT/go1.NN/ARCH/VARIANT/
# {core.zst,prog,crash.txt}). Both sides are normalized by normalize.awk
# (no argument values, no fp/sp/pc or gp/m addresses); every goroutine the
# runtime listed must be listed, and every one that was not running must
# have the same header (status, wait reason, locked, labels where that
# runtime prints them) and the same frames (function, file:line, +offset)
# and creator. Goroutine 1, the one that panicked, is running on a thread
# stopped in the crash's signal handler: its frames must end with the ones
# the runtime printed.
# Headers are compared whole, ", N minutes" included: the cores of
# longwait/ (OUT/go1.NN/amd64/longwait/MODE/, goroutines blocked for more
# than a minute) need the core's clock, which gort_core_clock estimates
# from the runtime's own timestamps; a missing or wrong estimate differs.
# The bundled sample core (samples/crash-go1.27-amd64.*) is checked too, so
# the test runs without fixtures.
# GORT_CORE_EXPECT_FAIL: space-separated go1.NN/ARCH/VARIANT fixtures known
# not to work yet (they are still run; one that passes is reported).
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
tool=$build/examples/gort-goroutines
norm=$src/tests/core/normalize.awk
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Known limit of the estimate (docs/cores.md, "The clock of a core"): a
# process that sat with every P idle and sysmon asleep, woken by a system
# call returning while an M blocks in netpoll, keeps no timestamp of that
# moment: its minutes come out lower than the runtime's (unless sysmon,
# woken too, happened to write one before the core: some runs pass).
known_lag="go1.15/amd64/longwait/syscall go1.27/amd64/longwait/syscall"
expect_fail="${GORT_CORE_EXPECT_FAIL-} $known_lag"
pass=0 fail=0 xfail=0

check() { # NAME CORE EXE DUMP
  local name=$1 core=$2 exe=$3 dump=$4 labels=0 rc=0 ok=1 known=0
  grep -q '^goroutine .*\(labels:{.*}\]\|\] {.*}\):$' "$dump" && labels=1
  "$tool" "$core" "$exe" >"$tmp/out" 2>"$tmp/err" || rc=$?
  awk -v labels=$labels -f "$norm" "$dump" | sort -s -k1,1 >"$tmp/ref"
  awk -v labels=$labels -f "$norm" "$tmp/out" | sort -s -k1,1 >"$tmp/got"
  [ $rc -eq 0 ] || ok=0
  cmp -s "$tmp/ref" "$tmp/got" || ok=0
  # The panicking goroutine runs on a thread stopped in the signal handler
  # of the crash: its stack, unwound through the signal frame, must end
  # with the frames the runtime printed (ours has the crash's own on top).
  awk -v labels=$labels -v all=1 -f "$norm" "$dump" | grep '^0000000001 [^g]' >"$tmp/ref1" || true
  awk -v labels=$labels -v all=1 -f "$norm" "$tmp/out" | grep '^0000000001 [^g]' >"$tmp/got1" || true
  if ! [ -s "$tmp/ref1" ] || [ "$(wc -l <"$tmp/ref1")" -gt "$(wc -l <"$tmp/got1")" ] ||
     ! tail -n "$(wc -l <"$tmp/ref1")" "$tmp/got1" | cmp -s - "$tmp/ref1"; then
    ok=0
    echo "$name: goroutine 1 (running, in the crash's signal handler):"
    diff "$tmp/ref1" "$tmp/got1" | head -n 20 || true
  fi
  case " $expect_fail " in *" $name "*) known=1 ;; esac
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
    if [ $known = 1 ]; then echo "PASS (listed as expected to fail): $name"; fi
  elif [ $known = 1 ]; then
    xfail=$((xfail + 1))
    echo "expected failure: $name: $(head -c 300 "$tmp/err" | head -n 1)"
  else
    fail=$((fail + 1))
    echo "FAIL: $name (exit $rc)"
    head -n 5 "$tmp/err"
    diff "$tmp/ref" "$tmp/got" | head -n 30 || true
  fi
}

# The bundled sample (tests/fixtures/make-sample-core.sh): on every machine.
sample=$src/samples/crash-go1.27-amd64
check sample "$sample.core.zst" "$sample.zst" "$sample.txt"
if [ -n "$fixtures" ] && [ -n "$(find "$fixtures" -name core.zst -type f 2>/dev/null | head -n1)" ]; then
  while IFS= read -r core; do
    dir=${core%/core.zst} exe=${core%/core.zst}/prog
    [ -e "$exe" ] || exe=$dir/longwait
    check "${dir#"$fixtures"/}" "$core" "$exe" "$dir/crash.txt"
  done < <(find "$fixtures" -name core.zst -type f | sort -V)
else
  echo "no fixture cores in GORT_FIXTURES_DIR='$fixtures' (run tests/fixtures/build.sh): only the sample"
fi
echo "crash dumps: $pass match, $fail differ, $xfail expected failures"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
