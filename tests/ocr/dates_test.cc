#include "ocr/dates.h"

#include <catch2/catch.hpp>
#include <string>

namespace cdkv::ocr {
namespace {

TEST_CASE("Leap years follow the Gregorian rules", "[ocr][dates]") {
  CHECK(IsLeapYear(2024));
  CHECK(IsLeapYear(2000));
  CHECK_FALSE(IsLeapYear(1900));
  CHECK_FALSE(IsLeapYear(2023));
  CHECK(DaysInMonth(2024, 2) == 29);
  CHECK(DaysInMonth(1900, 2) == 28);
  CHECK(DaysInMonth(2023, 4) == 30);
  CHECK(DaysInMonth(2023, 13) == 0);
}

TEST_CASE("MakeDate accepts only real dates", "[ocr][dates]") {
  CHECK(MakeDate(2000, 2, 29).ok());
  CHECK_FALSE(MakeDate(1900, 2, 29).ok());
  CHECK_FALSE(MakeDate(2023, 4, 31).ok());
  CHECK_FALSE(MakeDate(2023, 0, 1).ok());
  CHECK_FALSE(MakeDate(2023, 1, 0).ok());
  CHECK_FALSE(MakeDate(1799, 1, 1).ok());
  CHECK_FALSE(MakeDate(3000, 1, 1).ok());
  CHECK_THAT(std::string(MakeDate(2023, 2, 29).status().message()),
             Catch::Contains("28 days"));
}

TEST_CASE("ParseDdMmYyyy reads QR dates", "[ocr][dates]") {
  CHECK(*ParseDdMmYyyy("01021990") == Date{1990, 2, 1});
  CHECK(*ParseDdMmYyyy("29022024") == Date{2024, 2, 29});
  CHECK_FALSE(ParseDdMmYyyy("29022023").ok());
  CHECK_FALSE(ParseDdMmYyyy("1021990").ok());
  CHECK_FALSE(ParseDdMmYyyy("010219900").ok());
  CHECK_FALSE(ParseDdMmYyyy("01/02/90").ok());
  CHECK_FALSE(ParseDdMmYyyy("0102199O").ok());
  CHECK_FALSE(ParseDdMmYyyy("").ok());
  CHECK_FALSE(ParseDdMmYyyy("-1021990").ok());
  CHECK_FALSE(ParseDdMmYyyy("00001990").ok());
}

TEST_CASE("ParsePrintedDate reads printed dates", "[ocr][dates]") {
  CHECK(*ParsePrintedDate("01/02/1990") == Date{1990, 2, 1});
  CHECK(*ParsePrintedDate("1/2/1990") == Date{1990, 2, 1});
  CHECK(*ParsePrintedDate("31-12-2020") == Date{2020, 12, 31});
  CHECK(*ParsePrintedDate("31.12.2020") == Date{2020, 12, 31});
  CHECK_FALSE(ParsePrintedDate("31/02/2020").ok());
  CHECK_FALSE(ParsePrintedDate("01/02-1990").ok());
  CHECK_FALSE(ParsePrintedDate("01/02/90").ok());
  CHECK_FALSE(ParsePrintedDate("001/02/1990").ok());
  CHECK_FALSE(ParsePrintedDate("01//1990").ok());
  CHECK_FALSE(ParsePrintedDate("01/02/1990/").ok());
  CHECK_FALSE(ParsePrintedDate("a1/02/1990").ok());
  CHECK_FALSE(ParsePrintedDate("").ok());
  CHECK_FALSE(ParsePrintedDate(std::string(10000, '1')).ok());
}

TEST_CASE("Errors quote hostile input only briefly", "[ocr][dates]") {
  auto date = ParseDdMmYyyy(std::string(5000, 'x'));
  REQUIRE_FALSE(date.ok());
  CHECK(date.status().message().size() < 200);
}

TEST_CASE("ParseMrzDate places birth years in the past", "[ocr][dates]") {
  const Date today{2026, 11, 22};
  CHECK(*ParseMrzDate("900201", MrzDateKind::kBirth, today) ==
        Date{1990, 2, 1});
  CHECK(*ParseMrzDate("050101", MrzDateKind::kBirth, today) ==
        Date{2005, 1, 1});
  CHECK(*ParseMrzDate("261122", MrzDateKind::kBirth, today) ==
        Date{2026, 11, 22});
  CHECK(*ParseMrzDate("261123", MrzDateKind::kBirth, today) ==
        Date{1926, 11, 23});
  CHECK(*ParseMrzDate("000229", MrzDateKind::kBirth, today) ==
        Date{2000, 2, 29});
  CHECK_FALSE(ParseMrzDate("010229", MrzDateKind::kBirth, today).ok());
}

TEST_CASE("ParseMrzDate places expiry years around today", "[ocr][dates]") {
  const Date today{2026, 11, 22};
  CHECK(*ParseMrzDate("400101", MrzDateKind::kExpiry, today) ==
        Date{2040, 1, 1});
  CHECK(*ParseMrzDate("990101", MrzDateKind::kExpiry, today) ==
        Date{1999, 1, 1});
  CHECK(*ParseMrzDate("750101", MrzDateKind::kExpiry, today) ==
        Date{2075, 1, 1});
  CHECK(*ParseMrzDate("760101", MrzDateKind::kExpiry, today) ==
        Date{1976, 1, 1});
}

TEST_CASE("ParseMrzDate rejects malformed text", "[ocr][dates]") {
  const Date today{2026, 1, 1};
  CHECK_FALSE(ParseMrzDate("9002O1", MrzDateKind::kBirth, today).ok());
  CHECK_FALSE(ParseMrzDate("90020", MrzDateKind::kBirth, today).ok());
  CHECK_FALSE(ParseMrzDate("901301", MrzDateKind::kBirth, today).ok());
  CHECK_FALSE(ParseMrzDate("<<<<<<", MrzDateKind::kExpiry, today).ok());
}

TEST_CASE("FormatDate prints DD/MM/YYYY", "[ocr][dates]") {
  CHECK(FormatDate(Date{1990, 2, 1}) == "01/02/1990");
  CHECK(*ParsePrintedDate(FormatDate(Date{2024, 12, 31})) ==
        Date{2024, 12, 31});
}

}  // namespace
}  // namespace cdkv::ocr
