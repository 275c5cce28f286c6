#!/usr/bin/env bash
# Installs every Debian package the build, the service and the tests need, and the `buf` CLI
# (from the npm registry) for linting the API contract. Idempotent: when everything is already
# there it changes nothing and touches no network.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # API: gRPC and Protocol Buffers
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # storage and queue
  libsqlite3-dev libhiredis-dev redis-server redis-tools libsodium-dev
  # the server's allocator
  libjemalloc-dev
  # OCR: images, documents, QR codes, text
  libopencv-dev libopencv-contrib-dev libjpeg-dev libpng-dev libwebp-dev
  libtesseract-dev tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng libzxing-dev
  fonts-dejavu-core fonts-ocr-b
  # utility libraries
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev libcpp-httplib-dev
  # tests, and libFuzzer (clang) for the parsers
  catch2 curl clang-14 libclang-rt-14-dev
  # buf (lint of the contract, an independent gRPC client in the tests) comes through npm
  npm
)

missing=()
for p in "${packages[@]}"; do
  # npm is only needed when this machine has no npm of its own (some images ship Node.js).
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# buf, pinned, into .tools/ (ignored by git).
buf_version=1.75.0
if ! .tools/node_modules/.bin/buf --version 2>/dev/null | grep -qx "$buf_version"; then
  echo "install-deps: installing buf $buf_version into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "@bufbuild/buf@$buf_version" >/dev/null
fi
