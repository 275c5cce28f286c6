#ifndef CDKV_WORKERS_RECONCILER_H_
#define CDKV_WORKERS_RECONCILER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"

namespace cdkv::workers {

// Rebuilds Redis from the record store after Redis lost its data (restart
// without persistence, FLUSHALL, failover to an empty replica).
//
// Loss is detected by a marker key, kMarkerKey: "ready" once a rebuild has
// completed. A rebuild first sets it to "rebuilding", then rebuilds, then
// sets "ready" only if the key still exists (SET XX). Data lost at any
// moment after the first SET takes the marker with it, so the next pass
// rebuilds again; a process that dies mid-rebuild leaves "rebuilding",
// which also triggers a rebuild. A Redis restored from an old snapshot
// keeps its marker and is not detected.
//
// A rebuild, all idempotent:
//  * awaiting_desk filings: DeskQueue::Enqueue at their desk and deadline;
//  * in_review filings: Enqueue, then Claim for claimed_by with the lease
//    left (at least 1 ms, so an already expired claim is returned by the
//    next ExpireLeases rather than vanishing);
//  * submitted and prefilling filings: a new job on the "ocr" stream (the OCR
//    pool acks jobs for filings that no longer need one);
//  * both job streams get their consumer group (EnsureGroup).
// Notifications that were waiting in Redis are not rebuilt: the store keeps
// no delivery record to tell sent from unsent. Citizens still see them in
// the app, which reads the store.
//
// Run it on the outbox dispatcher's thread (OutboxDispatcher::Options::
// reconciler): the snapshot is read in one transaction and every change
// committed after it reaches Redis through an outbox row that the
// dispatcher sends after the rebuild, so a rebuild never overtakes a later
// change (for example re-queueing a filing withdrawn meanwhile). Redis calls
// made directly by request handlers (DeskQueue::Claim, Complete) are not
// ordered this way: one landing between the snapshot and the rebuild can be
// undone by it, which is why handlers should queue removals as desk_remove
// outbox rows and must check the store's state on Claim.
class Reconciler {
 public:
  static constexpr char kMarkerKey[] = "cdkv:epoch";

  struct Options {
    // Upper bound on the open filings read per rebuild; more are logged and
    // left for the next rebuild to miss. A district has thousands.
    int max_filings = 200000;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  Reconciler(records::RecordStore& records, Options options);
  explicit Reconciler(records::RecordStore& records)
      : Reconciler(records, Options()) {}

  // Rebuilds if the marker says Redis lost data; true if it rebuilt.
  absl::StatusOr<bool> RunOnce(queue::RedisClient& client);
  // Rebuilds unconditionally.
  absl::Status Rebuild(queue::RedisClient& client);

 private:
  records::RecordStore& records_;
  Options options_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_RECONCILER_H_
