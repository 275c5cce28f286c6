#include "services/api/filing_events.h"

namespace cdkv::api {

int64_t FilingEvents::Subscribe(const std::string& filing_id,
                                Callback callback) {
  absl::MutexLock lock(&mu_);
  const int64_t handle = next_handle_++;
  subscribers_[filing_id][handle] = std::move(callback);
  return handle;
}

void FilingEvents::Unsubscribe(const std::string& filing_id, int64_t handle) {
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(filing_id);
  if (it == subscribers_.end()) return;
  it->second.erase(handle);
  if (it->second.empty()) subscribers_.erase(it);
}

void FilingEvents::Publish(const cdkv::v1::FilingEvent& event) {
  absl::MutexLock lock(&mu_);
  auto it = subscribers_.find(event.filing_id());
  if (it == subscribers_.end()) return;
  for (auto& [handle, callback] : it->second) callback(event);
}

size_t FilingEvents::SubscriberCount() {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [id, subs] : subscribers_) n += subs.size();
  return n;
}

}  // namespace cdkv::api
