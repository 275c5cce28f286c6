#ifndef CDKV_WORKERS_PREFILL_RUNNER_H_
#define CDKV_WORKERS_PREFILL_RUNNER_H_

#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/domain/catalog.h"
#include "workers/prefiller.h"

namespace cdkv::workers {

// Runs one Prefiller on a thread of its own, so that the caller can stop
// waiting for a call that takes too long. OCR libraries cannot be
// interrupted, so an abandoned call runs on to its end; the runner stays
// busy meanwhile and its result is thrown away. The caller replaces a busy
// runner with a fresh one (a new Prefiller) and destroys the old one once it
// is idle; the destructor waits for the call in progress, if any.
class PrefillRunner {
 public:
  explicit PrefillRunner(std::unique_ptr<Prefiller> prefiller);
  ~PrefillRunner();
  PrefillRunner(const PrefillRunner&) = delete;
  PrefillRunner& operator=(const PrefillRunner&) = delete;

  // DEADLINE_EXCEEDED when the Prefiller has not returned after `limit`;
  // FAILED_PRECONDITION when a previous call is still running. `procedure`
  // must outlive the call even if abandoned (catalog entries do). An
  // exception thrown by the Prefiller becomes INTERNAL.
  absl::StatusOr<PrefillResult> Run(const domain::Procedure& procedure,
                                    std::vector<DocumentInput> docs,
                                    absl::Duration limit);
  bool busy();

 private:
  struct Task {
    const domain::Procedure* procedure;
    std::vector<DocumentInput> docs;
  };

  void Loop();

  std::unique_ptr<Prefiller> prefiller_;
  absl::Mutex mu_;
  std::optional<Task> task_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::StatusOr<PrefillResult>> result_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_PREFILL_RUNNER_H_
