#ifndef CDKV_SERVICES_QUEUE_DESK_QUEUE_H_
#define CDKV_SERVICES_QUEUE_DESK_QUEUE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/queue/redis.h"
#include "services/queue/redis_script.h"

namespace cdkv::queue {

struct QueuedFiling {
  std::string filing_id;
  absl::Time deadline;  // Millisecond precision.
};

struct DeskLease {
  std::string filing_id;
  std::string officer;
  absl::Time expires;
};

// Work queues of commune desks, ordered by legal deadline, with leases so
// that two officers never hold the same filing. Per desk, in one Redis
// Cluster hash slot (hash tag `{desk:<id>}`):
//   cdkv:{desk:<id>}:queue      ZSET filing -> deadline (unix ms)
//   cdkv:{desk:<id>}:leases     ZSET filing -> lease expiry (unix ms)
//   cdkv:{desk:<id>}:holders    HASH filing -> officer
//   cdkv:{desk:<id>}:deadlines  HASH filing -> deadline (unix ms)
// A filing is in exactly one of queue or leases; every change runs as one
// Lua script, so that holds under any concurrency.
//
// Redis is not the source of truth: after Redis loses data, re-Enqueue the
// open filings from the record store (Enqueue is idempotent, and leaves a
// claimed filing with its holder).
//
// Lease expiry uses the caller's clock (absl::Now by default); run
// ExpireLeases periodically (the deadline watcher) to return abandoned
// claims. Borrows the client, so the same one-thread rule applies.
class DeskQueue {
 public:
  struct Options {
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  explicit DeskQueue(RedisClient& client) : DeskQueue(client, Options()) {}
  DeskQueue(RedisClient& client, Options options);

  // Adds the filing, or updates its deadline if present. A filing that is
  // currently claimed stays with its holder (its new deadline applies when
  // it returns to the queue).
  absl::Status Enqueue(std::string_view desk, std::string_view filing_id,
                       absl::Time deadline);
  // The first `limit` unclaimed filings, earliest deadline first.
  absl::StatusOr<std::vector<QueuedFiling>> List(std::string_view desk,
                                                 int limit);
  // Current claims, earliest expiry first.
  absl::StatusOr<std::vector<DeskLease>> ListLeases(std::string_view desk,
                                                    int limit);

  // Takes the filing off the queue for `officer` until now + `lease`.
  // Claiming again by the same officer renews (so a retried Claim is safe).
  // FAILED_PRECONDITION if another officer holds it; NOT_FOUND if it is not
  // queued at this desk.
  absl::StatusOr<DeskLease> Claim(std::string_view desk,
                                  std::string_view filing_id,
                                  std::string_view officer,
                                  absl::Duration lease);
  // Extends the holder's lease to now + `lease`. NOT_FOUND if the claim was
  // lost (expired and returned to the queue); FAILED_PRECONDITION if
  // another officer holds it.
  absl::StatusOr<DeskLease> Renew(std::string_view desk,
                                  std::string_view filing_id,
                                  std::string_view officer,
                                  absl::Duration lease);
  // Returns the holder's filing to the queue at its deadline. OK if the
  // filing is not held at all (a retried Release).
  absl::Status Release(std::string_view desk, std::string_view filing_id,
                       std::string_view officer);
  // Removes a filing the officer holds, once its work is done. OK if the
  // desk no longer tracks the filing (a retried Complete).
  // FAILED_PRECONDITION if someone else holds it or it is unclaimed.
  absl::Status Complete(std::string_view desk, std::string_view filing_id,
                        std::string_view officer);
  // Takes the filing off the desk whether it is waiting or held by anyone
  // (the citizen withdrew it). OK if the desk does not track it (a retry).
  absl::Status Remove(std::string_view desk, std::string_view filing_id);
  // Returns every claim whose lease ended at or before `now` to the queue;
  // yields the filings returned.
  absl::StatusOr<std::vector<std::string>> ExpireLeases(std::string_view desk,
                                                        absl::Time now);

  static std::string QueueKey(std::string_view desk);
  static std::string LeasesKey(std::string_view desk);
  static std::string HoldersKey(std::string_view desk);
  static std::string DeadlinesKey(std::string_view desk);

 private:
  absl::StatusOr<RedisReply> RunScript(
      RedisScript& script, std::string_view desk,
      const std::vector<std::string_view>& args);

  RedisClient& client_;
  Options options_;
  RedisScript enqueue_;
  RedisScript claim_;
  RedisScript renew_;
  RedisScript release_;
  RedisScript complete_;
  RedisScript remove_;
  RedisScript expire_;
  RedisScript list_leases_;
};

}  // namespace cdkv::queue

#endif  // CDKV_SERVICES_QUEUE_DESK_QUEUE_H_
