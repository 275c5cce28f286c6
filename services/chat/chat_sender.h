// Durable outbound chat messages. Every reply and notice to a chat user is
// first written to its own SQLite file (e.g. <data dir>/chat_outbox.db), then
// sent by one background thread through OaClient. Why a table and not a plain
// call: the OA API is remote and flaky, a webhook must be answered at once,
// and a pickup notice must not be lost by a restart.
//
// Rules the sending thread keeps:
//  - Messages to one (OA, user) go out in the order they were enqueued: only
//    the oldest pending message of a user is ever tried, so a reply waiting
//    for a retry holds back the next one instead of being overtaken.
//  - A retryable failure (5xx, 429, timeout, unreachable) sets the row's
//    next_attempt_at with exponential backoff, so a restart resumes where it
//    stopped; after max_attempts the message is dead-lettered.
//  - A refusal (4xx, an API error code, no access token for the OA) is
//    dead-lettered at once with the error: retrying cannot help.
//  - Delivery is at least once: a crash between the API's answer and the
//    row update sends that message again after the restart.
#ifndef CDKV_SERVICES_CHAT_CHAT_SENDER_H_
#define CDKV_SERVICES_CHAT_CHAT_SENDER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/chat/oa_client.h"
#include "services/store/sqlite.h"

namespace cdkv::chat {

// Where a chat message goes: the commune's Official Account and the user's
// id as that OA sees it.
struct ChatAddress {
  std::string oa_id;
  std::string user_id;
};

struct DeadLetter {
  int64_t id;
  ChatAddress to;
  std::string kind;     // "text" or "pickup"
  std::string payload;  // the text, or the pickup notice as JSON
  std::string error;
  int attempts;
  absl::Time at;  // when it was dead-lettered
};

class ChatSender {
 public:
  struct Options {
    std::string db_path;
    std::string api_base_url = "https://openapi.zalo.me";
    std::map<std::string, std::string> access_tokens;  // oa_id -> token
    int max_attempts = 5;
    absl::Duration initial_backoff = absl::Seconds(1);
    absl::Duration max_backoff = absl::Minutes(5);
    absl::Duration http_timeout = absl::Seconds(10);
    // Sent messages are deleted this long after sending (dead letters are
    // kept), so the file does not grow forever; a dedupe key is remembered
    // that long.
    absl::Duration keep_sent = absl::Hours(24 * 30);
  };

  // Opens (creating if needed) and migrates the file. Does not start sending.
  static absl::StatusOr<std::unique_ptr<ChatSender>> Open(Options options);

  ChatSender(const ChatSender&) = delete;
  ChatSender& operator=(const ChatSender&) = delete;
  ~ChatSender();  // Stops the thread.

  // Stored durably before returning; a repeated dedupe_key is a no-op (OK).
  // INVALID_ARGUMENT (nothing stored) for an empty address, an empty text, a
  // text over kMaxOaTextChars characters or an empty dedupe key.
  absl::Status EnqueueText(const ChatAddress& to, std::string_view text,
                           std::string_view dedupe_key);
  absl::Status EnqueuePickupNotice(const ChatAddress& to,
                                   const PickupNotice& notice,
                                   std::string_view dedupe_key);

  // The sending thread; Stop waits for it (an HTTP attempt in flight is
  // finished first, bounded by http_timeout). Both are idempotent.
  void Start();
  void Stop();

  // Most recent first.
  absl::StatusOr<std::vector<DeadLetter>> DeadLetters(int limit);

  // Messages neither sent nor dead-lettered (for health checks and tests).
  absl::StatusOr<int64_t> PendingCount();

 private:
  struct Pending;

  ChatSender(Options options, store::Database db);
  absl::Status Enqueue(const ChatAddress& to, std::string_view kind,
                       std::string_view payload, std::string_view dedupe_key);
  void Run();
  // Tries each user's oldest pending message that is due; returns when the
  // next one falls due (InfiniteFuture if none is pending).
  absl::Time SendDue();
  absl::StatusOr<std::vector<Pending>> DueHeads(absl::Time now,
                                                absl::Time* next_due);
  absl::Status Record(const Pending& p, const absl::StatusOr<std::string>& sent,
                      absl::Time now);
  absl::StatusOr<std::string> SendOne(const Pending& p);
  absl::Status PruneSent(absl::Time now);

  const Options options_;

  absl::Mutex db_mu_;
  store::Database db_ ABSL_GUARDED_BY(db_mu_);

  absl::Mutex wake_mu_;
  bool stop_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool woken_ ABSL_GUARDED_BY(wake_mu_) = false;
  absl::Time next_prune_ = absl::InfinitePast();  // Sending thread only.
  std::thread thread_;  // Touched only by Start/Stop, serialized by run_mu_.
  absl::Mutex run_mu_;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_CHAT_SENDER_H_
