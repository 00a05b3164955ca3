#!/usr/bin/env bash
# Run one libFuzzer target (fuzz/targets.def) for SECONDS, niced:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh --list
#   scripts/fuzz.sh --build            only (re)build the fuzzers
# Builds the fuzzers with clang, ASan and UBSan into build-fuzz (GORT_FUZZ_BUILD)
# on first use. The corpus grows in build-fuzz/corpus/TARGET across runs; the
# seeds (fuzz/corpus.sh) are in build-fuzz/seeds/KIND. A crash, leak or
# timeout leaves its input in build-fuzz/artifacts/ and fails: reproduce it
# with `build-fuzz/fuzz/fuzz_TARGET FILE`, or without libFuzzer through
# `build/tests/gort-mutate TARGET --replay FILE`. docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=${GORT_FUZZ_BUILD:-$src/build-fuzz}
targets=$(sed -n 's/^GORT_FUZZ_TARGET(\([a-z0-9_]*\), *\([a-z0-9_]*\)).*/\1 \2/p' fuzz/targets.def)

if [ "${1:-}" = --list ]; then echo "$targets" | cut -d' ' -f1; exit 0; fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGORT_WERROR=ON -DGORT_BUILD_FUZZERS=ON -DGORT_SANITIZE=address,undefined \
    -DGORT_BUILD_TESTS=OFF -DGORT_BUILD_EXAMPLES=OFF -DGORT_BUILD_PYTHON=OFF \
    -DGORT_BUILD_LUA=OFF >/dev/null
fi
nice cmake --build "$build" -j2 --target gort_fuzzers >/dev/null
[ "${1:-}" = --build ] && exit 0

target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [flags...]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [flags...]}
shift 2
kind=$(echo "$targets" | awk -v t="$target" '$1 == t {print $2}')
[ -n "$kind" ] || { echo "unknown target '$target'; targets: $(echo "$targets" | cut -d' ' -f1 | tr '\n' ' ')" >&2; exit 2; }

seeds=$build/seeds/$kind corpus=$build/corpus/$target
[ -d "$seeds" ] || fuzz/corpus.sh "$kind" "$seeds"
mkdir -p "$corpus" "$build/artifacts"
# -len_control=0 and -max_len: the seeds are whole files (up to ~2 MB,
# more than libFuzzer's default cap of 1 MB), mutate them at full length
# from the start. -timeout: an input taking longer is a hang (a finding).
maxlen=$(find "$seeds" -type f -printf '%s\n' | sort -n | tail -n1)
nice -n 15 "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=20 \
  -rss_limit_mb=2560 -len_control=0 -max_len=$(( ${maxlen:-0} > 4096 ? maxlen : 4096 )) \
  -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/$target-" "$@" "$corpus" "$seeds"
