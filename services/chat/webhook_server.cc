#include "services/chat/webhook_server.h"

#include <httplib.h>

#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/chat/zalo_event.h"

namespace cdkv::chat {
namespace {

void Answer(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(absl::StrCat("{\"error\":", status == 200 ? 0 : status, ",\"message\":\"",
                               absl::string_view(message.data(), message.size()), "\"}"),
                  "application/json");
}

}  // namespace

struct WebhookServer::Impl {
  ChatStore* store = nullptr;
  Options options;
  httplib::Server server;
  std::thread thread;
  bool stopped = false;

  const OaAccount* FindAccount(const ZaloEvent& event) const {
    for (const OaAccount& a : options.accounts) {
      if (!event.recipient_id.empty() ? a.oa_id == event.recipient_id : a.app_id == event.app_id) {
        return &a;
      }
    }
    return nullptr;
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    const absl::Time now = options.clock();
    // Parsed once here only to find the OA; AuthenticateWebhook parses again
    // and is the one that decides.
    absl::StatusOr<ZaloEvent> parsed = ParseZaloEvent(req.body);
    if (!parsed.ok()) {
      LogInfo("chat.webhook_refused", {{"status", 400}, {"error", parsed.status().ToString()}});
      Answer(res, 400, "malformed event");
      return;
    }
    const OaAccount* account = FindAccount(*parsed);
    if (account == nullptr) {
      LogWarning("chat.webhook_refused", {{"status", 401}, {"error", "unknown OA or app"}});
      Answer(res, 401, "unknown official account");
      return;
    }
    absl::StatusOr<ZaloEvent> event = AuthenticateWebhook(
        req.get_header_value("X-ZEvent-Signature"), req.body, *account, now, options.signature);
    if (!event.ok()) {
      const int status = HttpStatusFor(event.status());
      LogWarning(
          "chat.webhook_refused",
          {{"status", status}, {"oa", account->oa_id}, {"error", event.status().ToString()}});
      Answer(res, status, status == 401 ? "bad signature" : "refused");
      return;
    }
    if (event->kind == ZaloEventKind::kIgnored || event->kind == ZaloEventKind::kUnfollow) {
      Answer(res, 200, "ignored");
      return;
    }
    // Follow events carry no msg_id; their signed timestamp identifies them.
    const std::string key = !event->msg_id.empty()
                                ? event->msg_id
                                : absl::StrCat(event->event_name, ":", event->timestamp_text);
    absl::StatusOr<bool> fresh =
        store->Accept(account->oa_id, event->sender_id, key, req.body, now);
    if (!fresh.ok()) {
      // Zalo retries a webhook that failed: nothing is lost.
      LogError("chat.webhook_store_failed", {{"error", fresh.status().ToString()}});
      Answer(res, 503, "try again");
      return;
    }
    Answer(res, 200, *fresh ? "accepted" : "duplicate");
    if (*fresh) options.on_accepted();
  }
};

absl::StatusOr<std::unique_ptr<WebhookServer>> WebhookServer::Start(ChatStore& store,
                                                                    Options options) {
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("chat webhook address '", options.listen, "' is not host:port"));
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  std::unique_ptr<WebhookServer> server(new WebhookServer());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.store = &store;
  impl.options = std::move(options);
  const int threads = impl.options.threads;
  impl.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl.server.set_payload_max_length(kMaxEventBodyBytes);
  // Without it Nagle holds the small reply until the client's delayed ACK,
  // capping a keep-alive connection at a few dozen events a second.
  impl.server.set_tcp_nodelay(true);
  impl.server.set_read_timeout(10, 0);
  impl.server.set_write_timeout(10, 0);
  impl.server.Post(kWebhookPath, [&impl](const httplib::Request& req, httplib::Response& res) {
    impl.Handle(req, res);
  });
  const int bound = port == 0 ? impl.server.bind_to_any_port(host)
                              : (impl.server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for the chat webhook on ", impl.options.listen,
                     ": the address is in use or not an address of this machine"));
  }
  server->host_ = host.find(':') != std::string::npos ? absl::StrCat("[", host, "]") : host;
  server->port_ = bound;
  impl.thread = std::thread([&impl] { impl.server.listen_after_bind(); });
  // stop() is lost if it comes before the accept loop runs.
  for (int i = 0; i < 5000 && !impl.server.is_running(); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  LogInfo("chat.webhook_listening", {{"url", server->url()}});
  return server;
}

void WebhookServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

WebhookServer::~WebhookServer() { Stop(); }

std::string WebhookServer::url() const {
  return absl::StrCat("http://", host_, ":", port_, kWebhookPath);
}

}  // namespace cdkv::chat
