#ifndef CDKV_WORKERS_OCR_POOL_H_
#define CDKV_WORKERS_OCR_POOL_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/api/filing_events.h"
#include "services/domain/catalog.h"
#include "services/queue/job_stream.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "services/store/blob_store.h"
#include "workers/prefill_runner.h"
#include "workers/prefiller.h"
#include "workers/wakeup.h"

namespace cdkv::workers {

// Threads that consume the "ocr" job stream and pre-fill filings. Each thread
// has its own RedisClient and its own Prefiller (from the factory).
//
// A job {filing_id}:
//  1. one transaction: submitted → prefilling (kStartPrefill); a filing
//     already prefilling (a redelivered or duplicate job) goes on; any other
//     state acks the job without doing anything, so a finished pre-fill is
//     never redone;
//  2. the photos' bytes from the BlobStore; the Prefiller runs on its
//     PrefillRunner with `job_time_limit`: a slower call fails the job (the
//     runner and its Prefiller are replaced, see PrefillRunner);
//  3. one transaction, only if the filing is still prefilling: the form
//     fields replaced, detected document kinds set, prefilling →
//     awaiting_desk (kFinishPrefill) and a desk_enqueue outbox row for the
//     filing's desk and deadline; then the job is acked.
// Two threads holding duplicate jobs of one prefilling filing may both run
// the Prefiller; step 3 stores only the first result.
// A failed attempt leaves the job pending; after `lease` without an ack any
// thread takes it over (XAUTOCLAIM), as it does for a crashed consumer's jobs.
// The attempt that reaches max_deliveries, or a job found delivered more often
// than that (its consumers kept crashing), gives up: the filing still goes to
// the desk, finished with an empty form whose every field needs review with
// the reason "không đọc được ảnh", and then the job is dead-lettered with its
// error for operators (unless the filing no longer needed a pre-fill: then
// the job is just acked). The filing is finished before the dead letter is
// written, so a crash in between redelivers the job, which is then acked as a
// no-op (the dead letter is lost, never the filing).
class OcrPool {
 public:
  struct Options {
    queue::RedisClient::Options redis;
    int threads = 2;
    // Consumer names are "<consumer_prefix>-<i>"; empty means
    // ProcessConsumerName("ocr").
    std::string consumer_prefix;
    absl::Duration job_time_limit = absl::Seconds(30);
    // Idle time after which an unacknowledged job is redelivered. Keep it
    // well above job_time_limit, or a slow job is handed to a second thread
    // while the first still works on it (harmless, but wasted work).
    absl::Duration lease = absl::Seconds(60);
    int max_deliveries = 5;
    // Longest wait in one XREADGROUP; bounds how long Stop() takes.
    absl::Duration read_block = absl::Milliseconds(500);
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  // `events` may be null. `poke_outbox` wakes the outbox dispatcher after a
  // filing was finished.
  OcrPool(records::RecordStore& records, const store::BlobStore& blobs,
          const domain::Catalog& catalog, api::FilingEvents* events,
          std::function<void()> poke_outbox, PrefillerFactory factory,
          Options options);
  ~OcrPool();
  OcrPool(const OcrPool&) = delete;
  OcrPool& operator=(const OcrPool&) = delete;

  // Start once; a stopped pool does not restart.
  void Start();
  // Returns after in-flight jobs end (bounded by read_block, Redis timeouts
  // and the Prefiller calls in progress); their jobs stay pending if unacked.
  void Stop();

  static constexpr char kUnreadable[] = "không đọc được ảnh";

 private:
  class Worker;

  records::RecordStore& records_;
  const store::BlobStore& blobs_;
  const domain::Catalog& catalog_;
  api::FilingEvents* events_;
  std::function<void()> poke_outbox_;
  PrefillerFactory factory_;
  Options options_;
  Wakeup wakeup_;
  std::vector<std::thread> threads_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_OCR_POOL_H_
