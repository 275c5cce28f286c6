#include "services/auth/phone.h"

#include <catch2/catch.hpp>
#include <string>

namespace cdkv::auth {
namespace {

TEST_CASE("accepted phone numbers normalise to the 0-prefixed form",
          "[phone]") {
  const std::pair<const char*, const char*> cases[] = {
      {"0912345678", "0912345678"},
      {"+84912345678", "0912345678"},
      {"0387654321", "0387654321"},
      {"+84387654321", "0387654321"},
  };
  for (const auto& [input, expected] : cases) {
    INFO(input);
    absl::StatusOr<std::string> normalized = NormalizePhoneNumber(input);
    REQUIRE(normalized.ok());
    CHECK(*normalized == expected);
  }
}

TEST_CASE("anything else is refused", "[phone]") {
  for (const char* input : {
           "",               // empty
           "912345678",      // no prefix
           "84912345678",    // country code without +
           "+840912345678",  // +84 and a trunk 0
           "00912345678",    // international prefix
           "0012345678",     // 0 where the network code belongs
           "091234567",      // 9 digits
           "09123456789",    // 11 digits
           "+8491234567",    // +84 and 8 digits
           "0912 345 678",   // spaces
           "0912-345-678",   // dashes
           "+1 4155550123",  // another country
           "091234567a",     // a letter
           "０912345678",    // a full-width digit
       }) {
    INFO(input);
    absl::StatusOr<std::string> normalized = NormalizePhoneNumber(input);
    REQUIRE_FALSE(normalized.ok());
    CHECK(normalized.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("a masked number keeps only the network and the last digits",
          "[phone]") {
  CHECK(MaskPhoneNumber("0912345678") == "091*****78");
}

}  // namespace
}  // namespace cdkv::auth
