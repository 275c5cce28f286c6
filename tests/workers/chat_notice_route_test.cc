// The Notifier with chat routing: a real record store and Redis, a real
// ChatStore and ChatSender, a local OA API and a local webhook gateway.
#include "services/chat/chat_notice_route.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cdkv/v1/common.pb.h"
#include "services/queue/job_stream.h"
#include "tests/chat/local_http_server.h"
#include "tests/workers/workers_test_util.h"
#include "workers/notifier.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using chat::testing::LocalHttpServer;
using nlohmann::json;

constexpr char kToken[] = "tok-oa-route";
constexpr char kOk[] =
    R"({"error":0,"message":"Success","data":{"message_id":"m-1"}})";

struct Hit {
  std::string path;
  std::string token;
  json body;
};

// Records every POST to the OA API paths and to the notification webhook.
class Recorder {
 public:
  Recorder() {
    auto record = [this](const char* answer) {
      return
          [this, answer](const httplib::Request& req, httplib::Response& res) {
            {
              std::lock_guard<std::mutex> lock(mu_);
              hits_.push_back({req.path, req.get_header_value("access_token"),
                               json::parse(req.body, nullptr, false)});
            }
            res.set_content(answer, "application/json");
          };
    };
    server_.server().Post("/v3.0/oa/message/cs", record(kOk));
    server_.server().Post("/v3.0/oa/message/transaction", record(kOk));
    server_.server().Post("/gateway", record("{}"));
    server_.Start();
  }
  std::string Base() const { return "http://" + server_.HostPort(); }
  std::vector<Hit> Hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Hit> out;
    for (const Hit& h : hits_) {
      if (h.path == path) out.push_back(h);
    }
    return out;
  }

 private:
  LocalHttpServer server_;
  std::mutex mu_;
  std::vector<Hit> hits_;
};

// PickupDetails as the desk service writes them (proto JSON).
std::string PickupJson(const std::string& code) {
  cdkv::v1::PickupDetails pickup;
  pickup.set_pickup_code(code);
  pickup.set_desk_name("Bộ phận một cửa xã Mỹ An Hưng A");
  pickup.set_address("Ấp An Hòa, xã Mỹ An Hưng A");
  pickup.set_opening_hours("Thứ Hai–Thứ Sáu 7:00–11:30, 13:30–17:00");
  pickup.add_bring("Mã nhận kết quả " + code);
  pickup.add_bring("Bản chính Căn cước công dân");
  // 20:00 UTC on 23 November is already the 24th in Vietnam.
  *pickup.mutable_ready_from() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          1'795'464'000'000);
  pickup.set_delivery(cdkv::v1::RESULT_DELIVERY_DESK_PICKUP);
  std::string out;
  REQUIRE(google::protobuf::util::MessageToJsonString(pickup, &out).ok());
  return out;
}

struct Fixture {
  Fixture() {
    client = std::make_unique<queue::RedisClient>(env.Connect());
    stream = std::make_unique<queue::JobStream>(*client, kNotificationStream);
    REQUIRE(stream->EnsureGroup().ok());
    env.AddFiling("F-CHAT", domain::State::kReadyForPickup, absl::Now());
    env.AddFiling("F-APP", domain::State::kReadyForPickup, absl::Now());
    auto store = chat::ChatStore::Open((env.dir.path() / "chat.db").string());
    REQUIRE(store.ok());
    chat_store = *std::move(store);
    REQUIRE(chat_store->LinkFiling("F-CHAT", "oa-1", "user-an").ok());
    chat::ChatSender::Options o;
    o.db_path = (env.dir.path() / "chat_outbox.db").string();
    o.api_base_url = recorder.Base();
    o.access_tokens = {{"oa-1", kToken}};
    o.initial_backoff = absl::Milliseconds(50);
    auto sender = chat::ChatSender::Open(o);
    REQUIRE(sender.ok());
    chat_sender = *std::move(sender);
    chat_sender->Start();
  }
  ~Fixture() {
    if (notifier) notifier->Stop();
    chat_sender->Stop();
  }

  // Adds the notification and its job, as the outbox dispatcher would.
  int64_t Notify(const std::string& filing_id, const std::string& kind,
                 const std::string& text, const std::string& pickup_json) {
    records::NotificationRow row;
    row.citizen_id = "citizen-1";
    row.filing_id = filing_id;
    row.kind = kind;
    row.text = text;
    row.pickup_json = pickup_json;
    row.at = absl::Now();
    int64_t id = 0;
    REQUIRE(env.records
                ->Write([&](records::Tx& tx) -> absl::Status {
                  auto added = tx.AddNotification(row);
                  if (!added.ok()) return added.status();
                  id = *added;
                  return absl::OkStatus();
                })
                .ok());
    AddJob(id);
    return id;
  }
  void AddJob(int64_t id) {
    REQUIRE(stream
                ->Add({{std::string(kJobNotificationId), std::to_string(id)},
                       {std::string(kJobCitizenId), "citizen-1"}})
                .ok());
  }

  void StartNotifier() {
    Notifier::Options options;
    options.redis = env.RedisOptions();
    options.webhook_url = recorder.Base() + "/gateway";
    options.lease = absl::Milliseconds(200);
    options.max_deliveries = 3;
    options.read_block = absl::Milliseconds(100);
    options.http_timeout = absl::Seconds(2);
    options.chat_route = chat::ChatNoticeRoute(*chat_store, *chat_sender);
    notifier = std::make_unique<Notifier>(*env.records, options);
    REQUIRE(notifier->Start().ok());
  }

  int64_t StreamLength() {
    auto reply = client->Command({"XLEN", stream->stream_key()});
    REQUIRE(reply.ok());
    return reply->integer;
  }
  int64_t ChatPending() {
    auto n = chat_sender->PendingCount();
    REQUIRE(n.ok());
    return *n;
  }
  bool Drained() { return StreamLength() == 0 && ChatPending() == 0; }

  Env env;
  Recorder recorder;
  std::unique_ptr<queue::RedisClient> client;
  std::unique_ptr<queue::JobStream> stream;
  std::unique_ptr<chat::ChatStore> chat_store;
  std::unique_ptr<chat::ChatSender> chat_sender;
  std::unique_ptr<Notifier> notifier;
};

TEST_CASE(
    "A chat filing's pickup notice reaches its chat, an app filing's the "
    "webhook",
    "[chat_route]") {
  Fixture f;
  const int64_t chat_id =
      f.Notify("F-CHAT", "result_ready", "Hồ sơ F-CHAT đã có kết quả.",
               PickupJson("482913"));
  const int64_t app_id =
      f.Notify("F-APP", "result_ready", "Hồ sơ F-APP đã có kết quả.",
               PickupJson("111222"));
  f.StartNotifier();
  REQUIRE(Eventually([&] { return f.Drained(); }));
  REQUIRE(Eventually([&] { return f.recorder.Hits("/gateway").size() == 1; }));

  auto notices = f.recorder.Hits("/v3.0/oa/message/transaction");
  REQUIRE(notices.size() == 1);
  CHECK(f.recorder.Hits("/v3.0/oa/message/cs").empty());
  const Hit& n = notices[0];
  CHECK(n.token == kToken);
  CHECK(n.body["recipient"]["user_id"] == "user-an");
  const json& payload = n.body["message"]["attachment"]["payload"];
  CHECK(payload["template_type"] == "transaction_event");
  std::map<std::string, std::string> table;
  for (const json& element : payload["elements"]) {
    if (element["type"] != "table") continue;
    for (const json& row : element["content"]) table[row["key"]] = row["value"];
  }
  CHECK(table["Mã hồ sơ"] == "F-CHAT");
  CHECK(table["Mã nhận kết quả"] == "482913");
  CHECK(table["Nơi nhận"] ==
        "Bộ phận một cửa xã Mỹ An Hưng A, Ấp An Hòa, xã Mỹ An Hưng A");
  CHECK(table["Thời gian"] ==
        "Từ ngày 24/11/2026, Thứ Hai–Thứ Sáu 7:00–11:30, 13:30–17:00");
  CHECK(table["Mang theo"] ==
        "Mã nhận kết quả 482913; Bản chính Căn cước công dân");

  json webhook = f.recorder.Hits("/gateway")[0].body;
  CHECK(webhook["notification_id"] == app_id);
  CHECK(webhook["filing_id"] == "F-APP");
  CHECK(webhook["pickup"]["pickupCode"] == "111222");
  CHECK(chat_id != app_id);
  CHECK(f.stream->ListDeadLetters(10)->empty());
  CHECK(f.chat_sender->DeadLetters(10)->empty());
}

TEST_CASE("A status change of a chat filing arrives as a text in its chat",
          "[chat_route]") {
  Fixture f;
  f.Notify("F-CHAT", "status",
           "Hồ sơ F-CHAT đã được chuyển đến bộ phận một cửa.", "");
  std::string long_text;
  for (int i = 0; i < 2100; ++i) long_text += "ư";
  f.Notify("F-CHAT", "status", long_text, "");
  f.StartNotifier();
  REQUIRE(Eventually([&] { return f.Drained(); }));
  auto texts = f.recorder.Hits("/v3.0/oa/message/cs");
  REQUIRE(texts.size() == 2);
  CHECK(texts[0].body["message"]["text"] ==
        "Hồ sơ F-CHAT đã được chuyển đến bộ phận một cửa.");
  // Cut to the OA's 2,000 characters, the last one an ellipsis.
  const std::string cut = texts[1].body["message"]["text"];
  CHECK(cut.size() == 1999 * 2 + 3);
  CHECK(cut.substr(cut.size() - 3) == "…");
  CHECK(f.recorder.Hits("/gateway").empty());
}

TEST_CASE("A redelivered notification reaches the chat once", "[chat_route]") {
  Fixture f;
  const int64_t id =
      f.Notify("F-CHAT", "result_ready", "x", PickupJson("777888"));
  f.AddJob(id);  // at-least-once: the same notification queued twice
  f.StartNotifier();
  REQUIRE(Eventually([&] { return f.Drained(); }));
  absl::SleepFor(absl::Milliseconds(200));
  CHECK(f.recorder.Hits("/v3.0/oa/message/transaction").size() == 1);
  CHECK(f.recorder.Hits("/gateway").empty());
}

TEST_CASE(
    "Unreadable pickup details of a chat filing are dead-lettered, nothing "
    "sent",
    "[chat_route]") {
  Fixture f;
  f.Notify("F-CHAT", "result_ready", "x", "{not json");
  f.Notify("F-CHAT", "result_ready", "x", R"({"deskName":"UBND"})");
  f.StartNotifier();
  REQUIRE(Eventually([&] { return f.Drained(); }));
  auto dead = f.stream->ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 2);
  bool not_json = false, no_code = false;
  for (const auto& d : *dead) {
    not_json |= d.error.find("not a JSON object") != std::string::npos;
    no_code |= d.error.find("no pickup code") != std::string::npos;
  }
  CHECK(not_json);
  CHECK(no_code);
  CHECK(f.recorder.Hits("/v3.0/oa/message/transaction").empty());
  CHECK(f.recorder.Hits("/gateway").empty());
}

TEST_CASE("Pickup details become the notice's rows", "[chat_route]") {
  auto n = chat::PickupNoticeFromDetails(
      "F1", R"({"pickupCode":"1","deskName":"UBND"})");
  REQUIRE(n.ok());
  CHECK(n->filing_id == "F1");
  CHECK(n->place_vi == "UBND");
  CHECK(n->when_vi.empty());
  CHECK(n->bring_vi.empty());
  CHECK(absl::IsInvalidArgument(
      chat::PickupNoticeFromDetails("F1", "[]").status()));
  CHECK(absl::IsInvalidArgument(
      chat::PickupNoticeFromDetails("F1", "").status()));
  // A malformed date is left out rather than shown wrong.
  auto bad_date = chat::PickupNoticeFromDetails(
      "F1",
      R"({"pickupCode":"1","readyFrom":"tomorrow","openingHours":"7:00–11:30"})");
  REQUIRE(bad_date.ok());
  CHECK(bad_date->when_vi == "7:00–11:30");
}

TEST_CASE("Texts are cut at a character boundary", "[chat_route]") {
  CHECK(chat::CutToChars("abc", 3) == "abc");
  CHECK(chat::CutToChars("abcd", 3) == "ab…");
  CHECK(chat::CutToChars("ệệệệ", 3) == "ệệ…");
  CHECK(chat::CutToChars("ệệệ", 3) == "ệệệ");
  CHECK(chat::CutToChars("", 3).empty());
  CHECK(chat::CutToChars("abc", 0).empty());
}

}  // namespace
}  // namespace cdkv::workers
