// Province supervisors: one of Đồng Tháp (87), created with cdkv-admin, sees
// the Lấp Vò filing and its figures; one of another province sees nothing
// and is refused the filing, over real gRPC.

#include <catch2/catch.hpp>
#include <string>

#include "tests/admin/run_admin.h"
#include "tests/api/stack.h"

namespace cdkv::testing {
namespace {

constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, "
    "Đồng Tháp|15082021";

std::string SubmittedFiling(Stack& stack) {
  const std::string citizen_token = stack.CitizenToken("0912345678");
  auto citizen = stack.citizen();
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("c1");
  create.set_procedure_code(kBirth);
  create.set_commune_code(kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(
      citizen->CreateFiling(Call(citizen_token).get(), create, &created).ok());
  const std::string id = created.filing().filing_id();
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(Upload(*citizen, citizen_token, id, "u1", IdCardPhoto(kPayload),
                 "id_card", &uploaded)
              .ok());
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted)
              .ok());
  return id;
}

std::string TokenOf(Stack& stack, const std::string& username,
                    const std::string& password) {
  StaffSignIn signed_in = SignInAs(stack, username, password);
  INFO(signed_in.status.error_message());
  REQUIRE(signed_in.status.ok());
  return signed_in.token;
}

TEST_CASE("a province supervisor sees every district of their province only",
          "[admin][scope]") {
  auto stack = Stack::Start();
  const std::string filing = SubmittedFiling(*stack);
  const std::filesystem::path scratch = stack->dir().path();
  const std::vector<std::string> common = {"--data-dir",
                                           (scratch / "data").string(),
                                           "--catalog-dir", CDKV_CATALOG_DIR};
  constexpr char kPassword[] = "province password 87";

  std::vector<std::string> add = common;
  for (const char* arg : {"add-supervisor", "--username", "tinh.dong_thap",
                          "--province", "87", "--password-stdin"}) {
    add.push_back(arg);
  }
  AdminRun added = RunAdmin(scratch, add, std::string(kPassword) + "\n");
  INFO(added.out << added.err);
  REQUIRE(added.exit_code == 0);
  CHECK_THAT(added.out, Catch::Contains("province=87"));
  // Province 89 is not in the catalog, so the tool refuses it; a supervisor
  // of another province is made directly to show the server refuses them.
  add[add.size() - 2] = "89";
  add[common.size() + 2] = "tinh.other";
  CHECK(RunAdmin(scratch, add, std::string(kPassword) + "\n").exit_code == 1);
  auth::StaffAccount other;
  other.username = "tinh.other";
  other.password = kPassword;
  other.role = domain::Role::kSupervisor;
  other.display_name = "Giám sát tỉnh khác";
  other.province_code = "89";
  REQUIRE(stack->server()
              .app()
              .accounts()
              .CreateStaffAccount(other, absl::Now())
              .ok());

  const std::string province = TokenOf(*stack, "tinh.dong_thap", kPassword);
  const std::string stranger = TokenOf(*stack, "tinh.other", kPassword);
  const std::string district = stack->StaffToken("supervisor.875");
  auto ss = cdkv::v1::SupervisionService::NewStub(stack->channel());

  // Filings submitted in the caller's view, or -1 - the status code.
  auto filings_seen = [&](const std::string& token,
                          const std::string& district_scope) -> int64_t {
    cdkv::v1::GetPerformanceRequest request;
    request.mutable_scope()->set_district_code(district_scope);
    cdkv::v1::GetPerformanceResponse response;
    grpc::Status s = ss->GetPerformance(Call(token).get(), request, &response);
    INFO(s.error_code() << " " << s.error_message());
    if (!s.ok()) return -1 - static_cast<int64_t>(s.error_code());
    CHECK(response.total().backlog() == response.total().submitted());
    return response.total().submitted();
  };
  CHECK(filings_seen(province, "") == 1);
  CHECK(filings_seen(province, "875") == 1);
  CHECK(filings_seen(district, "") == 1);
  CHECK(filings_seen(stranger, "") == 0);
  CHECK(filings_seen(stranger, "875") ==
        -1 - static_cast<int64_t>(grpc::StatusCode::PERMISSION_DENIED));
  // Time saved is scoped the same way.
  cdkv::v1::GetTimeSavedRequest time_saved;
  time_saved.mutable_scope()->set_district_code("875");
  cdkv::v1::GetTimeSavedResponse saved;
  CHECK(ss->GetTimeSaved(Call(province).get(), time_saved, &saved).ok());
  CHECK(
      ss->GetTimeSaved(Call(stranger).get(), time_saved, &saved).error_code() ==
      grpc::StatusCode::PERMISSION_DENIED);

  auto audit_of_filing = [&](const std::string& token) {
    cdkv::v1::ListAuditEventsRequest request;
    request.set_filing_id(filing);
    cdkv::v1::ListAuditEventsResponse response;
    return ss->ListAuditEvents(Call(token).get(), request, &response);
  };
  CHECK(audit_of_filing(province).ok());
  CHECK(audit_of_filing(district).ok());
  grpc::Status refused = audit_of_filing(stranger);
  CHECK(refused.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(refused.error_message(),
             Catch::Contains("outside the area you supervise"));

  // The session tells the client which province the supervisor oversees.
  cdkv::v1::GetSessionResponse session;
  REQUIRE(stack->auth()->GetSession(Call(province).get(), {}, &session).ok());
  CHECK(session.session().jurisdiction().province_code() == "87");
  CHECK(session.session().jurisdiction().district_code().empty());
}

}  // namespace
}  // namespace cdkv::testing
