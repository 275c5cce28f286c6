// The front door of the chat webhook, without the HTTP server: parse the body,
// check it belongs to the configured OA and carries a valid, fresh signature.
// The HTTP handler answers HttpStatusFor(status) at once and hands accepted
// events to a worker (ChatStore::MarkSeen drops redeliveries).
#ifndef CDKV_SERVICES_CHAT_WEBHOOK_H_
#define CDKV_SERVICES_CHAT_WEBHOOK_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/chat/signature.h"
#include "services/chat/zalo_event.h"

namespace cdkv::chat {

// One commune's Official Account.
struct OaAccount {
  std::string oa_id;         // recipient.id / oa_id in events
  std::string app_id;        // the Zalo app the webhook is registered for
  std::string secret;        // the OA secret key that signs webhooks
  std::string commune_code;  // where its filings go
};

// INVALID_ARGUMENT: the body is not a well-formed event (ParseZaloEvent).
// UNAUTHENTICATED: wrong app, bad or missing signature, replay (the message
// never says whether the MAC or the app id was wrong first: both are checked).
// PERMISSION_DENIED: signed correctly but addressed to another OA.
absl::StatusOr<ZaloEvent> AuthenticateWebhook(std::string_view signature_header,
                                              std::string_view body, const OaAccount& account,
                                              absl::Time now,
                                              const SignatureOptions& options = {});

// 200 for OK, 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
// 500 otherwise.
int HttpStatusFor(const absl::Status& status);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_WEBHOOK_H_
