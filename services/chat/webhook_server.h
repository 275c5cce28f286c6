// The chat webhook's HTTP endpoint, beside gRPC in the server process:
//   POST /zalo/webhook
// The event is parsed, matched to its OA (by recipient, else app id) and
// authenticated (AuthenticateWebhook: signature, replay window); a refused
// event is answered 400/401/403 with nothing stored. An accepted event is
// stored in the ChatStore inbox (with its msg_id mark, one transaction)
// before the 200, then `on_accepted` wakes the intake worker. Events we do not
// act on (unknown names, unfollow) are answered 200 and not stored; a
// redelivered msg_id is answered 200 and not stored again.
#ifndef CDKV_SERVICES_CHAT_WEBHOOK_SERVER_H_
#define CDKV_SERVICES_CHAT_WEBHOOK_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/chat/chat_store.h"
#include "services/chat/signature.h"
#include "services/chat/webhook.h"

namespace cdkv::chat {

inline constexpr char kWebhookPath[] = "/zalo/webhook";

class WebhookServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8088";  // host:port; port 0 picks one
    std::vector<OaAccount> accounts;
    SignatureOptions signature;
    std::function<void()> on_accepted = [] {};
    std::function<absl::Time()> clock = [] { return absl::Now(); };
    int threads = 4;
  };

  // Binds and starts serving. UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<WebhookServer>> Start(ChatStore& store, Options options);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Stops taking requests; requests in flight finish first. Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://host:port/zalo/webhook"
  std::string url() const;

 private:
  struct Impl;
  WebhookServer() = default;

  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_ = 0;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_WEBHOOK_SERVER_H_
