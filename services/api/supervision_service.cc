#include "services/api/supervision_service.h"

#include <google/protobuf/util/time_util.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/string_view.h"
#include "services/api/filing_ops.h"
#include "services/api/handler.h"
#include "services/domain/time_saved.h"
#include "services/domain/working_calendar.h"

namespace cdkv::api {
namespace {

using domain::Role;
using domain::State;
using google::protobuf::util::TimeUtil;

// One filing with what the reports need about it.
struct Fact {
  records::FilingRow filing;
  std::string district_code;
  int fields_prefilled = 0;
  int fields_corrected = 0;
};

// The filings a supervisor may count, narrowed to the request's scope.
absl::StatusOr<std::vector<Fact>> Facts(Deps& deps,
                                        const auth::Principal& caller,
                                        const cdkv::v1::ReportScope& scope) {
  if (!scope.district_code().empty()) {
    const domain::District* district =
        deps.catalog->FindDistrict(scope.district_code());
    // A district supervisor is matched on the district, a province
    // supervisor on the district's province.
    const bool overseen =
        district != nullptr
            ? caller.Oversees(Std(district->code), Std(district->province_code))
            : caller.district_code.empty() ||
                  scope.district_code() == caller.district_code;
    if (!overseen) {
      return absl::PermissionDeniedError(
          absl::StrCat("district ", scope.district_code(),
                       " is outside the area you supervise"));
    }
  }
  const absl::Time from =
      scope.has_from_time()
          ? absl::FromUnixMillis(
                TimeUtil::TimestampToMilliseconds(scope.from_time()))
          : absl::UnixEpoch();
  const absl::Time to =
      scope.has_to_time()
          ? absl::FromUnixMillis(
                TimeUtil::TimestampToMilliseconds(scope.to_time()))
          : deps.clock() + absl::Hours(24);
  if (to <= from)
    return absl::InvalidArgumentError("to_time must be after from_time");
  std::vector<Fact> facts;
  absl::Status read = deps.records->Read([&](records::Tx& tx) -> absl::Status {
    absl::StatusOr<std::vector<records::FilingRow>> rows =
        tx.FilingsSubmittedBetween(from, to);
    if (!rows.ok()) return rows.status();
    for (records::FilingRow& row : *rows) {
      const domain::Commune* commune =
          deps.catalog->FindCommune(row.commune_code);
      if (commune == nullptr) continue;
      if (!scope.commune_code().empty() &&
          row.commune_code != scope.commune_code())
        continue;
      if (!scope.procedure_code().empty() &&
          row.procedure_code != scope.procedure_code())
        continue;
      if (!scope.district_code().empty() &&
          commune->district_code != scope.district_code()) {
        continue;
      }
      if (!CheckAccess(deps, caller, row).ok()) continue;
      Fact fact;
      fact.district_code = commune->district_code;
      absl::StatusOr<std::vector<records::FieldRow>> fields = tx.Fields(row.id);
      if (!fields.ok()) return fields.status();
      for (const records::FieldRow& f : *fields) {
        if (!f.prefilled_value.empty()) ++fact.fields_prefilled;
        if (f.corrected && !f.prefilled_value.empty()) ++fact.fields_corrected;
      }
      fact.filing = std::move(row);
      facts.push_back(std::move(fact));
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return facts;
}

// The row a fact is counted in, and that row's display name.
std::pair<std::string, std::string> GroupOf(const Deps& deps, const Fact& fact,
                                            cdkv::v1::Grouping grouping) {
  const records::FilingRow& f = fact.filing;
  switch (grouping) {
    case cdkv::v1::GROUPING_COMMUNE: {
      const domain::Commune* c = deps.catalog->FindCommune(f.commune_code);
      return {f.commune_code, c ? c->name_vi : ""};
    }
    case cdkv::v1::GROUPING_DISTRICT: {
      const domain::District* d =
          deps.catalog->FindDistrict(fact.district_code);
      return {fact.district_code, d ? d->name_vi : ""};
    }
    case cdkv::v1::GROUPING_PROCEDURE: {
      const domain::Procedure* p =
          deps.catalog->FindProcedure(f.procedure_code);
      return {f.procedure_code, p ? p->name_vi : ""};
    }
    case cdkv::v1::GROUPING_DAY:
    case cdkv::v1::GROUPING_MONTH: {
      const absl::CivilDay day =
          domain::WorkingCalendar::LocalDay(*f.submitted_at);
      std::string key =
          grouping == cdkv::v1::GROUPING_DAY
              ? absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(),
                                day.day())
              : absl::StrFormat("%04d-%02d", day.year(), day.month());
      return {key, key};
    }
    default:
      return {"", ""};
  }
}

absl::Status CheckGrouping(cdkv::v1::Grouping grouping) {
  if (!cdkv::v1::Grouping_IsValid(grouping)) {
    return absl::InvalidArgumentError("grouping is not a known Grouping value");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* SupervisionServiceImpl::GetTimeSaved(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetTimeSavedRequest* request,
    cdkv::v1::GetTimeSavedResponse* response) {
  return Serve(context, "GetTimeSaved", [&]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kSupervisor);
    if (!caller.ok()) return Fail(caller.status());
    if (absl::Status s = CheckGrouping(request->grouping()); !s.ok())
      return Fail(s);
    absl::StatusOr<std::vector<Fact>> facts =
        Facts(deps_, *caller, request->scope());
    if (!facts.ok()) return Fail(facts.status());
    std::map<std::string, cdkv::v1::TimeSavedRow> rows;
    cdkv::v1::TimeSavedRow total;
    for (const Fact& fact : *facts) {
      const records::FilingRow& f = fact.filing;
      // Time is saved once a filing is confirmed: before that nothing was
      // filled for anyone.
      if (!f.confirmed_at) continue;
      const domain::Procedure* procedure =
          deps_.catalog->FindProcedure(f.procedure_code);
      if (procedure == nullptr) continue;
      absl::StatusOr<domain::TimeSavedBreakdown> saved =
          domain::TimeSavedForFiling(procedure->baseline,
                                     absl::Milliseconds(f.handling_ms));
      if (!saved.ok()) return Fail(saved.status());
      auto [key, name] = GroupOf(deps_, fact, request->grouping());
      for (cdkv::v1::TimeSavedRow* row : {&rows[key], &total}) {
        row->set_filings(row->filings() + 1);
        row->set_citizen_form_minutes(row->citizen_form_minutes() +
                                      saved->citizen_form_minutes);
        row->set_officer_form_minutes(row->officer_form_minutes() +
                                      saved->officer_form_minutes);
        row->set_trip_minutes(row->trip_minutes() + saved->trip_minutes);
        row->set_officer_handling_minutes(row->officer_handling_minutes() +
                                          saved->officer_handling_minutes);
        row->set_net_minutes(row->net_minutes() + saved->NetMinutes());
      }
      rows[key].set_group(key);
      rows[key].set_group_name(name);
    }
    if (request->grouping() != cdkv::v1::GROUPING_UNSPECIFIED) {
      for (auto& [key, row] : rows) *response->add_rows() = row;
    }
    *response->mutable_total() = total;
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* SupervisionServiceImpl::GetPerformance(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetPerformanceRequest* request,
    cdkv::v1::GetPerformanceResponse* response) {
  return Serve(context, "GetPerformance", [&]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kSupervisor);
    if (!caller.ok()) return Fail(caller.status());
    if (absl::Status s = CheckGrouping(request->grouping()); !s.ok())
      return Fail(s);
    absl::StatusOr<std::vector<Fact>> facts =
        Facts(deps_, *caller, request->scope());
    if (!facts.ok()) return Fail(facts.status());
    struct Tally {
      std::string name;
      int64_t submitted = 0, completed = 0, rejected = 0, backlog = 0, chat = 0;
      int64_t finished = 0, on_time = 0, prefilled = 0, corrected = 0,
              rated = 0, stars = 0;
    };
    std::map<std::string, Tally> tallies;
    Tally total;
    for (const Fact& fact : *facts) {
      const records::FilingRow& f = fact.filing;
      auto [key, name] = GroupOf(deps_, fact, request->grouping());
      for (Tally* t : {&tallies[key], &total}) {
        ++t->submitted;
        if (f.state == State::kCompleted) ++t->completed;
        if (f.state == State::kRejected) ++t->rejected;
        if (!domain::IsTerminal(f.state)) ++t->backlog;
        if (f.channel == "chat") ++t->chat;
        if (f.ready_at && f.deadline) {
          ++t->finished;
          if (*f.ready_at <= *f.deadline) ++t->on_time;
        }
        t->prefilled += fact.fields_prefilled;
        t->corrected += fact.fields_corrected;
        if (f.rating > 0) {
          ++t->rated;
          t->stars += f.rating;
        }
      }
      tallies[key].name = name;
    }
    auto fill = [](const std::string& key, const Tally& t,
                   cdkv::v1::PerformanceRow* row) {
      row->set_group(key);
      row->set_group_name(t.name);
      row->set_submitted(t.submitted);
      row->set_completed(t.completed);
      row->set_rejected(t.rejected);
      row->set_backlog(t.backlog);
      row->set_chat_filings(t.chat);
      row->set_on_time_rate(
          t.finished ? static_cast<double>(t.on_time) / t.finished : 0);
      row->set_field_correction_rate(
          t.prefilled ? static_cast<double>(t.corrected) / t.prefilled : 0);
      row->set_average_rating(t.rated ? static_cast<double>(t.stars) / t.rated
                                      : 0);
    };
    if (request->grouping() != cdkv::v1::GROUPING_UNSPECIFIED) {
      for (const auto& [key, t] : tallies) fill(key, t, response->add_rows());
    }
    fill("", total, response->mutable_total());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* SupervisionServiceImpl::ListLateFilings(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListLateFilingsRequest* request,
    cdkv::v1::ListLateFilingsResponse* response) {
  return Serve(context, "ListLateFilings", [&]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kSupervisor);
    if (!caller.ok()) return Fail(caller.status());
    absl::StatusOr<std::vector<Fact>> facts =
        Facts(deps_, *caller, request->scope());
    if (!facts.ok()) return Fail(facts.status());
    const int page =
        request->page_size() <= 0 ? 100 : std::min(request->page_size(), 500);
    const absl::Time now = deps_.clock();
    // Due within a working day counts too: that is when an apology letter can
    // still be avoided.
    absl::StatusOr<absl::Time> soon = deps_.calendar->AddWorkingDays(now, 1);
    if (!soon.ok()) return Fail(soon.status());
    std::vector<std::pair<int, const Fact*>> late;
    for (const Fact& fact : *facts) {
      const records::FilingRow& f = fact.filing;
      if (!f.deadline || domain::IsTerminal(f.state) ||
          f.state == State::kReadyForPickup) {
        continue;
      }
      if (*f.deadline > *soon) continue;
      const int days = *f.deadline < now
                           ? deps_.calendar->WorkingDaysLate(*f.deadline, now)
                           : 0;
      late.emplace_back(days, &fact);
    }
    std::stable_sort(
        late.begin(), late.end(),
        [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < late.size() && static_cast<int>(i) < page; ++i) {
      cdkv::v1::LateFiling* out = response->add_filings();
      *out->mutable_filing() = Summarize(deps_, late[i].second->filing);
      out->set_desk_code(late[i].second->filing.desk_code);
      out->set_working_days_late(late[i].first);
    }
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* SupervisionServiceImpl::ListAuditEvents(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListAuditEventsRequest* request,
    cdkv::v1::ListAuditEventsResponse* response) {
  return Serve(context, "ListAuditEvents", [&]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kSupervisor);
    if (!caller.ok()) return Fail(caller.status());
    if (request->filing_id().empty()) {
      return Fail(
          absl::InvalidArgumentError("filing_id is required: the audit trail "
                                     "is read one filing at a time"));
    }
    const int page =
        request->page_size() <= 0 ? 100 : std::min(request->page_size(), 500);
    return Fail(deps_.records->Write([&](records::Tx& tx) -> absl::Status {
      absl::StatusOr<records::FilingRow> filing =
          tx.GetFiling(request->filing_id());
      if (!filing.ok()) return filing.status();
      if (absl::Status s = CheckAccess(deps_, *caller, *filing); !s.ok())
        return s;
      absl::StatusOr<std::vector<records::AuditRow>> rows =
          tx.AuditTrail(filing->id, page);
      if (!rows.ok()) return rows.status();
      for (const records::AuditRow& row : *rows) {
        if (!request->actor_id().empty() && row.actor_id != request->actor_id())
          continue;
        cdkv::v1::AuditEvent* event = response->add_events();
        *event->mutable_time() =
            TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(row.at));
        event->set_actor_id(row.actor_id);
        absl::StatusOr<domain::Role> role = domain::ParseRole(row.role);
        event->set_actor_role(role.ok() ? ToProto(*role)
                                        : cdkv::v1::ROLE_UNSPECIFIED);
        event->set_action(row.action);
        event->set_filing_id(row.filing_id);
        event->set_detail(row.detail);
      }
      // Reading the trail is itself a read of personal data.
      return Audit(tx, Actor::Of(*caller), "audit.read", filing->id, "",
                   deps_.clock());
    }));
  });
}

}  // namespace cdkv::api
