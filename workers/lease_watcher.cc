#include "workers/lease_watcher.h"

#include <optional>
#include <utility>
#include <vector>

#include "common/log.h"
#include "services/api/filing_ops.h"
#include "services/domain/lifecycle.h"
#include "services/queue/desk_queue.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::State;

constexpr char kReason[] = "hết thời hạn giữ hồ sơ, trả về hàng đợi";

bool Lapsed(const records::FilingRow& f, absl::Time now) {
  return f.state == State::kInReview && f.claim_expires_at.has_value() &&
         *f.claim_expires_at <= now;
}

}  // namespace

LeaseWatcher::LeaseWatcher(records::RecordStore& records,
                           const domain::Catalog& catalog,
                           api::FilingEvents* events,
                           std::function<void()> poke_outbox, Options options)
    : records_(records),
      catalog_(catalog),
      events_(events),
      poke_outbox_(std::move(poke_outbox)),
      options_(std::move(options)) {}

LeaseWatcher::~LeaseWatcher() { Stop(); }

void LeaseWatcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaseWatcher::Stop() {
  wakeup_.Stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> LeaseWatcher::ExpireStoreClaims() {
  const absl::Time now = options_.clock();
  std::vector<std::string> lapsed;
  absl::Status read = records_.Read([&](records::Tx& tx) -> absl::Status {
    absl::StatusOr<std::vector<records::FilingRow>> rows =
        tx.FilingsInStates({State::kInReview}, options_.max_filings);
    if (!rows.ok()) return rows.status();
    for (const records::FilingRow& f : *rows) {
      if (Lapsed(f, now)) lapsed.push_back(f.id);
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;

  int expired = 0;
  const api::Actor actor = api::Actor::System(options_.actor_id);
  for (const std::string& id : lapsed) {
    std::vector<cdkv::v1::FilingEvent> events;
    bool changed = false;
    absl::Status status = records_.Write([&](records::Tx& tx) -> absl::Status {
      absl::StatusOr<records::FilingRow> filing = tx.GetFiling(id);
      if (!filing.ok()) return filing.status();
      // Renewed, released or confirmed since the read: nothing to do.
      if (!Lapsed(*filing, now)) return absl::OkStatus();
      filing->claimed_by.clear();
      filing->claimed_at.reset();
      filing->claim_expires_at.reset();
      if (absl::Status s =
              api::ApplyAction(tx, *filing, domain::Action::kLeaseExpire, actor,
                               kReason, now, &events);
          !s.ok()) {
        return s;
      }
      if (absl::Status s = AddDeskEnqueue(tx, *filing, now); !s.ok()) return s;
      changed = true;
      return absl::OkStatus();
    });
    if (!status.ok()) {
      // ABORTED: an officer changed it at the same moment; next pass decides.
      LogWarning("lease.expire_failed",
                 {{"filing_id", id}, {"error", status.ToString()}});
      continue;
    }
    if (!changed) continue;
    ++expired;
    if (events_ != nullptr) {
      for (const auto& event : events) events_->Publish(event);
    }
    LogInfo("lease.expired", {{"filing_id", id}});
  }
  if (expired > 0) poke_outbox_();
  return expired;
}

absl::Status LeaseWatcher::ExpireRedisLeases(queue::RedisClient& client) {
  queue::DeskQueue::Options desk_options;
  desk_options.clock = options_.clock;
  queue::DeskQueue desks(client, desk_options);
  const absl::Time now = options_.clock();
  for (const domain::Desk& desk : catalog_.data().desks) {
    absl::StatusOr<std::vector<std::string>> returned =
        desks.ExpireLeases(desk.code, now);
    if (!returned.ok()) return returned.status();
    for (const std::string& filing : *returned) {
      LogInfo("lease.returned_to_queue",
              {{"desk", desk.code}, {"filing_id", filing}});
    }
  }
  return absl::OkStatus();
}

void LeaseWatcher::Run() {
  std::optional<queue::RedisClient> client;
  while (!wakeup_.stopping()) {
    try {
      absl::StatusOr<int> expired = ExpireStoreClaims();
      if (!expired.ok()) {
        LogWarning("lease.store_pass_failed",
                   {{"error", expired.status().ToString()}});
      }
      if (!client.has_value()) {
        absl::StatusOr<queue::RedisClient> connected =
            queue::RedisClient::Connect(options_.redis);
        if (connected.ok()) client.emplace(*std::move(connected));
      }
      if (client.has_value()) {
        if (absl::Status s = ExpireRedisLeases(*client); !s.ok()) {
          LogWarning("lease.redis_pass_failed", {{"error", s.ToString()}});
        }
      }
    } catch (const std::exception& e) {
      LogError("lease.unexpected_exception", {{"error", e.what()}});
      client.reset();
    }
    wakeup_.Wait(options_.interval, /*poke_wakes=*/false);
  }
}

}  // namespace cdkv::workers
