#include "services/auth/authenticate.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/auth/grpc_status.h"

namespace cdkv::auth {
namespace {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

Metadata Make(const std::vector<std::pair<std::string, std::string>>& entries) {
  Metadata metadata;
  for (const auto& [key, value] : entries) {
    metadata.emplace(grpc::string_ref(key), grpc::string_ref(value));
  }
  return metadata;
}

void RequireUnauthenticated(const absl::StatusOr<std::string_view>& token,
                            const std::string& needle) {
  REQUIRE_FALSE(token.ok());
  CHECK(token.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(token.status().message()), Catch::Contains(needle));
}

TEST_CASE("the bearer token is read from the authorization entry",
          "[authenticate]") {
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"user-agent", "test"}, {"authorization", "Bearer abc.def"}};
  const Metadata metadata = Make(entries);
  absl::StatusOr<std::string_view> token = BearerToken(metadata);
  REQUIRE(token.ok());
  CHECK(*token == "abc.def");

  const std::vector<std::pair<std::string, std::string>> lower = {
      {"authorization", "bearer abc.def"}};
  const Metadata lower_metadata = Make(lower);
  token = BearerToken(lower_metadata);
  REQUIRE(token.ok());
  CHECK(*token == "abc.def");
}

TEST_CASE("a missing or malformed authorization entry is refused",
          "[authenticate]") {
  const std::vector<std::pair<std::string, std::string>> none = {
      {"user-agent", "test"}};
  const std::vector<std::pair<std::string, std::string>> basic = {
      {"authorization", "Basic dXNlcjpwYXNz"}};
  const std::vector<std::pair<std::string, std::string>> bare = {
      {"authorization", "abc.def"}};
  const std::vector<std::pair<std::string, std::string>> empty = {
      {"authorization", "Bearer "}};
  const std::vector<std::pair<std::string, std::string>> twice = {
      {"authorization", "Bearer a"}, {"authorization", "Bearer b"}};
  const Metadata m_none = Make(none), m_basic = Make(basic),
                 m_bare = Make(bare), m_empty = Make(empty),
                 m_twice = Make(twice);
  RequireUnauthenticated(BearerToken(m_none), "missing `authorization`");
  RequireUnauthenticated(BearerToken(m_basic), "must be `Bearer <token>`");
  RequireUnauthenticated(BearerToken(m_bare), "must be `Bearer <token>`");
  RequireUnauthenticated(BearerToken(m_empty), "no token after `Bearer`");
  RequireUnauthenticated(BearerToken(m_twice), "more than one");
}

TEST_CASE("RequireRole admits only the role asked for", "[authenticate]") {
  Principal officer;
  officer.role = domain::Role::kOfficer;
  CHECK(RequireRole(officer, domain::Role::kOfficer).ok());
  absl::Status denied = RequireRole(officer, domain::Role::kSupervisor);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(denied.message()),
             Catch::Contains("requires the supervisor role") &&
                 Catch::Contains("signed in as officer"));
}

TEST_CASE("absl codes map to the gRPC codes of the same name",
          "[grpc_status]") {
  const std::vector<std::pair<absl::StatusCode, grpc::StatusCode>> pairs = {
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded,
       grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied,
       grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted,
       grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition,
       grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& [absl_code, grpc_code] : pairs) {
    const grpc::Status converted =
        ToGrpcStatus(absl::Status(absl_code, "what to do"));
    CHECK(converted.error_code() == grpc_code);
    CHECK(converted.error_message() == "what to do");
  }
  CHECK(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST_CASE("a retry-after rides along with the status", "[grpc_status]") {
  absl::Status status = absl::ResourceExhaustedError("slow down");
  CHECK_FALSE(RetryAfter(status).has_value());
  SetRetryAfter(status, absl::Seconds(42));
  REQUIRE(RetryAfter(status).has_value());
  CHECK(*RetryAfter(status) == absl::Seconds(42));
}

}  // namespace
}  // namespace cdkv::auth
