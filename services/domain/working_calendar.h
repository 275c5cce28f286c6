#ifndef CDKV_SERVICES_DOMAIN_WORKING_CALENDAR_H_
#define CDKV_SERVICES_DOMAIN_WORKING_CALENDAR_H_

// Legal deadlines counted in Vietnamese working days, in Asia/Ho_Chi_Minh
// time (UTC+7 all year, no DST, so a fixed offset keeps this pure).
//
// Counting rules, chosen to match the decrees the catalog cites:
//  * A filing received on a working day before the cut-off (15:00, after
//    Nghị định 23/2015/NĐ-CP Điều 7 and Luật Hộ tịch practice: "nếu tiếp
//    nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo") counts
//    from that day; otherwise from the next working day.
//  * n working days later (n = 0: the same day) the result is due by close
//    of business (17:00 local).
//  * Weekend service days ("Ngày thứ Bảy vì nhân dân") let a desk receive
//    filings, but they are a courtesy: they never shorten or lengthen the
//    legal deadline, so a filing received then counts from the next working
//    day.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace cdkv::domain {

struct Holiday {
  absl::CivilDay first;
  absl::CivilDay last;  // inclusive
  std::string name;
  // True when taken from an official announcement, false when projected
  // from the Labour Code rules before the year's schedule is published.
  bool official = false;
  std::string source;
};

struct CalendarOptions {
  std::vector<Holiday> holidays;
  // Saturdays or Sundays worked in exchange for a bridge day off (làm bù).
  std::vector<absl::CivilDay> swapped_working_days;
  // Weekend days a desk receives filings.
  std::vector<absl::CivilDay> weekend_service_days;
  // Years the holiday table is complete for. A deadline outside them would
  // silently ignore Tết, so AddWorkingDays refuses it; unset = no check.
  int first_covered_year = 0;
  int last_covered_year = 0;
  int cutoff_minute_of_day = 15 * 60;
  int close_minute_of_day = 17 * 60;
};

class WorkingCalendar {
 public:
  // INVALID_ARGUMENT if a holiday ends before it starts or the cut-off and
  // close times are out of order.
  static absl::StatusOr<WorkingCalendar> Create(CalendarOptions options);

  static absl::TimeZone Zone();  // UTC+07:00
  static absl::CivilDay LocalDay(absl::Time t);

  bool IsWorkingDay(absl::CivilDay day) const;
  // Working days plus weekend service days.
  bool IsServiceDay(absl::CivilDay day) const;
  // The holiday covering `day`, or nullptr.
  const Holiday* HolidayOn(absl::CivilDay day) const;

  absl::CivilDay NextWorkingDay(absl::CivilDay day) const;  // strictly after
  // The working day the legal clock starts on for a filing received at t.
  absl::CivilDay FirstCountedDay(absl::Time received) const;

  // The legal deadline: close of business n working days after the first
  // counted day. INVALID_ARGUMENT if n is negative; FAILED_PRECONDITION if
  // the receipt or the deadline falls outside the covered years.
  absl::StatusOr<absl::Time> AddWorkingDays(absl::Time received, int n) const;

  static bool IsLate(absl::Time deadline, absl::Time done) {
    return done > deadline;
  }
  // Working days from the deadline's day to the day done (0 if on time).
  // Any lateness counts at least one day: a result promised for Friday and
  // given on Saturday morning still cost the citizen a trip, and it is what
  // triggers an apology letter.
  int WorkingDaysLate(absl::Time deadline, absl::Time done) const;

 private:
  explicit WorkingCalendar(CalendarOptions options)
      : options_(std::move(options)) {}

  bool IsWeekend(absl::CivilDay day) const;
  bool Contains(const std::vector<absl::CivilDay>& days,
                absl::CivilDay day) const;

  CalendarOptions options_;
};

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_WORKING_CALENDAR_H_
