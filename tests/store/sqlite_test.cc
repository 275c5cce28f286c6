#include "services/store/sqlite.h"

#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace cdkv::store {
namespace {

using ::cdkv::testing::TempDir;

std::string DbPath(const TempDir& dir) {
  return (dir.path() / "t.db").string();
}

int64_t CountRows(Database& db, const std::string& table) {
  auto stmt = db.Prepare("SELECT count(*) FROM " + table);
  REQUIRE(stmt.ok());
  REQUIRE(*stmt->Step());
  return stmt->ColumnInt64(0);
}

std::string PragmaText(Database& db, const std::string& pragma) {
  auto stmt = db.Prepare("PRAGMA " + pragma);
  REQUIRE(stmt.ok());
  REQUIRE(*stmt->Step());
  return stmt->ColumnText(0);
}

TEST_CASE("Database opens with WAL, foreign keys and full sync") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto db = Database::Open(DbPath(*dir));
  REQUIRE(db.ok());
  CHECK(PragmaText(*db, "journal_mode") == "wal");
  CHECK(PragmaText(*db, "foreign_keys") == "1");
  CHECK(PragmaText(*db, "synchronous") == "2");  // FULL
}

TEST_CASE("Database refuses a file that is not a database") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::ofstream(DbPath(*dir)) << std::string(8192, 'x');
  auto db = Database::Open(DbPath(*dir));
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("Database reports a missing file when create is off") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  Database::Options options;
  options.create = false;
  auto db = Database::Open(DbPath(*dir), options);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(db.status().message().find("t.db") != absl::string_view::npos);
  CHECK_FALSE(std::filesystem::exists(DbPath(*dir)));
}

TEST_CASE("Statement binds every type by index and by name") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)")
              .ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?, :d, ?3, :b, :n)");
  REQUIRE(insert.ok());
  const std::string blob("\0\x01\xff", 3);
  CHECK(insert->BindInt64(1, int64_t{1} << 40).ok());
  CHECK(insert->BindDouble(":d", 2.5).ok());
  CHECK(insert->BindText(3, "Công dân").ok());
  CHECK(insert->BindBlob(":b", blob).ok());
  CHECK(insert->BindNull(":n").ok());
  REQUIRE(insert->Run().ok());
  CHECK(db->Changes() == 1);
  CHECK(db->LastInsertRowId() == 1);

  auto select = db->Prepare("SELECT i, d, s, b, n FROM t");
  REQUIRE(select.ok());
  REQUIRE(*select->Step());
  CHECK(select->ColumnCount() == 5);
  CHECK(select->ColumnInt64(0) == (int64_t{1} << 40));
  CHECK(select->ColumnDouble(1) == 2.5);
  CHECK(select->ColumnText(2) == "Công dân");
  CHECK(select->GetColumnType(3) == Statement::ColumnType::kBlob);
  CHECK(select->ColumnBlob(3) == blob);
  CHECK(select->ColumnIsNull(4));
  CHECK_FALSE(*select->Step());
}

TEST_CASE("An empty blob is stored as an empty blob, not NULL") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE t (b BLOB)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?)");
  REQUIRE(insert.ok());
  REQUIRE(insert->BindBlob(1, "").ok());
  REQUIRE(insert->Run().ok());
  auto select = db->Prepare("SELECT b IS NULL, length(b) FROM t");
  REQUIRE(select.ok());
  REQUIRE(*select->Step());
  CHECK(select->ColumnInt64(0) == 0);
  CHECK(select->ColumnInt64(1) == 0);
}

TEST_CASE("Statement reports bad SQL, bad parameters and constraints") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
              .ok());

  auto bad = db->Prepare("SELEKT 1");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("SELEKT") != absl::string_view::npos);
  CHECK(db->Prepare("SELECT 1; SELECT 2").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(db->Prepare("   ").status().code() ==
        absl::StatusCode::kInvalidArgument);

  auto insert = db->Prepare("INSERT INTO t (id, v) VALUES (:id, :v)");
  REQUIRE(insert.ok());
  CHECK(insert->BindInt64(":nope", 1).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(insert->BindInt64(7, 1).code() == absl::StatusCode::kOutOfRange);

  REQUIRE(insert->BindInt64(":id", 1).ok());
  REQUIRE(insert->BindText(":v", "a").ok());
  REQUIRE(insert->Run().ok());
  REQUIRE(insert->Reset().ok());
  REQUIRE(insert->BindInt64(":id", 1).ok());
  REQUIRE(insert->BindText(":v", "b").ok());
  CHECK(insert->Run().code() == absl::StatusCode::kAlreadyExists);
  REQUIRE(insert->Reset().ok());
  // Reset cleared the bindings, so v is NULL now.
  REQUIRE(insert->BindInt64(":id", 2).ok());
  CHECK(insert->Run().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(CountRows(*db, "t") == 1);
}

TEST_CASE("Foreign keys are enforced") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                   "CREATE TABLE c (p INTEGER REFERENCES p(id))")
              .ok());
  CHECK(db->Exec("INSERT INTO c VALUES (42)").code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Transaction commits, and rolls back unless committed") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE t (v INTEGER)").ok());
  {
    auto tx = Transaction::Begin(*db);
    REQUIRE(tx.ok());
    CHECK(db->InTransaction());
    REQUIRE(db->Exec("INSERT INTO t VALUES (1)").ok());
    REQUIRE(tx->Commit().ok());
    CHECK(tx->Commit().code() == absl::StatusCode::kFailedPrecondition);
  }
  {
    auto tx = Transaction::Begin(*db);
    REQUIRE(tx.ok());
    REQUIRE(db->Exec("INSERT INTO t VALUES (2)").ok());
    // Destroyed without Commit, as on an early error return.
  }
  CHECK_FALSE(db->InTransaction());
  CHECK(CountRows(*db, "t") == 1);
  {
    auto tx = Transaction::Begin(*db);
    REQUIRE(tx.ok());
    // SQLite has no nested transactions; the outer one is unaffected.
    CHECK(Transaction::Begin(*db).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(db->InTransaction());
    REQUIRE(db->Exec("INSERT INTO t VALUES (3)").ok());
    REQUIRE(tx->Rollback().ok());
  }
  CHECK(CountRows(*db, "t") == 1);
}

TEST_CASE("A second writer waits for the busy timeout, then is UNAVAILABLE") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto first = Database::Open(DbPath(*dir));
  REQUIRE(first.ok());
  REQUIRE(first->Exec("CREATE TABLE t (v INTEGER)").ok());
  Database::Options options;
  options.busy_timeout = absl::Milliseconds(100);
  auto second = Database::Open(DbPath(*dir), options);
  REQUIRE(second.ok());

  auto tx = Transaction::Begin(*first);
  REQUIRE(tx.ok());
  absl::Time start = absl::Now();
  auto blocked = Transaction::Begin(*second);
  CHECK(blocked.status().code() == absl::StatusCode::kUnavailable);
  CHECK(absl::Now() - start >= absl::Milliseconds(90));

  // Readers are not blocked by the writer in WAL mode.
  CHECK(CountRows(*second, "t") == 0);
  REQUIRE(tx->Commit().ok());
  CHECK(Transaction::Begin(*second).ok());
}

TEST_CASE("Concurrent writers, one connection per thread, lose no commits") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  {
    auto db = Database::Open(DbPath(*dir));
    REQUIRE(db.ok());
    REQUIRE(db->Exec("CREATE TABLE t (v INTEGER)").ok());
  }
  constexpr int kThreads = 4;
  constexpr int kRowsEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto db = Database::Open(DbPath(*dir));
      if (!db.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kRowsEach; ++i) {
        auto tx = Transaction::Begin(*db);
        if (!tx.ok() ||
            !db->Exec("INSERT INTO t VALUES (" + std::to_string(t) + ")")
                 .ok() ||
            !tx->Commit().ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  auto db = Database::Open(DbPath(*dir));
  REQUIRE(db.ok());
  CHECK(CountRows(*db, "t") == kThreads * kRowsEach);
}

}  // namespace
}  // namespace cdkv::store
