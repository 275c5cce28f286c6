#include "services/queue/redis.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/queue/redis_test_util.h"
#include "tests/support/free_port.h"
#include "tests/support/redis_server.h"

namespace cdkv::queue {
namespace {

using ::cdkv::testing::RedisServer;
using Type = RedisReply::Type;

TEST_CASE("RedisClient round-trips every reply type, binary safe") {
  auto server = RedisServer::Start();
  REQUIRE(server.ok());
  auto client = RedisClient::Connect(TestOptions(**server));
  REQUIRE(client.ok());

  const std::string binary("a\0b\r\n c", 7);
  auto set = client->Command({"SET", binary, binary});
  REQUIRE(set.ok());
  CHECK(set->type == Type::kStatus);
  CHECK(set->str == "OK");

  auto get = client->Command({"GET", binary});
  REQUIRE(get.ok());
  CHECK(get->type == Type::kString);
  CHECK(get->str == binary);

  auto missing = client->Command({"GET", "missing"});
  REQUIRE(missing.ok());
  CHECK(missing->IsNil());

  auto incr = client->Command({"INCRBY", "n", "41"});
  REQUIRE(incr.ok());
  CHECK(incr->type == Type::kInteger);
  CHECK(incr->integer == 41);

  REQUIRE(client->Command({"RPUSH", "l", "x", "", "z"}).ok());
  auto range = client->Command({"LRANGE", "l", "0", "-1"});
  REQUIRE(range.ok());
  REQUIRE(range->type == Type::kArray);
  REQUIRE(range->elements.size() == 3);
  CHECK(range->elements[1].str.empty());

  auto wrong = client->Command({"INCR", "l"});
  REQUIRE(wrong.ok());  // An error reply is a reply, not a transport failure.
  CHECK(wrong->IsErrorCode("WRONGTYPE"));
  CHECK_FALSE(wrong->IsErrorCode("WRONG"));
  CHECK(ErrorReplyToStatus(*wrong, "INCR").code() ==
        absl::StatusCode::kInternal);
  CHECK(ErrorReplyToStatus(*incr, "INCR").ok());

  CHECK(client->Command({}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("RedisClient connecting to nothing is UNAVAILABLE") {
  auto port = testing::FreeLoopbackPort();
  REQUIRE(port.ok());
  RedisClient::Options options;
  options.port = *port;
  auto client = RedisClient::Connect(options);
  REQUIRE_FALSE(client.ok());
  CHECK(client.status().code() == absl::StatusCode::kUnavailable);
  CHECK(client.status().message().find(std::to_string(*port)) !=
        absl::string_view::npos);
}

TEST_CASE(
    "RedisClient reconnects after a restart and fails cleanly when down") {
  auto server = RedisServer::Start();
  REQUIRE(server.ok());
  auto client = RedisClient::Connect(TestOptions(**server));
  REQUIRE(client.ok());
  REQUIRE(client->Command({"SET", "k", "v"}).ok());

  // The old connection dies with the server; one reconnect hides that.
  REQUIRE((*server)->Restart(/*wipe_data=*/false).ok());
  auto get = client->Command({"GET", "k"});
  REQUIRE(get.ok());
  CHECK(get->str == "v");

  REQUIRE((*server)->Kill9().ok());
  absl::Time start = absl::Now();
  auto down = client->Command({"PING"});
  CHECK(down.status().code() == absl::StatusCode::kUnavailable);
  CHECK(absl::Now() - start < absl::Seconds(3));
  // Still down: fails again rather than crashing on a dead context.
  CHECK(client->Command({"PING"}).status().code() ==
        absl::StatusCode::kUnavailable);

  REQUIRE((*server)->Restart(/*wipe_data=*/true).ok());
  auto ping = client->Command({"PING"});
  REQUIRE(ping.ok());
  CHECK(ping->str == "PONG");
}

TEST_CASE("RedisClient times out on a hung server instead of hanging") {
  auto server = RedisServer::Start();
  REQUIRE(server.ok());
  auto client = RedisClient::Connect(TestOptions(**server));
  REQUIRE(client.ok());
  REQUIRE((*server)->Signal(SIGSTOP).ok());
  absl::Time start = absl::Now();
  auto reply = client->Command({"PING"});
  absl::Duration took = absl::Now() - start;
  REQUIRE((*server)->Signal(SIGCONT).ok());
  CHECK(reply.status().code() == absl::StatusCode::kUnavailable);
  // Two attempts of one command_timeout each, plus slack.
  CHECK(took < absl::Seconds(4));
  auto after = client->Command({"PING"});
  REQUIRE(after.ok());
  CHECK(after->str == "PONG");
}

TEST_CASE("BlockingCommand waits beyond the command timeout") {
  auto server = RedisServer::Start();
  REQUIRE(server.ok());
  RedisClient::Options options = TestOptions(**server);
  options.command_timeout = absl::Milliseconds(200);
  auto client = RedisClient::Connect(options);
  REQUIRE(client.ok());
  auto reply = client->BlockingCommand({"BLPOP", "nothing", "0.6"},
                                       absl::Milliseconds(600));
  REQUIRE(reply.ok());
  CHECK(reply->IsNil());
}

}  // namespace
}  // namespace cdkv::queue
