#include "ocr/dates.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ocr/string_view_compat.h"

namespace cdkv::ocr {
namespace {

constexpr int kMinYear = 1800;
constexpr int kMaxYear = 2999;
constexpr size_t kMaxEchoed = 32;

// Untrusted text is echoed in errors, but never unbounded.
std::string Echo(std::string_view text) {
  if (text.size() <= kMaxEchoed) return absl::StrCat("\"", Absl(text), "\"");
  return absl::StrCat("\"", Absl(text.substr(0, kMaxEchoed)), "...\"");
}

std::optional<int> ParseDigits(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

absl::StatusOr<Date> MakeDateFrom(std::string_view text, int year, int month,
                                  int day) {
  auto date = MakeDate(year, month, day);
  if (!date.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Echo(text), " is not a real date: ", date.status().message()));
  }
  return date;
}

}  // namespace

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

absl::StatusOr<Date> MakeDate(int year, int month, int day) {
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", year, " is outside ", kMinYear, "..", kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("month ", month, " is not 1..12"));
  }
  const int days = DaysInMonth(year, month);
  if (day < 1 || day > days) {
    return absl::InvalidArgumentError(
        absl::StrCat("day ", day, " does not exist in ", month, "/", year,
                     " (it has ", days, " days)"));
  }
  return Date{year, month, day};
}

absl::StatusOr<Date> ParseDdMmYyyy(std::string_view text) {
  if (text.size() != 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a date as DDMMYYYY (8 digits), got ", Echo(text)));
  }
  auto day = ParseDigits(text.substr(0, 2));
  auto month = ParseDigits(text.substr(2, 2));
  auto year = ParseDigits(text.substr(4, 4));
  if (!day || !month || !year) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a date as DDMMYYYY (8 digits), got ", Echo(text)));
  }
  return MakeDateFrom(text, *year, *month, *day);
}

absl::StatusOr<Date> ParsePrintedDate(std::string_view text) {
  const auto malformed = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a date as DD/MM/YYYY, got ", Echo(text)));
  };
  if (text.size() > 10) return malformed();
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/' || text[i] == '-' ||
        text[i] == '.') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 3 || parts[0].size() > 2 || parts[1].size() > 2 ||
      parts[2].size() != 4) {
    return malformed();
  }
  // Mixed separators ("01/02-1990") are more likely OCR noise than a date.
  if (text[parts[0].size()] != text[parts[0].size() + parts[1].size() + 1]) {
    return malformed();
  }
  auto day = ParseDigits(parts[0]);
  auto month = ParseDigits(parts[1]);
  auto year = ParseDigits(parts[2]);
  if (!day || !month || !year) return malformed();
  return MakeDateFrom(text, *year, *month, *day);
}

absl::StatusOr<Date> ParseMrzDate(std::string_view yymmdd, MrzDateKind kind,
                                  const Date& today) {
  if (yymmdd.size() != 6) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an MRZ date as YYMMDD, got ", Echo(yymmdd)));
  }
  auto yy = ParseDigits(yymmdd.substr(0, 2));
  auto month = ParseDigits(yymmdd.substr(2, 2));
  auto day = ParseDigits(yymmdd.substr(4, 2));
  if (!yy || !month || !day) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an MRZ date as YYMMDD, got ", Echo(yymmdd)));
  }
  const int century = today.year - today.year % 100;
  int year = century + *yy;
  if (kind == MrzDateKind::kBirth) {
    // Compare whole dates so someone born later this year is not "in the
    // future" by year alone. 29 Feb is compared as a month/day pair.
    if (Date{year, *month, *day} > today) year -= 100;
  } else {
    if (year < today.year - 50) year += 100;
    if (year > today.year + 49) year -= 100;
  }
  return MakeDateFrom(yymmdd, year, *month, *day);
}

std::string FormatDate(const Date& date) {
  return absl::StrFormat("%02d/%02d/%04d", date.day, date.month, date.year);
}

}  // namespace cdkv::ocr
