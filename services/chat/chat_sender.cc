#include "services/chat/chat_sender.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/string_view.h"
#include "services/store/migrations.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;

constexpr char kText[] = "text";
constexpr char kPickup[] = "pickup";
// Heads fetched per pass; more due users are served by the next pass.
constexpr int kBatch = 64;
// Wait after the store itself failed, so a broken disk does not spin the CPU.
constexpr absl::Duration kStoreErrorPause = absl::Seconds(1);
// How often old sent messages are deleted.
constexpr absl::Duration kPruneEvery = absl::Hours(1);

const std::vector<store::Migration>& Migrations() {
  static const auto* migrations = new std::vector<store::Migration>{
      {1, "chat outbox", R"sql(
CREATE TABLE chat_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  oa_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'pickup')),
  payload TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  done_at_ms INTEGER
);
CREATE INDEX chat_outbox_pending ON chat_outbox (oa_id, user_id, id) WHERE state = 'pending';
CREATE INDEX chat_outbox_dead ON chat_outbox (done_at_ms, id) WHERE state = 'dead';
CREATE INDEX chat_outbox_sent ON chat_outbox (done_at_ms) WHERE state = 'sent';
)sql"},
  };
  return *migrations;
}

size_t Utf8Chars(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

absl::Status CheckAddress(const ChatAddress& to, std::string_view dedupe_key) {
  if (to.oa_id.empty())
    return absl::InvalidArgumentError("chat message: empty OA id");
  if (to.user_id.empty())
    return absl::InvalidArgumentError("chat message: empty user id");
  if (dedupe_key.empty())
    return absl::InvalidArgumentError("chat message: empty dedupe key");
  return absl::OkStatus();
}

json NoticeJson(const PickupNotice& n) {
  return {
      {"filing_id", n.filing_id}, {"procedure_name_vi", n.procedure_name_vi},
      {"place_vi", n.place_vi},   {"when_vi", n.when_vi},
      {"bring_vi", n.bring_vi},   {"pickup_code", n.pickup_code}};
}

absl::StatusOr<PickupNotice> NoticeFromJson(const std::string& payload) {
  json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("stored pickup notice is not a JSON object");
  }
  PickupNotice n;
  auto field = [&j](const char* key, std::string* out) {
    if (auto it = j.find(key); it != j.end() && it->is_string())
      *out = it->get<std::string>();
  };
  field("filing_id", &n.filing_id);
  field("procedure_name_vi", &n.procedure_name_vi);
  field("place_vi", &n.place_vi);
  field("when_vi", &n.when_vi);
  field("bring_vi", &n.bring_vi);
  field("pickup_code", &n.pickup_code);
  return n;
}

}  // namespace

struct ChatSender::Pending {
  int64_t id;
  ChatAddress to;
  std::string kind;
  std::string payload;
  int attempts;
};

absl::StatusOr<std::unique_ptr<ChatSender>> ChatSender::Open(Options options) {
  if (options.db_path.empty())
    return absl::InvalidArgumentError("chat sender: empty db path");
  absl::StatusOr<store::Database> db = store::Database::Open(options.db_path);
  if (!db.ok()) return db.status();
  if (absl::Status s = store::ApplyMigrations(*db, Migrations()); !s.ok())
    return s;
  if (options.max_attempts < 1) options.max_attempts = 1;
  return std::unique_ptr<ChatSender>(
      new ChatSender(std::move(options), *std::move(db)));
}

ChatSender::ChatSender(Options options, store::Database db)
    : options_(std::move(options)), db_(std::move(db)) {}

ChatSender::~ChatSender() { Stop(); }

absl::Status ChatSender::EnqueueText(const ChatAddress& to,
                                     std::string_view text,
                                     std::string_view dedupe_key) {
  if (absl::Status s = CheckAddress(to, dedupe_key); !s.ok()) return s;
  if (text.empty())
    return absl::InvalidArgumentError("chat message: empty text");
  if (const size_t chars = Utf8Chars(text); chars > kMaxOaTextChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("chat message: text of ", chars,
                     " characters is over the OA limit of ", kMaxOaTextChars));
  }
  return Enqueue(to, kText, text, dedupe_key);
}

absl::Status ChatSender::EnqueuePickupNotice(const ChatAddress& to,
                                             const PickupNotice& notice,
                                             std::string_view dedupe_key) {
  if (absl::Status s = CheckAddress(to, dedupe_key); !s.ok()) return s;
  if (notice.filing_id.empty()) {
    return absl::InvalidArgumentError("pickup notice: empty filing id");
  }
  return Enqueue(to, kPickup, NoticeJson(notice).dump(), dedupe_key);
}

absl::Status ChatSender::Enqueue(const ChatAddress& to, std::string_view kind,
                                 std::string_view payload,
                                 std::string_view dedupe_key) {
  {
    absl::MutexLock lock(&db_mu_);
    const int64_t now_ms = absl::ToUnixMillis(absl::Now());
    absl::StatusOr<store::Statement> st = db_.Prepare(
        "INSERT INTO chat_outbox "
        "(oa_id, user_id, kind, payload, dedupe_key, next_attempt_at_ms, "
        "created_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (dedupe_key) DO "
        "NOTHING");
    if (!st.ok()) return st.status();
    if (absl::Status s = st->BindText(1, to.oa_id); !s.ok()) return s;
    if (absl::Status s = st->BindText(2, to.user_id); !s.ok()) return s;
    if (absl::Status s = st->BindText(3, kind); !s.ok()) return s;
    if (absl::Status s = st->BindText(4, payload); !s.ok()) return s;
    if (absl::Status s = st->BindText(5, dedupe_key); !s.ok()) return s;
    if (absl::Status s = st->BindInt64(6, now_ms); !s.ok()) return s;
    if (absl::Status s = st->Run(); !s.ok()) return s;
    if (db_.Changes() == 0) return absl::OkStatus();  // already enqueued
  }
  absl::MutexLock lock(&wake_mu_);
  woken_ = true;
  return absl::OkStatus();
}

void ChatSender::Start() {
  absl::MutexLock run(&run_mu_);
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&wake_mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void ChatSender::Stop() {
  absl::MutexLock run(&run_mu_);
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&wake_mu_);
    stop_ = true;
  }
  thread_.join();
}

void ChatSender::Run() {
  LogInfo("chat.sender_started");
  while (true) {
    absl::Time next = SendDue();
    if (const absl::Time now = absl::Now(); now >= next_prune_) {
      if (absl::Status s = PruneSent(now); !s.ok()) {
        LogError("chat.sender_prune_failed", {{"error", Std(s.message())}});
      }
      next_prune_ = now + std::min(kPruneEvery, std::max(options_.keep_sent,
                                                         absl::Seconds(1)));
    }
    next = std::min(next, next_prune_);
    absl::MutexLock lock(&wake_mu_);
    auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) {
      return stop_ || woken_;
    };
    wake_mu_.AwaitWithDeadline(absl::Condition(&wake), next);
    if (stop_) break;
    woken_ = false;
  }
  LogInfo("chat.sender_stopped");
}

absl::Time ChatSender::SendDue() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      if (stop_) return absl::InfinitePast();
      // Whatever was enqueued before this pass is seen by the query below.
      woken_ = false;
    }
    absl::Time next_due = absl::InfiniteFuture();
    absl::StatusOr<std::vector<Pending>> due = DueHeads(absl::Now(), &next_due);
    if (!due.ok()) {
      LogError("chat.sender_store_failed",
               {{"error", Std(due.status().message())}});
      return absl::Now() + kStoreErrorPause;
    }
    if (due->empty()) return next_due;
    for (const Pending& p : *due) {
      {
        absl::MutexLock lock(&wake_mu_);
        if (stop_) return absl::InfinitePast();
      }
      absl::StatusOr<std::string> sent = SendOne(p);
      if (absl::Status s = Record(p, sent, absl::Now()); !s.ok()) {
        LogError("chat.sender_store_failed", {{"error", Std(s.message())}});
        return absl::Now() + kStoreErrorPause;
      }
    }
    // A user's next message may now be due: look again.
  }
}

absl::StatusOr<std::vector<ChatSender::Pending>> ChatSender::DueHeads(
    absl::Time now, absl::Time* next_due) {
  absl::MutexLock lock(&db_mu_);
  // Each user's oldest pending message only: that is what keeps their order.
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "SELECT o.id, o.oa_id, o.user_id, o.kind, o.payload, o.attempts, "
      "o.next_attempt_at_ms "
      "FROM chat_outbox o WHERE o.state = 'pending' AND o.id = ("
      "  SELECT MIN(p.id) FROM chat_outbox p "
      "  WHERE p.state = 'pending' AND p.oa_id = o.oa_id AND p.user_id = "
      "o.user_id) "
      "ORDER BY o.next_attempt_at_ms, o.id LIMIT ?1");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindInt64(1, kBatch); !s.ok()) return s;
  std::vector<Pending> due;
  const int64_t now_ms = absl::ToUnixMillis(now);
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t at_ms = st->ColumnInt64(6);
    if (at_ms > now_ms) {
      *next_due = absl::FromUnixMillis(at_ms);
      break;
    }
    due.push_back({st->ColumnInt64(0),
                   {st->ColumnText(1), st->ColumnText(2)},
                   st->ColumnText(3),
                   st->ColumnText(4),
                   static_cast<int>(st->ColumnInt64(5))});
  }
  return due;
}

absl::StatusOr<std::string> ChatSender::SendOne(const Pending& p) {
  auto token = options_.access_tokens.find(p.to.oa_id);
  if (token == options_.access_tokens.end() || token->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no access token configured for OA \"", p.to.oa_id, "\""));
  }
  OaClientOptions o;
  o.base_url = options_.api_base_url;
  o.access_token = token->second;
  o.timeout = options_.http_timeout;
  // Retries are ours, persisted in the row, so a restart does not forget them.
  o.max_attempts = 1;
  OaClient client(std::move(o));
  if (p.kind == kText) return client.SendText(p.to.user_id, p.payload);
  if (p.kind == kPickup) {
    absl::StatusOr<PickupNotice> notice = NoticeFromJson(p.payload);
    if (!notice.ok()) return notice.status();
    return client.SendPickupNotice(p.to.user_id, *notice);
  }
  return absl::DataLossError(
      absl::StrCat("unknown chat message kind \"", p.kind, "\""));
}

absl::Status ChatSender::Record(const Pending& p,
                                const absl::StatusOr<std::string>& sent,
                                absl::Time now) {
  const int attempts = p.attempts + 1;
  const int64_t now_ms = absl::ToUnixMillis(now);
  absl::MutexLock lock(&db_mu_);
  if (sent.ok()) {
    absl::StatusOr<store::Statement> st = db_.Prepare(
        "UPDATE chat_outbox SET state = 'sent', attempts = ?2, message_id = "
        "?3, "
        "last_error = '', done_at_ms = ?4 WHERE id = ?1");
    if (!st.ok()) return st.status();
    if (absl::Status s = st->BindInt64(1, p.id); !s.ok()) return s;
    if (absl::Status s = st->BindInt64(2, attempts); !s.ok()) return s;
    if (absl::Status s = st->BindText(3, *sent); !s.ok()) return s;
    if (absl::Status s = st->BindInt64(4, now_ms); !s.ok()) return s;
    return st->Run();
  }
  const std::string error(Std(sent.status().message()));
  // OaClient marks exactly the retryable failures UNAVAILABLE.
  if (absl::IsUnavailable(sent.status()) && attempts < options_.max_attempts) {
    absl::Duration backoff = options_.initial_backoff;
    for (int i = 1; i < attempts && backoff < options_.max_backoff; ++i)
      backoff *= 2;
    backoff = std::min(backoff, options_.max_backoff);
    LogWarning("chat.send_retry",
               {{"id", p.id},
                {"oa", p.to.oa_id},
                {"attempt", attempts},
                {"backoff_ms", absl::ToInt64Milliseconds(backoff)},
                {"error", error}});
    absl::StatusOr<store::Statement> st = db_.Prepare(
        "UPDATE chat_outbox SET attempts = ?2, next_attempt_at_ms = ?3, "
        "last_error = ?4 "
        "WHERE id = ?1");
    if (!st.ok()) return st.status();
    if (absl::Status s = st->BindInt64(1, p.id); !s.ok()) return s;
    if (absl::Status s = st->BindInt64(2, attempts); !s.ok()) return s;
    if (absl::Status s = st->BindInt64(3, absl::ToUnixMillis(now + backoff));
        !s.ok())
      return s;
    if (absl::Status s = st->BindText(4, error); !s.ok()) return s;
    return st->Run();
  }
  LogError("chat.send_dead_lettered", {{"id", p.id},
                                       {"oa", p.to.oa_id},
                                       {"kind", p.kind},
                                       {"attempts", attempts},
                                       {"error", error}});
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "UPDATE chat_outbox SET state = 'dead', attempts = ?2, last_error = ?3, "
      "done_at_ms = ?4 "
      "WHERE id = ?1");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindInt64(1, p.id); !s.ok()) return s;
  if (absl::Status s = st->BindInt64(2, attempts); !s.ok()) return s;
  if (absl::Status s = st->BindText(3, error); !s.ok()) return s;
  if (absl::Status s = st->BindInt64(4, now_ms); !s.ok()) return s;
  return st->Run();
}

absl::Status ChatSender::PruneSent(absl::Time now) {
  absl::MutexLock lock(&db_mu_);
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "DELETE FROM chat_outbox WHERE state = 'sent' AND done_at_ms < ?1");
  if (!st.ok()) return st.status();
  if (absl::Status s =
          st->BindInt64(1, absl::ToUnixMillis(now - options_.keep_sent));
      !s.ok()) {
    return s;
  }
  return st->Run();
}

absl::StatusOr<std::vector<DeadLetter>> ChatSender::DeadLetters(int limit) {
  if (limit <= 0) return std::vector<DeadLetter>();
  absl::MutexLock lock(&db_mu_);
  absl::StatusOr<store::Statement> st = db_.Prepare(
      "SELECT id, oa_id, user_id, kind, payload, last_error, attempts, "
      "done_at_ms "
      "FROM chat_outbox WHERE state = 'dead' ORDER BY done_at_ms DESC, id DESC "
      "LIMIT ?1");
  if (!st.ok()) return st.status();
  if (absl::Status s = st->BindInt64(1, limit); !s.ok()) return s;
  std::vector<DeadLetter> out;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->ColumnInt64(0),
                   {st->ColumnText(1), st->ColumnText(2)},
                   st->ColumnText(3),
                   st->ColumnText(4),
                   st->ColumnText(5),
                   static_cast<int>(st->ColumnInt64(6)),
                   absl::FromUnixMillis(st->ColumnInt64(7))});
  }
  return out;
}

absl::StatusOr<int64_t> ChatSender::PendingCount() {
  absl::MutexLock lock(&db_mu_);
  absl::StatusOr<store::Statement> st =
      db_.Prepare("SELECT COUNT(*) FROM chat_outbox WHERE state = 'pending'");
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row ? st->ColumnInt64(0) : 0;
}

}  // namespace cdkv::chat
