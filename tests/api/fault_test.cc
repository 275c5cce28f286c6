// Faults that must lose nothing and do nothing twice: Redis restarted with its
// data wiped while filings are in flight; the server killed with -9 between
// upload and submit.

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/api/stack.h"
#include "tests/support/child_process.h"
#include "tests/support/free_port.h"

namespace cdkv::testing {
namespace {

constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, "
    "Đồng "
    "Tháp|15082021";

std::string SubmitOne(cdkv::v1::CitizenService::Stub& stub,
                      const std::string& token, const std::string& photo,
                      const std::string& tag) {
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("c-" + tag);
  create.set_procedure_code(kBirth);
  create.set_commune_code(kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(stub.CreateFiling(Call(token).get(), create, &created).ok());
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(Upload(stub, token, created.filing().filing_id(), "u-" + tag, photo,
                 "id_card", &uploaded)
              .ok());
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s-" + tag);
  submit.set_filing_id(created.filing().filing_id());
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(stub.SubmitFiling(Call(token).get(), submit, &submitted).ok());
  return created.filing().filing_id();
}

int Count(const cdkv::v1::Filing& filing, const std::string& action) {
  int n = 0;
  for (const auto& change : filing.history())
    n += change.action() == action ? 1 : 0;
  return n;
}

TEST_CASE(
    "Redis wiped while filings are in flight: every filing reaches its desk "
    "once") {
  auto stack = Stack::Start();
  const std::string token = stack->CitizenToken("0912345678");
  const std::string officer = stack->StaffToken("officer.a");
  auto citizen = stack->citizen();
  const std::string photo = IdCardPhoto(kPayload);

  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(SubmitOne(*citizen, token, photo, std::to_string(i)));
    // Halfway through, Redis loses everything: queued OCR jobs, desk queues,
    // the marker.
    if (i == 2) REQUIRE(stack->redis().Restart(/*wipe_data=*/true).ok());
  }
  REQUIRE(stack->redis().Restart(/*wipe_data=*/true).ok());

  // The reconciler rebuilds from the record store; every filing reaches the
  // desk queue.
  auto desk = stack->desk();
  cdkv::v1::ListDeskQueueRequest list;
  list.set_desk_code(kDeskA);
  cdkv::v1::ListDeskQueueResponse queue;
  for (int attempt = 0; attempt < 300; ++attempt) {
    REQUIRE(desk->ListDeskQueue(Call(officer).get(), list, &queue).ok());
    if (queue.waiting_count() == static_cast<int>(ids.size())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(queue.waiting_count() == static_cast<int>(ids.size()));
  std::set<std::string> queued;
  for (const auto& e : queue.entries()) queued.insert(e.filing().filing_id());
  CHECK(queued == std::set<std::string>(ids.begin(), ids.end()));

  // Nothing processed twice in effect: one pre-fill per filing.
  for (const std::string& id : ids) {
    cdkv::v1::GetFilingRequest get;
    get.set_filing_id(id);
    cdkv::v1::GetFilingResponse got;
    REQUIRE(citizen->GetFiling(Call(token).get(), get, &got).ok());
    CHECK(Count(got.filing(), "finish_prefill") == 1);
    CHECK(Count(got.filing(), "submit") == 1);
  }

  // And the Redis desk queue itself is rebuilt: claims go through Redis again.
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k1");
  claim.set_desk_code(kDeskA);
  cdkv::v1::ClaimFilingResponse claimed;
  REQUIRE(desk->ClaimFiling(Call(officer).get(), claim, &claimed).ok());
}

// The real binary, started on a data folder that survives it.
std::unique_ptr<ChildProcess> StartServer(const TempDir& dir, int port,
                                          int redis_port, int ocr_workers = 2) {
  ChildProcess::Options options;
  options.argv = {CDKV_SERVER_BINARY,
                  "--listen",
                  absl::StrCat("127.0.0.1:", port),
                  "--redis",
                  absl::StrCat("127.0.0.1:", redis_port),
                  "--dev",
                  "--drain-seconds",
                  "1",
                  "--ocr-workers",
                  std::to_string(ocr_workers)};
  options.env = {{"CDKV_DATA_DIR", (dir.path() / "data").string()}};
  static int launches = 0;
  ++launches;
  options.stdout_path = dir.path() / absl::StrCat("stdout.", launches);
  options.stderr_path = dir.path() / absl::StrCat("stderr.", launches);
  auto process = ChildProcess::Start(std::move(options));
  REQUIRE(process.ok());
  REQUIRE((*process)->WaitForOutput("serving gRPC on", absl::Seconds(30)).ok());
  return std::move(*process);
}

std::unique_ptr<ChildProcess> StartOcrWorker(const TempDir& dir, int redis_port,
                                             int n) {
  ChildProcess::Options options;
  options.argv = {CDKV_OCR_WORKER_BINARY,
                  "--redis",
                  absl::StrCat("127.0.0.1:", redis_port),
                  "--threads",
                  "2",
                  "--lease-seconds",
                  "2"};
  options.env = {{"CDKV_DATA_DIR", (dir.path() / "data").string()}};
  options.stdout_path = dir.path() / absl::StrCat("worker.out.", n);
  options.stderr_path = dir.path() / absl::StrCat("worker.err.", n);
  auto process = ChildProcess::Start(std::move(options));
  REQUIRE(process.ok());
  REQUIRE((*process)->WaitForOutput("reading photos", absl::Seconds(30)).ok());
  return std::move(*process);
}

// Signs a citizen in against a server started with --dev (the code is in its
// log).
std::string DevCitizenToken(ChildProcess& server,
                            std::shared_ptr<grpc::Channel> channel,
                            const std::string& phone) {
  auto auth = cdkv::v1::AuthService::NewStub(channel);
  cdkv::v1::RequestSignInCodeRequest ask;
  ask.set_phone_number(phone);
  cdkv::v1::RequestSignInCodeResponse asked;
  grpc::ClientContext c1;
  REQUIRE(auth->RequestSignInCode(&c1, ask, &asked).ok());
  REQUIRE(
      server.WaitForOutput("event=auth.sign_in_code", absl::Seconds(10)).ok());
  std::smatch m;
  const std::string log = server.Output();
  REQUIRE(std::regex_search(
      log, m, std::regex("event=auth.sign_in_code.*code=([0-9]{6})")));
  cdkv::v1::SignInWithCodeRequest sign_in;
  sign_in.set_phone_number(phone);
  sign_in.set_code(m[1]);
  cdkv::v1::SignInWithCodeResponse session;
  grpc::ClientContext c2;
  REQUIRE(auth->SignInWithCode(&c2, sign_in, &session).ok());
  return session.session().token();
}

TEST_CASE(
    "an OCR worker killed -9 while working: its jobs are redone by another, "
    "once") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto redis = RedisServer::Start();
  REQUIRE(redis.ok());
  auto port = FreeLoopbackPort();
  REQUIRE(port.ok());
  auto server = StartServer(*dir, *port, (*redis)->port(), /*ocr_workers=*/0);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                     grpc::InsecureChannelCredentials());
  const std::string token = DevCitizenToken(*server, channel, "0912345678");
  auto citizen = cdkv::v1::CitizenService::NewStub(channel);
  const std::string photo = IdCardPhoto(kPayload);

  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(SubmitOne(*citizen, token, photo, std::to_string(i)));
  auto worker = StartOcrWorker(*dir, (*redis)->port(), 1);
  // Kill it as soon as it has finished one job: its threads hold the next ones,
  // unacknowledged.
  REQUIRE(worker->WaitForOutput("event=ocr.job_done", absl::Seconds(30)).ok());
  REQUIRE(worker->Kill9().ok());
  REQUIRE(worker->Wait(absl::Seconds(10)).ok());
  auto replacement = StartOcrWorker(*dir, (*redis)->port(), 2);

  for (const std::string& id : ids) {
    INFO(id);
    cdkv::v1::GetFilingRequest get;
    get.set_filing_id(id);
    cdkv::v1::GetFilingResponse got;
    for (int attempt = 0; attempt < 300; ++attempt) {
      REQUIRE(citizen->GetFiling(Call(token).get(), get, &got).ok());
      if (got.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(got.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
    CHECK(Count(got.filing(), "start_prefill") == 1);
    CHECK(Count(got.filing(), "finish_prefill") == 1);
    bool has_name = false;
    for (const auto& form : got.filing().forms()) {
      for (const auto& field : form.fields()) {
        has_name |= field.key() == "requester.full_name" &&
                    field.value() == "Nguyễn Văn An";
      }
    }
    CHECK(has_name);
  }
  REQUIRE(replacement->Signal(SIGTERM).ok());
  REQUIRE(replacement->Wait(absl::Seconds(15)).ok());
  REQUIRE(server->Signal(SIGTERM).ok());
  REQUIRE(server->Wait(absl::Seconds(15)).ok());
}

TEST_CASE(
    "the server killed between upload and submit: the retry gives one filing") {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  auto redis = RedisServer::Start();
  REQUIRE(redis.ok());
  auto port = FreeLoopbackPort();
  REQUIRE(port.ok());
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  auto server = StartServer(*dir, *port, (*redis)->port());

  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto auth = cdkv::v1::AuthService::NewStub(channel);
  cdkv::v1::RequestSignInCodeRequest ask;
  ask.set_phone_number("0912345678");
  cdkv::v1::RequestSignInCodeResponse asked;
  grpc::ClientContext c1;
  REQUIRE(auth->RequestSignInCode(&c1, ask, &asked).ok());
  // Development mode writes the code to the log.
  REQUIRE(
      server->WaitForOutput("event=auth.sign_in_code", absl::Seconds(10)).ok());
  std::smatch m;
  const std::string log = server->Output();
  REQUIRE(std::regex_search(
      log, m, std::regex("event=auth.sign_in_code.*code=([0-9]{6})")));
  cdkv::v1::SignInWithCodeRequest sign_in;
  sign_in.set_phone_number("0912345678");
  sign_in.set_code(m[1]);
  cdkv::v1::SignInWithCodeResponse session;
  grpc::ClientContext c2;
  REQUIRE(auth->SignInWithCode(&c2, sign_in, &session).ok());
  const std::string token = session.session().token();

  auto citizen = cdkv::v1::CitizenService::NewStub(channel);
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("create-once");
  create.set_procedure_code(kBirth);
  create.set_commune_code(kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(citizen->CreateFiling(Call(token).get(), create, &created).ok());
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(Upload(*citizen, token, created.filing().filing_id(), "upload-once",
                 IdCardPhoto(kPayload), "id_card", &uploaded)
              .ok());

  // kill -9: no drain, no goodbye.
  REQUIRE(server->Kill9().ok());
  REQUIRE(server->Wait(absl::Seconds(10)).ok());
  server = StartServer(*dir, *port, (*redis)->port());
  channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  citizen = cdkv::v1::CitizenService::NewStub(channel);

  // The app did not hear back, so it retries everything with the same request
  // ids. As a phone app does, it retries while the connection says UNAVAILABLE.
  cdkv::v1::CreateFilingResponse created_again;
  grpc::Status retried;
  for (int attempt = 0; attempt < 50; ++attempt) {
    retried = citizen->CreateFiling(Call(token).get(), create, &created_again);
    if (retried.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(retried.error_code() << " " << retried.error_message());
  REQUIRE(retried.ok());
  CHECK(created_again.filing().filing_id() == created.filing().filing_id());
  cdkv::v1::UploadDocumentResponse uploaded_again;
  REQUIRE(Upload(*citizen, token, created.filing().filing_id(), "upload-once",
                 IdCardPhoto(kPayload), "id_card", &uploaded_again)
              .ok());
  CHECK(uploaded_again.document().document_id() ==
        uploaded.document().document_id());
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("submit-once");
  submit.set_filing_id(created.filing().filing_id());
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(token).get(), submit, &submitted).ok());
  REQUIRE(citizen->SubmitFiling(Call(token).get(), submit, &submitted).ok());

  cdkv::v1::ListFilingsResponse listed;
  REQUIRE(citizen->ListFilings(Call(token).get(), {}, &listed).ok());
  REQUIRE(listed.filings_size() == 1);
  cdkv::v1::GetFilingRequest get;
  get.set_filing_id(created.filing().filing_id());
  cdkv::v1::GetFilingResponse got;
  REQUIRE(citizen->GetFiling(Call(token).get(), get, &got).ok());
  CHECK(got.filing().documents_size() == 1);
  CHECK(Count(got.filing(), "submit") == 1);
  REQUIRE(server->Signal(SIGTERM).ok());
  REQUIRE(server->Wait(absl::Seconds(15)).ok());
}

}  // namespace
}  // namespace cdkv::testing
