// The chat intake end to end, in one process: a real redis-server, the real
// Application and gRPC server with the chat webhook on a free loopback port,
// a local HTTP server standing in for the OA message API (it records every
// reply), and one serving the "photos" the events point at. Events are signed
// as Zalo signs them and POSTed over HTTP.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ocr/quality_gate.h"
#include "services/chat/signature.h"
#include "services/server/server.h"
#include "tests/api/stack.h"
#include "tests/chat/local_http_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace cdkv::chat {
namespace {

using cdkv::testing::Call;
using nlohmann::json;

constexpr char kOaId[] = "388613280878808645";
constexpr char kAppId[] = "360846524940903967";
constexpr char kSecret[] = "oa-secret-for-tests";
constexpr char kAccessToken[] = "oa-access-token-for-tests";
constexpr char kDesk[] = "desk.lv.tan_my";
constexpr char kPassword[] = "correct horse battery";

std::string Jpeg(const cv::Mat& image) {
  std::vector<uint8_t> bytes;
  REQUIRE(cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 85}));
  return std::string(bytes.begin(), bytes.end());
}

std::string GoodPhoto(const std::string& payload) { return cdkv::testing::IdCardPhoto(payload); }

// A card photo defocused until the quality gate still finds the card but
// calls it blurred (what a shaky hand gives).
std::string BlurredPhoto() {
  const std::string good = GoodPhoto("087123456789||Nguyễn Văn An|01011990|Nam|Tân Mỹ|01012022");
  cv::Mat image = cv::imdecode(std::vector<uint8_t>(good.begin(), good.end()), cv::IMREAD_COLOR);
  for (double sigma : {1.5, 2.0, 2.5, 3.0, 4.0, 5.0}) {
    cv::Mat blurred;
    cv::GaussianBlur(image, blurred, {0, 0}, sigma);
    auto verdict = ocr::CheckPhotoQuality(blurred);
    if (verdict.ok() && verdict->verdict == ocr::QualityVerdict::kBlurred) return Jpeg(blurred);
  }
  FAIL("no blur level makes the quality gate say blurred");
  return "";
}

// The OA message API: records what the server sends, answers like Zalo.
class OaApi {
 public:
  OaApi() {
    for (const std::string path : {"/v3.0/oa/message/cs", "/v3.0/oa/message/transaction"}) {
      server_.server().Post(
          path, [this, path](const httplib::Request& req, httplib::Response& res) {
            json body = json::parse(req.body, nullptr, false);
            std::lock_guard<std::mutex> lock(mu_);
            if (req.get_header_value("access_token") != kAccessToken || !body.is_object()) {
              res.status = 401;
              return;
            }
            messages_.push_back({path, body});
            res.set_content(R"({"error":0,"message":"Success","data":{"message_id":"x"}})",
                            "application/json");
          });
    }
    server_.Start();
  }

  std::string base() const { return "http://" + server_.HostPort(); }
  testing::LocalHttpServer& server() { return server_; }

  // Texts sent to `user` so far, in order.
  std::vector<std::string> Texts(const std::string& user) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [path, body] : messages_) {
      if (body["recipient"].value("user_id", "") != user) continue;
      out.push_back(body["message"].value("text", body["message"].dump()));
    }
    return out;
  }
  int Count(const std::string& user, const std::string& needle) {
    int n = 0;
    for (const std::string& t : Texts(user)) n += t.find(needle) != std::string::npos;
    return n;
  }
  // Waits for the `nth` (1-based) text to `user` containing `needle`.
  std::string WaitFor(const std::string& user, const std::string& needle, int nth = 1,
                      absl::Duration timeout = absl::Seconds(30)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      int seen = 0;
      for (const std::string& t : Texts(user)) {
        if (t.find(needle) != std::string::npos && ++seen == nth) return t;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    std::string all;
    for (const std::string& t : Texts(user)) all += "  | " + t + "\n";
    FAIL("no reply to " << user << " containing \"" << needle << "\"; got:\n" << all);
    return "";
  }

 private:
  testing::LocalHttpServer server_;
  std::mutex mu_;
  std::vector<std::pair<std::string, json>> messages_;
};

// Where the attachments live: a good photo, a blurred one, a slow one, a huge
// one, and something that is not an image.
class Photos {
 public:
  Photos() {
    files_["/good1.jpg"] =
        GoodPhoto("087123456789||Nguyễn Văn An|01011990|Nam|Tân Mỹ, Lấp Vò|01012022");
    files_["/good2.jpg"] =
        GoodPhoto("087198765432||Trần Thị Bình|02021992|Nữ|Tân Mỹ, Lấp Vò|01012022");
    files_["/blur.jpg"] = BlurredPhoto();
    std::string huge = files_["/good1.jpg"];
    huge.resize(3 * 1024 * 1024, 'x');
    files_["/huge.jpg"] = huge;
    for (const auto& file : files_) {
      const std::string* bytes = &file.second;
      server_.server().Get(file.first, [bytes](const httplib::Request&, httplib::Response& res) {
        res.set_content(*bytes, "image/jpeg");
      });
    }
    server_.server().Get("/page.jpg", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html><body>not a photo</body></html>", "text/html");
    });
    server_.server().Get("/slow.jpg", [this](const httplib::Request&, httplib::Response& res) {
      ++slow_requests_;
      std::this_thread::sleep_for(std::chrono::seconds(4));
      res.set_content(files_["/good1.jpg"], "image/jpeg");
    });
    server_.Start();
  }
  std::string Url(const std::string& path) const { return server_.Url(path); }
  std::string HostPort() const { return server_.HostPort(); }
  // Downloads of /slow.jpg begun so far.
  int SlowRequests() const { return slow_requests_; }

 private:
  std::atomic<int> slow_requests_{0};
  std::map<std::string, std::string> files_;
  testing::LocalHttpServer server_;
};

class ChatServer {
 public:
  ChatServer() {
    auto dir = cdkv::testing::TempDir::Create();
    REQUIRE(dir.ok());
    dir_ = std::make_unique<cdkv::testing::TempDir>(std::move(*dir));
    auto redis = cdkv::testing::RedisServer::Start();
    REQUIRE(redis.ok());
    redis_ = std::move(*redis);
    oa_config_ = (dir_->path() / "oa.json").string();
    std::ofstream(oa_config_) << json::array({{{"oa_id", kOaId},
                                               {"app_id", kAppId},
                                               {"secret", kSecret},
                                               {"commune_code", "lv.tan_my"},
                                               {"access_token", kAccessToken}}})
                                     .dump();
    Start();
  }
  ~ChatServer() { Stop(); }

  void Start() {
    server::ServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.data_dir = (dir_->path() / "data").string();
    config.redis_address = absl::StrCat("127.0.0.1:", redis_->port());
    config.notify_webhook = gateway_.url();
    config.ocr_workers = 1;
    config.max_upload_bytes = 2 * 1024 * 1024;
    config.chat_listen = "127.0.0.1:0";
    config.chat_oa_config = oa_config_;
    config.chat_api_base = oa_.base();
    config.chat_allow_host = photos_.HostPort();
    config.chat_fetch_timeout_seconds = 2;
    auto app = server::Application::Create(config);
    INFO((app.ok() ? "" : app.status().ToString()));
    REQUIRE(app.ok());
    auth::StaffAccount officer;
    officer.username = "officer.a";
    officer.password = kPassword;
    officer.role = domain::Role::kOfficer;
    officer.display_name = "officer a";
    officer.desk_codes = {kDesk};
    (void)(*app)->accounts().CreateStaffAccount(officer, absl::Now());  // exists after a restart
    REQUIRE((*app)->StartWorkers(config).ok());
    auto server = server::Server::Start(config, std::move(*app));
    REQUIRE(server.ok());
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    webhook_ = server_->app().chat_webhook_url();
    REQUIRE_FALSE(webhook_.empty());
  }

  void Stop() {
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
  }

  // A user_send_* / follow event from `user`, stamped now.
  json Event(const std::string& name, const std::string& user, const std::string& msg_id,
             const json& message = json::object(), absl::Time at = absl::Now()) {
    json e = {{"app_id", kAppId},
              {"event_name", name},
              {"timestamp", std::to_string(absl::ToUnixMillis(at))},
              {"sender", {{"id", user}}},
              {"recipient", {{"id", kOaId}}}};
    if (name == "follow") {
      e["follower"] = {{"id", user}};
      e["oa_id"] = kOaId;
    } else {
      json m = message;
      m["msg_id"] = msg_id;
      e["message"] = m;
    }
    return e;
  }
  json Text(const std::string& user, const std::string& msg_id, const std::string& text) {
    return Event("user_send_text", user, msg_id, {{"text", text}});
  }
  json Images(const std::string& user, const std::string& msg_id,
              const std::vector<std::string>& urls) {
    json attachments = json::array();
    for (const std::string& url : urls) {
      attachments.push_back({{"type", "image"}, {"payload", {{"url", url}}}});
    }
    return Event("user_send_image", user, msg_id, {{"text", ""}, {"attachments", attachments}});
  }

  static std::string Sign(const std::string& body, const json& event,
                          const std::string& secret = kSecret) {
    return "mac=" + ZaloMacHex(kAppId, body, event.value("timestamp", ""), secret);
  }

  // POSTs the event signed correctly (or with `signature`); the HTTP status.
  int Post(const json& event, std::optional<std::string> signature = std::nullopt) {
    return PostRaw(event.dump(), signature.value_or(Sign(event.dump(), event)));
  }
  int PostRaw(const std::string& body, const std::string& signature) {
    httplib::Client client(webhook_.substr(0, webhook_.rfind("/zalo")));
    client.set_connection_timeout(5, 0);
    httplib::Headers headers;
    if (!signature.empty()) headers.emplace("X-ZEvent-Signature", signature);
    auto res = client.Post("/zalo/webhook", headers, body, "application/json");
    REQUIRE(res);
    return res->status;
  }

  std::string StaffToken() {
    auto stub = cdkv::v1::AuthService::NewStub(channel_);
    cdkv::v1::SignInWithPasswordRequest request;
    request.set_username("officer.a");
    request.set_password(kPassword);
    cdkv::v1::SignInWithPasswordResponse response;
    grpc::ClientContext context;
    REQUIRE(stub->SignInWithPassword(&context, request, &response).ok());
    return response.session().token();
  }
  // A citizen token for the account of `phone`, as the app would hold after
  // signing in.
  std::string PhoneToken(const std::string& phone) {
    auto who = app().accounts().FindOrCreateCitizen(phone, absl::Now());
    REQUIRE(who.ok());
    return app().deps().signer->Issue(*who, absl::Now(), absl::Hours(1));
  }

  records::FilingRow Filing(const std::string& id) {
    records::FilingRow row;
    REQUIRE(app()
                .deps()
                .records
                ->Read([&](records::Tx& tx) -> absl::Status {
                  auto f = tx.GetFiling(id);
                  if (!f.ok()) return f.status();
                  row = *f;
                  return absl::OkStatus();
                })
                .ok());
    return row;
  }
  size_t Documents(const std::string& id) {
    size_t n = 0;
    REQUIRE(app()
                .deps()
                .records
                ->Read([&](records::Tx& tx) -> absl::Status {
                  auto d = tx.Documents(id);
                  if (!d.ok()) return d.status();
                  n = d->size();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  // Filings of the chat user's own (unlinked) account.
  std::vector<records::FilingRow> FilingsOfChatUser(const std::string& user) {
    auto who = chat_store().AccountOf(
        kOaId, user, [] { return std::string("unused"); }, absl::Now());
    REQUIRE(who.ok());
    std::vector<records::FilingRow> rows;
    REQUIRE(app()
                .deps()
                .records
                ->Read([&](records::Tx& tx) -> absl::Status {
                  auto r = tx.FilingsOfCitizen(who->account_id, 100, 0);
                  if (!r.ok()) return r.status();
                  rows = *r;
                  return absl::OkStatus();
                })
                .ok());
    return rows;
  }

  server::Application& app() { return server_->app(); }
  ChatStore& chat_store() { return *app().chat_store(); }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  OaApi& oa() { return oa_; }
  Photos& photos() { return photos_; }
  cdkv::testing::Gateway& gateway() { return gateway_; }

 private:
  std::unique_ptr<cdkv::testing::TempDir> dir_;
  std::unique_ptr<cdkv::testing::RedisServer> redis_;
  cdkv::testing::Gateway gateway_;
  OaApi oa_;
  Photos photos_;
  std::string oa_config_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string webhook_;
};

std::string FilingIdIn(const std::string& text) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex("(HS[0-9A-Z]{10})")));
  return m[1];
}

// Polls the officer's desk queue until `filing_id` is in it.
void WaitInDeskQueue(ChatServer& chat, const std::string& token, const std::string& filing_id) {
  auto desk = cdkv::v1::DeskService::NewStub(chat.channel());
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    cdkv::v1::ListDeskQueueRequest list;
    list.set_desk_code(kDesk);
    cdkv::v1::ListDeskQueueResponse queue;
    REQUIRE(desk->ListDeskQueue(Call(token).get(), list, &queue).ok());
    for (const auto& e : queue.entries()) {
      if (e.filing().filing_id() == filing_id) {
        CHECK(e.filing().channel() == cdkv::v1::CHANNEL_CHAT);
        return;
      }
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  FAIL("filing " << filing_id << " never reached the desk queue");
}

TEST_CASE(
    "a citizen files a birth registration by chat, and the desk takes it to "
    "pickup",
    "[chat_intake][integration]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string u = "user-1";

  REQUIRE(chat.Post(chat.Event("follow", u, "")) == 200);
  oa.WaitFor(u, "Xin chào");
  CHECK_THAT(oa.WaitFor(u, "Xin nhắn số của thủ tục"), Catch::Contains("1. Đăng ký khai sinh"));

  REQUIRE(chat.Post(chat.Text(u, "m1", "Tôi muốn làm giấy khai sinh")) == 200);
  oa.WaitFor(u, "Ông/bà đã chọn: Đăng ký khai sinh");

  // A blurred photo: retake asked, with the reason, nothing attached.
  REQUIRE(chat.Post(chat.Images(u, "m2", {chat.photos().Url("/blur.jpg")})) == 200);
  CHECK_THAT(oa.WaitFor(u, "Ảnh này chưa dùng được"), Catch::Contains("mờ"));

  // Two good photos in one message.
  REQUIRE(chat.Post(chat.Images(
              u, "m3", {chat.photos().Url("/good1.jpg"), chat.photos().Url("/good2.jpg")})) == 200);
  oa.WaitFor(u, "Đã nhận 2 ảnh");
  REQUIRE(chat.Post(chat.Text(u, "m4", "xong")) == 200);
  oa.WaitFor(u, "với 2 ảnh");
  const absl::Time last_answer = absl::Now();
  REQUIRE(chat.Post(chat.Text(u, "m5", "Đồng ý")) == 200);
  const std::string id = FilingIdIn(oa.WaitFor(u, "Đã nộp hồ sơ. Mã hồ sơ"));

  // Recorded as a chat filing of this OA's commune, with the two good photos.
  records::FilingRow row = chat.Filing(id);
  CHECK(row.channel == "chat");
  CHECK(row.commune_code == "lv.tan_my");
  CHECK(chat.Documents(id) == 2);
  auto address = chat.chat_store().ChatOfFiling(id);
  REQUIRE(address.ok());
  REQUIRE(address->has_value());
  CHECK((*address)->oa_id == kOaId);
  CHECK((*address)->user_id == u);

  // The same message delivered again changes nothing and is answered once.
  REQUIRE(chat.Post(chat.Text(u, "m5", "Đồng ý")) == 200);

  const std::string officer = chat.StaffToken();
  WaitInDeskQueue(chat, officer, id);
  const absl::Duration to_desk = absl::Now() - last_answer;
  WARN("last chat answer to desk queue: " << absl::FormatDuration(to_desk));

  auto desk = cdkv::v1::DeskService::NewStub(chat.channel());
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id("k1");
  claim.set_desk_code(kDesk);
  cdkv::v1::ClaimFilingResponse claimed;
  REQUIRE(desk->ClaimFiling(Call(officer).get(), claim, &claimed).ok());
  REQUIRE(claimed.filing().filing_id() == id);
  CHECK(claimed.filing().channel() == cdkv::v1::CHANNEL_CHAT);
  CHECK(claimed.filing().documents_size() == 2);

  cdkv::v1::ConfirmFilingRequest confirm;
  confirm.set_request_id("f1");
  confirm.set_filing_id(id);
  const auto& form = claimed.filing().forms(0);
  for (const auto& field : form.fields()) {
    if (!field.required() || !field.value().empty()) continue;
    cdkv::v1::FieldCorrection* c = confirm.add_corrections();
    c->set_form_code(form.form_code());
    c->set_key(field.key());
    c->set_value(field.key().find("date") != std::string::npos ? "2026-11-01" : "Giá trị kiểm tra");
  }
  cdkv::v1::ConfirmFilingResponse confirmed;
  grpc::Status confirm_status = desk->ConfirmFiling(Call(officer).get(), confirm, &confirmed);
  INFO(confirm_status.error_message());
  REQUIRE(confirm_status.ok());
  cdkv::v1::StartProcessingRequest process;
  process.set_request_id("p1");
  process.set_filing_id(id);
  cdkv::v1::StartProcessingResponse processing;
  REQUIRE(desk->StartProcessing(Call(officer).get(), process, &processing).ok());
  cdkv::v1::MarkResultReadyRequest ready;
  ready.set_request_id("r1");
  ready.set_filing_id(id);
  cdkv::v1::MarkResultReadyResponse readied;
  REQUIRE(desk->MarkResultReady(Call(officer).get(), ready, &readied).ok());

  // The pickup notice comes to the same chat as an OA template message with
  // the code, the place and what to bring; the desk takes the code.
  const json notice = json::parse(oa.WaitFor(u, "Mã nhận kết quả"));
  std::map<std::string, std::string> rows;
  for (const json& element : notice["attachment"]["payload"]["elements"]) {
    if (element.value("type", "") != "table") continue;
    for (const json& row : element["content"]) rows[row["key"]] = row["value"];
  }
  CHECK(rows["Mã hồ sơ"] == id);
  CHECK_FALSE(rows["Nơi nhận"].empty());
  CHECK_FALSE(rows["Mang theo"].empty());
  const std::string code = rows["Mã nhận kết quả"];
  REQUIRE(std::regex_match(code, std::regex("[0-9]{6}")));
  cdkv::v1::RecordPickupRequest pickup;
  pickup.set_request_id("pickup-1");
  pickup.set_filing_id(id);
  pickup.set_pickup_code(code);
  cdkv::v1::RecordPickupResponse picked;
  grpc::Status pickup_status = desk->RecordPickup(Call(officer).get(), pickup, &picked);
  INFO(pickup_status.error_message());
  CHECK(pickup_status.ok());
  CHECK(picked.filing().state() == cdkv::v1::FILING_STATE_COMPLETED);

  // The citizen asks in the chat and is told where the filing stands.
  REQUIRE(chat.Post(chat.Text(u, "m6", "trạng thái")) == 200);
  CHECK_THAT(oa.WaitFor(u, "Hồ sơ " + id), Catch::Contains(id));
  CHECK(oa.Count(u, "Đã nộp hồ sơ. Mã hồ sơ") == 1);
  CHECK(oa.Count(u, "Mã nhận kết quả") == 1);
}

TEST_CASE("a dialogue interrupted by a server restart resumes where it stopped",
          "[chat_intake][integration]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string u = "user-2";
  REQUIRE(chat.Post(chat.Text(u, "a1", "làm giấy khai tử")) == 200);
  oa.WaitFor(u, "Ông/bà đã chọn: Đăng ký khai tử");
  REQUIRE(chat.Post(chat.Images(u, "a2", {chat.photos().Url("/good1.jpg")})) == 200);
  oa.WaitFor(u, "Đã nhận 1 ảnh");

  // An event accepted while the intake worker is not running is kept and
  // handled after the restart.
  chat.app().chat_intake()->Stop();
  REQUIRE(chat.Post(chat.Text(u, "a3", "xong")) == 200);
  chat.Stop();
  chat.Start();
  oa.WaitFor(u, "với 1 ảnh");
  REQUIRE(chat.Post(chat.Text(u, "a4", "đồng ý")) == 200);
  const std::string id = FilingIdIn(oa.WaitFor(u, "Đã nộp hồ sơ. Mã hồ sơ"));
  CHECK(chat.Filing(id).procedure_code == "dang_ky_khai_tu");
  CHECK(chat.Documents(id) == 1);
  CHECK(chat.FilingsOfChatUser(u).size() == 1);
}

TEST_CASE("forged, missing and replayed signatures are refused and store nothing",
          "[chat_intake][integration]") {
  ChatServer chat;
  const std::string u = "user-3";
  json event = chat.Text(u, "s1", "khai sinh");
  const std::string body = event.dump();
  CHECK(chat.PostRaw(body, "") == 401);
  CHECK(chat.PostRaw(body, ChatServer::Sign(body, event, "not-the-secret")) == 401);
  CHECK(chat.PostRaw(body, "mac=zz") == 401);
  CHECK(chat.PostRaw(body + " ", ChatServer::Sign(body, event)) == 401);  // altered body
  // Correctly signed but ten minutes old: a replay.
  json old = chat.Event("user_send_text", u, "s2", {{"text", "khai sinh"}},
                        absl::Now() - absl::Minutes(10));
  CHECK(chat.Post(old) == 401);
  // Addressed to an OA this server does not serve.
  json other = event;
  other["recipient"]["id"] = "999";
  CHECK(chat.Post(other) == 401);
  // Malformed or oversize bodies.
  CHECK(chat.PostRaw("{\"app_id\": ", "mac=00") == 400);
  CHECK(chat.PostRaw("[1,2,3]", "mac=00") == 400);
  CHECK(chat.PostRaw(std::string(70 * 1024, ' '), "mac=00") >= 400);
  // An event we do not act on is acknowledged and ignored.
  json ignored = chat.Event("user_received_message", u, "s3");
  CHECK(chat.Post(ignored) == 200);

  absl::SleepFor(absl::Milliseconds(500));
  auto pending = chat.chat_store().PendingInbox(10);
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  CHECK(chat.oa().Texts(u).empty());
  // None of them marked its msg_id as seen.
  CHECK(*chat.chat_store().MarkSeen(kOaId, "s1", absl::Now()));
  CHECK(*chat.chat_store().MarkSeen(kOaId, "s2", absl::Now()));
}

TEST_CASE("a message delivered twice is handled once", "[chat_intake][integration]") {
  ChatServer chat;
  const std::string u = "user-4";
  json event = chat.Text(u, "d1", "khai sinh");
  std::atomic<int> second_status{0};
  std::thread second([&] { second_status = chat.Post(event); });
  CHECK(chat.Post(event) == 200);
  second.join();
  CHECK(second_status == 200);
  CHECK(chat.Post(event) == 200);
  chat.oa().WaitFor(u, "Ông/bà đã chọn");
  absl::SleepFor(absl::Seconds(1));
  CHECK(chat.oa().Count(u, "Ông/bà đã chọn") == 1);
  CHECK(chat.FilingsOfChatUser(u).size() == 1);
}

TEST_CASE(
    "attachments that are slow, huge, not an image or private get a clear "
    "reply",
    "[chat_intake][integration]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string u = "user-5";
  REQUIRE(chat.Post(chat.Text(u, "b1", "khai sinh")) == 200);
  const std::string id = [&] {
    oa.WaitFor(u, "Ông/bà đã chọn");
    auto rows = chat.FilingsOfChatUser(u);
    REQUIRE(rows.size() == 1);
    return rows[0].id;
  }();

  REQUIRE(chat.Post(chat.Images(u, "b2", {chat.photos().Url("/slow.jpg")})) == 200);
  CHECK_THAT(oa.WaitFor(u, "Ảnh này chưa dùng được", 1), Catch::Contains("mạng chậm"));
  REQUIRE(chat.Post(chat.Images(u, "b3", {chat.photos().Url("/huge.jpg")})) == 200);
  CHECK_THAT(oa.WaitFor(u, "Ảnh này chưa dùng được", 2), Catch::Contains("quá lớn"));
  REQUIRE(chat.Post(chat.Images(u, "b4", {chat.photos().Url("/page.jpg")})) == 200);
  CHECK_THAT(oa.WaitFor(u, "Ảnh này chưa dùng được", 3), Catch::Contains("không phải là ảnh"));
  // Loopback (not the allowed host) and a private network address: refused
  // before anything is sent.
  REQUIRE(chat.Post(chat.Images(u, "b5", {oa.base() + "/secret.jpg", "http://10.1.2.3/x.jpg"})) ==
          200);
  oa.WaitFor(u, "Ảnh này chưa dùng được", 5);
  absl::SleepFor(absl::Milliseconds(300));
  for (const std::string& path : oa.server().paths()) CHECK(path != "/secret.jpg");

  CHECK(chat.Documents(id) == 0);
  REQUIRE(chat.Post(chat.Text(u, "b6", "xong")) == 200);
  oa.WaitFor(u, "chưa gửi ảnh nào");
  CHECK(chat.Filing(id).state == domain::State::kDraft);
}

TEST_CASE("a citizen whose photo download hangs does not hold up another citizen",
          "[chat_intake][integration][concurrency]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string a = "user-slow";
  const std::string b = "user-quick";
  REQUIRE(chat.Post(chat.Text(a, "h1", "khai sinh")) == 200);
  oa.WaitFor(a, "Ông/bà đã chọn");
  REQUIRE(chat.Post(chat.Images(a, "h2", {chat.photos().Url("/slow.jpg")})) == 200);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (chat.photos().SlowRequests() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  REQUIRE(chat.photos().SlowRequests() == 1);
  // A's download now hangs until the 2 s fetch timeout.
  const absl::Time started = absl::Now();
  REQUIRE(chat.Post(chat.Event("follow", b, "")) == 200);
  oa.WaitFor(b, "Xin chào");
  REQUIRE(chat.Post(chat.Text(b, "q1", "khai sinh")) == 200);
  oa.WaitFor(b, "Ông/bà đã chọn");
  const absl::Duration elapsed = absl::Now() - started;
  WARN("B answered " << absl::FormatDuration(elapsed) << " into A's download");
  CHECK(oa.Count(a, "mạng chậm") == 0);
  CHECK(elapsed < absl::Seconds(2));
  // A is answered too, once the download gives up.
  CHECK_THAT(oa.WaitFor(a, "Ảnh này chưa dùng được"), Catch::Contains("mạng chậm"));
}

TEST_CASE("a failing event holds up only its own user, then is set aside",
          "[chat_intake][integration][concurrency]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string bad = "user-broken";
  const std::string b = "user-after";
  // Not an event the intake can parse: every attempt fails. Stored straight
  // into the inbox (the webhook would refuse it) and found by the next poll.
  REQUIRE(*chat.chat_store().Accept(kOaId, bad, "x1", "{not json", absl::Now()));
  REQUIRE(*chat.chat_store().Accept(kOaId, bad, "x2", "{\"also\":\"bad\"}", absl::Now()));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  auto attempts = [&] {
    auto heads = chat.chat_store().PendingHeads(10);
    REQUIRE(heads.ok());
    for (const InboxItem& item : *heads) {
      if (item.user_id == bad) return item.attempts;
    }
    return -1;
  };
  while (attempts() < 1 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  REQUIRE(attempts() >= 1);

  // The broken user is waiting to retry; the next user is served at once.
  const absl::Time started = absl::Now();
  REQUIRE(chat.Post(chat.Event("follow", b, "")) == 200);
  oa.WaitFor(b, "Xin chào");
  const absl::Duration elapsed = absl::Now() - started;
  WARN("answered in " << absl::FormatDuration(elapsed));
  CHECK(elapsed < absl::Seconds(1));
  CHECK(*chat.chat_store().DeadInboxCount() == 0);

  // After max_attempts both of the broken user's events are set aside, in
  // order, and nothing is left pending.
  const absl::Time dead_by = absl::Now() + absl::Seconds(60);
  while (*chat.chat_store().DeadInboxCount() < 2 && absl::Now() < dead_by) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(*chat.chat_store().DeadInboxCount() == 2);
  CHECK(chat.chat_store().PendingInbox(10)->empty());
  CHECK(oa.Texts(bad).empty());
}

TEST_CASE("linking the chat to a phone makes chat and app filings one history",
          "[chat_intake][integration]") {
  ChatServer chat;
  OaApi& oa = chat.oa();
  const std::string u = "user-6";
  const std::string phone = "0912345678";

  // A filing made in the app with the phone's account.
  const std::string app_token = chat.PhoneToken(phone);
  auto citizen = cdkv::v1::CitizenService::NewStub(chat.channel());
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id("app-1");
  create.set_procedure_code("xac_nhan_thong_tin_cu_tru");
  create.set_commune_code("lv.tan_my");
  cdkv::v1::CreateFilingResponse created;
  REQUIRE(citizen->CreateFiling(Call(app_token).get(), create, &created).ok());

  // A filing made by chat, before linking.
  REQUIRE(chat.Post(chat.Text(u, "l1", "khai sinh")) == 200);
  oa.WaitFor(u, "Ông/bà đã chọn");
  REQUIRE(chat.Post(chat.Images(u, "l2", {chat.photos().Url("/good1.jpg")})) == 200);
  oa.WaitFor(u, "Đã nhận 1 ảnh");
  REQUIRE(chat.Post(chat.Text(u, "l3", "xong")) == 200);
  oa.WaitFor(u, "với 1 ảnh");
  REQUIRE(chat.Post(chat.Text(u, "l4", "đồng ý")) == 200);
  const std::string chat_filing = FilingIdIn(oa.WaitFor(u, "Đã nộp hồ sơ. Mã hồ sơ"));

  // The phone's token does not see the chat filing yet.
  cdkv::v1::GetFilingRequest get;
  get.set_filing_id(chat_filing);
  cdkv::v1::GetFilingResponse got;
  CHECK(citizen->GetFiling(Call(app_token).get(), get, &got).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  REQUIRE(chat.Post(chat.Text(u, "l5", "Liên kết 0912 345 678")) == 200);
  oa.WaitFor(u, "Đã gửi mã 6 số");
  // The code travels like a sign-in code: outbox, Redis, notifier, SMS gateway.
  const std::string sms =
      chat.gateway().WaitFor(absl::StrCat("\"phone\":\"", phone, "\""), absl::Seconds(20));
  REQUIRE_FALSE(sms.empty());
  std::smatch m;
  const std::string text = json::parse(sms).value("text", "");
  REQUIRE(std::regex_search(text, m, std::regex("([0-9]{6})")));
  const std::string code = m[1];
  const std::string wrong = code == "000000" ? "111111" : "000000";
  REQUIRE(chat.Post(chat.Text(u, "l6", wrong)) == 200);
  CHECK_THAT(oa.WaitFor(u, "Mã chưa đúng"), Catch::Contains("còn 2 lần"));
  REQUIRE(chat.Post(chat.Text(u, "l7", code)) == 200);
  oa.WaitFor(u, "Đã liên kết với số điện thoại 0912345678");

  // One history: the phone's token lists both, the chat one as a chat filing.
  cdkv::v1::ListFilingsResponse listed;
  REQUIRE(citizen->ListFilings(Call(app_token).get(), {}, &listed).ok());
  std::map<std::string, cdkv::v1::Channel> channels;
  for (const auto& f : listed.filings()) channels[f.filing_id()] = f.channel();
  CHECK(channels.size() == 2);
  CHECK(channels[chat_filing] == cdkv::v1::CHANNEL_CHAT);
  CHECK(channels[created.filing().filing_id()] == cdkv::v1::CHANNEL_APP);
  // And the chat keeps working as that account.
  REQUIRE(chat.Post(chat.Text(u, "l8", "trạng thái")) == 200);
  CHECK_THAT(oa.WaitFor(u, "Hồ sơ " + chat_filing), Catch::Contains("đã nộp"));
}

}  // namespace
}  // namespace cdkv::chat
