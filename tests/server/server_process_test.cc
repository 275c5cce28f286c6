// Starts the real cdkv-server binary on a free loopback port and talks to it
// over a real channel: health checking, reflection, UNIMPLEMENTED for unbuilt
// RPCs, refusal of bad flags, and draining on SIGTERM.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cdkv/v1/supervision.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/free_port.h"
#include "tests/support/temp_dir.h"

namespace cdkv::server {
namespace {

using cdkv::testing::ChildProcess;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

const std::vector<std::string> kAppServices = {
    "cdkv.v1.AuthService", "cdkv.v1.CatalogService", "cdkv.v1.CitizenService",
    "cdkv.v1.DeskService", "cdkv.v1.SupervisionService"};

struct RunningServer {
  cdkv::testing::TempDir dir;
  std::unique_ptr<ChildProcess> process;
  std::string address;
};

std::unique_ptr<ChildProcess> Launch(const cdkv::testing::TempDir& dir,
                                     std::vector<std::string> args) {
  ChildProcess::Options options;
  options.argv = {CDKV_SERVER_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = {{"CDKV_DATA_DIR", (dir.path() / "data").string()}};
  options.stdout_path = dir.path() / "stdout";
  options.stderr_path = dir.path() / "stderr";
  auto process = ChildProcess::Start(std::move(options));
  REQUIRE(process.ok());
  return std::move(*process);
}

RunningServer StartServer() {
  auto dir = cdkv::testing::TempDir::Create();
  REQUIRE(dir.ok());
  auto port = cdkv::testing::FreeLoopbackPort();
  REQUIRE(port.ok());
  RunningServer server{std::move(*dir), nullptr,
                       absl::StrCat("127.0.0.1:", *port)};
  server.process =
      Launch(server.dir, {"--listen", server.address, "--drain-seconds", "5"});
  absl::Status ready =
      server.process->WaitForOutput("serving gRPC on", absl::Seconds(20));
  INFO(server.process->Output());
  REQUIRE(ready.ok());
  return server;
}

std::shared_ptr<grpc::Channel> Dial(const std::string& address) {
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  REQUIRE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                    std::chrono::seconds(10)));
  return channel;
}

grpc::Status Check(grpc::health::v1::Health::Stub& stub,
                   const std::string& service, HealthCheckResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service(service);
  return stub.Check(&context, request, response);
}

TEST_CASE("the server prints where to connect and reports SERVING") {
  RunningServer server = StartServer();
  CHECK_THAT(server.process->Output(), Catch::Contains(server.address));
  auto stub = grpc::health::v1::Health::NewStub(Dial(server.address));

  HealthCheckResponse overall;
  REQUIRE(Check(*stub, "", &overall).ok());
  CHECK(overall.status() == HealthCheckResponse::SERVING);
  for (const std::string& name : kAppServices) {
    INFO(name);
    HealthCheckResponse response;
    REQUIRE(Check(*stub, name, &response).ok());
    CHECK(response.status() == HealthCheckResponse::SERVING);
  }
  HealthCheckResponse unknown;
  CHECK(Check(*stub, "cdkv.v1.NoSuchService", &unknown).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("reflection lists the five services and describes them") {
  RunningServer server = StartServer();
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(
      Dial(server.address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&context);

  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  REQUIRE(stream->Write(list));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  REQUIRE(stream->Read(&response));
  std::set<std::string> names;
  for (const auto& s : response.list_services_response().service()) {
    names.insert(s.name());
  }
  for (const std::string& name : kAppServices) CHECK(names.count(name) == 1);
  CHECK(names.count("grpc.health.v1.Health") == 1);

  // A client needs each service's file descriptor to build requests.
  for (const std::string& symbol : {std::string("cdkv.v1.CitizenService"),
                                    std::string("grpc.health.v1.Health")}) {
    INFO(symbol);
    grpc::reflection::v1alpha::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(symbol);
    REQUIRE(stream->Write(describe));
    REQUIRE(stream->Read(&response));
    REQUIRE(response.has_file_descriptor_response());
    CHECK(response.file_descriptor_response().file_descriptor_proto_size() > 0);
  }
  stream->WritesDone();
  CHECK(stream->Finish().ok());
}

TEST_CASE("a method the contract does not have says UNIMPLEMENTED") {
  RunningServer server = StartServer();
  grpc::GenericStub stub(Dial(server.address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::Slice empty_message("");  // an empty protobuf message: zero bytes
  grpc::ByteBuffer request(&empty_message, 1), response;
  grpc::Status status;
  std::mutex mu;
  std::condition_variable done;
  bool finished = false;
  stub.UnaryCall(&context, "/cdkv.v1.SupervisionService/NoSuchMethod", {},
                 &request, &response, [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = s;
                   finished = true;
                   done.notify_one();
                 });
  std::unique_lock<std::mutex> lock(mu);
  done.wait(lock, [&] { return finished; });
  CHECK(status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
}

TEST_CASE("SIGTERM drains and exits cleanly") {
  RunningServer server = StartServer();
  REQUIRE(server.process->Signal(SIGTERM).ok());
  auto exit = server.process->Wait(absl::Seconds(15));
  INFO(server.process->Output());
  REQUIRE(exit.ok());
  CHECK(exit->Success());
  CHECK_THAT(server.process->Output(),
             Catch::Contains("event=server.draining") &&
                 Catch::Contains("event=server.stopped"));
}

TEST_CASE("bad flags and a taken port are refused with a message") {
  auto dir = cdkv::testing::TempDir::Create();
  REQUIRE(dir.ok());
  {
    auto process = Launch(*dir, {"--no-such-flag"});
    auto exit = process->Wait(absl::Seconds(10));
    REQUIRE(exit.ok());
    CHECK(exit->exit_code == 2);
    CHECK_THAT(process->Output(), Catch::Contains("--no-such-flag"));
  }
  {
    auto process = Launch(*dir, {"--listen", "127.0.0.1:99999"});
    auto exit = process->Wait(absl::Seconds(10));
    REQUIRE(exit.ok());
    CHECK(exit->exit_code == 2);
    CHECK_THAT(process->Output(), Catch::Contains("65535"));
  }
  RunningServer first = StartServer();
  auto second = Launch(*dir, {"--listen", first.address});
  auto exit = second->Wait(absl::Seconds(10));
  REQUIRE(exit.ok());
  CHECK(exit->exit_code == 1);
  CHECK_THAT(second->Output(), Catch::Contains("cannot listen on"));
}

}  // namespace
}  // namespace cdkv::server
