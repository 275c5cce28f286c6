#include "services/store/sqlite.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace cdkv::store {
namespace {

// SQL is quoted in error messages so a reader can tell which statement
// failed, but cut short so a long migration does not flood the log.
std::string Snippet(std::string_view sql) {
  constexpr size_t kMax = 120;
  if (sql.size() <= kMax) return std::string(sql);
  return absl::StrCat(std::string(sql.substr(0, kMax)), "...");
}

absl::Status StatusFromSqlite(int rc, sqlite3* db, std::string_view what) {
  std::string message = absl::StrCat(std::string(what), ": ",
                                     db != nullptr ? sqlite3_errmsg(db) : "",
                                     " (", sqlite3_errstr(rc), ")");
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(
          absl::StrCat(message,
                       "; the database is locked by another "
                       "writer, retry later"));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE ||
          rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CANTOPEN:
      return absl::FailedPreconditionError(
          absl::StrCat(message,
                       "; check that the directory exists and is "
                       "writable"));
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::PermissionDeniedError(message);
    case SQLITE_RANGE:
      return absl::OutOfRangeError(message);
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

// Before SQLite's first use in the process: without memory statistics,
// which nothing here reads, SQLite's every allocation and free no longer
// takes one process-wide mutex that all connections contend for.
void ConfigureOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

absl::StatusOr<Database> Database::Open(const std::string& path,
                                        const Options& options) {
  ConfigureOnce();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // SQLite allocates a handle even on failure so the error can be read.
  Database db(raw);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, raw,
                            absl::StrCat("cannot open database ", path));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(
      raw, static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));

  // journal_mode is the one pragma that can silently refuse, so check the
  // mode it reports. It is also the first read of the file, so a file that
  // is not a database fails here rather than at first use.
  // Two connections switching a new file to WAL at once can get SQLITE_BUSY
  // without the busy handler being called (SQLite refuses to wait where waiting
  // could deadlock), so the switch is retried here, within the same busy
  // timeout.
  const absl::Time give_up = absl::Now() + options.busy_timeout;
  std::string mode;
  while (true) {
    absl::StatusOr<Statement> journal = db.Prepare("PRAGMA journal_mode=WAL");
    absl::StatusOr<bool> row =
        journal.ok() ? journal->Step() : absl::StatusOr<bool>(journal.status());
    if (row.ok()) {
      mode = *row ? journal->ColumnText(0) : "";
      break;
    }
    if (!absl::IsUnavailable(row.status()) || absl::Now() >= give_up) {
      return row.status();
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (mode != "wal" && !(path == ":memory:" && mode == "memory")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", path, " refused WAL mode (got \"", mode,
        "\"); is it on a filesystem without shared-memory support?"));
  }
  absl::Status status =
      db.Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  if (!status.ok()) return status;
  if (options.read_only) {
    if (absl::Status s = db.Exec("PRAGMA query_only=ON"); !s.ok()) return s;
  }
  return db;
}

struct Database::CacheEntry {
  explicit CacheEntry(Statement s) : statement(std::move(s)) {}
  Statement statement;
  bool in_use = false;
};

Database::Database(sqlite3* db) : db_(db), cache_(std::make_unique<Cache>()) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      cache_(std::exchange(other.cache_, std::make_unique<Cache>())) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::exchange(other.cache_, std::make_unique<Cache>());
  }
  return *this;
}

Database::~Database() { Close(); }

void Database::Close() {
  if (cache_ != nullptr) cache_->clear();
  // close_v2 defers the close until outstanding statements are finalized,
  // so destruction order between Database and Statement does not matter.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

absl::StatusOr<CachedStatement> Database::PrepareCached(std::string_view sql) {
  auto it = cache_->find(std::string(sql));
  if (it == cache_->end()) {
    absl::StatusOr<Statement> fresh = Prepare(sql);
    if (!fresh.ok()) return fresh.status();
    it = cache_
             ->emplace(std::string(sql),
                       std::make_unique<CacheEntry>(*std::move(fresh)))
             .first;
  }
  CacheEntry& entry = *it->second;
  if (entry.in_use) {
    absl::StatusOr<Statement> fresh = Prepare(sql);
    if (!fresh.ok()) return fresh.status();
    return CachedStatement(std::make_unique<Statement>(*std::move(fresh)));
  }
  entry.in_use = true;
  return CachedStatement(&entry.statement, &entry.in_use);
}

absl::Status Database::ExecCached(std::string_view sql) {
  absl::StatusOr<CachedStatement> stmt = PrepareCached(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Run();
}

CachedStatement::CachedStatement(std::unique_ptr<Statement> owned)
    : owned_(std::move(owned)), statement_(owned_.get()) {}

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : owned_(std::move(other.owned_)),
      statement_(std::exchange(other.statement_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)) {}

CachedStatement::~CachedStatement() {
  if (in_use_ == nullptr) return;
  // Ends a statement left mid-result (a read of the first row only) so it
  // does not hold its read snapshot open.
  (void)statement_->Reset();
  *in_use_ = false;
}

absl::Status Database::Exec(std::string_view sql) {
  std::string owned(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // Same text as sqlite3_errmsg, which we use.
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, db_,
                            absl::StrCat("executing \"", Snippet(sql), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                              &stmt, &tail);
  Statement statement(stmt);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, db_,
                            absl::StrCat("preparing \"", Snippet(sql), "\""));
  }
  if (stmt == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no SQL statement in \"", Snippet(sql), "\""));
  }
  // Prepare compiles only the first statement; silently ignoring the rest
  // would hide bugs.
  std::string_view rest(tail, sql.data() + sql.size() - tail);
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("Prepare takes one statement, but \"", Snippet(sql),
                     "\" has more; use Exec for scripts"));
  }
  return statement;
}

int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

bool Database::InTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

absl::Status Statement::CheckBind(int rc, int index) const {
  if (rc == SQLITE_OK) return absl::OkStatus();
  return StatusFromSqlite(rc, sqlite3_db_handle(stmt_),
                          absl::StrCat("binding parameter ", index, " of \"",
                                       Snippet(sqlite3_sql(stmt_)), "\""));
}

absl::StatusOr<int> Statement::IndexOf(std::string_view name) const {
  int index = sqlite3_bind_parameter_index(stmt_, std::string(name).c_str());
  if (index == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("no parameter named \"", std::string(name), "\" in \"",
                     Snippet(sqlite3_sql(stmt_)), "\""));
  }
  return index;
}

absl::Status Statement::BindInt64(int index, int64_t value) {
  return CheckBind(sqlite3_bind_int64(stmt_, index, value), index);
}

absl::Status Statement::BindDouble(int index, double value) {
  return CheckBind(sqlite3_bind_double(stmt_, index, value), index);
}

absl::Status Statement::BindText(int index, std::string_view value) {
  return CheckBind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
}

absl::Status Statement::BindBlob(int index, std::string_view bytes) {
  // A null pointer would bind NULL, not an empty blob.
  static const char kEmpty = 0;
  const char* data = bytes.empty() ? &kEmpty : bytes.data();
  return CheckBind(
      sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT),
      index);
}

absl::Status Statement::BindNull(int index) {
  return CheckBind(sqlite3_bind_null(stmt_, index), index);
}

absl::Status Statement::BindInt64(std::string_view name, int64_t value) {
  absl::StatusOr<int> index = IndexOf(name);
  return index.ok() ? BindInt64(*index, value) : index.status();
}

absl::Status Statement::BindDouble(std::string_view name, double value) {
  absl::StatusOr<int> index = IndexOf(name);
  return index.ok() ? BindDouble(*index, value) : index.status();
}

absl::Status Statement::BindText(std::string_view name,
                                 std::string_view value) {
  absl::StatusOr<int> index = IndexOf(name);
  return index.ok() ? BindText(*index, value) : index.status();
}

absl::Status Statement::BindBlob(std::string_view name,
                                 std::string_view bytes) {
  absl::StatusOr<int> index = IndexOf(name);
  return index.ok() ? BindBlob(*index, bytes) : index.status();
}

absl::Status Statement::BindNull(std::string_view name) {
  absl::StatusOr<int> index = IndexOf(name);
  return index.ok() ? BindNull(*index) : index.status();
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatusFromSqlite(
      rc, sqlite3_db_handle(stmt_),
      absl::StrCat("running \"", Snippet(sqlite3_sql(stmt_)), "\""));
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

absl::Status Statement::Reset() {
  // sqlite3_reset repeats the last step's error; that error was already
  // reported by Step, so only the clear matters here.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return absl::OkStatus();
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

Statement::ColumnType Statement::GetColumnType(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return ColumnType::kInteger;
    case SQLITE_FLOAT:
      return ColumnType::kFloat;
    case SQLITE_TEXT:
      return ColumnType::kText;
    case SQLITE_BLOB:
      return ColumnType::kBlob;
    default:
      return ColumnType::kNull;
  }
}

bool Statement::ColumnIsNull(int column) const {
  return GetColumnType(column) == ColumnType::kNull;
}

int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), size);
}

std::string Statement::ColumnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return std::string();
  return std::string(static_cast<const char*>(data), size);
}

absl::StatusOr<Transaction> Transaction::Begin(Database& db) {
  absl::Status status = db.Exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)Rollback();
}

absl::Status Transaction::Commit() {
  if (db_ == nullptr) {
    return absl::FailedPreconditionError(
        "transaction was already committed or rolled back");
  }
  absl::Status status = db_->Exec("COMMIT");
  if (!status.ok()) {
    // A failed COMMIT (e.g. a deferred foreign key violation) leaves the
    // transaction open; roll it back so the connection is usable again.
    (void)Rollback();
    return status;
  }
  db_ = nullptr;
  return absl::OkStatus();
}

absl::Status Transaction::Rollback() {
  if (db_ == nullptr) {
    return absl::FailedPreconditionError(
        "transaction was already committed or rolled back");
  }
  Database* db = std::exchange(db_, nullptr);
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
  if (!db->InTransaction()) return absl::OkStatus();
  return db->Exec("ROLLBACK");
}

}  // namespace cdkv::store
