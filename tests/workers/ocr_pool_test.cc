#include "workers/ocr_pool.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <climits>
#include <memory>

#include "absl/time/clock.h"
#include "services/queue/job_stream.h"
#include "tests/workers/qr_photo.h"
#include "tests/workers/workers_test_util.h"
#include "workers/id_card_qr_prefiller.h"
#include "workers/outbox_kinds.h"

namespace cdkv::workers {
namespace {

using domain::Action;
using domain::State;

const absl::Time kDeadline = absl::FromUnixSeconds(1'800'000'000);

// Fills the requester's name and recognises every photo as an ID card;
// counts its calls across instances.
class FakePrefiller : public Prefiller {
 public:
  explicit FakePrefiller(std::atomic<int>& calls) : calls_(calls) {}
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure& procedure,
      const std::vector<DocumentInput>& docs) override {
    ++calls_;
    PrefillResult result;
    result.fields = EmptyForm(procedure, "không có nguồn");
    result.fields[0].value = "Trần Thị Bình";
    result.fields[0].method = "qr";
    result.fields[0].confidence = 0.98;
    result.fields[0].needs_review = false;
    result.fields[0].review_reason.clear();
    for (const DocumentInput& d : docs) {
      REQUIRE(d.bytes == "photo-bytes-" + d.document_id);
      result.detected_kinds.emplace_back(d.document_id, "id_card");
    }
    return result;
  }

 private:
  std::atomic<int>& calls_;
};

class FailingPrefiller : public Prefiller {
 public:
  explicit FailingPrefiller(std::atomic<int>& calls) : calls_(calls) {}
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure&, const std::vector<DocumentInput>&) override {
    ++calls_;
    return absl::InternalError("tesseract exploded");
  }

 private:
  std::atomic<int>& calls_;
};

class SlowPrefiller : public Prefiller {
 public:
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure&, const std::vector<DocumentInput>&) override {
    absl::SleepFor(absl::Milliseconds(800));
    return PrefillResult{};
  }
};

OcrPool::Options FastOptions(const Env& env) {
  OcrPool::Options options;
  options.redis = env.RedisOptions();
  options.threads = 2;
  options.consumer_prefix = "test-ocr";
  options.lease = absl::Milliseconds(300);
  options.read_block = absl::Milliseconds(100);
  options.max_deliveries = 3;
  return options;
}

struct Fixture {
  explicit Fixture(std::function<std::unique_ptr<Prefiller>()> factory)
      : Fixture(std::move(factory), [](OcrPool::Options&) {}) {}
  Fixture(std::function<std::unique_ptr<Prefiller>()> factory,
          const std::function<void(OcrPool::Options&)>& tweak) {
    OcrPool::Options options = FastOptions(env);
    tweak(options);
    client = std::make_unique<queue::RedisClient>(env.Connect());
    stream = std::make_unique<queue::JobStream>(*client, kOcrStream);
    REQUIRE(stream->EnsureGroup().ok());
    pool = std::make_unique<OcrPool>(
        *env.records, *env.blobs, *env.catalog, &events, [this] { ++pokes; },
        std::move(factory), options);
  }

  void Submit(const std::string& id) {
    env.AddFiling(id, State::kSubmitted, kDeadline);
    env.AddPhoto(id, "p1", "id_card", "photo-bytes-p1");
    AddJob(id);
  }
  void AddJob(const std::string& id) {
    REQUIRE(stream->Add({{std::string(kJobFilingId), id}}).ok());
  }
  bool AtDesk(const std::string& id) {
    return env.Filing(id).state == State::kAwaitingDesk;
  }
  int64_t StreamLength() {
    auto reply = client->Command({"XLEN", stream->stream_key()});
    REQUIRE(reply.ok());
    return reply->integer;
  }
  int Count(const std::string& id, Action action) {
    auto history = env.History(id);
    return static_cast<int>(std::count_if(
        history.begin(), history.end(),
        [&](const domain::Transition& t) { return t.action == action; }));
  }
  int DeskEnqueues(const std::string& id) {
    int n = 0;
    for (const auto& row : env.Outbox()) {
      if (row.kind != kOutboxDeskEnqueue) continue;
      auto payload = ParseDeskEnqueue(row.payload);
      REQUIRE(payload.ok());
      if (payload->filing_id == id) {
        CHECK(payload->desk == kDesk);
        CHECK(payload->deadline == kDeadline);
        ++n;
      }
    }
    return n;
  }

  Env env;
  api::FilingEvents events;
  std::atomic<int> pokes = 0;
  std::atomic<int> calls = 0;
  std::unique_ptr<queue::RedisClient> client;
  std::unique_ptr<queue::JobStream> stream;
  std::unique_ptr<OcrPool> pool;
};

std::function<std::unique_ptr<Prefiller>()> Fake(std::atomic<int>& calls) {
  return [&calls] { return std::make_unique<FakePrefiller>(calls); };
}

TEST_CASE("The OCR pool pre-fills a filing and sends it to its desk") {
  std::atomic<int> calls = 0;
  Fixture f(Fake(calls));
  std::vector<std::string> seen;
  f.events.Subscribe("F1", [&](const cdkv::v1::FilingEvent& e) {
    seen.push_back(e.change().action());
  });
  f.Submit("F1");
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1"); }));
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));  // Acked.
  f.pool->Stop();

  CHECK(calls == 1);
  CHECK(f.Count("F1", Action::kStartPrefill) == 1);
  CHECK(f.Count("F1", Action::kFinishPrefill) == 1);
  CHECK(seen == std::vector<std::string>{"start_prefill", "finish_prefill"});
  CHECK(f.DeskEnqueues("F1") == 1);
  CHECK(f.pokes >= 1);
  auto fields = f.env.Fields("F1");
  REQUIRE_FALSE(fields.empty());
  CHECK(fields[0].value == "Trần Thị Bình");
  CHECK(fields[0].filing_id == "F1");
  CHECK(f.env.Documents("F1")[0].detected_kind == "id_card");
}

TEST_CASE("Duplicate jobs and jobs for filings past pre-fill are no-ops") {
  std::atomic<int> calls = 0;
  // One thread, so the duplicates arrive after the pre-fill finished (two
  // threads may both read a filing that is still prefilling; the next test
  // covers that).
  Fixture f(Fake(calls),
            [](OcrPool::Options& options) { options.threads = 1; });
  f.Submit("F1");
  f.AddJob("F1");
  f.AddJob("F1");
  f.env.AddFiling("AT_DESK", State::kAwaitingDesk, kDeadline);
  f.AddJob("AT_DESK");
  f.AddJob("NO_SUCH_FILING");
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1") && f.StreamLength() == 0; }));
  f.pool->Stop();

  CHECK(calls == 1);
  CHECK(f.Count("F1", Action::kFinishPrefill) == 1);
  CHECK(f.DeskEnqueues("F1") == 1);
  CHECK(f.env.History("AT_DESK").empty());
  CHECK(f.DeskEnqueues("AT_DESK") == 0);
  CHECK(f.stream->ListDeadLetters(10)->empty());
}

TEST_CASE("Concurrent duplicate jobs store one pre-fill") {
  std::atomic<int> calls = 0;
  Fixture f(Fake(calls),
            [](OcrPool::Options& options) { options.threads = 3; });
  for (int i = 0; i < 3; ++i) f.Submit("F" + std::to_string(i));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 3; ++i) f.AddJob("F" + std::to_string(i));
  }
  f.pool->Start();
  REQUIRE(Eventually([&] {
    return f.AtDesk("F0") && f.AtDesk("F1") && f.AtDesk("F2") &&
           f.StreamLength() == 0;
  }));
  f.pool->Stop();
  for (int i = 0; i < 3; ++i) {
    const std::string id = "F" + std::to_string(i);
    CHECK(f.Count(id, Action::kStartPrefill) == 1);
    CHECK(f.Count(id, Action::kFinishPrefill) == 1);
    CHECK(f.DeskEnqueues(id) == 1);
  }
  CHECK(calls >= 3);
  CHECK(calls <= 9);
}

TEST_CASE("A crashed consumer's job is redelivered and takes effect once") {
  std::atomic<int> calls = 0;
  Fixture f(Fake(calls));
  f.Submit("F1");
  // A consumer that received the job and died without acking it, after it
  // had moved the filing to prefilling.
  auto taken = f.stream->Read("crashed-consumer", 1, absl::ZeroDuration());
  REQUIRE(taken.ok());
  REQUIRE(taken->size() == 1);
  records::FilingRow filing = f.env.Filing("F1");
  filing.state = State::kPrefilling;
  REQUIRE(f.env.records
              ->Write([&](records::Tx& tx) { return tx.UpdateFiling(filing); })
              .ok());

  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1") && f.StreamLength() == 0; }));
  absl::SleepFor(absl::Milliseconds(500));  // Longer than a lease: no repeat.
  f.pool->Stop();

  CHECK(calls == 1);
  CHECK(f.Count("F1", Action::kFinishPrefill) == 1);
  CHECK(f.DeskEnqueues("F1") == 1);
}

TEST_CASE(
    "A job that keeps failing is dead-lettered and still reaches the desk") {
  std::atomic<int> calls = 0;
  Fixture f([&calls] { return std::make_unique<FailingPrefiller>(calls); });
  f.Submit("F1");
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1"); }));
  REQUIRE(Eventually([&] { return f.StreamLength() == 0; }));
  f.pool->Stop();

  CHECK(calls == 3);  // max_deliveries attempts, no more.
  auto dead = f.stream->ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].error.find("tesseract exploded") != std::string::npos);
  CHECK((*dead)[0].deliveries == 3);

  auto fields = f.env.Fields("F1");
  const domain::Procedure* procedure = f.env.catalog->FindProcedure(kProcedure);
  REQUIRE(fields.size() == procedure->form_fields.size());
  for (const auto& field : fields) {
    CHECK(field.value.empty());
    CHECK(field.needs_review);
    CHECK(field.review_reason == "không đọc được ảnh");
  }
  CHECK(f.Count("F1", Action::kFinishPrefill) == 1);
  // The citizen sees a plain reason, not the technical error.
  CHECK(f.env.History("F1").back().reason == "không đọc được ảnh");
  CHECK(f.DeskEnqueues("F1") == 1);
}

TEST_CASE("A job whose consumers kept crashing goes to the desk unread") {
  std::atomic<int> calls = 0;
  Fixture f(Fake(calls));
  f.Submit("F1");
  // Three deliveries to consumers that all died (max_deliveries is 3).
  queue::JobStream crashing(*f.client, kOcrStream,
                            queue::JobStream::Options{INT_MAX});
  REQUIRE(crashing.Read("crashed-1", 1, absl::ZeroDuration())->size() == 1);
  for (int i = 2; i <= 3; ++i) {
    auto again = crashing.ClaimStale("crashed-" + std::to_string(i),
                                     absl::ZeroDuration(), 1);
    REQUIRE(again.ok());
    REQUIRE(again->size() == 1);
  }
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1") && f.StreamLength() == 0; }));
  f.pool->Stop();

  CHECK(calls == 0);
  REQUIRE(f.stream->ListDeadLetters(10)->size() == 1);
  CHECK(f.env.Fields("F1")[0].review_reason == "không đọc được ảnh");
}

TEST_CASE("A pre-fill slower than the time limit fails the job") {
  Fixture f([] { return std::make_unique<SlowPrefiller>(); },
            [](OcrPool::Options& options) {
              options.job_time_limit = absl::Milliseconds(100);
              options.max_deliveries = 1;
              options.threads = 1;
            });
  f.Submit("F1");
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1") && f.StreamLength() == 0; }));
  const absl::Time stopping = absl::Now();
  f.pool->Stop();
  CHECK(absl::Now() - stopping < absl::Seconds(3));

  auto dead = f.stream->ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].error.find("longer than") != std::string::npos);
}

TEST_CASE("The pool pre-fills from a real ID card QR photo") {
  Fixture f([] { return std::make_unique<IdCardQrPrefiller>(); });
  f.env.AddFiling("F1", State::kSubmitted, kDeadline);
  f.env.AddPhoto("F1", "front", "other", QrPhotoPng(kCardPayload));
  f.AddJob("F1");
  f.pool->Start();
  REQUIRE(Eventually([&] { return f.AtDesk("F1") && f.StreamLength() == 0; }));
  f.pool->Stop();

  bool found = false;
  for (const auto& field : f.env.Fields("F1")) {
    if (field.key != "requester.id_number") continue;
    found = true;
    CHECK(field.value == "087090001234");
    CHECK(field.method == "qr");
    CHECK(field.document_id == "front");
    CHECK_FALSE(field.needs_review);
  }
  CHECK(found);
  CHECK(f.env.Documents("F1")[0].detected_kind == "id_card");
  CHECK(f.DeskEnqueues("F1") == 1);
}

}  // namespace
}  // namespace cdkv::workers
