#include "services/server/config.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <exception>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cdkv::server {

absl::Status ValidateHostPort(const std::string& address,
                              bool allow_port_zero) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", address, "' is not host:port (for example 127.0.0.1:50051)"));
  }
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", address,
          "': an IPv6 host must be written in brackets, like [::1]:50051"));
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", address,
        "': an IPv6 host must be written in brackets, like [::1]:50051"));
  }
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
          c == ':' || c == '_')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", address, "': the host has a character '", std::string(1, c),
          "' that no host name or address has"));
    }
  }
  int port = 0;
  if (port_text.empty() || port_text.size() > 5 ||
      !absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535 ||
      !std::isdigit(static_cast<unsigned char>(port_text.front()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", address, "': the port must be a number from 1 to 65535"));
  }
  if (port == 0 && !allow_port_zero) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "': port 0 is not allowed here"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CommandLine> ParseCommandLine(int argc,
                                             const char* const* argv) {
  CommandLine result;
  ServerConfig& config = result.config;
  std::string log_level = "info";
  int64_t max_upload_mib = config.max_upload_bytes / (1024 * 1024);

  CLI::App app{
      "cdkv-server: the 'Công dân không viết' backend (gRPC API for citizens, "
      "commune desks and supervisors).",
      "cdkv-server"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", config.listen_address,
                 "gRPC address host:port; port 0 picks a free one")
      ->envname("CDKV_LISTEN");
  app.add_option("--data-dir", config.data_dir,
                 "folder for the record store and photo blobs")
      ->envname("CDKV_DATA_DIR");
  app.add_option("--catalog-dir", config.catalog_dir,
                 "folder with procedures.json and lap_vo.json")
      ->envname("CDKV_CATALOG_DIR");
  app.add_option("--redis", config.redis_address,
                 "Redis host:port (empty: none configured)")
      ->envname("CDKV_REDIS");
  app.add_option("--ocr-workers", config.ocr_workers,
                 "OCR worker threads in this process (0: none)")
      ->envname("CDKV_OCR_WORKERS")
      ->check(CLI::Range(0, 32));
  std::string prefill = "ocr";
  app.add_option("--prefill", prefill,
                 "ocr: read the photos and pre-fill the form; off: send "
                 "filings to the desk with an empty form for the officer")
      ->envname("CDKV_PREFILL")
      ->check(CLI::IsMember({"ocr", "off"}));
  app.add_option(
         "--notify-webhook", config.notify_webhook,
         "URL that citizen notifications are POSTed to (empty: in-app only)")
      ->envname("CDKV_NOTIFY_WEBHOOK");
  app.add_option("--max-upload-mib", max_upload_mib,
                 "largest photo accepted, in MiB")
      ->envname("CDKV_MAX_UPLOAD_MIB")
      ->check(CLI::Range(1, 100));
  app.add_option("--handler-threads", config.handler_threads,
                 "threads per service for request handlers; a write holds one "
                 "until its group commit is on disk")
      ->envname("CDKV_HANDLER_THREADS")
      ->check(CLI::Range(1, 1024));
  app.add_option("--drain-seconds", config.drain_seconds,
                 "how long SIGTERM waits for in-flight calls")
      ->envname("CDKV_DRAIN_SECONDS")
      ->check(CLI::Range(0, 600));
  app.add_option("--chat-listen", config.chat_listen,
                 "chat webhook (POST /zalo/webhook) address host:port; empty: "
                 "no chat intake")
      ->envname("CDKV_CHAT_LISTEN");
  app.add_option("--chat-oa-config", config.chat_oa_config,
                 "JSON list of Official Accounts: oa_id, app_id, secret, "
                 "commune_code, access_token")
      ->envname("CDKV_CHAT_OA_CONFIG");
  app.add_option("--chat-replay-window", config.chat_replay_window_seconds,
                 "seconds after which a webhook event is refused as a replay")
      ->envname("CDKV_CHAT_REPLAY_WINDOW")
      ->check(CLI::Range(10, 3600));
  app.add_option("--chat-api-base", config.chat_api_base,
                 "base URL of the OA message API")
      ->envname("CDKV_CHAT_API_BASE");
  app.add_option("--chat-fetch-timeout", config.chat_fetch_timeout_seconds,
                 "seconds one chat attachment download may take")
      ->envname("CDKV_CHAT_FETCH_TIMEOUT")
      ->check(CLI::Range(1, 120));
  app.add_option("--chat-workers", config.chat_workers,
                 "chat intake threads (different chat users in parallel)")
      ->envname("CDKV_CHAT_WORKERS")
      ->check(CLI::Range(1, 64));
  app.add_option("--chat-allow-host", config.chat_allow_host,
                 "one private host:port that attachment URLs may point at "
                 "(tests only)")
      ->envname("CDKV_CHAT_ALLOW_HOST");
  app.add_option("--log-level", log_level, "debug, info, warning or error")
      ->envname("CDKV_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  app.add_flag("--dev", config.development,
               "development mode: sign-in codes are also logged")
      ->envname("CDKV_DEV");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    result.show_help = true;
    result.help_text = app.help();
    return result;
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(e.what(), " (run cdkv-server --help for the options)"));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(e.what());
  }

  config.prefill_off = prefill == "off";
  if (absl::Status s = ValidateHostPort(config.listen_address, true); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen / CDKV_LISTEN: ", s.message()));
  }
  if (!config.redis_address.empty()) {
    if (absl::Status s = ValidateHostPort(config.redis_address, false);
        !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--redis / CDKV_REDIS: ", s.message()));
    }
  }
  if (!config.notify_webhook.empty() &&
      config.notify_webhook.rfind("http://", 0) != 0 &&
      config.notify_webhook.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError(
        "--notify-webhook / CDKV_NOTIFY_WEBHOOK: must start with http:// or "
        "https://");
  }
  if (!config.chat_listen.empty()) {
    if (absl::Status s = ValidateHostPort(config.chat_listen, true); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--chat-listen / CDKV_CHAT_LISTEN: ", s.message()));
    }
    if (config.chat_oa_config.empty()) {
      return absl::InvalidArgumentError(
          "--chat-oa-config / CDKV_CHAT_OA_CONFIG: the chat webhook needs "
          "the Official Accounts it serves");
    }
  }
  if (config.chat_api_base.rfind("http://", 0) != 0 &&
      config.chat_api_base.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError(
        "--chat-api-base / CDKV_CHAT_API_BASE: must start with http:// or "
        "https://");
  }
  if (!config.chat_allow_host.empty()) {
    if (absl::Status s = ValidateHostPort(config.chat_allow_host, false);
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--chat-allow-host / CDKV_CHAT_ALLOW_HOST: ", s.message()));
    }
  }
  if (config.data_dir.empty()) {
    return absl::InvalidArgumentError(
        "--data-dir / CDKV_DATA_DIR: must name a folder");
  }
  config.max_upload_bytes = max_upload_mib * 1024 * 1024;
  ParseLogLevel(log_level, &config.log_level);
  return result;
}

}  // namespace cdkv::server
