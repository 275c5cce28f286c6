#include "services/store/migrations.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "services/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace cdkv::store {
namespace {

using ::cdkv::testing::TempDir;

const std::vector<Migration> kV1 = {
    {1, "create_people",
     "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)"},
};
const std::vector<Migration> kV2 = {
    kV1[0],
    {2, "add_phone", "ALTER TABLE people ADD COLUMN phone TEXT"},
};

bool TableExists(Database& db, const std::string& name) {
  auto stmt = db.Prepare("SELECT count(*) FROM sqlite_master WHERE name = ?");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->BindText(1, name).ok());
  REQUIRE(*stmt->Step());
  return stmt->ColumnInt64(0) == 1;
}

TEST_CASE("Migrations apply in order and only once") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  CHECK(*SchemaVersion(*db) == 0);
  REQUIRE(ApplyMigrations(*db, kV1).ok());
  CHECK(*SchemaVersion(*db) == 1);
  REQUIRE(ApplyMigrations(*db, kV1).ok());  // Re-running is a no-op.
  REQUIRE(ApplyMigrations(*db, kV2).ok());
  CHECK(*SchemaVersion(*db) == 2);
  REQUIRE(
      db->Exec("INSERT INTO people (name, phone) VALUES ('An', '090')").ok());

  auto rows = db->Prepare(
      "SELECT version, name FROM schema_migrations ORDER BY version");
  REQUIRE(rows.ok());
  REQUIRE(*rows->Step());
  CHECK(rows->ColumnText(1) == "create_people");
  REQUIRE(*rows->Step());
  CHECK(rows->ColumnText(1) == "add_phone");
  CHECK_FALSE(*rows->Step());
}

TEST_CASE("A failing migration leaves nothing half-applied") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  const std::vector<Migration> broken = {
      kV1[0],
      // The first statement succeeds before the second fails.
      {2, "half_broken",
       "CREATE TABLE extra (x INTEGER); INSERT INTO no_such_table VALUES (1)"},
      {3, "never_reached", "CREATE TABLE later (y INTEGER)"},
  };
  absl::Status status = ApplyMigrations(*db, broken);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("half_broken") != absl::string_view::npos);
  CHECK(status.message().find("no_such_table") != absl::string_view::npos);
  CHECK(*SchemaVersion(*db) == 1);
  CHECK(TableExists(*db, "people"));
  CHECK_FALSE(TableExists(*db, "extra"));
  CHECK_FALSE(TableExists(*db, "later"));
  CHECK_FALSE(db->InTransaction());
}

TEST_CASE("A database newer than the code is refused") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::string path = (dir->path() / "t.db").string();
  {
    auto db = Database::Open(path);
    REQUIRE(db.ok());
    REQUIRE(ApplyMigrations(*db, kV2).ok());
  }
  auto db = Database::Open(path);
  REQUIRE(db.ok());
  absl::Status status = ApplyMigrations(*db, kV1);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message().find("version 2") != absl::string_view::npos);
  CHECK(*SchemaVersion(*db) == 2);
}

TEST_CASE("A diverged migration history is refused") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(ApplyMigrations(*db, kV1).ok());
  const std::vector<Migration> other = {
      {1, "something_else", "CREATE TABLE other (x INTEGER)"},
  };
  CHECK(ApplyMigrations(*db, other).code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK_FALSE(TableExists(*db, "other"));
}

TEST_CASE(
    "Malformed migration lists are rejected before touching the database") {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  const std::vector<Migration> gap = {kV1[0], {3, "skipped_two", "SELECT 1"}};
  CHECK(ApplyMigrations(*db, gap).code() == absl::StatusCode::kInvalidArgument);
  const std::vector<Migration> unnamed = {{1, "", "SELECT 1"}};
  CHECK(ApplyMigrations(*db, unnamed).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(TableExists(*db, "people"));
}

TEST_CASE("Processes migrating the same database at once do not collide") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::string path = (dir->path() / "t.db").string();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto db = Database::Open(path);
      if (!db.ok() || !ApplyMigrations(*db, kV2).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  auto db = Database::Open(path);
  REQUIRE(db.ok());
  CHECK(*SchemaVersion(*db) == 2);
  auto count = db->Prepare("SELECT count(*) FROM schema_migrations");
  REQUIRE(count.ok());
  REQUIRE(*count->Step());
  CHECK(count->ColumnInt64(0) == 2);
}

}  // namespace
}  // namespace cdkv::store
