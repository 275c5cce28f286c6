#include "services/chat/zalo_event.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace cdkv::chat {
namespace {

using nlohmann::json;

json TextEvent() {
  return json::parse(R"({
    "app_id": "360846524940903967",
    "user_id_by_app": "552177279717587730",
    "event_name": "user_send_text",
    "timestamp": "1763855000000",
    "sender": {"id": "246845162435965"},
    "recipient": {"id": "388613280878808645"},
    "message": {"msg_id": "msg-1", "text": "Tôi muốn làm khai sinh"}
  })");
}

json ImageEvent(int n) {
  json e = TextEvent();
  e["event_name"] = "user_send_image";
  e["message"] = {{"msg_id", "msg-2"}, {"text", ""}, {"attachments", json::array()}};
  for (int i = 0; i < n; ++i) {
    e["message"]["attachments"].push_back(
        {{"type", "image"},
         {"payload", {{"thumbnail", "https://cdn.example/t.jpg"},
                      {"url", "https://cdn.example/p" + std::to_string(i) + ".jpg"}}}});
  }
  return e;
}

std::string Message(const absl::StatusOr<ZaloEvent>& e) { return std::string(e.status().message()); }

TEST_CASE("text event keeps sender, OA, msg id, text and the timestamp text", "[zalo_event]") {
  auto e = ParseZaloEvent(TextEvent().dump());
  REQUIRE(e.ok());
  CHECK(e->kind == ZaloEventKind::kUserSendText);
  CHECK(e->app_id == "360846524940903967");
  CHECK(e->sender_id == "246845162435965");
  CHECK(e->recipient_id == "388613280878808645");
  CHECK(e->msg_id == "msg-1");
  CHECK(e->text == "Tôi muốn làm khai sinh");
  CHECK(e->timestamp_text == "1763855000000");
  CHECK(e->timestamp_ms == 1763855000000);
}

TEST_CASE("numeric timestamp and ids are accepted", "[zalo_event]") {
  json j = TextEvent();
  j["timestamp"] = 1763855000123ULL;
  j["sender"]["id"] = 246845162435965ULL;
  auto e = ParseZaloEvent(j.dump());
  REQUIRE(e.ok());
  CHECK(e->timestamp_ms == 1763855000123);
  CHECK(e->timestamp_text == "1763855000123");
  CHECK(e->sender_id == "246845162435965");
}

TEST_CASE("image event with one and with several attachments", "[zalo_event]") {
  auto one = ParseZaloEvent(ImageEvent(1).dump());
  REQUIRE(one.ok());
  CHECK(one->kind == ZaloEventKind::kUserSendImage);
  REQUIRE(one->attachments.size() == 1);
  CHECK(one->attachments[0].url == "https://cdn.example/p0.jpg");
  CHECK(one->attachments[0].type == "image");

  auto ten = ParseZaloEvent(ImageEvent(10).dump());
  REQUIRE(ten.ok());
  CHECK(ten->attachments.size() == 10);
  CHECK(ten->attachments[9].url == "https://cdn.example/p9.jpg");
}

TEST_CASE("more than 10 attachments is refused", "[zalo_event]") {
  auto e = ParseZaloEvent(ImageEvent(11).dump());
  REQUIRE(e.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(e), Catch::Contains("too many attachments"));
}

TEST_CASE("file event keeps the file name", "[zalo_event]") {
  json j = TextEvent();
  j["event_name"] = "user_send_file";
  j["message"] = {{"msg_id", "m3"},
                  {"attachments",
                   {{{"type", "file"},
                     {"payload", {{"url", "https://f.example/a.pdf"}, {"name", "a.pdf"},
                                  {"size", "1234"}}}}}}};
  auto e = ParseZaloEvent(j.dump());
  REQUIRE(e.ok());
  CHECK(e->kind == ZaloEventKind::kUserSendFile);
  REQUIRE(e->attachments.size() == 1);
  CHECK(e->attachments[0].name == "a.pdf");
}

TEST_CASE("follow and unfollow use follower.id and oa_id", "[zalo_event]") {
  json j = json::parse(R"({"oa_id":"388613280878808645","follower":{"id":"2468"},
      "user_id_by_app":"55","event_name":"follow","source":"oa_profile",
      "app_id":"360846524940903967","timestamp":"1763855000000"})");
  auto f = ParseZaloEvent(j.dump());
  REQUIRE(f.ok());
  CHECK(f->kind == ZaloEventKind::kFollow);
  CHECK(f->sender_id == "2468");
  CHECK(f->recipient_id == "388613280878808645");
  CHECK(f->msg_id.empty());

  j["event_name"] = "unfollow";
  auto u = ParseZaloEvent(j.dump());
  REQUIRE(u.ok());
  CHECK(u->kind == ZaloEventKind::kUnfollow);
}

TEST_CASE("follow with sender/recipient is accepted too", "[zalo_event]") {
  json j = TextEvent();
  j["event_name"] = "follow";
  j.erase("message");
  auto f = ParseZaloEvent(j.dump());
  REQUIRE(f.ok());
  CHECK(f->sender_id == "246845162435965");
  CHECK(f->recipient_id == "388613280878808645");
}

TEST_CASE("other events are ignored but still carry app_id and timestamp", "[zalo_event]") {
  json j = json::parse(R"({"event_name":"user_seen_message","app_id":"1",
                           "timestamp":"1763855000000","message":{"msg_ids":["a"]}})");
  auto e = ParseZaloEvent(j.dump());
  REQUIRE(e.ok());
  CHECK(e->kind == ZaloEventKind::kIgnored);
  CHECK(e->event_name == "user_seen_message");
  CHECK(ZaloEventKindName(e->kind) == "ignored");
}

TEST_CASE("malformed bodies are INVALID_ARGUMENT with a clear message", "[zalo_event]") {
  struct Case {
    std::string body;
    std::string expect;
  };
  auto without = [](const char* key) {
    json j = TextEvent();
    j.erase(key);
    return j.dump();
  };
  auto with = [](const char* key, json value) {
    json j = TextEvent();
    j[key] = std::move(value);
    return j.dump();
  };
  auto with_message = [](json message) {
    json j = TextEvent();
    j["message"] = std::move(message);
    return j.dump();
  };
  const Case cases[] = {
      {"{not json", "not valid JSON"},
      {"", "not valid JSON"},
      {"[1,2]", "must be a JSON object"},
      {without("event_name"), "missing event_name"},
      {with("event_name", 5), "event_name must be a string"},
      {without("app_id"), "missing app_id"},
      {without("timestamp"), "missing timestamp"},
      {with("timestamp", "12ab"), "timestamp must be milliseconds"},
      {with("timestamp", true), "timestamp must be a string or a number"},
      {with("timestamp", "0"), "timestamp out of range"},
      {without("sender"), "missing sender"},
      {with("sender", "x"), "sender must be an object"},
      {with("sender", json::object()), "missing sender.id"},
      {without("recipient"), "missing recipient"},
      {without("message"), "missing message"},
      {with("message", json::array()), "message must be an object"},
      {with_message({{"text", "hi"}}), "missing message.msg_id"},
      {with_message({{"msg_id", "m"}}), "missing message.text"},
      {with_message({{"msg_id", "m"}, {"text", 3}}), "message.text must be a string"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto e = ParseZaloEvent(c.body);
    REQUIRE(e.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(e), Catch::Contains(c.expect));
  }
}

TEST_CASE("bad attachments are INVALID_ARGUMENT", "[zalo_event]") {
  auto image_with = [](json attachments) {
    json j = ImageEvent(1);
    j["message"]["attachments"] = std::move(attachments);
    return j.dump();
  };
  struct Case {
    std::string body;
    std::string expect;
  };
  const Case cases[] = {
      {image_with(json::array()), "attachments is empty"},
      {image_with("x"), "attachments must be an array"},
      {image_with({1}), "attachments[0] must be an object"},
      {image_with({{{"type", "image"}}}), "missing message.attachments[0].payload"},
      {image_with({{{"type", "image"}, {"payload", {{"thumbnail", "t"}}}}}),
       "missing message.attachments[0].payload.url"},
      {image_with({{{"type", "image"}, {"payload", {{"url", 7}}}}}),
       "payload.url must be a string"},
      {image_with({{{"type", "audio"}, {"payload", {{"url", "u"}}}}}), "expected \"image\""},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto e = ParseZaloEvent(c.body);
    REQUIRE(e.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(e), Catch::Contains(c.expect));
  }
}

TEST_CASE("a body over 64 KiB is refused before parsing", "[zalo_event]") {
  json j = TextEvent();
  j["message"]["text"] = std::string(kMaxEventBodyBytes, 'a');
  auto e = ParseZaloEvent(j.dump());
  REQUIRE(e.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(e), Catch::Contains("over the limit"));

  // Just under the limit parses.
  json small = TextEvent();
  small["message"]["text"] = "";
  const size_t overhead = small.dump().size();
  small["message"]["text"] = std::string(kMaxEventBodyBytes - overhead, 'a');
  REQUIRE(small.dump().size() == kMaxEventBodyBytes);
  CHECK(ParseZaloEvent(small.dump()).ok());
}

}  // namespace
}  // namespace cdkv::chat
