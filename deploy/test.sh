#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test under ctest.
# Tests that need Redis start their own redis-server on a free loopback port; integration tests
# start the real cdkv-server the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
# The parsers of what phones send are fuzzed for a bounded time (libFuzzer, clang).
deploy/fuzz.sh "${CDKV_FUZZ_SECONDS:-20}"
# Tesseract's OpenMP runtime reads this when the process starts; without it OCR is ~5x slower.
export OMP_THREAD_LIMIT=1
cd build
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
