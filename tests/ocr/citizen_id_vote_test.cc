#include "ocr/citizen_id_vote.h"

#include <array>
#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <vector>

namespace cdkv::ocr {
namespace {

// 087 Đồng Tháp, 2 = male born 2000-2099, 01 = 2001, serial 283670.
const std::string kMale2001 = "087201283670";

TEST_CASE("readings that agree are kept as they are", "[id_vote]") {
  const std::vector<std::string> readings = {kMale2001, kMale2001};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2001});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  CHECK(vote->unanimous);
  CHECK(vote->consistent);
  CHECK_FALSE(vote->repaired);
}

TEST_CASE("the per-digit majority outvotes one blurred reading", "[id_vote]") {
  const std::vector<std::string> readings = {"087201223670", kMale2001,
                                             kMale2001};
  const auto vote = VoteCitizenId(readings, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  CHECK_FALSE(vote->unanimous);
  CHECK_FALSE(vote->repaired);
  CHECK(vote->consistent);
}

TEST_CASE("the holder's birth year picks the only consistent digit",
          "[id_vote]") {
  // Two readings say 2002 at the year's second digit, one says 2003; the
  // paper's birth date says 2003.
  const std::vector<std::string> readings = {"045202890660", "045202890660",
                                             "045203890660"};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2003});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "045203890660");
  CHECK(vote->repaired);
  CHECK(vote->consistent);
  // Without the birth year the majority stands.
  const auto plain = VoteCitizenId(readings, {Sex::kMale, std::nullopt});
  REQUIRE(plain.has_value());
  CHECK(plain->number == "045202890660");
  CHECK_FALSE(plain->repaired);
}

TEST_CASE("the holder's sex picks the century/sex digit", "[id_vote]") {
  // 3 and 2 both seen at the sex digit; the holder is a woman.
  const std::vector<std::string> readings = {"030297249076", "030297249076",
                                             "030397249076"};
  const auto vote = VoteCitizenId(readings, {Sex::kFemale, std::nullopt});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "030397249076");
  CHECK(vote->repaired);
}

TEST_CASE("an unknown province code is repaired only from seen digits",
          "[id_vote]") {
  // 088 is no province; 086 (Vĩnh Long) and 087 were both... only 086 seen.
  const std::vector<std::string> readings = {"088201283670", "088201283670",
                                             "086201283670"};
  const auto vote = VoteCitizenId(readings, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "086201283670");
  CHECK(vote->repaired);
  // Only 088 seen: no digit is invented.
  const std::vector<std::string> alone = {"088201283670"};
  const auto none = VoteCitizenId(alone, {});
  REQUIRE(none.has_value());
  CHECK(none->number == "088201283670");
  CHECK_FALSE(none->consistent);
  CHECK_FALSE(none->repaired);
}

TEST_CASE("two consistent candidates: no repair", "[id_vote]") {
  // The majority's province 088 does not exist; 086 and 087 were both seen
  // and both exist: nothing tells them apart.
  const std::vector<std::string> readings = {"088201283670", "088201283670",
                                             "086201283670", kMale2001};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2001});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "088201283670");
  CHECK_FALSE(vote->repaired);
  CHECK_FALSE(vote->consistent);
}

TEST_CASE("malformed readings are left out", "[id_vote]") {
  const std::vector<std::string> none = {"", "12345", "0872012836701",
                                         "08720128367O", "087201 83670"};
  CHECK_FALSE(VoteCitizenId(none, {}).has_value());
  CHECK_FALSE(VoteCitizenId(std::vector<std::string>{}, {}).has_value());
  CHECK_FALSE(VoteCitizenId(std::vector<IdReading>{}, {}).has_value());
  const std::vector<std::string> one_good = {"12345", kMale2001, "abc"};
  const auto vote = VoteCitizenId(one_good, {Sex::kMale, 2001});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  CHECK(vote->unanimous);
}

TEST_CASE("readings disagreeing everywhere are not searched", "[id_vote]") {
  // 3^12 combinations: above the search limit, the majority is returned.
  const std::vector<std::string> readings = {"012345678901", "123456789012",
                                             "234567890123"};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 1990});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "012345678901");
  CHECK_FALSE(vote->repaired);
}

TEST_CASE("consistency follows the ID's structure", "[id_vote]") {
  CHECK(ConsistentCitizenId(kMale2001, {Sex::kMale, 2001}));
  CHECK_FALSE(ConsistentCitizenId(kMale2001, {Sex::kFemale, 2001}));
  CHECK_FALSE(ConsistentCitizenId(kMale2001, {Sex::kMale, 1901}));
  CHECK_FALSE(ConsistentCitizenId("003201283670", {}));  // No province 003.
  CHECK(ConsistentCitizenId("001101283670", {Sex::kFemale, 1901}));
  // Century/sex digit 7: born in the 2200s, a misread 2 or 3.
  CHECK_FALSE(
      ConsistentCitizenId("062722744719", {Sex::kFemale, std::nullopt}));
}

TEST_CASE("weights: a sure reading outvotes two doubtful ones", "[id_vote]") {
  const std::vector<std::string> readings = {"087201223670", "087201223670",
                                             kMale2001};
  const std::vector<double> weights = {0.3, 0.3, 1.1};
  const auto vote = VoteCitizenId(readings, weights, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  // Unweighted, the two win.
  const auto plain = VoteCitizenId(readings, {});
  REQUIRE(plain.has_value());
  CHECK(plain->number == "087201223670");
}

TEST_CASE("readings a digit short or long are aligned and vote", "[id_vote]") {
  // Two 12-digit readings disagree at digit 8 (2 against 8); a reading
  // that lost its first digit and one with a doubled digit side with 8.
  const std::vector<std::string> readings = {"087201223670", kMale2001,
                                             "87201283670", "0872011283670"};
  const std::vector<double> weights = {1.0, 0.9, 0.5, 0.5};
  const auto vote = VoteCitizenId(readings, weights, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  // Off-by-one readings alone decide nothing.
  const std::vector<std::string> short_only = {"87201283670", "0872011283670"};
  const std::vector<double> halves = {0.5, 0.5};
  CHECK_FALSE(VoteCitizenId(short_only, halves, {}).has_value());
  // One that matches nowhere is another line's digits: no vote.
  const std::vector<std::string> noise = {"087201223670", kMale2001,
                                          "99999999999", "5555555555555"};
  const std::vector<double> w = {1.0, 0.9, 5.0, 5.0};
  const auto kept = VoteCitizenId(noise, w, {});
  REQUIRE(kept.has_value());
  CHECK(kept->number == "087201223670");
}

TEST_CASE("bad weights and mismatched lengths are left out", "[id_vote]") {
  const std::vector<std::string> readings = {"087201223670", kMale2001,
                                             kMale2001};
  const std::vector<double> hostile = {
      1.0, std::numeric_limits<double>::quiet_NaN(), -3.0};
  const auto vote = VoteCitizenId(readings, hostile, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "087201223670");
  // Fewer weights than readings: the rest are left out.
  const std::vector<double> one = {1.0};
  const auto first = VoteCitizenId(readings, one, {});
  REQUIRE(first.has_value());
  CHECK(first->number == "087201223670");
  CHECK_FALSE(VoteCitizenId(readings, {}, {}).has_value());
  const std::vector<double> inf = {std::numeric_limits<double>::infinity(), 1.0,
                                   1.0};
  const auto finite = VoteCitizenId(readings, inf, {});
  REQUIRE(finite.has_value());
  CHECK(finite->number == kMale2001);
}

// A LineChoices of one word whose characters have the given alternatives.
LineChoices ChoicesOf(std::vector<std::vector<CharChoice>> characters) {
  LineChoices c;
  c.words.emplace_back();
  c.words.back().characters = std::move(characters);
  return c;
}

TEST_CASE("a reading's digits carry their alternatives' shares", "[id_vote]") {
  const LineChoices c = ChoicesOf({{{"6", 0.9}, {"8", 0.6}, {"/", 0.3}},
                                   {{".", 0.9}, {"1", 0.1}},
                                   {{"7", 0.8}},
                                   {{"3", 0.0}, {"5", 0.0}}});
  const IdReading r = IdReadingOf(c, 0.7);
  CHECK(r.digits == "673");  // The dot is left out.
  CHECK(r.weight == 0.7);
  REQUIRE(r.shares.size() == 3);
  CHECK(r.shares[0][6] == Approx(0.6));
  CHECK(r.shares[0][8] == Approx(0.4));
  CHECK(r.shares[1][7] == Approx(1.0));
  // No score at all: the digit keeps its whole share.
  CHECK(r.shares[2][3] == Approx(1.0));
  CHECK(r.shares[2][5] == 0.0);
  CHECK(IdReadingOf(LineChoices{}, 1.0).digits.empty());
}

// A reading of `digits` sure of each digit but `at`, where `second` got
// `share` of the scores.
IdReading WithDoubt(const std::string& digits, size_t at, int second,
                    double share, double weight = 1.0) {
  IdReading r{digits, {}, weight};
  for (char c : digits) {
    std::array<double, 10> s{};
    s[c - '0'] = 1.0;
    r.shares.push_back(s);
  }
  r.shares[at][digits[at] - '0'] = 1.0 - share;
  r.shares[at][second] = share;
  return r;
}

TEST_CASE("alternatives outvote top digits the blur made alike", "[id_vote]") {
  // Three readings say 6 at the serial's third digit, each doubting it
  // for a 3; two sure readings say 3.
  const std::vector<IdReading> readings = {
      WithDoubt("087201286670", 8, 3, 0.45),
      WithDoubt("087201286670", 8, 3, 0.45),
      WithDoubt("087201286670", 8, 3, 0.45),
      {kMale2001, {}, 1.0},
      {kMale2001, {}, 1.0}};
  const auto vote = VoteCitizenId(readings, {});
  REQUIRE(vote.has_value());
  CHECK(vote->number == kMale2001);
  CHECK_FALSE(vote->repaired);
  // Without the doubt the three outvote the two.
  const std::vector<std::string> plain = {"087201286670", "087201286670",
                                          "087201286670", kMale2001, kMale2001};
  CHECK(VoteCitizenId(plain, {})->number == "087201286670");
}

TEST_CASE("an unknown province is repaired to the likelier known one",
          "[id_vote]") {
  // 063 is no province; the readings doubt the 6 for an 8 (083 Bến Tre)
  // more than for a 0 (003, no province either) or 9 (093 Hậu Giang).
  IdReading a = WithDoubt("063209021435", 1, 8, 0.35);
  a.shares[1][9] = 0.15;
  a.shares[1][6] = 0.5;
  const std::vector<IdReading> readings = {
      a, a, WithDoubt("083209021435", 1, 6, 0.4)};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2009});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "083209021435");
  CHECK(vote->repaired);
  CHECK(vote->consistent);
}

TEST_CASE("the holder's sex and birth year imply digits no reading saw",
          "[id_vote]") {
  // Every reading turned the year's 8 into 0: 2000 is not the holder's
  // year, 2008 is.
  const std::vector<std::string> readings = {"092200320485", "092200320485"};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2008, true});
  REQUIRE(vote.has_value());
  CHECK(vote->number == "092208320485");
  CHECK(vote->repaired);
  CHECK(vote->consistent);
  // A birth year not surely read does not rewrite the number.
  const auto unsure = VoteCitizenId(readings, {Sex::kMale, 2008});
  REQUIRE(unsure.has_value());
  CHECK(unsure->number == "092200320485");
  CHECK_FALSE(unsure->consistent);
  // A seen digit that fits is preferred to an implied one.
  const std::vector<std::string> seen = {"092200320485", "092208320485",
                                         "092200320485"};
  CHECK(VoteCitizenId(seen, {Sex::kMale, 2008, true})->number ==
        "092208320485");
  // Only the sex known: no year digit is invented.
  const auto sex_only =
      VoteCitizenId(readings, {Sex::kFemale, std::nullopt, true});
  REQUIRE(sex_only.has_value());
  CHECK(sex_only->number == "092200320485");
  CHECK_FALSE(sex_only->repaired);
  CHECK_FALSE(sex_only->consistent);
  // Nor is a province code.
  const std::vector<std::string> no_province = {"003208320485"};
  const auto none = VoteCitizenId(no_province, {Sex::kMale, 2008, true});
  REQUIRE(none.has_value());
  CHECK_FALSE(none->consistent);
}

TEST_CASE("readings with alternatives: malformed ones are left out",
          "[id_vote]") {
  IdReading wrong_shares{kMale2001, {std::array<double, 10>{}}, 1.0};
  const std::vector<IdReading> readings = {
      {"08720128367O", {}, 5.0}, {kMale2001, {}, -1.0}, wrong_shares};
  const auto vote = VoteCitizenId(readings, {Sex::kMale, 2001});
  REQUIRE(vote.has_value());
  // Shares not one per digit are ignored: the digits vote one-hot.
  CHECK(vote->number == kMale2001);
  CHECK(vote->consistent);
}

}  // namespace
}  // namespace cdkv::ocr
