#include "workers/outbox_dispatcher.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/api/filing_ops.h"
#include "services/domain/lifecycle.h"
#include "services/queue/desk_queue.h"
#include "services/queue/job_stream.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {

// The Redis objects of the dispatcher thread, built once per connection so
// their script hashes are reused.
class OutboxDispatcher::Session {
 public:
  explicit Session(queue::RedisClient client)
      : client_(std::move(client)),
        desks_(client_),
        ocr_(client_, kOcrStream),
        notifications_(client_, kNotificationStream) {}

  queue::RedisClient& client() { return client_; }

  // Applies one row's effect.
  absl::Status Deliver(const records::OutboxRow& row) {
    if (row.kind == kOutboxOcrJob) {
      absl::StatusOr<OcrJobPayload> p = ParseOcrJob(row.payload);
      if (!p.ok()) return p.status();
      return ocr_.Add({{std::string(kJobFilingId), p->filing_id}}).status();
    }
    if (row.kind == kOutboxDeskEnqueue) {
      absl::StatusOr<DeskEnqueuePayload> p = ParseDeskEnqueue(row.payload);
      if (!p.ok()) return p.status();
      return desks_.Enqueue(p->desk, p->filing_id, p->deadline);
    }
    if (row.kind == kOutboxDeskRemove) {
      absl::StatusOr<DeskRemovePayload> p = ParseDeskRemove(row.payload);
      if (!p.ok()) return p.status();
      return desks_.Remove(p->desk, p->filing_id);
    }
    if (row.kind == kOutboxNotify) {
      absl::StatusOr<NotifyPayload> p = ParseNotify(row.payload);
      if (!p.ok()) return p.status();
      return notifications_
          .Add({{std::string(kJobNotificationId),
                 absl::StrCat(p->notification_id)},
                {std::string(kJobCitizenId), p->citizen_id}})
          .status();
    }
    if (row.kind == kOutboxSms) {
      absl::StatusOr<SmsPayload> p = ParseSms(row.payload);
      if (!p.ok()) return p.status();
      return notifications_
          .Add({{std::string(kJobPhone), p->phone},
                {std::string(kJobText), p->text}})
          .status();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown outbox kind \"", row.kind, "\""));
  }

 private:
  queue::RedisClient client_;
  queue::DeskQueue desks_;
  queue::JobStream ocr_;
  queue::JobStream notifications_;
};

namespace {

// Redis refused the row itself; sending it again cannot succeed.
bool IsPermanent(const absl::Status& status) {
  return absl::IsInvalidArgument(status);
}

// The filing a row belongs to, for keeping that filing's rows in order; empty
// for rows of no filing (notify) or unreadable payloads.
std::string FilingOf(const records::OutboxRow& row) {
  nlohmann::json json = nlohmann::json::parse(row.payload, nullptr, false);
  if (!json.is_object()) return "";
  auto it = json.find("filing_id");
  if (it == json.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

OutboxDispatcher::OutboxDispatcher(records::RecordStore& records,
                                   Options options)
    : records_(records), options_(std::move(options)) {}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void OutboxDispatcher::Stop() {
  wakeup_.Stop();
  if (thread_.joinable()) thread_.join();
}

void OutboxDispatcher::Poke() { wakeup_.Poke(); }

void OutboxDispatcher::Run() {
  Backoff backoff(options_.min_backoff, options_.max_backoff);
  Backoff reconcile_backoff(options_.min_backoff, options_.max_backoff);
  std::unique_ptr<Session> session;
  absl::Time next_reconcile = absl::InfinitePast();
  while (!wakeup_.stopping()) {
    try {
      if (session == nullptr) {
        absl::StatusOr<queue::RedisClient> client =
            queue::RedisClient::Connect(options_.redis);
        if (!client.ok()) {
          LogWarning("outbox.redis_unavailable",
                     {{"error", client.status().ToString()}});
          wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
          continue;
        }
        session = std::make_unique<Session>(*std::move(client));
      }
      if (options_.reconciler != nullptr && absl::Now() >= next_reconcile) {
        absl::StatusOr<bool> rebuilt =
            options_.reconciler->RunOnce(session->client());
        if (rebuilt.ok()) {
          reconcile_backoff.Reset();
          next_reconcile = absl::Now() + options_.reconcile_interval;
        } else {
          // Rows still go out meanwhile: each is newer than any snapshot a
          // later rebuild will read, so nothing is overtaken.
          LogWarning("outbox.reconcile_failed",
                     {{"error", rebuilt.status().ToString()}});
          next_reconcile = absl::Now() + reconcile_backoff.Next();
        }
      }
      absl::StatusOr<int> sent = DispatchBatch(*session);
      if (!sent.ok()) {
        LogWarning("outbox.dispatch_failed",
                   {{"error", sent.status().ToString()}});
        wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
        continue;
      }
      backoff.Reset();
      if (*sent == options_.batch_size) continue;  // More rows are waiting.
      absl::Duration sleep = options_.poll_interval;
      if (options_.reconciler != nullptr) {
        sleep = std::clamp(next_reconcile - absl::Now(), absl::ZeroDuration(),
                           sleep);
      }
      wakeup_.Wait(sleep);
    } catch (const std::exception& e) {
      LogError("outbox.unexpected_exception", {{"error", e.what()}});
      session.reset();
      wakeup_.Wait(backoff.Next(), /*poke_wakes=*/false);
    }
  }
}

absl::StatusOr<int> OutboxDispatcher::DispatchBatch(Session& session) {
  std::vector<records::OutboxRow> rows;
  absl::Status read = records_.Read([&](records::Tx& tx) -> absl::Status {
    // Rejected rows stay at the head of the outbox; reading past them keeps
    // a full batch of sendable rows behind any number of them.
    absl::StatusOr<std::vector<records::OutboxRow>> pending = tx.PendingOutbox(
        options_.batch_size + static_cast<int>(rejected_.size()));
    if (!pending.ok()) return pending.status();
    rows = *std::move(pending);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;

  std::vector<int64_t> accepted;
  std::set<std::string> blocked_filings;
  absl::Status failure;
  int finished = 0;
  std::vector<records::OutboxRow> ocr_rows;
  auto finish_ocr_rows = [&]() -> absl::Status {
    if (ocr_rows.empty()) return absl::OkStatus();
    std::vector<records::OutboxRow> group = std::move(ocr_rows);
    ocr_rows.clear();
    if (FinishWithoutPrefill(group).ok()) {
      finished += static_cast<int>(group.size());
      return absl::OkStatus();
    }
    // One row spoiled the group: find it by finishing the rows one by one.
    for (const records::OutboxRow& row : group) {
      const std::string filing = FilingOf(row);
      if (!filing.empty() && blocked_filings.contains(filing)) continue;
      absl::Status status = FinishWithoutPrefill({row});
      if (status.ok()) {
        ++finished;
        continue;
      }
      if (!IsPermanent(status)) return status;
      if (rejected_.insert(row.id).second) {
        LogError(
            "outbox.row_rejected",
            {{"id", row.id}, {"kind", row.kind}, {"error", status.ToString()}});
      }
      if (!filing.empty()) blocked_filings.insert(filing);
    }
    return absl::OkStatus();
  };
  for (const records::OutboxRow& row : rows) {
    const std::string filing = FilingOf(row);
    if (!filing.empty() && blocked_filings.contains(filing)) continue;
    if (options_.prefill_off && row.kind == kOutboxOcrJob) {
      // Runs of them are finished together, in one transaction.
      ocr_rows.push_back(row);
      continue;
    }
    if (absl::Status s = finish_ocr_rows(); !s.ok()) {
      failure = s;
      break;
    }
    absl::Status status = session.Deliver(row);
    if (status.ok()) {
      accepted.push_back(row.id);
      continue;
    }
    if (IsPermanent(status)) {
      // Once per row per process: it is retried every pass.
      if (rejected_.insert(row.id).second) {
        LogError(
            "outbox.row_rejected",
            {{"id", row.id}, {"kind", row.kind}, {"error", status.ToString()}});
      }
      if (!filing.empty()) blocked_filings.insert(filing);
      continue;
    }
    failure = status;
    break;
  }
  if (failure.ok()) failure = finish_ocr_rows();

  if (!accepted.empty()) {
    absl::Status deleted = records_.Write([&](records::Tx& tx) -> absl::Status {
      for (int64_t id : accepted) {
        if (absl::Status s = tx.DeleteOutbox(id); !s.ok()) return s;
      }
      return absl::OkStatus();
    });
    // Undeleted rows are sent again next pass, which is harmless.
    if (!deleted.ok()) return deleted;
  }
  if (!failure.ok()) return failure;
  return static_cast<int>(accepted.size()) + finished;
}

absl::Status OutboxDispatcher::FinishWithoutPrefill(
    const std::vector<records::OutboxRow>& rows) {
  std::vector<OcrJobPayload> jobs;
  for (const records::OutboxRow& row : rows) {
    absl::StatusOr<OcrJobPayload> job = ParseOcrJob(row.payload);
    if (!job.ok()) return job.status();
    jobs.push_back(*std::move(job));
  }
  if (options_.catalog == nullptr) {
    return absl::FailedPreconditionError(
        "pre-fill is off but the dispatcher has no catalog");
  }
  const absl::Time now = options_.clock();
  std::vector<cdkv::v1::FilingEvent> events;
  std::vector<std::string> finished;
  auto finish = [&](records::Tx& tx, const std::string& filing_id) {
    absl::StatusOr<records::FilingRow> filing = tx.GetFiling(filing_id);
    if (absl::IsNotFound(filing.status())) return absl::OkStatus();
    if (!filing.ok()) return filing.status();
    if (filing->state != domain::State::kSubmitted &&
        filing->state != domain::State::kPrefilling) {
      return absl::OkStatus();  // Withdrawn, or finished by an OCR worker.
    }
    if (absl::Status s = api::RouteWithoutPrefill(*options_.catalog, tx,
                                                  *filing, now, &events);
        !s.ok()) {
      return s;
    }
    finished.push_back(filing->id);
    return absl::OkStatus();
  };
  absl::Status status = records_.Write([&](records::Tx& tx) -> absl::Status {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (absl::Status s = tx.DeleteOutbox(rows[i].id); !s.ok()) return s;
      if (absl::Status s = finish(tx, jobs[i].filing_id); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (options_.events != nullptr) {
    for (const auto& event : events) options_.events->Publish(event);
  }
  for (const std::string& id : finished) {
    LogInfo("outbox.prefill_off", {{"filing_id", id}});
  }
  if (!finished.empty()) wakeup_.Poke();  // The desk_enqueue rows it wrote.
  return absl::OkStatus();
}

}  // namespace cdkv::workers
