#include "services/chat/signature.h"

#include <catch2/catch.hpp>
#include <string>

namespace cdkv::chat {
namespace {

constexpr char kAppId[] = "360846524940903967";
constexpr char kSecret[] = "oa-secret-key";
constexpr char kBody[] = R"({"event_name":"user_send_text","timestamp":"1763855000000"})";
constexpr char kStamp[] = "1763855000000";
constexpr int64_t kStampMs = 1763855000000;
const absl::Time kNow = absl::FromUnixMillis(kStampMs) + absl::Seconds(3);

absl::Status Verify(const std::string& header, absl::Time now = kNow,
                    const std::string& body = kBody) {
  return VerifyZaloSignature(header, kAppId, body, kStamp, kStampMs, kSecret, now);
}

std::string Good() { return "mac=" + ZaloMacHex(kAppId, kBody, kStamp, kSecret); }

TEST_CASE("mac is SHA-256 of app_id + body + timestamp + secret", "[signature]") {
  // sha256("abc") — the four parts are concatenated without separators.
  CHECK(ZaloMacHex("a", "", "b", "c") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ZaloMacHex("", "abc", "", "") == ZaloMacHex("ab", "", "", "c"));
}

TEST_CASE("a good signature passes, also upper-case and padded", "[signature]") {
  CHECK(Verify(Good()).ok());
  std::string upper = Good();
  for (size_t i = 4; i < upper.size(); ++i) upper[i] = static_cast<char>(toupper(upper[i]));
  CHECK(Verify(upper).ok());
  CHECK(Verify(" " + Good() + " ").ok());
}

TEST_CASE("forged signatures are UNAUTHENTICATED", "[signature]") {
  std::string flipped = Good();
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK(Verify(flipped).code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(Verify(flipped).message()), Catch::Contains("does not match"));
  // Same mac, different body.
  CHECK(Verify(Good(), kNow, std::string(kBody) + " ").code() ==
        absl::StatusCode::kUnauthenticated);
  // Signed with another secret.
  CHECK(Verify("mac=" + ZaloMacHex(kAppId, kBody, kStamp, "other")).code() ==
        absl::StatusCode::kUnauthenticated);
  // Empty secret configured: nothing verifies, even a mac computed without one.
  CHECK(VerifyZaloSignature("mac=" + ZaloMacHex(kAppId, kBody, kStamp, ""), kAppId, kBody,
                            kStamp, kStampMs, "", kNow)
            .code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("missing, wrong prefix and malformed hex are UNAUTHENTICATED", "[signature]") {
  const std::string hex = ZaloMacHex(kAppId, kBody, kStamp, kSecret);
  for (const std::string& header :
       {std::string(), std::string("   "), hex, "sha256=" + hex, "MAC=" + hex, "mac=" + hex + "0",
        "mac=" + hex.substr(2), "mac=" + hex.substr(0, 62) + "zz", std::string("mac=")}) {
    INFO(header);
    CHECK(Verify(header).code() == absl::StatusCode::kUnauthenticated);
  }
  CHECK_THAT(std::string(Verify("").message()), Catch::Contains("missing"));
  CHECK_THAT(std::string(Verify("sha256=" + hex).message()), Catch::Contains("mac=<hex>"));
}

TEST_CASE("events outside the window are refused as replays", "[signature]") {
  const absl::Time stamped = absl::FromUnixMillis(kStampMs);
  CHECK(Verify(Good(), stamped + absl::Minutes(5)).ok());
  const absl::Status old = Verify(Good(), stamped + absl::Minutes(5) + absl::Seconds(1));
  CHECK(old.code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(old.message()), Catch::Contains("replay"));

  CHECK(Verify(Good(), stamped - absl::Seconds(30)).ok());
  const absl::Status future = Verify(Good(), stamped - absl::Minutes(2));
  CHECK(future.code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(future.message()), Catch::Contains("future"));

  SignatureOptions wide;
  wide.max_age = absl::Hours(1);
  CHECK(VerifyZaloSignature(Good(), kAppId, kBody, kStamp, kStampMs, kSecret,
                            stamped + absl::Minutes(30), wide)
            .ok());
}

TEST_CASE("a forged old event is refused for its mac, not its age", "[signature]") {
  const absl::Status s = Verify("mac=" + std::string(64, '0'), kNow + absl::Hours(1));
  CHECK_THAT(std::string(s.message()), Catch::Contains("does not match"));
}

}  // namespace
}  // namespace cdkv::chat
