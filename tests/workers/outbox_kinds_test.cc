#include "workers/outbox_kinds.h"

#include <catch2/catch.hpp>

namespace cdkv::workers {
namespace {

TEST_CASE("Outbox payloads survive a round trip") {
  auto ocr = ParseOcrJob(ToJson(OcrJobPayload{"F1"}));
  REQUIRE(ocr.ok());
  CHECK(ocr->filing_id == "F1");

  const absl::Time deadline = absl::FromUnixMillis(1'800'000'000'123);
  auto enqueue =
      ParseDeskEnqueue(ToJson(DeskEnqueuePayload{"D", "F2", deadline}));
  REQUIRE(enqueue.ok());
  CHECK(enqueue->desk == "D");
  CHECK(enqueue->filing_id == "F2");
  CHECK(enqueue->deadline == deadline);

  auto remove = ParseDeskRemove(ToJson(DeskRemovePayload{"D", "F3"}));
  REQUIRE(remove.ok());
  CHECK(remove->desk == "D");
  CHECK(remove->filing_id == "F3");

  auto notify = ParseNotify(ToJson(NotifyPayload{42, "citizen-9"}));
  REQUIRE(notify.ok());
  CHECK(notify->notification_id == 42);
  CHECK(notify->citizen_id == "citizen-9");
}

TEST_CASE("The API's existing desk_remove payload parses") {
  auto remove = ParseDeskRemove(R"({"desk":"desk.x","filing_id":"F"})");
  REQUIRE(remove.ok());
  CHECK(remove->desk == "desk.x");
}

TEST_CASE("Malformed outbox payloads are INVALID_ARGUMENT naming the problem") {
  CHECK(absl::IsInvalidArgument(ParseOcrJob("not json").status()));
  CHECK(absl::IsInvalidArgument(ParseOcrJob("[1]").status()));
  CHECK(absl::IsInvalidArgument(ParseOcrJob(R"({"filing_id":""})").status()));
  CHECK(absl::IsInvalidArgument(ParseOcrJob(R"({"filing_id":7})").status()));
  auto no_deadline = ParseDeskEnqueue(R"({"desk":"D","filing_id":"F"})");
  CHECK(absl::IsInvalidArgument(no_deadline.status()));
  CHECK(no_deadline.status().message().find("deadline_ms") !=
        absl::string_view::npos);
  CHECK(absl::IsInvalidArgument(
      ParseDeskRemove(R"({"filing_id":"F"})").status()));
  CHECK(absl::IsInvalidArgument(
      ParseNotify(R"({"notification_id":"1","citizen_id":"c"})").status()));
}

TEST_CASE("A filing without a deadline queues by its creation time") {
  records::FilingRow f;
  f.created_at = absl::FromUnixSeconds(100);
  CHECK(QueueDeadline(f) == absl::FromUnixSeconds(100));
  f.deadline = absl::FromUnixSeconds(500);
  CHECK(QueueDeadline(f) == absl::FromUnixSeconds(500));
}

}  // namespace
}  // namespace cdkv::workers
