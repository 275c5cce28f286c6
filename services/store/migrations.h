#ifndef CDKV_SERVICES_STORE_MIGRATIONS_H_
#define CDKV_SERVICES_STORE_MIGRATIONS_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/sqlite.h"

namespace cdkv::store {

// One schema step. Versions start at 1 and increase by exactly 1 so a gap
// (a migration lost in a merge) is caught instead of skipped. The SQL runs
// inside a transaction, so it must not contain BEGIN/COMMIT or statements
// SQLite forbids in transactions (VACUUM, PRAGMA journal_mode).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Applies the migrations the database lacks, in order, each in its own
// BEGIN IMMEDIATE transaction together with its row in `schema_migrations`,
// so a failing migration leaves the schema at the previous version. Safe to
// run from several processes at once: the write lock serializes them and
// each re-checks what is applied. Fails without changing anything if the
// database has a version this code does not know, or if an applied
// migration's name differs from the code's (a different history).
absl::Status ApplyMigrations(Database& db,
                             const std::vector<Migration>& migrations);

// Highest applied version; 0 for a fresh database.
absl::StatusOr<int> SchemaVersion(Database& db);

}  // namespace cdkv::store

#endif  // CDKV_SERVICES_STORE_MIGRATIONS_H_
