#include "services/auth/auth_service.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "tests/support/temp_dir.h"

namespace cdkv::auth {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);
constexpr char kPassword[] = "correct horse battery";

// An AuthServiceImpl on 127.0.0.1 with a clock the test moves, and every
// code "sent" captured instead of texted.
class TestServer {
 public:
  TestServer() {
    absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
    REQUIRE(dir.ok());
    dir_ = std::make_unique<testing::TempDir>(std::move(*dir));
    absl::StatusOr<std::unique_ptr<AccountStore>> accounts = AccountStore::Open(
        dir_->path(),
        {.password_cost = AccountStore::PasswordCost::kMinimumForTests});
    REQUIRE(accounts.ok());
    accounts_ = std::move(*accounts);
    absl::StatusOr<TokenSigner> signer =
        TokenSigner::FromKey(std::string(TokenSigner::kKeySize, 's'));
    REQUIRE(signer.ok());
    signer_ = std::make_unique<TokenSigner>(*signer);

    service_ = std::make_unique<AuthServiceImpl>(
        *accounts_, *signer_,
        [this](const std::string& phone, const std::string& code) {
          std::lock_guard<std::mutex> lock(mu_);
          sent_phone_ = phone;
          sent_code_ = code;
        },
        [this] { return absl::FromUnixMicros(now_us_.load()); },
        TokenTtls{.citizen = absl::Hours(24 * 7), .staff = absl::Hours(12)});

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
    REQUIRE(port > 0);
    stub_ = cdkv::v1::AuthService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  ~TestServer() { server_->Shutdown(); }

  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }
  absl::Time Now() const { return absl::FromUnixMicros(now_us_.load()); }

  std::pair<std::string, std::string> LastSent() {
    std::lock_guard<std::mutex> lock(mu_);
    return {sent_phone_, sent_code_};
  }

  AccountStore& accounts() { return *accounts_; }
  cdkv::v1::AuthService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<AccountStore> accounts_;
  std::unique_ptr<TokenSigner> signer_;
  std::unique_ptr<AuthServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<cdkv::v1::AuthService::Stub> stub_;
  std::atomic<int64_t> now_us_{absl::ToUnixMicros(kT0)};
  std::mutex mu_;
  std::string sent_phone_;
  std::string sent_code_;
};

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& value) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", value);
  return context;
}

void RequireStatus(const grpc::Status& status, grpc::StatusCode code,
                   const std::string& needle) {
  INFO(status.error_message());
  REQUIRE(status.error_code() == code);
  CHECK_THAT(status.error_message(), Catch::Contains(needle));
}

cdkv::v1::Session SignInCitizen(TestServer& server, const std::string& phone) {
  cdkv::v1::RequestSignInCodeRequest request;
  request.set_phone_number(phone);
  cdkv::v1::RequestSignInCodeResponse response;
  grpc::ClientContext context;
  grpc::Status status =
      server.stub().RequestSignInCode(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(response.valid_seconds() == 300);
  CHECK(response.retry_after_seconds() == 60);

  const auto [sent_phone, code] = server.LastSent();
  CHECK(sent_phone == "0912345678");
  REQUIRE(code.size() == 6);

  cdkv::v1::SignInWithCodeRequest sign_in;
  sign_in.set_phone_number(phone);
  sign_in.set_code(code);
  cdkv::v1::SignInWithCodeResponse signed_in;
  grpc::ClientContext sign_in_context;
  status = server.stub().SignInWithCode(&sign_in_context, sign_in, &signed_in);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return signed_in.session();
}

TEST_CASE("a citizen signs in with a texted code", "[service]") {
  TestServer server;
  const cdkv::v1::Session session = SignInCitizen(server, "+84912345678");
  CHECK_FALSE(session.token().empty());
  CHECK(session.role() == cdkv::v1::ROLE_CITIZEN);
  CHECK(session.account_id().starts_with("cit_"));
  CHECK(session.expires_at().seconds() ==
        absl::ToUnixSeconds(kT0 + absl::Hours(24 * 7)));

  cdkv::v1::GetSessionResponse described;
  auto context = WithToken("Bearer " + session.token());
  grpc::Status status = server.stub().GetSession(context.get(), {}, &described);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(described.session().token().empty());
  CHECK(described.session().account_id() == session.account_id());
  CHECK(described.session().role() == cdkv::v1::ROLE_CITIZEN);
  CHECK(described.session().expires_at().seconds() ==
        session.expires_at().seconds());
}

TEST_CASE("a used code cannot sign in again", "[service]") {
  TestServer server;
  SignInCitizen(server, "0912345678");
  cdkv::v1::SignInWithCodeRequest again;
  again.set_phone_number("0912345678");
  again.set_code(server.LastSent().second);
  cdkv::v1::SignInWithCodeResponse response;
  grpc::ClientContext context;
  RequireStatus(server.stub().SignInWithCode(&context, again, &response),
                grpc::StatusCode::UNAUTHENTICATED, "no sign-in code");
}

TEST_CASE("a second code request within a minute says when to retry",
          "[service]") {
  TestServer server;
  SignInCitizen(server, "0912345678");
  server.Advance(absl::Seconds(15));
  cdkv::v1::RequestSignInCodeRequest request;
  request.set_phone_number("0912345678");
  cdkv::v1::RequestSignInCodeResponse response;
  grpc::ClientContext context;
  RequireStatus(server.stub().RequestSignInCode(&context, request, &response),
                grpc::StatusCode::RESOURCE_EXHAUSTED, "wait 45 seconds");
  auto retry = context.GetServerTrailingMetadata().find("retry-after-seconds");
  REQUIRE(retry != context.GetServerTrailingMetadata().end());
  CHECK(std::string(retry->second.data(), retry->second.size()) == "45");
}

TEST_CASE("bad input is refused before anything happens", "[service]") {
  TestServer server;
  {
    cdkv::v1::RequestSignInCodeRequest request;
    cdkv::v1::RequestSignInCodeResponse response;
    grpc::ClientContext context;
    RequireStatus(server.stub().RequestSignInCode(&context, request, &response),
                  grpc::StatusCode::INVALID_ARGUMENT,
                  "phone_number is required");
  }
  {
    cdkv::v1::RequestSignInCodeRequest request;
    request.set_phone_number("0912 345 678");
    cdkv::v1::RequestSignInCodeResponse response;
    grpc::ClientContext context;
    RequireStatus(server.stub().RequestSignInCode(&context, request, &response),
                  grpc::StatusCode::INVALID_ARGUMENT, "phone_number:");
    CHECK(server.LastSent().first.empty());
  }
  {
    cdkv::v1::SignInWithCodeRequest request;
    request.set_phone_number("0912345678");
    request.set_code("12a456");
    cdkv::v1::SignInWithCodeResponse response;
    grpc::ClientContext context;
    RequireStatus(server.stub().SignInWithCode(&context, request, &response),
                  grpc::StatusCode::INVALID_ARGUMENT, "6 digits");
  }
  {
    cdkv::v1::SignInWithPasswordRequest request;
    request.set_username(std::string(257, 'a'));
    request.set_password(kPassword);
    cdkv::v1::SignInWithPasswordResponse response;
    grpc::ClientContext context;
    RequireStatus(
        server.stub().SignInWithPassword(&context, request, &response),
        grpc::StatusCode::INVALID_ARGUMENT, "username is longer than 256");
  }
  {
    cdkv::v1::SignInWithPasswordRequest request;
    request.set_username("officer.lan");
    cdkv::v1::SignInWithPasswordResponse response;
    grpc::ClientContext context;
    RequireStatus(
        server.stub().SignInWithPassword(&context, request, &response),
        grpc::StatusCode::INVALID_ARGUMENT, "password is required");
  }
}

TEST_CASE("staff sign in with a password and see their jurisdiction",
          "[service]") {
  TestServer server;
  StaffAccount officer;
  officer.username = "officer.lan";
  officer.password = kPassword;
  officer.role = domain::Role::kOfficer;
  officer.display_name = "Nguyễn Thị Lan";
  officer.desk_codes = {"XA-1-MC"};
  REQUIRE(server.accounts().CreateStaffAccount(officer, kT0).ok());

  cdkv::v1::SignInWithPasswordRequest request;
  request.set_username("officer.lan");
  request.set_password("wrong password");
  cdkv::v1::SignInWithPasswordResponse response;
  {
    grpc::ClientContext context;
    RequireStatus(
        server.stub().SignInWithPassword(&context, request, &response),
        grpc::StatusCode::UNAUTHENTICATED, "wrong username or password");
  }

  request.set_password(kPassword);
  grpc::ClientContext context;
  grpc::Status status =
      server.stub().SignInWithPassword(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  const cdkv::v1::Session& session = response.session();
  CHECK(session.role() == cdkv::v1::ROLE_OFFICER);
  CHECK(session.display_name() == "Nguyễn Thị Lan");
  REQUIRE(session.jurisdiction().desk_codes_size() == 1);
  CHECK(session.jurisdiction().desk_codes(0) == "XA-1-MC");
  CHECK(session.expires_at().seconds() ==
        absl::ToUnixSeconds(kT0 + absl::Hours(12)));

  SECTION("the token works until it expires") {
    server.Advance(absl::Hours(12) - absl::Seconds(1));
    cdkv::v1::GetSessionResponse described;
    auto ok_context = WithToken("Bearer " + session.token());
    CHECK(server.stub().GetSession(ok_context.get(), {}, &described).ok());
    CHECK(described.session().jurisdiction().desk_codes(0) == "XA-1-MC");

    server.Advance(absl::Seconds(1));
    auto late_context = WithToken("Bearer " + session.token());
    RequireStatus(server.stub().GetSession(late_context.get(), {}, &described),
                  grpc::StatusCode::UNAUTHENTICATED,
                  "token expired; sign in again");
  }
  SECTION("a forged token is refused") {
    absl::StatusOr<TokenSigner> other =
        TokenSigner::FromKey(std::string(TokenSigner::kKeySize, 'o'));
    REQUIRE(other.ok());
    Principal supervisor;
    supervisor.account_id = "stf_evil";
    supervisor.role = domain::Role::kSupervisor;
    supervisor.province_code = "01";
    const std::string forged = other->Issue(supervisor, kT0, absl::Hours(1));
    cdkv::v1::GetSessionResponse described;
    auto forged_context = WithToken("Bearer " + forged);
    RequireStatus(
        server.stub().GetSession(forged_context.get(), {}, &described),
        grpc::StatusCode::UNAUTHENTICATED, "signature is invalid");
  }
  SECTION("the token must come as a bearer token") {
    cdkv::v1::GetSessionResponse described;
    auto basic_context = WithToken("Basic " + session.token());
    RequireStatus(server.stub().GetSession(basic_context.get(), {}, &described),
                  grpc::StatusCode::UNAUTHENTICATED, "Bearer <token>");
  }
}

TEST_CASE("sign-in logs carry no code, token, password or phone number",
          "[service]") {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  REQUIRE(dir.ok());
  const std::filesystem::path log_path = dir->path() / "log.txt";
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  SetLogFd(fd);
  std::string code;
  std::string citizen_token;
  std::string staff_token;
  {
    TestServer server;
    citizen_token = SignInCitizen(server, "0912345678").token();
    code = server.LastSent().second;

    StaffAccount officer;
    officer.username = "officer.lan";
    officer.password = kPassword;
    officer.role = domain::Role::kOfficer;
    officer.display_name = "Lan";
    officer.desk_codes = {"XA-1-MC"};
    REQUIRE(server.accounts().CreateStaffAccount(officer, kT0).ok());
    cdkv::v1::SignInWithPasswordRequest request;
    request.set_username("officer.lan");
    request.set_password(kPassword);
    cdkv::v1::SignInWithPasswordResponse response;
    grpc::ClientContext context;
    REQUIRE(
        server.stub().SignInWithPassword(&context, request, &response).ok());
    staff_token = response.session().token();
    request.set_password("wrong password 123");
    grpc::ClientContext wrong_context;
    CHECK_FALSE(server.stub()
                    .SignInWithPassword(&wrong_context, request, &response)
                    .ok());
  }
  SetLogFd(STDERR_FILENO);
  close(fd);

  std::stringstream log;
  log << std::ifstream(log_path).rdbuf();
  const std::string text = log.str();
  CHECK_THAT(text, Catch::Contains("event=auth.code_sent"));
  CHECK_THAT(text, Catch::Contains("event=auth.signed_in"));
  CHECK_THAT(text, Catch::Contains("event=auth.sign_in_failed"));
  for (const std::string& secret :
       {code, citizen_token, staff_token, std::string(kPassword),
        std::string("wrong password 123"), std::string("0912345678")}) {
    INFO(secret);
    CHECK_THAT(text, !Catch::Contains(secret));
  }
}

TEST_CASE("GetSession without a token is unauthenticated", "[service]") {
  TestServer server;
  cdkv::v1::GetSessionResponse described;
  grpc::ClientContext context;
  RequireStatus(server.stub().GetSession(&context, {}, &described),
                grpc::StatusCode::UNAUTHENTICATED,
                "missing `authorization` metadata");
}

}  // namespace
}  // namespace cdkv::auth
