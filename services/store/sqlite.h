#ifndef CDKV_SERVICES_STORE_SQLITE_H_
#define CDKV_SERVICES_STORE_SQLITE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cdkv::store {

class Statement;
class CachedStatement;

// One SQLite connection. Threading rule: a Database and every Statement
// prepared from it belong to one thread at a time; give each thread its own
// Database on the same file. WAL lets readers run beside one writer, and the
// busy timeout makes concurrent writers wait instead of failing at once.
//
// Opened with journal_mode=WAL, foreign_keys=ON and synchronous=FULL. FULL
// (not NORMAL) because in WAL mode NORMAL may lose the last commits on power
// loss or an OS crash, and a filing acknowledged to a citizen must survive.
class Database {
 public:
  struct Options {
    absl::Duration busy_timeout = absl::Seconds(5);
    // Create the file if it does not exist.
    bool create = true;
    // Refuse writes on this connection (PRAGMA query_only), for connections
    // that only ever read beside a writer.
    bool read_only = false;
  };

  // `path` may be ":memory:" for tests (then the journal is in memory).
  static absl::StatusOr<Database> Open(const std::string& path,
                                       const Options& options);
  static absl::StatusOr<Database> Open(const std::string& path) {
    return Open(path, Options());
  }

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more ';'-separated statements without parameters.
  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  // Like Prepare, but compiles each distinct `sql` once per connection and
  // hands out the compiled statement again, reset and unbound, once the
  // returned CachedStatement is gone. Compiling is most of the cost of a
  // short statement. Falls back to a fresh statement when the cached one is
  // still in use (the same query nested in itself).
  absl::StatusOr<CachedStatement> PrepareCached(std::string_view sql);
  // Exec for one statement without parameters, through the cache.
  absl::Status ExecCached(std::string_view sql);

  int64_t LastInsertRowId() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  bool InTransaction() const;

  // Escape hatch for SQLite features this wrapper does not cover.
  sqlite3* raw() const { return db_; }

 private:
  struct CacheEntry;
  using Cache = std::unordered_map<std::string, std::unique_ptr<CacheEntry>>;

  explicit Database(sqlite3* db);
  void Close();

  sqlite3* db_ = nullptr;
  // Behind a pointer so a moved Database keeps the statements' addresses.
  std::unique_ptr<Cache> cache_;
};

// A prepared statement. Parameter indexes start at 1 and column indexes at 0,
// as in SQLite. Names include their prefix, e.g. ":id". Text and blob values
// are copied by SQLite, so arguments need not outlive the call.
class Statement {
 public:
  enum class ColumnType { kInteger, kFloat, kText, kBlob, kNull };

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  absl::Status BindInt64(int index, int64_t value);
  absl::Status BindDouble(int index, double value);
  absl::Status BindText(int index, std::string_view value);
  absl::Status BindBlob(int index, std::string_view bytes);
  absl::Status BindNull(int index);
  absl::Status BindInt64(std::string_view name, int64_t value);
  absl::Status BindDouble(std::string_view name, double value);
  absl::Status BindText(std::string_view name, std::string_view value);
  absl::Status BindBlob(std::string_view name, std::string_view bytes);
  absl::Status BindNull(std::string_view name);

  // Advances to the next row: true if a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion; for statements that return no rows.
  absl::Status Run();
  // Makes the statement runnable again and clears all bindings.
  absl::Status Reset();

  int ColumnCount() const;
  ColumnType GetColumnType(int column) const;
  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  // Bytes of a BLOB column.
  std::string ColumnBlob(int column) const;

  sqlite3_stmt* raw() const { return stmt_; }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  absl::StatusOr<int> IndexOf(std::string_view name) const;
  absl::Status CheckBind(int rc, int index) const;

  sqlite3_stmt* stmt_ = nullptr;
};

// A statement from Database::PrepareCached. Use it like a Statement; on
// destruction a cached statement is reset for its next user.
class CachedStatement {
 public:
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement();

  Statement& operator*() const { return *statement_; }
  Statement* operator->() const { return statement_; }

 private:
  friend class Database;
  CachedStatement(Statement* cached, bool* in_use)
      : statement_(cached), in_use_(in_use) {}
  explicit CachedStatement(std::unique_ptr<Statement> owned);

  std::unique_ptr<Statement> owned_;  // Set when the cache was busy.
  Statement* statement_;
  bool* in_use_ = nullptr;  // The cache entry's flag; null when owned.
};

// BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write lock up front, so a
// transaction that reads then writes cannot fail halfway with SQLITE_BUSY
// (the busy timeout applies to BEGIN instead). Rolled back on destruction
// unless committed. Must not outlive its Database.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(Database& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  absl::Status Commit();
  absl::Status Rollback();

 private:
  explicit Transaction(Database* db) : db_(db) {}

  Database* db_;  // Null once committed or rolled back.
};

}  // namespace cdkv::store

#endif  // CDKV_SERVICES_STORE_SQLITE_H_
