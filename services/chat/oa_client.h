// Outbound messages to a chat user through the Official Account message API,
// in the shape of Zalo OA's v3 API:
//   POST {base}/v3.0/oa/message/cs           customer-service text
//   POST {base}/v3.0/oa/message/transaction  template (the pickup notice)
// with header `access_token`, body {"recipient":{"user_id":…},"message":{…}},
// answer {"error":0,"message":"Success","data":{"message_id":…}}.
// 5xx, 429 and network errors are retried with exponential backoff; anything
// else is returned at once with a clear error. Dead-lettering after the last
// attempt is the caller's job (the error says which kind it was).
#ifndef CDKV_SERVICES_CHAT_OA_CLIENT_H_
#define CDKV_SERVICES_CHAT_OA_CLIENT_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cdkv::chat {

struct OaClientOptions {
  std::string base_url = "https://openapi.zalo.me";  // scheme://host[:port][/prefix]
  std::string access_token;
  absl::Duration timeout = absl::Seconds(10);  // per attempt
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(8);
};

// What the citizen needs to come once: where, when, what to bring, the code.
struct PickupNotice {
  std::string filing_id;
  std::string procedure_name_vi;
  std::string place_vi;
  std::string when_vi;
  std::string bring_vi;
  std::string pickup_code;
};

inline constexpr size_t kMaxOaTextChars = 2000;

class OaClient {
 public:
  using SleepFn = std::function<void(absl::Duration)>;

  // `sleep` waits between attempts; tests pass one that records and returns.
  explicit OaClient(OaClientOptions options, SleepFn sleep = nullptr);

  // Returns the message id the API assigned. INVALID_ARGUMENT for an empty
  // user id or an empty/oversize text (nothing sent); FAILED_PRECONDITION
  // with no access token, for a 4xx or an API error code; UNAVAILABLE after
  // max_attempts retryable failures.
  absl::StatusOr<std::string> SendText(std::string_view user_id, std::string_view text);
  absl::StatusOr<std::string> SendPickupNotice(std::string_view user_id,
                                               const PickupNotice& notice);

 private:
  absl::StatusOr<std::string> Post(std::string_view path, const std::string& body);
  absl::StatusOr<std::string> PostOnce(std::string_view path, const std::string& body,
                                       bool* retryable);

  OaClientOptions options_;
  SleepFn sleep_;
  std::string origin_;  // scheme://host:port
  std::string prefix_;  // path prefix from base_url, without trailing '/'
  absl::Status config_error_;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_OA_CLIENT_H_
