#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/support/child_process.h"
#include "tests/support/free_port.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace cdkv::testing {
namespace {

// Raw hiredis round trip, so these tests do not depend on the queue library.
std::string RedisCall(const RedisServer& server, const std::string& command) {
  redisContext* ctx =
      redisConnectWithTimeout(server.host().c_str(), server.port(), {1, 0});
  if (ctx == nullptr || ctx->err != 0) {
    if (ctx != nullptr) redisFree(ctx);
    return "<unreachable>";
  }
  auto* reply = static_cast<redisReply*>(redisCommand(ctx, command.c_str()));
  std::string result = "<io error>";
  if (reply != nullptr) {
    switch (reply->type) {
      case REDIS_REPLY_NIL:
        result = "<nil>";
        break;
      case REDIS_REPLY_INTEGER:
        result = absl::StrCat(reply->integer);
        break;
      default:
        result = reply->str != nullptr ? std::string(reply->str, reply->len)
                                       : "<array>";
    }
    freeReplyObject(reply);
  }
  redisFree(ctx);
  return result;
}

TEST_CASE("FreeLoopbackPort returns a port that can be bound") {
  absl::StatusOr<int> port = FreeLoopbackPort();
  REQUIRE(port.ok());
  REQUIRE(*port > 0);
  REQUIRE(*port < 65536);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  ::close(fd);
}

TEST_CASE("TempDir is removed with its contents on destruction") {
  std::filesystem::path path;
  {
    absl::StatusOr<TempDir> dir = TempDir::Create();
    REQUIRE(dir.ok());
    path = dir->path();
    REQUIRE(std::filesystem::is_directory(path));
    std::filesystem::create_directories(path / "a" / "b");
    std::ofstream(path / "a" / "b" / "file") << "x";
    TempDir moved = *std::move(dir);
    CHECK(moved.path() == path);
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("ChildProcess captures output, environment and exit code") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  ChildProcess::Options options;
  options.argv = {"/bin/sh", "-c",
                  "echo out=$CDKV_TEST_VAR; echo err >&2; exit 3"};
  options.env = {{"CDKV_TEST_VAR", "hello"}};
  options.stdout_path = dir->path() / "out";
  options.stderr_path = dir->path() / "err";
  auto child = ChildProcess::Start(options);
  REQUIRE(child.ok());
  REQUIRE((*child)->WaitForOutput("out=hello", absl::Seconds(5)).ok());
  absl::StatusOr<ExitStatus> status = (*child)->Wait(absl::Seconds(5));
  REQUIRE(status.ok());
  CHECK(status->exit_code == 3);
  CHECK(status->signal == 0);
  CHECK((*child)->Output().find("err") != std::string::npos);
}

TEST_CASE("ChildProcess reports an executable that cannot run") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto child = ChildProcess::Start({{"/nonexistent/cdkv-binary"},
                                    {},
                                    dir->path() / "out",
                                    dir->path() / "err"});
  REQUIRE_FALSE(child.ok());
  CHECK(child.status().message().find("/nonexistent/cdkv-binary") !=
        std::string::npos);
}

TEST_CASE("ChildProcess wait times out, signals and kills") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto child = ChildProcess::Start(
      {{"/bin/sleep", "30"}, {}, dir->path() / "out", dir->path() / "err"});
  REQUIRE(child.ok());
  absl::StatusOr<ExitStatus> early = (*child)->Wait(absl::Milliseconds(50));
  CHECK(early.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(
      (*child)->WaitForOutput("never printed", absl::Milliseconds(50)).code() ==
      absl::StatusCode::kDeadlineExceeded);
  REQUIRE((*child)->Signal(SIGTERM).ok());
  absl::StatusOr<ExitStatus> status = (*child)->Wait(absl::Seconds(5));
  REQUIRE(status.ok());
  CHECK(status->signal == SIGTERM);
  CHECK_FALSE(status->Success());
  CHECK((*child)->Kill9().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("ChildProcess WaitForOutput notices an early exit") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto child = ChildProcess::Start(
      {{"/bin/true"}, {}, dir->path() / "out", dir->path() / "err"});
  REQUIRE(child.ok());
  CHECK((*child)->WaitForOutput("ready", absl::Seconds(5)).code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("ChildProcess destructor kills a running child") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  pid_t pid;
  {
    auto child = ChildProcess::Start(
        {{"/bin/sleep", "30"}, {}, dir->path() / "out", dir->path() / "err"});
    REQUIRE(child.ok());
    pid = (*child)->pid();
    REQUIRE(::kill(pid, 0) == 0);
  }
  // Reaped, so the pid no longer names our child.
  CHECK(::kill(pid, 0) != 0);
}

TEST_CASE("RedisServer starts, restarts with and without data, stops") {
  auto server = RedisServer::Start();
  REQUIRE(server.ok());
  RedisServer& redis = **server;
  CHECK(RedisCall(redis, "PING") == "PONG");
  CHECK(RedisCall(redis, "SET k v") == "OK");

  REQUIRE(redis.Restart(/*wipe_data=*/false).ok());
  CHECK(RedisCall(redis, "GET k") == "v");

  REQUIRE(redis.Restart(/*wipe_data=*/true).ok());
  CHECK(RedisCall(redis, "GET k") == "<nil>");

  REQUIRE(redis.Stop().ok());
  CHECK_FALSE(redis.running());
  CHECK(RedisCall(redis, "PING") == "<unreachable>");
}

TEST_CASE("Two RedisServers are independent") {
  auto a = RedisServer::Start();
  auto b = RedisServer::Start();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK((*a)->port() != (*b)->port());
  CHECK(RedisCall(**a, "SET only-a 1") == "OK");
  CHECK(RedisCall(**b, "EXISTS only-a") == "0");
}

TEST_CASE("RedisServer reports a bad configuration with its log") {
  RedisServer::Options options;
  options.extra_args = {"--no-such-option", "1"};
  auto server = RedisServer::Start(options);
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().message().find("no-such-option") != std::string::npos);
}

}  // namespace
}  // namespace cdkv::testing
