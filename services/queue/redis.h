#ifndef CDKV_SERVICES_QUEUE_REDIS_H_
#define CDKV_SERVICES_QUEUE_REDIS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;

namespace cdkv::queue {

// One RESP2 reply, copied out of hiredis so it owns its memory.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus and kError.
  std::vector<RedisReply> elements;

  bool IsNil() const { return type == Type::kNil; }
  bool IsError() const { return type == Type::kError; }
  // True for an error reply whose code (first word) is `code`, e.g. "NOSCRIPT".
  bool IsErrorCode(std::string_view code) const;
  // One line for logs and error messages.
  std::string DebugString() const;
};

// A connection to one Redis server. Threading rule: hiredis contexts are not
// thread-safe, so each thread owns its own RedisClient (as does every object
// that borrows one, like DeskQueue and JobStream).
//
// Every call has a socket timeout, so a hung or unreachable Redis yields
// UNAVAILABLE instead of blocking forever. After an I/O error the client
// reconnects and resends the command once; the first attempt may already
// have run on the server, so commands must be idempotent or their effects
// must tolerate a duplicate (at-least-once, as all our consumers are).
class RedisClient {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    absl::Duration connect_timeout = absl::Seconds(1);
    // Longest wait for any reply, on top of a command's own blocking time.
    absl::Duration command_timeout = absl::Seconds(5);
  };

  // UNAVAILABLE if the server cannot be reached now.
  static absl::StatusOr<RedisClient> Connect(const Options& options);

  RedisClient(RedisClient&& other) noexcept;
  RedisClient& operator=(RedisClient&& other) noexcept;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;
  ~RedisClient();

  // Sends one command with binary-safe arguments. Error replies from Redis
  // come back as OK with a kError reply, because callers react to specific
  // ones (NOSCRIPT, BUSYGROUP); UNAVAILABLE means no reply could be had.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string_view>& argv);
  // For commands that block on the server (XREADGROUP ... BLOCK): the socket
  // timeout is extended by `block` for this call.
  absl::StatusOr<RedisReply> BlockingCommand(
      const std::vector<std::string_view>& argv, absl::Duration block);

  const Options& options() const { return options_; }

 private:
  explicit RedisClient(Options options) : options_(std::move(options)) {}
  absl::Status Reconnect();
  absl::StatusOr<RedisReply> SendOnce(const std::vector<std::string_view>& argv,
                                      absl::Duration timeout);
  void Disconnect();

  Options options_;
  redisContext* context_ = nullptr;
};

// Turns an error reply into a status naming the command, for callers that
// expect no error at all.
absl::Status ErrorReplyToStatus(const RedisReply& reply, std::string_view what);

}  // namespace cdkv::queue

#endif  // CDKV_SERVICES_QUEUE_REDIS_H_
