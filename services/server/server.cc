#include "services/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cdkv/v1/auth.grpc.pb.h"
#include "cdkv/v1/catalog.grpc.pb.h"
#include "cdkv/v1/citizen.grpc.pb.h"
#include "cdkv/v1/desk.grpc.pb.h"
#include "cdkv/v1/supervision.grpc.pb.h"
#include "common/log.h"
#include "grpc/health/v1/health.pb.h"

namespace cdkv::server {
namespace {

// Uploads arrive as a stream of chunks of at most 1 MiB (see
// UploadDocumentRequest), so no single message needs more than this; anything
// larger is refused by gRPC before we see it.
constexpr int kMaxReceiveMessageBytes = 2 * 1024 * 1024;
constexpr int kMaxSendMessageBytes = 4 * 1024 * 1024;

std::string HostOf(const std::string& address) {
  return address.substr(0, address.rfind(':'));
}

}  // namespace

std::vector<std::string> Server::ServiceNames() {
  return {
      cdkv::v1::AuthService::service_full_name(),
      cdkv::v1::CatalogService::service_full_name(),
      cdkv::v1::CitizenService::service_full_name(),
      cdkv::v1::DeskService::service_full_name(),
      cdkv::v1::SupervisionService::service_full_name(),
  };
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerConfig& config) {
  absl::StatusOr<std::unique_ptr<Application>> app =
      Application::Create(config);
  if (!app.ok()) return app.status();
  if (absl::Status s = (*app)->StartWorkers(config); !s.ok()) return s;
  return Start(config, std::move(*app));
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerConfig& config, std::unique_ptr<Application> app) {
  std::unique_ptr<Server> server(new Server());
  server->app_ = std::move(app);
  // gRPC's built-in health service has no protobuf descriptor of its own;
  // touching ours links it in, so reflection can describe grpc.health.v1.Health
  // to clients like grpcurl.
  grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config.listen_address,
                           grpc::InsecureServerCredentials(), &bound_port);
  // gRPC sets SO_REUSEPORT by default, which lets a second server silently
  // share the port and take half the calls. A port already in use must be an
  // error an operator sees.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  builder.SetMaxSendMessageSize(kMaxSendMessageBytes);
  for (grpc::Service* service : server->app_->Services()) {
    builder.RegisterService(service);
  }

  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.listen_address,
        ": the address is in use or not an address of this machine"));
  }
  server->port_ = bound_port;
  server->address_ =
      absl::StrCat(HostOf(config.listen_address), ":", bound_port);

  grpc::HealthCheckServiceInterface* health =
      server->grpc_server_->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const std::string& name : ServiceNames()) {
    health->SetServingStatus(name, true);
  }
  LogInfo("server.started", {{"listen", server->address_}});
  return server;
}

void Server::Shutdown(absl::Duration drain) {
  if (shut_down_ || grpc_server_ == nullptr) return;
  shut_down_ = true;
  // Load balancers stop sending new calls once health says NOT_SERVING.
  grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  LogInfo(
      "server.draining",
      {{"drain_seconds", static_cast<int64_t>(absl::ToInt64Seconds(drain))}});
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + drain));
  grpc_server_->Wait();
  LogInfo("server.stopped");
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

}  // namespace cdkv::server
