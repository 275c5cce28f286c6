#include "services/api/filing_ops.h"

#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "services/api/pickup_json.h"

namespace cdkv::api {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

cdkv::v1::ReadMethod MethodFromName(std::string_view name) {
  if (name == "qr") return cdkv::v1::READ_METHOD_QR;
  if (name == "mrz") return cdkv::v1::READ_METHOD_MRZ;
  if (name == "printed_text") return cdkv::v1::READ_METHOD_PRINTED_TEXT;
  if (name == "cross_checked") return cdkv::v1::READ_METHOD_CROSS_CHECKED;
  if (name == "officer") return cdkv::v1::READ_METHOD_OFFICER;
  if (name == "citizen") return cdkv::v1::READ_METHOD_CITIZEN;
  return cdkv::v1::READ_METHOD_UNSPECIFIED;
}

cdkv::v1::ResultDelivery DeliveryFromName(std::string_view name) {
  if (name == "home") return cdkv::v1::RESULT_DELIVERY_HOME;
  if (name == "post") return cdkv::v1::RESULT_DELIVERY_POST;
  return cdkv::v1::RESULT_DELIVERY_DESK_PICKUP;
}

cdkv::v1::Channel ChannelFromName(std::string_view name) {
  if (name == "chat") return cdkv::v1::CHANNEL_CHAT;
  if (name == "desk") return cdkv::v1::CHANNEL_DESK;
  return cdkv::v1::CHANNEL_APP;
}

cdkv::v1::PhotoProblem ProblemFromName(std::string_view name) {
  if (name == "no_document") return cdkv::v1::PHOTO_PROBLEM_NO_DOCUMENT;
  if (name == "too_small") return cdkv::v1::PHOTO_PROBLEM_TOO_SMALL;
  if (name == "blurred") return cdkv::v1::PHOTO_PROBLEM_BLURRED;
  if (name == "glare") return cdkv::v1::PHOTO_PROBLEM_GLARE;
  if (name == "cut_off") return cdkv::v1::PHOTO_PROBLEM_CUT_OFF;
  return cdkv::v1::PHOTO_PROBLEM_UNSPECIFIED;
}

void FillRegion(const nlohmann::json& corners, cdkv::v1::Region* region) {
  if (!corners.is_array()) return;
  for (const auto& c : corners) {
    if (!c.is_array() || c.size() != 2 || !c[0].is_number_integer() ||
        !c[1].is_number_integer()) {
      continue;
    }
    cdkv::v1::Point* p = region->add_corners();
    p->set_x(c[0].get<int>());
    p->set_y(c[1].get<int>());
  }
}

// Most fields have no region or readings (nothing was read, or pre-fill is
// off): skip the parser for those, which is most of a filing's load time.
bool EmptyJson(const std::string& json) {
  return json.empty() || json == "[]" || json == "{}" || json == "null";
}

void FillRegion(const std::string& json, cdkv::v1::Region* region) {
  if (EmptyJson(json)) return;
  FillRegion(nlohmann::json::parse(json, nullptr, false), region);
}

}  // namespace

cdkv::v1::FilingState ToProto(domain::State state) {
  using domain::State;
  switch (state) {
    case State::kDraft:
      return cdkv::v1::FILING_STATE_DRAFT;
    case State::kSubmitted:
      return cdkv::v1::FILING_STATE_SUBMITTED;
    case State::kPrefilling:
      return cdkv::v1::FILING_STATE_PREFILLING;
    case State::kAwaitingDesk:
      return cdkv::v1::FILING_STATE_AWAITING_DESK;
    case State::kInReview:
      return cdkv::v1::FILING_STATE_IN_REVIEW;
    case State::kConfirmed:
      return cdkv::v1::FILING_STATE_CONFIRMED;
    case State::kProcessing:
      return cdkv::v1::FILING_STATE_PROCESSING;
    case State::kReadyForPickup:
      return cdkv::v1::FILING_STATE_READY_FOR_PICKUP;
    case State::kCompleted:
      return cdkv::v1::FILING_STATE_COMPLETED;
    case State::kNeedsMoreDocuments:
      return cdkv::v1::FILING_STATE_NEEDS_MORE_DOCUMENTS;
    case State::kRejected:
      return cdkv::v1::FILING_STATE_REJECTED;
    case State::kWithdrawn:
      return cdkv::v1::FILING_STATE_WITHDRAWN;
    case State::kForwarded:
      return cdkv::v1::FILING_STATE_FORWARDED;
  }
  return cdkv::v1::FILING_STATE_UNSPECIFIED;
}

cdkv::v1::Role ToProto(domain::Role role) {
  switch (role) {
    case domain::Role::kCitizen:
      return cdkv::v1::ROLE_CITIZEN;
    case domain::Role::kOfficer:
      return cdkv::v1::ROLE_OFFICER;
    case domain::Role::kSupervisor:
      return cdkv::v1::ROLE_SUPERVISOR;
    case domain::Role::kSystem:
      return cdkv::v1::ROLE_UNSPECIFIED;
  }
  return cdkv::v1::ROLE_UNSPECIFIED;
}

absl::Status CheckAccess(const Deps& deps, const auth::Principal& principal,
                         const records::FilingRow& filing) {
  switch (principal.role) {
    case domain::Role::kCitizen:
      if (principal.IsCitizen(filing.citizen_id)) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat("no filing '", filing.id, "'"));
    case domain::Role::kOfficer:
      if (principal.MayUseDesk(filing.desk_code) ||
          principal.MayUseDesk(filing.competent_desk)) {
        return absl::OkStatus();
      }
      return absl::PermissionDeniedError(
          absl::StrCat("filing ", filing.id, " belongs to desk ",
                       filing.desk_code, ", which is not one of yours"));
    case domain::Role::kSupervisor: {
      const domain::Commune* commune =
          deps.catalog->FindCommune(filing.commune_code);
      const domain::District* district =
          commune ? deps.catalog->FindDistrict(commune->district_code)
                  : nullptr;
      if (district != nullptr &&
          principal.Oversees(Std(district->code),
                             Std(district->province_code))) {
        return absl::OkStatus();
      }
      return absl::PermissionDeniedError(absl::StrCat(
          "filing ", filing.id, " is outside the area you supervise"));
    }
    case domain::Role::kSystem:
      return absl::OkStatus();
  }
  return absl::PermissionDeniedError("unknown role");
}

absl::Status Audit(records::Tx& tx, const Actor& actor, std::string_view action,
                   std::string_view filing_id, std::string_view detail,
                   absl::Time now) {
  records::AuditRow row;
  row.at = now;
  row.actor_id = actor.id;
  row.role = std::string(domain::RoleName(actor.role));
  row.action = std::string(action);
  row.filing_id = std::string(filing_id);
  row.detail = std::string(detail);
  return tx.Audit(row);
}

absl::Status ApplyAction(records::Tx& tx, records::FilingRow& filing,
                         domain::Action action, const Actor& actor,
                         std::string reason, absl::Time now,
                         std::vector<cdkv::v1::FilingEvent>* events) {
  absl::StatusOr<domain::Transition> transition = domain::MakeTransition(
      filing.state, action, actor.role, actor.id, now, std::move(reason));
  if (!transition.ok()) {
    return absl::Status(transition.status().code(),
                        absl::StrCat("filing ", filing.id, ": ",
                                     transition.status().message()));
  }
  filing.state = transition->to;
  if (absl::Status s = tx.UpdateFiling(filing); !s.ok()) return s;
  if (absl::Status s = tx.AppendHistory(filing.id, *transition); !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Audit(tx, actor, absl::StrCat("filing.", domain::ActionName(action)),
                filing.id, transition->reason, now);
      !s.ok()) {
    return s;
  }
  cdkv::v1::FilingEvent event;
  event.set_filing_id(filing.id);
  event.set_version(filing.version);
  cdkv::v1::StateChange* change = event.mutable_change();
  change->set_from_state(ToProto(transition->from));
  change->set_to_state(ToProto(transition->to));
  change->set_action(std::string(domain::ActionName(action)));
  change->set_actor_id(actor.id);
  change->set_actor_role(ToProto(actor.role));
  *change->mutable_time() = ToTimestamp(now);
  change->set_reason(transition->reason);
  if (!filing.pickup_json.empty() &&
      transition->to == domain::State::kReadyForPickup) {
    PickupFromJson(filing.pickup_json, event.mutable_pickup()).IgnoreError();
  }
  events->push_back(std::move(event));
  return absl::OkStatus();
}

cdkv::v1::FilingSummary Summarize(const Deps& deps,
                                  const records::FilingRow& f) {
  cdkv::v1::FilingSummary s;
  s.set_filing_id(f.id);
  s.set_procedure_code(f.procedure_code);
  if (const domain::Procedure* p =
          deps.catalog->FindProcedure(f.procedure_code)) {
    s.set_procedure_name(p->name_vi);
  }
  s.set_state(ToProto(f.state));
  if (f.submitted_at) *s.mutable_submitted_at() = ToTimestamp(*f.submitted_at);
  if (f.deadline) *s.mutable_deadline() = ToTimestamp(*f.deadline);
  s.set_channel(ChannelFromName(f.channel));
  return s;
}

void FillFilingHeader(const Deps& deps, const records::FilingRow& f,
                      cdkv::v1::Filing* out) {
  out->set_filing_id(f.id);
  out->set_procedure_code(f.procedure_code);
  if (const domain::Procedure* p =
          deps.catalog->FindProcedure(f.procedure_code)) {
    out->set_procedure_name(p->name_vi);
  }
  out->set_commune_code(f.commune_code);
  out->set_desk_code(f.desk_code);
  out->set_state(ToProto(f.state));
  out->set_channel(ChannelFromName(f.channel));
  out->set_citizen_id(f.citizen_id);
  if (f.submitted_at)
    *out->mutable_submitted_at() = ToTimestamp(*f.submitted_at);
  if (f.deadline) *out->mutable_deadline() = ToTimestamp(*f.deadline);
  out->set_delivery(DeliveryFromName(f.delivery));
  if (!f.pickup_json.empty()) {
    PickupFromJson(f.pickup_json, out->mutable_pickup()).IgnoreError();
    out->mutable_pickup()
        ->clear_pickup_code();  // only the citizen's notice carries it
  }
  out->set_officer_message(f.officer_message);
  out->set_claimed_by(f.claimed_by);
  if (f.claim_expires_at && f.state == domain::State::kInReview) {
    *out->mutable_claim_expires_at() = ToTimestamp(*f.claim_expires_at);
  }
  out->set_rating(f.rating);
  out->set_version(f.version);
}

absl::StatusOr<cdkv::v1::Filing> LoadFiling(const Deps& deps, records::Tx& tx,
                                            std::string_view filing_id) {
  absl::StatusOr<records::FilingRow> row = tx.GetFiling(filing_id);
  if (!row.ok()) return row.status();
  const records::FilingRow& f = *row;
  cdkv::v1::Filing out;
  FillFilingHeader(deps, f, &out);

  absl::StatusOr<std::vector<records::DocumentRow>> documents =
      tx.Documents(filing_id);
  if (!documents.ok()) return documents.status();
  for (const records::DocumentRow& d : *documents) {
    cdkv::v1::Document* doc = out.add_documents();
    doc->set_document_id(d.document_id);
    doc->set_declared_kind(d.declared_kind);
    doc->set_detected_kind(d.detected_kind);
    doc->set_content_type(d.content_type);
    doc->set_size_bytes(d.size_bytes);
    doc->set_sha256(d.sha256);
    doc->set_width(d.width);
    doc->set_height(d.height);
    doc->mutable_quality()->set_problem(ProblemFromName(d.quality_problem));
    doc->mutable_quality()->set_advice(d.quality_advice);
    doc->mutable_quality()->set_sharpness(d.sharpness);
    *doc->mutable_uploaded_at() = ToTimestamp(d.uploaded_at);
  }

  absl::StatusOr<std::vector<records::FieldRow>> fields = tx.Fields(filing_id);
  if (!fields.ok()) return fields.status();
  cdkv::v1::Form* form = nullptr;
  for (const records::FieldRow& r : *fields) {
    if (form == nullptr || form->form_code() != r.form_code) {
      form = out.add_forms();
      form->set_form_code(r.form_code);
      if (const domain::Procedure* p =
              deps.catalog->FindProcedure(f.procedure_code)) {
        form->set_title(absl::StrCat("Tờ khai ", p->name_vi));
      }
    }
    cdkv::v1::FormField* field = form->add_fields();
    field->set_key(r.key);
    field->set_label(r.label);
    field->set_value(r.value);
    field->set_confidence(r.confidence);
    field->set_method(MethodFromName(r.method));
    field->set_document_id(r.document_id);
    FillRegion(r.region_json, field->mutable_region());
    const nlohmann::json readings =
        EmptyJson(r.readings_json)
            ? nlohmann::json()
            : nlohmann::json::parse(r.readings_json, nullptr, false);
    if (readings.is_array()) {
      for (const auto& reading : readings) {
        if (!reading.is_object()) continue;
        cdkv::v1::FieldReading* out_reading = field->add_readings();
        out_reading->set_value(reading.value("value", ""));
        out_reading->set_confidence(reading.value("confidence", 0.0));
        out_reading->set_method(MethodFromName(reading.value("method", "")));
        out_reading->set_document_id(reading.value("document_id", ""));
        if (auto region = reading.find("region"); region != reading.end()) {
          FillRegion(*region, out_reading->mutable_region());
        }
      }
    }
    field->set_needs_review(r.needs_review);
    field->set_review_reason(r.review_reason);
    field->set_corrected(r.corrected);
    field->set_prefilled_value(r.prefilled_value);
    field->set_required(r.required);
  }

  absl::StatusOr<std::vector<domain::Transition>> history =
      tx.History(filing_id);
  if (!history.ok()) return history.status();
  for (const domain::Transition& t : *history) {
    cdkv::v1::StateChange* change = out.add_history();
    change->set_from_state(ToProto(t.from));
    change->set_to_state(ToProto(t.to));
    change->set_action(std::string(domain::ActionName(t.action)));
    change->set_actor_id(t.actor_id);
    change->set_actor_role(ToProto(t.role));
    *change->mutable_time() = ToTimestamp(t.at);
    change->set_reason(t.reason);
  }
  return out;
}

void AnswerWithFiling(const Deps& deps, const records::FilingRow& filing,
                      cdkv::v1::FilingView view, cdkv::v1::Filing* out) {
  out->Clear();
  if (view == cdkv::v1::FILING_VIEW_BASIC) {
    FillFilingHeader(deps, filing, out);
    return;
  }
  // Only the id: MutateOnce loads the rest after the commit.
  out->set_filing_id(filing.id);
}

absl::Status FillFiling(const Deps& deps, records::Tx& tx,
                        std::string_view filing_id, cdkv::v1::Filing* out) {
  absl::StatusOr<cdkv::v1::Filing> filing = LoadFiling(deps, tx, filing_id);
  if (!filing.ok()) return filing.status();
  *out = std::move(*filing);
  return absl::OkStatus();
}

absl::Status ValidateRequestId(std::string_view request_id) {
  if (request_id.empty()) {
    return absl::InvalidArgumentError(
        "request_id is required: generate one per operation (a UUID) and reuse "
        "it "
        "only to retry that operation");
  }
  if (request_id.size() > 128) {
    return absl::InvalidArgumentError(
        "request_id is longer than 128 characters");
  }
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id may hold only printable ASCII characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace cdkv::api
