#!/usr/bin/env bash
# Configures and builds everything into build/ (Ninja, all cores). Incremental after the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type="${CDKV_BUILD_TYPE:-RelWithDebInfo}"
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
cmake --build build -j "$(nproc)" "$@"
