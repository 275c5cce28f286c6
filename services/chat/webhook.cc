#include "services/chat/webhook.h"

#include <sodium.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::chat {
namespace {

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

absl::StatusOr<ZaloEvent> AuthenticateWebhook(std::string_view signature_header,
                                              std::string_view body, const OaAccount& account,
                                              absl::Time now,
                                              const SignatureOptions& options) {
  absl::StatusOr<ZaloEvent> event = ParseZaloEvent(body);
  if (!event.ok()) return event.status();
  // The MAC is computed with our app id, so an event for another app fails it;
  // the explicit check just makes the reason clear in logs.
  absl::Status signature =
      VerifyZaloSignature(signature_header, account.app_id, body, event->timestamp_text,
                          event->timestamp_ms, account.secret, now, options);
  if (!signature.ok()) return signature;
  if (!SameText(event->app_id, account.app_id)) {
    return absl::UnauthenticatedError("zalo webhook: event is for another app");
  }
  if (!event->recipient_id.empty() && event->recipient_id != account.oa_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("zalo webhook: event is addressed to OA ", event->recipient_id,
                     ", not ", account.oa_id));
  }
  return event;
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    default: return 500;
  }
}

}  // namespace cdkv::chat
