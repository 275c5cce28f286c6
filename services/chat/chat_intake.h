// The chat intake worker: turns accepted webhook events (the ChatStore inbox)
// into filings. A few worker threads serve different chat users at once (a
// slow attachment download or a failing event of one citizen must not hold up
// the others), while each user's events are claimed by one worker at a time
// and only from the head of that user's queue, so one user's messages are
// applied in the order they were sent. For each event a worker loads
// the conversation, advances the dialogue, carries out the action through the
// same citizen operations as the app (api/citizen_ops.h), queues the replies
// on the ChatSender, and saves the conversation while removing the event from
// the inbox in one transaction.
//
// Redelivery is harmless: every filing operation's request id is derived from
// the event's msg_id (a retry gets the first answer) and every reply's dedupe
// key too, so an event processed again after a crash has the same effect.
//
// The workers wake on Poke(), on the Redis "chat" job stream (what the
// webhook adds to after storing an event; one listener thread reads it) and
// every `poll` regardless, so an event stored while Redis was down is still
// handled. A failed event is retried after `poll`; its user waits meanwhile,
// the others do not.
#ifndef CDKV_SERVICES_CHAT_CHAT_INTAKE_H_
#define CDKV_SERVICES_CHAT_CHAT_INTAKE_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/api/deps.h"
#include "services/auth/account_store.h"
#include "services/auth/principal.h"
#include "services/chat/attachment_fetcher.h"
#include "services/chat/chat_sender.h"
#include "services/chat/chat_store.h"
#include "services/chat/dialogue.h"
#include "services/chat/webhook.h"
#include "services/chat/zalo_event.h"
#include "services/queue/redis.h"
#include "workers/wakeup.h"

namespace cdkv::chat {

// The job stream the webhook adds a wake-up to after storing an event.
inline constexpr std::string_view kChatStream = "chat";

class ChatIntake {
 public:
  struct Options {
    std::vector<OaAccount> accounts;
    FetchOptions fetch;
    // Unset: no Redis; the thread only polls.
    std::optional<queue::RedisClient::Options> redis;
    absl::Duration poll = absl::Seconds(2);
    // Failed processing attempts before an event is dead-lettered.
    int max_attempts = 5;
    // Threads processing events (different users in parallel).
    int workers = 4;
    // Development mode: link codes are also logged.
    bool development = false;
  };

  ChatIntake(api::Deps& deps, auth::AccountStore& accounts, ChatStore& store, ChatSender& sender,
             Options options);
  ~ChatIntake();
  ChatIntake(const ChatIntake&) = delete;
  ChatIntake& operator=(const ChatIntake&) = delete;

  void Start();
  // Finishes the event in hand, then returns.
  void Stop();
  void Poke();

  // Processes every pending event now, on the calling thread (tests without
  // the threads); users whose last attempt failed are left for later.
  absl::Status Drain();

 private:
  struct Context;

  // Reads the Redis wake-ups and does the housekeeping.
  void Listen();
  void Work(workers::Wakeup& wakeup);
  // Claims the oldest event whose user no other worker holds and is not
  // waiting to retry; nullopt when there is none.
  absl::StatusOr<std::optional<InboxItem>> Claim();
  // Processes a claimed event, records a failure, and releases the user.
  void ProcessClaimed(const InboxItem& item);
  // Finishes account moves left by phone linking (records then chat.db).
  absl::Status ApplyMoves();
  absl::Status Process(const InboxItem& item);
  // Carries out step.action; returns the conversation to store and appends
  // replies. A non-OK status means "try the whole event again later".
  absl::StatusOr<Conversation> Execute(Context& ctx, const Conversation& current,
                                       DialogueStep step);
  absl::StatusOr<Conversation> AttachPhotos(Context& ctx, const Conversation& current,
                                            DialogueStep step);
  absl::StatusOr<Conversation> SendLinkCode(Context& ctx, const Conversation& current,
                                            DialogueStep step);
  absl::StatusOr<Conversation> VerifyLinkCode(Context& ctx, const Conversation& current,
                                              DialogueStep step);
  absl::StatusOr<std::string> StatusReport(Context& ctx, const std::string& filing_id);

  api::Deps& deps_;
  auth::AccountStore& accounts_;
  ChatStore& store_;
  ChatSender& sender_;
  const Options options_;
  std::map<std::string, OaAccount> by_oa_;
  std::map<std::string, DialogueConfig> dialogue_;
  AttachmentFetcher fetcher_;
  // Serializes ApplyMoves between workers.
  absl::Mutex moves_mu_;
  absl::Mutex claim_mu_;
  // "oa_id\nuser_id" of the users a worker is processing now.
  std::set<std::string> busy_ ABSL_GUARDED_BY(claim_mu_);
  // Users whose event failed, and when it may be tried again.
  std::map<std::string, absl::Time> retry_at_ ABSL_GUARDED_BY(claim_mu_);
  workers::Wakeup wakeup_;  // the listener's
  std::vector<std::unique_ptr<workers::Wakeup>> worker_wakeups_;
  std::thread listener_;
  std::vector<std::thread> workers_;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_CHAT_INTAKE_H_
