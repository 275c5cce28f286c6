#include "workers/reconciler.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/domain/lifecycle.h"
#include "services/queue/desk_queue.h"
#include "services/queue/job_stream.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::State;

constexpr char kRebuilding[] = "rebuilding";
constexpr char kReady[] = "ready";

absl::Status Set(queue::RedisClient& client, std::string_view value,
                 bool only_if_present, bool* was_set) {
  std::vector<std::string_view> argv = {"SET", Reconciler::kMarkerKey, value};
  if (only_if_present) argv.push_back("XX");
  absl::StatusOr<queue::RedisReply> reply = client.Command(argv);
  if (!reply.ok()) return reply.status();
  if (absl::Status s = queue::ErrorReplyToStatus(*reply, "SET marker");
      !s.ok()) {
    return s;
  }
  *was_set = !reply->IsNil();
  return absl::OkStatus();
}

}  // namespace

Reconciler::Reconciler(records::RecordStore& records, Options options)
    : records_(records), options_(std::move(options)) {}

absl::StatusOr<bool> Reconciler::RunOnce(queue::RedisClient& client) {
  absl::StatusOr<queue::RedisReply> marker =
      client.Command({"GET", kMarkerKey});
  if (!marker.ok()) return marker.status();
  if (absl::Status s = queue::ErrorReplyToStatus(*marker, "GET marker");
      !s.ok()) {
    return s;
  }
  if (!marker->IsNil() && marker->str == kReady) return false;
  LogWarning("reconcile.redis_lost_data",
             {{"marker", marker->IsNil() ? "missing" : marker->str}});
  if (absl::Status s = Rebuild(client); !s.ok()) return s;
  return true;
}

absl::Status Reconciler::Rebuild(queue::RedisClient& client) {
  bool set = false;
  if (absl::Status s = Set(client, kRebuilding, false, &set); !s.ok()) return s;

  for (std::string_view name : {kOcrStream, kNotificationStream}) {
    queue::JobStream stream(client, name);
    if (absl::Status s = stream.EnsureGroup(); !s.ok()) return s;
  }

  std::vector<records::FilingRow> filings;
  absl::Status read = records_.Read([&](records::Tx& tx) -> absl::Status {
    absl::StatusOr<std::vector<records::FilingRow>> rows =
        tx.FilingsInStates({State::kSubmitted, State::kPrefilling,
                            State::kAwaitingDesk, State::kInReview},
                           options_.max_filings);
    if (!rows.ok()) return rows.status();
    filings = *std::move(rows);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  if (filings.size() >= static_cast<size_t>(options_.max_filings)) {
    LogError("reconcile.too_many_filings", {{"limit", options_.max_filings}});
  }

  queue::DeskQueue::Options desk_options;
  desk_options.clock = options_.clock;
  queue::DeskQueue desks(client, desk_options);
  queue::JobStream ocr(client, kOcrStream);
  int queued = 0, claimed = 0, ocr_jobs = 0;
  for (const records::FilingRow& f : filings) {
    if (f.state == State::kSubmitted || f.state == State::kPrefilling) {
      absl::StatusOr<std::string> id =
          ocr.Add({{std::string(kJobFilingId), f.id}});
      if (!id.ok()) return id.status();
      ++ocr_jobs;
      continue;
    }
    if (absl::Status s = desks.Enqueue(f.desk_code, f.id, QueueDeadline(f));
        !s.ok()) {
      // One malformed row must not stop the rest of the desk work returning.
      if (absl::IsInvalidArgument(s)) {
        LogError("reconcile.filing_skipped",
                 {{"filing_id", f.id}, {"error", s.ToString()}});
        continue;
      }
      return s;
    }
    ++queued;
    if (f.state != State::kInReview || f.claimed_by.empty()) continue;
    const absl::Time expires = f.claim_expires_at.value_or(options_.clock());
    const absl::Duration left =
        std::max(expires - options_.clock(), absl::Milliseconds(1));
    absl::StatusOr<queue::DeskLease> lease =
        desks.Claim(f.desk_code, f.id, f.claimed_by, left);
    if (!lease.ok()) {
      if (absl::IsUnavailable(lease.status())) return lease.status();
      // Someone claimed it in Redis since the snapshot; the store's
      // DeskService checks settle who holds it.
      LogWarning("reconcile.claim_skipped",
                 {{"filing_id", f.id}, {"error", lease.status().ToString()}});
      continue;
    }
    ++claimed;
  }

  if (absl::Status s = Set(client, kReady, true, &set); !s.ok()) return s;
  if (!set) {
    return absl::UnavailableError(
        "redis lost its data again during the rebuild; rebuilding next pass");
  }
  LogInfo("reconcile.rebuilt",
          {{"queued", queued}, {"claimed", claimed}, {"ocr_jobs", ocr_jobs}});
  return absl::OkStatus();
}

}  // namespace cdkv::workers
