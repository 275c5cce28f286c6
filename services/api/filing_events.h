#ifndef CDKV_SERVICES_API_FILING_EVENTS_H_
#define CDKV_SERVICES_API_FILING_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "cdkv/v1/common.pb.h"

namespace cdkv::api {

// In-process fan-out of committed filing changes to WatchFiling streams. Events
// are published only after their transaction commits, so a watcher never sees a
// change that was rolled back. (With several API servers this becomes a Redis
// pub/sub channel per filing; see docs.)
class FilingEvents {
 public:
  using Callback = std::function<void(const cdkv::v1::FilingEvent&)>;

  // Returns a handle for Unsubscribe. The callback runs on the publisher's
  // thread and must not block.
  int64_t Subscribe(const std::string& filing_id, Callback callback);
  void Unsubscribe(const std::string& filing_id, int64_t handle);
  void Publish(const cdkv::v1::FilingEvent& event);
  size_t SubscriberCount();

 private:
  absl::Mutex mu_;
  int64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, std::map<int64_t, Callback>> subscribers_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_FILING_EVENTS_H_
