// The chat intake worker: turns accepted webhook events (the ChatStore inbox)
// into filings. One thread takes the inbox in arrival order, so one user's
// messages are applied in the order they were sent; for each event it loads
// the conversation, advances the dialogue, carries out the action through the
// same citizen operations as the app (api/citizen_ops.h), queues the replies
// on the ChatSender, and saves the conversation while removing the event from
// the inbox in one transaction.
//
// Redelivery is harmless: every filing operation's request id is derived from
// the event's msg_id (a retry gets the first answer) and every reply's dedupe
// key too, so an event processed again after a crash has the same effect.
//
// The thread wakes on the Redis "chat" job stream (what the webhook adds to
// after storing an event), on Poke() and every `poll` regardless, so an event
// stored while Redis was down is still handled.
#ifndef CDKV_SERVICES_CHAT_CHAT_INTAKE_H_
#define CDKV_SERVICES_CHAT_CHAT_INTAKE_H_

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
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
  void Poke() { wakeup_.Poke(); }

  // Processes every pending event now, on the calling thread (the worker
  // loop; tests without the thread).
  absl::Status Drain();

 private:
  struct Context;

  void Run();
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
  workers::Wakeup wakeup_;
  std::thread thread_;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_CHAT_INTAKE_H_
