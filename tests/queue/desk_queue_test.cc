#include "services/queue/desk_queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/queue/redis_test_util.h"
#include "tests/support/redis_server.h"

namespace cdkv::queue {
namespace {

using ::cdkv::testing::RedisServer;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

// A clock the test moves by hand.
struct FakeClock {
  absl::Time now = kT0;
  DeskQueue::Options Options() {
    DeskQueue::Options options;
    options.clock = [this] { return now; };
    return options;
  }
};

std::vector<std::string> Ids(const std::vector<QueuedFiling>& filings) {
  std::vector<std::string> ids;
  for (const QueuedFiling& f : filings) ids.push_back(f.filing_id);
  return ids;
}

struct Fixture {
  Fixture() {
    auto started = RedisServer::Start();
    REQUIRE(started.ok());
    server = *std::move(started);
    auto connected = RedisClient::Connect(TestOptions(*server));
    REQUIRE(connected.ok());
    client = std::make_unique<RedisClient>(*std::move(connected));
    queue = std::make_unique<DeskQueue>(*client, clock.Options());
  }
  std::unique_ptr<RedisServer> server;
  std::unique_ptr<RedisClient> client;
  FakeClock clock;
  std::unique_ptr<DeskQueue> queue;
};

TEST_CASE("Desk keys share one cluster hash tag") {
  for (const std::string& key :
       {DeskQueue::QueueKey("X1"), DeskQueue::LeasesKey("X1"),
        DeskQueue::HoldersKey("X1"), DeskQueue::DeadlinesKey("X1")}) {
    CHECK(key.find("{desk:X1}") != std::string::npos);
    CHECK(key.find('{') == key.rfind('{'));
  }
}

TEST_CASE("Enqueue is idempotent and List orders by deadline") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "late", kT0 + absl::Hours(72)).ok());
  REQUIRE(q.Enqueue("D", "early", kT0 + absl::Hours(1)).ok());
  REQUIRE(q.Enqueue("D", "middle", kT0 + absl::Hours(24)).ok());
  REQUIRE(q.Enqueue("D", "early", kT0 + absl::Hours(1)).ok());
  REQUIRE(q.Enqueue("OTHER", "elsewhere", kT0).ok());

  auto list = q.List("D", 10);
  REQUIRE(list.ok());
  CHECK(Ids(*list) == std::vector<std::string>{"early", "middle", "late"});
  CHECK((*list)[0].deadline == kT0 + absl::Hours(1));
  auto first_two = q.List("D", 2);
  REQUIRE(first_two.ok());
  CHECK(first_two->size() == 2);

  // Re-enqueueing with a new deadline moves the filing.
  REQUIRE(q.Enqueue("D", "late", kT0).ok());
  CHECK(Ids(*q.List("D", 10)) ==
        std::vector<std::string>{"late", "early", "middle"});
}

TEST_CASE("Claim, Renew, Release and Complete follow the lease rules") {
  Fixture f;
  DeskQueue& q = *f.queue;
  const absl::Time deadline = kT0 + absl::Hours(5);
  REQUIRE(q.Enqueue("D", "F1", deadline).ok());

  auto lease = q.Claim("D", "F1", "alice", absl::Minutes(10));
  REQUIRE(lease.ok());
  CHECK(lease->officer == "alice");
  CHECK(lease->expires == kT0 + absl::Minutes(10));
  CHECK(q.List("D", 10)->empty());
  auto leases = q.ListLeases("D", 10);
  REQUIRE(leases.ok());
  REQUIRE(leases->size() == 1);
  CHECK((*leases)[0].officer == "alice");
  CHECK((*leases)[0].expires == kT0 + absl::Minutes(10));

  auto stolen = q.Claim("D", "F1", "bob", absl::Minutes(10));
  CHECK(stolen.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(stolen.status().message().find("alice") != absl::string_view::npos);
  // A retried claim by the holder succeeds.
  CHECK(q.Claim("D", "F1", "alice", absl::Minutes(10)).ok());
  CHECK(q.Claim("D", "nope", "alice", absl::Minutes(10)).status().code() ==
        absl::StatusCode::kNotFound);

  f.clock.now += absl::Minutes(5);
  auto renewed = q.Renew("D", "F1", "alice", absl::Minutes(10));
  REQUIRE(renewed.ok());
  CHECK(renewed->expires == kT0 + absl::Minutes(15));
  CHECK(q.Renew("D", "F1", "bob", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  CHECK(q.Release("D", "F1", "bob").code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(q.Release("D", "F1", "alice").ok());
  REQUIRE(q.Release("D", "F1", "alice").ok());  // Retried release.
  auto back = q.List("D", 10);
  REQUIRE(back->size() == 1);
  CHECK((*back)[0].deadline == deadline);  // Keeps its legal deadline.
  CHECK(q.ListLeases("D", 10)->empty());
  CHECK(q.Renew("D", "F1", "alice", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kNotFound);

  CHECK(q.Complete("D", "F1", "bob").code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(q.Claim("D", "F1", "bob", absl::Minutes(10)).ok());
  CHECK(q.Complete("D", "F1", "alice").code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(q.Complete("D", "F1", "bob").ok());
  REQUIRE(q.Complete("D", "F1", "bob").ok());  // Retried complete.
  CHECK(q.List("D", 10)->empty());
  CHECK(q.ListLeases("D", 10)->empty());
  auto leftovers = f.client->Command({"HLEN", DeskQueue::DeadlinesKey("D")});
  REQUIRE(leftovers.ok());
  CHECK(leftovers->integer == 0);
}

TEST_CASE("Remove takes a filing off the desk whether waiting or held") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "waiting", kT0 + absl::Hours(1)).ok());
  REQUIRE(q.Enqueue("D", "held", kT0 + absl::Hours(2)).ok());
  REQUIRE(q.Enqueue("D", "stays", kT0 + absl::Hours(3)).ok());
  REQUIRE(q.Claim("D", "held", "alice", absl::Minutes(10)).ok());

  REQUIRE(q.Remove("D", "waiting").ok());
  REQUIRE(q.Remove("D", "held").ok());
  REQUIRE(q.Remove("D", "held").ok());  // Retried remove.
  REQUIRE(q.Remove("D", "never-queued").ok());

  CHECK(Ids(*q.List("D", 10)) == std::vector<std::string>{"stays"});
  CHECK(q.ListLeases("D", 10)->empty());
  auto holders = f.client->Command({"HLEN", DeskQueue::HoldersKey("D")});
  REQUIRE(holders.ok());
  CHECK(holders->integer == 0);
  auto deadlines = f.client->Command({"HLEN", DeskQueue::DeadlinesKey("D")});
  REQUIRE(deadlines.ok());
  CHECK(deadlines->integer == 1);
  // A removed filing cannot be claimed; the desk no longer offers it.
  CHECK(q.Claim("D", "waiting", "bob", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(q.Remove("{bad}", "x").code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Enqueue of a claimed filing leaves it with its holder") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0 + absl::Hours(5)).ok());
  REQUIRE(q.Claim("D", "F1", "alice", absl::Minutes(10)).ok());
  // E.g. a rebuild from the record store re-enqueues every open filing.
  REQUIRE(q.Enqueue("D", "F1", kT0 + absl::Hours(2)).ok());
  CHECK(q.List("D", 10)->empty());
  CHECK(q.Claim("D", "F1", "bob", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(q.Release("D", "F1", "alice").ok());
  CHECK((*q.List("D", 10))[0].deadline == kT0 + absl::Hours(2));
}

TEST_CASE("Expired leases return to the queue") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0 + absl::Hours(5)).ok());
  REQUIRE(q.Enqueue("D", "F2", kT0 + absl::Hours(6)).ok());
  REQUIRE(q.Claim("D", "F1", "alice", absl::Minutes(10)).ok());
  REQUIRE(q.Claim("D", "F2", "bob", absl::Minutes(30)).ok());

  auto none =
      q.ExpireLeases("D", kT0 + absl::Minutes(10) - absl::Milliseconds(1));
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto expired = q.ExpireLeases("D", kT0 + absl::Minutes(10));
  REQUIRE(expired.ok());
  CHECK(*expired == std::vector<std::string>{"F1"});
  auto list = q.List("D", 10);
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].filing_id == "F1");
  CHECK((*list)[0].deadline == kT0 + absl::Hours(5));

  // Alice's lease is gone: she cannot renew or complete; carol can claim.
  CHECK(q.Renew("D", "F1", "alice", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(q.Complete("D", "F1", "alice").code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(q.Claim("D", "F1", "carol", absl::Minutes(10)).ok());
  CHECK(q.ListLeases("D", 10)->size() == 2);
}

TEST_CASE("ExpireLeases handles more expired leases than one batch") {
  Fixture f;
  DeskQueue& q = *f.queue;
  constexpr int kFilings = 1200;
  for (int i = 0; i < kFilings; ++i) {
    std::string id = absl::StrCat("F", i);
    REQUIRE(q.Enqueue("D", id, kT0 + absl::Seconds(i)).ok());
    REQUIRE(q.Claim("D", id, "alice", absl::Minutes(1)).ok());
  }
  auto expired = q.ExpireLeases("D", kT0 + absl::Hours(1));
  REQUIRE(expired.ok());
  CHECK(expired->size() == kFilings);
  CHECK(q.List("D", 10000)->size() == kFilings);
  CHECK(q.ListLeases("D", 10)->empty());
}

TEST_CASE("Two concurrent claimers never both win") {
  Fixture f;
  constexpr int kRounds = 100;
  constexpr int kClaimers = 4;
  std::vector<std::unique_ptr<RedisClient>> clients;
  for (int i = 0; i < kClaimers; ++i) {
    auto c = RedisClient::Connect(TestOptions(*f.server));
    REQUIRE(c.ok());
    clients.push_back(std::make_unique<RedisClient>(*std::move(c)));
  }
  for (int round = 0; round < kRounds; ++round) {
    std::string filing = absl::StrCat("F", round);
    REQUIRE(f.queue->Enqueue("D", filing, kT0).ok());
    std::atomic<int> ready{0};
    std::atomic<int> wins{0};
    std::atomic<int> losses{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kClaimers; ++i) {
      threads.emplace_back([&, i] {
        // Each thread has its own client and queue, per the threading rule.
        DeskQueue queue(*clients[i]);
        ++ready;
        while (ready < kClaimers) std::this_thread::yield();
        auto lease = queue.Claim("D", filing, absl::StrCat("officer", i),
                                 absl::Minutes(5));
        if (lease.ok()) {
          ++wins;
        } else if (lease.status().code() ==
                       absl::StatusCode::kFailedPrecondition ||
                   lease.status().code() == absl::StatusCode::kNotFound) {
          ++losses;
        } else {
          ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    REQUIRE(errors == 0);
    REQUIRE(wins == 1);
    REQUIRE(losses == kClaimers - 1);
    auto leases = f.queue->ListLeases("D", 1000);
    REQUIRE(leases->size() == static_cast<size_t>(round + 1));
  }
}

TEST_CASE("Scripts are reloaded after SCRIPT FLUSH (NOSCRIPT)") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0).ok());
  REQUIRE(q.Enqueue("D", "F2", kT0).ok());
  REQUIRE(q.Claim("D", "F1", "alice", absl::Minutes(1)).ok());
  auto flushed = f.client->Command({"SCRIPT", "FLUSH"});
  REQUIRE(flushed.ok());
  REQUIRE_FALSE(flushed->IsError());
  CHECK(q.Claim("D", "F2", "alice", absl::Minutes(1)).ok());
  CHECK(q.Enqueue("D", "F3", kT0).ok());
}

TEST_CASE("After Redis restarts with wiped data, re-enqueueing restores work") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0 + absl::Hours(1)).ok());
  REQUIRE(q.Enqueue("D", "F2", kT0 + absl::Hours(2)).ok());
  REQUIRE(q.Claim("D", "F1", "alice", absl::Minutes(1)).ok());

  REQUIRE(f.server->Restart(/*wipe_data=*/true).ok());
  // Same client and queue objects: reconnect and script reload are internal.
  auto empty = q.List("D", 10);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  // Alice's claim died with Redis; the store rebuild re-enqueues both.
  CHECK(q.Renew("D", "F1", "alice", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kNotFound);
  REQUIRE(q.Enqueue("D", "F1", kT0 + absl::Hours(1)).ok());
  REQUIRE(q.Enqueue("D", "F2", kT0 + absl::Hours(2)).ok());
  CHECK(Ids(*q.List("D", 10)) == std::vector<std::string>{"F1", "F2"});
  CHECK(q.Claim("D", "F1", "bob", absl::Minutes(1)).ok());
}

TEST_CASE("Claims survive a Redis restart that keeps data") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0).ok());
  REQUIRE(q.Claim("D", "F1", "alice", absl::Minutes(1)).ok());
  REQUIRE(f.server->Restart(/*wipe_data=*/false).ok());
  CHECK(q.Claim("D", "F1", "bob", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("With Redis down every operation is UNAVAILABLE, promptly") {
  Fixture f;
  DeskQueue& q = *f.queue;
  REQUIRE(q.Enqueue("D", "F1", kT0).ok());
  REQUIRE(f.server->Stop().ok());
  absl::Time start = absl::Now();
  CHECK(q.Enqueue("D", "F2", kT0).code() == absl::StatusCode::kUnavailable);
  CHECK(q.List("D", 10).status().code() == absl::StatusCode::kUnavailable);
  CHECK(q.Claim("D", "F1", "a", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(q.Renew("D", "F1", "a", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(q.Release("D", "F1", "a").code() == absl::StatusCode::kUnavailable);
  CHECK(q.Complete("D", "F1", "a").code() == absl::StatusCode::kUnavailable);
  CHECK(q.ExpireLeases("D", kT0).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(absl::Now() - start < absl::Seconds(5));
}

TEST_CASE("Bad desk input is rejected before reaching Redis") {
  Fixture f;
  DeskQueue& q = *f.queue;
  CHECK(q.Enqueue("D}{x", "F1", kT0).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(q.Enqueue("", "F1", kT0).code() == absl::StatusCode::kInvalidArgument);
  CHECK(q.Enqueue("D", "", kT0).code() == absl::StatusCode::kInvalidArgument);
  CHECK(q.Enqueue("D", std::string(129, 'x'), kT0).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(q.Enqueue("D", "bad\nid", kT0).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(q.Claim("D", "F1", "", absl::Minutes(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(q.Claim("D", "F1", "a", absl::ZeroDuration()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(q.List("D", 0).status().code() == absl::StatusCode::kInvalidArgument);
  auto keys = f.client->Command({"DBSIZE"});
  REQUIRE(keys.ok());
  CHECK(keys->integer == 0);
}

}  // namespace
}  // namespace cdkv::queue
