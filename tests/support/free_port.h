#ifndef CDKV_TESTS_SUPPORT_FREE_PORT_H_
#define CDKV_TESTS_SUPPORT_FREE_PORT_H_

#include "absl/status/statusor.h"

namespace cdkv::testing {

// Returns a TCP port on 127.0.0.1 that was free a moment ago. Another process
// may still grab it before the caller binds, so servers started on it must
// be retried on a fresh port if they fail to bind.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_SUPPORT_FREE_PORT_H_
