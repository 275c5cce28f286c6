#include "tests/api/stack.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>

#include "absl/strings/str_cat.h"
#include "services/records/record_store.h"

namespace cdkv::testing {

struct Gateway::Impl {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  absl::Mutex mu;
  std::vector<std::string> bodies ABSL_GUARDED_BY(mu);
};

Gateway::Gateway() : impl_(std::make_unique<Impl>()) {
  impl_->server.Post(
      "/notify", [this](const httplib::Request& req, httplib::Response& res) {
        absl::MutexLock lock(&impl_->mu);
        impl_->bodies.push_back(req.body);
        res.set_content("{}", "application/json");
      });
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  REQUIRE(impl_->port > 0);
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() before the accept loop runs is lost, and the join in the destructor
  // would hang.
  while (!impl_->server.is_running()) absl::SleepFor(absl::Milliseconds(1));
}

Gateway::~Gateway() {
  impl_->server.stop();
  impl_->thread.join();
}

std::string Gateway::url() const {
  return absl::StrCat("http://127.0.0.1:", impl_->port, "/notify");
}

std::vector<std::string> Gateway::Bodies() {
  absl::MutexLock lock(&impl_->mu);
  return impl_->bodies;
}

std::string Gateway::WaitFor(const std::string& needle,
                             absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    for (const std::string& body : Bodies()) {
      if (body.find(needle) != std::string::npos) return body;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return "";
}

std::unique_ptr<Stack> Stack::Start() {
  return Start([](server::ServerConfig&) {});
}

std::unique_ptr<Stack> Stack::Start(
    const std::function<void(server::ServerConfig&)>& adjust) {
  auto dir = TempDir::Create();
  REQUIRE(dir.ok());
  std::unique_ptr<Stack> stack(new Stack(std::move(*dir)));
  auto redis = RedisServer::Start();
  REQUIRE(redis.ok());
  stack->redis_ = std::move(*redis);
  stack->gateway_ = std::make_unique<Gateway>();

  server::ServerConfig config;
  config.listen_address = "127.0.0.1:0";
  config.data_dir = (stack->dir_.path() / "data").string();
  config.redis_address = absl::StrCat("127.0.0.1:", stack->redis_->port());
  config.notify_webhook = stack->gateway_->url();
  adjust(config);
  auto app = server::Application::Create(config);
  REQUIRE(app.ok());
  const absl::Time now = absl::Now();
  for (const auto& [name, desk] :
       {std::pair<std::string, std::string>{"officer.a", kDeskA},
        {"officer.b", kDeskB}}) {
    auth::StaffAccount officer;
    officer.username = name;
    officer.password = kStaffPassword;
    officer.role = domain::Role::kOfficer;
    officer.display_name = name;
    officer.desk_codes = {desk};
    REQUIRE((*app)->accounts().CreateStaffAccount(officer, now).ok());
  }
  for (const auto& district : {std::string("875"), std::string("999")}) {
    auth::StaffAccount supervisor;
    supervisor.username = "supervisor." + district;
    supervisor.password = kStaffPassword;
    supervisor.role = domain::Role::kSupervisor;
    supervisor.display_name = supervisor.username;
    supervisor.district_code = district;
    REQUIRE((*app)->accounts().CreateStaffAccount(supervisor, now).ok());
  }
  REQUIRE((*app)->StartWorkers(config).ok());
  auto server = server::Server::Start(config, std::move(*app));
  REQUIRE(server.ok());
  stack->server_ = std::move(*server);
  stack->channel_ = grpc::CreateChannel(stack->server_->address(),
                                        grpc::InsecureChannelCredentials());
  return stack;
}

Stack::~Stack() {
  if (server_) server_->Shutdown(absl::Seconds(1));
}

std::string Stack::CitizenToken(const std::string& phone) {
  auto stub = auth();
  cdkv::v1::RequestSignInCodeRequest ask;
  ask.set_phone_number(phone);
  cdkv::v1::RequestSignInCodeResponse asked;
  grpc::ClientContext c1;
  grpc::Status s1 = stub->RequestSignInCode(&c1, ask, &asked);
  INFO(s1.error_message());
  REQUIRE(s1.ok());
  // The code travels through the outbox, Redis and the notifier to the SMS
  // gateway.
  const std::string sms = gateway_->WaitFor(
      absl::StrCat("\"phone\":\"", phone, "\""), absl::Seconds(20));
  REQUIRE_FALSE(sms.empty());
  const std::string text = nlohmann::json::parse(sms).value("text", "");
  std::smatch m;
  std::string code;
  if (std::regex_search(text, m, std::regex("([0-9]{6})"))) code = m[1];
  REQUIRE(code.size() == 6);
  cdkv::v1::SignInWithCodeRequest sign_in;
  sign_in.set_phone_number(phone);
  sign_in.set_code(code);
  cdkv::v1::SignInWithCodeResponse session;
  grpc::ClientContext c2;
  grpc::Status s2 = stub->SignInWithCode(&c2, sign_in, &session);
  INFO(s2.error_message());
  REQUIRE(s2.ok());
  return session.session().token();
}

std::string Stack::StaffToken(const std::string& username) {
  cdkv::v1::SignInWithPasswordRequest request;
  request.set_username(username);
  request.set_password(kStaffPassword);
  cdkv::v1::SignInWithPasswordResponse response;
  grpc::ClientContext context;
  grpc::Status s = auth()->SignInWithPassword(&context, request, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return response.session().token();
}

std::unique_ptr<grpc::ClientContext> Call(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(20));
  return context;
}

grpc::Status Upload(cdkv::v1::CitizenService::Stub& stub,
                    const std::string& token, const std::string& filing_id,
                    const std::string& request_id, const std::string& bytes,
                    const std::string& declared_kind,
                    cdkv::v1::UploadDocumentResponse* response,
                    int64_t declared_size) {
  auto context = Call(token);
  auto writer = stub.UploadDocument(context.get(), response);
  cdkv::v1::UploadDocumentRequest header;
  header.mutable_header()->set_request_id(request_id);
  header.mutable_header()->set_filing_id(filing_id);
  header.mutable_header()->set_declared_kind(declared_kind);
  header.mutable_header()->set_size_bytes(
      declared_size >= 0 ? declared_size : static_cast<int64_t>(bytes.size()));
  if (writer->Write(header)) {
    constexpr size_t kChunk = 64 * 1024;
    for (size_t offset = 0; offset < bytes.size(); offset += kChunk) {
      cdkv::v1::UploadDocumentRequest chunk;
      chunk.set_chunk(bytes.substr(offset, kChunk));
      if (!writer->Write(chunk)) break;
    }
  }
  writer->WritesDone();
  return writer->Finish();
}

std::string IdCardPhoto(const std::string& payload) {
  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  writer.setMargin(0);
  // Chip ID cards carry UTF-8 bytes without an ECI header: hand the writer each
  // byte.
  std::wstring bytes;
  for (char c : payload) bytes.push_back(static_cast<unsigned char>(c));
  ZXing::BitMatrix bits = writer.encode(bytes, 0, 0);
  cv::Mat symbol(bits.height(), bits.width(), CV_8UC1);
  for (int y = 0; y < bits.height(); ++y) {
    for (int x = 0; x < bits.width(); ++x) {
      symbol.at<uint8_t>(y, x) = bits.get(x, y) ? 0 : 255;
    }
  }
  cv::Mat scaled;
  cv::resize(symbol, scaled, {}, 6, 6, cv::INTER_NEAREST);
  cv::Mat photo(900, 1200, CV_8UC3, cv::Scalar(170, 180, 190));
  cv::Mat card(540, 856, CV_8UC3, cv::Scalar(235, 240, 245));
  card.copyTo(photo(cv::Rect(172, 180, card.cols, card.rows)));
  cv::Mat bgr;
  cv::cvtColor(scaled, bgr, cv::COLOR_GRAY2BGR);
  bgr.copyTo(
      photo(cv::Rect(172 + 856 - 40 - bgr.cols, 180 + 40, bgr.cols, bgr.rows)));
  std::vector<uint8_t> jpeg;
  REQUIRE(cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85}));
  return std::string(jpeg.begin(), jpeg.end());
}

}  // namespace cdkv::testing
