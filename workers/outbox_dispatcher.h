#ifndef CDKV_WORKERS_OUTBOX_DISPATCHER_H_
#define CDKV_WORKERS_OUTBOX_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/filing_events.h"
#include "services/api/prefill_route.h"
#include "services/domain/catalog.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "workers/reconciler.h"
#include "workers/wakeup.h"

namespace cdkv::workers {

// Carries outbox rows (outbox_kinds.h) from the record store to Redis on one
// thread. A row is deleted only after Redis accepted its effect, so a crash
// or a Redis outage delays work and never loses it; a row sent twice is
// harmless because every effect is idempotent.
//
// Order: rows are sent in id order, and a pass stops at the first row Redis
// did not accept (Redis down), so no row overtakes an earlier one. A row
// Redis refuses for good (malformed payload, invalid desk id) is left in the
// store, logged once as outbox.row_rejected (error) for an operator to fix,
// and skipped together with every later row of the same filing, so other
// filings keep flowing and that filing's rows stay in order. Each pass reads
// as many more rows as there are rejected ones, so they never fill a batch.
//
// Wakes on Poke() (after a commit that wrote rows) and every poll_interval.
// With Redis down it retries with exponential backoff.
//
// With pre-fill off (Options::prefill_off, the server's --prefill off), an
// ocr_job row does not go to the OCR stream: in one transaction with the
// row's deletion the filing goes submitted → prefilling → awaiting_desk with
// the procedure's empty form, every field flagged for the officer with the
// reason kPrefillOffReason (as when the OCR reads nothing), and a
// desk_enqueue row that a later pass carries to the desk's queue
// (api::RouteWithoutPrefill). New submissions take that path in the submit
// itself; here go the OCR jobs queued before pre-fill was turned off.
class OutboxDispatcher {
 public:
  struct Options {
    queue::RedisClient::Options redis;
    absl::Duration poll_interval = absl::Milliseconds(200);
    int batch_size = 100;
    absl::Duration min_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(5);
    // When set, runs on this thread before sending rows: at start and every
    // reconcile_interval (see Reconciler for why the same thread).
    Reconciler* reconciler = nullptr;
    absl::Duration reconcile_interval = absl::Seconds(5);
    // Pre-fill off: needs `catalog` (for the forms); `events` (may be null)
    // gets the filings' state changes.
    bool prefill_off = false;
    const domain::Catalog* catalog = nullptr;
    api::FilingEvents* events = nullptr;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  static constexpr const char* kPrefillOffReason = api::kPrefillOffReason;

  OutboxDispatcher(records::RecordStore& records, Options options);
  ~OutboxDispatcher();
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  void Start();
  // Returns within about one Redis command timeout; unsent rows stay in the
  // store for the next start.
  void Stop();
  // Asks for a pass now; cheap, callable from any thread (Deps::poke_outbox).
  void Poke();

 private:
  class Session;

  void Run();
  // One batch; how many rows Redis accepted. An error means Redis did not
  // accept a row; accepted rows before it are deleted all the same.
  absl::StatusOr<int> DispatchBatch(Session& session);
  // Pre-fill off: sends the rows' filings to their desks with empty forms
  // and deletes the rows, all in one transaction.
  absl::Status FinishWithoutPrefill(
      const std::vector<records::OutboxRow>& rows);

  records::RecordStore& records_;
  Options options_;
  Wakeup wakeup_;
  std::thread thread_;
  // Ids of rows Redis refused, so each is logged once. Dispatcher thread only.
  std::set<int64_t> rejected_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_OUTBOX_DISPATCHER_H_
