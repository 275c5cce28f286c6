#include "ocr/text_utf8.h"

#include <catch2/catch.hpp>
#include <string>

namespace cdkv::ocr {
namespace {

TEST_CASE("DecodeUtf8 decodes valid text", "[ocr][utf8]") {
  auto cps = DecodeUtf8("Aé€😀");
  REQUIRE(cps.ok());
  CHECK(*cps == std::vector<char32_t>{U'A', U'é', U'€', U'😀'});
  CHECK(DecodeUtf8("")->empty());
}

TEST_CASE("DecodeUtf8 rejects malformed sequences", "[ocr][utf8]") {
  for (const std::string& bad : {
           std::string("\x80"),              // Lone continuation.
           std::string("\xC3"),              // Cut off.
           std::string("\xE2\x82"),          // Cut off.
           std::string("\xC0\xAF"),          // Overlong '/'.
           std::string("\xE0\x80\xAF"),      // Overlong.
           std::string("\xED\xA0\x80"),      // Surrogate.
           std::string("\xF4\x90\x80\x80"),  // Beyond U+10FFFF.
           std::string("\xF8\x88\x80\x80\x80"),
           std::string("\xC3\x28"),  // Bad continuation.
           std::string("ok\xFF"),
       }) {
    CHECK_FALSE(DecodeUtf8(bad).ok());
  }
}

TEST_CASE("IsComposedVietnamese spots decomposed accents", "[ocr][utf8]") {
  CHECK(IsComposedVietnamese("Nguyễn Thị Hồng Nhung"));
  CHECK(IsComposedVietnamese("ĐẶNG VĂN ĐỨC"));
  CHECK_FALSE(IsComposedVietnamese("Nguye\xCC\x82\xCC\x83n"));  // e + ̂ + ̃.
  CHECK_FALSE(IsComposedVietnamese("\xFF"));
}

TEST_CASE("FoldVietnameseToAsciiUpper strips diacritics", "[ocr][utf8]") {
  CHECK(*FoldVietnameseToAsciiUpper("Nguyễn Văn Đức") == "NGUYEN VAN DUC");
  CHECK(*FoldVietnameseToAsciiUpper("TRẦN THỊ ÁNH TUYẾT") ==
        "TRAN THI ANH TUYET");
  CHECK(*FoldVietnameseToAsciiUpper("Lê Ưu Ỷ Ỵ ơ ờ") == "LE UU Y Y O O");
  CHECK(*FoldVietnameseToAsciiUpper("Nguye\xCC\x82\xCC\x83n") == "NGUYEN");
  CHECK(*FoldVietnameseToAsciiUpper("Zoë 😀") == "ZO? ?");
  CHECK_FALSE(FoldVietnameseToAsciiUpper("\xC3").ok());
}

}  // namespace
}  // namespace cdkv::ocr
