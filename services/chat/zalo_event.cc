#include "services/chat/zalo_event.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("zalo event: ", Absl(what)));
}

// The non-empty string at obj[key]; `path` names it in errors.
absl::StatusOr<std::string> RequiredString(const json& obj, const char* key,
                                           std::string_view path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return Invalid(absl::StrCat("missing ", Absl(path)));
  }
  if (!it->is_string()) return Invalid(absl::StrCat(Absl(path), " must be a string"));
  std::string value = it->get<std::string>();
  if (value.empty()) return Invalid(absl::StrCat(Absl(path), " is empty"));
  return value;
}

// An ID that Zalo may send as a string or as a number.
absl::StatusOr<std::string> RequiredId(const json& obj, const char* key,
                                       std::string_view path) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_number_unsigned()) {
    return std::to_string(it->get<uint64_t>());
  }
  return RequiredString(obj, key, path);
}

// obj[outer][inner] as an id.
absl::StatusOr<std::string> NestedId(const json& obj, const char* outer, const char* inner) {
  const std::string path = absl::StrCat(outer, ".", inner);
  auto it = obj.find(outer);
  if (it == obj.end() || it->is_null()) return Invalid(absl::StrCat("missing ", outer));
  if (!it->is_object()) return Invalid(absl::StrCat(outer, " must be an object"));
  return RequiredId(*it, inner, path);
}

absl::Status ParseTimestamp(const json& root, ZaloEvent& event) {
  auto it = root.find("timestamp");
  if (it == root.end() || it->is_null()) return Invalid("missing timestamp");
  if (it->is_number_unsigned()) {
    event.timestamp_ms = static_cast<int64_t>(it->get<uint64_t>());
    event.timestamp_text = std::to_string(it->get<uint64_t>());
  } else if (it->is_string()) {
    event.timestamp_text = it->get<std::string>();
    const std::string& t = event.timestamp_text;
    if (t.empty() || t.size() > 18) return Invalid("timestamp must be milliseconds since 1970");
    int64_t value = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return Invalid("timestamp must be milliseconds since 1970");
    }
    event.timestamp_ms = value;
  } else {
    return Invalid("timestamp must be a string or a number");
  }
  if (event.timestamp_ms <= 0 || event.timestamp_ms > int64_t{1} << 50) {
    return Invalid("timestamp out of range");
  }
  return absl::OkStatus();
}

absl::Status ParseAttachments(const json& message, std::string_view expected_type,
                              ZaloEvent& event) {
  auto it = message.find("attachments");
  if (it == message.end() || it->is_null()) return Invalid("missing message.attachments");
  if (!it->is_array()) return Invalid("message.attachments must be an array");
  if (it->empty()) return Invalid("message.attachments is empty");
  if (it->size() > kMaxAttachments) {
    return Invalid(absl::StrCat("too many attachments: ", it->size(), " (at most ",
                                kMaxAttachments, ")"));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    const std::string path = absl::StrCat("message.attachments[", i, "]");
    if (!a.is_object()) return Invalid(absl::StrCat(path, " must be an object"));
    ZaloAttachment out;
    if (auto t = a.find("type"); t != a.end() && !t->is_null()) {
      if (!t->is_string()) return Invalid(absl::StrCat(path, ".type must be a string"));
      out.type = t->get<std::string>();
    } else {
      out.type = std::string(expected_type);
    }
    if (out.type != expected_type) {
      return Invalid(absl::StrCat(path, ".type is \"", out.type, "\", expected \"",
                                  Absl(expected_type), "\""));
    }
    auto payload = a.find("payload");
    if (payload == a.end() || payload->is_null()) {
      return Invalid(absl::StrCat("missing ", path, ".payload"));
    }
    if (!payload->is_object()) return Invalid(absl::StrCat(path, ".payload must be an object"));
    absl::StatusOr<std::string> url = RequiredString(*payload, "url", path + ".payload.url");
    if (!url.ok()) return url.status();
    out.url = *std::move(url);
    if (auto n = payload->find("name"); n != payload->end() && n->is_string()) {
      out.name = n->get<std::string>();
    }
    event.attachments.push_back(std::move(out));
  }
  return absl::OkStatus();
}

ZaloEventKind KindOf(std::string_view name) {
  if (name == "user_send_text") return ZaloEventKind::kUserSendText;
  if (name == "user_send_image") return ZaloEventKind::kUserSendImage;
  if (name == "user_send_file") return ZaloEventKind::kUserSendFile;
  if (name == "follow") return ZaloEventKind::kFollow;
  if (name == "unfollow") return ZaloEventKind::kUnfollow;
  return ZaloEventKind::kIgnored;
}

}  // namespace

std::string_view ZaloEventKindName(ZaloEventKind kind) {
  switch (kind) {
    case ZaloEventKind::kUserSendText: return "user_send_text";
    case ZaloEventKind::kUserSendImage: return "user_send_image";
    case ZaloEventKind::kUserSendFile: return "user_send_file";
    case ZaloEventKind::kFollow: return "follow";
    case ZaloEventKind::kUnfollow: return "unfollow";
    case ZaloEventKind::kIgnored: return "ignored";
  }
  return "ignored";
}

absl::StatusOr<ZaloEvent> ParseZaloEvent(std::string_view body) {
  if (body.size() > kMaxEventBodyBytes) {
    return Invalid(absl::StrCat("body of ", body.size(), " bytes is over the limit of ",
                                kMaxEventBodyBytes));
  }
  json root = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Invalid("body is not valid JSON");
  if (!root.is_object()) return Invalid("body must be a JSON object");

  ZaloEvent event;
  absl::StatusOr<std::string> name = RequiredString(root, "event_name", "event_name");
  if (!name.ok()) return name.status();
  event.event_name = *std::move(name);
  event.kind = KindOf(event.event_name);

  absl::StatusOr<std::string> app_id = RequiredId(root, "app_id", "app_id");
  if (!app_id.ok()) return app_id.status();
  event.app_id = *std::move(app_id);
  if (absl::Status s = ParseTimestamp(root, event); !s.ok()) return s;

  switch (event.kind) {
    case ZaloEventKind::kIgnored:
      return event;
    case ZaloEventKind::kFollow:
    case ZaloEventKind::kUnfollow: {
      // Zalo names the parties follower/oa_id here; accept sender/recipient too.
      absl::StatusOr<std::string> user = root.contains("follower")
                                             ? NestedId(root, "follower", "id")
                                             : NestedId(root, "sender", "id");
      if (!user.ok()) return user.status();
      event.sender_id = *std::move(user);
      absl::StatusOr<std::string> oa = root.contains("oa_id")
                                           ? RequiredId(root, "oa_id", "oa_id")
                                           : NestedId(root, "recipient", "id");
      if (!oa.ok()) return oa.status();
      event.recipient_id = *std::move(oa);
      return event;
    }
    case ZaloEventKind::kUserSendText:
    case ZaloEventKind::kUserSendImage:
    case ZaloEventKind::kUserSendFile:
      break;
  }

  absl::StatusOr<std::string> sender = NestedId(root, "sender", "id");
  if (!sender.ok()) return sender.status();
  event.sender_id = *std::move(sender);
  absl::StatusOr<std::string> recipient = NestedId(root, "recipient", "id");
  if (!recipient.ok()) return recipient.status();
  event.recipient_id = *std::move(recipient);

  auto message = root.find("message");
  if (message == root.end() || message->is_null()) return Invalid("missing message");
  if (!message->is_object()) return Invalid("message must be an object");
  absl::StatusOr<std::string> msg_id = RequiredId(*message, "msg_id", "message.msg_id");
  if (!msg_id.ok()) return msg_id.status();
  event.msg_id = *std::move(msg_id);

  if (event.kind == ZaloEventKind::kUserSendText) {
    absl::StatusOr<std::string> text = RequiredString(*message, "text", "message.text");
    if (!text.ok()) return text.status();
    event.text = *std::move(text);
    return event;
  }
  if (auto t = message->find("text"); t != message->end() && !t->is_null()) {
    if (!t->is_string()) return Invalid("message.text must be a string");
    event.text = t->get<std::string>();
  }
  const std::string_view type = event.kind == ZaloEventKind::kUserSendImage ? "image" : "file";
  if (absl::Status s = ParseAttachments(*message, type, event); !s.ok()) return s;
  return event;
}

}  // namespace cdkv::chat
