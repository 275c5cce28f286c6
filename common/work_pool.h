#ifndef CDKV_COMMON_WORK_POOL_H_
#define CDKV_COMMON_WORK_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace cdkv {

// A fixed set of threads running submitted tasks in order of submission. gRPC
// handlers hand anything slower than a database round trip (decoding an
// uploaded photo) to one of these, so the callback threads stay free.
// Destruction finishes queued tasks, then joins.
class WorkPool {
 public:
  explicit WorkPool(int threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace cdkv

#endif  // CDKV_COMMON_WORK_POOL_H_
