#include "services/api/pickup_json.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <catch2/catch.hpp>

namespace cdkv::api {
namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

cdkv::v1::PickupDetails Sample() {
  cdkv::v1::PickupDetails p;
  p.set_pickup_code("493021");
  p.set_desk_name("Bộ phận một cửa xã Tân Mỹ");
  p.set_address("Ấp Tân Thuận, xã Tân Mỹ, huyện Lấp Vò");
  p.set_opening_hours("Thứ Hai–Thứ Sáu 7:00–11:30, 13:30–17:00");
  p.add_bring("Bản chính Căn cước công dân");
  p.add_bring("Lệ phí 8.000 đồng \"tiền mặt\"");
  *p.mutable_ready_from() = TimeUtil::MillisecondsToTimestamp(1795400000123);
  p.set_delivery(cdkv::v1::RESULT_DELIVERY_HOME);
  p.set_note("Mang theo giấy hẹn\nnếu có");
  return p;
}

TEST_CASE("pickup details round-trip through the stored JSON",
          "[api][pickup_json]") {
  const cdkv::v1::PickupDetails p = Sample();
  cdkv::v1::PickupDetails back;
  REQUIRE(PickupFromJson(PickupToJson(p), &back).ok());
  CHECK(MessageDifferencer::Equals(p, back));

  cdkv::v1::PickupDetails empty;
  CHECK(PickupToJson(empty) == "{}");
  REQUIRE(PickupFromJson("{}", &back).ok());
  CHECK(MessageDifferencer::Equals(empty, back));
}

TEST_CASE("pickup JSON is what protobuf's own printer and parser agree on",
          "[api][pickup_json]") {
  // Rows written before the hand-written codec hold protobuf's JSON; the
  // notifier and the chat route read the same keys.
  const cdkv::v1::PickupDetails p = Sample();
  std::string theirs;
  REQUIRE(google::protobuf::util::MessageToJsonString(p, &theirs).ok());
  cdkv::v1::PickupDetails from_theirs;
  REQUIRE(PickupFromJson(theirs, &from_theirs).ok());
  CHECK(MessageDifferencer::Equals(p, from_theirs));

  cdkv::v1::PickupDetails from_ours;
  REQUIRE(
      google::protobuf::util::JsonStringToMessage(PickupToJson(p), &from_ours)
          .ok());
  CHECK(MessageDifferencer::Equals(p, from_ours));
}

TEST_CASE("malformed pickup JSON is refused and leaves nothing half-read",
          "[api][pickup_json]") {
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      "\"text\"",
      R"({"pickupCode": 493021})",
      R"({"pickupCode": "1", "bring": "one"})",
      R"({"pickupCode": "1", "bring": ["a", 2]})",
      R"({"pickupCode": "1", "readyFrom": "yesterday"})",
      R"({"pickupCode": "1", "delivery": "RESULT_DELIVERY_DRONE"})",
      R"({"pickupCode": "1", "deskName": {"a": 1}})",
      "{\"pickupCode\": \"1\"",
  };
  for (const char* text : bad) {
    INFO(text);
    cdkv::v1::PickupDetails out = Sample();
    CHECK_FALSE(PickupFromJson(text, &out).ok());
    CHECK(out.pickup_code().empty());
    CHECK(out.bring_size() == 0);
  }
  cdkv::v1::PickupDetails out;
  CHECK(PickupFromJson(R"({"pickupCode": "7", "future": [1, {"x": 2}]})", &out)
            .ok());
  CHECK(out.pickup_code() == "7");
}

}  // namespace
}  // namespace cdkv::api
