#!/usr/bin/env bash
# Walks one filing through its whole life from a terminal, with the cdkv CLI, against a fresh
# local stack (its own Redis and server on free ports, data in a temporary folder):
#   citizen signs in by phone code -> files a birth registration with a photo of their ID card
#   -> OCR pre-fills the form from the card's QR code -> the commune officer claims it, fills what
#   the photo could not give, confirms -> processing -> result ready (pickup code) -> pickup
#   -> the citizen rates it -> the district supervisor reads the hours saved.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { local p=$1; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }

redis_port=$(free_port 16390)
redis-server --port "$redis_port" --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
server_port=$(free_port 15051)
export OMP_THREAD_LIMIT=1
build/services/server/cdkv-server --dev --listen "127.0.0.1:$server_port" \
  --data-dir "$work/data" --redis "127.0.0.1:$redis_port" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "serving gRPC" "$work/server.log" && break; sleep 0.1; done
export CDKV_SERVER="127.0.0.1:$server_port"
cdkv() { build/clients/cdkv/cdkv "$@"; }
field() { sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" | head -1; }
step() { printf '\n== %s\n' "$*"; }

step "Citizen 0912345678 asks for a sign-in code"
cdkv ask-code 0912345678 >/dev/null
sleep 0.3
code=$(grep -o 'event=auth.sign_in_code.*code=[0-9]*' "$work/server.log" | tail -1 | sed 's/.*code=//')
echo "code from the SMS (the development log): $code"
CDKV_TOKEN=$(cdkv sign-in 0912345678 "$code" | field token)
export CDKV_TOKEN

step "Citizen files a birth registration at Tân Mỹ with a photo of their ID card"
filing=$(cdkv file --procedure dang_ky_khai_sinh --commune lv.tan_my \
  --photo tests/ocr/data/synth/0000.jpg:id_card | field filing_id)
echo "filing $filing submitted"

step "OCR reads the photo; the filing reaches the desk queue"
for _ in $(seq 100); do cdkv status "$filing" | grep -q AWAITING_DESK && break; sleep 0.2; done
cdkv status "$filing" | grep -E '"state"|"key"|"value"|"method"' | head -12

step "Officer of Tân Mỹ signs in, claims the filing, sees the form beside the photo"
officer=$(CDKV_PASSWORD=cdkv-demo-2026 cdkv staff-sign-in officer.lv.tan_my | field token)
CDKV_TOKEN=$officer cdkv claim desk.lv.tan_my "$filing" | grep '"state"' | head -1

step "Officer fills what the photo could not give and confirms"
form=$(CDKV_TOKEN=$officer cdkv show "$filing" | field form_code)
CDKV_TOKEN=$officer cdkv confirm "$filing" \
  --set "$form/child.full_name=Hoàng Minh An" --set "$form/child.date_of_birth=2026-11-01" \
  --set "$form/child.sex=Nam" --set "$form/child.place_of_birth=Trạm Y tế xã Tân Mỹ" \
  --set "$form/child.ethnicity=Kinh" --set "$form/child.nationality=Việt Nam" \
  --set "$form/mother.full_name=Lê Thị Hoa" --set "$form/requester.relationship=Cha" \
  | grep '"state"' | head -1

step "Processing, then the result is ready: the citizen is told where, when, what to bring"
CDKV_TOKEN=$officer cdkv process "$filing" >/dev/null
CDKV_TOKEN=$officer cdkv ready "$filing" | grep -E '"state"|"desk_name"|"opening_hours"' | head -3
pickup=$(cdkv notifications | field pickup_code)
cdkv notifications | field text

step "The citizen comes once; the officer records the pickup against code $pickup"
CDKV_TOKEN=$officer cdkv pickup "$filing" "$pickup" | grep '"state"' | head -1
cdkv rate "$filing" 5 | grep '"rating"'

step "The district supervisor reads the time saved, component by component"
supervisor=$(CDKV_PASSWORD=cdkv-demo-2026 cdkv staff-sign-in supervisor.875 | field token)
CDKV_TOKEN=$supervisor cdkv time-saved --by commune | sed -n '/"total"/,$p'
