#ifndef CDKV_SERVICES_DOMAIN_VN_HOLIDAYS_H_
#define CDKV_SERVICES_DOMAIN_VN_HOLIDAYS_H_

// Vietnamese public holidays for civil servants, 2024–2030, as data for
// WorkingCalendar. Bộ luật Lao động 2019 Điều 112 fixes the holidays: 1/1,
// Tết Âm lịch (5 days), 30/4, 1/5, 2/9 plus one adjacent day, and Giỗ Tổ
// Hùng Vương (10/3 âm lịch); a holiday on a weekly rest day is made up on the
// next working day (khoản 3). Which days around Tết and 2/9 are taken, and
// bridge-day swaps, are announced each year by the labour ministry (Bộ
// LĐTBXH, from March 2025 Bộ Nội vụ); years not yet announced are projected
// and marked official = false, to be replaced when the notice comes out.

#include "services/domain/working_calendar.h"

namespace cdkv::domain {

inline constexpr int kFirstHolidayYear = 2024;
inline constexpr int kLastHolidayYear = 2030;

// Holidays and swapped working days for kFirstHolidayYear..kLastHolidayYear,
// with the default 15:00 cut-off and 17:00 close. Add weekend service days
// per desk before creating the calendar.
CalendarOptions VietnamCalendarOptions();

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_VN_HOLIDAYS_H_
