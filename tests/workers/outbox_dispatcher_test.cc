#include "workers/outbox_dispatcher.h"

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "services/queue/desk_queue.h"
#include "services/queue/job_stream.h"
#include "tests/workers/workers_test_util.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::State;

const absl::Time kDeadline = absl::FromUnixMillis(1'800'000'000'000);

OutboxDispatcher::Options FastOptions(const Env& env) {
  OutboxDispatcher::Options options;
  options.redis = env.RedisOptions();
  options.poll_interval = absl::Milliseconds(50);
  options.min_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  return options;
}

void AddRow(Env& env, std::string_view kind, const std::string& payload) {
  REQUIRE(env.records
              ->Write([&](records::Tx& tx) {
                return tx.AddOutbox(kind, payload, absl::Now());
              })
              .ok());
}

int64_t StreamLength(queue::RedisClient& client, std::string_view name) {
  queue::JobStream stream(client, name);
  auto reply = client.Command({"XLEN", stream.stream_key()});
  REQUIRE(reply.ok());
  return reply->integer;
}

std::vector<std::string> Queued(queue::RedisClient& client) {
  queue::DeskQueue desks(client);
  auto list = desks.List(kDesk, 100);
  REQUIRE(list.ok());
  std::vector<std::string> ids;
  for (const auto& f : *list) ids.push_back(f.filing_id);
  return ids;
}

TEST_CASE("The dispatcher moves every kind of row to Redis and deletes it") {
  Env env;
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"F1"}));
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "F2", kDeadline}));
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "F3", kDeadline}));
  AddRow(env, kOutboxDeskRemove, ToJson(DeskRemovePayload{kDesk, "F3"}));
  AddRow(env, kOutboxNotify, ToJson(NotifyPayload{7, "citizen-1"}));

  OutboxDispatcher dispatcher(*env.records, FastOptions(env));
  dispatcher.Start();
  REQUIRE(Eventually([&] { return env.Outbox().empty(); }));
  dispatcher.Stop();

  queue::RedisClient client = env.Connect();
  CHECK(StreamLength(client, kOcrStream) == 1);
  CHECK(StreamLength(client, kNotificationStream) == 1);
  // F3 was queued, then removed: its rows kept their order.
  CHECK(Queued(client) == std::vector<std::string>{"F2"});

  queue::JobStream ocr(client, kOcrStream);
  auto jobs = ocr.Read("test", 10, absl::ZeroDuration());
  REQUIRE(jobs.ok());
  REQUIRE(jobs->size() == 1);
  CHECK(*(*jobs)[0].Find(kJobFilingId) == "F1");
  queue::JobStream notes(client, kNotificationStream);
  auto notifications = notes.Read("test", 10, absl::ZeroDuration());
  REQUIRE(notifications.ok());
  REQUIRE(notifications->size() == 1);
  CHECK(*(*notifications)[0].Find(kJobNotificationId) == "7");
  CHECK(*(*notifications)[0].Find(kJobCitizenId) == "citizen-1");
}

TEST_CASE("Poke wakes the dispatcher long before its poll interval") {
  Env env;
  OutboxDispatcher::Options options = FastOptions(env);
  options.poll_interval = absl::Seconds(30);
  OutboxDispatcher dispatcher(*env.records, options);
  dispatcher.Start();
  absl::SleepFor(absl::Milliseconds(200));  // Let it reach its long sleep.
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "F1", kDeadline}));
  const absl::Time poked = absl::Now();
  dispatcher.Poke();
  REQUIRE(Eventually([&] { return env.Outbox().empty(); }, absl::Seconds(5)));
  CHECK(absl::Now() - poked < absl::Seconds(5));
  const absl::Time stopping = absl::Now();
  dispatcher.Stop();
  CHECK(absl::Now() - stopping < absl::Seconds(2));
}

TEST_CASE("With Redis down rows stay in the store and go out once it is back") {
  Env env;
  OutboxDispatcher dispatcher(*env.records, FastOptions(env));
  dispatcher.Start();
  REQUIRE(env.redis->Stop().ok());

  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "A", kDeadline}));
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "B", kDeadline + absl::Hours(1)}));
  AddRow(env, kOutboxDeskRemove, ToJson(DeskRemovePayload{kDesk, "A"}));
  dispatcher.Poke();
  absl::SleepFor(absl::Milliseconds(500));
  CHECK(env.Outbox().size() == 3);

  REQUIRE(env.redis->Restart(/*wipe_data=*/true).ok());
  REQUIRE(Eventually([&] { return env.Outbox().empty(); }));
  queue::RedisClient client = env.Connect();
  CHECK(Queued(client) == std::vector<std::string>{"B"});
  const absl::Time stopping = absl::Now();
  dispatcher.Stop();
  CHECK(absl::Now() - stopping < absl::Seconds(3));
}

TEST_CASE("A rejected row holds back its filing's later rows, not others") {
  Env env;
  // An invalid desk id: Redis can never accept this row.
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{"{bad}", "F1", kDeadline}));
  AddRow(env, kOutboxDeskRemove, ToJson(DeskRemovePayload{kDesk, "F1"}));
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "F2", kDeadline}));
  AddRow(env, kOutboxOcrJob, "not json");

  OutboxDispatcher dispatcher(*env.records, FastOptions(env));
  dispatcher.Start();
  REQUIRE(Eventually([&] { return env.Outbox().size() == 3; }));
  absl::SleepFor(absl::Milliseconds(300));  // Several more passes.
  dispatcher.Stop();

  std::vector<records::OutboxRow> left = env.Outbox();
  REQUIRE(left.size() == 3);
  CHECK(left[0].kind == kOutboxDeskEnqueue);
  CHECK(left[1].kind == kOutboxDeskRemove);
  CHECK(left[2].payload == "not json");
  queue::RedisClient client = env.Connect();
  CHECK(Queued(client) == std::vector<std::string>{"F2"});
}

TEST_CASE("More rejected rows than a batch do not block the rows behind") {
  Env env;
  for (int i = 0; i < 7; ++i) AddRow(env, kOutboxNotify, R"({"bad":true})");
  AddRow(env, kOutboxDeskEnqueue,
         ToJson(DeskEnqueuePayload{kDesk, "F1", kDeadline}));
  OutboxDispatcher::Options options = FastOptions(env);
  options.batch_size = 3;
  OutboxDispatcher dispatcher(*env.records, options);
  dispatcher.Start();
  REQUIRE(Eventually([&] { return env.Outbox().size() == 7; }));
  dispatcher.Stop();
  queue::RedisClient client = env.Connect();
  CHECK(Queued(client) == std::vector<std::string>{"F1"});
}

TEST_CASE("With a reconciler the dispatcher rebuilds Redis after a wipe") {
  Env env;
  env.AddFiling("W1", State::kAwaitingDesk, kDeadline);
  Reconciler reconciler(*env.records);
  OutboxDispatcher::Options options = FastOptions(env);
  options.reconciler = &reconciler;
  options.reconcile_interval = absl::Milliseconds(100);
  OutboxDispatcher dispatcher(*env.records, options);
  dispatcher.Start();
  REQUIRE(Eventually([&] {
    queue::RedisClient client = env.Connect();
    return Queued(client) == std::vector<std::string>{"W1"};
  }));
  REQUIRE(env.redis->Restart(/*wipe_data=*/true).ok());
  REQUIRE(Eventually([&] {
    auto client = queue::RedisClient::Connect(env.RedisOptions());
    if (!client.ok()) return false;
    queue::DeskQueue desks(*client);
    auto list = desks.List(kDesk, 10);
    return list.ok() && list->size() == 1;
  }));
  dispatcher.Stop();
}

}  // namespace
}  // namespace cdkv::workers
