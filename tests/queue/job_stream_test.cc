#include "services/queue/job_stream.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/queue/redis_test_util.h"
#include "tests/support/redis_server.h"

namespace cdkv::queue {
namespace {

using ::cdkv::testing::RedisServer;

struct Fixture {
  explicit Fixture(int max_deliveries = 3) {
    auto started = RedisServer::Start();
    REQUIRE(started.ok());
    server = *std::move(started);
    client = Connect();
    JobStream::Options options;
    options.max_deliveries = max_deliveries;
    jobs = std::make_unique<JobStream>(*client, "ocr", options);
    REQUIRE(jobs->EnsureGroup().ok());
  }
  std::unique_ptr<RedisClient> Connect() {
    auto c = RedisClient::Connect(TestOptions(*server));
    REQUIRE(c.ok());
    return std::make_unique<RedisClient>(*std::move(c));
  }
  int64_t Integer(const std::vector<std::string_view>& argv) {
    auto reply = client->Command(argv);
    REQUIRE(reply.ok());
    REQUIRE(reply->type == RedisReply::Type::kInteger);
    return reply->integer;
  }
  int64_t StreamLength() { return Integer({"XLEN", jobs->stream_key()}); }

  std::unique_ptr<RedisServer> server;
  std::unique_ptr<RedisClient> client;
  std::unique_ptr<JobStream> jobs;
};

TEST_CASE("Jobs are read once, acknowledged, then deleted") {
  Fixture f;
  CHECK(f.jobs->stream_key() == "cdkv:{jobs:ocr}:stream");
  CHECK(f.jobs->dead_letter_key() == "cdkv:{jobs:ocr}:dead");
  REQUIRE(f.jobs->EnsureGroup().ok());  // Idempotent (BUSYGROUP).
  const std::string photo_hash(64, 'a');
  auto id = f.jobs->Add({{"filing", "F1"}, {"photo", photo_hash}});
  REQUIRE(id.ok());

  auto read = f.jobs->Read("w1", 10, absl::ZeroDuration());
  REQUIRE(read.ok());
  REQUIRE(read->size() == 1);
  const Job& job = (*read)[0];
  CHECK(job.id == *id);
  CHECK(job.delivery_count == 1);
  REQUIRE(job.Find("photo") != nullptr);
  CHECK(*job.Find("photo") == photo_hash);
  CHECK(job.Find("missing") == nullptr);
  CHECK(*f.jobs->DeliveryCount(job.id) == 1);

  // Another consumer does not get the same job.
  CHECK(f.jobs->Read("w2", 10, absl::ZeroDuration())->empty());

  REQUIRE(f.jobs->Ack(job.id).ok());
  REQUIRE(f.jobs->Ack(job.id).ok());  // Retried ack.
  CHECK(f.StreamLength() == 0);
  CHECK(f.jobs->DeliveryCount(job.id).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("Acking a job that was never delivered does not delete it") {
  Fixture f;
  auto id = f.jobs->Add({{"k", "v"}});
  REQUIRE(id.ok());
  REQUIRE(f.jobs->Ack(*id).ok());
  CHECK(f.StreamLength() == 1);
  auto read = f.jobs->Read("w1", 10, absl::ZeroDuration());
  REQUIRE(read->size() == 1);
  CHECK((*read)[0].id == *id);
}

TEST_CASE("Read blocks for at most the given time") {
  Fixture f;
  absl::Time start = absl::Now();
  auto read = f.jobs->Read("w1", 1, absl::Milliseconds(300));
  absl::Duration took = absl::Now() - start;
  REQUIRE(read.ok());
  CHECK(read->empty());
  CHECK(took >= absl::Milliseconds(250));
  CHECK(took < absl::Seconds(2));
}

TEST_CASE("A crashed consumer's jobs are redelivered by ClaimStale") {
  Fixture f;
  for (int i = 0; i < 3; ++i)
    REQUIRE(f.jobs->Add({{"n", absl::StrCat(i)}}).ok());
  {
    // The consumer reads, then "crashes": its client goes away, no acks.
    auto crashed_client = f.Connect();
    JobStream crashed(*crashed_client, "ocr");
    auto taken = crashed.Read("crashed-worker", 10, absl::ZeroDuration());
    REQUIRE(taken.ok());
    REQUIRE(taken->size() == 3);
  }
  // Nothing new to read, and not yet idle long enough to take over.
  CHECK(f.jobs->Read("w2", 10, absl::ZeroDuration())->empty());
  CHECK(f.jobs->ClaimStale("w2", absl::Minutes(5), 10)->empty());

  absl::SleepFor(absl::Milliseconds(50));
  auto claimed = f.jobs->ClaimStale("w2", absl::Milliseconds(20), 2);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 2);
  CHECK((*claimed)[0].delivery_count == 2);
  CHECK(*(*claimed)[0].Find("n") == "0");
  CHECK(*(*claimed)[1].Find("n") == "1");
  for (const Job& job : *claimed) REQUIRE(f.jobs->Ack(job.id).ok());

  auto rest = f.jobs->ClaimStale("w2", absl::Milliseconds(20), 10);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 1);
  CHECK(*(*rest)[0].Find("n") == "2");
  REQUIRE(f.jobs->Ack((*rest)[0].id).ok());
  CHECK(f.StreamLength() == 0);
}

TEST_CASE("A job that keeps crashing consumers is dead-lettered") {
  Fixture f(/*max_deliveries=*/3);
  auto id = f.jobs->Add({{"filing", "F9"}, {"photo", "p"}});
  REQUIRE(id.ok());
  REQUIRE(f.jobs->Read("w1", 1, absl::ZeroDuration())->size() == 1);  // 1st
  for (int delivery = 2; delivery <= 3; ++delivery) {
    auto claimed = f.jobs->ClaimStale("w1", absl::ZeroDuration(), 10);
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 1);
    CHECK((*claimed)[0].delivery_count == delivery);
  }
  // The 4th delivery would exceed the limit: dead letter instead.
  auto claimed = f.jobs->ClaimStale("w1", absl::ZeroDuration(), 10);
  REQUIRE(claimed.ok());
  CHECK(claimed->empty());
  CHECK(f.StreamLength() == 0);
  CHECK(f.jobs->DeliveryCount(*id).status().code() ==
        absl::StatusCode::kNotFound);

  auto letters = f.jobs->ListDeadLetters(10);
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  const DeadLetterEntry& letter = (*letters)[0];
  CHECK(letter.job_id == *id);
  CHECK(letter.deliveries == 4);
  CHECK(letter.error.find("delivered 3 times") != std::string::npos);
  CHECK(letter.fields == JobFields{{"filing", "F9"}, {"photo", "p"}});
}

TEST_CASE("Fail retries until max deliveries, then dead-letters once") {
  Fixture f(/*max_deliveries=*/2);
  REQUIRE(f.jobs->Add({{"filing", "F1"}}).ok());
  auto first = f.jobs->Read("w1", 1, absl::ZeroDuration());
  REQUIRE(first->size() == 1);
  auto dead = f.jobs->Fail((*first)[0], "tesseract: image too blurry");
  REQUIRE(dead.ok());
  CHECK_FALSE(*dead);
  CHECK(f.StreamLength() == 1);

  auto second = f.jobs->ClaimStale("w2", absl::ZeroDuration(), 1);
  REQUIRE(second->size() == 1);
  CHECK((*second)[0].delivery_count == 2);
  dead = f.jobs->Fail((*second)[0], "tesseract: image too blurry");
  REQUIRE(dead.ok());
  CHECK(*dead);
  // A racing consumer dead-lettering the same job adds nothing.
  REQUIRE(f.jobs->DeadLetter((*second)[0], "again").ok());
  auto letters = f.jobs->ListDeadLetters(10);
  REQUIRE(letters->size() == 1);
  CHECK((*letters)[0].error == "tesseract: image too blurry");
  CHECK((*letters)[0].deliveries == 2);
  CHECK(f.StreamLength() == 0);
}

TEST_CASE("Pending jobs survive a Redis restart that keeps data") {
  Fixture f;
  REQUIRE(f.jobs->Add({{"k", "v"}}).ok());
  REQUIRE(f.jobs->Read("w1", 1, absl::ZeroDuration())->size() == 1);
  REQUIRE(f.server->Restart(/*wipe_data=*/false).ok());
  auto claimed = f.jobs->ClaimStale("w2", absl::ZeroDuration(), 10);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  CHECK((*claimed)[0].delivery_count == 2);
}

TEST_CASE(
    "After Redis loses its data the group is recreated and work resumes") {
  Fixture f;
  REQUIRE(f.jobs->Add({{"k", "lost"}}).ok());
  auto lost = f.jobs->Read("w1", 1, absl::ZeroDuration());
  REQUIRE(lost->size() == 1);

  REQUIRE(f.server->Restart(/*wipe_data=*/true).ok());
  // Acking or dead-lettering a job Redis forgot is harmless.
  CHECK(f.jobs->Ack((*lost)[0].id).ok());
  CHECK(f.jobs->DeadLetter((*lost)[0], "failed after the wipe").ok());
  CHECK(f.jobs->ListDeadLetters(10)->empty());
  // Read notices the missing group (NOGROUP) and recreates it.
  auto empty = f.jobs->Read("w1", 1, absl::ZeroDuration());
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  REQUIRE(f.server->Restart(/*wipe_data=*/true).ok());
  // Jobs re-added from the outbox before any consumer returns are not
  // skipped: the recreated group starts at the beginning of the stream.
  REQUIRE(f.jobs->Add({{"k", "rebuilt"}}).ok());
  REQUIRE(f.jobs->EnsureGroup().ok());
  auto rebuilt = f.jobs->Read("w1", 10, absl::ZeroDuration());
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->size() == 1);
  CHECK(*(*rebuilt)[0].Find("k") == "rebuilt");

  REQUIRE(f.server->Restart(/*wipe_data=*/true).ok());
  CHECK(f.jobs->ClaimStale("w1", absl::ZeroDuration(), 10)->empty());
}

TEST_CASE("A second consumer group on the stream is refused") {
  Fixture f;
  auto extra = f.client->Command(
      {"XGROUP", "CREATE", f.jobs->stream_key(), "other", "0"});
  REQUIRE(extra.ok());
  REQUIRE_FALSE(extra->IsError());
  absl::Status status = f.jobs->EnsureGroup();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(status.message().find("XGROUP DESTROY") != absl::string_view::npos);
}

TEST_CASE("With Redis down every job operation is UNAVAILABLE, promptly") {
  Fixture f;
  auto id = f.jobs->Add({{"k", "v"}});
  REQUIRE(id.ok());
  auto read = f.jobs->Read("w1", 1, absl::ZeroDuration());
  REQUIRE(read->size() == 1);
  REQUIRE(f.server->Kill9().ok());
  absl::Time start = absl::Now();
  CHECK(f.jobs->EnsureGroup().code() == absl::StatusCode::kUnavailable);
  CHECK(f.jobs->Add({{"k", "v"}}).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(f.jobs->Read("w1", 1, absl::Seconds(1)).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(f.jobs->Ack(*id).code() == absl::StatusCode::kUnavailable);
  CHECK(f.jobs->ClaimStale("w1", absl::ZeroDuration(), 1).status().code() ==
        absl::StatusCode::kUnavailable);
  CHECK(f.jobs->DeadLetter((*read)[0], "x").code() ==
        absl::StatusCode::kUnavailable);
  CHECK(absl::Now() - start < absl::Seconds(5));
}

TEST_CASE("Bad job input is rejected") {
  Fixture f;
  CHECK(f.jobs->Add({}).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.jobs->Add({{"", "v"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.jobs->Read("", 1, absl::ZeroDuration()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.jobs->Read("w", 0, absl::ZeroDuration()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.jobs->ClaimStale("w", absl::ZeroDuration(), 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(f.StreamLength() == 0);
}

}  // namespace
}  // namespace cdkv::queue
