#include "services/records/record_store.h"

#include <chrono>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/string_view.h"
#include "services/records/schema.h"
#include "services/store/migrations.h"

namespace cdkv::records {
namespace {

// A deferred transaction takes its snapshot at its first read of the
// database; this is that read.
constexpr std::string_view kTakeSnapshot =
    "SELECT count(*) FROM sqlite_schema WHERE 0";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

using store::CachedStatement;
using store::Statement;

// A value to bind: integers, reals, text, optional times (NULL when absent).
using Param = std::variant<std::monostate, int64_t, double, std::string_view,
                           std::optional<absl::Time>>;

int64_t ToMillis(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMillis(int64_t ms) { return absl::FromUnixMillis(ms); }

absl::Status BindAll(Statement& stmt, std::initializer_list<Param> params) {
  int index = 1;
  for (const Param& p : params) {
    absl::Status s;
    if (std::holds_alternative<std::monostate>(p)) {
      s = stmt.BindNull(index);
    } else if (const auto* i = std::get_if<int64_t>(&p)) {
      s = stmt.BindInt64(index, *i);
    } else if (const auto* d = std::get_if<double>(&p)) {
      s = stmt.BindDouble(index, *d);
    } else if (const auto* t = std::get_if<std::string_view>(&p)) {
      s = stmt.BindText(index, *t);
    } else {
      const auto& time = std::get<std::optional<absl::Time>>(p);
      s = time ? stmt.BindInt64(index, ToMillis(*time)) : stmt.BindNull(index);
    }
    if (!s.ok()) return s;
    ++index;
  }
  return absl::OkStatus();
}

// Through the connection's statement cache: the same few dozen statements
// run for every request, and compiling one costs more than running it.
absl::StatusOr<CachedStatement> Prepared(store::Database& db,
                                         std::string_view sql,
                                         std::initializer_list<Param> params) {
  absl::StatusOr<CachedStatement> stmt = db.PrepareCached(sql);
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = BindAll(**stmt, params); !s.ok()) return s;
  return stmt;
}

absl::Status Run(store::Database& db, std::string_view sql,
                 std::initializer_list<Param> params) {
  absl::StatusOr<CachedStatement> stmt = Prepared(db, sql, params);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Run();
}

std::optional<absl::Time> OptionalTime(const Statement& s, int column) {
  if (s.ColumnIsNull(column)) return std::nullopt;
  return FromMillis(s.ColumnInt64(column));
}

// Reads every row of `stmt` with `read_row`.
template <typename Row, typename ReadRow>
absl::StatusOr<std::vector<Row>> Collect(absl::StatusOr<CachedStatement> stmt,
                                         ReadRow read_row) {
  if (!stmt.ok()) return stmt.status();
  std::vector<Row> rows;
  while (true) {
    absl::StatusOr<bool> has_row = (*stmt)->Step();
    if (!has_row.ok()) return has_row.status();
    if (!*has_row) break;
    absl::StatusOr<Row> row = read_row(**stmt);
    if (!row.ok()) return row.status();
    rows.push_back(std::move(*row));
  }
  return rows;
}

constexpr std::string_view kFilingColumns =
    "id, procedure_code, commune_code, desk_code, competent_desk, citizen_id, "
    "channel, state, version, created_at, submitted_at, deadline, delivery, "
    "delivery_address, claimed_by, claimed_at, claim_expires_at, handling_ms, "
    "officer_message, pickup_code_hash, pickup, confirmed_at, ready_at, "
    "completed_at, rating, rating_comment";

absl::StatusOr<FilingRow> ReadFiling(const Statement& s) {
  FilingRow f;
  f.id = s.ColumnText(0);
  f.procedure_code = s.ColumnText(1);
  f.commune_code = s.ColumnText(2);
  f.desk_code = s.ColumnText(3);
  f.competent_desk = s.ColumnText(4);
  f.citizen_id = s.ColumnText(5);
  f.channel = s.ColumnText(6);
  absl::StatusOr<domain::State> state = domain::ParseState(s.ColumnText(7));
  if (!state.ok()) {
    return absl::DataLossError(absl::StrCat("filing ", f.id,
                                            " has an unknown state in the "
                                            "record store: ",
                                            state.status().message()));
  }
  f.state = *state;
  f.version = s.ColumnInt64(8);
  f.created_at = FromMillis(s.ColumnInt64(9));
  f.submitted_at = OptionalTime(s, 10);
  f.deadline = OptionalTime(s, 11);
  f.delivery = s.ColumnText(12);
  f.delivery_address = s.ColumnText(13);
  f.claimed_by = s.ColumnIsNull(14) ? "" : s.ColumnText(14);
  f.claimed_at = OptionalTime(s, 15);
  f.claim_expires_at = OptionalTime(s, 16);
  f.handling_ms = s.ColumnInt64(17);
  f.officer_message = s.ColumnText(18);
  f.pickup_code_hash = s.ColumnIsNull(19) ? "" : s.ColumnText(19);
  f.pickup_json = s.ColumnIsNull(20) ? "" : s.ColumnText(20);
  f.confirmed_at = OptionalTime(s, 21);
  f.ready_at = OptionalTime(s, 22);
  f.completed_at = OptionalTime(s, 23);
  f.rating = static_cast<int>(s.ColumnInt64(24));
  f.rating_comment = s.ColumnText(25);
  return f;
}

std::string_view OrNull(const std::string& s) { return s; }

}  // namespace

// The SQLite Tx: every method runs its statements on the connection of the
// transaction RecordStore opened.
class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(store::Database& db) : db_(db) {}

  absl::StatusOr<std::optional<std::string>> FindResponse(
      std::string_view principal, std::string_view request_id,
      std::string_view method) override;
  absl::Status SaveResponse(std::string_view principal,
                            std::string_view request_id,
                            std::string_view method, std::string_view response,
                            absl::Time at) override;
  absl::Status InsertFiling(const FilingRow& filing) override;
  absl::StatusOr<FilingRow> GetFiling(std::string_view id) override;
  absl::Status UpdateFiling(FilingRow& filing) override;
  absl::StatusOr<std::vector<FilingRow>> FilingsOfCitizen(
      std::string_view citizen_id, int limit, int offset) override;
  absl::StatusOr<std::vector<FilingRow>> FilingsInStates(
      const std::vector<domain::State>& states, int limit) override;
  absl::StatusOr<std::vector<FilingRow>> FilingsAtDesk(
      std::string_view desk_code, const std::vector<domain::State>& states,
      int limit) override;
  absl::StatusOr<std::vector<FilingRow>> FilingsSubmittedBetween(
      absl::Time from, absl::Time to) override;
  absl::Status AppendHistory(std::string_view filing_id,
                             const domain::Transition& transition) override;
  absl::StatusOr<std::vector<domain::Transition>> History(
      std::string_view filing_id) override;
  absl::Status InsertDocument(const DocumentRow& document) override;
  absl::Status UpdateDocument(const DocumentRow& document) override;
  absl::Status DeleteDocument(std::string_view filing_id,
                              std::string_view document_id) override;
  absl::StatusOr<std::vector<DocumentRow>> Documents(
      std::string_view filing_id) override;
  absl::Status ReplaceFields(std::string_view filing_id,
                             const std::vector<FieldRow>& fields) override;
  absl::Status UpdateField(const FieldRow& field) override;
  absl::StatusOr<std::vector<FieldRow>> Fields(
      std::string_view filing_id) override;
  absl::Status Audit(const AuditRow& row) override;
  absl::StatusOr<std::vector<AuditRow>> AuditTrail(std::string_view filing_id,
                                                   int limit) override;
  absl::Status AddOutbox(std::string_view kind, std::string_view payload,
                         absl::Time at) override;
  absl::StatusOr<std::vector<OutboxRow>> PendingOutbox(int limit) override;
  absl::Status DeleteOutbox(int64_t id) override;
  absl::StatusOr<int64_t> AddNotification(const NotificationRow& row) override;
  absl::StatusOr<std::vector<NotificationRow>> Notifications(
      std::string_view citizen_id, int limit, int offset) override;
  absl::StatusOr<int64_t> MoveCitizen(std::string_view from,
                                      std::string_view to) override;

 private:
  store::Database& db_;
};

absl::StatusOr<std::optional<std::string>> SqliteTx::FindResponse(
    std::string_view principal, std::string_view request_id,
    std::string_view method) {
  absl::StatusOr<CachedStatement> cached =
      Prepared(db_,
               "SELECT method, response FROM requests WHERE principal=? AND "
               "request_id=?",
               {principal, request_id});
  if (!cached.ok()) return cached.status();
  Statement& stmt = **cached;
  absl::StatusOr<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  if (stmt.ColumnText(0) != method) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_id '", Absl(request_id), "' was already used for ",
        stmt.ColumnText(0), "; use a new request_id for each operation"));
  }
  return std::optional<std::string>(stmt.ColumnBlob(1));
}

absl::Status SqliteTx::SaveResponse(std::string_view principal,
                                    std::string_view request_id,
                                    std::string_view method,
                                    std::string_view response, absl::Time at) {
  absl::StatusOr<CachedStatement> cached = Prepared(
      db_,
      "INSERT INTO requests(principal, request_id, method, response, at) "
      "VALUES(?,?,?,?,?)",
      {principal, request_id, method});
  if (!cached.ok()) return cached.status();
  Statement& stmt = **cached;
  if (absl::Status s = stmt.BindBlob(4, response); !s.ok()) return s;
  if (absl::Status s = stmt.BindInt64(5, ToMillis(at)); !s.ok()) return s;
  return stmt.Run();
}

absl::Status SqliteTx::InsertFiling(const FilingRow& f) {
  return Run(
      db_,
      absl::StrCat(
          "INSERT INTO filings(", Absl(kFilingColumns),
          ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
      {f.id,
       f.procedure_code,
       f.commune_code,
       f.desk_code,
       f.competent_desk,
       f.citizen_id,
       f.channel,
       Std(domain::StateName(f.state)),
       f.version,
       std::optional<absl::Time>(f.created_at),
       f.submitted_at,
       f.deadline,
       f.delivery,
       f.delivery_address,
       f.claimed_by.empty() ? Param() : Param(OrNull(f.claimed_by)),
       f.claimed_at,
       f.claim_expires_at,
       f.handling_ms,
       f.officer_message,
       f.pickup_code_hash.empty() ? Param() : Param(OrNull(f.pickup_code_hash)),
       f.pickup_json.empty() ? Param() : Param(OrNull(f.pickup_json)),
       f.confirmed_at,
       f.ready_at,
       f.completed_at,
       static_cast<int64_t>(f.rating),
       f.rating_comment});
}

absl::StatusOr<FilingRow> SqliteTx::GetFiling(std::string_view id) {
  absl::StatusOr<std::vector<FilingRow>> rows =
      Collect<FilingRow>(Prepared(db_,
                                  absl::StrCat("SELECT ", Absl(kFilingColumns),
                                               " FROM filings WHERE id=?"),
                                  {id}),
                         ReadFiling);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(absl::StrCat("no filing '", Absl(id), "'"));
  }
  return std::move(rows->front());
}

absl::Status SqliteTx::UpdateFiling(FilingRow& f) {
  absl::StatusOr<CachedStatement> stmt = Prepared(
      db_,
      "UPDATE filings SET desk_code=?, competent_desk=?, state=?, "
      "version=version+1, submitted_at=?, deadline=?, delivery=?, "
      "delivery_address=?, claimed_by=?, claimed_at=?, claim_expires_at=?, "
      "handling_ms=?, officer_message=?, pickup_code_hash=?, pickup=?, "
      "confirmed_at=?, ready_at=?, completed_at=?, rating=?, rating_comment=? "
      "WHERE id=? AND version=?",
      {f.desk_code,
       f.competent_desk,
       Std(domain::StateName(f.state)),
       f.submitted_at,
       f.deadline,
       f.delivery,
       f.delivery_address,
       f.claimed_by.empty() ? Param() : Param(OrNull(f.claimed_by)),
       f.claimed_at,
       f.claim_expires_at,
       f.handling_ms,
       f.officer_message,
       f.pickup_code_hash.empty() ? Param() : Param(OrNull(f.pickup_code_hash)),
       f.pickup_json.empty() ? Param() : Param(OrNull(f.pickup_json)),
       f.confirmed_at,
       f.ready_at,
       f.completed_at,
       static_cast<int64_t>(f.rating),
       f.rating_comment,
       f.id,
       f.version});
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = (*stmt)->Run(); !s.ok()) return s;
  if (db_.Changes() != 1) {
    return absl::AbortedError(absl::StrCat(
        "filing ", f.id,
        " changed while this request was handled; reload it and try again"));
  }
  ++f.version;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FilingRow>> SqliteTx::FilingsOfCitizen(
    std::string_view citizen_id, int limit, int offset) {
  return Collect<FilingRow>(
      Prepared(db_,
               absl::StrCat("SELECT ", Absl(kFilingColumns),
                            " FROM filings WHERE citizen_id=? "
                            "ORDER BY created_at DESC, id LIMIT ? OFFSET ?"),
               {citizen_id, static_cast<int64_t>(limit),
                static_cast<int64_t>(offset)}),
      ReadFiling);
}

absl::StatusOr<std::vector<FilingRow>> SqliteTx::FilingsInStates(
    const std::vector<domain::State>& states, int limit) {
  std::vector<std::string> quoted;
  for (domain::State s : states) {
    quoted.push_back(absl::StrCat("'", domain::StateName(s), "'"));
  }
  return Collect<FilingRow>(
      Prepared(db_,
               absl::StrCat("SELECT ", Absl(kFilingColumns),
                            " FROM filings WHERE state IN (",
                            absl::StrJoin(quoted, ","),
                            ") ORDER BY deadline LIMIT ?"),
               {static_cast<int64_t>(limit)}),
      ReadFiling);
}

namespace {
std::string StateList(const std::vector<domain::State>& states) {
  std::vector<std::string> quoted;
  for (domain::State s : states) {
    quoted.push_back(absl::StrCat("'", domain::StateName(s), "'"));
  }
  return absl::StrJoin(quoted, ",");
}
}  // namespace

absl::StatusOr<std::vector<FilingRow>> SqliteTx::FilingsAtDesk(
    std::string_view desk_code, const std::vector<domain::State>& states,
    int limit) {
  return Collect<FilingRow>(
      Prepared(
          db_,
          absl::StrCat("SELECT ", Absl(kFilingColumns),
                       " FROM filings WHERE desk_code=? AND state IN (",
                       StateList(states), ") ORDER BY deadline, id LIMIT ?"),
          {desk_code, static_cast<int64_t>(limit)}),
      ReadFiling);
}

absl::StatusOr<std::vector<FilingRow>> SqliteTx::FilingsSubmittedBetween(
    absl::Time from, absl::Time to) {
  return Collect<FilingRow>(
      Prepared(
          db_,
          absl::StrCat("SELECT ", Absl(kFilingColumns),
                       " FROM filings WHERE submitted_at >= ? AND "
                       "submitted_at < ? ORDER BY submitted_at"),
          {std::optional<absl::Time>(from), std::optional<absl::Time>(to)}),
      ReadFiling);
}

absl::Status SqliteTx::AppendHistory(std::string_view filing_id,
                                     const domain::Transition& t) {
  return Run(
      db_,
      "INSERT INTO history(filing_id, seq, from_state, to_state, action, "
      "actor_id, role, at, reason) VALUES(?1, (SELECT COALESCE(MAX(seq),0)+1 "
      "FROM history WHERE filing_id=?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {filing_id, Std(domain::StateName(t.from)), Std(domain::StateName(t.to)),
       Std(domain::ActionName(t.action)), t.actor_id,
       Std(domain::RoleName(t.role)), std::optional<absl::Time>(t.at),
       t.reason});
}

absl::StatusOr<std::vector<domain::Transition>> SqliteTx::History(
    std::string_view filing_id) {
  return Collect<domain::Transition>(
      Prepared(
          db_,
          "SELECT from_state, to_state, action, actor_id, role, at, reason "
          "FROM history WHERE filing_id=? ORDER BY seq",
          {filing_id}),
      [](const Statement& s) -> absl::StatusOr<domain::Transition> {
        domain::Transition t;
        absl::StatusOr<domain::State> from =
            domain::ParseState(s.ColumnText(0));
        absl::StatusOr<domain::State> to = domain::ParseState(s.ColumnText(1));
        absl::StatusOr<domain::Action> action =
            domain::ParseAction(s.ColumnText(2));
        absl::StatusOr<domain::Role> role = domain::ParseRole(s.ColumnText(4));
        if (!from.ok() || !to.ok() || !action.ok() || !role.ok()) {
          return absl::DataLossError("a history row has an unknown code");
        }
        t.from = *from;
        t.to = *to;
        t.action = *action;
        t.actor_id = s.ColumnText(3);
        t.role = *role;
        t.at = FromMillis(s.ColumnInt64(5));
        t.reason = s.ColumnText(6);
        return t;
      });
}

absl::Status SqliteTx::InsertDocument(const DocumentRow& d) {
  return Run(
      db_,
      "INSERT INTO documents(filing_id, document_id, declared_kind, "
      "detected_kind, content_type, size_bytes, sha256, width, height, "
      "quality_problem, quality_advice, sharpness, uploaded_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {d.filing_id, d.document_id, d.declared_kind, d.detected_kind,
       d.content_type, d.size_bytes, d.sha256, static_cast<int64_t>(d.width),
       static_cast<int64_t>(d.height), d.quality_problem, d.quality_advice,
       d.sharpness, std::optional<absl::Time>(d.uploaded_at)});
}

absl::Status SqliteTx::UpdateDocument(const DocumentRow& d) {
  return Run(
      db_,
      "UPDATE documents SET detected_kind=?, quality_problem=?, "
      "quality_advice=?, sharpness=? WHERE filing_id=? AND document_id=?",
      {d.detected_kind, d.quality_problem, d.quality_advice, d.sharpness,
       d.filing_id, d.document_id});
}

absl::Status SqliteTx::DeleteDocument(std::string_view filing_id,
                                      std::string_view document_id) {
  if (absl::Status s =
          Run(db_, "DELETE FROM documents WHERE filing_id=? AND document_id=?",
              {filing_id, document_id});
      !s.ok()) {
    return s;
  }
  if (db_.Changes() == 0) {
    return absl::NotFoundError(absl::StrCat("filing ", Absl(filing_id),
                                            " has no document '",
                                            Absl(document_id), "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DocumentRow>> SqliteTx::Documents(
    std::string_view filing_id) {
  return Collect<DocumentRow>(
      Prepared(
          db_,
          "SELECT filing_id, document_id, declared_kind, detected_kind, "
          "content_type, size_bytes, sha256, width, height, quality_problem, "
          "quality_advice, sharpness, uploaded_at FROM documents "
          "WHERE filing_id=? ORDER BY uploaded_at, document_id",
          {filing_id}),
      [](const Statement& s) -> absl::StatusOr<DocumentRow> {
        DocumentRow d;
        d.filing_id = s.ColumnText(0);
        d.document_id = s.ColumnText(1);
        d.declared_kind = s.ColumnText(2);
        d.detected_kind = s.ColumnText(3);
        d.content_type = s.ColumnText(4);
        d.size_bytes = s.ColumnInt64(5);
        d.sha256 = s.ColumnText(6);
        d.width = static_cast<int>(s.ColumnInt64(7));
        d.height = static_cast<int>(s.ColumnInt64(8));
        d.quality_problem = s.ColumnText(9);
        d.quality_advice = s.ColumnText(10);
        d.sharpness = s.ColumnDouble(11);
        d.uploaded_at = FromMillis(s.ColumnInt64(12));
        return d;
      });
}

absl::Status SqliteTx::ReplaceFields(std::string_view filing_id,
                                     const std::vector<FieldRow>& fields) {
  if (absl::Status s =
          Run(db_, "DELETE FROM form_fields WHERE filing_id=?", {filing_id});
      !s.ok()) {
    return s;
  }
  for (const FieldRow& f : fields) {
    if (absl::Status s = Run(
            db_,
            "INSERT INTO form_fields(filing_id, form_code, position, "
            "field_key, "
            "label, value, confidence, method, document_id, region, readings, "
            "needs_review, review_reason, corrected, prefilled_value, "
            "required) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            {filing_id, f.form_code, static_cast<int64_t>(f.position), f.key,
             f.label, f.value, f.confidence, f.method, f.document_id,
             f.region_json, f.readings_json,
             static_cast<int64_t>(f.needs_review), f.review_reason,
             static_cast<int64_t>(f.corrected), f.prefilled_value,
             static_cast<int64_t>(f.required)});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status SqliteTx::UpdateField(const FieldRow& f) {
  if (absl::Status s = Run(
          db_,
          "UPDATE form_fields SET value=?, confidence=?, method=?, "
          "needs_review=?, review_reason=?, corrected=? "
          "WHERE filing_id=? AND form_code=? AND field_key=?",
          {f.value, f.confidence, f.method,
           static_cast<int64_t>(f.needs_review), f.review_reason,
           static_cast<int64_t>(f.corrected), f.filing_id, f.form_code, f.key});
      !s.ok()) {
    return s;
  }
  if (db_.Changes() != 1) {
    return absl::NotFoundError(absl::StrCat("the form '", f.form_code,
                                            "' has no field '", f.key, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FieldRow>> SqliteTx::Fields(
    std::string_view filing_id) {
  return Collect<FieldRow>(
      Prepared(
          db_,
          "SELECT filing_id, form_code, position, field_key, label, value, "
          "confidence, method, document_id, region, readings, needs_review, "
          "review_reason, corrected, prefilled_value, required "
          "FROM form_fields WHERE filing_id=? ORDER BY form_code, position",
          {filing_id}),
      [](const Statement& s) -> absl::StatusOr<FieldRow> {
        FieldRow f;
        f.filing_id = s.ColumnText(0);
        f.form_code = s.ColumnText(1);
        f.position = static_cast<int>(s.ColumnInt64(2));
        f.key = s.ColumnText(3);
        f.label = s.ColumnText(4);
        f.value = s.ColumnText(5);
        f.confidence = s.ColumnDouble(6);
        f.method = s.ColumnText(7);
        f.document_id = s.ColumnText(8);
        f.region_json = s.ColumnText(9);
        f.readings_json = s.ColumnText(10);
        f.needs_review = s.ColumnInt64(11) != 0;
        f.review_reason = s.ColumnText(12);
        f.corrected = s.ColumnInt64(13) != 0;
        f.prefilled_value = s.ColumnText(14);
        f.required = s.ColumnInt64(15) != 0;
        return f;
      });
}

absl::Status SqliteTx::Audit(const AuditRow& a) {
  return Run(db_,
             "INSERT INTO audit(at, actor_id, role, action, filing_id, detail) "
             "VALUES(?,?,?,?,?,?)",
             {std::optional<absl::Time>(a.at), a.actor_id, a.role, a.action,
              a.filing_id, a.detail});
}

absl::StatusOr<std::vector<AuditRow>> SqliteTx::AuditTrail(
    std::string_view filing_id, int limit) {
  return Collect<AuditRow>(
      Prepared(db_,
               "SELECT id, at, actor_id, role, action, filing_id, detail FROM "
               "audit WHERE filing_id=? ORDER BY id LIMIT ?",
               {filing_id, static_cast<int64_t>(limit)}),
      [](const Statement& s) -> absl::StatusOr<AuditRow> {
        AuditRow a;
        a.id = s.ColumnInt64(0);
        a.at = FromMillis(s.ColumnInt64(1));
        a.actor_id = s.ColumnText(2);
        a.role = s.ColumnText(3);
        a.action = s.ColumnText(4);
        a.filing_id = s.ColumnText(5);
        a.detail = s.ColumnText(6);
        return a;
      });
}

absl::Status SqliteTx::AddOutbox(std::string_view kind,
                                 std::string_view payload, absl::Time at) {
  return Run(db_, "INSERT INTO outbox(kind, payload, at) VALUES(?,?,?)",
             {kind, payload, std::optional<absl::Time>(at)});
}

absl::StatusOr<std::vector<OutboxRow>> SqliteTx::PendingOutbox(int limit) {
  return Collect<OutboxRow>(
      Prepared(db_,
               "SELECT id, kind, payload, at FROM outbox ORDER BY id LIMIT ?",
               {static_cast<int64_t>(limit)}),
      [](const Statement& s) -> absl::StatusOr<OutboxRow> {
        return OutboxRow{s.ColumnInt64(0), s.ColumnText(1), s.ColumnText(2),
                         FromMillis(s.ColumnInt64(3))};
      });
}

absl::Status SqliteTx::DeleteOutbox(int64_t id) {
  return Run(db_, "DELETE FROM outbox WHERE id=?", {id});
}

absl::StatusOr<int64_t> SqliteTx::AddNotification(const NotificationRow& n) {
  if (absl::Status s = Run(db_,
                           "INSERT INTO notifications(citizen_id, filing_id, "
                           "kind, text, pickup, at) "
                           "VALUES(?,?,?,?,?,?)",
                           {n.citizen_id, n.filing_id, n.kind, n.text,
                            n.pickup_json, std::optional<absl::Time>(n.at)});
      !s.ok()) {
    return s;
  }
  return db_.LastInsertRowId();
}

absl::StatusOr<int64_t> SqliteTx::MoveCitizen(std::string_view from,
                                              std::string_view to) {
  if (absl::Status s = Run(db_,
                           "UPDATE notifications SET citizen_id=? "
                           "WHERE citizen_id=?",
                           {to, from});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Run(db_, "UPDATE filings SET citizen_id=? WHERE citizen_id=?",
              {to, from});
      !s.ok()) {
    return s;
  }
  return db_.Changes();
}

absl::StatusOr<std::vector<NotificationRow>> SqliteTx::Notifications(
    std::string_view citizen_id, int limit, int offset) {
  return Collect<NotificationRow>(
      Prepared(
          db_,
          "SELECT id, citizen_id, filing_id, kind, text, pickup, at FROM "
          "notifications WHERE citizen_id=? ORDER BY id DESC LIMIT ? OFFSET ?",
          {citizen_id, static_cast<int64_t>(limit),
           static_cast<int64_t>(offset)}),
      [](const Statement& s) -> absl::StatusOr<NotificationRow> {
        return NotificationRow{s.ColumnInt64(0),
                               s.ColumnText(1),
                               s.ColumnText(2),
                               s.ColumnText(3),
                               s.ColumnText(4),
                               s.ColumnText(5),
                               FromMillis(s.ColumnInt64(6))};
      });
}

absl::StatusOr<std::unique_ptr<RecordStore>> RecordStore::Open(
    const std::string& path, const Options& options) {
  absl::StatusOr<store::Database> db = store::Database::Open(path);
  if (!db.ok()) return db.status();
  if (absl::Status s = store::ApplyMigrations(*db, RecordStoreMigrations());
      !s.ok()) {
    return s;
  }
  const bool in_memory = path == ":memory:" || path.empty();
  // The writer's COMMIT appends to the log; RecordStore syncs the log itself,
  // outside the writer lock (see the class comment).
  if (!in_memory) {
    if (absl::Status s = db->Exec("PRAGMA synchronous=NORMAL"); !s.ok()) {
      return s;
    }
  }
  std::unique_ptr<store::Checkpointer> checkpointer;
  if (!in_memory) {
    absl::StatusOr<std::unique_ptr<store::Checkpointer>> started =
        store::Checkpointer::Start(path);
    if (!started.ok()) return started.status();
    checkpointer = *std::move(started);
    checkpointer->Attach(*db);
  }
  auto records = std::unique_ptr<RecordStore>(
      new RecordStore(path, options, *std::move(db), std::move(checkpointer)));
  // Open one reader now so a path readers cannot open fails here, not on the
  // first request.
  if (!records->in_memory_) {
    absl::StatusOr<store::Database> reader = records->AcquireReader();
    if (!reader.ok()) return reader.status();
    records->ReleaseReader(*std::move(reader));
  }
  return records;
}

RecordStore::RecordStore(std::string path, Options options,
                         store::Database writer,
                         std::unique_ptr<store::Checkpointer> checkpointer)
    : path_(std::move(path)),
      options_(options),
      in_memory_(path_ == ":memory:" || path_.empty()),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)),
      wal_sync_(path_) {}

absl::Status RecordStore::Write(const std::function<absl::Status(Tx&)>& body) {
  Request me;
  me.body = &body;
  bool combine = false;
  {
    absl::MutexLock lock(&queue_mu_);
    if (!sync_error_.ok()) return sync_error_;
    queue_.push_back(&me);
    if (!combining_) combining_ = combine = true;
  }
  if (!combine) {
    me.wake.WaitForNotification();
    combine = me.promoted;
  }
  if (combine) Combine(&me);  // Runs this body too.
  if (!me.status.ok()) return me.status;
  writes_.fetch_add(1, std::memory_order_relaxed);
  me.batch->done.WaitForNotification();
  return me.batch->status;
}

bool RecordStore::CombinerHasWork() const {
  return !queue_.empty() || !batch_open_ || !syncing_;
}

void RecordStore::Combine(Request* self) {
  while (true) {
    std::vector<Request*> work;
    bool commit = false;
    {
      absl::MutexLock lock(&queue_mu_);
      // With a batch open and its predecessor syncing, wait for more writes
      // to join it or for the sync to end.
      queue_mu_.Await(absl::Condition(this, &RecordStore::CombinerHasWork));
      const bool can_commit = batch_open_ && !syncing_;
      if (can_commit &&
          (queue_.empty() || open_members_ >= options_.max_batch)) {
        commit = true;
      } else if (!queue_.empty()) {
        work.swap(queue_);
      } else {
        combining_ = false;  // Nothing open and nothing queued.
        return;
      }
    }
    write_mu_.Lock();
    if (commit) {
      CommitBatch();  // Unlocks write_mu_ and hands the role on.
      return;
    }
    RunBodies(work, self);
    // In memory, reads share the writer connection, so no batch may stay
    // open once write_mu_ is released.
    if (in_memory_ && batch_ != nullptr) {
      CommitBatch();
      return;
    }
    write_mu_.Unlock();
  }
}

void RecordStore::RunBodies(const std::vector<Request*>& work, Request* self) {
  for (Request* r : work) {
    if (batch_ == nullptr) {
      if (absl::Status s = writer_.ExecCached("BEGIN IMMEDIATE"); !s.ok()) {
        r->status = s;
        if (r != self) r->wake.Notify();
        continue;
      }
      batch_ = std::make_shared<Batch>();
    }
    const int64_t body_start = NowNs();
    absl::Status status = writer_.ExecCached("SAVEPOINT body");
    if (status.ok()) {
      SqliteTx view(writer_);
      status = (*r->body)(view);
      absl::Status ended;
      if (!writer_.InTransaction()) {
        // SQLite rolled the whole transaction back on its own (I/O error,
        // disk full): the batch's earlier bodies are gone too, and may be
        // retried.
        const absl::Status aborted = absl::AbortedError(
            "the record store transaction was rolled back; retry");
        FailBatch(aborted);
        if (status.ok()) status = aborted;
      } else {
        ended = status.ok() ? writer_.ExecCached("RELEASE body")
                            : writer_.ExecCached("ROLLBACK TO body");
        if (ended.ok() && !status.ok()) {
          ended = writer_.ExecCached("RELEASE body");
        }
      }
      if (!ended.ok()) {
        FailBatch(ended);
        status = ended;
      }
    }
    body_ns_.fetch_add(NowNs() - body_start, std::memory_order_relaxed);
    r->status = status;
    if (status.ok()) {
      ++batch_->members;
      r->batch = batch_;
    }
    // The writer may return (and free r) from here on.
    if (r != self) r->wake.Notify();
  }
  absl::MutexLock lock(&queue_mu_);
  batch_open_ = batch_ != nullptr;
  open_members_ = batch_ != nullptr ? batch_->members : 0;
}

void RecordStore::HandOff(bool syncing) {
  absl::MutexLock lock(&queue_mu_);
  syncing_ = syncing;
  batch_open_ = false;
  open_members_ = 0;
  combining_ = false;
  if (!queue_.empty()) {
    Request* next = queue_.front();
    next->promoted = true;
    combining_ = true;
    next->wake.Notify();
  }
}

void RecordStore::CommitBatch() {
  absl::Status broken;
  {
    absl::MutexLock lock(&queue_mu_);
    broken = sync_error_;
  }
  if (!broken.ok()) {
    FailBatch(broken);
    write_mu_.Unlock();
    HandOff(false);
    return;
  }
  std::shared_ptr<Batch> batch = batch_;
  // Waits for reads taking their snapshot: readers never see a batch before
  // it is durable. (The previous batch's sync has ended: see syncing_.)
  const int64_t wait_start = NowNs();
  commit_gate_.Lock();
  const int64_t commit_start = NowNs();
  gate_wait_ns_.fetch_add(commit_start - wait_start, std::memory_order_relaxed);
  absl::Status status = writer_.ExecCached("COMMIT");
  const int64_t sync_start = NowNs();
  commit_ns_.fetch_add(sync_start - commit_start, std::memory_order_relaxed);
  if (!status.ok()) {
    commit_gate_.Unlock();
    FailBatch(status);
    write_mu_.Unlock();
    HandOff(false);
    return;
  }
  batch_.reset();
  commits_.fetch_add(1, std::memory_order_relaxed);
  // The next batch runs its bodies while this one syncs.
  write_mu_.Unlock();
  HandOff(true);
  if (options_.before_sync) options_.before_sync();
  if (!in_memory_) status = wal_sync_.Sync();
  commit_gate_.Unlock();
  sync_ns_.fetch_add(NowNs() - sync_start, std::memory_order_relaxed);
  if (!status.ok()) {
    // The kernel may have dropped the pages it failed to write, so nothing
    // written since can be trusted to reach the disk: refuse every later
    // write until the server restarts and SQLite recovers from its log.
    status = absl::DataLossError(
        absl::StrCat("the record store could not make its log durable (",
                     status.message(), "); restart the server"));
  }
  {
    absl::MutexLock lock(&queue_mu_);
    if (!status.ok() && sync_error_.ok()) sync_error_ = status;
    syncing_ = false;
  }
  // Last: once its callers return, the store may be destroyed.
  batch->status = status;
  batch->done.Notify();
}

void RecordStore::FailBatch(const absl::Status& error) {
  // A failed COMMIT (or statement) may leave the transaction open; end it so
  // the connection is usable again.
  if (writer_.InTransaction()) (void)writer_.ExecCached("ROLLBACK");
  batch_->status = error;
  batch_->done.Notify();
  batch_.reset();
}

absl::Status RecordStore::Read(const std::function<absl::Status(Tx&)>& body) {
  if (in_memory_) {
    absl::MutexLock lock(&write_mu_);
    absl::ReaderMutexLock gate(&commit_gate_);
    if (absl::Status s = writer_.ExecCached("BEGIN"); !s.ok()) return s;
    SqliteTx view(writer_);
    absl::Status s = body(view);
    if (absl::Status r = writer_.ExecCached("ROLLBACK"); !r.ok() && s.ok()) {
      return r;
    }
    return s;
  }
  absl::StatusOr<store::Database> db = AcquireReader();
  if (!db.ok()) return db.status();
  absl::Status status;
  {
    // The gate is needed only while the snapshot is taken: after that, later
    // commits are invisible to this transaction, so a COMMIT waits for a read
    // to start, not for it to end.
    absl::ReaderMutexLock gate(&commit_gate_);
    status = db->ExecCached("BEGIN");
    if (status.ok()) status = db->ExecCached(kTakeSnapshot);
  }
  if (status.ok()) {
    SqliteTx view(*db);
    status = body(view);
  }
  if (db->InTransaction()) {
    if (absl::Status r = db->ExecCached("ROLLBACK"); !r.ok() && status.ok()) {
      status = r;
    }
  }
  if (db->InTransaction()) {
    // The connection is in an unknown state; close it and let the pool open
    // another.
    absl::MutexLock lock(&readers_mu_);
    --open_readers_;
    return status;
  }
  ReleaseReader(*std::move(db));
  return status;
}

absl::StatusOr<store::Database> RecordStore::AcquireReader() {
  {
    absl::MutexLock lock(&readers_mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(readers_mu_) {
      return !idle_readers_.empty() || open_readers_ < options_.readers;
    };
    readers_mu_.Await(absl::Condition(&available));
    if (!idle_readers_.empty()) {
      store::Database db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return db;
    }
    ++open_readers_;
  }
  store::Database::Options read_only;
  read_only.create = false;
  read_only.read_only = true;
  absl::StatusOr<store::Database> db = store::Database::Open(path_, read_only);
  if (!db.ok()) {
    absl::MutexLock lock(&readers_mu_);
    --open_readers_;
  }
  return db;
}

void RecordStore::ReleaseReader(store::Database db) {
  absl::MutexLock lock(&readers_mu_);
  idle_readers_.push_back(std::move(db));
}

RecordStore::Stats RecordStore::stats() const {
  Stats stats;
  stats.writes = writes_.load(std::memory_order_relaxed);
  stats.commits = commits_.load(std::memory_order_relaxed);
  stats.body_ns = body_ns_.load(std::memory_order_relaxed);
  stats.gate_wait_ns = gate_wait_ns_.load(std::memory_order_relaxed);
  stats.commit_ns = commit_ns_.load(std::memory_order_relaxed);
  stats.sync_ns = sync_ns_.load(std::memory_order_relaxed);
  if (checkpointer_ != nullptr)
    stats.checkpoints = checkpointer_->checkpoints();
  return stats;
}

}  // namespace cdkv::records
