#include "services/store/checkpointer.h"

#include <sqlite3.h>

#include <utility>

#include "absl/time/time.h"

namespace cdkv::store {
namespace {

// A pass copies what readers allow and fsyncs the database; under steady
// writes there is always more, so passes are spaced out.
constexpr absl::Duration kMinInterval = absl::Milliseconds(250);

}  // namespace

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(
    const std::string& path, int frames_threshold) {
  // A RESTART holds new writers back while it waits for readers to leave
  // the log: wait briefly, and try again after the next threshold instead.
  Database::Options options;
  options.busy_timeout = absl::Milliseconds(50);
  absl::StatusOr<Database> db = Database::Open(path, options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Checkpointer>(
      new Checkpointer(*std::move(db), frames_threshold));
}

Checkpointer::Checkpointer(Database db, int frames_threshold)
    : frames_threshold_(frames_threshold),
      db_(std::move(db)),
      thread_([this] { Run(); }) {}

Checkpointer::~Checkpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Checkpointer::Attach(Database& writer) {
  // Replaces SQLite's own hook, which is what runs the automatic checkpoint.
  sqlite3_wal_hook(writer.raw(), &Checkpointer::OnCommit, this);
}

int64_t Checkpointer::checkpoints() const {
  absl::MutexLock lock(&mu_);
  return checkpoints_;
}

int Checkpointer::OnCommit(void* self, sqlite3*, const char*, int frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (frames >= checkpointer->frames_threshold_) {
    absl::MutexLock lock(&checkpointer->mu_);
    checkpointer->wanted_ = true;
    checkpointer->log_frames_ = frames;
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Checkpointer::Woken));
      if (stopping_) return;
      wanted_ = false;
    }
    // A failure (the disk full, say) leaves the log longer; the next commit
    // past the threshold asks again.
    int log_frames = 0;
    sqlite3_wal_checkpoint_v2(db_.raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                              &log_frames, nullptr);
    // The log starts over only when a write begins with every frame copied,
    // which a busy writer may keep from happening: past a few thresholds,
    // hold writers back (up to the busy timeout) until it does, as SQLite's
    // own checkpoint would on every threshold.
    if (log_frames >= kRestartFactor * frames_threshold_) {
      sqlite3_wal_checkpoint_v2(db_.raw(), nullptr, SQLITE_CHECKPOINT_RESTART,
                                nullptr, nullptr);
    }
    absl::MutexLock lock(&mu_);
    ++checkpoints_;
    log_frames_ = 0;  // Until a commit reports the log again.
    mu_.AwaitWithTimeout(absl::Condition(this, &Checkpointer::Urgent),
                         kMinInterval);
    if (stopping_) return;
  }
}

}  // namespace cdkv::store
