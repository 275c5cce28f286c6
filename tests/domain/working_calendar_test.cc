#include "services/domain/working_calendar.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/domain/vn_holidays.h"

namespace cdkv::domain {
namespace {

// A local time in Asia/Ho_Chi_Minh.
absl::Time Local(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                         WorkingCalendar::Zone());
}

WorkingCalendar Vietnam() {
  absl::StatusOr<WorkingCalendar> calendar =
      WorkingCalendar::Create(VietnamCalendarOptions());
  REQUIRE(calendar.ok());
  return *calendar;
}

absl::Time Deadline(const WorkingCalendar& calendar, absl::Time received,
                    int n) {
  absl::StatusOr<absl::Time> deadline = calendar.AddWorkingDays(received, n);
  REQUIRE(deadline.ok());
  return *deadline;
}

TEST_CASE("the zone is UTC+7 with no daylight saving", "[calendar]") {
  CHECK(Local(2026, 1, 15, 7, 0) == absl::FromUnixSeconds(1768435200));
  CHECK(absl::ToCivilHour(absl::FromUnixSeconds(1784073600),
                          WorkingCalendar::Zone()) ==
        absl::CivilHour(2026, 7, 15, 7));  // 00:00 UTC in July
  CHECK(WorkingCalendar::LocalDay(Local(2026, 3, 2, 23, 30)) ==
        absl::CivilDay(2026, 3, 2));
}

TEST_CASE("weekends and holidays are not working days", "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2026, 3, 2)));        // Monday
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 3, 7)));  // Sat
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 3, 8)));  // Sun
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 1, 1)));
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 2, 16)));  // Tết
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 2, 20)));
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2026, 2, 23)));
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2025, 4, 7)));  // Giỗ Tổ
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2025, 9, 1)));
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2025, 9, 2)));
  CHECK_FALSE(calendar.IsWorkingDay(absl::CivilDay(2024, 4, 29)));  // bridge
  // Saturdays worked to pay for bridge days.
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2024, 5, 4)));
  CHECK(calendar.IsWorkingDay(absl::CivilDay(2025, 4, 26)));

  const Holiday* tet = calendar.HolidayOn(absl::CivilDay(2026, 2, 17));
  REQUIRE(tet != nullptr);
  CHECK(tet->name == "Tết Nguyên Đán Bính Ngọ");
  CHECK(tet->official);
  CHECK(calendar.HolidayOn(absl::CivilDay(2026, 2, 23)) == nullptr);
}

TEST_CASE("every year in the table has all the statutory holidays",
          "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  for (int year = kFirstHolidayYear; year <= kLastHolidayYear; ++year) {
    INFO(year);
    for (auto [m, d] : {std::pair{1, 1}, {4, 30}, {5, 1}, {9, 2}}) {
      INFO(m << "/" << d);
      CHECK(calendar.HolidayOn(absl::CivilDay(year, m, d)) != nullptr);
    }
    int tet_days = 0;
    int hung_kings = 0;
    for (absl::CivilDay day(year, 1, 1); day <= absl::CivilDay(year, 12, 31);
         ++day) {
      const Holiday* holiday = calendar.HolidayOn(day);
      if (holiday == nullptr) continue;
      if (holiday->name.find("Tết Nguyên Đán") != std::string::npos &&
          calendar.IsWorkingDay(day) == false &&
          absl::GetWeekday(day) != absl::Weekday::saturday &&
          absl::GetWeekday(day) != absl::Weekday::sunday) {
        ++tet_days;
      }
      if (holiday->name.find("Giỗ Tổ") != std::string::npos) ++hung_kings;
    }
    // Five working days off for Tết (Bộ luật Lao động 2019 Điều 112).
    CHECK(tet_days == 5);
    CHECK(hung_kings >= 1);
  }
}

TEST_CASE("same-day procedures and the 15:00 cut-off", "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  // Monday 2 March 2026, morning: due the same day at 17:00.
  CHECK(Deadline(calendar, Local(2026, 3, 2, 9, 0), 0) ==
        Local(2026, 3, 2, 17, 0));
  CHECK(Deadline(calendar, Local(2026, 3, 2, 14, 59), 0) ==
        Local(2026, 3, 2, 17, 0));
  // At or after 15:00 it counts from the next working day.
  CHECK(Deadline(calendar, Local(2026, 3, 2, 15, 0), 0) ==
        Local(2026, 3, 3, 17, 0));
  // Friday afternoon rolls over the weekend.
  CHECK(Deadline(calendar, Local(2026, 3, 6, 16, 0), 0) ==
        Local(2026, 3, 9, 17, 0));
  // Received on a Sunday: Monday.
  CHECK(Deadline(calendar, Local(2026, 3, 8, 9, 0), 0) ==
        Local(2026, 3, 9, 17, 0));
}

TEST_CASE("multi-day deadlines skip weekends and holidays", "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  CHECK(Deadline(calendar, Local(2026, 3, 2, 9, 0), 1) ==
        Local(2026, 3, 3, 17, 0));
  // Thursday + 3 working days = the next Tuesday.
  CHECK(Deadline(calendar, Local(2026, 3, 5, 9, 0), 3) ==
        Local(2026, 3, 10, 17, 0));
  // Received Friday 13 Feb 2026, just before Tết (14–22 Feb): one working
  // day later is Monday 23 Feb.
  CHECK(Deadline(calendar, Local(2026, 2, 13, 10, 0), 1) ==
        Local(2026, 2, 23, 17, 0));
  // A land filing (13 working days) received Wednesday 22 April 2026 skips
  // Giỗ Tổ (Sunday 26/4, made up on Monday 27/4), 30/4 and 1/5:
  // 23, 24, 28, 29 April and 4–8, 11–14 May.
  CHECK(Deadline(calendar, Local(2026, 4, 22, 8, 0), 13) ==
        Local(2026, 5, 14, 17, 0));
  // The 2024 swap: Saturday 4 May counted as a working day.
  CHECK(Deadline(calendar, Local(2024, 5, 3, 9, 0), 1) ==
        Local(2024, 5, 4, 17, 0));
}

TEST_CASE("weekend service days receive but do not count", "[calendar]") {
  CalendarOptions options = VietnamCalendarOptions();
  options.weekend_service_days = {absl::CivilDay(2026, 3, 7)};
  absl::StatusOr<WorkingCalendar> calendar = WorkingCalendar::Create(options);
  REQUIRE(calendar.ok());
  CHECK(calendar->IsServiceDay(absl::CivilDay(2026, 3, 7)));
  CHECK_FALSE(calendar->IsWorkingDay(absl::CivilDay(2026, 3, 7)));
  CHECK_FALSE(calendar->IsServiceDay(absl::CivilDay(2026, 3, 8)));
  CHECK(calendar->FirstCountedDay(Local(2026, 3, 7, 8, 0)) ==
        absl::CivilDay(2026, 3, 9));
}

TEST_CASE("lateness in working days", "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  absl::Time deadline = Local(2026, 3, 6, 17, 0);  // Friday
  CHECK_FALSE(WorkingCalendar::IsLate(deadline, Local(2026, 3, 6, 17, 0)));
  CHECK(calendar.WorkingDaysLate(deadline, Local(2026, 3, 6, 10, 0)) == 0);
  CHECK(WorkingCalendar::IsLate(deadline, Local(2026, 3, 6, 17, 1)));
  // Late the same evening or over the weekend still counts one day.
  CHECK(calendar.WorkingDaysLate(deadline, Local(2026, 3, 6, 17, 30)) == 1);
  CHECK(calendar.WorkingDaysLate(deadline, Local(2026, 3, 7, 9, 0)) == 1);
  CHECK(calendar.WorkingDaysLate(deadline, Local(2026, 3, 9, 9, 0)) == 1);
  CHECK(calendar.WorkingDaysLate(deadline, Local(2026, 3, 11, 9, 0)) == 3);
  // Holidays between the deadline and the result are not held against it.
  CHECK(calendar.WorkingDaysLate(Local(2026, 2, 13, 17, 0),
                                 Local(2026, 2, 24, 9, 0)) == 2);
}

TEST_CASE("bad calendar input is refused", "[calendar]") {
  WorkingCalendar calendar = Vietnam();
  absl::Status status =
      calendar.AddWorkingDays(Local(2026, 3, 2, 9, 0), -1).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);

  CalendarOptions backwards;
  backwards.holidays.push_back({absl::CivilDay(2026, 5, 1),
                                absl::CivilDay(2026, 4, 30), "ngược", true,
                                "test"});
  status = WorkingCalendar::Create(backwards).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) ==
        "holiday \"ngược\" ends (2026-04-30) before it starts (2026-05-01)");

  // Outside the holiday table the calendar would silently ignore Tết.
  status = calendar.AddWorkingDays(Local(2030, 12, 30, 9, 0), 5).status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(status.message()) ==
        "the holiday table covers 2024–2030 only; add the public holidays of "
        "2031 before computing this deadline");
  CHECK(calendar.AddWorkingDays(Local(2023, 12, 29, 9, 0), 1).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(calendar.AddWorkingDays(Local(2030, 12, 30, 9, 0), 1).ok());

  CalendarOptions years_backwards;
  years_backwards.first_covered_year = 2030;
  years_backwards.last_covered_year = 2024;
  CHECK(WorkingCalendar::Create(years_backwards).status().code() ==
        absl::StatusCode::kInvalidArgument);

  CalendarOptions late_cutoff;
  late_cutoff.cutoff_minute_of_day = 18 * 60;
  CHECK(WorkingCalendar::Create(late_cutoff).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdkv::domain
