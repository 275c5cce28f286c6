// Every RPC, called by someone it does not belong to: the wrong citizen, an
// officer of another commune, a supervisor of another district, and with no,
// expired or forged token. All refused, and the filing is unchanged afterwards.

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "tests/api/stack.h"

namespace cdkv::testing {
namespace {

constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, "
    "Đồng "
    "Tháp|15082021";

using RpcCall = std::function<grpc::Status(const std::string& token)>;

template <typename Request, typename Response, typename Stub, typename Method>
RpcCall Unary(std::shared_ptr<Stub> stub, Method method, Request request) {
  return [stub, method, request](const std::string& token) {
    Response response;
    return ((*stub).*method)(Call(token).get(), request, &response);
  };
}

bool Refused(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         s.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
         s.error_code() == grpc::StatusCode::NOT_FOUND;
}

TEST_CASE("every RPC refuses the wrong caller, and nothing changes") {
  auto stack = Stack::Start();
  const std::string alice = stack->CitizenToken("0912345678");
  const std::string bob = stack->CitizenToken("0987654321");
  const std::string officer_a = stack->StaffToken("officer.a");
  const std::string officer_b = stack->StaffToken("officer.b");
  const std::string supervisor_other = stack->StaffToken("supervisor.999");

  // Alice's filing, in the queue of desk A.
  auto citizen = stack->citizen();
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("c1");
  create.set_procedure_code(kBirth);
  create.set_commune_code(kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(citizen->CreateFiling(Call(alice).get(), create, &created).ok());
  const std::string id = created.filing().filing_id();
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(Upload(*citizen, alice, id, "u1", IdCardPhoto(kPayload), "id_card",
                 &uploaded)
              .ok());
  const std::string document = uploaded.document().document_id();
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(alice).get(), submit, &submitted).ok());
  cdkv::v1::GetFilingRequest get;
  get.set_filing_id(id);
  cdkv::v1::GetFilingResponse before;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(citizen->GetFiling(Call(alice).get(), get, &before).ok());
    if (before.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(before.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);

  // An expired token, signed with the server's own key, and a forged one.
  auth::Principal alice_principal;
  {
    auto claims =
        stack->server().app().deps().signer->VerifyClaims(alice, absl::Now());
    REQUIRE(claims.ok());
    alice_principal = claims->principal;
  }
  const std::string expired = stack->server().app().deps().signer->Issue(
      alice_principal, absl::Now() - absl::Hours(48), absl::Hours(1));
  std::string forged = officer_a;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';

  auto cs = std::shared_ptr<cdkv::v1::CitizenService::Stub>(stack->citizen());
  auto ds = std::shared_ptr<cdkv::v1::DeskService::Stub>(stack->desk());
  auto ss = std::shared_ptr<cdkv::v1::SupervisionService::Stub>(
      cdkv::v1::SupervisionService::NewStub(stack->channel()));
  using CS = cdkv::v1::CitizenService::Stub;
  using DS = cdkv::v1::DeskService::Stub;
  using SS = cdkv::v1::SupervisionService::Stub;

  auto with_id = [&](auto request) {
    request.set_filing_id(id);
    return request;
  };
  auto mutating = [&](auto request, const std::string& rid) {
    request.set_request_id(rid);
    request.set_filing_id(id);
    return request;
  };
  cdkv::v1::RateFilingRequest rate =
      mutating(cdkv::v1::RateFilingRequest(), "r");
  rate.set_stars(5);
  cdkv::v1::ClaimFilingRequest claim =
      mutating(cdkv::v1::ClaimFilingRequest(), "k");
  claim.set_desk_code(kDeskA);
  cdkv::v1::ListDeskQueueRequest queue;
  queue.set_desk_code(kDeskA);
  cdkv::v1::RequestDocumentsRequest ask =
      mutating(cdkv::v1::RequestDocumentsRequest(), "d");
  ask.set_message("x");
  cdkv::v1::RejectFilingRequest reject =
      mutating(cdkv::v1::RejectFilingRequest(), "j");
  reject.set_reason("x");
  cdkv::v1::ForwardFilingRequest forward =
      mutating(cdkv::v1::ForwardFilingRequest(), "f");
  forward.set_to_desk_code(kDeskB);
  cdkv::v1::RecordPickupRequest pickup =
      mutating(cdkv::v1::RecordPickupRequest(), "p");
  pickup.set_pickup_code("123456");
  cdkv::v1::ListAuditEventsRequest audit;
  audit.set_filing_id(id);
  cdkv::v1::DownloadDocumentRequest download =
      with_id(cdkv::v1::DownloadDocumentRequest());
  download.set_document_id(document);
  cdkv::v1::RemoveDocumentRequest remove =
      mutating(cdkv::v1::RemoveDocumentRequest(), "m");
  remove.set_document_id(document);

  // Calls on Alice's filing (or desk A), which only Alice, desk A and district
  // 875 may make.
  const std::vector<std::pair<std::string, RpcCall>> on_the_filing = {
      {"GetFiling",
       Unary<cdkv::v1::GetFilingRequest, cdkv::v1::GetFilingResponse>(
           cs, &CS::GetFiling, get)},
      {"RemoveDocument",
       Unary<cdkv::v1::RemoveDocumentRequest, cdkv::v1::RemoveDocumentResponse>(
           cs, &CS::RemoveDocument, remove)},
      {"SubmitFiling",
       Unary<cdkv::v1::SubmitFilingRequest, cdkv::v1::SubmitFilingResponse>(
           cs, &CS::SubmitFiling,
           mutating(cdkv::v1::SubmitFilingRequest(), "s"))},
      {"ChooseResultDelivery",
       Unary<cdkv::v1::ChooseResultDeliveryRequest,
             cdkv::v1::ChooseResultDeliveryResponse>(
           cs, &CS::ChooseResultDelivery,
           mutating(cdkv::v1::ChooseResultDeliveryRequest(), "v"))},
      {"SupplyDocuments",
       Unary<cdkv::v1::SupplyDocumentsRequest,
             cdkv::v1::SupplyDocumentsResponse>(
           cs, &CS::SupplyDocuments,
           mutating(cdkv::v1::SupplyDocumentsRequest(), "y"))},
      {"WithdrawFiling",
       Unary<cdkv::v1::WithdrawFilingRequest, cdkv::v1::WithdrawFilingResponse>(
           cs, &CS::WithdrawFiling,
           mutating(cdkv::v1::WithdrawFilingRequest(), "w"))},
      {"RateFiling",
       Unary<cdkv::v1::RateFilingRequest, cdkv::v1::RateFilingResponse>(
           cs, &CS::RateFiling, rate)},
      {"WatchFiling",
       [&](const std::string& token) {
         auto context = Call(token);
         cdkv::v1::WatchFilingRequest watch;
         watch.set_filing_id(id);
         auto stream = cs->WatchFiling(context.get(), watch);
         cdkv::v1::WatchFilingResponse event;
         if (stream->Read(&event)) context->TryCancel();
         return stream->Finish();
       }},
      {"UploadDocument",
       [&](const std::string& token) {
         cdkv::v1::UploadDocumentResponse r;
         return Upload(*cs, token, id, "u-" + token.substr(0, 8),
                       IdCardPhoto(kPayload), "id_card", &r);
       }},
      {"ListDeskQueue",
       Unary<cdkv::v1::ListDeskQueueRequest, cdkv::v1::ListDeskQueueResponse>(
           ds, &DS::ListDeskQueue, queue)},
      {"ClaimFiling",
       Unary<cdkv::v1::ClaimFilingRequest, cdkv::v1::ClaimFilingResponse>(
           ds, &DS::ClaimFiling, claim)},
      {"RenewClaim",
       Unary<cdkv::v1::RenewClaimRequest, cdkv::v1::RenewClaimResponse>(
           ds, &DS::RenewClaim, mutating(cdkv::v1::RenewClaimRequest(), "n"))},
      {"ReleaseFiling",
       Unary<cdkv::v1::ReleaseFilingRequest, cdkv::v1::ReleaseFilingResponse>(
           ds, &DS::ReleaseFiling,
           mutating(cdkv::v1::ReleaseFilingRequest(), "l"))},
      {"GetDeskFiling",
       Unary<cdkv::v1::GetDeskFilingRequest, cdkv::v1::GetDeskFilingResponse>(
           ds, &DS::GetDeskFiling, with_id(cdkv::v1::GetDeskFilingRequest()))},
      {"DownloadDocument",
       [&](const std::string& token) {
         auto context = Call(token);
         auto stream = ds->DownloadDocument(context.get(), download);
         cdkv::v1::DownloadDocumentResponse chunk;
         while (stream->Read(&chunk)) {
         }
         return stream->Finish();
       }},
      {"CorrectFields",
       Unary<cdkv::v1::CorrectFieldsRequest, cdkv::v1::CorrectFieldsResponse>(
           ds, &DS::CorrectFields,
           mutating(cdkv::v1::CorrectFieldsRequest(), "o"))},
      {"ConfirmFiling",
       Unary<cdkv::v1::ConfirmFilingRequest, cdkv::v1::ConfirmFilingResponse>(
           ds, &DS::ConfirmFiling,
           mutating(cdkv::v1::ConfirmFilingRequest(), "q"))},
      {"RequestDocuments", Unary<cdkv::v1::RequestDocumentsRequest,
                                 cdkv::v1::RequestDocumentsResponse>(
                               ds, &DS::RequestDocuments, ask)},
      {"RejectFiling",
       Unary<cdkv::v1::RejectFilingRequest, cdkv::v1::RejectFilingResponse>(
           ds, &DS::RejectFiling, reject)},
      {"ForwardFiling",
       Unary<cdkv::v1::ForwardFilingRequest, cdkv::v1::ForwardFilingResponse>(
           ds, &DS::ForwardFiling, forward)},
      {"StartProcessing",
       Unary<cdkv::v1::StartProcessingRequest,
             cdkv::v1::StartProcessingResponse>(
           ds, &DS::StartProcessing,
           mutating(cdkv::v1::StartProcessingRequest(), "t"))},
      {"MarkResultReady",
       Unary<cdkv::v1::MarkResultReadyRequest,
             cdkv::v1::MarkResultReadyResponse>(
           ds, &DS::MarkResultReady,
           mutating(cdkv::v1::MarkResultReadyRequest(), "a"))},
      {"RecordPickup",
       Unary<cdkv::v1::RecordPickupRequest, cdkv::v1::RecordPickupResponse>(
           ds, &DS::RecordPickup, pickup)},
      {"ListAuditEvents", Unary<cdkv::v1::ListAuditEventsRequest,
                                cdkv::v1::ListAuditEventsResponse>(
                              ss, &SS::ListAuditEvents, audit)},
  };
  const std::vector<std::pair<std::string, std::string>> strangers = {
      {"the wrong citizen", bob},
      {"an officer of another commune", officer_b},
      {"a supervisor of another district", supervisor_other},
      {"no token", ""},
      {"an expired token", expired},
      {"a forged token", forged}};
  for (const auto& [who, token] : strangers) {
    for (const auto& [rpc, call] : on_the_filing) {
      INFO(rpc << " as " << who);
      grpc::Status s = call(token);
      INFO(s.error_code() << " " << s.error_message());
      CHECK(Refused(s));
    }
  }

  // Calls without a filing: refused outright without a valid token or the right
  // role, and scoped to the caller otherwise.
  const std::vector<std::pair<std::string, RpcCall>> scoped = {
      {"ListFilings",
       Unary<cdkv::v1::ListFilingsRequest, cdkv::v1::ListFilingsResponse>(
           cs, &CS::ListFilings, {})},
      {"ListNotifications", Unary<cdkv::v1::ListNotificationsRequest,
                                  cdkv::v1::ListNotificationsResponse>(
                                cs, &CS::ListNotifications, {})},
      {"CreateFiling",
       Unary<cdkv::v1::CreateFilingRequest, cdkv::v1::CreateFilingResponse>(
           cs, &CS::CreateFiling, create)},
      {"GetTimeSaved",
       Unary<cdkv::v1::GetTimeSavedRequest, cdkv::v1::GetTimeSavedResponse>(
           ss, &SS::GetTimeSaved, {})},
      {"GetPerformance",
       Unary<cdkv::v1::GetPerformanceRequest, cdkv::v1::GetPerformanceResponse>(
           ss, &SS::GetPerformance, {})},
      {"ListLateFilings",
       Unary<cdkv::v1::ListLateFilingsRequest,
             cdkv::v1::ListLateFilingsResponse>(ss, &SS::ListLateFilings, {})},
  };
  for (const std::string& token : {std::string(), expired, forged}) {
    for (const auto& [rpc, call] : scoped) {
      INFO(rpc);
      CHECK(call(token).error_code() == grpc::StatusCode::UNAUTHENTICATED);
    }
  }
  for (const auto& [rpc, call] : scoped) {
    const bool citizen_rpc =
        rpc.rfind("Get", 0) != 0 && rpc != "ListLateFilings";
    INFO(rpc);
    // The wrong role is refused by role.
    CHECK(call(citizen_rpc ? officer_a : bob).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }
  cdkv::v1::ListFilingsResponse bobs;
  REQUIRE(cs->ListFilings(Call(bob).get(), {}, &bobs).ok());
  CHECK(bobs.filings_size() == 0);
  cdkv::v1::GetTimeSavedResponse other_district;
  REQUIRE(
      ss->GetTimeSaved(Call(supervisor_other).get(), {}, &other_district).ok());
  CHECK(other_district.total().filings() == 0);
  cdkv::v1::GetTimeSavedRequest other_scope;
  other_scope.mutable_scope()->set_district_code("875");
  CHECK(ss->GetTimeSaved(Call(supervisor_other).get(), other_scope,
                         &other_district)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);

  // Nothing changed.
  cdkv::v1::GetFilingResponse after;
  REQUIRE(citizen->GetFiling(Call(alice).get(), get, &after).ok());
  CHECK(after.filing().version() == before.filing().version());
  CHECK(after.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  CHECK(after.filing().documents_size() == 1);
}

}  // namespace
}  // namespace cdkv::testing
