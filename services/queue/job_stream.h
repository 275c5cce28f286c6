#ifndef CDKV_SERVICES_QUEUE_JOB_STREAM_H_
#define CDKV_SERVICES_QUEUE_JOB_STREAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/queue/redis.h"
#include "services/queue/redis_script.h"

namespace cdkv::queue {

using JobFields = std::vector<std::pair<std::string, std::string>>;

struct Job {
  std::string id;  // Stream entry id, e.g. "1700000000000-0".
  JobFields fields;
  // How many times the job has been handed to a consumer, this time included.
  int64_t delivery_count = 1;

  // Value of the first field named `name`, or null.
  const std::string* Find(std::string_view name) const;
};

struct DeadLetterEntry {
  std::string id;  // Entry id in the dead-letter stream.
  std::string job_id;
  std::string error;
  int64_t deliveries = 0;
  JobFields fields;  // The job's original fields.
};

// An at-least-once job queue (OCR jobs, notifications) on a Redis Stream
// with one consumer group:
//   cdkv:{jobs:<name>}:stream  the jobs; entries are deleted once acked
//   cdkv:{jobs:<name>}:dead    dead letters, for operators:
//                              XRANGE cdkv:{jobs:<name>}:dead - +
// A consumer Reads, does the work idempotently, then Acks. A consumer that
// crashes leaves its jobs pending; another takes them over with ClaimStale
// once they have been idle long enough. A job delivered more than
// `max_deliveries` times goes to the dead-letter stream with its error.
//
// The stream is never trimmed by length (MAXLEN would drop pending jobs);
// an entry is deleted only right after it is acknowledged, which is safe
// because the stream has exactly one consumer group (EnsureGroup checks).
// Redis is not the source of truth: jobs lost with Redis data must be
// re-added from the record store's outbox.
// Borrows the client, so the same one-thread rule applies.
class JobStream {
 public:
  static constexpr char kGroup[] = "workers";

  struct Options {
    int max_deliveries = 5;
  };

  JobStream(RedisClient& client, std::string_view name)
      : JobStream(client, name, Options()) {}
  JobStream(RedisClient& client, std::string_view name, Options options);

  // Creates the stream and group if missing (idempotent). Read, Ack and
  // ClaimStale call it themselves when Redis has lost the group.
  absl::Status EnsureGroup();
  // Appends a job; returns its id.
  absl::StatusOr<std::string> Add(const JobFields& fields);
  // Up to `count` never-delivered jobs for `consumer`, waiting up to
  // `block` for one to arrive (zero: do not wait). Empty on timeout.
  absl::StatusOr<std::vector<Job>> Read(std::string_view consumer, int count,
                                        absl::Duration block);
  // Marks the job done and deletes it. OK if it was already acknowledged
  // (a retried Ack, or another consumer finished it first).
  absl::Status Ack(std::string_view job_id);
  // Takes over up to `count` jobs that other consumers received but have
  // not acknowledged for `min_idle` (their consumer crashed or hangs). Jobs
  // that have now been delivered more than max_deliveries times are
  // dead-lettered instead of returned.
  absl::StatusOr<std::vector<Job>> ClaimStale(std::string_view consumer,
                                              absl::Duration min_idle,
                                              int count);
  // Deliveries so far of a pending job; NOT_FOUND if it is not pending.
  absl::StatusOr<int64_t> DeliveryCount(std::string_view job_id);
  // Records the job with `error` in the dead-letter stream and removes it
  // from the work stream, atomically. OK without effect if the job is no
  // longer pending (someone else finished or dead-lettered it).
  absl::Status DeadLetter(const Job& job, std::string_view error);
  // For a consumer whose attempt failed: dead-letters the job if it has
  // used up its deliveries (returns true), otherwise leaves it pending so
  // ClaimStale redelivers it (returns false).
  absl::StatusOr<bool> Fail(const Job& job, std::string_view error);
  absl::StatusOr<std::vector<DeadLetterEntry>> ListDeadLetters(int limit);

  const std::string& stream_key() const { return stream_key_; }
  const std::string& dead_letter_key() const { return dead_letter_key_; }

 private:
  // Runs `argv`; on a NOGROUP error recreates the group and runs it again.
  absl::StatusOr<RedisReply> WithGroup(
      const std::vector<std::string_view>& argv, absl::Duration block);

  RedisClient& client_;
  Options options_;
  std::string stream_key_;
  std::string dead_letter_key_;
  RedisScript ack_;
  RedisScript dead_letter_;
};

}  // namespace cdkv::queue

#endif  // CDKV_SERVICES_QUEUE_JOB_STREAM_H_
