#ifndef CDKV_SERVICES_RECORDS_RECORD_STORE_H_
#define CDKV_SERVICES_RECORDS_RECORD_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/domain/lifecycle.h"
#include "services/records/records.h"
#include "services/store/checkpointer.h"
#include "services/store/sqlite.h"
#include "services/store/wal_sync.h"

namespace cdkv::records {

// One transaction's view of the record store. Only a store makes these;
// every change made through one commits together or not at all. Abstract so
// that another store (PostgreSQL) can implement it; RecordStore's is SQLite.
class Tx {
 public:
  virtual ~Tx() = default;

  // The stored first answer to (principal, request_id), if any. A request id
  // reused for a different method is INVALID_ARGUMENT: a client bug that must
  // not return a wrong answer.
  virtual absl::StatusOr<std::optional<std::string>> FindResponse(
      std::string_view principal, std::string_view request_id,
      std::string_view method) = 0;
  virtual absl::Status SaveResponse(std::string_view principal,
                                    std::string_view request_id,
                                    std::string_view method,
                                    std::string_view response,
                                    absl::Time at) = 0;

  virtual absl::Status InsertFiling(const FilingRow& filing) = 0;
  // NOT_FOUND when there is no such filing.
  virtual absl::StatusOr<FilingRow> GetFiling(std::string_view id) = 0;
  // Writes every column of `filing` and bumps its version. ABORTED when the
  // stored version is not `filing.version` (someone else changed it first).
  virtual absl::Status UpdateFiling(FilingRow& filing) = 0;
  virtual absl::StatusOr<std::vector<FilingRow>> FilingsOfCitizen(
      std::string_view citizen_id, int limit, int offset) = 0;
  virtual absl::StatusOr<std::vector<FilingRow>> FilingsInStates(
      const std::vector<domain::State>& states, int limit) = 0;
  // A desk's filings in `states`, the nearest deadline first.
  virtual absl::StatusOr<std::vector<FilingRow>> FilingsAtDesk(
      std::string_view desk_code, const std::vector<domain::State>& states,
      int limit) = 0;
  // Filings submitted in [from, to), for reports.
  virtual absl::StatusOr<std::vector<FilingRow>> FilingsSubmittedBetween(
      absl::Time from, absl::Time to) = 0;

  virtual absl::Status AppendHistory(std::string_view filing_id,
                                     const domain::Transition& transition) = 0;
  virtual absl::StatusOr<std::vector<domain::Transition>> History(
      std::string_view filing_id) = 0;

  virtual absl::Status InsertDocument(const DocumentRow& document) = 0;
  virtual absl::Status UpdateDocument(const DocumentRow& document) = 0;
  virtual absl::Status DeleteDocument(std::string_view filing_id,
                                      std::string_view document_id) = 0;
  virtual absl::StatusOr<std::vector<DocumentRow>> Documents(
      std::string_view filing_id) = 0;

  // Replaces the filing's fields of the forms named in `fields`.
  virtual absl::Status ReplaceFields(std::string_view filing_id,
                                     const std::vector<FieldRow>& fields) = 0;
  virtual absl::Status UpdateField(const FieldRow& field) = 0;
  virtual absl::StatusOr<std::vector<FieldRow>> Fields(
      std::string_view filing_id) = 0;

  virtual absl::Status Audit(const AuditRow& row) = 0;
  virtual absl::StatusOr<std::vector<AuditRow>> AuditTrail(
      std::string_view filing_id, int limit) = 0;

  virtual absl::Status AddOutbox(std::string_view kind,
                                 std::string_view payload, absl::Time at) = 0;
  virtual absl::StatusOr<std::vector<OutboxRow>> PendingOutbox(int limit) = 0;
  virtual absl::Status DeleteOutbox(int64_t id) = 0;

  virtual absl::StatusOr<int64_t> AddNotification(
      const NotificationRow& row) = 0;
  virtual absl::StatusOr<std::vector<NotificationRow>> Notifications(
      std::string_view citizen_id, int limit, int offset) = 0;

  // Gives every filing and notification of citizen `from` to citizen `to`
  // (a chat user who linked their phone: one history). Returns how many
  // filings moved; moving again is a no-op.
  virtual absl::StatusOr<int64_t> MoveCitizen(std::string_view from,
                                              std::string_view to) = 0;
};

// The source of truth: filings, their documents, forms, history, audit trail,
// the outbox and notifications, in one SQLite database (WAL, foreign keys,
// versioned migrations); a write is acknowledged only once it is on disk.
//
// Writes are group-committed. SQLite has one writer and a durable commit costs
// an fsync, far more than the few statements of a request, so concurrent
// Write() calls share one transaction: each body runs alone on the writer
// connection inside its own SAVEPOINT (a failing body is rolled back to it and
// leaves the others alone), and the batch commits with one COMMIT. A caller
// returns only after its batch committed and was synced; if that COMMIT
// fails, every caller of the batch gets the error and nothing of the batch is
// stored. A body sees the uncommitted changes of the bodies before it in its
// batch, which is harmless because they commit or fail together.
//
// The bodies are run by one writer at a time, the combiner: the first writer
// to find no combiner runs every queued body back to back, its own among
// them, and commits when the queue is empty (or the batch full); the others
// sleep once, until their body ran. Taking turns at a lock instead cost two
// sleeps and a context switch per body on the writer's critical path.
//
// The sync is pipelined: COMMIT only appends to the log (synchronous=NORMAL),
// and the committing writer then hands the combiner role to a queued writer
// and fsyncs the log itself (store::WalSync), so the next batch runs its
// bodies while the disk works; it commits when that sync ends, taking in
// every write that arrived meanwhile. If the fsync fails, the batch's callers
// get DATA_LOSS and every later write is refused until a restart. The log is
// copied back into the database by a store::Checkpointer thread, not inside a
// COMMIT.
//
// Reads run on a small pool of separate read-only connections, beside the
// writer (WAL), and never see a batch before it is durable: a read takes its
// snapshot holding commit_gate_ shared, and a batch holds it exclusively from
// its COMMIT to the end of its sync. The gate is released once the snapshot
// is taken, so a long read does not hold up commits. A reader that must not
// miss a change (WatchFiling) subscribes before it reads, and drops what its
// snapshot already holds.
class RecordStore {
 public:
  struct Options {
    // Read connections kept open; more concurrent readers wait for one.
    int readers = 4;
    // Bodies in one transaction at most, bounding a batch's latency when
    // writers keep arriving; while the previous batch is still syncing the
    // open one takes in every write that arrives (it cannot commit yet).
    int max_batch = 64;
    // Tests only: runs after a batch's COMMIT and before its sync, without
    // the writer lock, with commit_gate_ held.
    std::function<void()> before_sync;
  };

  static absl::StatusOr<std::unique_ptr<RecordStore>> Open(
      const std::string& path, const Options& options);
  static absl::StatusOr<std::unique_ptr<RecordStore>> Open(
      const std::string& path) {
    return Open(path, Options());
  }

  // Runs `body` in a transaction; returns OK once its changes are durably
  // committed, or the body's (or the commit's) error with nothing stored.
  // Must not be called from inside another Write or Read body.
  absl::Status Write(const std::function<absl::Status(Tx&)>& body);
  // Runs `body` on a consistent snapshot of committed data; nothing it does
  // is stored.
  absl::Status Read(const std::function<absl::Status(Tx&)>& body);

  // Counters since Open, for benchmarks and logs.
  struct Stats {
    int64_t writes = 0;   // Bodies that returned OK.
    int64_t commits = 0;  // Batches committed (one fsync each).
    // Where the writer connection's time goes, in nanoseconds: running
    // bodies, waiting to COMMIT (for the previous batch's sync and for reads
    // taking their snapshot), the COMMIT itself, and the log's sync (which
    // does not hold the writer).
    int64_t body_ns = 0;
    int64_t gate_wait_ns = 0;
    int64_t commit_ns = 0;
    int64_t sync_ns = 0;
    // Checkpoints (the log copied back into the database) run beside the
    // writer.
    int64_t checkpoints = 0;
  };
  Stats stats() const;

 private:
  struct Batch {
    absl::Notification done;  // After status is set.
    absl::Status status;
    int members = 0;
  };
  // One Write call, queued for the combiner.
  struct Request {
    const std::function<absl::Status(Tx&)>* body = nullptr;
    absl::Status status;           // The body's own result.
    std::shared_ptr<Batch> batch;  // Set when the body succeeded.
    bool promoted = false;         // Woken to become the combiner.
    absl::Notification wake;       // Ran, or promoted.
  };

  RecordStore(std::string path, Options options, store::Database writer,
              std::unique_ptr<store::Checkpointer> checkpointer);

  // The combiner's loop: runs queued bodies and commits their batches until
  // there is nothing left, or until it commits and hands the role on.
  void Combine(Request* self);
  bool CombinerHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);
  // Ends the combiner's turn: a queued writer becomes the next combiner.
  void HandOff(bool syncing) ABSL_LOCKS_EXCLUDED(queue_mu_);
  // Runs `work`'s bodies into the open batch (opening one if needed).
  void RunBodies(const std::vector<Request*>& work, Request* self)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Commits the open batch, hands the combiner role on, and syncs.
  void CommitBatch() ABSL_UNLOCK_FUNCTION(write_mu_);
  // Ends the open batch with `error` for all of its members.
  void FailBatch(const absl::Status& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::StatusOr<store::Database> AcquireReader();
  void ReleaseReader(store::Database db);

  const std::string path_;
  const Options options_;
  // ":memory:" cannot be opened twice: reads then use the writer connection.
  const bool in_memory_;

  // Declared before writer_, which reports to it, so it outlives it. Null
  // in memory.
  std::unique_ptr<store::Checkpointer> checkpointer_;
  // Held by the combiner while it uses the writer connection (and by reads of
  // an in-memory store, which share it).
  absl::Mutex write_mu_;
  store::Database writer_ ABSL_GUARDED_BY(write_mu_);
  std::shared_ptr<Batch> batch_ ABSL_GUARDED_BY(write_mu_);

  // The queue of writes and the combiner role: the first writer to find no
  // combiner becomes it and runs every queued body on the writer connection
  // back to back, so the others sleep once each instead of taking turns at
  // a lock.
  absl::Mutex queue_mu_;
  std::vector<Request*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool combining_ ABSL_GUARDED_BY(queue_mu_) = false;
  // A batch is open on the writer connection, with this many bodies.
  bool batch_open_ ABSL_GUARDED_BY(queue_mu_) = false;
  int open_members_ ABSL_GUARDED_BY(queue_mu_) = 0;
  // A batch is between its COMMIT and the end of its sync; the open batch
  // commits after it (batches become durable in order, one sync at a time),
  // taking in every write that arrives meanwhile.
  bool syncing_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Set when a sync failed: every later write gets it.
  absl::Status sync_error_ ABSL_GUARDED_BY(queue_mu_);
  // Used by the batch holding commit_gate_ exclusively.
  store::WalSync wal_sync_;
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> body_ns_{0};
  std::atomic<int64_t> gate_wait_ns_{0};
  std::atomic<int64_t> commit_ns_{0};
  std::atomic<int64_t> sync_ns_{0};

  // Held shared by Read bodies and exclusively from a COMMIT to the end of
  // its sync (see the class comment).
  absl::Mutex commit_gate_;

  absl::Mutex readers_mu_;
  std::vector<store::Database> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
  int open_readers_ ABSL_GUARDED_BY(readers_mu_) = 0;
};

}  // namespace cdkv::records

#endif  // CDKV_SERVICES_RECORDS_RECORD_STORE_H_
