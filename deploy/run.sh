#!/usr/bin/env bash
# Starts the whole service on this machine: installs what is missing, builds, starts a local
# Redis when none is configured (CDKV_REDIS), and runs cdkv-server in the foreground.
# Ctrl-C (or SIGTERM) drains the server and stops the Redis this script started.
# Everything is configurable through CDKV_* variables or flags passed through, e.g.
#   CDKV_LISTEN=0.0.0.0:50051 deploy/run.sh --dev
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh

export CDKV_DATA_DIR="${CDKV_DATA_DIR:-$PWD/var/cdkv}"
mkdir -p "$CDKV_DATA_DIR"
export OMP_THREAD_LIMIT=1

redis_pid=""
server_pid=""
# The server drains and stops its workers first; only then does the Redis it used go away.
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${CDKV_REDIS:-}" ]; then
  port=6390
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  mkdir -p var/redis
  # Its own session, so a Ctrl-C meant for the server does not stop Redis under its feet.
  setsid redis-server deploy/redis.conf --port "$port" --dir "$PWD/var/redis" >var/redis/redis.log 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" ping >/dev/null || { echo "run: redis-server did not start; see var/redis/redis.log" >&2; exit 1; }
  export CDKV_REDIS="127.0.0.1:$port"
  echo "run: started a local Redis on $CDKV_REDIS (data in var/redis)"
fi

# Development mode: a demo Official Account for xã Tân Mỹ (deploy/chat-oa.dev.json), so the chat
# webhook can be tried with signed events; its replies go to the configured OA API base URL.
for arg in "$@"; do
  if [ "$arg" = "--dev" ] && [ -z "${CDKV_CHAT_LISTEN:-}" ]; then
    chat_port=8088
    while (exec 3<>"/dev/tcp/127.0.0.1/$chat_port") 2>/dev/null; do chat_port=$((chat_port + 1)); done
    export CDKV_CHAT_LISTEN="127.0.0.1:$chat_port"
    export CDKV_CHAT_OA_CONFIG="${CDKV_CHAT_OA_CONFIG:-$PWD/deploy/chat-oa.dev.json}"
  fi
done
if [ -n "${CDKV_CHAT_LISTEN:-}" ]; then
  echo "run: chat webhook (Zalo OA events) at http://$CDKV_CHAT_LISTEN/zalo/webhook, OAs from $CDKV_CHAT_OA_CONFIG"
fi

build/services/server/cdkv-server "$@" &
server_pid=$!
wait "$server_pid"
