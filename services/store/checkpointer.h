#ifndef CDKV_SERVICES_STORE_CHECKPOINTER_H_
#define CDKV_SERVICES_STORE_CHECKPOINTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/store/sqlite.h"

namespace cdkv::store {

// Copies a WAL-mode database's log back into the database file on a thread of
// its own, instead of inside a writer's COMMIT.
//
// SQLite's automatic checkpoint runs in the connection whose commit crosses
// the threshold, so that one commit also writes a thousand pages into the
// database and fsyncs it while holding the write lock every other writer
// waits for. Attach() turns that off for the writer and asks this thread to
// checkpoint instead (PASSIVE: it never blocks readers or the writer).
class Checkpointer {
 public:
  // Opens its own connection to `path`.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(
      const std::string& path, int frames_threshold = 1000);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Makes `writer`'s commits report the log's size here; the writer no longer
  // checkpoints by itself. `writer` must not outlive this.
  void Attach(Database& writer);

  // Checkpoints run so far (each copies whatever the log holds).
  int64_t checkpoints() const;

 private:
  Checkpointer(Database db, int frames_threshold);
  static int OnCommit(void* self, sqlite3* db, const char* name, int frames);
  void Run();
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return wanted_ || stopping_;
  }
  // The log has grown so long that the next pass must not wait its turn.
  bool Urgent() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || log_frames_ >= kRestartFactor * frames_threshold_;
  }

  // Past this many thresholds, a pass holds writers back until the log can
  // start over.
  static constexpr int kRestartFactor = 4;
  const int frames_threshold_;
  Database db_;  // Used by the thread only.
  mutable absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int log_frames_ ABSL_GUARDED_BY(mu_) =
      0;  // At the last commit past the threshold.
  int64_t checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace cdkv::store

#endif  // CDKV_SERVICES_STORE_CHECKPOINTER_H_
