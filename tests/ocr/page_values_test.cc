#include "ocr/page_values.h"

#include <catch2/catch.hpp>
#include <limits>
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

TEST_CASE("digit date parts are read from the right", "[page_values]") {
  const DateParts whole = DatePartsInDigits("18/05/1987");
  CHECK(whole.day == 18);
  CHECK(whole.month == 5);
  CHECK(whole.year == 1987);
  // A lost slash, or all of them.
  const DateParts glued = DatePartsInDigits("1806/2006");
  CHECK(glued.day == 18);
  CHECK(glued.month == 6);
  CHECK(glued.year == 2006);
  const DateParts eight = DatePartsInDigits("18052006");
  CHECK(eight.day == 18);
  CHECK(eight.month == 5);
  CHECK(eight.year == 2006);
  // The day lost: month and year are still read.
  const DateParts no_day = DatePartsInDigits("12/2024");
  CHECK_FALSE(no_day.day.has_value());
  CHECK(no_day.month == 12);
  CHECK(no_day.year == 2024);
  // A one-digit day lost a digit (days are printed with two): no day.
  const DateParts short_day = DatePartsInDigits("1/01/2002");
  CHECK_FALSE(short_day.day.has_value());
  CHECK(short_day.month == 1);
  CHECK(short_day.year == 2002);
  // Year digits lost: day and month stay.
  const DateParts no_year = DatePartsInDigits("21/08/20");
  CHECK(no_year.day == 21);
  CHECK(no_year.month == 8);
  CHECK_FALSE(no_year.year.has_value());
}

TEST_CASE("digit date parts: a zero read as the letter O or Ø",
          "[page_values]") {
  // The layout pass's Vietnamese model read the day's 0 as a letter.
  const DateParts slashed = DatePartsInDigits("Ø7/11/2003");
  CHECK(slashed.day == 7);
  CHECK(slashed.month == 11);
  CHECK(slashed.year == 2003);
  const DateParts round = DatePartsInDigits("1O/o5/2OO4");
  CHECK(round.day == 10);
  CHECK(round.month == 5);
  CHECK(round.year == 2004);
  // Away from digits the letters stay what they are.
  const DateParts word = DatePartsInDigits("So ø 12/2024");
  CHECK_FALSE(word.day.has_value());
  CHECK(word.month == 12);
  CHECK(word.year == 2024);
  // A lone byte of Ø's encoding is not Ø.
  const DateParts broken = DatePartsInDigits(
      "\xC3"
      "7/11/2003");
  CHECK_FALSE(broken.day.has_value());
  CHECK(broken.year == 2003);
}

TEST_CASE("digit date parts: slashes read as 1 or 7", "[page_values]") {
  const DateParts both = DatePartsInDigits("2710272005");
  CHECK(both.day == 27);
  CHECK(both.month == 2);
  CHECK(both.year == 2005);
  const DateParts second = DatePartsInDigits("200172025");
  CHECK(second.day == 20);
  CHECK(second.month == 1);
  CHECK(second.year == 2025);
  const DateParts first = DatePartsInDigits("27102/2005");
  CHECK(first.day == 27);
  CHECK(first.month == 2);
  CHECK(first.year == 2005);
  // Not where a slash stands: no day or month.
  const DateParts neither = DatePartsInDigits("2230452005");
  CHECK_FALSE(neither.day.has_value());
  CHECK_FALSE(neither.month.has_value());
  CHECK(neither.year == 2005);
}

TEST_CASE("digit date parts reject what is no date", "[page_values]") {
  for (const char* text : {"", "/", "4", "00/00/0000", "45/13/1800", "abc",
                           "\xff\xfe", "99999999999999999999"}) {
    const DateParts p = DatePartsInDigits(text);
    CHECK_FALSE(p.day.has_value());
    CHECK_FALSE(p.month.has_value());
    CHECK_FALSE(p.year.has_value());
  }
  const DateParts huge = DatePartsInDigits(std::string(200000, '/'));
  CHECK_FALSE(huge.year.has_value());
  const DateParts long_digits = DatePartsInDigits(std::string(100000, '1'));
  CHECK_FALSE(long_digits.day.has_value());
}

TEST_CASE("weighted date parts: the surer readings win each part",
          "[page_values]") {
  const Date latest{2026, 11, 23};
  // Three doubtful readings of 12 against three surer ones of 18.
  const std::vector<WeightedDateParts> readings = {
      {{12, 5, 1987}, 0.8}, {{18, 5, 1987}, 1.1}, {{12, 5, 1987}, 0.7},
      {{18, 5, 1987}, 0.9}, {{18, 5, 1987}, 0.9}, {{12, 5, 1997}, 0.7}};
  const auto d = VoteWeightedDateParts(readings, latest);
  REQUIRE(d.has_value());
  CHECK(d->date == Date{1987, 5, 18});
  CHECK(d->share < 1.0);
  // Parts from different readings make one date.
  const std::vector<WeightedDateParts> parts = {
      {{9, std::nullopt, std::nullopt}, 0.9}, {{std::nullopt, 12, 2024}, 0.4}};
  const auto whole = VoteWeightedDateParts(parts, latest);
  REQUIRE(whole.has_value());
  CHECK(whole->date == Date{2024, 12, 9});
  CHECK(whole->share == 1.0);
}

TEST_CASE("weighted date parts: ties, future, unreal, out of order",
          "[page_values]") {
  const Date latest{2026, 11, 23};
  const std::vector<WeightedDateParts> tie = {{{13, 11, 2016}, 1.0},
                                              {{13, 11, 2010}, 1.0}};
  CHECK_FALSE(VoteWeightedDateParts(tie, latest).has_value());
  // A year to come gets no vote.
  const std::vector<WeightedDateParts> future = {{{20, 1, 2095}, 2.0},
                                                 {{20, 1, 2025}, 0.5}};
  REQUIRE(VoteWeightedDateParts(future, latest).has_value());
  CHECK(VoteWeightedDateParts(future, latest)->date == Date{2025, 1, 20});
  const std::vector<WeightedDateParts> unreal = {{{31, 2, 2020}, 1.0}};
  CHECK_FALSE(VoteWeightedDateParts(unreal, latest).has_value());
  // A registration is not older than the birth: the older year gets no
  // vote.
  const std::vector<WeightedDateParts> reg = {{{8, 5, 2000}, 2.0},
                                              {{8, 5, 2009}, 0.3}};
  const auto later = VoteWeightedDateParts(reg, latest, Date{2009, 4, 9});
  REQUIRE(later.has_value());
  CHECK(later->date == Date{2009, 5, 8});
  CHECK_FALSE(VoteWeightedDateParts(reg, latest, Date{2009, 6, 1}).has_value());
  // Hostile weights are left out.
  const std::vector<WeightedDateParts> hostile = {
      {{1, 1, 2001}, -5.0},
      {{2, 2, 2002}, std::numeric_limits<double>::quiet_NaN()},
      {{3, 3, 2003}, std::numeric_limits<double>::infinity()},
      {{4, 4, 2004}, 0.0}};
  CHECK_FALSE(VoteWeightedDateParts(hostile, latest).has_value());
  CHECK_FALSE(VoteWeightedDateParts({}, latest).has_value());
}

}  // namespace
}  // namespace cdkv::ocr

namespace cdkv::ocr {
namespace {

TEST_CASE("EthnicGroupOf snaps a reading to the official groups",
          "[ocr][page_values]") {
  struct Case {
    std::string_view reading;
    std::string_view group;
    bool exact;
  };
  for (const Case& c : {
           Case{"Kinh", "Kinh", true},
           Case{"Kính", "Kinh", true},  // A tone mark misread.
           Case{"KINH", "Kinh", true},
           Case{"Tay", "Tày", true},
           Case{"Tây", "Tày", true},
           Case{"Khmer", "Khmer", true},
           Case{"Ê-đê", "Ê Đê", true},  // Hyphens and case aside.
           Case{"Ede", "Ê Đê", true},
           Case{"H'Mông", "Mông", true},  // Another spelling.
           Case{"Stiêng", "Xtiêng", true},
           Case{"Bru-Vân Kiều", "Bru Vân Kiều", true},
           Case{"Khưner", "Khmer", false},  // m read as ưn.
           Case{"Mưởng", "Mường", true},
           Case{"Muong9", "Mường", true},  // Digits are not letters.
           Case{"Sán Chav", "Sán Chay", false},
       }) {
    INFO(c.reading);
    auto m = EthnicGroupOf(c.reading);
    REQUIRE(m.has_value());
    CHECK(m->name == c.group);
    CHECK(m->exact == c.exact);
  }
}

TEST_CASE("EthnicGroupOf leaves readings no group is near alone",
          "[ocr][page_values]") {
  for (std::string_view reading :
       {"", " ", "te", "£ ‹", "1234", "Việt Nam", "Nguyễn Văn An",
        "Tai",  // Tày and Thái both one letter away.
        "Kxyz", "\xff\xfe"}) {
    INFO(reading);
    CHECK_FALSE(EthnicGroupOf(reading).has_value());
  }
  // A long hostile reading is compared, not matched.
  CHECK_FALSE(EthnicGroupOf(std::string(5000, 'K')).has_value());
}

TEST_CASE("IsVietNam takes a nationality within two letters of Việt Nam",
          "[ocr][page_values]") {
  CHECK(IsVietNam("Việt Nam", 0));
  CHECK(IsVietNam("VIỆT NAM", 0));
  CHECK(IsVietNam("Viet-Nam", 0));
  CHECK_FALSE(IsVietNam("Việt Nazn", 0));
  CHECK_FALSE(IsVietNam("Việt Nazn", 1));  // m read as zn.
  CHECK(IsVietNam("Việt Nazn", 2));
  CHECK(IsVietNam("V›?ệt Nam", 1));
  CHECK_FALSE(IsVietNam("Lào", 2));
  CHECK_FALSE(IsVietNam("Trung Quốc", 2));
  CHECK_FALSE(IsVietNam("", 1));
  CHECK_FALSE(IsVietNam("\xff", 1));
}

}  // namespace
}  // namespace cdkv::ocr
