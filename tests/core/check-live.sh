#!/usr/bin/env bash
# gort-goroutines PID on running processes against the Go runtime's own
# dump of the same process: each fixture program (amd64 and 386, every
# toolchain and link variant; tests/fixtures/build.sh) runs `prog crash 1h`
# (goroutines parked in known states, main asleep), is listed live once
# main sleeps in main.crash, then gets SIGQUIT, on which the runtime
# prints every goroutine (GOTRACEBACK=crash) and exits. Both listings are
# normalized by normalize.awk -v live=1: every goroutine must be listed,
# and every one that was neither running nor runnable must have the same
# header and frames, as in check-crash-dumps.sh. Only the first section of
# the dump is compared (the runtime then prints each other thread's g0).
# Skipped (77) when ptrace is not permitted here.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -path '*/default/prog' 2>/dev/null | head -n1)" ]; then
  echo "no fixture programs in GORT_FIXTURES_DIR='$fixtures' (run tests/fixtures/build.sh): skipped"
  exit 77
fi
tool=$build/examples/gort-goroutines
norm=$src/tests/core/normalize.awk
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ulimit -c 0 # GOTRACEBACK=crash aborts after the dump
pass=0 fail=0 cannot=0
# Whether goroutine 1 sleeps in main.crash: every fixture goroutine parked.
settled() {
  awk '/^goroutine 1 \[sleep/ { g = 1 } g && /^main\.crash\(/ { ok = 1 } /^$/ { g = 0 }
       END { exit !ok }' "$1"
}
while IFS= read -r prog; do
  dir=${prog%/prog}; name=${dir#"$fixtures"/}
  # 386 programs need the kernel's IA32 emulation.
  if ! "$prog" >/dev/null 2>&1; then
    cannot=$((cannot + 1))
    continue
  fi
  (cd "$tmp" && exec env -i PATH=/usr/bin:/bin GOTRACEBACK=crash GODEBUG=tracebacklabels=1 \
    "$prog" crash 1h 2>"$tmp/dump" >/dev/null) &
  pid=$!
  ok=0 rc=0
  for _ in $(seq 1 50); do
    sleep 0.2
    rc=0
    "$tool" "$pid" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if grep -q 'Operation not permitted' "$tmp/err"; then
      echo "ptrace is not permitted here ($(head -n1 "$tmp/err")): skipped"
      exit 77
    fi
    [ $rc = 0 ] && settled "$tmp/out" && { ok=1; break; }
  done
  kill -QUIT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
  labels=0
  grep -q '^goroutine .*\(labels:{.*}\]\|\] {.*}\):$' "$tmp/dump" && labels=1
  sed '/^-----/,$d' "$tmp/dump" | awk -v labels=$labels -v live=1 -f "$norm" | sort -s -k1,1 >"$tmp/ref"
  awk -v labels=$labels -v live=1 -f "$norm" "$tmp/out" | sort -s -k1,1 >"$tmp/got"
  if [ $ok = 1 ] && [ -s "$tmp/ref" ] && cmp -s "$tmp/ref" "$tmp/got"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name (exit $rc, settled $ok)"
    head -n 5 "$tmp/err"
    diff "$tmp/ref" "$tmp/got" | head -n 30 || true
  fi
done < <(find "$fixtures" -path '*/amd64/*/prog' -o -path '*/386/*/prog' | sort -V)
echo "live processes: $pass match their SIGQUIT dump, $fail differ, $cannot programs cannot run on this kernel"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
