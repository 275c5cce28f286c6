#ifndef CDKV_TESTS_SUPPORT_CHILD_PROCESS_H_
#define CDKV_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cdkv::testing {

// How a child ended: exactly one of `exit_code` (>= 0) or `signal` (> 0).
struct ExitStatus {
  int exit_code = -1;
  int signal = 0;

  bool Success() const { return exit_code == 0; }
};

// A subprocess started with fork/exec whose stdout and stderr go to files,
// so a test can inspect what a server printed after the fact. The child is
// SIGKILLed and reaped in the destructor if it is still running, so a failed
// test never leaks a server. Not thread-safe; use from one thread.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is the executable path.
    // Added to (or overriding) the parent's environment.
    std::vector<std::pair<std::string, std::string>> env;
    std::filesystem::path stdout_path;
    std::filesystem::path stderr_path;
  };

  // Fails if the executable cannot be started (the exec error is reported,
  // not a later mysterious exit code 127).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(Options options);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // Polls stdout and stderr until `needle` appears. DEADLINE_EXCEEDED after
  // `timeout`; FAILED_PRECONDITION if the child exits first.
  absl::Status WaitForOutput(std::string_view needle, absl::Duration timeout);

  absl::Status Signal(int signo);
  absl::Status Kill9();

  // Waits for the child to exit and reaps it. DEADLINE_EXCEEDED if it is
  // still running after `timeout` (the child is left running).
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);

  bool Running();
  pid_t pid() const { return pid_; }
  // stdout followed by stderr, for diagnostics in failure messages.
  std::string Output() const;

 private:
  ChildProcess(pid_t pid, Options options)
      : pid_(pid), options_(std::move(options)) {}
  // Non-blocking reap; records the status once the child has exited.
  void Poll();

  pid_t pid_;
  Options options_;
  bool reaped_ = false;
  ExitStatus status_;
};

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_SUPPORT_CHILD_PROCESS_H_
