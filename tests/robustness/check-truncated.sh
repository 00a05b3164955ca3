#!/usr/bin/env bash
# Real Go binaries cut short at many offsets and with bytes flipped, through
# the installed tools: every run must end in output or a one-line error,
# never a crash (signal), a hang, or (in sanitizer builds) a memory error.
set -euo pipefail
build=$(cd "$1" && pwd)
tool=$build/examples/gort-version
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
samples=$(ls /usr/lib/go-1.15/bin/gofmt /usr/lib/go-1.2[0-9]/bin/gofmt 2>/dev/null | head -n 2)
[ -n "$samples" ] || { echo "no Go binaries installed: skipped"; exit 77; }
runs=0 fail=0

run() { # run FILE: fail on a signal, a timeout or an empty error
  local rc=0
  timeout 20 "$tool" -m "$1" >"$tmp/out" 2>"$tmp/err" || rc=$?
  runs=$((runs + 1))
  if [ $rc -ge 124 ]; then
    echo "exit $rc on $2"; head -5 "$tmp/err"; fail=1
  elif [ $rc != 0 ] && [ ! -s "$tmp/err" ]; then
    echo "silent failure on $2"; fail=1
  fi
}

for f in $samples; do
  size=$(stat -c %s "$f")
  # Cut points: a spread over the file plus the neighbourhood of the blob.
  blob=$(grep -obUaP '\xff Go buildinf:' "$f" | head -n1 | cut -d: -f1 || echo 0)
  for cut in 0 1 3 16 63 64 65 200 $(seq 4096 $((size / 23)) "$size") \
             $(seq $((blob > 64 ? blob - 64 : 0)) 13 $((blob + 400))); do
    [ "$cut" -le "$size" ] || continue
    head -c "$cut" "$f" >"$tmp/cut"; chmod +x "$tmp/cut"
    run "$tmp/cut" "$f cut at $cut"
  done
  # Flipped bytes in the ELF headers and in the build info blob.
  for i in $(seq 1 25); do
    cp "$f" "$tmp/flip"
    for off in $((RANDOM % 256)) $((blob + RANDOM % 512)) $((RANDOM * 32 % size)); do
      printf "\\x$(printf %02x $((RANDOM % 256)))" |
        dd of="$tmp/flip" bs=1 seek="$off" conv=notrunc status=none
    done
    run "$tmp/flip" "$f with flipped bytes (round $i)"
  done
done
echo "$runs runs over truncated and corrupted Go binaries"
exit $fail
