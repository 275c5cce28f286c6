#include "services/chat/chat_store.h"

#include <initializer_list>
#include <utility>
#include <variant>
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
      {2, "chat inbox, identities, filing links, phone linking", R"sql(
CREATE TABLE chat_inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  oa_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  dead INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_inbox_pending ON chat_inbox (dead, id);
CREATE TABLE chat_identities (
  oa_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (oa_id, user_id)
);
CREATE TABLE chat_account_moves (
  from_account TEXT PRIMARY KEY,
  to_account TEXT NOT NULL
);
CREATE TABLE chat_filings (
  filing_id TEXT PRIMARY KEY,
  oa_id TEXT NOT NULL,
  user_id TEXT NOT NULL
);
ALTER TABLE chat_conversations ADD COLUMN link_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_conversations ADD COLUMN link_attempts INTEGER NOT NULL DEFAULT 0;
)sql"},
      {3, "chat inbox by user, for per-user heads", R"sql(
CREATE INDEX chat_inbox_by_user ON chat_inbox (dead, oa_id, user_id, id);
)sql"},
  };
  return *migrations;
}

using Param = std::variant<int64_t, std::string_view>;

absl::StatusOr<store::Statement> Bound(store::Database& db, std::string_view sql,
                                       std::initializer_list<Param> params) {
  absl::StatusOr<store::Statement> st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  int i = 1;
  for (const Param& p : params) {
    absl::Status s = std::holds_alternative<int64_t>(p)
                         ? st->BindInt64(i, std::get<int64_t>(p))
                         : st->BindText(i, std::get<std::string_view>(p));
    if (!s.ok()) return s;
    ++i;
  }
  return st;
}

absl::Status Run(store::Database& db, std::string_view sql, std::initializer_list<Param> params) {
  absl::StatusOr<store::Statement> st = Bound(db, sql, params);
  if (!st.ok()) return st.status();
  return st->Run();
}

absl::Status SaveConversation(store::Database& db, std::string_view oa_id, std::string_view user_id,
                              const Conversation& c, absl::Time now) {
  return Run(db,
             "INSERT INTO chat_conversations (oa_id, user_id, state, procedure_code, "
             "filing_id, "
             "photos, updated_at_ms, link_phone, link_attempts) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
             "ON CONFLICT (oa_id, user_id) DO UPDATE SET state = excluded.state, "
             "procedure_code = excluded.procedure_code, filing_id = "
             "excluded.filing_id, "
             "photos = excluded.photos, updated_at_ms = excluded.updated_at_ms, "
             "link_phone = excluded.link_phone, link_attempts = "
             "excluded.link_attempts",
             {oa_id, user_id, DialogueStateName(c.state), c.procedure_code, c.filing_id,
              int64_t{c.photos}, absl::ToUnixMillis(now), c.link_phone, int64_t{c.link_attempts}});
}

}  // namespace

absl::StatusOr<DialogueState> ParseDialogueState(std::string_view name) {
  for (DialogueState s :
       {DialogueState::kIdle, DialogueState::kChoosingProcedure, DialogueState::kCollectingPhotos,
        DialogueState::kConfirming, DialogueState::kSubmitted}) {
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
      "INSERT OR IGNORE INTO chat_seen_messages (oa_id, msg_id, "
      "received_at_ms) "
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
      "SELECT state, procedure_code, filing_id, photos, link_phone, "
      "link_attempts "
      "FROM chat_conversations "
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
  c.link_phone = st->ColumnText(4);
  c.link_attempts = static_cast<int>(st->ColumnInt64(5));
  return c;
}

absl::Status ChatStore::Save(std::string_view oa_id, std::string_view user_id,
                             const Conversation& c, absl::Time now) {
  absl::MutexLock lock(&mu_);
  return SaveConversation(db_, oa_id, user_id, c, now);
}

absl::StatusOr<bool> ChatStore::Accept(std::string_view oa_id, std::string_view user_id,
                                       std::string_view msg_id, std::string_view body,
                                       absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Transaction> tx = store::Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  if (absl::Status s = Run(db_,
                           "INSERT OR IGNORE INTO chat_seen_messages (oa_id, msg_id, "
                           "received_at_ms) VALUES (?1, ?2, ?3)",
                           {oa_id, msg_id, absl::ToUnixMillis(now)});
      !s.ok()) {
    return s;
  }
  if (db_.Changes() != 1) return false;
  if (absl::Status s = Run(db_,
                           "INSERT INTO chat_inbox (oa_id, user_id, msg_id, body, "
                           "received_at_ms) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           {oa_id, user_id, msg_id, body, absl::ToUnixMillis(now)});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = tx->Commit(); !s.ok()) return s;
  return true;
}

absl::StatusOr<std::vector<InboxItem>> ChatStore::PendingInbox(int limit) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      Bound(db_,
            "SELECT id, oa_id, user_id, msg_id, body, attempts FROM chat_inbox "
            "WHERE dead = 0 ORDER BY id LIMIT ?1",
            {int64_t{limit}});
  if (!st.ok()) return st.status();
  std::vector<InboxItem> items;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    InboxItem item;
    item.id = st->ColumnInt64(0);
    item.oa_id = st->ColumnText(1);
    item.user_id = st->ColumnText(2);
    item.msg_id = st->ColumnText(3);
    item.body = st->ColumnText(4);
    item.attempts = static_cast<int>(st->ColumnInt64(5));
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<std::vector<InboxItem>> ChatStore::PendingHeads(int limit) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      Bound(db_,
            "SELECT id, oa_id, user_id, msg_id, body, attempts FROM chat_inbox "
            "WHERE id IN (SELECT MIN(id) FROM chat_inbox WHERE dead = 0 "
            "GROUP BY oa_id, user_id) ORDER BY id LIMIT ?1",
            {int64_t{limit}});
  if (!st.ok()) return st.status();
  std::vector<InboxItem> items;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    InboxItem item;
    item.id = st->ColumnInt64(0);
    item.oa_id = st->ColumnText(1);
    item.user_id = st->ColumnText(2);
    item.msg_id = st->ColumnText(3);
    item.body = st->ColumnText(4);
    item.attempts = static_cast<int>(st->ColumnInt64(5));
    items.push_back(std::move(item));
  }
  return items;
}

absl::Status ChatStore::Complete(int64_t inbox_id, std::string_view oa_id, std::string_view user_id,
                                 const Conversation& conversation, absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Transaction> tx = store::Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  if (absl::Status s = SaveConversation(db_, oa_id, user_id, conversation, now); !s.ok()) {
    return s;
  }
  if (absl::Status s = Run(db_, "DELETE FROM chat_inbox WHERE id = ?1", {inbox_id}); !s.ok()) {
    return s;
  }
  return tx->Commit();
}

absl::StatusOr<bool> ChatStore::FailInbox(int64_t inbox_id, std::string_view error,
                                          int max_attempts) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Run(db_,
                           "UPDATE chat_inbox SET attempts = attempts + 1, last_error = ?2, "
                           "dead = (attempts + 1 >= ?3) WHERE id = ?1",
                           {inbox_id, error, int64_t{max_attempts}});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<store::Statement> st =
      Bound(db_, "SELECT dead FROM chat_inbox WHERE id = ?1", {inbox_id});
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row && st->ColumnInt64(0) != 0;
}

absl::StatusOr<int64_t> ChatStore::DeadInboxCount() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      Bound(db_, "SELECT COUNT(*) FROM chat_inbox WHERE dead = 1", {});
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->ColumnInt64(0);
}

absl::StatusOr<ChatIdentity> ChatStore::AccountOf(
    std::string_view oa_id, std::string_view user_id,
    const std::function<std::string()>& new_account_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const std::string fresh = new_account_id();
  if (absl::Status s = Run(db_,
                           "INSERT OR IGNORE INTO chat_identities (oa_id, user_id, account_id, "
                           "updated_at_ms) VALUES (?1, ?2, ?3, ?4)",
                           {oa_id, user_id, fresh, absl::ToUnixMillis(now)});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<store::Statement> st =
      Bound(db_,
            "SELECT account_id, phone FROM chat_identities WHERE oa_id = ?1 "
            "AND user_id = ?2",
            {oa_id, user_id});
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("chat identity vanished right after insert");
  return ChatIdentity{st->ColumnText(0), st->ColumnText(1)};
}

absl::Status ChatStore::LinkAccount(std::string_view oa_id, std::string_view user_id,
                                    std::string_view account_id, std::string_view phone,
                                    absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Transaction> tx = store::Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  std::string old;
  {
    absl::StatusOr<store::Statement> st =
        Bound(db_,
              "SELECT account_id FROM chat_identities WHERE oa_id = ?1 AND "
              "user_id = ?2",
              {oa_id, user_id});
    if (!st.ok()) return st.status();
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) old = st->ColumnText(0);
  }
  if (absl::Status s = Run(db_,
                           "INSERT INTO chat_identities (oa_id, user_id, account_id, phone, "
                           "updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (oa_id, user_id) DO UPDATE SET account_id = "
                           "excluded.account_id, phone = excluded.phone, "
                           "updated_at_ms = excluded.updated_at_ms",
                           {oa_id, user_id, account_id, phone, absl::ToUnixMillis(now)});
      !s.ok()) {
    return s;
  }
  if (!old.empty() && old != account_id) {
    // A move already pending from `old` is redirected: the filings end up
    // with the newest account either way.
    if (absl::Status s = Run(db_,
                             "INSERT INTO chat_account_moves (from_account, to_account) "
                             "VALUES (?1, ?2) ON CONFLICT (from_account) DO UPDATE SET "
                             "to_account = excluded.to_account",
                             {old, account_id});
        !s.ok()) {
      return s;
    }
  }
  return tx->Commit();
}

absl::StatusOr<std::vector<AccountMove>> ChatStore::PendingMoves() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      Bound(db_, "SELECT from_account, to_account FROM chat_account_moves", {});
  if (!st.ok()) return st.status();
  std::vector<AccountMove> moves;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    moves.push_back({st->ColumnText(0), st->ColumnText(1)});
  }
  return moves;
}

absl::Status ChatStore::MoveDone(const AccountMove& move) {
  absl::MutexLock lock(&mu_);
  return Run(db_,
             "DELETE FROM chat_account_moves WHERE from_account = ?1 AND "
             "to_account = ?2",
             {move.from_account, move.to_account});
}

absl::Status ChatStore::LinkFiling(std::string_view filing_id, std::string_view oa_id,
                                   std::string_view user_id) {
  absl::MutexLock lock(&mu_);
  return Run(db_,
             "INSERT OR IGNORE INTO chat_filings (filing_id, oa_id, user_id) "
             "VALUES (?1, ?2, ?3)",
             {filing_id, oa_id, user_id});
}

absl::StatusOr<std::optional<ChatAddress>> ChatStore::ChatOfFiling(std::string_view filing_id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<store::Statement> st =
      Bound(db_, "SELECT oa_id, user_id FROM chat_filings WHERE filing_id = ?1", {filing_id});
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ChatAddress>();
  return std::optional<ChatAddress>(ChatAddress{st->ColumnText(0), st->ColumnText(1)});
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
