#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (fuzz/) and runs each for a bounded time.
# Usage: deploy/fuzz.sh [seconds per target, default 20]. Fails on the first crash, leak or
# sanitizer report; the crashing input is left in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=clang++-14 cmake -G Ninja -S fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)" >/dev/null
for target in qr_payload mrz dates image_header; do
  mkdir -p "build-fuzz/corpus/$target"
  # Real photo headers give the image parser somewhere to start.
  if [ "$target" = image_header ] && [ -z "$(ls -A build-fuzz/corpus/image_header)" ]; then
    for f in tests/ocr/data/synth/0000.jpg tests/ocr/data/synth/0001.jpg; do
      head -c 4096 "$f" >"build-fuzz/corpus/image_header/$(basename "$f")"
    done
  fi
  echo "fuzz: $target for ${seconds}s"
  (cd build-fuzz && "./fuzz_$target" -max_total_time="$seconds" -max_len=4096 \
     -print_final_stats=0 "corpus/$target" 2>fuzz_$target.log) \
    || { tail -40 "build-fuzz/fuzz_$target.log"; echo "fuzz: $target FAILED"; exit 1; }
  grep -E "^#[0-9]+.*DONE" "build-fuzz/fuzz_$target.log" | tail -1 || true
done
echo "fuzz: all targets ran ${seconds}s each without a crash"
