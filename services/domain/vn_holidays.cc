#include "services/domain/vn_holidays.h"

namespace cdkv::domain {
namespace {

constexpr char kLabourCode[] = "Bộ luật Lao động 2019 (45/2019/QH14) Điều 112";
constexpr char kAnnounced[] =
    "lịch nghỉ cho cán bộ, công chức do Bộ LĐTBXH / Bộ Nội vụ công bố "
    "(dates as published; notice number not recorded here)";
constexpr char kProjected[] =
    "projected from Điều 112 (5 days from the eve of Tết, weekend days made "
    "up on following working days); replace with the announced schedule";
constexpr char kLunar[] =
    "10/3 âm lịch converted to the solar calendar (Vietnamese lunar "
    "calendar, UTC+7)";
constexpr char kCompensation[] =
    "Điều 112 khoản 3: a holiday on a weekend is made up on the next "
    "working day (projected until announced)";

struct Row {
  int y1, m1, d1;
  int y2, m2, d2;
  const char* name;
  bool official;
  const char* source;
};

// clang-format off
constexpr Row kRows[] = {
  // 2024 (announced).
  {2024, 1, 1,   2024, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2024, 2, 8,   2024, 2, 14,  "Tết Nguyên Đán Giáp Thìn", true, kAnnounced},
  {2024, 4, 18,  2024, 4, 18,  "Giỗ Tổ Hùng Vương", true, kLunar},
  {2024, 4, 27,  2024, 5, 1,   "30/4 và 1/5 (nghỉ bù 29/4, làm bù 4/5)", true, kAnnounced},
  {2024, 8, 31,  2024, 9, 3,   "Quốc khánh (2/9 và 3/9)", true, kAnnounced},
  // 2025 (announced).
  {2025, 1, 1,   2025, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2025, 1, 25,  2025, 2, 2,   "Tết Nguyên Đán Ất Tỵ", true, kAnnounced},
  {2025, 4, 7,   2025, 4, 7,   "Giỗ Tổ Hùng Vương", true, kLunar},
  {2025, 4, 30,  2025, 5, 4,   "30/4 và 1/5 (nghỉ 2/5, làm bù 26/4)", true, kAnnounced},
  {2025, 8, 30,  2025, 9, 2,   "Quốc khánh (1/9 và 2/9)", true, kAnnounced},
  // 2026: Tết announced; the day adjacent to 2/9 projected.
  {2026, 1, 1,   2026, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2026, 2, 14,  2026, 2, 22,  "Tết Nguyên Đán Bính Ngọ", true, kAnnounced},
  {2026, 4, 26,  2026, 4, 26,  "Giỗ Tổ Hùng Vương (Chủ nhật)", true, kLunar},
  {2026, 4, 27,  2026, 4, 27,  "Nghỉ bù Giỗ Tổ Hùng Vương", false, kCompensation},
  {2026, 4, 30,  2026, 5, 1,   "30/4 và 1/5", true, kLabourCode},
  {2026, 9, 1,   2026, 9, 2,   "Quốc khánh (1/9 và 2/9)", false, kProjected},
  // 2027 (projected).
  {2027, 1, 1,   2027, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2027, 2, 5,   2027, 2, 11,  "Tết Nguyên Đán Đinh Mùi (mùng 1 = 6/2)", false, kProjected},
  {2027, 4, 16,  2027, 4, 16,  "Giỗ Tổ Hùng Vương", true, kLunar},
  {2027, 4, 30,  2027, 5, 1,   "30/4 và 1/5", true, kLabourCode},
  {2027, 5, 3,   2027, 5, 3,   "Nghỉ bù 1/5 (Thứ Bảy)", false, kCompensation},
  {2027, 9, 2,   2027, 9, 3,   "Quốc khánh (2/9 và 3/9)", false, kProjected},
  // 2028 (projected).
  {2028, 1, 1,   2028, 1, 1,   "Tết Dương lịch (Thứ Bảy)", true, kLabourCode},
  {2028, 1, 3,   2028, 1, 3,   "Nghỉ bù Tết Dương lịch", false, kCompensation},
  {2028, 1, 25,  2028, 1, 31,  "Tết Nguyên Đán Mậu Thân (mùng 1 = 26/1)", false, kProjected},
  {2028, 4, 4,   2028, 4, 4,   "Giỗ Tổ Hùng Vương", true, kLunar},
  {2028, 4, 30,  2028, 5, 2,   "30/4 (Chủ nhật), 1/5, nghỉ bù 2/5", false, kCompensation},
  {2028, 9, 1,   2028, 9, 2,   "Quốc khánh (1/9 và 2/9)", false, kProjected},
  {2028, 9, 4,   2028, 9, 4,   "Nghỉ bù Quốc khánh (2/9 Thứ Bảy)", false, kCompensation},
  // 2029 (projected).
  {2029, 1, 1,   2029, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2029, 2, 12,  2029, 2, 16,  "Tết Nguyên Đán Kỷ Dậu (mùng 1 = 13/2)", false, kProjected},
  {2029, 4, 23,  2029, 4, 23,  "Giỗ Tổ Hùng Vương", true, kLunar},
  {2029, 4, 30,  2029, 5, 1,   "30/4 và 1/5", true, kLabourCode},
  {2029, 9, 2,   2029, 9, 4,   "Quốc khánh (2/9 Chủ nhật, 3/9, nghỉ bù 4/9)", false, kProjected},
  // 2030 (projected).
  {2030, 1, 1,   2030, 1, 1,   "Tết Dương lịch", true, kLabourCode},
  {2030, 2, 2,   2030, 2, 8,   "Tết Nguyên Đán Canh Tuất (mùng 1 = 3/2)", false, kProjected},
  {2030, 4, 12,  2030, 4, 12,  "Giỗ Tổ Hùng Vương", true, kLunar},
  {2030, 4, 30,  2030, 5, 1,   "30/4 và 1/5", true, kLabourCode},
  {2030, 9, 2,   2030, 9, 3,   "Quốc khánh (2/9 và 3/9)", false, kProjected},
};
// clang-format on

}  // namespace

CalendarOptions VietnamCalendarOptions() {
  CalendarOptions options;
  options.first_covered_year = kFirstHolidayYear;
  options.last_covered_year = kLastHolidayYear;
  for (const Row& row : kRows) {
    options.holidays.push_back({absl::CivilDay(row.y1, row.m1, row.d1),
                                absl::CivilDay(row.y2, row.m2, row.d2),
                                row.name, row.official, row.source});
  }
  // Saturdays worked to pay for a bridge day (announced).
  options.swapped_working_days = {absl::CivilDay(2024, 5, 4),
                                  absl::CivilDay(2025, 4, 26)};
  return options;
}

}  // namespace cdkv::domain
