#include "workers/reconciler.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "services/queue/desk_queue.h"
#include "services/queue/job_stream.h"
#include "tests/workers/workers_test_util.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::State;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

struct Seeded {
  Seeded() {
    env.AddFiling("waiting", State::kAwaitingDesk, kNow + absl::Hours(48));
    env.AddFiling("urgent", State::kAwaitingDesk, kNow + absl::Hours(2));
    records::FilingRow held =
        env.AddFiling("held", State::kInReview, kNow + absl::Hours(24));
    held.claimed_by = "officer-7";
    held.claimed_at = kNow - absl::Minutes(5);
    held.claim_expires_at = kNow + absl::Minutes(10);
    REQUIRE(env.records
                ->Write([&](records::Tx& tx) { return tx.UpdateFiling(held); })
                .ok());
    env.AddFiling("new", State::kSubmitted, kNow + absl::Hours(72));
    env.AddFiling("reading", State::kPrefilling, kNow + absl::Hours(72));
    env.AddFiling("done", State::kCompleted, kNow);
    env.AddFiling("draft", State::kDraft, kNow);
    Reconciler::Options options;
    options.clock = [] { return kNow; };
    reconciler = std::make_unique<Reconciler>(*env.records, options);
  }

  void CheckRebuilt(queue::RedisClient& client) {
    queue::DeskQueue desks(client);
    auto queued = desks.List(kDesk, 10);
    REQUIRE(queued.ok());
    REQUIRE(queued->size() == 2);
    CHECK((*queued)[0].filing_id == "urgent");
    CHECK((*queued)[0].deadline == kNow + absl::Hours(2));
    CHECK((*queued)[1].filing_id == "waiting");
    auto leases = desks.ListLeases(kDesk, 10);
    REQUIRE(leases.ok());
    REQUIRE(leases->size() == 1);
    CHECK((*leases)[0].filing_id == "held");
    CHECK((*leases)[0].officer == "officer-7");
    CHECK((*leases)[0].expires == kNow + absl::Minutes(10));

    queue::JobStream ocr(client, kOcrStream);
    auto jobs = ocr.Read("test", 10, absl::ZeroDuration());
    REQUIRE(jobs.ok());
    std::vector<std::string> filings;
    for (const auto& job : *jobs) filings.push_back(*job.Find(kJobFilingId));
    std::sort(filings.begin(), filings.end());
    CHECK(filings == std::vector<std::string>{"new", "reading"});
    auto groups = client.Command(
        {"XINFO", "GROUPS",
         queue::JobStream(client, kNotificationStream).stream_key()});
    REQUIRE(groups.ok());
    CHECK(groups->elements.size() == 1);
  }

  Env env;
  std::unique_ptr<Reconciler> reconciler;
};

TEST_CASE("The reconciler rebuilds an empty Redis once, then leaves it") {
  Seeded s;
  queue::RedisClient client = s.env.Connect();
  auto rebuilt = s.reconciler->RunOnce(client);
  REQUIRE(rebuilt.ok());
  CHECK(*rebuilt);
  s.CheckRebuilt(client);
  auto again = s.reconciler->RunOnce(client);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
}

TEST_CASE("The reconciler rebuilds after Redis restarts with its data wiped") {
  Seeded s;
  {
    queue::RedisClient client = s.env.Connect();
    REQUIRE(s.reconciler->RunOnce(client).ok());
  }
  REQUIRE(s.env.redis->Restart(/*wipe_data=*/true).ok());
  queue::RedisClient client = s.env.Connect();
  auto rebuilt = s.reconciler->RunOnce(client);
  REQUIRE(rebuilt.ok());
  CHECK(*rebuilt);
  s.CheckRebuilt(client);
}

TEST_CASE("A Redis restart that keeps its data needs no rebuild") {
  Seeded s;
  {
    queue::RedisClient client = s.env.Connect();
    REQUIRE(s.reconciler->RunOnce(client).ok());
  }
  REQUIRE(s.env.redis->Restart(/*wipe_data=*/false).ok());
  queue::RedisClient client = s.env.Connect();
  auto rebuilt = s.reconciler->RunOnce(client);
  REQUIRE(rebuilt.ok());
  CHECK_FALSE(*rebuilt);
}

TEST_CASE("An unfinished rebuild is redone") {
  Seeded s;
  queue::RedisClient client = s.env.Connect();
  // What a process that died mid-rebuild leaves behind.
  REQUIRE(client.Command({"SET", Reconciler::kMarkerKey, "rebuilding"}).ok());
  auto rebuilt = s.reconciler->RunOnce(client);
  REQUIRE(rebuilt.ok());
  CHECK(*rebuilt);
  s.CheckRebuilt(client);
}

TEST_CASE("Rebuilding twice is harmless") {
  Seeded s;
  queue::RedisClient client = s.env.Connect();
  REQUIRE(s.reconciler->Rebuild(client).ok());
  REQUIRE(s.reconciler->Rebuild(client).ok());
  queue::DeskQueue desks(client);
  CHECK(desks.List(kDesk, 10)->size() == 2);
  CHECK(desks.ListLeases(kDesk, 10)->size() == 1);
}

}  // namespace
}  // namespace cdkv::workers
