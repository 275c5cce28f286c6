#include "workers/notifier.h"

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/queue/job_stream.h"
#include "tests/support/free_port.h"
#include "tests/workers/workers_test_util.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

// A gateway on 127.0.0.1 that answers with the next status of `statuses`
// (then 200) and records what it was sent.
class FakeGateway {
 public:
  explicit FakeGateway(std::vector<int> statuses)
      : statuses_(std::move(statuses)) {
    server_.Post("/sms",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   absl::MutexLock lock(&mu_);
                   bodies_.push_back(req.body);
                   keys_.push_back(req.get_header_value("Idempotency-Key"));
                   const size_t i = bodies_.size() - 1;
                   res.status = i < statuses_.size() ? statuses_[i] : 200;
                   res.set_content("{}", "application/json");
                 });
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      auto port = testing::FreeLoopbackPort();
      REQUIRE(port.ok());
      if (server_.bind_to_port("127.0.0.1", *port)) port_ = *port;
    }
    REQUIRE(port_ != 0);
    // bind_to_port already listens, so requests queue until the loop runs.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeGateway() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/sms";
  }
  size_t Requests() {
    absl::MutexLock lock(&mu_);
    return bodies_.size();
  }
  std::vector<std::string> Bodies() {
    absl::MutexLock lock(&mu_);
    return bodies_;
  }
  std::vector<std::string> Keys() {
    absl::MutexLock lock(&mu_);
    return keys_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<int> statuses_;
  std::vector<std::string> bodies_;
  std::vector<std::string> keys_;
};

struct Fixture {
  Fixture() {
    client = std::make_unique<queue::RedisClient>(env.Connect());
    stream = std::make_unique<queue::JobStream>(*client, kNotificationStream);
    REQUIRE(stream->EnsureGroup().ok());
    env.AddFiling("F1", domain::State::kReadyForPickup, absl::Now());
  }

  // Adds the notification and its job, as the outbox dispatcher would.
  int64_t Notify(const std::string& text) {
    records::NotificationRow row;
    row.citizen_id = "citizen-1";
    row.filing_id = "F1";
    row.kind = "ready_for_pickup";
    row.text = text;
    row.pickup_json = R"({"pickupCode":"123456","deskName":"UBND xã"})";
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
    REQUIRE(stream
                ->Add({{std::string(kJobNotificationId), std::to_string(id)},
                       {std::string(kJobCitizenId), "citizen-1"}})
                .ok());
    return id;
  }

  Notifier::Options Options(const std::string& url) {
    Notifier::Options options;
    options.redis = env.RedisOptions();
    options.webhook_url = url;
    options.lease = absl::Milliseconds(200);
    options.max_deliveries = 3;
    options.read_block = absl::Milliseconds(100);
    options.http_timeout = absl::Seconds(2);
    return options;
  }

  int64_t StreamLength() {
    auto reply = client->Command({"XLEN", stream->stream_key()});
    REQUIRE(reply.ok());
    return reply->integer;
  }

  Env env;
  std::unique_ptr<queue::RedisClient> client;
  std::unique_ptr<queue::JobStream> stream;
};

TEST_CASE("The notifier posts to the gateway and retries after a 500") {
  Fixture f;
  FakeGateway gateway({500});
  const int64_t id = f.Notify("Hồ sơ của bạn đã có kết quả");
  Notifier notifier(*f.env.records, f.Options(gateway.Url()));
  REQUIRE(notifier.Start().ok());
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  notifier.Stop();

  REQUIRE(gateway.Requests() == 2);
  CHECK(gateway.Keys() ==
        std::vector<std::string>{std::to_string(id), std::to_string(id)});
  nlohmann::json body = nlohmann::json::parse(gateway.Bodies()[1]);
  CHECK(body["notification_id"] == id);
  CHECK(body["citizen_id"] == "citizen-1");
  CHECK(body["filing_id"] == "F1");
  CHECK(body["kind"] == "ready_for_pickup");
  CHECK(body["text"] == "Hồ sơ của bạn đã có kết quả");
  CHECK(body["pickup"]["pickupCode"] == "123456");
  CHECK(f.stream->ListDeadLetters(10)->empty());
}

TEST_CASE("A gateway that keeps failing dead-letters the notification") {
  Fixture f;
  FakeGateway gateway({500, 502, 503, 500, 500});
  f.Notify("x");
  Notifier notifier(*f.env.records, f.Options(gateway.Url()));
  REQUIRE(notifier.Start().ok());
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  notifier.Stop();
  CHECK(gateway.Requests() == 3);
  auto dead = f.stream->ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].error.find("503") != std::string::npos);
}

TEST_CASE("A request the gateway refuses is dead-lettered at once") {
  Fixture f;
  FakeGateway gateway({400});
  f.Notify("x");
  Notifier notifier(*f.env.records, f.Options(gateway.Url()));
  REQUIRE(notifier.Start().ok());
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  notifier.Stop();
  CHECK(gateway.Requests() == 1);
  REQUIRE(f.stream->ListDeadLetters(10)->size() == 1);
}

TEST_CASE("A notification missing from the store is dead-lettered") {
  Fixture f;
  FakeGateway gateway({});
  REQUIRE(f.stream
              ->Add({{std::string(kJobNotificationId), "999"},
                     {std::string(kJobCitizenId), "citizen-1"}})
              .ok());
  Notifier notifier(*f.env.records, f.Options(gateway.Url()));
  REQUIRE(notifier.Start().ok());
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  notifier.Stop();
  CHECK(gateway.Requests() == 0);
  auto dead = f.stream->ListDeadLetters(10);
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].error.find("999") != std::string::npos);
}

TEST_CASE("Without a webhook the notifier acks without sending") {
  Fixture f;
  f.Notify("x");
  Notifier notifier(*f.env.records, f.Options(""));
  REQUIRE(notifier.Start().ok());
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  notifier.Stop();
  CHECK(f.stream->ListDeadLetters(10)->empty());
}

TEST_CASE("A webhook URL that is not http(s) is refused at start") {
  Fixture f;
  for (const char* url :
       {"ftp://gateway.example/sms", "gateway.example/sms", "http://"}) {
    Notifier notifier(*f.env.records, f.Options(url));
    CHECK(absl::IsInvalidArgument(notifier.Start()));
  }
}

}  // namespace
}  // namespace cdkv::workers
