// cdkv-server: the process a commune, district or province runs.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/server/config.h"
#include "services/server/server.h"

namespace {

// Blocks the stop signals in this thread before gRPC starts its threads, so
// every thread inherits the mask and only sigwait below ever receives them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<cdkv::server::CommandLine> command_line =
      cdkv::server::ParseCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::fprintf(stderr, "cdkv-server: %s\n",
                 std::string(command_line.status().message()).c_str());
    return 2;
  }
  if (command_line->show_help) {
    std::fputs(command_line->help_text.c_str(), stdout);
    return 0;
  }
  const cdkv::server::ServerConfig& config = command_line->config;
  cdkv::SetLogLevel(config.log_level);

  const sigset_t stop_signals = BlockStopSignals();
  absl::StatusOr<std::unique_ptr<cdkv::server::Server>> server =
      cdkv::server::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "cdkv-server: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  // The one line a person starting the service needs; scripts wait for it.
  std::printf(
      "cdkv-server: serving gRPC on %s (health checking and reflection on)\n"
      "  try: grpcurl -plaintext %s list\n",
      (*server)->address().c_str(), (*server)->address().c_str());
  if (const std::string chat = (*server)->app().chat_webhook_url();
      !chat.empty()) {
    std::printf("cdkv-server: chat webhook on %s (POST, Zalo OA events)\n",
                chat.c_str());
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  cdkv::LogInfo("server.signal", {{"signal", signal_number}});
  (*server)->Shutdown(absl::Seconds(config.drain_seconds));
  return 0;
}
