#include "services/chat/oa_client.h"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/string_view.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;

size_t Utf8Chars(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

OaClient::OaClient(OaClientOptions options, SleepFn sleep)
    : options_(std::move(options)), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](absl::Duration d) { absl::SleepFor(d); };
  const std::string& base = options_.base_url;
  const size_t scheme_end = base.find("://");
  if (scheme_end == std::string::npos ||
      (base.compare(0, scheme_end, "http") != 0 && base.compare(0, scheme_end, "https") != 0)) {
    config_error_ = absl::FailedPreconditionError(
        absl::StrCat("OA API base URL \"", base, "\" must start with http:// or https://"));
    return;
  }
  const size_t path = base.find('/', scheme_end + 3);
  origin_ = base.substr(0, path);
  if (path != std::string::npos) {
    prefix_ = base.substr(path);
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  }
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

absl::StatusOr<std::string> OaClient::SendText(std::string_view user_id, std::string_view text) {
  if (user_id.empty()) return absl::InvalidArgumentError("OA message: empty user id");
  if (text.empty()) return absl::InvalidArgumentError("OA message: empty text");
  if (Utf8Chars(text) > kMaxOaTextChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("OA message: text over ", kMaxOaTextChars, " characters"));
  }
  json body = {{"recipient", {{"user_id", std::string(user_id)}}},
               {"message", {{"text", std::string(text)}}}};
  return Post("/v3.0/oa/message/cs", body.dump());
}

absl::StatusOr<std::string> OaClient::SendPickupNotice(std::string_view user_id,
                                                       const PickupNotice& n) {
  if (user_id.empty()) return absl::InvalidArgumentError("OA message: empty user id");
  if (n.filing_id.empty()) return absl::InvalidArgumentError("pickup notice: empty filing id");
  json table = json::array();
  auto row = [&table](const char* key, const std::string& value) {
    if (!value.empty()) table.push_back({{"key", key}, {"value", value}});
  };
  row("Mã hồ sơ", n.filing_id);
  row("Thủ tục", n.procedure_name_vi);
  row("Nơi nhận", n.place_vi);
  row("Thời gian", n.when_vi);
  row("Mang theo", n.bring_vi);
  row("Mã nhận kết quả", n.pickup_code);
  json elements = json::array(
      {{{"type", "header"}, {"content", "Hồ sơ của ông/bà đã có kết quả"}, {"align", "left"}},
       {{"type", "text"},
        {"align", "left"},
        {"content", "Xin ông/bà đến nhận kết quả một lần, mang theo giấy tờ dưới đây."}},
       {{"type", "table"}, {"content", table}}});
  json body = {
      {"recipient", {{"user_id", std::string(user_id)}}},
      {"message",
       {{"attachment",
         {{"type", "template"},
          {"payload",
           {{"template_type", "transaction_event"}, {"language", "VI"},
            {"elements", elements}}}}}}}};
  return Post("/v3.0/oa/message/transaction", body.dump());
}

absl::StatusOr<std::string> OaClient::Post(std::string_view path, const std::string& body) {
  if (!config_error_.ok()) return config_error_;
  if (options_.access_token.empty()) {
    return absl::FailedPreconditionError("OA API: no access token configured");
  }
  absl::Duration backoff = options_.initial_backoff;
  absl::Status last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    bool retryable = false;
    absl::StatusOr<std::string> sent = PostOnce(path, body, &retryable);
    if (sent.ok() || !retryable) return sent;
    last = sent.status();
    LogWarning("chat.oa_send_retry", {{"path", path},
                                      {"attempt", attempt},
                                      {"error", Std(last.message())}});
    if (attempt < options_.max_attempts) {
      sleep_(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
  return absl::UnavailableError(absl::StrCat("OA API failed after ", options_.max_attempts,
                                             " attempts: ", last.message()));
}

absl::StatusOr<std::string> OaClient::PostOnce(std::string_view path, const std::string& body,
                                               bool* retryable) {
  httplib::Client client(origin_);
  client.set_follow_location(false);
  const int64_t us = absl::ToInt64Microseconds(options_.timeout);
  client.set_connection_timeout(us / 1000000, us % 1000000);
  client.set_read_timeout(us / 1000000, us % 1000000);
  client.set_write_timeout(us / 1000000, us % 1000000);
  const std::string target = absl::StrCat(prefix_, Absl(path));
  httplib::Headers headers = {{"access_token", options_.access_token}};
  httplib::Result result = client.Post(target.c_str(), headers, body, "application/json");
  if (!result) {
    *retryable = true;
    return absl::UnavailableError(
        absl::StrCat("OA API ", origin_, " unreachable: ", httplib::to_string(result.error())));
  }
  const int status = result->status;
  const std::string excerpt = result->body.substr(0, 200);
  if (status >= 500 || status == 429) {
    *retryable = true;
    return absl::UnavailableError(absl::StrCat("OA API answered HTTP ", status, ": ", excerpt));
  }
  if (status < 200 || status >= 300) {
    return absl::FailedPreconditionError(
        absl::StrCat("OA API answered HTTP ", status, ": ", excerpt));
  }
  json answer = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    return absl::FailedPreconditionError(
        absl::StrCat("OA API answered with a body that is not JSON: ", excerpt));
  }
  const json error = answer.value("error", json(0));
  if (!error.is_number_integer() || error.get<int64_t>() != 0) {
    auto text = answer.find("message");
    return absl::FailedPreconditionError(absl::StrCat(
        "OA API error ", error.dump(), ": ",
        text != answer.end() && text->is_string() ? text->get<std::string>() : "(no message)"));
  }
  std::string message_id;
  if (auto data = answer.find("data"); data != answer.end() && data->is_object()) {
    if (auto id = data->find("message_id"); id != data->end() && id->is_string()) {
      message_id = id->get<std::string>();
    }
  }
  return message_id;
}

}  // namespace cdkv::chat
