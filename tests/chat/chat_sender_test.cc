#include "services/chat/chat_sender.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "tests/chat/local_http_server.h"
#include "tests/support/temp_dir.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;
using testing::LocalHttpServer;

constexpr char kToken[] = "tok-oa-1";
constexpr char kOk[] =
    R"({"error":0,"message":"Success","data":{"message_id":"m-1"}})";

struct Received {
  std::string path;
  std::string user_id;
  std::string text;  // the text, or the whole template for the pickup notice
  absl::Time at;
  int status;
  bool api_error;
};

// A fake OA message API that checks each request's shape (path, access_token
// header, JSON content type and body) before answering, records what it
// received and answers what `decide` says: an HTTP status (200 = kOk), or
// -1 for an API-level error in a 200 answer.
class FakeOa {
 public:
  using Decide = std::function<int(const Received&, int index)>;

  FakeOa() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Received r{req.path, "", "", absl::Now(), 200, false};
      json body = json::parse(req.body, nullptr, false);
      const bool shape_ok =
          req.get_header_value("access_token") == kToken &&
          req.get_header_value("Content-Type") == "application/json" &&
          body.is_object() && body["recipient"].is_object() &&
          body["recipient"]["user_id"].is_string() &&
          body["message"].is_object();
      if (!shape_ok) {
        std::lock_guard<std::mutex> lock(mu_);
        ++malformed_;
        res.status = 400;
        res.set_content(R"({"error":-201,"message":"bad request"})",
                        "application/json");
        return;
      }
      r.user_id = body["recipient"]["user_id"].get<std::string>();
      if (req.path == "/v3.0/oa/message/cs") {
        r.text = body["message"].value("text", "");
      } else {
        r.text = body["message"].dump();
      }
      Decide decide;
      int index = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        decide = decide_;
        index = calls_++;
      }
      const int verdict = decide ? decide(r, index) : 200;
      if (verdict == -1) {
        r.api_error = true;
        res.set_content(R"({"error":-216,"message":"Access token is invalid"})",
                        "application/json");
      } else {
        r.status = verdict;
        res.status = verdict;
        res.set_content(verdict == 200 ? kOk : "{\"oops\":true}",
                        "application/json");
      }
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(r);
    };
    server_.server().Post("/v3.0/oa/message/cs", handler);
    server_.server().Post("/v3.0/oa/message/transaction", handler);
    server_.Start();
  }

  void SetDecide(Decide decide) {
    std::lock_guard<std::mutex> lock(mu_);
    decide_ = std::move(decide);
  }
  std::string Base() const { return "http://" + server_.HostPort(); }
  std::vector<Received> All() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  // The texts that were accepted (HTTP 200 and API error 0), in arrival order.
  std::vector<std::string> Delivered(const std::string& user_id) {
    std::vector<std::string> out;
    for (const Received& r : All()) {
      if (r.user_id == user_id && r.status == 200 && !r.api_error) {
        out.push_back(r.text);
      }
    }
    return out;
  }
  int malformed() {
    std::lock_guard<std::mutex> lock(mu_);
    return malformed_;
  }

 private:
  LocalHttpServer server_;
  std::mutex mu_;
  Decide decide_;
  int calls_ = 0;
  int malformed_ = 0;
  std::vector<Received> received_;
};

bool Eventually(const std::function<bool()>& condition,
                absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return condition();
}

struct Fixture {
  Fixture() {
    auto created = cdkv::testing::TempDir::Create();
    REQUIRE(created.ok());
    dir.emplace(*std::move(created));
  }

  ChatSender::Options Options() const {
    ChatSender::Options o;
    o.db_path = (dir->path() / "chat_outbox.db").string();
    o.api_base_url = oa.Base();
    o.access_tokens = {{"oa-1", kToken}};
    o.max_attempts = 3;
    o.initial_backoff = absl::Milliseconds(150);
    o.max_backoff = absl::Milliseconds(400);
    o.http_timeout = absl::Seconds(2);
    return o;
  }

  std::unique_ptr<ChatSender> Open(const ChatSender::Options& o) {
    auto sender = ChatSender::Open(o);
    REQUIRE(sender.ok());
    return *std::move(sender);
  }
  std::unique_ptr<ChatSender> Open() { return Open(Options()); }

  int64_t Pending(ChatSender& s) {
    auto n = s.PendingCount();
    REQUIRE(n.ok());
    return *n;
  }

  std::optional<cdkv::testing::TempDir> dir;
  FakeOa oa;
};

const ChatAddress kAn{"oa-1", "user-an"};
const ChatAddress kBinh{"oa-1", "user-binh"};

TEST_CASE("text and pickup notice leave in the OA API's shape",
          "[chat_sender]") {
  Fixture f;
  auto sender = f.Open();
  REQUIRE(sender->EnqueueText(kAn, "Xin chào ông/bà", "k1").ok());
  PickupNotice notice{"HS-000123",
                      "Đăng ký khai sinh",
                      "UBND xã Mỹ An Hưng A",
                      "Thứ Hai–Thứ Sáu 7:00–11:30",
                      "Bản chính CCCD",
                      "482913"};
  REQUIRE(sender->EnqueuePickupNotice(kAn, notice, "k2").ok());
  CHECK(f.Pending(*sender) == 2);
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();

  auto all = f.oa.All();
  REQUIRE(all.size() == 2);
  CHECK(f.oa.malformed() == 0);
  CHECK(all[0].path == "/v3.0/oa/message/cs");
  CHECK(all[0].user_id == "user-an");
  CHECK(all[0].text == "Xin chào ông/bà");
  CHECK(all[1].path == "/v3.0/oa/message/transaction");
  json message = json::parse(all[1].text);
  CHECK(message["attachment"]["payload"]["template_type"] ==
        "transaction_event");
  CHECK(all[1].text.find("482913") != std::string::npos);
  CHECK(all[1].text.find("HS-000123") != std::string::npos);
  CHECK(all[1].text.find("UBND xã Mỹ An Hưng A") != std::string::npos);
  CHECK(sender->DeadLetters(10)->empty());
}

TEST_CASE("a retry holds back the user's next message but not other users",
          "[chat_sender]") {
  std::atomic<bool> failed{false};
  Fixture f;
  // The first attempt of An's first message fails with a 503.
  f.oa.SetDecide([&failed](const Received& r, int) {
    if (r.user_id == "user-an" && r.text == "một" && !failed) {
      failed = true;
      return 503;
    }
    return 200;
  });
  auto sender = f.Open();
  REQUIRE(sender->EnqueueText(kAn, "một", "a1").ok());
  REQUIRE(sender->EnqueueText(kAn, "hai", "a2").ok());
  REQUIRE(sender->EnqueueText(kAn, "ba", "a3").ok());
  REQUIRE(sender->EnqueueText(kBinh, "chào Bình", "b1").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();

  CHECK(f.oa.Delivered("user-an") ==
        std::vector<std::string>{"một", "hai", "ba"});
  CHECK(f.oa.Delivered("user-binh") == std::vector<std::string>{"chào Bình"});
  auto all = f.oa.All();
  REQUIRE(all.size() == 5);
  // Bình was served during An's backoff, before An's retry.
  absl::Time an_retry, binh;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].user_id == "user-binh") binh = all[i].at;
    if (all[i].text == "một" && all[i].status == 200) an_retry = all[i].at;
  }
  CHECK(binh < an_retry);
  CHECK(all[0].text == "một");
  CHECK(all[0].status == 503);
  CHECK(an_retry - all[0].at >= absl::Milliseconds(140));
  CHECK(sender->DeadLetters(10)->empty());
}

TEST_CASE(
    "5xx until the last attempt dead-letters, with backoff, then the queue "
    "moves on",
    "[chat_sender]") {
  Fixture f;
  f.oa.SetDecide(
      [](const Received& r, int) { return r.text == "hỏng" ? 502 : 200; });
  auto sender = f.Open();
  REQUIRE(sender->EnqueueText(kAn, "hỏng", "x1").ok());
  REQUIRE(sender->EnqueueText(kAn, "sau đó", "x2").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();

  auto all = f.oa.All();
  REQUIRE(all.size() == 4);
  for (int i = 0; i < 3; ++i) CHECK(all[i].text == "hỏng");
  // Backoff doubles: 150 ms then 300 ms.
  CHECK(all[1].at - all[0].at >= absl::Milliseconds(140));
  CHECK(all[2].at - all[1].at >= absl::Milliseconds(290));
  CHECK(all[3].text == "sau đó");
  auto dead = sender->DeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  const DeadLetter& d = (*dead)[0];
  CHECK(d.to.oa_id == "oa-1");
  CHECK(d.to.user_id == "user-an");
  CHECK(d.kind == "text");
  CHECK(d.payload == "hỏng");
  CHECK(d.attempts == 3);
  CHECK(d.error.find("HTTP 502") != std::string::npos);
  CHECK(absl::Now() - d.at < absl::Seconds(10));
}

TEST_CASE("a 4xx or an API error is dead-lettered at once", "[chat_sender]") {
  Fixture f;
  f.oa.SetDecide([](const Received& r, int) {
    if (r.text == "bị từ chối") return 403;
    if (r.text == "token hết hạn") return -1;
    return 200;
  });
  auto sender = f.Open();
  REQUIRE(sender->EnqueueText(kAn, "bị từ chối", "r1").ok());
  REQUIRE(sender->EnqueueText(kBinh, "token hết hạn", "r2").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(f.oa.All().size() == 2);
  auto dead = sender->DeadLetters(10);
  REQUIRE(dead->size() == 2);
  for (const DeadLetter& d : *dead) {
    CHECK(d.attempts == 1);
    if (d.payload == "bị từ chối") {
      CHECK(d.error.find("HTTP 403") != std::string::npos);
    } else {
      CHECK(d.payload == "token hết hạn");
      CHECK(d.error.find("Access token is invalid") != std::string::npos);
    }
  }
  CHECK(sender->DeadLetters(1)->size() == 1);
  CHECK(sender->DeadLetters(0)->empty());
}

TEST_CASE("an OA without an access token is dead-lettered with a clear error",
          "[chat_sender]") {
  Fixture f;
  auto sender = f.Open();
  REQUIRE(
      sender->EnqueueText({"oa-unknown", "user-an"}, "xin chào", "u1").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(f.oa.All().empty());
  auto dead = sender->DeadLetters(10);
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].error == "no access token configured for OA \"oa-unknown\"");
  CHECK((*dead)[0].to.oa_id == "oa-unknown");
}

TEST_CASE("a repeated dedupe key is sent once, even after a restart",
          "[chat_sender]") {
  Fixture f;
  {
    auto sender = f.Open();
    REQUIRE(sender->EnqueueText(kAn, "một lần", "notification:7").ok());
    REQUIRE(sender->EnqueueText(kAn, "một lần", "notification:7").ok());
    CHECK(f.Pending(*sender) == 1);
    sender->Start();
    REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
    REQUIRE(sender->EnqueueText(kAn, "khác nội dung", "notification:7").ok());
    CHECK(f.Pending(*sender) == 0);
  }
  auto reopened = f.Open();
  REQUIRE(reopened->EnqueueText(kAn, "một lần", "notification:7").ok());
  CHECK(f.Pending(*reopened) == 0);
  reopened->Start();
  absl::SleepFor(absl::Milliseconds(200));
  reopened->Stop();
  CHECK(f.oa.Delivered("user-an") == std::vector<std::string>{"một lần"});
}

TEST_CASE("sent messages are pruned after keep_sent, dead letters kept",
          "[chat_sender]") {
  Fixture f;
  f.oa.SetDecide(
      [](const Received& r, int) { return r.text == "từ chối" ? 400 : 200; });
  ChatSender::Options o = f.Options();
  o.keep_sent = absl::Milliseconds(1);
  auto sender = f.Open(o);
  REQUIRE(sender->EnqueueText(kAn, "cũ", "p1").ok());
  REQUIRE(sender->EnqueueText(kBinh, "từ chối", "p2").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  // The prune pass runs at most every second (at least keep_sent apart).
  absl::SleepFor(absl::Milliseconds(1500));
  // Its dedupe key is forgotten with the row: the same key is a new message.
  REQUIRE(sender->EnqueueText(kAn, "cũ", "p1").ok());
  REQUIRE(Eventually([&] { return f.oa.Delivered("user-an").size() == 2; }));
  REQUIRE(sender->EnqueueText(kBinh, "từ chối", "p2").ok());
  // The re-sent "cũ" is marked sent just after the OA API answered it.
  CHECK(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(sender->DeadLetters(10)->size() == 1);
}

TEST_CASE("bad messages are refused clearly and nothing is stored",
          "[chat_sender]") {
  Fixture f;
  auto sender = f.Open();
  std::string limit;
  for (size_t i = 0; i < kMaxOaTextChars; ++i) limit += "ệ";  // 3 bytes each
  absl::Status over = sender->EnqueueText(kAn, limit + "a", "o1");
  CHECK(absl::IsInvalidArgument(over));
  CHECK(over.message() ==
        "chat message: text of 2001 characters is over the OA limit of 2000");
  CHECK(absl::IsInvalidArgument(sender->EnqueueText(kAn, "", "o2")));
  CHECK(absl::IsInvalidArgument(sender->EnqueueText({"oa-1", ""}, "x", "o3")));
  CHECK(absl::IsInvalidArgument(sender->EnqueueText({"", "u"}, "x", "o4")));
  CHECK(absl::IsInvalidArgument(sender->EnqueueText(kAn, "x", "")));
  CHECK(absl::IsInvalidArgument(
      sender->EnqueuePickupNotice(kAn, PickupNotice{}, "o5")));
  CHECK(f.Pending(*sender) == 0);

  // Exactly the limit is accepted and arrives whole.
  REQUIRE(sender->EnqueueText(kAn, limit, "o6").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(f.oa.Delivered("user-an") == std::vector<std::string>{limit});
}

TEST_CASE("a restart resumes pending messages and their retry count",
          "[chat_sender]") {
  std::atomic<bool> healthy{false};
  Fixture f;
  f.oa.SetDecide(
      [&healthy](const Received&, int) { return healthy ? 200 : 503; });
  ChatSender::Options o = f.Options();
  o.max_attempts = 3;
  o.initial_backoff = absl::Milliseconds(300);
  {
    auto sender = f.Open(o);
    REQUIRE(sender->EnqueueText(kAn, "trước khi tắt", "s1").ok());
    REQUIRE(sender->EnqueueText(kAn, "thứ hai", "s2").ok());
    sender->Start();
    REQUIRE(Eventually([&] { return f.oa.All().size() == 2; }));
    // Stop during the second backoff: it must not wait for it.
    const absl::Time stop_at = absl::Now();
    sender->Stop();
    CHECK(absl::Now() - stop_at < absl::Milliseconds(250));
    CHECK(f.Pending(*sender) == 2);
  }
  // Never started: what was enqueued is on disk.
  {
    auto sender = f.Open(o);
    REQUIRE(sender->EnqueueText(kBinh, "chưa gửi", "s3").ok());
  }
  healthy = true;
  auto sender = f.Open(o);
  CHECK(f.Pending(*sender) == 3);
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(f.oa.Delivered("user-an") ==
        std::vector<std::string>{"trước khi tắt", "thứ hai"});
  CHECK(f.oa.Delivered("user-binh") == std::vector<std::string>{"chưa gửi"});
  // Two failed attempts before the restart, one good after: the third, not a
  // fourth.
  CHECK(f.oa.All().size() == 5);
  CHECK(sender->DeadLetters(10)->empty());
}

TEST_CASE("a restart keeps counting attempts toward the dead letter",
          "[chat_sender]") {
  Fixture f;
  f.oa.SetDecide([](const Received&, int) { return 500; });
  ChatSender::Options o = f.Options();
  o.initial_backoff = absl::Milliseconds(100);
  {
    auto sender = f.Open(o);
    REQUIRE(sender->EnqueueText(kAn, "x", "d1").ok());
    sender->Start();
    REQUIRE(Eventually([&] { return f.oa.All().size() == 2; }));
    sender->Stop();
  }
  auto sender = f.Open(o);
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(f.oa.All().size() == 3);
  auto dead = sender->DeadLetters(10);
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].attempts == 3);
}

TEST_CASE("a slow OA times out and is retried", "[chat_sender]") {
  Fixture f;
  f.oa.SetDecide([](const Received&, int index) {
    if (index == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    return 200;
  });
  ChatSender::Options o = f.Options();
  o.http_timeout = absl::Milliseconds(300);
  o.initial_backoff = absl::Milliseconds(50);
  auto sender = f.Open(o);
  REQUIRE(sender->EnqueueText(kAn, "chậm", "t1").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  CHECK(sender->DeadLetters(10)->empty());
  // The slow first answer may be recorded after the retry's.
  REQUIRE(Eventually([&] { return f.oa.All().size() == 2; }));
}

TEST_CASE("an unreachable OA API is retried then dead-lettered",
          "[chat_sender]") {
  Fixture f;
  ChatSender::Options o = f.Options();
  o.api_base_url = "http://127.0.0.1:1";
  o.initial_backoff = absl::Milliseconds(20);
  auto sender = f.Open(o);
  REQUIRE(sender->EnqueueText(kAn, "x", "n1").ok());
  sender->Start();
  REQUIRE(Eventually([&] { return f.Pending(*sender) == 0; }));
  sender->Stop();
  auto dead = sender->DeadLetters(10);
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].attempts == 3);
  CHECK((*dead)[0].error.find("unreachable") != std::string::npos);
}

TEST_CASE(
    "many users and messages: every one delivered once, each user in order",
    "[chat_sender]") {
  Fixture f;
  // Every 7th request fails once with a 500.
  f.oa.SetDecide(
      [](const Received&, int index) { return index % 7 == 3 ? 500 : 200; });
  ChatSender::Options o = f.Options();
  o.initial_backoff = absl::Milliseconds(10);
  o.max_attempts = 10;
  auto sender = f.Open(o);
  sender->Start();
  constexpr int kUsers = 8;
  constexpr int kEach = 15;
  std::atomic<int> enqueue_failures{0};
  std::vector<std::thread> writers;
  for (int u = 0; u < kUsers; ++u) {
    writers.emplace_back([&, u] {
      for (int i = 0; i < kEach; ++i) {
        const ChatAddress to{"oa-1", "u" + std::to_string(u)};
        const std::string key = to.user_id + ":" + std::to_string(i);
        if (!sender->EnqueueText(to, std::to_string(i), key).ok())
          ++enqueue_failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  REQUIRE(enqueue_failures == 0);
  REQUIRE(
      Eventually([&] { return f.Pending(*sender) == 0; }, absl::Seconds(30)));
  sender->Stop();
  for (int u = 0; u < kUsers; ++u) {
    std::vector<std::string> want;
    for (int i = 0; i < kEach; ++i) want.push_back(std::to_string(i));
    CHECK(f.oa.Delivered("u" + std::to_string(u)) == want);
  }
  CHECK(sender->DeadLetters(10)->empty());
}

}  // namespace
}  // namespace cdkv::chat
