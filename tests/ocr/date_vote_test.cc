#include "ocr/date_vote.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cdkv::ocr {
namespace {

using Spellings = std::vector<std::pair<std::string, double>>;

TEST_CASE("DateFromEightDigits reads DDMMYYYY whatever the separators",
          "[ocr][date_vote]") {
  CHECK(*DateFromEightDigits("19/09/1997") == Date{1997, 9, 19});
  CHECK(*DateFromEightDigits("1909/1997") == Date{1997, 9, 19});
  CHECK(*DateFromEightDigits("19091997") == Date{1997, 9, 19});
  CHECK_FALSE(DateFromEightDigits("31/02/1997").has_value());  // No such day.
  CHECK_FALSE(DateFromEightDigits("19/09/997").has_value());
  CHECK_FALSE(DateFromEightDigits("19/09/19977").has_value());
  CHECK_FALSE(DateFromEightDigits("").has_value());
  CHECK_FALSE(DateFromEightDigits("ab/cd/efgh").has_value());
}

TEST_CASE("Without a known year only whole real dates vote",
          "[ocr][date_vote]") {
  DateVote vote(std::nullopt);
  CHECK_FALSE(vote.Best().has_value());
  vote.AddReading(Spellings{{"1503/1", 0.9}, {"15/03/1969", 0.1}});
  vote.AddReading(Spellings{{"31/02/1969", 0.8}, {"21/02/1969", 0.05}});
  const auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1969, 3, 15});
  CHECK(best->readings == 2);
  CHECK(best->share == Approx(0.1 / 0.15));
}

TEST_CASE("The ID's year keeps other years from voting", "[ocr][date_vote]") {
  DateVote vote(1984);
  // "1964" is two digits from 1984: its day and month still count, at the
  // partial weight; "2064" is three digits away and does not.
  vote.AddReading(Spellings{{"18/09/1964", 0.6}, {"18/09/1984", 0.4}});
  vote.AddReading(Spellings{{"19/09/2064", 0.9}});
  const auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1984, 9, 18});
  CHECK(best->readings == 1);
  CHECK(best->share == 1.0);
  CHECK(best->margin == 1.0);
}

TEST_CASE("Readings that lost year digits vote for day and month",
          "[ocr][date_vote]") {
  DateVote vote(1969);
  vote.AddReading(Spellings{{"1503/1", 1.0}});  // Year digits lost.
  vote.AddReading(Spellings{{"15/03/", 1.0}});  // The whole year lost.
  vote.AddReading(Spellings{{"150/14", 1.0}});  // "4" is not in 1969.
  vote.AddReading(Spellings{{"15", 1.0}});      // No month.
  const auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1969, 3, 15});
  CHECK(best->readings == 2);
  CHECK(best->readings_for == 2);
}

TEST_CASE("Day and month are taken where the separators put them",
          "[ocr][date_vote]") {
  DateVote vote(1988);
  // A dropped leading zero: the 7th, not the 70th.
  vote.AddReading(Spellings{{"7/08/1922", 1.0}});
  auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1988, 8, 7});

  DateVote lost_slash(1997);
  lost_slash.AddReading(Spellings{{"19/091997", 1.0}});
  best = lost_slash.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1997, 9, 19});
}

TEST_CASE("A close vote shows in share and margin", "[ocr][date_vote]") {
  DateVote vote(2000);
  vote.AddReading(Spellings{{"21/04/2000", 0.5}});
  vote.AddReading(Spellings{{"21/09/2000", 0.45}});
  vote.AddReading(Spellings{{"21/04/2000", 0.05}, {"21/03/2000", 0.5}});
  const auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{2000, 4, 21});
  CHECK(best->share == Approx(0.55 / 1.5));
  CHECK(best->margin == Approx(0.05 / 1.5));
  // The third reading's own choice was 21/03.
  CHECK(best->readings_for == 1);
  CHECK(best->readings == 3);
}

TEST_CASE("The validity line votes for the birth day and month",
          "[ocr][date_vote]") {
  // Born 30/10/1989: the card is valid until 30/10/2029 (40th birthday).
  DateVote vote(1989);
  // The birth line lost its first digit in every reading.
  vote.AddReading(Spellings{{"0/10/1989", 0.7}, {"03/10/1989", 0.3}});
  vote.AddValidUntilReading(
      Spellings{{"30/10/2029", 0.8}, {"30/10/2020", 0.2}});
  vote.AddValidUntilReading(
      Spellings{{"3011012029", 0.5}, {"30/10/2029", 0.5}});
  auto best = vote.Best();
  REQUIRE(best.has_value());
  CHECK(best->date == Date{1989, 10, 30});
  CHECK(best->readings == 3);

  // Years that are no renewal age of the holder do not vote; 25, 40, 60
  // (and 14 for the 2024 card) do, each for the birth year.
  for (int age : {14, 25, 40, 60}) {
    DateVote at(1989);
    at.AddValidUntilReading(
        Spellings{{"07/03/" + std::to_string(1989 + age), 1.0}});
    REQUIRE(at.Best().has_value());
    CHECK(at.Best()->date == Date{1989, 3, 7});
  }
  DateVote other(1989);
  other.AddValidUntilReading(
      Spellings{{"07/03/1989", 1.0}, {"07/03/1975", 1.0}});
  CHECK_FALSE(other.Best().has_value());

  // Without the birth year the age, and so the year, is unknown.
  DateVote unknown(std::nullopt);
  unknown.AddValidUntilReading(Spellings{{"30/10/2029", 1.0}});
  CHECK_FALSE(unknown.Best().has_value());

  // A 29 February in the validity year is no birth day in a common year.
  DateVote leap(1995);
  leap.AddValidUntilReading(Spellings{{"29/02/2020", 1.0}});
  CHECK_FALSE(leap.Best().has_value());
}

TEST_CASE("Hostile spellings never vote and never crash", "[ocr][date_vote]") {
  DateVote vote(1990);
  vote.AddReading(Spellings{{"", 1.0},
                            {"////", 1.0},
                            {"99/99/1990", 1.0},
                            {"00/00/1990", 1.0},
                            {"29/02/1990", 1.0},  // 1990 is no leap year.
                            {std::string(5000, '1'), 1.0},
                            {"12/05/1990", -3.0},
                            {"12/05/1990", 0.0}});
  vote.AddReading(Spellings{{"12/05/1990", 1.0}}, -1.0);
  CHECK_FALSE(vote.Best().has_value());
}

}  // namespace
}  // namespace cdkv::ocr
