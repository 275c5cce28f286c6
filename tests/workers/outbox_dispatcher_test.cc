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

namespace cdkv::workers {
namespace {

OutboxDispatcher::Options PrefillOff(const Env& env) {
  OutboxDispatcher::Options options = FastOptions(env);
  options.prefill_off = true;
  options.catalog = env.catalog.get();
  return options;
}

TEST_CASE(
    "With pre-fill off a submitted filing goes to its desk with an "
    "empty form flagged for the officer") {
  Env env;
  env.AddFiling("F1", State::kSubmitted, kDeadline);
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"F1"}));
  api::FilingEvents events;
  std::vector<cdkv::v1::FilingEvent> seen;
  absl::Mutex mu;
  events.Subscribe("F1", [&](const cdkv::v1::FilingEvent& e) {
    absl::MutexLock lock(&mu);
    seen.push_back(e);
  });
  OutboxDispatcher::Options options = PrefillOff(env);
  options.events = &events;
  OutboxDispatcher dispatcher(*env.records, options);
  dispatcher.Start();
  queue::RedisClient client = env.Connect();
  REQUIRE(Eventually([&] { return Queued(client).size() == 1; }));
  REQUIRE(Eventually([&] { return env.Outbox().empty(); }));
  dispatcher.Stop();

  CHECK(Queued(client) == std::vector<std::string>{"F1"});
  CHECK(StreamLength(client, kOcrStream) == 0);  // No OCR job was sent.
  CHECK(env.Filing("F1").state == State::kAwaitingDesk);
  std::vector<domain::Transition> history = env.History("F1");
  REQUIRE(history.size() == 2);
  CHECK(history[0].to == State::kPrefilling);
  CHECK(history[1].to == State::kAwaitingDesk);
  CHECK(history[1].reason == OutboxDispatcher::kPrefillOffReason);
  const domain::Procedure* procedure = env.catalog->FindProcedure(kProcedure);
  REQUIRE(procedure != nullptr);
  std::vector<records::FieldRow> fields = env.Fields("F1");
  REQUIRE(fields.size() == procedure->form_fields.size());
  REQUIRE_FALSE(fields.empty());
  for (const records::FieldRow& field : fields) {
    CHECK(field.value.empty());
    CHECK(field.needs_review);
    CHECK(field.review_reason == OutboxDispatcher::kPrefillOffReason);
  }
  absl::MutexLock lock(&mu);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].change().to_state() == cdkv::v1::FILING_STATE_AWAITING_DESK);
}

TEST_CASE(
    "With pre-fill off, jobs of filings past pre-fill or unknown change "
    "nothing and are deleted, a malformed job is held") {
  Env env;
  env.AddFiling("F1", State::kWithdrawn, kDeadline);
  env.AddFiling("F2", State::kAwaitingDesk, kDeadline);
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"F1"}));
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"F2"}));
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"nobody"}));
  AddRow(env, kOutboxOcrJob, "{\"filing\": 1}");
  const size_t history_f2 = env.History("F2").size();
  OutboxDispatcher dispatcher(*env.records, PrefillOff(env));
  dispatcher.Start();
  REQUIRE(Eventually([&] { return env.Outbox().size() == 1; }));
  dispatcher.Stop();
  CHECK(env.Outbox()[0].payload == "{\"filing\": 1}");
  CHECK(env.Filing("F1").state == State::kWithdrawn);
  CHECK(env.Filing("F2").state == State::kAwaitingDesk);
  CHECK(env.History("F2").size() == history_f2);
  CHECK(env.Fields("F1").empty());
  queue::RedisClient client = env.Connect();
  CHECK(StreamLength(client, kOcrStream) == 0);
  CHECK(Queued(client).empty());
}

TEST_CASE(
    "With pre-fill off a filing an OCR worker left prefilling is "
    "finished too") {
  Env env;
  env.AddFiling("F1", State::kPrefilling, kDeadline);
  AddRow(env, kOutboxOcrJob, ToJson(OcrJobPayload{"F1"}));
  OutboxDispatcher dispatcher(*env.records, PrefillOff(env));
  dispatcher.Start();
  queue::RedisClient client = env.Connect();
  REQUIRE(Eventually([&] { return Queued(client).size() == 1; }));
  dispatcher.Stop();
  CHECK(env.Filing("F1").state == State::kAwaitingDesk);
  CHECK_FALSE(env.Fields("F1").empty());
}

}  // namespace
}  // namespace cdkv::workers
