#include "services/auth/auth_service.h"

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/auth/authenticate.h"
#include "services/auth/grpc_status.h"
#include "services/auth/phone.h"

namespace cdkv::auth {
namespace {

constexpr size_t kMaxFieldBytes = 256;

absl::Status CheckField(absl::string_view name, std::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is required"));
  }
  if (value.size() > kMaxFieldBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is longer than ", kMaxFieldBytes, " bytes"));
  }
  return absl::OkStatus();
}

// The phone number of a request, normalised, or INVALID_ARGUMENT.
absl::StatusOr<std::string> CheckPhone(std::string_view phone) {
  if (absl::Status s = CheckField("phone_number", phone); !s.ok()) return s;
  absl::StatusOr<std::string> normalized = NormalizePhoneNumber(phone);
  if (!normalized.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("phone_number: ", normalized.status().message()));
  }
  return normalized;
}

cdkv::v1::Role ToProtoRole(domain::Role role) {
  switch (role) {
    case domain::Role::kCitizen:
      return cdkv::v1::ROLE_CITIZEN;
    case domain::Role::kOfficer:
      return cdkv::v1::ROLE_OFFICER;
    case domain::Role::kSupervisor:
      return cdkv::v1::ROLE_SUPERVISOR;
    case domain::Role::kSystem:
      break;
  }
  return cdkv::v1::ROLE_UNSPECIFIED;
}

void DescribeSession(const TokenClaims& claims, cdkv::v1::Session* session) {
  const Principal& p = claims.principal;
  session->mutable_expires_at()->set_seconds(
      absl::ToUnixSeconds(claims.expires_at));
  session->set_account_id(p.account_id);
  session->set_role(ToProtoRole(p.role));
  session->set_display_name(p.display_name);
  cdkv::v1::Jurisdiction* j = session->mutable_jurisdiction();
  for (const std::string& desk : p.desk_codes) j->add_desk_codes(desk);
  j->set_district_code(p.district_code);
  j->set_province_code(p.province_code);
}

// Runs a handler body and finishes the call with its status. Exceptions
// (only std::bad_alloc or a throwing CodeSender are possible) must never
// leave a reactor, so they become INTERNAL here.
template <typename Body>
grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* context,
                                  std::string_view rpc, Body&& body) {
  absl::Status status;
  try {
    status = std::forward<Body>(body)();
  } catch (const std::exception& e) {
    LogError("auth.handler_failed", {{"rpc", rpc}, {"error", e.what()}});
    status = absl::InternalError("internal error; try again");
  } catch (...) {
    LogError("auth.handler_failed", {{"rpc", rpc}, {"error", "unknown"}});
    status = absl::InternalError("internal error; try again");
  }
  if (std::optional<absl::Duration> wait = RetryAfter(status)) {
    context->AddTrailingMetadata("retry-after-seconds",
                                 std::to_string(absl::ToInt64Seconds(
                                     absl::Ceil(*wait, absl::Seconds(1)))));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

void LogSignInFailure(grpc::CallbackServerContext* context,
                      std::string_view method, const absl::Status& status) {
  LogWarning("auth.sign_in_failed",
             {{"method", method},
              {"status", absl::StatusCodeToString(status.code())},
              {"peer", context->peer()}});
}

}  // namespace

AuthServiceImpl::AuthServiceImpl(AccountStore& accounts,
                                 const TokenSigner& signer,
                                 CodeSender send_code, Clock clock,
                                 TokenTtls ttls)
    : accounts_(accounts),
      signer_(signer),
      send_code_(std::move(send_code)),
      clock_(std::move(clock)),
      ttls_(ttls) {}

absl::Status AuthServiceImpl::StartSession(const Principal& principal,
                                           absl::Time now,
                                           cdkv::v1::Session* session) const {
  const absl::Duration ttl =
      principal.role == domain::Role::kCitizen ? ttls_.citizen : ttls_.staff;
  std::string token = signer_.Issue(principal, now, ttl);
  // Describing the session from the token itself means the client is told
  // exactly what the token says (whole-second expiry included).
  absl::StatusOr<TokenClaims> claims = signer_.VerifyClaims(token, now);
  if (!claims.ok()) {
    LogError("auth.issue_failed",
             {{"account_id", principal.account_id},
              {"error", std::string(claims.status().message())}});
    return absl::InternalError(
        "could not issue a usable token; check the token lifetimes");
  }
  session->set_token(std::move(token));
  DescribeSession(*claims, session);
  LogInfo("auth.signed_in",
          {{"account_id", principal.account_id},
           {"role", std::string(domain::RoleName(principal.role))}});
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AuthServiceImpl::RequestSignInCode(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RequestSignInCodeRequest* request,
    cdkv::v1::RequestSignInCodeResponse* response) {
  return Respond(context, "RequestSignInCode", [&]() -> absl::Status {
    absl::StatusOr<std::string> phone = CheckPhone(request->phone_number());
    if (!phone.ok()) return phone.status();
    const absl::Time now = clock_();
    absl::StatusOr<SignInCode> issued = accounts_.IssueSignInCode(*phone, now);
    if (!issued.ok()) {
      LogWarning(
          "auth.code_refused",
          {{"phone", MaskPhoneNumber(*phone)},
           {"status", absl::StatusCodeToString(issued.status().code())}});
      return issued.status();
    }
    send_code_(issued->phone, issued->code);
    LogInfo("auth.code_sent", {{"phone", MaskPhoneNumber(issued->phone)}});
    response->set_valid_seconds(
        static_cast<int32_t>(absl::ToInt64Seconds(issued->expires_at - now)));
    response->set_retry_after_seconds(static_cast<int32_t>(absl::ToInt64Seconds(
        absl::Ceil(issued->retry_after, absl::Seconds(1)))));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuthServiceImpl::SignInWithCode(
    grpc::CallbackServerContext* context,
    const cdkv::v1::SignInWithCodeRequest* request,
    cdkv::v1::SignInWithCodeResponse* response) {
  return Respond(context, "SignInWithCode", [&]() -> absl::Status {
    absl::StatusOr<std::string> phone = CheckPhone(request->phone_number());
    if (!phone.ok()) return phone.status();
    if (absl::Status s = CheckField("code", request->code()); !s.ok()) return s;
    const absl::Time now = clock_();
    absl::StatusOr<Principal> citizen =
        accounts_.VerifySignInCode(*phone, request->code(), now);
    if (!citizen.ok()) {
      LogSignInFailure(context, "code", citizen.status());
      return citizen.status();
    }
    return StartSession(*citizen, now, response->mutable_session());
  });
}

grpc::ServerUnaryReactor* AuthServiceImpl::SignInWithPassword(
    grpc::CallbackServerContext* context,
    const cdkv::v1::SignInWithPasswordRequest* request,
    cdkv::v1::SignInWithPasswordResponse* response) {
  return Respond(context, "SignInWithPassword", [&]() -> absl::Status {
    for (absl::Status s : {CheckField("username", request->username()),
                           CheckField("password", request->password())}) {
      if (!s.ok()) return s;
    }
    const absl::Time now = clock_();
    // One Argon2id verification, tens of milliseconds: see the class comment.
    absl::StatusOr<Principal> staff =
        accounts_.VerifyPassword(request->username(), request->password(), now);
    if (!staff.ok()) {
      LogSignInFailure(context, "password", staff.status());
      return staff.status();
    }
    return StartSession(*staff, now, response->mutable_session());
  });
}

grpc::ServerUnaryReactor* AuthServiceImpl::GetSession(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetSessionRequest* /*request*/,
    cdkv::v1::GetSessionResponse* response) {
  return Respond(context, "GetSession", [&]() -> absl::Status {
    absl::StatusOr<TokenClaims> claims =
        AuthenticateClaims(*context, signer_, clock_());
    if (!claims.ok()) return claims.status();
    if (absl::Status s = accounts_.CheckTokenCurrent(claims->principal);
        !s.ok()) {
      return s;
    }
    DescribeSession(*claims, response->mutable_session());
    return absl::OkStatus();
  });
}

}  // namespace cdkv::auth
