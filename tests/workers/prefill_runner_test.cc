#include "workers/prefill_runner.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace cdkv::workers {
namespace {

// Blocks until released; returns one field named after the first document.
class GatedPrefiller : public Prefiller {
 public:
  explicit GatedPrefiller(absl::Notification& release) : release_(release) {}
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure&,
      const std::vector<DocumentInput>& docs) override {
    release_.WaitForNotification();
    PrefillResult result;
    result.fields.emplace_back();
    result.fields.back().key = docs.empty() ? "" : docs[0].document_id;
    return result;
  }

 private:
  absl::Notification& release_;
};

class ThrowingPrefiller : public Prefiller {
 public:
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure&, const std::vector<DocumentInput>&) override {
    throw std::runtime_error("opencv assertion");
  }
};

TEST_CASE("PrefillRunner returns the Prefiller's result within the limit") {
  const domain::Procedure procedure;
  absl::Notification release;
  release.Notify();
  PrefillRunner runner(std::make_unique<GatedPrefiller>(release));
  auto result =
      runner.Run(procedure, {{"d7", "id_card", "x"}}, absl::Seconds(5));
  REQUIRE(result.ok());
  REQUIRE(result->fields.size() == 1);
  CHECK(result->fields[0].key == "d7");
  CHECK_FALSE(runner.busy());
}

TEST_CASE(
    "PrefillRunner gives up on a slow call and stays busy until it ends") {
  // Declared before the runner: the abandoned call still reads it.
  const domain::Procedure procedure;
  absl::Notification release;
  PrefillRunner runner(std::make_unique<GatedPrefiller>(release));
  const absl::Time start = absl::Now();
  auto result = runner.Run(procedure, {}, absl::Milliseconds(50));
  CHECK(absl::IsDeadlineExceeded(result.status()));
  CHECK(absl::Now() - start < absl::Seconds(2));
  CHECK(runner.busy());
  CHECK(absl::IsFailedPrecondition(
      runner.Run(procedure, {}, absl::Milliseconds(10)).status()));
  release.Notify();
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (runner.busy() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  CHECK_FALSE(runner.busy());
  // The abandoned result is not handed to the next call.
  auto next = runner.Run(procedure, {{"d8", "", ""}}, absl::Seconds(5));
  REQUIRE(next.ok());
  CHECK(next->fields[0].key == "d8");
}

TEST_CASE("PrefillRunner turns an exception into INTERNAL") {
  const domain::Procedure procedure;
  PrefillRunner runner(std::make_unique<ThrowingPrefiller>());
  auto result = runner.Run(procedure, {}, absl::Seconds(5));
  CHECK(absl::IsInternal(result.status()));
  CHECK(result.status().message().find("opencv assertion") !=
        absl::string_view::npos);
}

}  // namespace
}  // namespace cdkv::workers
