#include "ocr/qr_payload.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

constexpr char kFull[] =
    "087090001234|123456789|Nguyễn Văn An|01021990|Nam|"
    "Ấp 1, Xã Bình Thành, Huyện Lấp Vò, Đồng Tháp|15062021";

std::string Message(const absl::StatusOr<IdCardQr>& qr) {
  return std::string(qr.status().message());
}

TEST_CASE("ParseIdCardQr reads a 2021 chip card payload", "[ocr][qr_payload]") {
  auto qr = ParseIdCardQr(kFull);
  REQUIRE(qr.ok());
  CHECK(qr->id.number == "087090001234");
  CHECK(qr->id.province_name == "Đồng Tháp");
  CHECK(qr->old_id == "123456789");
  CHECK(qr->full_name == "Nguyễn Văn An");
  CHECK(qr->birth_date == Date{1990, 2, 1});
  CHECK(qr->sex == Sex::kMale);
  CHECK(qr->address == "Ấp 1, Xã Bình Thành, Huyện Lấp Vò, Đồng Tháp");
  REQUIRE(qr->issue_date.has_value());
  CHECK(*qr->issue_date == Date{2021, 6, 15});
  CHECK(qr->id_disagreements.empty());
}

TEST_CASE(
    "ParseIdCardQr accepts 2024 cards with empty or missing trailing fields",
    "[ocr][qr_payload]") {
  SECTION("missing address and issue date") {
    auto qr = ParseIdCardQr("079305001234||Trần Thị Bích|31122005|Nữ");
    REQUIRE(qr.ok());
    CHECK(qr->old_id.empty());
    CHECK(qr->sex == Sex::kFemale);
    CHECK(qr->address.empty());
    CHECK_FALSE(qr->issue_date.has_value());
    CHECK(qr->id_disagreements.empty());
  }
  SECTION("empty issue date and trailing separators") {
    auto qr =
        ParseIdCardQr("079305001234||Trần Thị Bích|31122005|Nữ|Quận 1||||");
    REQUIRE(qr.ok());
    CHECK(qr->address == "Quận 1");
    CHECK_FALSE(qr->issue_date.has_value());
  }
  SECTION("12-digit old number") {
    CHECK(ParseIdCardQr("079305001234|079305001111|Trần Thị Bích|31122005|Nữ")
              .ok());
  }
}

TEST_CASE("ParseIdCardQr reports an ID that contradicts birth date or sex",
          "[ocr][qr_payload]") {
  auto qr = ParseIdCardQr("087090001234||Nguyễn Thị An|01021991|Nữ");
  REQUIRE(qr.ok());
  CHECK(qr->id_disagreements ==
        std::vector<IdDisagreement>{IdDisagreement::kSex,
                                    IdDisagreement::kBirthYear});
}

TEST_CASE("ParseIdCardQr rejects malformed payloads with a named field",
          "[ocr][qr_payload]") {
  CHECK_THAT(Message(ParseIdCardQr("")), Catch::Contains("at least 5"));
  CHECK_THAT(Message(ParseIdCardQr("087090001234||Nguyễn Văn An|01021990")),
             Catch::Contains("at least 5"));
  CHECK_THAT(Message(ParseIdCardQr("08719000123A||Nguyễn Văn An|01021990|Nam")),
             Catch::Contains("ID number"));
  CHECK_THAT(Message(ParseIdCardQr("003190001234||Nguyễn Văn An|01021990|Nam")),
             Catch::Contains("province"));
  CHECK_THAT(Message(ParseIdCardQr(
                 "087090001234|12345678|Nguyễn Văn An|01021990|Nam")),
             Catch::Contains("old ID"));
  CHECK_THAT(Message(ParseIdCardQr(
                 "087090001234|12345678X|Nguyễn Văn An|01021990|Nam")),
             Catch::Contains("old ID"));
  CHECK_THAT(Message(ParseIdCardQr("087090001234|||01021990|Nam")),
             Catch::Contains("name field is invalid: it is empty"));
  CHECK_THAT(Message(ParseIdCardQr("087090001234||Nguyễn Văn An|31021990|Nam")),
             Catch::Contains("birth date"));
  CHECK_THAT(Message(ParseIdCardQr("087090001234||Nguyễn Văn An|1/2/1990|Nam")),
             Catch::Contains("birth date"));
  CHECK_THAT(
      Message(ParseIdCardQr("087090001234||Nguyễn Văn An|01021990|Male")),
      Catch::Contains("sex"));
  CHECK_THAT(Message(ParseIdCardQr("087090001234||Nguyễn Văn An|01021990|nam")),
             Catch::Contains("sex"));
  CHECK_THAT(Message(ParseIdCardQr(
                 "087090001234||Nguyễn Văn An|01021990|Nam|Hà Nội|32132021")),
             Catch::Contains("issue date"));
  CHECK_THAT(Message(ParseIdCardQr(
                 "087090001234||Nguyễn Văn An|01021990|Nam|Hà Nội|01011980")),
             Catch::Contains("before the birth date"));
}

TEST_CASE("ParseIdCardQr rejects hostile payloads", "[ocr][qr_payload]") {
  SECTION("too many fields") {
    CHECK_THAT(Message(ParseIdCardQr(std::string(kFull) + "|extra")),
               Catch::Contains("field 8"));
    CHECK_THAT(
        Message(ParseIdCardQr(std::string(kFull) + std::string(40, '|'))),
        Catch::Contains("fields"));
  }
  SECTION("huge payload") {
    const std::string huge = std::string(kFull) + std::string(5000, ' ');
    CHECK_THAT(Message(ParseIdCardQr(huge)), Catch::Contains("bytes"));
  }
  SECTION("invalid UTF-8") {
    CHECK_THAT(
        Message(ParseIdCardQr("087090001234||Nguy\xE1\xBB|01021990|Nam")),
        Catch::Contains("UTF-8"));
    CHECK_THAT(Message(ParseIdCardQr("087090001234||\xC0\xAF|01021990|Nam")),
               Catch::Contains("UTF-8"));
  }
  SECTION("decomposed accents") {
    CHECK_THAT(
        Message(ParseIdCardQr("087090001234||Nguye\xCC\x82\xCC\x83n Văn An|"
                              "01021990|Nam")),
        Catch::Contains("NFC"));
    CHECK_FALSE(
        ParseIdCardQr(
            "087090001234||Nguyễn Văn An|01021990|N\x75\xCC\x9B\xCC\x83")
            .ok());
  }
  SECTION("control characters") {
    static constexpr char kWithNul[] = "087090001234||An|01021990|Nam|a\0b";
    CHECK_THAT(
        Message(ParseIdCardQr("087090001234||Nguyễn\nVăn An|01021990|Nam")),
        Catch::Contains("control"));
    CHECK_THAT(
        Message(ParseIdCardQr(std::string(kWithNul, sizeof(kWithNul) - 1))),
        Catch::Contains("control"));
  }
  SECTION("only separators") { CHECK_FALSE(ParseIdCardQr("||||||").ok()); }
}

TEST_CASE("ParseIdCardQr survives random corruption", "[ocr][qr_payload]") {
  const std::string full = kFull;
  std::mt19937 rng(2021);
  std::uniform_int_distribution<size_t> pos(0, full.size() - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string payload = full;
    const int edits = 1 + i % 4;
    for (int k = 0; k < edits; ++k) {
      payload[pos(rng)] = static_cast<char>(rng());
    }
    auto qr = ParseIdCardQr(payload);
    if (qr.ok()) {
      CHECK(qr->id.number.size() == 12);
      CHECK(IsComposedVietnamese(qr->full_name));
    } else {
      CHECK_THAT(std::string(qr.status().message()),
                 Catch::StartsWith("ID card QR code"));
    }
  }
}

}  // namespace
}  // namespace cdkv::ocr
