#!/usr/bin/env bash
# Run one libFuzzer target (fuzz/targets.def) for SECONDS, niced:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]   the long run
#   scripts/fuzz.sh --smoke TARGET     the test command's deterministic smoke:
#       the seeds and the regression inputs (tests/robustness/inputs/TARGET),
#       then the target's SMOKE mutated inputs (fuzz/targets.def) with
#       -seed=1, into a fresh corpus: the same inputs on every run
#   scripts/fuzz.sh --list
#   scripts/fuzz.sh --build            only (re)build the fuzzers
# A campaign, one target after the other (the numbers in docs/RELIABILITY.md):
#   for t in $(scripts/fuzz.sh --list); do scripts/fuzz.sh $t 900; done
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
# NAME SEEDS SMOKE_RUNS, one target a line.
targets=$(sed -n 's/^GORT_FUZZ_TARGET(\([a-z0-9_]*\), *\([a-z0-9_]*\), *\([0-9]*\)).*/\1 \2 \3/p' fuzz/targets.def)

if [ "${1:-}" = --list ]; then echo "$targets" | cut -d' ' -f1; exit 0; fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGORT_WERROR=ON -DGORT_BUILD_FUZZERS=ON -DGORT_SANITIZE=address,undefined \
    -DGORT_BUILD_TESTS=OFF -DGORT_BUILD_EXAMPLES=OFF -DGORT_BUILD_PYTHON=OFF \
    -DGORT_BUILD_LUA=OFF >/dev/null
fi
nice cmake --build "$build" -j2 --target gort_fuzzers >/dev/null
[ "${1:-}" = --build ] && exit 0

smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; set -- "$1" 0; fi
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [flags...]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [flags...]}
shift 2
kind=$(echo "$targets" | awk -v t="$target" '$1 == t {print $2}')
runs=$(echo "$targets" | awk -v t="$target" '$1 == t {print $3}')
[ -n "$kind" ] || { echo "unknown target '$target'; targets: $(echo "$targets" | cut -d' ' -f1 | tr '\n' ' ')" >&2; exit 2; }

seeds=$build/seeds/$kind corpus=$build/corpus/$target
[ -d "$seeds" ] || fuzz/corpus.sh "$kind" "$seeds"
mkdir -p "$corpus" "$build/artifacts"
# -len_control=0 and -max_len: the seeds are whole files (up to ~2 MB,
# more than libFuzzer's default cap of 1 MB), mutate them at full length
# from the start. -timeout: an input taking longer is a hang (a finding).
maxlen=$(find "$seeds" -type f -printf '%s\n' | sort -n | tail -n1)
regress=$src/tests/robustness/inputs/$target
inputs=("$seeds")
[ -d "$regress" ] && inputs+=("$regress")
if [ $smoke = 1 ]; then
  # libFuzzer counts the inputs it reads in -runs: add them.
  corpus=$(mktemp -d); trap 'rm -rf "$corpus"' EXIT
  n=$(find "${inputs[@]}" -type f | wc -l)
  set -- -seed=1 -runs=$((n + runs)) "$@"
else
  set -- -max_total_time="$seconds" "$@"
fi
nice -n 19 "$build/fuzz/fuzz_$target" -timeout=20 \
  -rss_limit_mb=2560 -len_control=0 -max_len=$(( ${maxlen:-0} > 4096 ? maxlen : 4096 )) \
  -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/$target-" "$@" "$corpus" "${inputs[@]}"
