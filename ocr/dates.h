// Calendar dates as printed or encoded on Vietnamese ID papers.
#ifndef CDKV_OCR_DATES_H_
#define CDKV_OCR_DATES_H_

#include <compare>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdkv::ocr {

// A real Gregorian calendar date; only the factories below create one from
// untrusted text, so holders can rely on it being valid.
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  friend auto operator<=>(const Date&, const Date&) = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);  // 0 for a month outside 1..12.

// INVALID_ARGUMENT unless year is 1800..2999 and month/day form a real date.
absl::StatusOr<Date> MakeDate(int year, int month, int day);

// "DDMMYYYY", as in the chip ID card QR code.
absl::StatusOr<Date> ParseDdMmYyyy(std::string_view text);

// "DD/MM/YYYY", as printed on cards and certificates. Also accepts '-' or '.'
// as the separator and one-digit day or month ("1/2/1990").
absl::StatusOr<Date> ParsePrintedDate(std::string_view text);

// How a two-digit MRZ year is placed in a century.
enum class MrzDateKind {
  kBirth,   // Never after `today`: the latest matching year not in the future.
  kExpiry,  // Within 50 years before and 49 years after `today`.
};

// "YYMMDD" from an ICAO 9303 MRZ. `today` is the reference for the pivot.
absl::StatusOr<Date> ParseMrzDate(std::string_view yymmdd, MrzDateKind kind,
                                  const Date& today);

// "DD/MM/YYYY".
std::string FormatDate(const Date& date);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_DATES_H_
