#include "services/server/config.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace cdkv::server {
namespace {

absl::StatusOr<CommandLine> Parse(std::vector<std::string> args) {
  std::vector<const char*> argv = {"cdkv-server"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

// Sets an environment variable for the duration of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST_CASE("defaults need no flags") {
  auto parsed = Parse({});
  REQUIRE(parsed.ok());
  CHECK_FALSE(parsed->show_help);
  CHECK(parsed->config.listen_address == "127.0.0.1:50051");
  CHECK(parsed->config.max_upload_bytes == 20 * 1024 * 1024);
  CHECK(parsed->config.redis_address.empty());
  CHECK(parsed->config.log_level == LogLevel::kInfo);
}

TEST_CASE("flags set every option") {
  auto parsed =
      Parse({"--listen", "[::1]:6000", "--data-dir", "/tmp/x", "--redis",
             "localhost:6380", "--max-upload-mib", "5", "--drain-seconds", "3",
             "--log-level", "debug", "--dev"});
  REQUIRE(parsed.ok());
  CHECK(parsed->config.listen_address == "[::1]:6000");
  CHECK(parsed->config.data_dir == "/tmp/x");
  CHECK(parsed->config.redis_address == "localhost:6380");
  CHECK(parsed->config.max_upload_bytes == 5 * 1024 * 1024);
  CHECK(parsed->config.drain_seconds == 3);
  CHECK(parsed->config.log_level == LogLevel::kDebug);
  CHECK(parsed->config.development);
}

TEST_CASE("the environment configures, and a flag wins over it") {
  ScopedEnv listen("CDKV_LISTEN", "127.0.0.1:7000");
  ScopedEnv redis("CDKV_REDIS", "127.0.0.1:7001");
  auto from_env = Parse({});
  REQUIRE(from_env.ok());
  CHECK(from_env->config.listen_address == "127.0.0.1:7000");
  CHECK(from_env->config.redis_address == "127.0.0.1:7001");

  auto flag_wins = Parse({"--listen", "127.0.0.1:7002"});
  REQUIRE(flag_wins.ok());
  CHECK(flag_wins->config.listen_address == "127.0.0.1:7002");
}

TEST_CASE("an unknown flag is refused by name") {
  auto parsed = Parse({"--lisen", "127.0.0.1:1"});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(parsed.status().message()),
             Catch::Contains("--lisen") && Catch::Contains("--help"));
}

TEST_CASE("bad values say which option and what is wrong") {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--listen", "50051"}, "--listen"},
      {{"--listen", "127.0.0.1:65536"},
       "port must be a number from 1 to 65535"},
      {{"--listen", "127.0.0.1:-1"}, "port must be a number"},
      {{"--listen", "127.0.0.1:"}, "port must be a number"},
      {{"--listen", "::1:50051"}, "brackets"},
      {{"--listen", "host name:1"}, "character"},
      {{"--redis", "127.0.0.1:0"}, "--redis"},
      {{"--max-upload-mib", "0"}, "--max-upload-mib"},
      {{"--max-upload-mib", "lots"}, "--max-upload-mib"},
      {{"--drain-seconds", "-5"}, "--drain-seconds"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--data-dir", ""}, "--data-dir"},
      {{"--listen"}, "--listen"},
      {{"stray"}, "stray"},
  };
  for (const Case& c : cases) {
    INFO(c.args.front());
    auto parsed = Parse(c.args);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(parsed.status().message()),
               Catch::Contains(c.expected));
  }
}

TEST_CASE("a bad environment value names the variable") {
  ScopedEnv listen("CDKV_LISTEN", "not-an-address");
  auto parsed = Parse({});
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(std::string(parsed.status().message()),
             Catch::Contains("CDKV_LISTEN"));
}

TEST_CASE("--help returns the help text instead of a configuration") {
  auto parsed = Parse({"--help"});
  REQUIRE(parsed.ok());
  CHECK(parsed->show_help);
  CHECK_THAT(parsed->help_text,
             Catch::Contains("--listen") && Catch::Contains("CDKV_REDIS"));
}

TEST_CASE("ValidateHostPort accepts what gRPC can bind") {
  CHECK(ValidateHostPort("127.0.0.1:50051", false).ok());
  CHECK(ValidateHostPort("0.0.0.0:1", false).ok());
  CHECK(ValidateHostPort("[::]:443", false).ok());
  CHECK(ValidateHostPort("localhost:6379", false).ok());
  CHECK(ValidateHostPort("127.0.0.1:0", true).ok());
  CHECK_FALSE(ValidateHostPort("127.0.0.1:0", false).ok());
  CHECK_FALSE(ValidateHostPort(":50051", false).ok());
  CHECK_FALSE(ValidateHostPort("[::1:50051", false).ok());
  CHECK_FALSE(ValidateHostPort("127.0.0.1:5005100", false).ok());
  CHECK_FALSE(ValidateHostPort(std::string("a\0b:1", 5), false).ok());
}

}  // namespace
}  // namespace cdkv::server
