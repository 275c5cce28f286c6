#include "ocr/citizen_id_vote.h"

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
  CHECK_FALSE(VoteCitizenId({}, {}).has_value());
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

}  // namespace
}  // namespace cdkv::ocr
