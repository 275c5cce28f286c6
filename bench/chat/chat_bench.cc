// chat_bench [--seconds S] [--rounds R] [--connections C] [--conversations N]
// (--help for more): the chat intake over a whole in-process stack
// (tests/api/stack.h: a private redis-server, the real Application with its OCR
// pool, the gRPC server and the chat webhook on loopback), with a local OA
// message API and a local host serving the photos the events point at. Each
// figure is printed with a baseline measured in the same run:
//   1. signed webhook events accepted per second (POST /zalo/webhook, C client
//   threads, a new connection per request unless --keep-alive)
//      vs a trivial httplib handler with the same thread count, same bodies,
//      same clients, interleaved in R rounds of S seconds; then how fast the
//      intake worker works off that backlog (replies reaching the OA API);
//   2. time from a conversation's last photo event to its filing on the desk
//   queue (the citizen
//      answers "xong" and "đồng ý" at once), p50/p95 over N conversations one
//      after another, with real OCR, vs the app's path for the same photo over
//      gRPC (CreateFiling, Upload, SubmitFiling -> desk queue), interleaved one
//      app filing per conversation.
// The Stack's helpers assert with Catch2, so everything runs inside one Catch2
// test case.
#define CATCH_CONFIG_RUNNER
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/chat/signature.h"
#include "services/queue/desk_queue.h"
#include "services/queue/redis.h"
#include "tests/api/stack.h"
#include "tests/support/free_port.h"
#include "tests/support/temp_dir.h"

namespace cdkv::bench {
namespace {

using Clock = std::chrono::steady_clock;
using cdkv::testing::Call;
using cdkv::testing::Stack;
using nlohmann::json;

struct Options {
  int seconds = 3;         // length of each timed slice of figure 1
  int rounds = 3;          // endpoint/baseline slice pairs in figure 1
  int connections = 4;     // parallel client threads in figure 1
  int users = 400;         // distinct chat users the figure 1 events come from
  int conversations = 20;  // conversations (and app filings) in figure 2
  // New connection per request by default (figure 1's original mode); both
  // ends set TCP_NODELAY, so keep-alive is no longer capped by Nagle.
  bool keep_alive = false;
  int chat_workers = 4;   // the server's --chat-workers
  int warmup = 1;         // conversations (and app filings) first, not counted
  std::vector<int> only;  // figures to run; empty: all
};
Options g_options;

constexpr char kOaId[] = "388613280878808645";
constexpr char kAppId[] = "360846524940903967";
constexpr char kSecret[] = "bench-oa-secret";
constexpr char kToken[] = "bench-oa-token";
constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, "
    "Đồng "
    "Tháp|15082021";

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
double Sec(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(
      v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

void Header(const std::string& title) {
  std::printf("\n== %s\n", title.c_str());
}

// An httplib server on a free loopback port, run on its own thread.
class LocalServer {
 public:
  explicit LocalServer(int threads) {
    server_.new_task_queue = [threads] {
      return new httplib::ThreadPool(threads);
    };
    // The same as the webhook server, so keep-alive slices compare like with
    // like (without it Nagle caps a reused connection at ~37 requests/s).
    server_.set_tcp_nodelay(true);
  }
  ~LocalServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  void Start() {
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      auto port = cdkv::testing::FreeLoopbackPort();
      REQUIRE(port.ok());
      if (server_.bind_to_port("127.0.0.1", *port)) port_ = *port;
    }
    REQUIRE(port_ != 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(server_.is_running());
  }
  std::string HostPort() const { return absl::StrCat("127.0.0.1:", port_); }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// The OA message API: counts what the server sends, per user, and lets the
// bench wait for it.
class OaApi {
 public:
  OaApi() : server_(4) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      json body = json::parse(req.body, nullptr, false);
      std::string user;
      if (body.is_object() && body["recipient"].is_object() &&
          body["recipient"]["user_id"].is_string()) {
        user = body["recipient"]["user_id"].get<std::string>();
      }
      if (req.get_header_value("access_token") != kToken || user.empty()) {
        res.status = 400;
        ++malformed_;
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++per_user_[user];
        ++total_;
        if (body["message"].is_object() &&
            body["message"]["text"].is_string()) {
          last_text_[user] = body["message"]["text"].get<std::string>();
        }
      }
      cv_.notify_all();
      res.set_content(
          R"({"error":0,"message":"Success","data":{"message_id":"m"}})",
          "application/json");
    };
    server_.server().Post("/v3.0/oa/message/cs", handler);
    server_.server().Post("/v3.0/oa/message/transaction", handler);
    server_.Start();
  }
  std::string Base() const { return "http://" + server_.HostPort(); }
  int64_t Total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }
  int Count(const std::string& user) {
    std::lock_guard<std::mutex> lock(mu_);
    return per_user_[user];
  }
  std::string LastText(const std::string& user) {
    std::lock_guard<std::mutex> lock(mu_);
    return last_text_[user];
  }
  // Waits until `user` has received more than `seen` messages.
  bool WaitBeyond(const std::string& user, int seen, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(
        lock, std::chrono::microseconds(absl::ToInt64Microseconds(timeout)),
        [&] { return per_user_[user] > seen; });
  }
  int malformed() const { return malformed_.load(); }

 private:
  LocalServer server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> per_user_;
  std::map<std::string, std::string> last_text_;
  int64_t total_ = 0;
  std::atomic<int> malformed_{0};
};

// A signed webhook event, as Zalo would POST it.
struct Event {
  std::string body;
  std::string signature;
};

Event MakeEvent(const std::string& user, const std::string& msg_id,
                const json& message, const std::string& name) {
  const std::string stamp = std::to_string(absl::ToUnixMillis(absl::Now()));
  json m = message;
  m["msg_id"] = msg_id;
  const std::string body = json{
      {"app_id", kAppId},
      {"event_name", name},
      {"timestamp", stamp},
      {"sender", {{"id", user}}},
      {"recipient", {{"id", kOaId}}},
      {"message", m}}.dump();
  return {body, "mac=" + chat::ZaloMacHex(kAppId, body, stamp, kSecret)};
}

Event TextEvent(const std::string& user, const std::string& msg_id,
                const std::string& text) {
  return MakeEvent(user, msg_id, {{"text", text}}, "user_send_text");
}

Event ImageEvent(const std::string& user, const std::string& msg_id,
                 const std::string& url) {
  json attachment = {{"type", "image"},
                     {"payload", {{"url", url}, {"thumbnail", url}}}};
  return MakeEvent(user, msg_id,
                   {{"text", ""}, {"attachments", json::array({attachment})}},
                   "user_send_image");
}

int Post(httplib::Client& client, const Event& e) {
  httplib::Headers headers = {{"X-ZEvent-Signature", e.signature}};
  httplib::Result r =
      client.Post("/zalo/webhook", headers, e.body, "application/json");
  return r ? r->status : -1;
}

std::unique_ptr<httplib::Client> NewClient(const std::string& host_port) {
  auto client = std::make_unique<httplib::Client>("http://" + host_port);
  client->set_keep_alive(g_options.keep_alive);
  // Without it Nagle's algorithm holds the body back behind the headers until
  // the server's delayed ACK, ~40 ms a request, and both sides would measure
  // that instead.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(10, 0);
  return client;
}

// ---- figure 1
// ----------------------------------------------------------------------------------

struct SliceResult {
  int64_t ok = 0;
  int64_t refused = 0;
  double seconds = 0;
  double Rate() const {
    return seconds > 0 ? static_cast<double>(ok) / seconds : 0;
  }
};

// C threads, each with its own client, POST distinct signed text
// events for S s.
SliceResult Slice(const std::string& host_port, const std::string& tag) {
  const int c = g_options.connections;
  std::atomic<int64_t> ok{0}, refused{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < c; ++t) {
    threads.emplace_back([&, t] {
      auto client = NewClient(host_port);
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::string user =
            absl::StrCat("load-", (i * c + t) % g_options.users);
        const Event e =
            TextEvent(user, absl::StrCat(tag, "-", t, "-", i), "trạng thái");
        if (Post(*client, e) == 200) {
          ++ok;
        } else {
          ++refused;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(g_options.seconds));
  stop = true;
  for (std::thread& th : threads) th.join();
  return {ok.load(), refused.load(), Sec(Clock::now() - start)};
}

void Figure1(const std::string& webhook_host_port, OaApi& oa) {
  Header(absl::StrCat("1. signed webhook events accepted per second, ",
                      g_options.connections, " client threads",
                      g_options.keep_alive ? " (keep-alive)" : "",
                      ", vs a trivial httplib handler (4 threads)"));
  LocalServer baseline(4);
  baseline.server().Post("/zalo/webhook",
                         [](const httplib::Request&, httplib::Response& res) {
                           res.set_content("{}", "application/json");
                         });
  baseline.Start();

  std::vector<double> endpoint_rates, baseline_rates, ratios;
  int64_t accepted = 0, refused = 0, baseline_refused = 0;
  const int64_t replies_before = oa.Total();
  const auto load_start = Clock::now();
  for (int r = 0; r < g_options.rounds; ++r) {
    const SliceResult b = Slice(baseline.HostPort(), absl::StrCat("b", r));
    const SliceResult e = Slice(webhook_host_port, absl::StrCat("e", r));
    baseline_rates.push_back(b.Rate());
    endpoint_rates.push_back(e.Rate());
    ratios.push_back(b.Rate() > 0 ? e.Rate() / b.Rate() : 0);
    accepted += e.ok;
    refused += e.refused;
    baseline_refused += b.refused;
    std::printf(
        "round %d: endpoint %.0f /s (%lld accepted, %lld refused)  baseline "
        "%.0f /s  "
        "ratio %.1f%%\n",
        r + 1, e.Rate(), static_cast<long long>(e.ok),
        static_cast<long long>(e.refused), b.Rate(), 100 * ratios.back());
  }
  const auto load_end = Clock::now();
  std::printf(
      "endpoint: median %.0f events/s accepted; baseline: median %.0f "
      "requests/s\n",
      Median(endpoint_rates), Median(baseline_rates));
  std::printf("RATIO endpoint / baseline: median %.1f%% (rounds: ",
              100 * Median(ratios));
  for (double x : ratios) std::printf("%.1f%% ", 100 * x);
  std::printf(")\n");
  std::printf("refused: endpoint %lld, baseline %lld\n",
              static_cast<long long>(refused),
              static_cast<long long>(baseline_refused));
  CHECK(refused == 0);

  // The intake works the backlog off after the webhook answered; its replies
  // reaching the OA API show how fast. Done when no reply came for 5 s.
  int64_t last = oa.Total();
  auto last_change = Clock::now();
  while (Clock::now() - last_change < std::chrono::seconds(5) &&
         Clock::now() - load_start < std::chrono::seconds(900)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (const int64_t total = oa.Total(); total != last) {
      last = total;
      last_change = Clock::now();
    }
  }
  const int64_t replies = last - replies_before;
  const double drain = Sec(last_change - load_start);
  std::printf(
      "intake: %lld replies to %lld accepted events reached the OA API; the "
      "last %.1f s "
      "after the load began (the load lasted %.1f s, baseline slices included) "
      "= %.0f "
      "replies/s\n",
      static_cast<long long>(replies), static_cast<long long>(accepted), drain,
      Sec(load_end - load_start), static_cast<double>(replies) / drain);
}

// ---- figure 2
// ----------------------------------------------------------------------------------

// Polls the desk queue until a filing not in `known` appears; returns it, or ""
// on time-out.
std::string WaitNewQueued(queue::DeskQueue& desk, std::set<std::string>& known,
                          Clock::time_point* at, std::chrono::seconds timeout) {
  const auto give_up = Clock::now() + timeout;
  while (Clock::now() < give_up) {
    auto listed = desk.List(cdkv::testing::kDeskA, 10000);
    REQUIRE(listed.ok());
    for (const auto& q : *listed) {
      if (known.insert(q.filing_id).second) {
        *at = Clock::now();
        return q.filing_id;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return "";
}

void Figure2(Stack& stack, const std::string& webhook_host_port, OaApi& oa,
             const std::string& photo_url, const std::string& photo) {
  Header(absl::StrCat(
      "2. last photo event -> filing on the desk queue, ",
      g_options.conversations,
      " chat conversations one after another, real OCR; vs the app's upload + "
      "submit of the same photo"));
  queue::RedisClient::Options redis_options;
  redis_options.host = "127.0.0.1";
  redis_options.port = stack.redis().port();
  auto redis = queue::RedisClient::Connect(redis_options);
  REQUIRE(redis.ok());
  queue::DeskQueue desk(*redis);
  std::set<std::string> known;
  {
    auto listed = desk.List(cdkv::testing::kDeskA, 10000);
    REQUIRE(listed.ok());
    for (const auto& q : *listed) known.insert(q.filing_id);
  }
  const std::string token = stack.CitizenToken("0912000111");
  auto citizen = stack.citizen();
  auto client = NewClient(webhook_host_port);

  std::vector<double> chat_photo_ms, chat_confirm_ms, app_ms;
  int step = 0;
  auto send = [&](const Event& e) { REQUIRE(Post(*client, e) == 200); };
  for (int i = 0; i < g_options.warmup + g_options.conversations; ++i) {
    const bool counted = i >= g_options.warmup;
    const std::string user =
        absl::StrCat("conv-", i, "-", absl::ToUnixMillis(absl::Now()));
    // Greeting and procedure choice, each answered before the next, as a person
    // would.
    int seen = oa.Count(user);
    send(TextEvent(user, absl::StrCat(user, "-", ++step), "xin chào"));
    REQUIRE(oa.WaitBeyond(user, seen, absl::Seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = oa.Count(user);
    send(TextEvent(user, absl::StrCat(user, "-", ++step), "khai sinh"));
    REQUIRE(oa.WaitBeyond(user, seen, absl::Seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // The photo, then "xong" and "đồng ý" at once: what is timed is the system,
    // not the typing.
    const auto photo_sent = Clock::now();
    send(ImageEvent(user, absl::StrCat(user, "-", ++step), photo_url));
    send(TextEvent(user, absl::StrCat(user, "-", ++step), "xong"));
    const auto confirm_sent = Clock::now();
    send(TextEvent(user, absl::StrCat(user, "-", ++step), "đồng ý"));
    Clock::time_point queued;
    const std::string filing =
        WaitNewQueued(desk, known, &queued, std::chrono::seconds(120));
    if (filing.empty()) {
      std::printf(
          "conversation %d: no filing reached the desk queue; last reply: %s\n",
          i, oa.LastText(user).c_str());
    }
    REQUIRE_FALSE(filing.empty());

    // Baseline: the app's path for the same photo, on the same stack, right
    // after.
    const auto app_start = Clock::now();
    cdkv::v1::CreateFilingRequest create;
    create.set_request_id(
        absl::StrCat("bench-app-", i, "-", absl::ToUnixMillis(absl::Now())));
    create.set_procedure_code(cdkv::testing::kBirth);
    create.set_commune_code(cdkv::testing::kCommuneA);
    cdkv::v1::CreateFilingResponse created;
    REQUIRE(citizen->CreateFiling(Call(token).get(), create, &created).ok());
    cdkv::v1::UploadDocumentResponse uploaded;
    REQUIRE(cdkv::testing::Upload(*citizen, token, created.filing().filing_id(),
                                  create.request_id() + "u", photo, "id_card",
                                  &uploaded)
                .ok());
    cdkv::v1::SubmitFilingRequest submit;
    submit.set_request_id(create.request_id() + "s");
    submit.set_filing_id(created.filing().filing_id());
    cdkv::v1::SubmitFilingResponse submitted;
    REQUIRE(citizen->SubmitFiling(Call(token).get(), submit, &submitted).ok());
    Clock::time_point app_queued;
    const std::string app_filing =
        WaitNewQueued(desk, known, &app_queued, std::chrono::seconds(120));
    REQUIRE(app_filing == created.filing().filing_id());
    std::printf(
        "%s %2d: chat %s photo->desk %.0f ms (confirm->desk %.0f ms); "
        "app %s %.0f ms\n",
        counted ? "conversation" : "warm-up",
        counted ? i - g_options.warmup + 1 : i + 1, filing.c_str(),
        Ms(queued - photo_sent), Ms(queued - confirm_sent), app_filing.c_str(),
        Ms(app_queued - app_start));
    if (!counted) continue;
    chat_photo_ms.push_back(Ms(queued - photo_sent));
    chat_confirm_ms.push_back(Ms(queued - confirm_sent));
    app_ms.push_back(Ms(app_queued - app_start));
  }
  const double c50 = Percentile(chat_photo_ms, 0.5),
               c95 = Percentile(chat_photo_ms, 0.95);
  const double a50 = Percentile(app_ms, 0.5), a95 = Percentile(app_ms, 0.95);
  std::printf(
      "chat: last photo event -> desk queue p50 %.0f ms  p95 %.0f ms  (\"đồng "
      "ý\" -> "
      "desk queue p50 %.0f ms  p95 %.0f ms)\n",
      c50, c95, Percentile(chat_confirm_ms, 0.5),
      Percentile(chat_confirm_ms, 0.95));
  std::printf(
      "baseline: app CreateFiling + Upload + SubmitFiling -> desk queue p50 "
      "%.0f ms  "
      "p95 %.0f ms\n",
      a50, a95);
  std::printf("RATIO chat / app: p50 %.2fx  p95 %.2fx\n",
              a50 > 0 ? c50 / a50 : 0, a95 > 0 ? c95 / a95 : 0);
}

bool Runs(int figure) {
  return g_options.only.empty() ||
         std::find(g_options.only.begin(), g_options.only.end(), figure) !=
             g_options.only.end();
}

TEST_CASE("chat bench") {
  auto dir = cdkv::testing::TempDir::Create();
  REQUIRE(dir.ok());
  OaApi oa;
  const std::string photo = cdkv::testing::IdCardPhoto(kPayload);
  LocalServer images(4);
  images.server().Get(
      "/photo.jpg", [&photo](const httplib::Request&, httplib::Response& res) {
        res.set_content(photo, "image/jpeg");
      });
  images.Start();
  auto port = cdkv::testing::FreeLoopbackPort();
  REQUIRE(port.ok());
  const std::string webhook_host_port = absl::StrCat("127.0.0.1:", *port);
  const std::string oa_config = (dir->path() / "oa.json").string();
  {
    std::ofstream out(oa_config);
    out << json::array({{{"oa_id", kOaId},
                         {"app_id", kAppId},
                         {"secret", kSecret},
                         {"commune_code", cdkv::testing::kCommuneA},
                         {"access_token", kToken}}})
               .dump();
  }
  const auto t0 = Clock::now();
  auto stack = Stack::Start([&](server::ServerConfig& config) {
    config.chat_listen = webhook_host_port;
    config.chat_oa_config = oa_config;
    config.chat_api_base = oa.Base();
    config.chat_allow_host = images.HostPort();
    config.chat_workers = g_options.chat_workers;
  });
  std::printf(
      "stack up in %.1f s: redis on port %d, gRPC %s, webhook "
      "http://%s/zalo/webhook, "
      "OA API %s, photo %zu bytes\n",
      Sec(Clock::now() - t0), stack->redis().port(),
      stack->server().address().c_str(), webhook_host_port.c_str(),
      oa.Base().c_str(), photo.size());
  if (Runs(2)) {
    Figure2(*stack, webhook_host_port, oa,
            "http://" + images.HostPort() + "/photo.jpg", photo);
  }
  if (Runs(1)) Figure1(webhook_host_port, oa);
  CHECK(oa.malformed() == 0);
}

}  // namespace
}  // namespace cdkv::bench

int main(int argc, char** argv) {
  CLI::App app{"chat_bench: the chat intake's figures with same-run baselines"};
  cdkv::bench::Options& o = cdkv::bench::g_options;
  app.add_option("--seconds", o.seconds,
                 "length of each timed slice of figure 1")
      ->check(CLI::Range(1, 60));
  app.add_option("--rounds", o.rounds,
                 "endpoint/baseline slice pairs in figure 1")
      ->check(CLI::Range(1, 20));
  app.add_option("--connections", o.connections,
                 "parallel connections in figure 1")
      ->check(CLI::Range(1, 64));
  app.add_option("--users", o.users,
                 "distinct chat users sending figure 1's events")
      ->check(CLI::Range(1, 100000));
  app.add_option("--conversations", o.conversations,
                 "conversations in figure 2")
      ->check(CLI::Range(1, 1000));
  app.add_flag("--keep-alive", o.keep_alive,
               "reuse each connection (figure 1)");
  app.add_option("--chat-workers", o.chat_workers,
                 "the server's chat intake threads")
      ->check(CLI::Range(1, 64));
  app.add_option("--warmup", o.warmup,
                 "uncounted conversations first (Tesseract loads, caches)")
      ->check(CLI::Range(0, 100));
  app.add_option("--only", o.only, "run only these figures (1, 2)")
      ->check(CLI::Range(1, 2));
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Catch::Session session;
  const char* catch_argv[] = {argv[0], "--reporter", "compact"};
  return session.run(3, catch_argv);
}
