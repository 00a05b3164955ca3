#!/usr/bin/env bash
# The one test command (README): installs what it needs on Debian 12, builds
# the Go fixtures with every Go toolchain, builds the library with -Werror,
# runs every test with ctest, then the library's own tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer included),
# the many-thread test under ThreadSanitizer, and a short libFuzzer run of
# every fuzz target (docs/FUZZING.md).
#   scripts/test.sh             everything
#   GORT_SKIP_INSTALL=1 ...     do not touch apt (machine already set up)
#   GORT_SKIP_ASAN=1 ...        skip the sanitizer passes (ASan, TSan)
#   GORT_SKIP_FUZZ=1 ...        skip the fuzz smoke
# Go builds (fixtures, test programs, reference tools) share one cache that
# outlives the build directory, ~/.cache/goinspect by default
# (GORT_CACHE_DIR): a second run on the same machine builds nothing again.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
jobs=$(nproc)
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" $(( $(date +%s) - start )); }

if [ "${GORT_SKIP_INSTALL:-0}" != 1 ]; then
  step "installing dependencies and Go toolchains"
  scripts/install-deps.sh
fi

# HOME may be unset in a bare CI environment; Go's tools need one.
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/goinspect}
export GORT_GOCACHE=${GORT_GOCACHE:-$cache/go-build}
export GORT_FIXTURE_CACHE=${GORT_FIXTURE_CACHE:-$GORT_GOCACHE}
fixtures=${GORT_FIXTURES_DIR:-$cache/fixtures}
step "building Go fixtures into $fixtures"
tests/fixtures/build.sh "$fixtures"

step "build (-Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGORT_WERROR=ON \
  -DGORT_FIXTURES_DIR="$fixtures" >/dev/null
cmake --build build -j"$jobs"

step "tests"
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${GORT_SKIP_ASAN:-0}" != 1 ]; then
  step "build and tests under ASan+UBSan"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGORT_WERROR=ON \
    -DGORT_SANITIZE=address,undefined -DGORT_FIXTURES_DIR="$fixtures" >/dev/null
  cmake --build build-asan -j"$jobs"
  # The library's own tests and the tools on real and corrupted inputs
  # (cores of real programs included); the differential checks that build
  # Go programs and run Go's tools have already passed above and would only
  # test Go's tools twice.
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" \
    -R '^(unit|abi|buildinfo|robustness|bindings|bench)\.|^pclntab\.check-toolchains$|^corpus\.check-cores$'

  # Only what the thread test needs, under ThreadSanitizer.
  step "many threads on one binary under TSan"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGORT_WERROR=ON \
    -DGORT_SANITIZE=thread -DGORT_BUILD_EXAMPLES=OFF -DGORT_BUILD_PYTHON=OFF \
    -DGORT_BUILD_LUA=OFF -DGORT_FIXTURES_DIR="$fixtures" >/dev/null
  cmake --build build-tsan -j"$jobs" --target gort-threads
  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure \
    -R '^robustness\.check-threads$'
fi

if [ "${GORT_SKIP_FUZZ:-0}" != 1 ]; then
  # Deterministic: the seeds, the inputs that once broke the library, and a
  # fixed number of mutations with a fixed seed per target (fuzz/targets.def);
  # a long run is scripts/fuzz.sh TARGET SECONDS (docs/FUZZING.md).
  step "fuzz smoke (libFuzzer, ASan+UBSan, -seed=1)"
  scripts/fuzz.sh --build
  for t in $(scripts/fuzz.sh --list); do
    log=build-fuzz/smoke-$t.log
    if ! scripts/fuzz.sh --smoke "$t" >"$log" 2>&1; then
      tail -n 40 "$log"; echo "fuzz target $t failed: input in build-fuzz/artifacts/"; exit 1
    fi
    echo "$t: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") inputs in $(sed -n 's/^Done .* in \([0-9]*\) second.*/\1/p' "$log")s"
  done
fi
step "all tests passed"
