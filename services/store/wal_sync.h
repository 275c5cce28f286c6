#ifndef CDKV_SERVICES_STORE_WAL_SYNC_H_
#define CDKV_SERVICES_STORE_WAL_SYNC_H_

#include <string>

#include "absl/status/status.h"

namespace cdkv::store {

// Makes a WAL-mode SQLite database's log durable from outside SQLite.
//
// With synchronous=NORMAL, SQLite's COMMIT appends the transaction to the
// `-wal` file without an fsync; calling Sync() afterwards makes every
// transaction committed before the call durable. Doing the fsync here, rather
// than inside COMMIT, lets a writer release its lock while the disk works.
// SQLite keeps the `-wal` file (same inode) while any connection is open, and
// syncs it before a checkpoint copies it into the database, so a frame synced
// here or by a checkpoint stays durable when the log is later reused.
class WalSync {
 public:
  explicit WalSync(const std::string& database_path);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // fdatasync of the log. Opens it on first use (and syncs its directory
  // once, so the file itself survives a power cut), and reopens it if the
  // file at the path is no longer the one held open. Not thread-safe.
  absl::Status Sync();

 private:
  absl::Status Open();

  const std::string wal_path_;
  int fd_ = -1;
};

}  // namespace cdkv::store

#endif  // CDKV_SERVICES_STORE_WAL_SYNC_H_
