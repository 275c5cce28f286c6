#include "common/log.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

namespace cdkv {
namespace {

TEST_CASE("a line has time, level, event and fields in logfmt") {
  const std::string line = FormatLogLine(
      LogLevel::kWarning, "queue.redelivered",
      {{"filing", "LV-1"}, {"attempt", 3}, {"ok", true}, {"ratio", 0.5}});
  CHECK_THAT(line, Catch::StartsWith("ts=20"));
  CHECK_THAT(line,
             Catch::Contains(" level=warning event=queue.redelivered "
                             "filing=LV-1 attempt=3 ok=true ratio=0.5\n"));
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("hostile values cannot forge fields or lines") {
  const std::string line = FormatLogLine(
      LogLevel::kInfo, "auth.failed",
      {{"user", "x level=error\nts=forged \"q\" \\ \x01"}, {"empty", ""}});
  CHECK(line.find('\n') == line.size() - 1);
  CHECK_THAT(line,
             Catch::Contains(
                 "user=\"x level=error\\nts=forged \\\"q\\\" \\\\ \\x01\""));
  CHECK_THAT(line, Catch::Contains("empty=\"\""));
  // Vietnamese text stays readable, not escaped byte by byte.
  CHECK_THAT(FormatLogLine(LogLevel::kInfo, "x", {{"name", "Nguyễn Văn An"}}),
             Catch::Contains("name=\"Nguyễn Văn An\""));
}

TEST_CASE("levels parse and filter") {
  LogLevel level = LogLevel::kInfo;
  CHECK(ParseLogLevel("error", &level));
  CHECK(level == LogLevel::kError);
  CHECK_FALSE(ParseLogLevel("ERROR!", &level));

  int fds[2];
  REQUIRE(pipe(fds) == 0);
  SetLogFd(fds[1]);
  SetLogLevel(LogLevel::kWarning);
  LogInfo("dropped");
  LogWarning("kept");
  SetLogFd(STDERR_FILENO);
  SetLogLevel(LogLevel::kInfo);
  close(fds[1]);
  char buffer[512] = {};
  const ssize_t n = read(fds[0], buffer, sizeof(buffer) - 1);
  close(fds[0]);
  REQUIRE(n > 0);
  const std::string written(buffer, static_cast<size_t>(n));
  CHECK_THAT(written, Catch::Contains("event=kept"));
  CHECK_THAT(written, !Catch::Contains("event=dropped"));
}

}  // namespace
}  // namespace cdkv
