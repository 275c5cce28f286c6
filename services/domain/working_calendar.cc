#include "services/domain/working_calendar.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cdkv::domain {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
// A bound on scanning for the next working day; no holiday table has a run
// of closed days anywhere near this long.
constexpr int kMaxClosedRun = 60;

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

absl::StatusOr<WorkingCalendar> WorkingCalendar::Create(
    CalendarOptions options) {
  for (const Holiday& holiday : options.holidays) {
    if (holiday.last < holiday.first) {
      return absl::InvalidArgumentError(absl::StrCat(
          "holiday \"", holiday.name, "\" ends (", DayText(holiday.last),
          ") before it starts (", DayText(holiday.first), ")"));
    }
    if (holiday.last - holiday.first >= kMaxClosedRun) {
      return absl::InvalidArgumentError(
          absl::StrCat("holiday \"", holiday.name, "\" is implausibly long"));
    }
  }
  if (options.cutoff_minute_of_day < 0 ||
      options.close_minute_of_day > kMinutesPerDay ||
      options.cutoff_minute_of_day > options.close_minute_of_day) {
    return absl::InvalidArgumentError(
        "the receipt cut-off must fall within the day and not after close of "
        "business");
  }
  if (options.first_covered_year > options.last_covered_year) {
    return absl::InvalidArgumentError(
        "the first covered year is after the last covered year");
  }
  return WorkingCalendar(std::move(options));
}

absl::TimeZone WorkingCalendar::Zone() {
  return absl::FixedTimeZone(7 * 60 * 60);
}

absl::CivilDay WorkingCalendar::LocalDay(absl::Time t) {
  return absl::ToCivilDay(t, Zone());
}

bool WorkingCalendar::IsWeekend(absl::CivilDay day) const {
  absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

bool WorkingCalendar::Contains(const std::vector<absl::CivilDay>& days,
                               absl::CivilDay day) const {
  return std::find(days.begin(), days.end(), day) != days.end();
}

const Holiday* WorkingCalendar::HolidayOn(absl::CivilDay day) const {
  for (const Holiday& holiday : options_.holidays) {
    if (holiday.first <= day && day <= holiday.last) return &holiday;
  }
  return nullptr;
}

bool WorkingCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (HolidayOn(day) != nullptr) return false;
  if (IsWeekend(day)) return Contains(options_.swapped_working_days, day);
  return true;
}

bool WorkingCalendar::IsServiceDay(absl::CivilDay day) const {
  return IsWorkingDay(day) || Contains(options_.weekend_service_days, day);
}

absl::CivilDay WorkingCalendar::NextWorkingDay(absl::CivilDay day) const {
  absl::CivilDay next = day + 1;
  for (int i = 0; i < kMaxClosedRun && !IsWorkingDay(next); ++i) ++next;
  return next;
}

absl::CivilDay WorkingCalendar::FirstCountedDay(absl::Time received) const {
  absl::CivilSecond local = absl::ToCivilSecond(received, Zone());
  absl::CivilDay day(local);
  int minute_of_day = local.hour() * 60 + local.minute();
  if (IsWorkingDay(day) && minute_of_day < options_.cutoff_minute_of_day) {
    return day;
  }
  return NextWorkingDay(day);
}

absl::StatusOr<absl::Time> WorkingCalendar::AddWorkingDays(absl::Time received,
                                                           int n) const {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("a legal time of %d working days is negative", n));
  }
  absl::CivilDay day = FirstCountedDay(received);
  for (int i = 0; i < n; ++i) day = NextWorkingDay(day);
  if (options_.first_covered_year != 0 &&
      (LocalDay(received).year() < options_.first_covered_year ||
       day.year() > options_.last_covered_year)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the holiday table covers %d–%d only; add the public holidays of %d "
        "before computing this deadline",
        options_.first_covered_year, options_.last_covered_year,
        LocalDay(received).year() < options_.first_covered_year
            ? LocalDay(received).year()
            : day.year()));
  }
  absl::CivilMinute close =
      absl::CivilMinute(day) + options_.close_minute_of_day;
  return absl::FromCivil(close, Zone());
}

int WorkingCalendar::WorkingDaysLate(absl::Time deadline,
                                     absl::Time done) const {
  if (!IsLate(deadline, done)) return 0;
  absl::CivilDay from = LocalDay(deadline);
  absl::CivilDay to = LocalDay(done);
  int days = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (IsWorkingDay(day)) ++days;
  }
  return std::max(days, 1);
}

}  // namespace cdkv::domain
