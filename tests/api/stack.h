#ifndef CDKV_TESTS_API_STACK_H_
#define CDKV_TESTS_API_STACK_H_

// A whole cdkv deployment in one test process: a real redis-server, the real
// Application and gRPC server on a free loopback port, and clients that call it
// over a real channel.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "cdkv/v1/auth.grpc.pb.h"
#include "cdkv/v1/catalog.grpc.pb.h"
#include "cdkv/v1/citizen.grpc.pb.h"
#include "cdkv/v1/desk.grpc.pb.h"
#include "cdkv/v1/supervision.grpc.pb.h"
#include "services/server/server.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace cdkv::testing {

inline constexpr char kStaffPassword[] = "correct horse battery";
inline constexpr char kDeskA[] = "desk.lv.tan_my";
inline constexpr char kCommuneA[] = "lv.tan_my";
inline constexpr char kDeskB[] = "desk.lv.dinh_an";
inline constexpr char kCommuneB[] = "lv.dinh_an";
inline constexpr char kBirth[] = "dang_ky_khai_sinh";

// The SMS / Zalo-style gateway the notifier POSTs to: a local HTTP server that
// keeps every body it receives.
class Gateway {
 public:
  Gateway();
  ~Gateway();
  std::string url() const;
  // Bodies received so far (JSON text).
  std::vector<std::string> Bodies();
  // Waits up to `timeout` for a body containing `needle`; returns it, or "" on
  // time-out.
  std::string WaitFor(const std::string& needle, absl::Duration timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Stack {
 public:
  // Starts Redis and the server; officers "officer.a" (desk A), "officer.b"
  // (desk B) and supervisor "supervisor.875" exist with kStaffPassword.
  static std::unique_ptr<Stack> Start();
  // Start with the server's configuration changed by `adjust` first (e.g.
  // prefill_off).
  static std::unique_ptr<Stack> Start(
      const std::function<void(server::ServerConfig&)>& adjust);
  ~Stack();

  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  server::Server& server() { return *server_; }
  RedisServer& redis() { return *redis_; }
  Gateway& gateway() { return *gateway_; }
  const TempDir& dir() const { return dir_; }

  // Signs a citizen in through RequestSignInCode + SignInWithCode (the code is
  // read from the SMS outbox, as the gateway would send it). Returns the bearer
  // token.
  std::string CitizenToken(const std::string& phone);
  std::string StaffToken(const std::string& username);

  std::unique_ptr<cdkv::v1::CitizenService::Stub> citizen() {
    return cdkv::v1::CitizenService::NewStub(channel_);
  }
  std::unique_ptr<cdkv::v1::DeskService::Stub> desk() {
    return cdkv::v1::DeskService::NewStub(channel_);
  }
  std::unique_ptr<cdkv::v1::AuthService::Stub> auth() {
    return cdkv::v1::AuthService::NewStub(channel_);
  }

 private:
  Stack(TempDir dir) : dir_(std::move(dir)) {}

  TempDir dir_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context carrying `token` and a 20-second deadline.
std::unique_ptr<grpc::ClientContext> Call(const std::string& token);

// Uploads `bytes` as one document of `filing_id` in 64 KiB chunks.
grpc::Status Upload(cdkv::v1::CitizenService::Stub& stub,
                    const std::string& token, const std::string& filing_id,
                    const std::string& request_id, const std::string& bytes,
                    const std::string& declared_kind,
                    cdkv::v1::UploadDocumentResponse* response,
                    int64_t declared_size = -1);

// A JPEG photo of a paper with an ID-card QR code holding `payload`, like a
// phone would take.
std::string IdCardPhoto(const std::string& payload);

}  // namespace cdkv::testing

#endif  // CDKV_TESTS_API_STACK_H_
