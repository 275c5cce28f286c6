#include "ocr/mrz_text_repair.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "tools/synth/identity.h"

namespace cdkv::ocr {
namespace {

const Date kToday{2026, 11, 22};

// Lines of a real-layout MRZ for a fixed random identity whose ID has a 0.
std::array<std::string, 3> Lines() {
  std::mt19937_64 rng(3);
  for (;;) {
    const synth::Identity p = synth::RandomIdentity(rng);
    auto lines = synth::MrzLines(p);
    if (lines[0].find('0', 5) != std::string::npos &&
        lines[2].find('O') != std::string::npos) {
      return lines;
    }
  }
}

std::string Join(const std::array<std::string, 3>& l) {
  return l[0] + "\n" + l[1] + "\n" + l[2];
}

TEST_CASE("ParseOcrTd1 restores dropped trailing fillers", "[ocr][mrz]") {
  auto lines = Lines();
  const auto truth = ParseTd1(Join(lines), kToday);
  REQUIRE(truth.ok());
  lines[2] = lines[2].substr(0, lines[2].find_last_not_of('<') + 2);
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->surname == truth->surname);
  CHECK(mrz->given_names == truth->given_names);
  CHECK(mrz->composite_verified);
}

TEST_CASE("ParseOcrTd1 removes a doubled round glyph when digits prove it",
          "[ocr][mrz]") {
  auto lines = Lines();
  const std::string want_id = lines[0].substr(15, 12);
  const size_t zero = lines[0].find('0', 5);
  lines[0].insert(zero, "O");  // "0" read as "O0".
  const size_t o = lines[2].find('O');
  lines[2].insert(o, "0");  // "O" read as "0O" in the name.
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  REQUIRE(mrz->citizen_id.has_value());
  CHECK(mrz->citizen_id->value == want_id);
  CHECK(mrz->citizen_id->verified);
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname.find("OO") == std::string::npos);
}

TEST_CASE("ParseOcrTd1 leaves unprovable text unverified", "[ocr][mrz]") {
  auto lines = Lines();
  // A digit changed (not a doubling): nothing may make it verify.
  lines[0][20] = lines[0][20] == '1' ? '2' : '1';
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK_FALSE(mrz->composite_verified);
  CHECK_FALSE(ParseOcrTd1("garbage", kToday).ok());
  CHECK_FALSE(ParseOcrTd1("", kToday).ok());
  CHECK_FALSE(ParseOcrTd1("A\nB\nC\nD", kToday).ok());
}

}  // namespace
}  // namespace cdkv::ocr
