#include "workers/wakeup.h"

#include <algorithm>

namespace cdkv::workers {

void Wakeup::Wait(absl::Duration timeout, bool poke_wakes) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || (poke_wakes && poked_);
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (poke_wakes) poked_ = false;
}

void Wakeup::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void Wakeup::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

bool Wakeup::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

absl::Duration Backoff::Next() {
  absl::Duration now = next_;
  next_ = std::min(next_ * 2, max_);
  return now;
}

}  // namespace cdkv::workers
