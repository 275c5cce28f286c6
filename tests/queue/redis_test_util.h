#ifndef CDKV_TESTS_QUEUE_REDIS_TEST_UTIL_H_
#define CDKV_TESTS_QUEUE_REDIS_TEST_UTIL_H_

#include "absl/time/time.h"
#include "services/queue/redis.h"
#include "tests/support/redis_server.h"

namespace cdkv::queue {

// Short timeouts so fault tests finish quickly; still generous for a
// loaded test machine.
inline RedisClient::Options TestOptions(const testing::RedisServer& server) {
  RedisClient::Options options;
  options.host = server.host();
  options.port = server.port();
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Seconds(1);
  return options;
}

}  // namespace cdkv::queue

#endif  // CDKV_TESTS_QUEUE_REDIS_TEST_UTIL_H_
