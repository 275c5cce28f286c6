#include "services/chat/oa_client.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/chat/local_http_server.h"
#include "tests/support/free_port.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;
using testing::LocalHttpServer;

struct Recorded {
  std::string path;
  std::string token;
  std::string content_type;
  std::string body;
};

// A fake OA API: answers the i-th request with statuses[i] (then 200) and
// `answer` as body, and records every request.
class FakeOaApi {
 public:
  FakeOaApi(std::vector<int> statuses, std::string answer)
      : statuses_(std::move(statuses)), answer_(std::move(answer)) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back({req.path, req.get_header_value("access_token"),
                       req.get_header_value("Content-Type"), req.body});
      const size_t i = seen_.size() - 1;
      res.status = i < statuses_.size() ? statuses_[i] : 200;
      res.set_content(res.status == 200 ? answer_ : "{\"oops\":true}", "application/json");
    };
    server_.server().Post("/v3.0/oa/message/cs", handler);
    server_.server().Post("/v3.0/oa/message/transaction", handler);
    server_.server().Post("/prefix/v3.0/oa/message/cs", handler);
    server_.Start();
  }

  std::string Base() const { return "http://" + server_.HostPort(); }
  std::vector<Recorded> Seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  LocalHttpServer server_;
  std::mutex mu_;
  std::vector<int> statuses_;
  std::string answer_;
  std::vector<Recorded> seen_;
};

constexpr char kOk[] = R"({"error":0,"message":"Success","data":{"message_id":"m-42","user_id":"u1"}})";

OaClientOptions Options(const std::string& base) {
  OaClientOptions o;
  o.base_url = base;
  o.access_token = "tok-123";
  o.timeout = absl::Seconds(5);
  o.max_attempts = 3;
  o.initial_backoff = absl::Milliseconds(100);
  o.max_backoff = absl::Milliseconds(150);
  return o;
}

struct SleepLog {
  std::vector<absl::Duration> waits;
  OaClient::SleepFn Fn() {
    return [this](absl::Duration d) { waits.push_back(d); };
  }
};

TEST_CASE("customer-service text has the v3 shape", "[oa_client]") {
  FakeOaApi api({}, kOk);
  SleepLog sleeps;
  OaClient client(Options(api.Base()), sleeps.Fn());
  auto id = client.SendText("246845162435965", "Đã nhận 2 ảnh.");
  REQUIRE(id.ok());
  CHECK(*id == "m-42");
  auto seen = api.Seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].path == "/v3.0/oa/message/cs");
  CHECK(seen[0].token == "tok-123");
  CHECK(seen[0].content_type == "application/json");
  json body = json::parse(seen[0].body);
  CHECK(body == json{{"recipient", {{"user_id", "246845162435965"}}},
                     {"message", {{"text", "Đã nhận 2 ảnh."}}}});
  CHECK(sleeps.waits.empty());
}

TEST_CASE("pickup notice is a transaction template with a table", "[oa_client]") {
  FakeOaApi api({}, kOk);
  OaClient client(Options(api.Base()), SleepLog().Fn());
  PickupNotice n;
  n.filing_id = "HS0123456789";
  n.procedure_name_vi = "Đăng ký khai sinh";
  n.place_vi = "Bộ phận một cửa UBND xã Tân Mỹ";
  n.when_vi = "8:00–11:00 thứ Hai 24/11/2026";
  n.bring_vi = "Căn cước công dân";
  n.pickup_code = "123456";
  REQUIRE(client.SendPickupNotice("u1", n).ok());
  auto seen = api.Seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].path == "/v3.0/oa/message/transaction");
  json body = json::parse(seen[0].body);
  CHECK(body["recipient"]["user_id"] == "u1");
  const json& payload = body["message"]["attachment"]["payload"];
  CHECK(body["message"]["attachment"]["type"] == "template");
  CHECK(payload["template_type"] == "transaction_event");
  CHECK(payload["language"] == "VI");
  const json& elements = payload["elements"];
  REQUIRE(elements.size() == 3);
  CHECK(elements[0]["type"] == "header");
  CHECK(elements[2]["type"] == "table");
  const json& table = elements[2]["content"];
  REQUIRE(table.size() == 6);
  CHECK(table[0] == json{{"key", "Mã hồ sơ"}, {"value", "HS0123456789"}});
  CHECK(table[5] == json{{"key", "Mã nhận kết quả"}, {"value", "123456"}});

  // Empty optional rows are left out; an empty filing id is refused.
  PickupNotice minimal;
  minimal.filing_id = "HS0123456789";
  REQUIRE(client.SendPickupNotice("u1", minimal).ok());
  CHECK(json::parse(api.Seen()[1].body)["message"]["attachment"]["payload"]["elements"][2]
                   ["content"]
                       .size() == 1);
  CHECK(client.SendPickupNotice("u1", PickupNotice{}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a base URL with a path prefix is honoured", "[oa_client]") {
  FakeOaApi api({}, kOk);
  OaClient client(Options(api.Base() + "/prefix/"), SleepLog().Fn());
  REQUIRE(client.SendText("u1", "hi").ok());
  CHECK(api.Seen().at(0).path == "/prefix/v3.0/oa/message/cs");
}

TEST_CASE("5xx and 429 are retried with backoff, then succeed", "[oa_client]") {
  FakeOaApi api({503, 429}, kOk);
  SleepLog sleeps;
  OaClient client(Options(api.Base()), sleeps.Fn());
  auto id = client.SendText("u1", "hi");
  REQUIRE(id.ok());
  CHECK(api.Seen().size() == 3);
  REQUIRE(sleeps.waits.size() == 2);
  CHECK(sleeps.waits[0] == absl::Milliseconds(100));
  CHECK(sleeps.waits[1] == absl::Milliseconds(150));  // doubled, capped at max_backoff
  // Every attempt carried the same body.
  auto seen = api.Seen();
  CHECK(seen[0].body == seen[2].body);
}

TEST_CASE("persistent 5xx gives UNAVAILABLE after max_attempts", "[oa_client]") {
  FakeOaApi api({500, 502, 503, 504}, kOk);
  SleepLog sleeps;
  OaClient client(Options(api.Base()), sleeps.Fn());
  auto id = client.SendText("u1", "hi");
  CHECK(id.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(id.status().message()), Catch::Contains("after 3 attempts"));
  CHECK_THAT(std::string(id.status().message()), Catch::Contains("HTTP 503"));
  CHECK(api.Seen().size() == 3);
  CHECK(sleeps.waits.size() == 2);
}

TEST_CASE("network errors are retried", "[oa_client]") {
  auto port = cdkv::testing::FreeLoopbackPort();
  REQUIRE(port.ok());
  SleepLog sleeps;
  OaClient client(Options("http://127.0.0.1:" + std::to_string(*port)), sleeps.Fn());
  auto id = client.SendText("u1", "hi");
  CHECK(id.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(id.status().message()), Catch::Contains("unreachable"));
  CHECK(sleeps.waits.size() == 2);
}

TEST_CASE("4xx and API error codes are not retried", "[oa_client]") {
  {
    FakeOaApi api({400}, kOk);
    SleepLog sleeps;
    auto id = OaClient(Options(api.Base()), sleeps.Fn()).SendText("u1", "hi");
    CHECK(id.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(id.status().message()), Catch::Contains("HTTP 400"));
    CHECK(api.Seen().size() == 1);
    CHECK(sleeps.waits.empty());
  }
  {
    FakeOaApi api({}, R"({"error":-216,"message":"Access token is invalid"})");
    SleepLog sleeps;
    auto id = OaClient(Options(api.Base()), sleeps.Fn()).SendText("u1", "hi");
    CHECK(id.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(id.status().message()), Catch::Contains("-216"));
    CHECK_THAT(std::string(id.status().message()), Catch::Contains("Access token is invalid"));
    CHECK(api.Seen().size() == 1);
  }
  {
    FakeOaApi api({}, "not json");
    auto id = OaClient(Options(api.Base()), SleepLog().Fn()).SendText("u1", "hi");
    CHECK(id.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(id.status().message()), Catch::Contains("not JSON"));
  }
  {
    FakeOaApi api({}, R"({"error":"x","message":5})");
    auto id = OaClient(Options(api.Base()), SleepLog().Fn()).SendText("u1", "hi");
    CHECK(id.status().code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("bad input and configuration send nothing", "[oa_client]") {
  FakeOaApi api({}, kOk);
  OaClient client(Options(api.Base()), SleepLog().Fn());
  CHECK(client.SendText("", "hi").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(client.SendText("u1", "").status().code() == absl::StatusCode::kInvalidArgument);
  // 2000 characters (multi-byte) pass the length check; 2001 do not.
  std::string ok_text;
  for (int i = 0; i < 2000; ++i) ok_text += "ả";
  CHECK(client.SendText("u1", ok_text).ok());
  CHECK(client.SendText("u1", ok_text + "a").status().code() ==
        absl::StatusCode::kInvalidArgument);

  OaClientOptions no_token = Options(api.Base());
  no_token.access_token.clear();
  CHECK(OaClient(no_token, SleepLog().Fn()).SendText("u1", "hi").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  OaClientOptions bad_base = Options("ftp://example.com");
  CHECK(OaClient(bad_base, SleepLog().Fn()).SendText("u1", "hi").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(api.Seen().size() == 1);  // only the 2000-character message
}

}  // namespace
}  // namespace cdkv::chat
