#ifndef CDKV_WORKERS_CONSUMER_NAME_H_
#define CDKV_WORKERS_CONSUMER_NAME_H_

#include <string>
#include <string_view>

namespace cdkv::workers {

// "<role>-<hostname>-<pid>": a stream consumer name no other process uses,
// so XAUTOCLAIM can tell a dead process's pending jobs from a live one's.
std::string ProcessConsumerName(std::string_view role);

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_CONSUMER_NAME_H_
