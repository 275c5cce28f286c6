#ifndef CDKV_SERVICES_API_HANDLER_H_
#define CDKV_SERVICES_API_HANDLER_H_

#include <grpcpp/grpcpp.h>

#include <exception>

#include "absl/status/statusor.h"
#include "common/log.h"
#include "common/work_pool.h"
#include "services/api/deps.h"
#include "services/auth/authenticate.h"
#include "services/auth/grpc_status.h"

namespace cdkv::api {

// Runs a unary handler body and finishes the call with its status. No exception
// leaves a reactor: anything thrown below (allocation failure, a library bug)
// becomes INTERNAL.
template <typename Body>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                const char* method, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    LogError("rpc.exception", {{"method", method}, {"what", e.what()}});
    status = grpc::Status(
        grpc::StatusCode::INTERNAL,
        "internal error; the request changed nothing and may be retried");
  }
  reactor->Finish(status);
  return reactor;
}

// Runs a unary handler body on `pool` and finishes the call from there. A
// mutating call waits for the record store's group commit (an fsync), and
// gRPC's callback API runs handlers on very few threads (two on a two-core
// machine): waiting there would hold back every other call and keep commits
// from batching. The body must capture the call's pointers by value; they stay
// valid until Finish.
template <typename Body>
grpc::ServerUnaryReactor* ServeOnPool(WorkPool& pool,
                                      grpc::CallbackServerContext* context,
                                      const char* method, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  pool.Submit([reactor, method, body = std::move(body)]() mutable {
    grpc::Status status;
    try {
      status = body();
    } catch (const std::exception& e) {
      LogError("rpc.exception", {{"method", method}, {"what", e.what()}});
      status = grpc::Status(
          grpc::StatusCode::INTERNAL,
          "internal error; the request changed nothing and may be retried");
    }
    reactor->Finish(status);
  });
  return reactor;
}

// An expected failure from below, as the status the client sees.
inline grpc::Status Fail(const absl::Status& status) {
  return auth::ToGrpcStatus(status);
}

// The shared check at the top of every handler: a valid token, of the given
// role, whose staff account is still enabled and has not revoked it.
inline absl::StatusOr<auth::Principal> Authorize(
    const grpc::CallbackServerContext& context, const Deps& deps,
    domain::Role role) {
  absl::StatusOr<auth::Principal> principal =
      auth::Authenticate(context, *deps.signer, deps.clock());
  if (!principal.ok()) return principal.status();
  if (absl::Status s = auth::RequireRole(*principal, role); !s.ok()) return s;
  // Fail closed: a server wired without the account store cannot tell a
  // disabled account's token from a good one.
  if (deps.accounts == nullptr) {
    return absl::InternalError("the server has no account store; try later");
  }
  if (absl::Status s = deps.accounts->CheckTokenCurrent(*principal); !s.ok()) {
    return s;
  }
  return principal;
}

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_HANDLER_H_
