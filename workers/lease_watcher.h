#ifndef CDKV_WORKERS_LEASE_WATCHER_H_
#define CDKV_WORKERS_LEASE_WATCHER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/filing_events.h"
#include "services/domain/catalog.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "workers/wakeup.h"

namespace cdkv::workers {

// Returns filings whose officer's claim lapsed to their desk's queue, on one
// thread, every `interval`:
//  * in the store: each in_review filing with claim_expires_at <= now gets
//    Action::kLeaseExpire (claim columns cleared) and a desk_enqueue outbox
//    row, in one transaction; events are published after the commit;
//  * in Redis: DeskQueue::ExpireLeases for every desk of the catalog.
// The two are independent and idempotent, so either may run first or twice.
//
// handling_ms is NOT increased by a lapsed claim: it measures officer work
// for the time-saved figures, and a lease that ran out means the officer
// left the filing, for an unknown part of the lease. Counting the whole
// lease would credit up to claim_lease of work nobody did.
class LeaseWatcher {
 public:
  struct Options {
    queue::RedisClient::Options redis;
    absl::Duration interval = absl::Seconds(5);
    // In-review filings examined per pass (the store lists them by deadline).
    int max_filings = 10000;
    std::string actor_id = "lease-watcher";
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  // `events` may be null (no watchers to tell). `poke_outbox` wakes the
  // dispatcher after rows were written.
  LeaseWatcher(records::RecordStore& records, const domain::Catalog& catalog,
               api::FilingEvents* events, std::function<void()> poke_outbox,
               Options options);
  ~LeaseWatcher();
  LeaseWatcher(const LeaseWatcher&) = delete;
  LeaseWatcher& operator=(const LeaseWatcher&) = delete;

  void Start();
  void Stop();

  // The store half of a pass, on the caller's thread; how many claims
  // lapsed.
  absl::StatusOr<int> ExpireStoreClaims();

 private:
  void Run();
  absl::Status ExpireRedisLeases(queue::RedisClient& client);

  records::RecordStore& records_;
  const domain::Catalog& catalog_;
  api::FilingEvents* events_;
  std::function<void()> poke_outbox_;
  Options options_;
  Wakeup wakeup_;
  std::thread thread_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_LEASE_WATCHER_H_
