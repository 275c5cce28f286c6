#include "workers/lease_watcher.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "services/queue/desk_queue.h"
#include "tests/workers/workers_test_util.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::State;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

records::FilingRow Claimed(Env& env, const std::string& id,
                           absl::Time expires) {
  records::FilingRow f =
      env.AddFiling(id, State::kInReview, kNow + absl::Hours(24));
  f.claimed_by = "officer-7";
  f.claimed_at = expires - absl::Minutes(15);
  f.claim_expires_at = expires;
  f.handling_ms = 1234;
  REQUIRE(
      env.records->Write([&](records::Tx& tx) { return tx.UpdateFiling(f); })
          .ok());
  return env.Filing(id);
}

LeaseWatcher::Options WatcherOptions(const Env& env) {
  LeaseWatcher::Options options;
  options.redis = env.RedisOptions();
  options.interval = absl::Milliseconds(50);
  options.clock = [] { return kNow; };
  return options;
}

TEST_CASE("An expired claim returns the filing to its desk's queue") {
  Env env;
  Claimed(env, "lapsed", kNow - absl::Seconds(1));
  Claimed(env, "live", kNow + absl::Minutes(3));
  std::atomic<int> pokes = 0;
  api::FilingEvents events;
  std::vector<cdkv::v1::FilingEvent> seen;
  events.Subscribe("lapsed",
                   [&](const cdkv::v1::FilingEvent& e) { seen.push_back(e); });
  LeaseWatcher watcher(
      *env.records, *env.catalog, &events, [&] { ++pokes; },
      WatcherOptions(env));

  auto expired = watcher.ExpireStoreClaims();
  REQUIRE(expired.ok());
  CHECK(*expired == 1);
  CHECK(pokes == 1);

  records::FilingRow lapsed = env.Filing("lapsed");
  CHECK(lapsed.state == State::kAwaitingDesk);
  CHECK(lapsed.claimed_by.empty());
  CHECK_FALSE(lapsed.claimed_at.has_value());
  CHECK_FALSE(lapsed.claim_expires_at.has_value());
  CHECK(lapsed.handling_ms == 1234);  // A lapsed lease adds no handling time.
  std::vector<domain::Transition> history = env.History("lapsed");
  REQUIRE_FALSE(history.empty());
  CHECK(history.back().action == domain::Action::kLeaseExpire);
  CHECK(history.back().role == domain::Role::kSystem);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].change().action() == "lease_expire");

  std::vector<records::OutboxRow> outbox = env.Outbox();
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].kind == kOutboxDeskEnqueue);
  auto payload = ParseDeskEnqueue(outbox[0].payload);
  REQUIRE(payload.ok());
  CHECK(payload->desk == kDesk);
  CHECK(payload->filing_id == "lapsed");
  CHECK(payload->deadline == kNow + absl::Hours(24));

  CHECK(env.Filing("live").state == State::kInReview);
  CHECK(env.Filing("live").claimed_by == "officer-7");

  // A second pass finds nothing more to do.
  auto again = watcher.ExpireStoreClaims();
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(env.Outbox().size() == 1);
}

TEST_CASE("The watcher thread returns expired Redis leases to the queue") {
  Env env;
  queue::RedisClient client = env.Connect();
  queue::DeskQueue::Options desk_options;
  desk_options.clock = [] { return kNow - absl::Minutes(20); };
  queue::DeskQueue desks(client, desk_options);
  REQUIRE(desks.Enqueue(kDesk, "F1", kNow + absl::Hours(1)).ok());
  REQUIRE(desks.Claim(kDesk, "F1", "officer-7", absl::Minutes(15)).ok());
  REQUIRE(desks.Enqueue(kDesk, "F2", kNow + absl::Hours(2)).ok());
  REQUIRE(desks.Claim(kDesk, "F2", "officer-8", absl::Hours(1)).ok());
  Claimed(env, "F1", kNow - absl::Minutes(5));

  LeaseWatcher watcher(
      *env.records, *env.catalog, nullptr, [] {}, WatcherOptions(env));
  watcher.Start();
  REQUIRE(Eventually([&] {
    auto queued = desks.List(kDesk, 10);
    return queued.ok() && queued->size() == 1;
  }));
  REQUIRE(Eventually(
      [&] { return env.Filing("F1").state == State::kAwaitingDesk; }));
  const absl::Time stopping = absl::Now();
  watcher.Stop();
  CHECK(absl::Now() - stopping < absl::Seconds(2));

  auto queued = desks.List(kDesk, 10);
  REQUIRE(queued.ok());
  CHECK((*queued)[0].filing_id == "F1");
  CHECK((*queued)[0].deadline == kNow + absl::Hours(1));
  auto leases = desks.ListLeases(kDesk, 10);
  REQUIRE(leases->size() == 1);
  CHECK((*leases)[0].filing_id == "F2");
}

}  // namespace
}  // namespace cdkv::workers
