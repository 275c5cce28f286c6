#!/usr/bin/env bash
# Plays Zalo: sends one signed Official Account event to a running cdkv chat webhook, so the
# chat intake can be tried by hand against `deploy/run.sh --dev`.
#
#   bash deploy/chat-send.sh USER_ID follow
#   bash deploy/chat-send.sh USER_ID text "Tôi muốn làm giấy khai sinh"
#   bash deploy/chat-send.sh USER_ID image https://example.org/cccd.jpg [URL ...]
#
# The webhook URL is $CDKV_CHAT_URL (default: what run.sh prints, http://127.0.0.1:8088/zalo/webhook)
# and the OA is the first one in $CDKV_CHAT_OA_CONFIG (default deploy/chat-oa.dev.json). The
# server's replies go to its --chat-api-base (the OA message API); its log shows them too.
# Image URLs must be public: the server refuses private and loopback addresses unless one host is
# allowed with --chat-allow-host.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '5,7p' "$0" | sed 's/^#   //' >&2
  exit 2
fi
user="$1"
kind="$2"
shift 2

url="${CDKV_CHAT_URL:-http://127.0.0.1:8088/zalo/webhook}"
config="${CDKV_CHAT_OA_CONFIG:-$(dirname "$0")/chat-oa.dev.json}"

# The first OA's fields; the config is the flat JSON list the server reads.
field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$config" | head -n1 | sed 's/.*:[[:space:]]*"\(.*\)"/\1/'
}
oa_id="$(field oa_id)"
app_id="$(field app_id)"
secret="$(field secret)"
if [ -z "$oa_id" ] || [ -z "$app_id" ] || [ -z "$secret" ]; then
  echo "chat-send: no oa_id/app_id/secret in $config" >&2
  exit 2
fi

json_string() {  # a JSON string literal for $1
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  printf '"%s"' "$s"
}

timestamp="$(date +%s%3N)"
msg_id="cli-$timestamp-$RANDOM"
common="\"app_id\":\"$app_id\",\"timestamp\":\"$timestamp\",\"sender\":{\"id\":$(json_string "$user")},\"recipient\":{\"id\":\"$oa_id\"}"
case "$kind" in
  follow)
    body="{\"event_name\":\"follow\",$common,\"oa_id\":\"$oa_id\",\"follower\":{\"id\":$(json_string "$user")}}"
    ;;
  text)
    body="{\"event_name\":\"user_send_text\",$common,\"message\":{\"msg_id\":\"$msg_id\",\"text\":$(json_string "${1:-}")}}"
    ;;
  image)
    attachments=""
    for image_url in "$@"; do
      attachments+="${attachments:+,}{\"type\":\"image\",\"payload\":{\"url\":$(json_string "$image_url")}}"
    done
    body="{\"event_name\":\"user_send_image\",$common,\"message\":{\"msg_id\":\"$msg_id\",\"text\":\"\",\"attachments\":[$attachments]}}"
    ;;
  *)
    echo "chat-send: unknown kind '$kind' (follow, text, image)" >&2
    exit 2
    ;;
esac

mac="$(printf '%s' "$app_id$body$timestamp$secret" | sha256sum | cut -d' ' -f1)"
curl -sS -o /dev/null -w "chat-send: HTTP %{http_code}\n" -X POST "$url" \
  -H 'Content-Type: application/json' -H "X-ZEvent-Signature: mac=$mac" --data-binary "$body"
