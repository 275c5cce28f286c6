#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace cdkv::testing {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(10);

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

int OpenOutput(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    Options options) {
  if (options.argv.empty()) {
    return absl::InvalidArgumentError("ChildProcess needs a non-empty argv");
  }
  if (options.stdout_path.empty() || options.stderr_path.empty()) {
    return absl::InvalidArgumentError(
        "ChildProcess needs stdout_path and stderr_path");
  }
  // Everything the child needs is built before fork: after fork in a
  // threaded process only async-signal-safe calls are allowed.
  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env_map[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : options.env) env_map[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env_map) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = options.argv;
  std::vector<char*> argv;
  for (auto& s : argv_copy) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_fd = OpenOutput(options.stdout_path);
  int err_fd = OpenOutput(options.stderr_path);
  int exec_pipe[2] = {-1, -1};
  if (out_fd < 0 || err_fd < 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return absl::InternalError(absl::StrCat("cannot prepare output files for ",
                                            options.argv[0], ": ",
                                            std::strerror(saved)));
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    int saved = errno;
    ::close(out_fd);
    ::close(err_fd);
    ::close(exec_pipe[0]);
    ::close(exec_pipe[1]);
    return absl::ResourceExhaustedError(
        absl::StrCat("fork failed: ", std::strerror(saved)));
  }
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    // The pipe is close-on-exec, so the parent reads EOF on success and our
    // errno on failure.
    int err = errno;
    ssize_t ignored = ::write(exec_pipe[1], &err, sizeof(err));
    (void)ignored;
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_pipe[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (n == sizeof(child_errno)) {
    int wstatus;
    ::waitpid(pid, &wstatus, 0);
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot execute ", options.argv[0], ": ", std::strerror(child_errno)));
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, std::move(options)));
}

ChildProcess::~ChildProcess() {
  Poll();
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    int wstatus;
    ::waitpid(pid_, &wstatus, 0);
  }
}

void ChildProcess::Poll() {
  if (reaped_) return;
  int wstatus = 0;
  pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
  if (r != pid_) return;
  reaped_ = true;
  if (WIFEXITED(wstatus)) {
    status_.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    status_.signal = WTERMSIG(wstatus);
  }
}

bool ChildProcess::Running() {
  Poll();
  return !reaped_;
}

std::string ChildProcess::Output() const {
  return ReadWholeFile(options_.stdout_path) +
         ReadWholeFile(options_.stderr_path);
}

absl::Status ChildProcess::WaitForOutput(std::string_view needle,
                                         absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (Output().find(needle) != std::string::npos) return absl::OkStatus();
    if (!Running()) {
      return absl::FailedPreconditionError(
          absl::StrCat(options_.argv[0], " exited before printing \"",
                       std::string(needle), "\"; its output:\n", Output()));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          options_.argv[0], " did not print \"", std::string(needle),
          "\" within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::Status ChildProcess::Signal(int signo) {
  if (!Running()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "process ", pid_, " has already exited; cannot send signal ", signo));
  }
  if (::kill(pid_, signo) != 0) {
    return absl::InternalError(
        absl::StrCat("kill(", pid_, ", ", signo, "): ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status ChildProcess::Kill9() { return Signal(SIGKILL); }

absl::StatusOr<ExitStatus> ChildProcess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (Running()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "process ", pid_, " (", options_.argv[0], ") still running after ",
          absl::FormatDuration(timeout)));
    }
    absl::SleepFor(kPollInterval);
  }
  return status_;
}

}  // namespace cdkv::testing
