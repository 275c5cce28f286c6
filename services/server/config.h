#ifndef CDKV_SERVICES_SERVER_CONFIG_H_
#define CDKV_SERVICES_SERVER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/log.h"

namespace cdkv::server {

// Everything the server process can be told, from flags or CDKV_* environment
// variables. Flags win over the environment; the environment wins over the
// defaults.
struct ServerConfig {
  // host:port for gRPC. Port 0 picks a free port (tests); the chosen one is
  // printed.
  std::string listen_address = "127.0.0.1:50051";
  // Where the record store and the photo blobs live.
  std::string data_dir = "var/cdkv";
  // Where the procedure catalog and the communes/desks data live.
  std::string catalog_dir = CDKV_DEFAULT_CATALOG_DIR;
  // host:port of Redis. Empty means none is configured: deploy/run.sh starts a
  // local one.
  std::string redis_address;
  // OCR worker threads (each with its own Tesseract); 0 runs no OCR in this
  // process.
  int ocr_workers = 2;
  // Pre-fill off (--prefill off): submitted filings go straight to their desk
  // with an empty form flagged for the officer, and no OCR runs.
  bool prefill_off = false;
  // Where citizen notifications are POSTed (an SMS / Zalo gateway); empty:
  // in-app only.
  std::string notify_webhook;
  // The largest photo accepted, in bytes.
  int64_t max_upload_bytes = 20 * 1024 * 1024;
  // Threads per service running unary handlers; each waits out its group
  // commit, so this bounds the writes that can share one fsync.
  int handler_threads = 64;
  // How long SIGTERM waits for in-flight calls before cancelling them.
  int drain_seconds = 10;
  // Chat intake (Zalo-style OA webhook). Empty chat_listen: no webhook.
  // host:port of the webhook's HTTP server; port 0 picks a free one (tests).
  std::string chat_listen;
  // JSON file: a list of {"oa_id","app_id","secret","commune_code",
  // "access_token"}, one per commune Official Account.
  std::string chat_oa_config;
  // Webhook events older than this are refused as replays.
  int chat_replay_window_seconds = 300;
  // Base URL of the OA message API (tests: a local server).
  std::string chat_api_base = "https://openapi.zalo.me";
  // How long one attachment download may take.
  int chat_fetch_timeout_seconds = 15;
  // Chat intake threads: different chat users are served in parallel, each
  // user's messages in order.
  int chat_workers = 4;
  // The one private host:port attachment URLs may point at (tests only).
  std::string chat_allow_host;
  LogLevel log_level = LogLevel::kInfo;
  // Development mode: sign-in codes are also written to the log.
  bool development = false;
};

// The outcome of reading the command line: either a configuration, or help to
// print.
struct CommandLine {
  bool show_help = false;
  std::string help_text;
  ServerConfig config;
};

// Reads flags and environment. An unknown flag or a bad value is
// INVALID_ARGUMENT with a message that names the flag (or variable) and says
// what is wrong.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv);

// Checks "host:port" / "[v6]:port". Port 0 is accepted only when
// allow_port_zero.
absl::Status ValidateHostPort(const std::string& address, bool allow_port_zero);

}  // namespace cdkv::server

#endif  // CDKV_SERVICES_SERVER_CONFIG_H_
