// Chat state kept in its own SQLite file (e.g. <data dir>/chat.db), apart
// from the record store whose schema belongs to others: one conversation per
// (OA, chat user), and the message ids already handled, so a webhook that
// Zalo delivers twice is acted on once.
#ifndef CDKV_SERVICES_CHAT_CHAT_STORE_H_
#define CDKV_SERVICES_CHAT_CHAT_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/chat/dialogue.h"
#include "services/store/sqlite.h"

namespace cdkv::chat {

class ChatStore {
 public:
  // Opens (creating if needed) and migrates the file; ":memory:" for tests.
  static absl::StatusOr<std::unique_ptr<ChatStore>> Open(const std::string& path);

  // Records msg_id for this OA; true the first time, false for a duplicate.
  absl::StatusOr<bool> MarkSeen(std::string_view oa_id, std::string_view msg_id,
                                absl::Time now);

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
