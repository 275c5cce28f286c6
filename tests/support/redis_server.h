#ifndef CDKV_TESTS_SUPPORT_REDIS_SERVER_H_
#define CDKV_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace cdkv::testing {

// A private redis-server on a free loopback port with its own data
// directory, so tests never touch a Redis they did not start. Persistence is
// off by default (`--save "" --appendonly no`). Stopped in the destructor.
class RedisServer {
 public:
  struct Options {
    std::string executable = "/usr/bin/redis-server";
    // Appended to the command line, e.g. {"--maxmemory", "1mb"}.
    std::vector<std::string> extra_args;
  };

  // Returns once the server answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(Options options);
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start() {
    return Start(Options());
  }

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  // Stops the server and starts it again on the same port. With
  // `wipe_data` the new server starts empty (what a Redis that lost its
  // memory looks like to clients); without it, the data set is saved to disk
  // first and loaded again.
  absl::Status Restart(bool wipe_data);
  // Graceful shutdown (SIGTERM, then SIGKILL after a few seconds). Clients
  // then see connection errors, as with a Redis outage.
  absl::Status Stop();
  // Crash without saving.
  absl::Status Kill9();
  // E.g. SIGSTOP to make the server hang with its socket open, SIGCONT to
  // wake it.
  absl::Status Signal(int signo);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  bool running() const { return process_ != nullptr; }
  // What redis-server logged, for failure messages.
  std::string Log() const;

 private:
  RedisServer(Options options, TempDir dir)
      : options_(std::move(options)), dir_(std::move(dir)) {}
  absl::Status Launch();
  absl::Status WaitUntilReady();
  absl::Status SendCommand(const char* command);

  Options options_;
  TempDir dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_SUPPORT_REDIS_SERVER_H_
