#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/free_port.h"

namespace cdkv::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::Duration kStopTimeout = absl::Seconds(5);
constexpr int kStartAttempts = 3;

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(
    Options options) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  if (!dir.ok()) return dir.status();
  std::unique_ptr<RedisServer> server(
      new RedisServer(std::move(options), *std::move(dir)));
  absl::Status last;
  // The free port can be taken by someone else before redis binds it; a
  // fresh port on the next attempt makes that race harmless.
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    server->port_ = *port;
    last = server->Launch();
    if (last.ok()) return server;
  }
  return last;
}

RedisServer::~RedisServer() {
  if (process_ != nullptr) (void)Stop();
}

std::string RedisServer::Log() const {
  std::ifstream in(dir_.path() / "redis.log", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

absl::Status RedisServer::Launch() {
  ChildProcess::Options child;
  child.argv = {options_.executable,
                "--port",
                absl::StrCat(port_),
                "--bind",
                host_,
                "--dir",
                dir_.path().string(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--protected-mode",
                "no"};
  for (const std::string& arg : options_.extra_args) child.argv.push_back(arg);
  child.stdout_path = dir_.path() / "redis.log";
  child.stderr_path = dir_.path() / "redis.err";
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(std::move(child));
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  absl::Status ready = WaitUntilReady();
  if (!ready.ok()) process_.reset();  // Kills and reaps it.
  return ready;
}

absl::Status RedisServer::WaitUntilReady() {
  absl::Time deadline = absl::Now() + kStartTimeout;
  while (true) {
    if (!process_->Running()) {
      return absl::UnavailableError(absl::StrCat("redis-server on port ", port_,
                                                 " exited during startup:\n",
                                                 process_->Output()));
    }
    if (SendCommand("PING").ok()) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "redis-server on port ", port_, " did not answer PING ", "within ",
          absl::FormatDuration(kStartTimeout), ":\n", process_->Output()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::Status RedisServer::SendCommand(const char* command) {
  redisContext* ctx = redisConnectWithTimeout(
      host_.c_str(), port_, absl::ToTimeval(absl::Milliseconds(200)));
  if (ctx == nullptr) return absl::ResourceExhaustedError("out of memory");
  absl::Status status;
  if (ctx->err != 0) {
    status = absl::UnavailableError(ctx->errstr);
  } else {
    redisSetTimeout(ctx, absl::ToTimeval(absl::Seconds(5)));
    auto* reply = static_cast<redisReply*>(redisCommand(ctx, command));
    if (reply == nullptr) {
      status = absl::UnavailableError(ctx->errstr);
    } else {
      if (reply->type == REDIS_REPLY_ERROR) {
        status =
            absl::InternalError(absl::StrCat(command, " failed: ", reply->str));
      }
      freeReplyObject(reply);
    }
  }
  redisFree(ctx);
  return status;
}

absl::Status RedisServer::Stop() {
  if (process_ == nullptr) return absl::OkStatus();
  // A failed SIGTERM means the server already died; Wait reaps it either way.
  (void)process_->Signal(SIGTERM);
  (void)process_->Signal(SIGCONT);  // A paused server must wake to exit.
  absl::StatusOr<ExitStatus> exit = process_->Wait(kStopTimeout);
  if (!exit.ok()) {
    (void)process_->Kill9();
    exit = process_->Wait(kStopTimeout);
  }
  process_.reset();
  return exit.status();
}

absl::Status RedisServer::Kill9() {
  if (process_ == nullptr) {
    return absl::FailedPreconditionError("redis-server is not running");
  }
  absl::Status status = process_->Kill9();
  process_.reset();
  return status;
}

absl::Status RedisServer::Signal(int signo) {
  if (process_ == nullptr) {
    return absl::FailedPreconditionError("redis-server is not running");
  }
  return process_->Signal(signo);
}

absl::Status RedisServer::Restart(bool wipe_data) {
  if (process_ != nullptr && !wipe_data) {
    // Persistence is off, so shutdown alone would drop the data set.
    absl::Status saved = SendCommand("SAVE");
    if (!saved.ok()) return saved;
  }
  absl::Status stopped = Stop();
  if (!stopped.ok()) return stopped;
  if (wipe_data) {
    std::error_code ec;
    std::filesystem::remove(dir_.path() / "dump.rdb", ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot wipe redis data: ", ec.message()));
    }
  }
  return Launch();
}

}  // namespace cdkv::testing
