#ifndef CDKV_WORKERS_WAKEUP_H_
#define CDKV_WORKERS_WAKEUP_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cdkv::workers {

// How a worker thread sleeps: until its timeout, a Poke() (new work) or
// Stop(), whichever comes first, so Stop() never waits out a long sleep.
class Wakeup {
 public:
  // Returns after `timeout`, on Stop(), or (when `poke_wakes`) on a Poke()
  // since the last wait. Backoff sleeps pass false so a burst of pokes cannot
  // turn a retry delay into a busy loop.
  void Wait(absl::Duration timeout, bool poke_wakes = true);
  void Poke();
  void Stop();
  bool stopping();

 private:
  absl::Mutex mu_;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// Exponential retry delay: doubles on each failure up to a cap, resets on
// success.
class Backoff {
 public:
  Backoff(absl::Duration initial, absl::Duration max)
      : initial_(initial), max_(max), next_(initial) {}
  // The delay to wait now; the next one is twice as long.
  absl::Duration Next();
  void Reset() { next_ = initial_; }

 private:
  absl::Duration initial_;
  absl::Duration max_;
  absl::Duration next_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_WAKEUP_H_
