#include "workers/notifier.h"

#include <httplib.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/string_view.h"
#include "workers/consumer_name.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

constexpr int kPageSize = 100;

bool Retryable(int http_status) {
  return http_status >= 500 || http_status == 408 || http_status == 429;
}

}  // namespace

Notifier::Notifier(records::RecordStore& records, Options options)
    : records_(records), options_(std::move(options)) {
  if (options_.consumer.empty()) {
    options_.consumer = ProcessConsumerName("notify");
  }
}

Notifier::~Notifier() { Stop(); }

absl::Status Notifier::Start() {
  if (thread_.joinable()) return absl::OkStatus();
  const std::string& url = options_.webhook_url;
  if (!url.empty()) {
    const size_t scheme_end = url.find("://");
    const std::string scheme =
        scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
    if ((scheme != "http" && scheme != "https") ||
        url.size() == scheme_end + 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          "notification webhook URL must look like http(s)://host[:port]"
          "[/path], got \"",
          url, "\""));
    }
    const size_t slash = url.find('/', scheme_end + 3);
    base_ = url.substr(0, slash);
    path_ = slash == std::string::npos ? "/" : url.substr(slash);
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Notifier::Stop() {
  wakeup_.Stop();
  if (thread_.joinable()) thread_.join();
}

void Notifier::Run() {
  Backoff backoff(absl::Milliseconds(100), absl::Seconds(5));
  std::optional<queue::RedisClient> client;
  std::optional<queue::JobStream> stream;
  absl::Time next_stale_check = absl::InfinitePast();
  while (!wakeup_.stopping()) {
    try {
      if (!client.has_value()) {
        absl::StatusOr<queue::RedisClient> connected =
            queue::RedisClient::Connect(options_.redis);
        if (!connected.ok()) {
          LogWarning("notify.redis_unavailable",
                     {{"error", connected.status().ToString()}});
          wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
          continue;
        }
        client.emplace(*std::move(connected));
        stream.emplace(*client, kNotificationStream,
                       queue::JobStream::Options{options_.max_deliveries});
      }
      absl::StatusOr<std::vector<queue::Job>> jobs = std::vector<queue::Job>();
      if (absl::Now() >= next_stale_check) {
        jobs = stream->ClaimStale(options_.consumer, options_.lease, 10);
        if (jobs.ok() && jobs->empty()) {
          next_stale_check = absl::Now() + std::max(options_.lease / 4,
                                                    absl::Milliseconds(50));
        }
      }
      if (jobs.ok() && jobs->empty()) {
        jobs = stream->Read(options_.consumer, 10, options_.read_block);
      }
      if (!jobs.ok()) {
        LogWarning("notify.read_failed", {{"error", jobs.status().ToString()}});
        wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
        continue;
      }
      backoff.Reset();
      for (const queue::Job& job : *jobs) {
        if (wakeup_.stopping()) break;  // Unacked jobs are redelivered.
        Handle(*stream, job);
      }
    } catch (const std::exception& e) {
      LogError("notify.unexpected_exception", {{"error", e.what()}});
      stream.reset();
      client.reset();
      wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
    }
  }
}

void Notifier::Handle(queue::JobStream& stream, const queue::Job& job) {
  const std::string* id_text = job.Find(kJobNotificationId);
  const std::string* citizen = job.Find(kJobCitizenId);
  const std::string* phone = job.Find(kJobPhone);
  const std::string* text = job.Find(kJobText);
  int64_t id = 0;
  absl::Status status;
  std::string channel = base_.empty() ? "app" : "webhook";
  absl::StatusOr<records::NotificationRow> row;
  if (phone != nullptr && text != nullptr) {
    if (!base_.empty()) status = PostSms(job.id, *phone, *text);
  } else if (id_text == nullptr || citizen == nullptr ||
             !absl::SimpleAtoi(*id_text, &id)) {
    status =
        absl::InvalidArgumentError("job needs notification_id and citizen_id");
  } else if (row = Load(id, *citizen); !row.ok()) {
    status = row.status();
  } else {
    absl::StatusOr<bool> chat = false;
    if (options_.chat_route) chat = options_.chat_route(*row);
    if (!chat.ok()) {
      status = chat.status();
    } else if (*chat) {
      channel = "chat";
    } else if (!base_.empty()) {
      status = Post(*row);
    }
  }

  if (status.ok()) {
    if (absl::Status s = stream.Ack(job.id); !s.ok()) {
      LogWarning("notify.ack_failed",
                 {{"job_id", job.id}, {"error", s.ToString()}});
    }
    LogInfo("notify.sent", {{"notification_id", id},
                            {"delivered", channel != "app"},
                            {"channel", channel}});
    return;
  }
  LogWarning("notify.failed", {{"job_id", job.id},
                               {"deliveries", job.delivery_count},
                               {"error", status.ToString()}});
  // Retrying cannot help a malformed job, a missing notification or a
  // request the gateway refused; anything else may pass next time.
  const bool permanent = absl::IsInvalidArgument(status) ||
                         absl::IsNotFound(status) ||
                         absl::IsFailedPrecondition(status);
  absl::StatusOr<bool> dead = true;
  if (permanent) {
    if (absl::Status s = stream.DeadLetter(job, status.ToString()); !s.ok()) {
      dead = s;
    }
  } else {
    dead = stream.Fail(job, status.ToString());
  }
  if (!dead.ok()) {
    LogWarning("notify.dead_letter_failed",
               {{"job_id", job.id}, {"error", dead.status().ToString()}});
  } else if (*dead) {
    LogError("notify.dead_lettered", {{"job_id", job.id},
                                      {"notification_id", id},
                                      {"error", status.ToString()}});
  }
}

absl::StatusOr<records::NotificationRow> Notifier::Load(
    int64_t id, const std::string& citizen_id) {
  std::optional<records::NotificationRow> found;
  absl::Status read = records_.Read([&](records::Tx& tx) -> absl::Status {
    // Newest first: stop at the page that reaches below `id`.
    for (int offset = 0;; offset += kPageSize) {
      absl::StatusOr<std::vector<records::NotificationRow>> page =
          tx.Notifications(citizen_id, kPageSize, offset);
      if (!page.ok()) return page.status();
      for (records::NotificationRow& row : *page) {
        if (row.id == id) {
          found = std::move(row);
          return absl::OkStatus();
        }
      }
      if (page->size() < static_cast<size_t>(kPageSize) ||
          page->back().id < id) {
        return absl::OkStatus();
      }
    }
  });
  if (!read.ok()) return read;
  if (!found.has_value()) {
    return absl::NotFoundError(absl::StrCat("notification ", id, " of citizen ",
                                            citizen_id,
                                            " is not in the record store"));
  }
  return *std::move(found);
}

absl::Status Notifier::Post(const records::NotificationRow& row) {
  nlohmann::json body = {
      {"notification_id", row.id},  {"citizen_id", row.citizen_id},
      {"filing_id", row.filing_id}, {"kind", row.kind},
      {"text", row.text},           {"pickup", nullptr}};
  if (!row.pickup_json.empty()) {
    nlohmann::json pickup =
        nlohmann::json::parse(row.pickup_json, nullptr, false);
    if (!pickup.is_discarded()) body["pickup"] = std::move(pickup);
  }
  return Send(absl::StrCat(row.id), body.dump());
}

absl::Status Notifier::PostSms(const std::string& job_id,
                               const std::string& phone,
                               const std::string& text) {
  nlohmann::json body = {{"kind", "sms"}, {"phone", phone}, {"text", text}};
  return Send(absl::StrCat("sms-", job_id), body.dump());
}

absl::Status Notifier::Send(const std::string& idempotency_key,
                            const std::string& body) {
  if (http_ == nullptr) {
    // One connection, kept open between notices (the notifier is one
    // thread); httplib reconnects when the gateway has closed it.
    http_ = std::make_unique<httplib::Client>(base_);
    const int64_t timeout_us = absl::ToInt64Microseconds(options_.http_timeout);
    http_->set_connection_timeout(timeout_us / 1000000, timeout_us % 1000000);
    http_->set_read_timeout(timeout_us / 1000000, timeout_us % 1000000);
    http_->set_write_timeout(timeout_us / 1000000, timeout_us % 1000000);
    http_->set_keep_alive(true);
  }
  httplib::Headers headers = {{"Idempotency-Key", idempotency_key}};
  httplib::Result result =
      http_->Post(path_.c_str(), headers, body, "application/json");
  if (!result) {
    // Start the next attempt on a fresh connection.
    http_.reset();
    return absl::UnavailableError(
        absl::StrCat("gateway ", base_,
                     " unreachable: ", httplib::to_string(result.error())));
  }
  if (result->status >= 200 && result->status < 300) return absl::OkStatus();
  const std::string message =
      absl::StrCat("gateway answered HTTP ", result->status, ": ",
                   result->body.substr(0, 200));
  if (Retryable(result->status)) return absl::UnavailableError(message);
  return absl::FailedPreconditionError(message);
}

}  // namespace cdkv::workers
