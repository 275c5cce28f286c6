// Chat state kept in its own SQLite file (e.g. <data dir>/chat.db), apart
// from the record store whose schema belongs to others: one conversation per
// (OA, chat user), the message ids already handled (so a webhook that Zalo
// delivers twice is acted on once), the inbox of accepted events waiting for
// the intake worker, which citizen account each chat user is, and which chat
// each filing came from.
#ifndef CDKV_SERVICES_CHAT_CHAT_STORE_H_
#define CDKV_SERVICES_CHAT_CHAT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/chat/chat_sender.h"
#include "services/chat/dialogue.h"
#include "services/store/sqlite.h"

namespace cdkv::chat {

// An accepted webhook event, stored before the webhook is answered.
struct InboxItem {
  int64_t id = 0;
  std::string oa_id;
  std::string user_id;
  std::string msg_id;
  std::string body;  // the raw event JSON, as signed
  int attempts = 0;  // failed processing attempts so far
};

// A chat user's account changed (phone linking): their filings must move
// from `from_account` to `to_account` in the record store.
struct AccountMove {
  std::string from_account;
  std::string to_account;
};

// The citizen account a chat user acts as, and the phone it was linked
// through ("" while the chat user is known only by chat).
struct ChatIdentity {
  std::string account_id;
  std::string phone;
};

class ChatStore {
 public:
  // Opens (creating if needed) and migrates the file; ":memory:" for tests.
  static absl::StatusOr<std::unique_ptr<ChatStore>> Open(const std::string& path);

  // Records msg_id for this OA; true the first time, false for a duplicate.
  absl::StatusOr<bool> MarkSeen(std::string_view oa_id, std::string_view msg_id, absl::Time now);

  // Marks msg_id seen and stores the event in the inbox, in one transaction:
  // true when new, false for a duplicate (nothing stored).
  absl::StatusOr<bool> Accept(std::string_view oa_id, std::string_view user_id,
                              std::string_view msg_id, std::string_view body, absl::Time now);

  // The oldest `limit` inbox items not dead-lettered, in arrival order.
  absl::StatusOr<std::vector<InboxItem>> PendingInbox(int limit);

  // Each chat user's oldest pending item (the only one that may be processed
  // next without breaking that user's order), oldest first.
  absl::StatusOr<std::vector<InboxItem>> PendingHeads(int limit);

  // Saves the conversation and removes the inbox item in one transaction, so
  // an item is either still pending (and reprocessed from the old state) or
  // fully applied.
  absl::Status Complete(int64_t inbox_id, std::string_view oa_id, std::string_view user_id,
                        const Conversation& conversation, absl::Time now);

  // Counts a failed attempt; after `max_attempts` the item is dead-lettered
  // (kept for operators, no longer pending). True when dead-lettered.
  absl::StatusOr<bool> FailInbox(int64_t inbox_id, std::string_view error, int max_attempts);
  absl::StatusOr<int64_t> DeadInboxCount();

  // The citizen account of this chat user, made with `new_account_id()` the
  // first time.
  absl::StatusOr<ChatIdentity> AccountOf(std::string_view oa_id, std::string_view user_id,
                                         const std::function<std::string()>& new_account_id,
                                         absl::Time now);
  // Makes `account_id` (a phone's citizen account) this chat user's account
  // and, if it had another, records the move of its filings, in one
  // transaction.
  absl::Status LinkAccount(std::string_view oa_id, std::string_view user_id,
                           std::string_view account_id, std::string_view phone, absl::Time now);
  absl::StatusOr<std::vector<AccountMove>> PendingMoves();
  absl::Status MoveDone(const AccountMove& move);

  // Which chat a filing came from, for replies and notices. Linking again is
  // a no-op.
  absl::Status LinkFiling(std::string_view filing_id, std::string_view oa_id,
                          std::string_view user_id);
  absl::StatusOr<std::optional<ChatAddress>> ChatOfFiling(std::string_view filing_id);

  // The stored conversation, or a fresh idle one.
  absl::StatusOr<Conversation> Load(std::string_view oa_id, std::string_view user_id);

  absl::Status Save(std::string_view oa_id, std::string_view user_id,
                    const Conversation& conversation, absl::Time now);

  // Forgets message ids received before `cutoff` (far beyond the replay
  // window, so a forgotten id can no longer pass the signature check).
  absl::StatusOr<int64_t> PruneSeen(absl::Time cutoff);

 private:
  explicit ChatStore(store::Database db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  store::Database db_ ABSL_GUARDED_BY(mu_);
};

// Parses DialogueStateName's output.
absl::StatusOr<DialogueState> ParseDialogueState(std::string_view name);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_CHAT_STORE_H_
