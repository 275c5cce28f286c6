#ifndef CDKV_SERVICES_AUTH_AUTHENTICATE_H_
#define CDKV_SERVICES_AUTH_AUTHENTICATE_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/string_ref.h>

#include <map>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/auth/principal.h"
#include "services/auth/token.h"
#include "services/domain/lifecycle.h"

namespace cdkv::auth {

// The one authentication check. gRPC 1.51 runs no AuthMetadataProcessor on
// insecure credentials and interceptors cannot reject a call, so every
// handler of every service calls Authenticate (or AuthenticateClaims) first
// and returns its status unchanged when it fails.

// The token of the single `authorization: Bearer <token>` metadata entry;
// UNAUTHENTICATED saying what is wrong when the entry is missing, repeated,
// or not a bearer token. The view points into `metadata`.
absl::StatusOr<std::string_view> BearerToken(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// The caller of `context`, with the token's lifetime.
absl::StatusOr<TokenClaims> AuthenticateClaims(
    const grpc::ServerContextBase& context, const TokenSigner& signer,
    absl::Time now);

// The caller of `context`.
absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& context,
                                       const TokenSigner& signer,
                                       absl::Time now);

// PERMISSION_DENIED unless `principal` has `role`.
absl::Status RequireRole(const Principal& principal, domain::Role role);

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_AUTHENTICATE_H_
