// Zalo Official Account webhook events, parsed from the JSON body into plain
// values. Only the fields the chat intake uses are kept; every event keeps the
// app_id and the timestamp exactly as sent, because the signature covers them.
#ifndef CDKV_SERVICES_CHAT_ZALO_EVENT_H_
#define CDKV_SERVICES_CHAT_ZALO_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cdkv::chat {

inline constexpr size_t kMaxEventBodyBytes = 64 * 1024;
inline constexpr size_t kMaxAttachments = 10;

enum class ZaloEventKind {
  kUserSendText,
  kUserSendImage,
  kUserSendFile,
  kFollow,
  kUnfollow,
  kIgnored,  // any other event_name: authenticated, acknowledged, not acted on
};

std::string_view ZaloEventKindName(ZaloEventKind kind);

struct ZaloAttachment {
  std::string type;  // "image" or "file"
  std::string url;   // payload.url
  std::string name;  // payload.name (files only; may be empty)
};

struct ZaloEvent {
  ZaloEventKind kind = ZaloEventKind::kIgnored;
  std::string event_name;
  std::string app_id;
  // The timestamp as it appeared in the body (string or number), because the
  // signature is computed over that text.
  std::string timestamp_text;
  int64_t timestamp_ms = 0;
  std::string sender_id;     // the chat user (follower.id for follow/unfollow)
  std::string recipient_id;  // the OA (oa_id for follow/unfollow)
  std::string msg_id;        // user_send_* only
  std::string text;          // user_send_text; optional caption otherwise
  std::vector<ZaloAttachment> attachments;  // user_send_image / user_send_file
};

// Parses one webhook body. Malformed JSON, a body over kMaxEventBodyBytes,
// missing or mistyped fields, more than kMaxAttachments attachments or an
// attachment without a URL are INVALID_ARGUMENT naming the problem.
// Unknown event names parse as kIgnored (they still need app_id and
// timestamp so their signature can be checked).
absl::StatusOr<ZaloEvent> ParseZaloEvent(std::string_view body);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_ZALO_EVENT_H_
