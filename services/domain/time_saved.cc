#include "services/domain/time_saved.h"

#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/domain/working_calendar.h"

namespace cdkv::domain {

TimeSavedBreakdown& TimeSavedBreakdown::operator+=(
    const TimeSavedBreakdown& other) {
  citizen_form_minutes += other.citizen_form_minutes;
  officer_form_minutes += other.officer_form_minutes;
  trip_minutes += other.trip_minutes;
  officer_handling_minutes += other.officer_handling_minutes;
  return *this;
}

absl::StatusOr<TimeSavedBreakdown> TimeSavedForFiling(
    const TimeBaseline& baseline, absl::Duration officer_handling) {
  if (officer_handling < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "officer handling time ", absl::FormatDuration(officer_handling),
        " is negative; the confirm time precedes the claim"));
  }
  TimeSavedBreakdown saved;
  saved.citizen_form_minutes = baseline.citizen_form_minutes;
  saved.officer_form_minutes = baseline.officer_form_minutes;
  saved.trip_minutes = baseline.trips_avoided * baseline.minutes_per_trip;
  saved.officer_handling_minutes = absl::ToDoubleMinutes(officer_handling);
  return saved;
}

std::optional<double> SavingsRow::OnTimeRate() const {
  if (finished == 0) return std::nullopt;
  return static_cast<double>(on_time) / finished;
}

std::optional<double> SavingsRow::CorrectionRate() const {
  if (fields_prefilled == 0) return std::nullopt;
  return static_cast<double>(fields_corrected) / fields_prefilled;
}

absl::StatusOr<std::vector<SavingsRow>> AggregateTimeSaved(
    const Catalog& catalog, const std::vector<FilingFacts>& filings,
    GroupBy group_by, Period period) {
  std::map<std::pair<std::string, absl::CivilDay>, SavingsRow> rows;
  for (size_t i = 0; i < filings.size(); ++i) {
    const FilingFacts& filing = filings[i];
    std::string where = absl::StrCat("filing #", i, ": ");
    const Procedure* procedure = catalog.FindProcedure(filing.procedure_code);
    if (procedure == nullptr) {
      return absl::NotFoundError(absl::StrCat(where, "unknown procedure \"",
                                              filing.procedure_code, "\""));
    }
    const Commune* commune = catalog.FindCommune(filing.commune_code);
    if (commune == nullptr) {
      return absl::NotFoundError(
          absl::StrCat(where, "unknown commune \"", filing.commune_code, "\""));
    }
    if (filing.fields_prefilled < 0 || filing.fields_corrected < 0 ||
        filing.fields_corrected > filing.fields_prefilled) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, filing.fields_corrected, " corrected of ",
          filing.fields_prefilled,
          " pre-filled fields is impossible; counts must be non-negative and "
          "corrections cannot exceed pre-filled fields"));
    }

    std::string key;
    switch (group_by) {
      case GroupBy::kCommune:
        key = commune->code;
        break;
      case GroupBy::kDistrict:
        key = commune->district_code;
        break;
      case GroupBy::kProcedure:
        key = procedure->code;
        break;
    }
    absl::CivilDay day = WorkingCalendar::LocalDay(filing.received);
    if (period == Period::kMonth) day = absl::CivilDay(absl::CivilMonth(day));

    SavingsRow& row = rows[{key, day}];
    row.key = key;
    row.period_start = day;
    ++row.filings;
    if (filing.officer_handling.has_value()) {
      absl::StatusOr<TimeSavedBreakdown> saved =
          TimeSavedForFiling(procedure->baseline, *filing.officer_handling);
      if (!saved.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, saved.status().message()));
      }
      ++row.confirmed;
      row.saved += *saved;
    }
    if (filing.on_time.has_value()) {
      ++row.finished;
      if (*filing.on_time) ++row.on_time;
    }
    row.fields_prefilled += filing.fields_prefilled;
    row.fields_corrected += filing.fields_corrected;
  }

  std::vector<SavingsRow> result;
  result.reserve(rows.size());
  for (auto& [unused, row] : rows) result.push_back(std::move(row));
  return result;
}

}  // namespace cdkv::domain
