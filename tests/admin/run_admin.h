#ifndef CDKV_TESTS_ADMIN_RUN_ADMIN_H_
#define CDKV_TESTS_ADMIN_RUN_ADMIN_H_

// Runs the real cdkv-admin binary the way an operator would, but in a new
// session without a controlling terminal, with `input` as standard input;
// and signs staff in over the test stack's real gRPC channel.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/api/stack.h"

extern char** environ;

namespace cdkv::testing {

struct AdminRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline AdminRun RunAdmin(
    const std::filesystem::path& scratch, const std::vector<std::string>& args,
    const std::string& input = "",
    const std::vector<std::pair<std::string, std::string>>& env = {}) {
  static int counter = 0;
  const std::string base =
      (scratch / ("admin" + std::to_string(++counter))).string();
  const std::string in_path = base + ".in", out_path = base + ".out",
                    err_path = base + ".err";
  {
    std::ofstream in(in_path, std::ios::binary);
    in << input;
  }
  // Everything the child needs is built before fork: the test process has
  // gRPC threads, so the child may only make async-signal-safe calls.
  std::vector<std::string> argv_text = {CDKV_ADMIN_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& [name, value] : env) {
      overridden |= entry.rfind(name + "=", 0) == 0;
    }
    if (!overridden) env_text.push_back(entry);
  }
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setsid();  // No controlling terminal: /dev/tty cannot be opened.
    const int in = open(in_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  AdminRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadAll(out_path);
  run.err = ReadAll(err_path);
  return run;
}

struct StaffSignIn {
  grpc::Status status;
  std::string token;
};

inline StaffSignIn SignInAs(Stack& stack, const std::string& username,
                            const std::string& password) {
  cdkv::v1::SignInWithPasswordRequest request;
  request.set_username(username);
  request.set_password(password);
  cdkv::v1::SignInWithPasswordResponse response;
  grpc::ClientContext context;
  StaffSignIn result;
  result.status =
      stack.auth()->SignInWithPassword(&context, request, &response);
  result.token = response.session().token();
  return result;
}

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_ADMIN_RUN_ADMIN_H_
