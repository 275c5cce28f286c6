// The X-ZEvent-Signature check on Zalo OA webhooks:
//   X-ZEvent-Signature: mac=<hex>,  hex = SHA-256(app_id + raw body + timestamp + OA secret)
// compared in constant time, plus a replay window on the event's timestamp.
#ifndef CDKV_SERVICES_CHAT_SIGNATURE_H_
#define CDKV_SERVICES_CHAT_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cdkv::chat {

struct SignatureOptions {
  // Events whose timestamp is older than this are refused as replays.
  absl::Duration max_age = absl::Minutes(5);
  // Events stamped further than this in the future are refused too (clock
  // skew between Zalo and us is allowed up to this much).
  absl::Duration max_future = absl::Minutes(1);
};

// Lowercase hex SHA-256 of app_id + body + timestamp + secret (what Zalo sends
// after "mac="). Tests and fake senders use it to sign.
std::string ZaloMacHex(std::string_view app_id, std::string_view raw_body,
                       std::string_view timestamp_text, std::string_view oa_secret);

// Checks `header` (the X-ZEvent-Signature value) against the body. `app_id`
// and `timestamp_text` are the values from the parsed body (ZaloEvent), the
// timestamp as written there; `timestamp_ms` is the same value as a number.
// Missing header, wrong prefix, malformed hex, wrong MAC or an empty secret
// are UNAUTHENTICATED; a timestamp outside the window is UNAUTHENTICATED
// with "replay" in the message. The MAC is checked before the time, so an
// unsigned request learns nothing about the window.
absl::Status VerifyZaloSignature(std::string_view header, std::string_view app_id,
                                 std::string_view raw_body, std::string_view timestamp_text,
                                 int64_t timestamp_ms, std::string_view oa_secret,
                                 absl::Time now, const SignatureOptions& options = {});

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_SIGNATURE_H_
