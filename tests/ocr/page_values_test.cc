#include "ocr/page_values.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace cdkv::ocr {
namespace {

TEST_CASE("the sex is read after its label, even a misread one",
          "[page_values]") {
  CHECK(SexAfterLabel("Giới tính: Nam   Dân tộc: Kinh") == Sex::kMale);
  CHECK(SexAfterLabel("Giới tính: Nữ") == Sex::kFemale);
  // Blurred labels seen on level-3 photos.
  CHECK(SexAfterLabel("Gan tình Nam Dân tộc: Kinh") == Sex::kMale);
  CHECK(SexAfterLabel("Ghớ tính: Nữ Dán tộc: Tày") == Sex::kFemale);
  CHECK(SexAfterLabel("Giớ\\ tính: Nam Đân tộc: Tây") == Sex::kMale);
}

TEST_CASE("no sex without a label, from the nationality, or when both",
          "[page_values]") {
  // The value alone: nothing says it is the sex.
  CHECK_FALSE(SexAfterLabel("Nam").has_value());
  // "Việt Nam" is the nationality's line.
  CHECK_FALSE(SexAfterLabel("Quốc tịch: Việt Nam").has_value());
  CHECK_FALSE(SexAfterLabel("Giới tính: Nam Quốc tịch Việt Nam").has_value());
  // Both words: the line is not a sex line, or unreadable.
  CHECK_FALSE(SexAfterLabel("Giới tính: Nam Nữ").has_value());
  // A misread value is not guessed ("Na£a").
  CHECK_FALSE(SexAfterLabel("Giới tình: Na£a Lân tóc: Tây").has_value());
  // Longer words are not the value ("Nùng" is an ethnicity).
  CHECK_FALSE(SexAfterLabel("Giới tính: Nùng").has_value());
  CHECK_FALSE(SexAfterLabel("Giới tính: Namm Nuu").has_value());
  // Marks are folded away: a blurred "Nam" read "Năm" still counts.
  CHECK(SexAfterLabel("Giới tính: Năm") == Sex::kMale);
}

TEST_CASE("hostile lines give no sex", "[page_values]") {
  CHECK_FALSE(SexAfterLabel("").has_value());
  // Malformed UTF-8 folds to nothing readable: no label, no value.
  CHECK_FALSE(SexAfterLabel("\xff\xfe\xc3").has_value());
  CHECK_FALSE(SexAfterLabel("\xc3 Nam").has_value());
  CHECK_FALSE(SexAfterLabel(std::string(100000, ':')).has_value());
  CHECK_FALSE(SexAfterLabel(std::string(5000, 'T')).has_value());
}

}  // namespace
}  // namespace cdkv::ocr

namespace cdkv::ocr {
namespace {

TEST_CASE("date parts are read from a blurred italic date line",
          "[page_values]") {
  DateParts p = DatePartsInWords("Đồng Tháp, ngày 14 tháng 06 năm 2025");
  CHECK(p.day == 14);
  CHECK(p.month == 6);
  CHECK(p.year == 2025);
  // Misread words and digits seen on level-3 photos.
  p = DatePartsInWords("Đông Tháp. ngày 1 | tháng 07 nêm 2020");
  CHECK(p.day == 11);
  CHECK(p.month == 7);
  CHECK(p.year == 2020);
  p = DatePartsInWords("Vinh Thọnh, ngày 14 tháng 11 nắm 2OO1");
  CHECK(p.year == 2001);
  // A month that is no month is missing; the others stay.
  p = DatePartsInWords("Đáng Tháp, ngày 14 tháng 00 nằm 2021");
  CHECK(p.day == 14);
  CHECK_FALSE(p.month.has_value());
  CHECK(p.year == 2021);
  // Labels glued to their numbers.
  p = DatePartsInWords("Cần Thơ, ngày22 tháng07 năm2025");
  CHECK(p.day == 22);
  CHECK(p.month == 7);
  CHECK(p.year == 2025);
  p = DatePartsInWords("ngày 5tháng 7 năm 20 2O");
  CHECK(p.day == 5);
  CHECK(p.year == 2020);
  // "Thạnh" in the place name is not "tháng": the last "ngày" counts.
  p = DatePartsInWords("Bình Thạnh 3, ngày 02 tháng 09 năm 2019");
  CHECK(p.day == 2);
  CHECK(p.month == 9);
}

TEST_CASE("date parts reject what is no date", "[page_values]") {
  for (const char* text :
       {"", "Quốc tịch: Việt Nam", "ngày tháng năm",
        "ngày 45 tháng 13 năm 1492", "ngày 1x tháng ab năm 20201",
        "\xff\xfe ngày 1 tháng 2 năm 2020"}) {
    const DateParts p = DatePartsInWords(text);
    INFO(text);
    CHECK_FALSE(p.day.has_value());
    CHECK_FALSE(p.month.has_value());
    CHECK_FALSE(p.year.has_value());
  }
  const DateParts huge = DatePartsInWords(std::string(200000, '7'));
  CHECK_FALSE(huge.year.has_value());
}

TEST_CASE("date parts are voted one by one", "[page_values]") {
  const Date latest{2026, 11, 23};
  bool unanimous = true;
  // The month lost in one reading, the year misread in another.
  const std::vector<DateParts> readings = {
      {14, std::nullopt, 2025}, {14, 6, 2021}, {14, 6, 2025}};
  const auto d = VoteDateParts(readings, latest, &unanimous);
  REQUIRE(d.has_value());
  CHECK(*d == Date{2025, 6, 14});
  CHECK_FALSE(unanimous);
  // All agree.
  const std::vector<DateParts> same = {{1, 2, 2020}, {1, 2, 2020}};
  REQUIRE(VoteDateParts(same, latest, &unanimous) == Date{2020, 2, 1});
  CHECK(unanimous);
  // One reading alone is no vote.
  const std::vector<DateParts> one = {{1, 2, 2020}};
  CHECK_FALSE(VoteDateParts(one, latest, &unanimous).has_value());
  CHECK_FALSE(unanimous);
  // Nor is a year seen once when the other readings saw a year to come.
  const std::vector<DateParts> once = {
      {22, 7, 2029}, {22, 7, 2029}, {22, 7, 2021}};
  CHECK_FALSE(VoteDateParts(once, latest, &unanimous).has_value());
}

TEST_CASE("no voted date on a tie, a missing part, a future or unreal date",
          "[page_values]") {
  const Date latest{2026, 11, 23};
  bool unanimous = true;
  const std::vector<DateParts> tie = {{13, 11, 2016}, {13, 11, 2010}};
  CHECK_FALSE(VoteDateParts(tie, latest, &unanimous).has_value());
  CHECK_FALSE(unanimous);
  const std::vector<DateParts> no_month = {{13, std::nullopt, 2016}};
  CHECK_FALSE(VoteDateParts(no_month, latest, &unanimous).has_value());
  const std::vector<DateParts> future = {{1, 1, 2029}, {1, 1, 2029}};
  CHECK_FALSE(VoteDateParts(future, latest, &unanimous).has_value());
  const std::vector<DateParts> later_today = {{30, 12, 2026}, {30, 12, 2026}};
  CHECK_FALSE(VoteDateParts(later_today, latest, &unanimous).has_value());
  // A year to come is a misread one: it does not outvote the right year.
  const std::vector<DateParts> misread = {
      {22, 7, 2029}, {22, 7, 2025}, {22, 7, 2025}};
  REQUIRE(VoteDateParts(misread, latest, &unanimous) == Date{2025, 7, 22});
  CHECK_FALSE(unanimous);
  const std::vector<DateParts> unreal = {{31, 2, 2020}, {31, 2, 2020}};
  CHECK_FALSE(VoteDateParts(unreal, latest, &unanimous).has_value());
  CHECK_FALSE(VoteDateParts({}, latest, &unanimous).has_value());
}

}  // namespace
}  // namespace cdkv::ocr
