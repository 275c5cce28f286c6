#!/usr/bin/env bash
# An independent gRPC client (buf curl, written by nobody here) lists the services through
# reflection and gets SERVING from the health service of the real server.
set -euo pipefail
server="$1"; buf="$2"
dir=$(mktemp -d); trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
CDKV_DATA_DIR="$dir/data" "$server" --listen "127.0.0.1:$port" >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "serving gRPC" "$dir/out" && break; sleep 0.1; done
grep -q "serving gRPC" "$dir/out" || { cat "$dir/out"; exit 1; }

services=$("$buf" curl --protocol grpc --http2-prior-knowledge "http://127.0.0.1:$port" --list-services)
echo "$services"
for s in cdkv.v1.AuthService cdkv.v1.CatalogService cdkv.v1.CitizenService cdkv.v1.DeskService \
         cdkv.v1.SupervisionService grpc.health.v1.Health; do
  grep -qx "$s" <<<"$services" || { echo "missing service $s"; exit 1; }
done
health=$("$buf" curl --protocol grpc --http2-prior-knowledge "http://127.0.0.1:$port/grpc.health.v1.Health/Check")
echo "$health"
grep -q '"status": "SERVING"' <<<"$health"
