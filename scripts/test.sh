#!/usr/bin/env bash
# The one test command (README): installs what it needs on Debian 12, builds
# the Go fixtures with every Go toolchain, builds the library with -Werror,
# runs every test with ctest, then again under AddressSanitizer and
# UndefinedBehaviorSanitizer.
#   scripts/test.sh             everything
#   GORT_SKIP_INSTALL=1 ...     do not touch apt (machine already set up)
#   GORT_SKIP_ASAN=1 ...        skip the sanitizer pass
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

fixtures=${GORT_FIXTURES_DIR:-$src/build/fixtures}
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
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
step "all tests passed"
