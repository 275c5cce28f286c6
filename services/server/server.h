#ifndef CDKV_SERVICES_SERVER_SERVER_H_
#define CDKV_SERVICES_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/server/application.h"
#include "services/server/config.h"

namespace cdkv::server {

// The five cdkv.v1 services, with gRPC health checking and server reflection,
// on one port. Methods that no issue has implemented yet answer UNIMPLEMENTED
// (gRPC's default for a callback service method that is not overridden):
// nothing pretends to work.
class Server {
 public:
  // Binds and starts serving. Fails if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerConfig& config);
  // Serves an application built by the caller (tests reach into it).
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerConfig& config, std::unique_ptr<Application> app);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (differs from the configured one when that was 0).
  int port() const { return port_; }
  // host:port a client on this machine can dial.
  const std::string& address() const { return address_; }
  // The fully qualified names of the application services served.
  static std::vector<std::string> ServiceNames();

  // Reports NOT_SERVING to health checks, stops taking new calls, and waits up
  // to `drain` for in-flight calls before cancelling them. Safe to call more
  // than once.
  void Shutdown(absl::Duration drain);

  // The application behind the services (tests and workers reach the stores
  // through it).
  Application& app() { return *app_; }

 private:
  Server() = default;

  // Declared before the gRPC server so it is destroyed after it.
  std::unique_ptr<Application> app_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  std::string address_;
  bool shut_down_ = false;
};

}  // namespace cdkv::server

#endif  // CDKV_SERVICES_SERVER_SERVER_H_
