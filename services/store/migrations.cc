#include "services/store/migrations.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace cdkv::store {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  applied_at_unix_ms INTEGER NOT NULL)";

absl::Status Validate(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration \"", std::string(m.name), "\" has version ",
                       m.version, " but is at position ", i + 1,
                       "; versions must be 1, 2, 3, ... with no gaps"));
    }
    if (m.name.empty() || m.sql.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", m.version, " needs a name and SQL"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<int, std::string>> AppliedMigrations(Database& db) {
  absl::StatusOr<Statement> select = db.Prepare(
      "SELECT version, name FROM schema_migrations ORDER BY version");
  if (!select.ok()) return select.status();
  std::map<int, std::string> applied;
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    applied[static_cast<int>(select->ColumnInt64(0))] = select->ColumnText(1);
  }
  return applied;
}

// Compares what the database has with what the code knows. Called inside
// the write transaction so the answer cannot change before we act on it.
absl::Status CheckHistory(const std::map<int, std::string>& applied,
                          const std::vector<Migration>& migrations) {
  int known = static_cast<int>(migrations.size());
  if (!applied.empty() && applied.rbegin()->first > known) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema is at version ", applied.rbegin()->first,
                     " but this binary knows only up to version ", known,
                     "; run a newer binary (downgrades are not supported)"));
  }
  for (const auto& [version, name] : applied) {
    if (version < 1) {
      return absl::DataLossError(
          absl::StrCat("schema_migrations has impossible version ", version));
    }
    const Migration& m = migrations[version - 1];
    if (name != m.name) {
      return absl::FailedPreconditionError(
          absl::StrCat("database has migration ", version, " named \"", name,
                       "\" but this binary calls it \"", std::string(m.name),
                       "\"; the schema histories diverged"));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyOne(Database& db, const Migration& m) {
  absl::Status status = db.Exec(m.sql);
  if (!status.ok()) return status;
  absl::StatusOr<Statement> insert = db.Prepare(
      "INSERT INTO schema_migrations (version, name, applied_at_unix_ms) "
      "VALUES (?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (absl::Status s :
       {insert->BindInt64(1, m.version), insert->BindText(2, m.name),
        insert->BindInt64(3, absl::ToUnixMillis(absl::Now()))}) {
    if (!s.ok()) return s;
  }
  return insert->Run();
}

}  // namespace

absl::Status ApplyMigrations(Database& db,
                             const std::vector<Migration>& migrations) {
  absl::Status status = Validate(migrations);
  if (!status.ok()) return status;
  status = db.Exec(kCreateTable);
  if (!status.ok()) return status;
  for (const Migration& m : migrations) {
    absl::StatusOr<Transaction> tx = Transaction::Begin(db);
    if (!tx.ok()) return tx.status();
    absl::StatusOr<std::map<int, std::string>> applied = AppliedMigrations(db);
    if (!applied.ok()) return applied.status();
    status = CheckHistory(*applied, migrations);
    if (!status.ok()) return status;
    if (applied->count(m.version) > 0) continue;  // Rolled back: no changes.
    status = ApplyOne(db, m);
    if (!status.ok()) {
      return absl::Status(
          status.code(),
          absl::StrCat("migration ", m.version, " \"", std::string(m.name),
                       "\" failed and was rolled back: ", status.message()));
    }
    status = tx->Commit();
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SchemaVersion(Database& db) {
  absl::StatusOr<Statement> select = db.Prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
      "name = 'schema_migrations'");
  if (!select.ok()) return select.status();
  absl::StatusOr<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (select->ColumnInt64(0) == 0) return 0;
  select =
      db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!select.ok()) return select.status();
  row = select->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(select->ColumnInt64(0));
}

}  // namespace cdkv::store
