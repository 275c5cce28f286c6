#include "ocr/id_number.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace cdkv::ocr {
namespace {

TEST_CASE("The province table has the 63 official codes", "[ocr][id]") {
  const auto provinces = AllProvinces();
  CHECK(provinces.size() == 63);
  std::set<std::string_view> codes;
  for (const Province& p : provinces) {
    CHECK(p.code.size() == 3);
    codes.insert(p.code);
  }
  CHECK(codes.size() == 63);
  CHECK(std::is_sorted(
      provinces.begin(), provinces.end(),
      [](const Province& a, const Province& b) { return a.code < b.code; }));
  CHECK(*ProvinceName("001") == "Hà Nội");
  CHECK(*ProvinceName("002") == "Hà Giang");
  CHECK(*ProvinceName("079") == "Hồ Chí Minh");
  CHECK(*ProvinceName("087") == "Đồng Tháp");
  CHECK(*ProvinceName("077") == "Bà Rịa - Vũng Tàu");
  CHECK(*ProvinceName("096") == "Cà Mau");
  for (const char* missing :
       {"000", "003", "005", "078", "097", "100", "", "01"}) {
    CHECK_FALSE(ProvinceName(missing).has_value());
  }
}

TEST_CASE("ParseCitizenId decodes province, sex and birth year", "[ocr][id]") {
  auto id = ParseCitizenId("087090001234");
  REQUIRE(id.ok());
  CHECK(id->province_code == "087");
  CHECK(id->province_name == "Đồng Tháp");
  CHECK(id->sex == Sex::kMale);
  CHECK(id->birth_century == 1900);
  CHECK(id->birth_year == 1990);

  auto woman = ParseCitizenId("079305001234");
  REQUIRE(woman.ok());
  CHECK(woman->sex == Sex::kFemale);
  CHECK(woman->birth_year == 2005);

  CHECK(ParseCitizenId("001400000001")->birth_year == 2100);
  CHECK(ParseCitizenId("001999000001")->birth_year == 2399);
  CHECK(ParseCitizenId("001999000001")->sex == Sex::kFemale);
}

TEST_CASE("An ID read off a card cannot give a birth year to come",
          "[ocr][id]") {
  const Date today{2026, 11, 23};
  // Digit 4 misread 2 -> 4 puts a 2002 birth in 2102.
  CHECK_FALSE(ParseCitizenId("095402933075", today).ok());
  CHECK_THAT(
      std::string(ParseCitizenId("095402933075", today).status().message()),
      Catch::Contains("2102"));
  CHECK_FALSE(ParseCitizenId("001227000001", today).ok());  // 2027.
  CHECK(ParseCitizenId("001226000001", today)->birth_year == 2026);
  CHECK(ParseCitizenId("095302933075", today)->birth_year == 2002);
  // Malformed numbers are refused as before.
  CHECK_FALSE(ParseCitizenId("0953029330", today).ok());
  CHECK_FALSE(ParseCitizenId("999302933075", today).ok());
}

TEST_CASE("ParseCitizenId rejects malformed numbers", "[ocr][id]") {
  CHECK_FALSE(ParseCitizenId("").ok());
  CHECK_FALSE(ParseCitizenId("08719000123").ok());
  CHECK_FALSE(ParseCitizenId("0870900012345").ok());
  CHECK_FALSE(ParseCitizenId("08719000123O").ok());
  CHECK_FALSE(ParseCitizenId("087 90001234").ok());
  CHECK_FALSE(ParseCitizenId("０８７190001234").ok());  // Full-width digits.
  auto unknown = ParseCitizenId("003190001234");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(std::string(unknown.status().message()), Catch::Contains("003"));
  auto huge = ParseCitizenId(std::string(100000, '1'));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().message().size() < 200);
}

TEST_CASE("CheckCitizenIdAgainst names each disagreement", "[ocr][id]") {
  const CitizenId id = *ParseCitizenId("087090001234");
  CHECK(CheckCitizenIdAgainst(id, Date{1990, 2, 1}, Sex::kMale).empty());
  CHECK(CheckCitizenIdAgainst(id, Date{1990, 2, 1}, Sex::kFemale) ==
        std::vector<IdDisagreement>{IdDisagreement::kSex});
  CHECK(CheckCitizenIdAgainst(id, Date{2090, 2, 1}, Sex::kMale) ==
        std::vector<IdDisagreement>{IdDisagreement::kCentury});
  CHECK(CheckCitizenIdAgainst(id, Date{1991, 2, 1}, Sex::kMale) ==
        std::vector<IdDisagreement>{IdDisagreement::kBirthYear});
  const auto all = CheckCitizenIdAgainst(id, Date{2001, 2, 1}, Sex::kFemale);
  CHECK(all.size() == 3);
  const std::string text =
      DescribeDisagreements(id, Date{2001, 2, 1}, Sex::kFemale, all);
  CHECK_THAT(text, Catch::Contains("female") && Catch::Contains("1900s") &&
                       Catch::Contains("digits 5-6 say 90"));
  CHECK_THAT(DescribeDisagreements(id, Date{1990, 2, 1}, Sex::kMale, {}),
             Catch::Contains("agrees"));
}

}  // namespace
}  // namespace cdkv::ocr
