#include "services/auth/authenticate.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cdkv::auth {
namespace {

constexpr absl::string_view kBearerScheme = "bearer ";

}  // namespace

absl::StatusOr<std::string_view> BearerToken(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  auto [first, last] = metadata.equal_range("authorization");
  if (first == last) {
    return absl::UnauthenticatedError(
        "missing `authorization` metadata; sign in and send `authorization: "
        "Bearer <token>`");
  }
  if (std::next(first) != last) {
    return absl::UnauthenticatedError(
        "more than one `authorization` metadata entry; send exactly one");
  }
  const absl::string_view value(first->second.data(), first->second.size());
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  if (!absl::StartsWithIgnoreCase(value, kBearerScheme)) {
    return absl::UnauthenticatedError(
        "`authorization` metadata must be `Bearer <token>`");
  }
  const absl::string_view token = value.substr(kBearerScheme.size());
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "`authorization` metadata has no token after `Bearer`; sign in first");
  }
  return std::string_view(token.data(), token.size());
}

absl::StatusOr<TokenClaims> AuthenticateClaims(
    const grpc::ServerContextBase& context, const TokenSigner& signer,
    absl::Time now) {
  absl::StatusOr<std::string_view> token =
      BearerToken(context.client_metadata());
  if (!token.ok()) return token.status();
  return signer.VerifyClaims(*token, now);
}

absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& context,
                                       const TokenSigner& signer,
                                       absl::Time now) {
  absl::StatusOr<TokenClaims> claims = AuthenticateClaims(context, signer, now);
  if (!claims.ok()) return claims.status();
  return std::move(claims->principal);
}

absl::Status RequireRole(const Principal& principal, domain::Role role) {
  if (principal.role == role) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "this requires the ", domain::RoleName(role),
      " role; you are signed in as ", domain::RoleName(principal.role)));
}

}  // namespace cdkv::auth
