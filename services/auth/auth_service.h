#ifndef CDKV_SERVICES_AUTH_AUTH_SERVICE_H_
#define CDKV_SERVICES_AUTH_AUTH_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cdkv/v1/auth.grpc.pb.h"
#include "services/auth/account_store.h"
#include "services/auth/token.h"

namespace cdkv::auth {

// Delivers a sign-in code to a phone (normalised "0xxxxxxxxx"). Must be fast
// (queue it, do not send it inline) and must not log the code outside
// development mode.
using CodeSender =
    std::function<void(const std::string& phone, const std::string& code)>;
using Clock = std::function<absl::Time()>;

struct TokenTtls {
  // Citizens sign in rarely and from their own phone.
  absl::Duration citizen = absl::Hours(24 * 7);
  // Staff tokens last about one working day.
  absl::Duration staff = absl::Hours(12);
};

// cdkv.v1.AuthService. Every handler validates its input first, does its
// work synchronously and finishes before returning. The slowest work is one
// Argon2id verification at interactive cost (tens of milliseconds, bounded
// by AccountStore's hashing slots), which is acceptable on a callback
// thread; nothing here waits on the network.
class AuthServiceImpl final : public cdkv::v1::AuthService::CallbackService {
 public:
  // The references must outlive the service.
  AuthServiceImpl(AccountStore& accounts, const TokenSigner& signer,
                  CodeSender send_code, Clock clock, TokenTtls ttls);

  grpc::ServerUnaryReactor* RequestSignInCode(
      grpc::CallbackServerContext* context,
      const cdkv::v1::RequestSignInCodeRequest* request,
      cdkv::v1::RequestSignInCodeResponse* response) override;
  grpc::ServerUnaryReactor* SignInWithCode(
      grpc::CallbackServerContext* context,
      const cdkv::v1::SignInWithCodeRequest* request,
      cdkv::v1::SignInWithCodeResponse* response) override;
  grpc::ServerUnaryReactor* SignInWithPassword(
      grpc::CallbackServerContext* context,
      const cdkv::v1::SignInWithPasswordRequest* request,
      cdkv::v1::SignInWithPasswordResponse* response) override;
  grpc::ServerUnaryReactor* GetSession(
      grpc::CallbackServerContext* context,
      const cdkv::v1::GetSessionRequest* request,
      cdkv::v1::GetSessionResponse* response) override;

 private:
  // Issues a token for `principal` and describes it in `session`.
  absl::Status StartSession(const Principal& principal, absl::Time now,
                            cdkv::v1::Session* session) const;

  AccountStore& accounts_;
  const TokenSigner& signer_;
  const CodeSender send_code_;
  const Clock clock_;
  const TokenTtls ttls_;
};

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_AUTH_SERVICE_H_
