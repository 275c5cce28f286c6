// One filing's whole life over real gRPC, a real record store, real Redis and
// the real OCR worker pool: phone sign-in → upload → submit → OCR pre-fill →
// desk queue → claim → confirm → processing → ready (notice with pickup code) →
// pickup → rating; then the history, the audit trail, the notification and the
// time-saved figures.

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "services/queue/desk_queue.h"
#include "tests/api/stack.h"
#include "tests/queue/redis_test_util.h"

namespace cdkv::testing {
namespace {

constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, "
    "Đồng "
    "Tháp|15082021";

// Polls until the filing reaches `state`, or fails after 30 s.
cdkv::v1::Filing WaitForState(Stack& stack, const std::string& token,
                              const std::string& filing_id,
                              cdkv::v1::FilingState state) {
  auto stub = stack.citizen();
  cdkv::v1::GetFilingRequest request;
  request.set_filing_id(filing_id);
  cdkv::v1::GetFilingResponse response;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(stub->GetFiling(Call(token).get(), request, &response).ok());
    if (response.filing().state() == state) return response.filing();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("filing " << filing_id << " stayed in "
                 << cdkv::v1::FilingState_Name(response.filing().state())
                 << ", expected " << cdkv::v1::FilingState_Name(state));
  return {};
}

const cdkv::v1::FormField* FindField(const cdkv::v1::Filing& filing,
                                     const std::string& key) {
  for (const auto& form : filing.forms()) {
    for (const auto& field : form.fields()) {
      if (field.key() == key) return &field;
    }
  }
  return nullptr;
}

TEST_CASE("a filing's whole life, from phone sign-in to pickup and rating") {
  auto stack = Stack::Start();
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_token = stack->StaffToken("officer.a");
  auto citizen = stack->citizen();
  auto desk = stack->desk();

  // The citizen files from the phone.
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

  // The OCR pool reads the ID card's QR code and the filing reaches the desk
  // queue.
  WaitForState(*stack, citizen_token, id, cdkv::v1::FILING_STATE_AWAITING_DESK);
  cdkv::v1::ListDeskQueueRequest list;
  list.set_desk_code(kDeskA);
  cdkv::v1::ListDeskQueueResponse queue;
  REQUIRE(desk->ListDeskQueue(Call(officer_token).get(), list, &queue).ok());
  REQUIRE(queue.entries_size() == 1);
  CHECK(queue.entries(0).filing().filing_id() == id);
  CHECK(queue.waiting_count() == 1);

  // Birth registration is same-day work: the district's supervisor sees it as
  // due.
  {
    auto supervision = cdkv::v1::SupervisionService::NewStub(stack->channel());
    cdkv::v1::ListLateFilingsResponse due;
    REQUIRE(supervision
                ->ListLateFilings(
                    Call(stack->StaffToken("supervisor.875")).get(), {}, &due)
                .ok());
    REQUIRE(due.filings_size() == 1);
    CHECK(due.filings(0).filing().filing_id() == id);
    CHECK(due.filings(0).desk_code() == kDeskA);
    cdkv::v1::ListLateFilingsResponse elsewhere;
    REQUIRE(
        supervision
            ->ListLateFilings(Call(stack->StaffToken("supervisor.999")).get(),
                              {}, &elsewhere)
            .ok());
    CHECK(elsewhere.filings_size() == 0);
  }

  // The officer claims it and sees the pre-filled form beside the photo.
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k1");
  claim.set_desk_code(kDeskA);
  cdkv::v1::ClaimFilingResponse claimed;
  grpc::Status claim_status =
      desk->ClaimFiling(Call(officer_token).get(), claim, &claimed);
  INFO(claim_status.error_message());
  REQUIRE(claim_status.ok());
  CHECK(claimed.filing().filing_id() == id);
  CHECK(claimed.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  // A second officer of the same desk cannot take it now.
  cdkv::v1::GetDeskFilingRequest get;
  get.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse seen;
  REQUIRE(desk->GetDeskFiling(Call(officer_token).get(), get, &seen).ok());
  const cdkv::v1::FormField* name =
      FindField(seen.filing(), "requester.full_name");
  REQUIRE(name != nullptr);
  CHECK(name->value() == "Nguyễn Văn An");
  CHECK(name->method() == cdkv::v1::READ_METHOD_QR);
  CHECK(name->document_id() == uploaded.document().document_id());
  CHECK(name->region().corners_size() == 4);
  const cdkv::v1::FormField* number =
      FindField(seen.filing(), "requester.id_number");
  REQUIRE(number != nullptr);
  CHECK(number->value() == "087123456789");
  // A field with no source is empty and flagged, never guessed.
  const cdkv::v1::FormField* child =
      FindField(seen.filing(), "child.full_name");
  REQUIRE(child != nullptr);
  CHECK(child->value().empty());
  CHECK(child->needs_review());

  // Confirming with required fields empty is refused, naming them.
  cdkv::v1::ConfirmFilingRequest confirm;
  confirm.set_request_id("f0");
  confirm.set_filing_id(id);
  cdkv::v1::ConfirmFilingResponse confirmed;
  grpc::Status incomplete =
      desk->ConfirmFiling(Call(officer_token).get(), confirm, &confirmed);
  CHECK(incomplete.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  // The officer fills what the photos could not give, corrects one pre-filled
  // value, confirms.
  confirm.set_request_id("f1");
  const std::string form = seen.filing().forms(0).form_code();
  for (const auto& field : seen.filing().forms(0).fields()) {
    if (!field.required() || !field.value().empty()) continue;
    cdkv::v1::FieldCorrection* c = confirm.add_corrections();
    c->set_form_code(form);
    c->set_key(field.key());
    c->set_value(field.key() == "child.date_of_birth" ? "2026-11-01"
                                                      : "Giá trị kiểm tra");
  }
  cdkv::v1::FieldCorrection* fix = confirm.add_corrections();
  fix->set_form_code(form);
  fix->set_key("requester.full_name");
  fix->set_value("Nguyễn Văn Ân");
  grpc::Status confirm_status =
      desk->ConfirmFiling(Call(officer_token).get(), confirm, &confirmed);
  INFO(confirm_status.error_message());
  REQUIRE(confirm_status.ok());
  CHECK(confirmed.filing().state() == cdkv::v1::FILING_STATE_CONFIRMED);
  const cdkv::v1::FormField* fixed =
      FindField(confirmed.filing(), "requester.full_name");
  CHECK(fixed->corrected());
  CHECK(fixed->prefilled_value() == "Nguyễn Văn An");
  CHECK(fixed->method() == cdkv::v1::READ_METHOD_OFFICER);

  cdkv::v1::StartProcessingRequest process;
  process.set_request_id("p1");
  process.set_filing_id(id);
  cdkv::v1::StartProcessingResponse processing;
  REQUIRE(desk->StartProcessing(Call(officer_token).get(), process, &processing)
              .ok());

  // The citizen watches the filing while the officer marks the result ready.
  std::string watched_code;
  std::thread watcher([&] {
    auto context = Call(citizen_token);
    cdkv::v1::WatchFilingRequest watch;
    watch.set_filing_id(id);
    auto stream = stack->citizen()->WatchFiling(context.get(), watch);
    cdkv::v1::WatchFilingResponse event;
    while (stream->Read(&event)) {
      if (event.event().change().to_state() ==
              cdkv::v1::FILING_STATE_READY_FOR_PICKUP &&
          !event.event().pickup().pickup_code().empty()) {
        watched_code = event.event().pickup().pickup_code();
        context->TryCancel();
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  cdkv::v1::MarkResultReadyRequest ready;
  ready.set_request_id("r1");
  ready.set_filing_id(id);
  cdkv::v1::MarkResultReadyResponse readied;
  REQUIRE(
      desk->MarkResultReady(Call(officer_token).get(), ready, &readied).ok());
  watcher.join();
  REQUIRE(watched_code.size() == 6);
  CHECK_FALSE(readied.filing().pickup().desk_name().empty());
  CHECK(readied.filing().pickup().pickup_code().empty());  // only the citizen
                                                           // sees it

  cdkv::v1::ListNotificationsResponse notices;
  REQUIRE(
      citizen->ListNotifications(Call(citizen_token).get(), {}, &notices).ok());
  REQUIRE(notices.notifications_size() >= 1);
  CHECK(notices.notifications(0).kind() == "result_ready");
  CHECK(notices.notifications(0).pickup().pickup_code() == watched_code);
  CHECK_THAT(notices.notifications(0).text(), Catch::Contains(watched_code));

  // The same notice reached the SMS / Zalo gateway, with the pickup code.
  const std::string pushed =
      stack->gateway().WaitFor("\"kind\":\"result_ready\"", absl::Seconds(20));
  CHECK_THAT(pushed, Catch::Contains(watched_code) && Catch::Contains(id));

  // Pickup needs the citizen's code.
  cdkv::v1::RecordPickupRequest pickup;
  pickup.set_request_id("x0");
  pickup.set_filing_id(id);
  pickup.set_pickup_code(watched_code == "000000" ? "111111" : "000000");
  cdkv::v1::RecordPickupResponse picked;
  CHECK(desk->RecordPickup(Call(officer_token).get(), pickup, &picked)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  pickup.set_request_id("x1");
  pickup.set_pickup_code(watched_code);
  REQUIRE(desk->RecordPickup(Call(officer_token).get(), pickup, &picked).ok());
  CHECK(picked.filing().state() == cdkv::v1::FILING_STATE_COMPLETED);

  cdkv::v1::RateFilingRequest rate;
  rate.set_request_id("t1");
  rate.set_filing_id(id);
  rate.set_stars(5);
  cdkv::v1::RateFilingResponse rated;
  REQUIRE(citizen->RateFiling(Call(citizen_token).get(), rate, &rated).ok());
  CHECK(rated.filing().rating() == 5);

  // The state history, in order, with actors.
  std::vector<std::string> actions;
  for (const auto& change : rated.filing().history())
    actions.push_back(change.action());
  CHECK(actions == std::vector<std::string>{"submit", "start_prefill",
                                            "finish_prefill", "claim",
                                            "confirm", "start_processing",
                                            "mark_ready", "record_pickup"});
  CHECK(rated.filing().history(3).actor_role() == cdkv::v1::ROLE_OFFICER);
  CHECK(rated.filing().history(1).actor_role() ==
        cdkv::v1::ROLE_UNSPECIFIED);  // system

  // The audit trail, as the district's supervisor reads it.
  const std::string supervisor = stack->StaffToken("supervisor.875");
  auto supervision = cdkv::v1::SupervisionService::NewStub(stack->channel());
  cdkv::v1::ListAuditEventsRequest audit;
  audit.set_filing_id(id);
  cdkv::v1::ListAuditEventsResponse trail;
  REQUIRE(
      supervision->ListAuditEvents(Call(supervisor).get(), audit, &trail).ok());
  std::set<std::string> audited;
  for (const auto& e : trail.events()) audited.insert(e.action());
  for (const char* expected :
       {"filing.create", "document.upload", "filing.read", "filing.correct",
        "filing.confirm", "filing.record_pickup", "filing.rate"}) {
    INFO(expected);
    CHECK(audited.count(expected) == 1);
  }

  // Time saved, each component visible.
  cdkv::v1::GetTimeSavedRequest saved_request;
  saved_request.set_grouping(cdkv::v1::GROUPING_COMMUNE);
  cdkv::v1::GetTimeSavedResponse saved;
  REQUIRE(
      supervision->GetTimeSaved(Call(supervisor).get(), saved_request, &saved)
          .ok());
  CHECK(saved.total().filings() == 1);
  CHECK(saved.total().citizen_form_minutes() > 0);
  CHECK(saved.total().trip_minutes() > 0);
  CHECK(saved.total().officer_handling_minutes() >= 0);
  CHECK(saved.total().net_minutes() ==
        Approx(saved.total().citizen_form_minutes() +
               saved.total().officer_form_minutes() +
               saved.total().trip_minutes() -
               saved.total().officer_handling_minutes()));
  REQUIRE(saved.rows_size() == 1);
  CHECK(saved.rows(0).group() == kCommuneA);
  cdkv::v1::GetPerformanceRequest performance_request;
  cdkv::v1::GetPerformanceResponse performance;
  REQUIRE(supervision
              ->GetPerformance(Call(supervisor).get(), performance_request,
                               &performance)
              .ok());
  CHECK(performance.total().completed() == 1);
  CHECK(performance.total().average_rating() == 5);
  CHECK(performance.total().field_correction_rate() > 0);

  // A supervisor of another district sees none of it.
  const std::string other = stack->StaffToken("supervisor.999");
  CHECK(supervision->ListAuditEvents(Call(other).get(), audit, &trail)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  cdkv::v1::GetTimeSavedResponse none;
  REQUIRE(
      supervision->GetTimeSaved(Call(other).get(), saved_request, &none).ok());
  CHECK(none.total().filings() == 0);
}

TEST_CASE(
    "the desk asks for more papers, the citizen supplies them, the desk "
    "rejects") {
  auto stack = Stack::Start();
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer = stack->StaffToken("officer.a");
  const std::string other_officer = stack->StaffToken("officer.b");
  auto citizen = stack->citizen();
  auto desk = stack->desk();

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
  WaitForState(*stack, citizen_token, id, cdkv::v1::FILING_STATE_AWAITING_DESK);

  // An officer of another commune cannot claim it, even naming the right desk.
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k0");
  claim.set_desk_code(kDeskA);
  claim.set_filing_id(id);
  cdkv::v1::ClaimFilingResponse claimed;
  CHECK(desk->ClaimFiling(Call(other_officer).get(), claim, &claimed)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);
  // Acting before claiming is an illegal transition that names the state.
  cdkv::v1::ConfirmFilingRequest early;
  early.set_request_id("e1");
  early.set_filing_id(id);
  cdkv::v1::ConfirmFilingResponse early_response;
  grpc::Status not_claimed =
      desk->ConfirmFiling(Call(officer).get(), early, &early_response);
  CHECK(not_claimed.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(not_claimed.error_message(), Catch::Contains("awaiting_desk"));

  claim.set_request_id("k1");
  REQUIRE(desk->ClaimFiling(Call(officer).get(), claim, &claimed).ok());
  cdkv::v1::RequestDocumentsRequest ask;
  ask.set_request_id("d0");
  ask.set_filing_id(id);
  cdkv::v1::RequestDocumentsResponse asked;
  CHECK(desk->RequestDocuments(Call(officer).get(), ask, &asked).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);  // no message
  ask.set_request_id("d1");
  ask.set_message("Xin chụp giấy chứng sinh của cháu.");
  ask.add_document_kinds("birth_notice");
  REQUIRE(desk->RequestDocuments(Call(officer).get(), ask, &asked).ok());
  CHECK(asked.filing().state() == cdkv::v1::FILING_STATE_NEEDS_MORE_DOCUMENTS);
  CHECK(asked.filing().officer_message() ==
        "Xin chụp giấy chứng sinh của cháu.");

  cdkv::v1::ListNotificationsResponse notices;
  REQUIRE(
      citizen->ListNotifications(Call(citizen_token).get(), {}, &notices).ok());
  REQUIRE(notices.notifications_size() >= 1);
  CHECK(notices.notifications(0).kind() == "documents_requested");

  REQUIRE(Upload(*citizen, citizen_token, id, "u2", IdCardPhoto(kPayload),
                 "birth_notice", &uploaded)
              .ok());
  cdkv::v1::SupplyDocumentsRequest supply;
  supply.set_request_id("p1");
  supply.set_filing_id(id);
  cdkv::v1::SupplyDocumentsResponse supplied;
  REQUIRE(citizen->SupplyDocuments(Call(citizen_token).get(), supply, &supplied)
              .ok());
  CHECK(supplied.filing().documents_size() == 2);
  WaitForState(*stack, citizen_token, id, cdkv::v1::FILING_STATE_AWAITING_DESK);

  claim.set_request_id("k2");
  REQUIRE(desk->ClaimFiling(Call(officer).get(), claim, &claimed).ok());
  cdkv::v1::RejectFilingRequest reject;
  reject.set_request_id("x1");
  reject.set_filing_id(id);
  reject.set_reason("Giấy chứng sinh không đúng người con.");
  cdkv::v1::RejectFilingResponse rejected;
  REQUIRE(desk->RejectFiling(Call(officer).get(), reject, &rejected).ok());
  CHECK(rejected.filing().state() == cdkv::v1::FILING_STATE_REJECTED);
  REQUIRE(
      citizen->ListNotifications(Call(citizen_token).get(), {}, &notices).ok());
  CHECK(notices.notifications(0).kind() == "rejected");
  CHECK_THAT(notices.notifications(0).text(),
             Catch::Contains("không đúng người con"));

  // A rejected filing can no longer be withdrawn, and it left the desk queue.
  cdkv::v1::WithdrawFilingRequest withdraw;
  withdraw.set_request_id("w1");
  withdraw.set_filing_id(id);
  cdkv::v1::WithdrawFilingResponse withdrawn;
  CHECK(citizen->WithdrawFiling(Call(citizen_token).get(), withdraw, &withdrawn)
            .error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  cdkv::v1::ListDeskQueueRequest list;
  list.set_desk_code(kDeskA);
  list.set_include_claimed(true);
  cdkv::v1::ListDeskQueueResponse queue;
  REQUIRE(desk->ListDeskQueue(Call(officer).get(), list, &queue).ok());
  CHECK(queue.entries_size() == 0);
}

}  // namespace
}  // namespace cdkv::testing

namespace cdkv::testing {
namespace {

// A birth-registration draft at commune A with one ID-card photo; returns
// the draft as created.
cdkv::v1::Filing DraftWithPhoto(cdkv::v1::CitizenService::Stub& citizen,
                                const std::string& token) {
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("c1");
  create.set_procedure_code(kBirth);
  create.set_commune_code(kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(citizen.CreateFiling(Call(token).get(), create, &created).ok());
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(Upload(citizen, token, created.filing().filing_id(), "u1",
                 IdCardPhoto(kPayload), "id_card", &uploaded)
              .ok());
  return created.filing();
}

TEST_CASE(
    "with pre-fill off a submitted filing reaches the desk with an "
    "empty form flagged for the officer") {
  auto stack = Stack::Start(
      [](server::ServerConfig& config) { config.prefill_off = true; });
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_token = stack->StaffToken("officer.a");
  auto citizen = stack->citizen();
  auto desk = stack->desk();
  const cdkv::v1::Filing draft = DraftWithPhoto(*citizen, citizen_token);
  const std::string id = draft.filing_id();
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted)
              .ok());

  WaitForState(*stack, citizen_token, id, cdkv::v1::FILING_STATE_AWAITING_DESK);
  cdkv::v1::ListDeskQueueRequest list;
  list.set_desk_code(kDeskA);
  cdkv::v1::ListDeskQueueResponse queue;
  for (int i = 0; i < 100 && queue.entries_size() == 0; ++i) {
    REQUIRE(desk->ListDeskQueue(Call(officer_token).get(), list, &queue).ok());
    if (queue.entries_size() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  REQUIRE(queue.entries_size() == 1);
  CHECK(queue.entries(0).filing().filing_id() == id);

  // The QR code on the photo was not read: no OCR ran.
  cdkv::v1::GetDeskFilingRequest read;
  read.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse seen;
  REQUIRE(desk->GetDeskFiling(Call(officer_token).get(), read, &seen).ok());
  REQUIRE(seen.filing().forms_size() == 1);
  REQUIRE(seen.filing().forms(0).fields_size() > 0);
  for (const auto& field : seen.filing().forms(0).fields()) {
    INFO(field.key());
    CHECK(field.value().empty());
    CHECK(field.needs_review());
    CHECK(field.review_reason() == "tự điền đang tắt");
  }
  std::string reasons;
  for (const auto& change : seen.filing().history()) {
    reasons += change.reason() + "|";
  }
  CHECK_THAT(reasons, Catch::Contains("tự điền đang tắt"));
}

TEST_CASE(
    "an action answers with the basic view when asked, a retry gets that "
    "same answer, the full view is the default") {
  auto stack = Stack::Start(
      [](server::ServerConfig& config) { config.prefill_off = true; });
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_token = stack->StaffToken("officer.a");
  auto citizen = stack->citizen();
  auto desk = stack->desk();
  const cdkv::v1::Filing draft = DraftWithPhoto(*citizen, citizen_token);
  const std::string id = draft.filing_id();

  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  submit.set_view(cdkv::v1::FILING_VIEW_BASIC);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted)
              .ok());
  const cdkv::v1::Filing& basic = submitted.filing();
  CHECK(basic.filing_id() == id);
  CHECK(basic.state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  CHECK(basic.version() > draft.version());
  CHECK(basic.desk_code() == kDeskA);
  CHECK(basic.has_deadline());
  CHECK(basic.documents_size() == 0);
  CHECK(basic.forms_size() == 0);
  CHECK(basic.history_size() == 0);
  // The retry is answered from the stored answer, byte for byte.
  cdkv::v1::SubmitFilingResponse again;
  REQUIRE(
      citizen->SubmitFiling(Call(citizen_token).get(), submit, &again).ok());
  CHECK(again.SerializeAsString() == submitted.SerializeAsString());

  // By default the answer is the whole filing, as GetDeskFiling shows it.
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k1");
  claim.set_desk_code(kDeskA);
  claim.set_filing_id(id);
  cdkv::v1::ClaimFilingResponse claimed;
  REQUIRE(desk->ClaimFiling(Call(officer_token).get(), claim, &claimed).ok());
  CHECK(claimed.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  CHECK(claimed.filing().documents_size() == 1);
  CHECK(claimed.filing().forms_size() == 1);
  CHECK(claimed.filing().history_size() >= 4);
  cdkv::v1::GetDeskFilingRequest read;
  read.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse seen;
  REQUIRE(desk->GetDeskFiling(Call(officer_token).get(), read, &seen).ok());
  CHECK(seen.filing().SerializeAsString() ==
        claimed.filing().SerializeAsString());
  // Its retry gets the whole filing too (stored as the id, loaded again).
  cdkv::v1::ClaimFilingResponse reclaimed;
  REQUIRE(desk->ClaimFiling(Call(officer_token).get(), claim, &reclaimed).ok());
  CHECK(reclaimed.filing().SerializeAsString() ==
        claimed.filing().SerializeAsString());
}

TEST_CASE(
    "a late retry of a claim takes no Redis lease once the filing was "
    "released") {
  auto stack = Stack::Start(
      [](server::ServerConfig& config) { config.prefill_off = true; });
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_token = stack->StaffToken("officer.a");
  auto citizen = stack->citizen();
  auto desk = stack->desk();
  const std::string id = DraftWithPhoto(*citizen, citizen_token).filing_id();
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted)
              .ok());

  auto client = queue::RedisClient::Connect(queue::TestOptions(stack->redis()));
  REQUIRE(client.ok());
  queue::DeskQueue queue(*client);
  auto leases = [&] {
    absl::StatusOr<std::vector<queue::DeskLease>> l =
        queue.ListLeases(kDeskA, 10);
    REQUIRE(l.ok());
    return l->size();
  };

  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k1");
  claim.set_desk_code(kDeskA);
  claim.set_filing_id(id);
  cdkv::v1::ClaimFilingResponse claimed;
  REQUIRE(desk->ClaimFiling(Call(officer_token).get(), claim, &claimed).ok());
  CHECK(claimed.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  CHECK(leases() == 1);

  cdkv::v1::ReleaseFilingRequest release;
  release.set_request_id("r1");
  release.set_filing_id(id);
  cdkv::v1::ReleaseFilingResponse released;
  REQUIRE(
      desk->ReleaseFiling(Call(officer_token).get(), release, &released).ok());
  CHECK(released.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  // The release reaches Redis through the outbox.
  auto queued = [&] {
    absl::StatusOr<std::vector<queue::QueuedFiling>> waiting =
        queue.List(kDeskA, 10);
    REQUIRE(waiting.ok());
    return waiting->size() == 1 && waiting->front().filing_id == id;
  };
  for (int i = 0; i < 100 && (leases() != 0 || !queued()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(leases() == 0);
  REQUIRE(queued());

  // The claim's late retry gets its answer (the filing as it is now) and
  // changes nothing: no lease in Redis, the filing still waiting.
  cdkv::v1::ClaimFilingResponse late;
  REQUIRE(desk->ClaimFiling(Call(officer_token).get(), claim, &late).ok());
  CHECK(late.filing().filing_id() == id);
  CHECK(late.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  CHECK(leases() == 0);
  CHECK(queued());
  cdkv::v1::GetDeskFilingRequest read;
  read.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse seen;
  REQUIRE(desk->GetDeskFiling(Call(officer_token).get(), read, &seen).ok());
  CHECK(seen.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);

  // A new claim takes it again.
  claim.set_request_id("k2");
  cdkv::v1::ClaimFilingResponse again;
  REQUIRE(desk->ClaimFiling(Call(officer_token).get(), claim, &again).ok());
  CHECK(again.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  CHECK(leases() == 1);
}

// Confirms `filing` (claimed by the caller, in the full view) with every
// empty required field filled.
void ConfirmFilled(cdkv::v1::DeskService::Stub& desk, const std::string& token,
                   const cdkv::v1::Filing& filing,
                   const std::string& request_id) {
  cdkv::v1::ConfirmFilingRequest confirm;
  confirm.set_request_id(request_id);
  confirm.set_filing_id(filing.filing_id());
  REQUIRE(filing.forms_size() == 1);
  for (const auto& field : filing.forms(0).fields()) {
    if (!field.required() || !field.value().empty()) continue;
    cdkv::v1::FieldCorrection* c = confirm.add_corrections();
    c->set_form_code(filing.forms(0).form_code());
    c->set_key(field.key());
    c->set_value(field.key() == "child.date_of_birth" ? "2026-11-01"
                                                      : "Giá trị kiểm tra");
  }
  cdkv::v1::ConfirmFilingResponse confirmed;
  grpc::Status status =
      desk.ConfirmFiling(Call(token).get(), confirm, &confirmed);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(confirmed.filing().state() == cdkv::v1::FILING_STATE_CONFIRMED);
}

// Forwards `filing_id` to `to_desk`; returns the answer's filing.
cdkv::v1::Filing Forward(cdkv::v1::DeskService::Stub& desk,
                         const std::string& token, const std::string& filing_id,
                         const std::string& to_desk,
                         const std::string& request_id) {
  cdkv::v1::ForwardFilingRequest forward;
  forward.set_request_id(request_id);
  forward.set_filing_id(filing_id);
  forward.set_to_desk_code(to_desk);
  forward.set_reason("Chuyển bàn để kiểm tra.");
  cdkv::v1::ForwardFilingResponse forwarded;
  grpc::Status status =
      desk.ForwardFiling(Call(token).get(), forward, &forwarded);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return forwarded.filing();
}

TEST_CASE(
    "a retried full answer shows only the filing's id once the caller has "
    "lost the filing") {
  auto stack = Stack::Start(
      [](server::ServerConfig& config) { config.prefill_off = true; });
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_a = stack->StaffToken("officer.a");
  const std::string officer_b = stack->StaffToken("officer.b");
  auto citizen = stack->citizen();
  auto desk = stack->desk();
  const std::string id = DraftWithPhoto(*citizen, citizen_token).filing_id();
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id("s1");
  submit.set_filing_id(id);
  cdkv::v1::SubmitFilingResponse submitted;
  REQUIRE(citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted)
              .ok());
  REQUIRE(submitted.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  REQUIRE(submitted.filing().desk_code() == kDeskA);

  // officer.a (desk A) claims it and sees the whole filing.
  cdkv::v1::ClaimFilingRequest claim_a;
  claim_a.set_request_id("a1");
  claim_a.set_desk_code(kDeskA);
  claim_a.set_filing_id(id);
  cdkv::v1::ClaimFilingResponse claimed_a;
  REQUIRE(desk->ClaimFiling(Call(officer_a).get(), claim_a, &claimed_a).ok());
  CHECK(claimed_a.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  CHECK(claimed_a.filing().documents_size() == 1);
  CHECK(claimed_a.filing().forms_size() == 1);
  CHECK(claimed_a.filing().history_size() >= 4);

  // Only a confirmed filing can be forwarded; a forwarded one cannot be
  // claimed, so desk B asks the citizen for a paper and the supplied filing
  // waits at desk B, where it now is.
  ConfirmFilled(*desk, officer_a, claimed_a.filing(), "fa");
  const cdkv::v1::Filing to_b = Forward(*desk, officer_a, id, kDeskB, "wa");
  CHECK(to_b.state() == cdkv::v1::FILING_STATE_FORWARDED);
  CHECK(to_b.desk_code() == kDeskB);
  cdkv::v1::RequestDocumentsRequest ask;
  ask.set_request_id("d1");
  ask.set_filing_id(id);
  ask.set_message("Xin chụp giấy chứng sinh của cháu.");
  cdkv::v1::RequestDocumentsResponse asked;
  REQUIRE(desk->RequestDocuments(Call(officer_b).get(), ask, &asked).ok());
  cdkv::v1::SupplyDocumentsRequest supply;
  supply.set_request_id("p1");
  supply.set_filing_id(id);
  cdkv::v1::SupplyDocumentsResponse supplied;
  REQUIRE(citizen->SupplyDocuments(Call(citizen_token).get(), supply, &supplied)
              .ok());
  REQUIRE(supplied.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
  REQUIRE(supplied.filing().desk_code() == kDeskB);

  // officer.b (desk B) claims it and sees the whole filing too.
  cdkv::v1::ClaimFilingRequest claim_b;
  claim_b.set_request_id("b1");
  claim_b.set_desk_code(kDeskB);
  claim_b.set_filing_id(id);
  cdkv::v1::ClaimFilingResponse claimed_b;
  grpc::Status claim_b_status =
      desk->ClaimFiling(Call(officer_b).get(), claim_b, &claimed_b);
  INFO(claim_b_status.error_message());
  REQUIRE(claim_b_status.ok());
  CHECK(claimed_b.filing().filing_id() == id);
  CHECK(claimed_b.filing().state() == cdkv::v1::FILING_STATE_IN_REVIEW);
  CHECK(claimed_b.filing().version() > claimed_a.filing().version());
  CHECK(claimed_b.filing().documents_size() == 1);
  CHECK(claimed_b.filing().forms_size() == 1);
  CHECK(claimed_b.filing().history_size() > claimed_a.filing().history_size());

  // officer.b sends it back to desk A: desk B is neither its desk nor its
  // competent desk any more.
  ConfirmFilled(*desk, officer_b, claimed_b.filing(), "fb");
  const cdkv::v1::Filing to_a = Forward(*desk, officer_b, id, kDeskA, "wb");
  CHECK(to_a.state() == cdkv::v1::FILING_STATE_FORWARDED);
  CHECK(to_a.desk_code() == kDeskA);
  cdkv::v1::GetDeskFilingRequest read;
  read.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse lost;
  CHECK(desk->GetDeskFiling(Call(officer_b).get(), read, &lost).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);

  // officer.b's retry still succeeds, but answers with the id alone.
  cdkv::v1::ClaimFilingResponse retried_b;
  grpc::Status retried_b_status =
      desk->ClaimFiling(Call(officer_b).get(), claim_b, &retried_b);
  INFO(retried_b_status.error_message());
  REQUIRE(retried_b_status.ok());
  CHECK(retried_b.filing().filing_id() == id);
  CHECK(retried_b.filing().version() == 0);
  CHECK(retried_b.filing().state() == cdkv::v1::FILING_STATE_UNSPECIFIED);
  CHECK(retried_b.filing().desk_code().empty());
  CHECK(retried_b.filing().documents_size() == 0);
  CHECK(retried_b.filing().forms_size() == 0);
  CHECK(retried_b.filing().history_size() == 0);
  cdkv::v1::Filing only_id;
  only_id.set_filing_id(id);
  CHECK(retried_b.filing().SerializeAsString() == only_id.SerializeAsString());

  // officer.a's desk holds it again: its retry gets the whole filing as it
  // is now, as GetDeskFiling shows it.
  cdkv::v1::ClaimFilingResponse retried_a;
  REQUIRE(desk->ClaimFiling(Call(officer_a).get(), claim_a, &retried_a).ok());
  CHECK(retried_a.filing().filing_id() == id);
  CHECK(retried_a.filing().state() == cdkv::v1::FILING_STATE_FORWARDED);
  CHECK(retried_a.filing().desk_code() == kDeskA);
  CHECK(retried_a.filing().version() > claimed_b.filing().version());
  CHECK(retried_a.filing().documents_size() == 1);
  CHECK(retried_a.filing().forms_size() == 1);
  REQUIRE(retried_a.filing().history_size() > 0);
  CHECK(retried_a.filing()
            .history(retried_a.filing().history_size() - 1)
            .action() == "forward");
  cdkv::v1::GetDeskFilingResponse seen;
  REQUIRE(desk->GetDeskFiling(Call(officer_a).get(), read, &seen).ok());
  CHECK(seen.filing().SerializeAsString() ==
        retried_a.filing().SerializeAsString());
}

}  // namespace
}  // namespace cdkv::testing
