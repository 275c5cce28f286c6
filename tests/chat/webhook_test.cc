#include "services/chat/webhook.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace cdkv::chat {
namespace {

using nlohmann::json;

const OaAccount kAccount{"388613280878808645", "360846524940903967", "oa-secret", "lv.tan_my"};
constexpr int64_t kStampMs = 1763855000000;
const absl::Time kNow = absl::FromUnixMillis(kStampMs) + absl::Seconds(2);

std::string Body(const std::string& app_id = kAccount.app_id,
                 const std::string& oa = kAccount.oa_id) {
  return json{{"app_id", app_id},
              {"event_name", "user_send_text"},
              {"timestamp", std::to_string(kStampMs)},
              {"sender", {{"id", "u1"}}},
              {"recipient", {{"id", oa}}},
              {"message", {{"msg_id", "m1"}, {"text", "khai sinh"}}}}
      .dump();
}

std::string Sign(const std::string& body, const std::string& app_id = kAccount.app_id,
                 const std::string& secret = kAccount.secret) {
  return "mac=" + ZaloMacHex(app_id, body, std::to_string(kStampMs), secret);
}

TEST_CASE("a signed event for our OA is accepted", "[webhook]") {
  const std::string body = Body();
  auto e = AuthenticateWebhook(Sign(body), body, kAccount, kNow);
  REQUIRE(e.ok());
  CHECK(e->msg_id == "m1");
  CHECK(e->text == "khai sinh");
  CHECK(HttpStatusFor(e.status()) == 200);
}

TEST_CASE("missing or wrong signatures are 401", "[webhook]") {
  const std::string body = Body();
  for (const std::string& header :
       {std::string(), Sign(body, kAccount.app_id, "wrong-secret"), Sign(body + " ")}) {
    auto e = AuthenticateWebhook(header, body, kAccount, kNow);
    CHECK(e.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(HttpStatusFor(e.status()) == 401);
  }
  // Replayed later than the window.
  auto old = AuthenticateWebhook(Sign(body), body, kAccount, kNow + absl::Minutes(10));
  CHECK(HttpStatusFor(old.status()) == 401);
}

TEST_CASE("an event for another app is 401 even when signed with its app id", "[webhook]") {
  const std::string body = Body("999");
  // Signed by someone who knows our secret but claims another app: the MAC over
  // our app id does not match.
  CHECK(AuthenticateWebhook(Sign(body, "999"), body, kAccount, kNow).status().code() ==
        absl::StatusCode::kUnauthenticated);
  // Signed with our app id while the body names another app.
  auto e = AuthenticateWebhook(Sign(body), body, kAccount, kNow);
  CHECK(e.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(e.status().message()), Catch::Contains("another app"));
}

TEST_CASE("a signed event addressed to another OA is 403", "[webhook]") {
  const std::string body = Body(kAccount.app_id, "111");
  auto e = AuthenticateWebhook(Sign(body), body, kAccount, kNow);
  CHECK(e.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(HttpStatusFor(e.status()) == 403);
}

TEST_CASE("a malformed body is 400", "[webhook]") {
  auto e = AuthenticateWebhook("mac=00", "{", kAccount, kNow);
  CHECK(HttpStatusFor(e.status()) == 400);
  CHECK(HttpStatusFor(absl::InternalError("x")) == 500);
}

}  // namespace
}  // namespace cdkv::chat
