#ifndef CDKV_SERVICES_QUEUE_REDIS_SCRIPT_H_
#define CDKV_SERVICES_QUEUE_REDIS_SCRIPT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/queue/redis.h"

namespace cdkv::queue {

// A Lua script run with EVALSHA. The script cache is lost when Redis
// restarts or runs SCRIPT FLUSH, so on NOSCRIPT the script is loaded again
// and the call retried once. Scripts signal outcomes through return values;
// an error reply means a bug or an unhealthy server and becomes a status.
// Same threading rule as RedisClient.
class RedisScript {
 public:
  explicit RedisScript(std::string source) : source_(std::move(source)) {}

  absl::StatusOr<RedisReply> Run(RedisClient& client,
                                 const std::vector<std::string_view>& keys,
                                 const std::vector<std::string_view>& args);

 private:
  absl::Status Load(RedisClient& client);

  std::string source_;
  std::string sha_;
};

}  // namespace cdkv::queue

#endif  // CDKV_SERVICES_QUEUE_REDIS_SCRIPT_H_
