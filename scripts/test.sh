#!/usr/bin/env bash
# The one test command (README): installs what it needs on Debian 12, builds
# the Go fixtures with every Go toolchain, builds the library with -Werror,
# runs every test with ctest, then the library's own tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer.
#   scripts/test.sh             everything
#   GORT_SKIP_INSTALL=1 ...     do not touch apt (machine already set up)
#   GORT_SKIP_ASAN=1 ...        skip the sanitizer pass
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
  # The library's own tests and the tools on real and corrupted inputs; the
  # differential checks that build Go programs and run Go's tools have
  # already passed above and would only test Go's tools twice.
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" \
    -R '^(unit|abi|buildinfo|robustness|bindings)\.|^pclntab\.check-toolchains$'

fi
step "all tests passed"
