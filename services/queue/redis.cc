#include "services/queue/redis.h"

#include <hiredis/hiredis.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace cdkv::queue {
namespace {

RedisReply Convert(const redisReply& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_INTEGER:
      reply.type = RedisReply::Type::kInteger;
      reply.integer = raw.integer;
      break;
    case REDIS_REPLY_STRING:
      reply.type = RedisReply::Type::kString;
      reply.str.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_STATUS:
      reply.type = RedisReply::Type::kStatus;
      reply.str.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_ERROR:
      reply.type = RedisReply::Type::kError;
      reply.str.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = RedisReply::Type::kArray;
      reply.elements.reserve(raw.elements);
      for (size_t i = 0; i < raw.elements; ++i) {
        reply.elements.push_back(Convert(*raw.element[i]));
      }
      break;
    default:
      reply.type = RedisReply::Type::kNil;
  }
  return reply;
}

}  // namespace

bool RedisReply::IsErrorCode(std::string_view code) const {
  if (type != Type::kError || str.size() < code.size()) return false;
  return std::string_view(str).substr(0, code.size()) == code &&
         (str.size() == code.size() || str[code.size()] == ' ');
}

std::string RedisReply::DebugString() const {
  constexpr size_t kMax = 200;
  switch (type) {
    case Type::kNil:
      return "(nil)";
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer);
    case Type::kString:
      return absl::StrCat("\"", str.substr(0, kMax), "\"");
    case Type::kStatus:
      return str;
    case Type::kError:
      return absl::StrCat("(error) ", str.substr(0, kMax));
    case Type::kArray:
      return absl::StrCat("(array of ", elements.size(), ")");
  }
  return "(unknown)";
}

absl::Status ErrorReplyToStatus(const RedisReply& reply,
                                std::string_view what) {
  if (!reply.IsError()) return absl::OkStatus();
  std::string message =
      absl::StrCat(std::string(what), ": redis replied ", reply.str);
  // Redis refuses writes with these while it cannot serve them; the caller
  // should retry later, as with a connection failure.
  if (reply.IsErrorCode("LOADING") || reply.IsErrorCode("MASTERDOWN") ||
      reply.IsErrorCode("READONLY") || reply.IsErrorCode("BUSY") ||
      reply.IsErrorCode("TRYAGAIN") || reply.IsErrorCode("CLUSTERDOWN")) {
    return absl::UnavailableError(message);
  }
  if (reply.IsErrorCode("OOM")) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

absl::StatusOr<RedisClient> RedisClient::Connect(const Options& options) {
  RedisClient client(options);
  absl::Status status = client.Reconnect();
  if (!status.ok()) return status;
  return client;
}

RedisClient::RedisClient(RedisClient&& other) noexcept
    : options_(std::move(other.options_)),
      context_(std::exchange(other.context_, nullptr)) {}

RedisClient& RedisClient::operator=(RedisClient&& other) noexcept {
  if (this != &other) {
    Disconnect();
    options_ = std::move(other.options_);
    context_ = std::exchange(other.context_, nullptr);
  }
  return *this;
}

RedisClient::~RedisClient() { Disconnect(); }

void RedisClient::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

absl::Status RedisClient::Reconnect() {
  Disconnect();
  redisContext* ctx =
      redisConnectWithTimeout(options_.host.c_str(), options_.port,
                              absl::ToTimeval(options_.connect_timeout));
  if (ctx == nullptr) {
    return absl::ResourceExhaustedError(
        "out of memory allocating a redis context");
  }
  if (ctx->err != 0) {
    std::string error = ctx->errstr;
    redisFree(ctx);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to redis at ", options_.host, ":",
                     options_.port, ": ", error, "; is redis-server running?"));
  }
  context_ = ctx;
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisClient::SendOnce(
    const std::vector<std::string_view>& argv, absl::Duration timeout) {
  if (context_ == nullptr) {
    absl::Status status = Reconnect();
    if (!status.ok()) return status;
  }
  if (redisSetTimeout(context_, absl::ToTimeval(timeout)) != REDIS_OK) {
    Disconnect();
    return absl::UnavailableError("cannot set the redis socket timeout");
  }
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (std::string_view arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* raw = static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (raw == nullptr) {
    // The context is unusable after an I/O error or timeout: a late reply
    // would be read as the answer to the next command.
    std::string error = context_->errstr;
    Disconnect();
    return absl::UnavailableError(absl::StrCat(
        "redis at ", options_.host, ":", options_.port, " failed during ",
        argv.empty() ? std::string("command") : std::string(argv[0]), ": ",
        error));
  }
  RedisReply reply = Convert(*raw);
  freeReplyObject(raw);
  return reply;
}

absl::StatusOr<RedisReply> RedisClient::Command(
    const std::vector<std::string_view>& argv) {
  return BlockingCommand(argv, absl::ZeroDuration());
}

absl::StatusOr<RedisReply> RedisClient::BlockingCommand(
    const std::vector<std::string_view>& argv, absl::Duration block) {
  if (argv.empty()) return absl::InvalidArgumentError("empty redis command");
  absl::Duration timeout = options_.command_timeout + block;
  absl::StatusOr<RedisReply> reply = SendOnce(argv, timeout);
  if (reply.ok()) return reply;
  // One retry on a fresh connection covers a server restart or a dropped
  // idle connection; a server that is really down fails again quickly.
  return SendOnce(argv, timeout);
}

}  // namespace cdkv::queue
