#include "services/queue/redis_script.h"

#include "absl/strings/str_cat.h"

namespace cdkv::queue {

absl::Status RedisScript::Load(RedisClient& client) {
  absl::StatusOr<RedisReply> reply =
      client.Command({"SCRIPT", "LOAD", source_});
  if (!reply.ok()) return reply.status();
  absl::Status status = ErrorReplyToStatus(*reply, "SCRIPT LOAD");
  if (!status.ok()) return status;
  if (reply->type != RedisReply::Type::kString) {
    return absl::InternalError(absl::StrCat(
        "SCRIPT LOAD returned ", reply->DebugString(), " instead of a SHA"));
  }
  sha_ = reply->str;
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisScript::Run(
    RedisClient& client, const std::vector<std::string_view>& keys,
    const std::vector<std::string_view>& args) {
  if (sha_.empty()) {
    absl::Status status = Load(client);
    if (!status.ok()) return status;
  }
  std::string num_keys = absl::StrCat(keys.size());
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string_view> argv = {"EVALSHA", sha_, num_keys};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<RedisReply> reply = client.Command(argv);
    if (!reply.ok()) return reply.status();
    if (reply->IsErrorCode("NOSCRIPT") && attempt == 0) {
      absl::Status status = Load(client);
      if (!status.ok()) return status;
      continue;
    }
    absl::Status status = ErrorReplyToStatus(*reply, "EVALSHA");
    if (!status.ok()) return status;
    return reply;
  }
}

}  // namespace cdkv::queue
