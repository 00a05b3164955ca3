#!/usr/bin/env bash
# gort-goroutines on cores of real Go programs nobody here built (the
# corpus, tests/corpus/MANIFEST), against the runtime's own dump of the
# same moment: each Linux executable the table below knows how to park is
# started blocked (opening a FIFO given as its input file, so several
# goroutines wait in the runtime and one in a system call), then sent
# SIGABRT under GOTRACEBACK=crash: the runtime prints every goroutine and
# the kernel writes the core. Both are normalized by tests/core/
# normalize.awk (signal=1: the Ms' g0 and repeated blocks dropped) and must
# be equal: every goroutine listed, and every one not running with the same
# header and frames. amd64 and 386 run natively (386 when the kernel runs
# 32-bit programs), arm64 under qemu-user when it is installed (its guest
# core). This covers releases with no toolchain here (Go 1.16-1.18, 1.20:
# tables read from release binaries for 1.16, 1.17 and 1.20 amd64 and
# arm64, none for 1.18), stripped executables, Bazel-built ones with DWARF
# (buildifier: Go 1.16 and 1.20) and cores nobody here arranged.
# Skipped (77) when the corpus cannot be fetched or cores cannot be made.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/goinspect}
corpus=${GORT_CORPUS_DIR:-$cache/corpus}
tool=$build/examples/gort-goroutines
norm=$src/tests/core/normalize.awk
. "$src/tests/core/park.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ "$(cat /proc/sys/kernel/core_pattern)" != core ]; then
  echo "core_pattern is not 'core' (cores are not written to the working directory): skipped"
  exit 77
fi
rc=0; bash "$src/tests/corpus/fetch.sh" "$corpus" >/dev/null || rc=$?
[ "$rc" = 77 ] && { echo "no corpus binary could be fetched (npm registry): skipped"; exit 77; }

# How to park a program: the name of the FIFO it will open in its working
# directory (a git repository), then its arguments.
park_args() {
  case $1 in
    esbuild-*) echo in.js in.js ;;
    turbo-*) echo package.json run build ;;        # reads ./package.json
    lefthook-*) echo lefthook.yml run pre-commit ;; # reads ./lefthook.yml
    buildifier-*) echo BUILD.bazel BUILD.bazel ;;
    *) return 1 ;;
  esac
}

# The runner for a GOARCH, or nothing if it cannot run here.
runner() {
  case $1 in
    amd64) echo native ;;
    386) echo native ;;
    arm64) command -v qemu-aarch64 >/dev/null && echo qemu-aarch64 || true ;;
  esac
}

pass=0 fail=0 skipped=0
while IFS=$'\t' read -r name spec member sha go target format expect variants note; do
  case $name in ''|'#'*) continue ;; esac
  [ "$format" = elf ] && [ "$expect" != unsupported ] && [ "${target%%/*}" = linux ] || continue
  args=$(park_args "$name") || continue
  run=$(runner "${target#linux/}")
  exe=$corpus/$name
  if [ -z "$run" ] || [ ! -f "$exe" ]; then skipped=$((skipped + 1)); continue; fi
  d=$tmp/$name; mkdir -p "$d"; git -C "$d" init -q
  read -r fifo rest <<<"$args"; mkfifo "$d/$fifo"
  ran=0; park_core "$d" "$run" "$exe" $rest || ran=$?
  if [ $ran = 2 ]; then
    echo "skipped $name: it does not run here ($(head -c 200 "$d/dump.txt" | head -n 1))"
    skipped=$((skipped + 1)); continue
  fi
  if [ -z "$core" ]; then
    echo "FAIL: $name ($go $target): no core or no dump"; fail=$((fail + 1)); continue
  fi
  # turbo receives every signal (os/signal): the SIGABRT itself wakes its
  # watcher between the dump and the core, so that one goroutine is
  # "chan receive" in the dump and "runnable" in the core.
  sig='s/^\([0-9]* goroutine [0-9]* \)\[\(chan receive\|runnable\)\]:$/\1[chan receive or runnable]:/'
  case $name in turbo-*) ;; *) sig= ;; esac
  if compare_core "$name ($go $target, $run)" "$d" "$exe" "$sig"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
  fi
  rm -f "$core"
done <"$src/tests/corpus/MANIFEST"
echo "corpus cores: $pass match, $fail differ, $skipped not run here"
[ $fail -eq 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
