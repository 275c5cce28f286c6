#include "services/chat/chat_store.h"

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace cdkv::chat {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1763855000);

TEST_CASE("a message id is handled once per OA", "[chat_store]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  CHECK(*(*store)->MarkSeen("oa1", "m1", kNow) == true);
  CHECK(*(*store)->MarkSeen("oa1", "m1", kNow + absl::Seconds(1)) == false);
  CHECK(*(*store)->MarkSeen("oa2", "m1", kNow) == true);  // another OA, another id space
  CHECK(*(*store)->MarkSeen("oa1", "m2", kNow) == true);
}

TEST_CASE("pruning forgets old message ids only", "[chat_store]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->MarkSeen("oa", "old", kNow - absl::Hours(48)).ok());
  REQUIRE((*store)->MarkSeen("oa", "new", kNow).ok());
  auto pruned = (*store)->PruneSeen(kNow - absl::Hours(24));
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(*(*store)->MarkSeen("oa", "new", kNow) == false);
  CHECK(*(*store)->MarkSeen("oa", "old", kNow) == true);
}

TEST_CASE("conversations are kept per OA and user, and survive reopening", "[chat_store]") {
  auto dir = cdkv::testing::TempDir::Create();
  REQUIRE(dir.ok());
  const std::string path = (dir->path() / "chat.db").string();
  Conversation c;
  c.state = DialogueState::kConfirming;
  c.procedure_code = "dang_ky_khai_sinh";
  c.filing_id = "HS0123456789";
  c.photos = 3;
  {
    auto store = ChatStore::Open(path);
    REQUIRE(store.ok());
    CHECK(*(*store)->Load("oa", "u1") == Conversation{});
    REQUIRE((*store)->Save("oa", "u1", c, kNow).ok());
    Conversation other;
    other.state = DialogueState::kChoosingProcedure;
    REQUIRE((*store)->Save("oa", "u2", other, kNow).ok());
    CHECK(*(*store)->Load("oa", "u2") == other);
    CHECK(*(*store)->Load("oa2", "u1") == Conversation{});
  }
  auto reopened = ChatStore::Open(path);
  REQUIRE(reopened.ok());
  CHECK(*(*reopened)->Load("oa", "u1") == c);
  c.state = DialogueState::kSubmitted;
  REQUIRE((*reopened)->Save("oa", "u1", c, kNow).ok());
  CHECK((*reopened)->Load("oa", "u1")->state == DialogueState::kSubmitted);
}

TEST_CASE("dialogue state names round-trip", "[chat_store]") {
  for (DialogueState s : {DialogueState::kIdle, DialogueState::kChoosingProcedure,
                          DialogueState::kCollectingPhotos, DialogueState::kConfirming,
                          DialogueState::kSubmitted}) {
    CHECK(*ParseDialogueState(DialogueStateName(s)) == s);
  }
  CHECK(ParseDialogueState("bogus").status().code() == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cdkv::chat
