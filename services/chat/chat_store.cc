#include "services/chat/chat_store.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "services/store/migrations.h"

namespace cdkv::chat {
namespace {

const std::vector<store::Migration>& Migrations() {
  static const auto* migrations = new std::vector<store::Migration>{
      {1, "chat conversations and seen messages", R"sql(
CREATE TABLE chat_conversations (
  oa_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  state TEXT NOT NULL,
  procedure_code TEXT NOT NULL DEFAULT '',
  filing_id TEXT NOT NULL DEFAULT '',
  photos INTEGER NOT NULL DEFAULT 0,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (oa_id, user_id)
);
CREATE TABLE chat_seen_messages (
  oa_id TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  PRIMARY KEY (oa_id, msg_id)
);
CREATE INDEX chat_seen_messages_by_time ON chat_seen_messages (received_at_ms);
)sql"},
  };
  return *migrations;
}

}  // namespace

absl::StatusOr<DialogueState> ParseDialogueState(std::string_view name) {
  for (DialogueState s : {DialogueState::kIdle, DialogueState::kChoosingProcedure,
                          DialogueState::kCollectingPhotos, DialogueState::kConfirming,
                          DialogueState::kSubmitted}) {
    if (DialogueStateName(s) == name) return s;
  }
  return absl::DataLossError(absl::StrCat("unknown dialogue state \"", Absl(name), "\""));
}

absl::StatusOr<std::unique_ptr<ChatStore>> ChatStore::Open(const std::string& path) {
  absl::StatusOr<store::Database> db = store::Database::Open(path);
  if (!db.ok()) return db.status();
  if (absl::Status s = store::ApplyMigrations(*db, Migrations()); !s.ok()) return s;
  return std::unique_ptr<ChatStore>(new ChatStore(*std::move(db)));
}

absl::StatusOr<bool> ChatStore::MarkSeen(std::string_view oa_id, std::string_view msg_id,
                                         absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "INSERT OR IGNORE INTO chat_seen_messages (oa_id, msg_id, received_at_ms) "
      "VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindText(1, oa_id); !s.ok()) return s;
  if (absl::Status s = st->BindText(2, msg_id); !s.ok()) return s;
  if (absl::Status s = st->BindInt64(3, absl::ToUnixMillis(now)); !s.ok()) return s;
  if (absl::Status s = st->Run(); !s.ok()) return s;
  return db_.Changes() == 1;
}

absl::StatusOr<Conversation> ChatStore::Load(std::string_view oa_id, std::string_view user_id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "SELECT state, procedure_code, filing_id, photos FROM chat_conversations "
      "WHERE oa_id = ?1 AND user_id = ?2");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindText(1, oa_id); !s.ok()) return s;
  if (absl::Status s = st->BindText(2, user_id); !s.ok()) return s;
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  Conversation c;
  if (!*row) return c;
  absl::StatusOr<DialogueState> state = ParseDialogueState(st->ColumnText(0));
  if (!state.ok()) return state.status();
  c.state = *state;
  c.procedure_code = st->ColumnText(1);
  c.filing_id = st->ColumnText(2);
  c.photos = static_cast<int>(st->ColumnInt64(3));
  return c;
}

absl::Status ChatStore::Save(std::string_view oa_id, std::string_view user_id,
                             const Conversation& c, absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "INSERT INTO chat_conversations "
      "(oa_id, user_id, state, procedure_code, filing_id, photos, updated_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (oa_id, user_id) DO UPDATE SET state = excluded.state, "
      "procedure_code = excluded.procedure_code, filing_id = excluded.filing_id, "
      "photos = excluded.photos, updated_at_ms = excluded.updated_at_ms");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindText(1, oa_id); !s.ok()) return s;
  if (absl::Status s = st->BindText(2, user_id); !s.ok()) return s;
  if (absl::Status s = st->BindText(3, DialogueStateName(c.state)); !s.ok()) return s;
  if (absl::Status s = st->BindText(4, c.procedure_code); !s.ok()) return s;
  if (absl::Status s = st->BindText(5, c.filing_id); !s.ok()) return s;
  if (absl::Status s = st->BindInt64(6, c.photos); !s.ok()) return s;
  if (absl::Status s = st->BindInt64(7, absl::ToUnixMillis(now)); !s.ok()) return s;
  return st->Run();
}

absl::StatusOr<int64_t> ChatStore::PruneSeen(absl::Time cutoff) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      db_.Prepare("DELETE FROM chat_seen_messages WHERE received_at_ms < ?1");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindInt64(1, absl::ToUnixMillis(cutoff)); !s.ok()) return s;
  if (absl::Status s = st->Run(); !s.ok()) return s;
  return db_.Changes();
}

}  // namespace cdkv::chat
