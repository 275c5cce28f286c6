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
      {{"--prefill", "maybe"}, "--prefill"},
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

TEST_CASE("the --help flag returns the help text instead of a configuration") {
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

namespace cdkv::server {
namespace {

TEST_CASE("chat intake options, from flags and the environment") {
  auto off = Parse({});
  REQUIRE(off.ok());
  CHECK(off->config.chat_listen.empty());
  CHECK(off->config.chat_replay_window_seconds == 300);
  CHECK(off->config.chat_api_base == "https://openapi.zalo.me");

  auto on = Parse({"--chat-listen", "127.0.0.1:0", "--chat-oa-config",
                   "oa.json", "--chat-replay-window", "60", "--chat-api-base",
                   "http://127.0.0.1:9", "--chat-allow-host", "127.0.0.1:8081",
                   "--chat-fetch-timeout", "3"});
  REQUIRE(on.ok());
  CHECK(on->config.chat_listen == "127.0.0.1:0");
  CHECK(on->config.chat_oa_config == "oa.json");
  CHECK(on->config.chat_replay_window_seconds == 60);
  CHECK(on->config.chat_api_base == "http://127.0.0.1:9");
  CHECK(on->config.chat_allow_host == "127.0.0.1:8081");
  CHECK(on->config.chat_fetch_timeout_seconds == 3);

  ScopedEnv listen("CDKV_CHAT_LISTEN", "127.0.0.1:8088");
  ScopedEnv oa("CDKV_CHAT_OA_CONFIG", "deploy/chat-oa.dev.json");
  auto env = Parse({});
  REQUIRE(env.ok());
  CHECK(env->config.chat_listen == "127.0.0.1:8088");
  CHECK(env->config.chat_oa_config == "deploy/chat-oa.dev.json");
}

TEST_CASE("bad chat options say which option is wrong") {
  for (const auto& [args, option] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--chat-listen", "127.0.0.1:0"}, "--chat-oa-config"},
           {{"--chat-listen", "nonsense", "--chat-oa-config", "x"},
            "--chat-listen"},
           {{"--chat-api-base", "ftp://x"}, "--chat-api-base"},
           {{"--chat-allow-host", "10.0.0.1"}, "--chat-allow-host"},
           {{"--chat-replay-window", "0"}, "--chat-replay-window"}}) {
    auto parsed = Parse(args);
    INFO(args[0]);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(parsed.status().message()), Catch::Contains(option));
  }
}

}  // namespace
}  // namespace cdkv::server

namespace cdkv::server {
namespace {

TEST_CASE("the flag --prefill off switches the OCR pre-fill off") {
  auto parsed = Parse({"--prefill", "off"});
  REQUIRE(parsed.ok());
  CHECK(parsed->config.prefill_off);
  auto defaults = Parse({});
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->config.prefill_off);
}

}  // namespace
}  // namespace cdkv::server
