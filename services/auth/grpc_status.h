#ifndef CDKV_SERVICES_AUTH_GRPC_STATUS_H_
#define CDKV_SERVICES_AUTH_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cdkv::auth {

// The same code and message as a gRPC status. Handlers return expected
// failures as absl::Status and convert once, at the reactor's Finish().
grpc::Status ToGrpcStatus(const absl::Status& status);

// A RESOURCE_EXHAUSTED status can say when to try again, so a transport can
// tell the client in a machine-readable way (AuthServiceImpl sends it as the
// `retry-after-seconds` trailing metadata entry) besides the message.
void SetRetryAfter(absl::Status& status, absl::Duration wait);
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_GRPC_STATUS_H_
