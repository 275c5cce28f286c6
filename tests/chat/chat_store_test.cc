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
  for (DialogueState s :
       {DialogueState::kIdle, DialogueState::kChoosingProcedure, DialogueState::kCollectingPhotos,
        DialogueState::kConfirming, DialogueState::kSubmitted}) {
    CHECK(*ParseDialogueState(DialogueStateName(s)) == s);
  }
  CHECK(ParseDialogueState("bogus").status().code() == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cdkv::chat

namespace cdkv::chat {
namespace {

TEST_CASE("an accepted event is stored once, with its msg_id mark", "[chat_store][inbox]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  CHECK(*(*store)->Accept("oa", "u1", "m1", "{\"a\":1}", kNow) == true);
  CHECK(*(*store)->Accept("oa", "u1", "m1", "{\"a\":2}", kNow) == false);
  CHECK(*(*store)->Accept("oa", "u2", "m2", "{\"b\":1}", kNow) == true);
  CHECK(*(*store)->MarkSeen("oa", "m1", kNow) == false);
  auto pending = (*store)->PendingInbox(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].msg_id == "m1");
  CHECK((*pending)[0].body == "{\"a\":1}");
  CHECK((*pending)[0].user_id == "u1");
  CHECK((*pending)[1].msg_id == "m2");
}

TEST_CASE("completing an event saves the conversation and removes it together",
          "[chat_store][inbox]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Accept("oa", "u1", "m1", "{}", kNow).ok());
  auto pending = (*store)->PendingInbox(10);
  REQUIRE(pending->size() == 1);
  Conversation c;
  c.state = DialogueState::kCollectingPhotos;
  c.filing_id = "HS0123456789";
  c.link_phone = "0912345678";
  c.link_attempts = 2;
  REQUIRE((*store)->Complete((*pending)[0].id, "oa", "u1", c, kNow).ok());
  CHECK((*store)->PendingInbox(10)->empty());
  CHECK(*(*store)->Load("oa", "u1") == c);
}

TEST_CASE("an event failing max_attempts times is dead-lettered", "[chat_store][inbox]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Accept("oa", "u1", "m1", "{}", kNow).ok());
  const int64_t id = (*(*store)->PendingInbox(1))[0].id;
  CHECK(*(*store)->FailInbox(id, "boom", 3) == false);
  CHECK(*(*store)->FailInbox(id, "boom", 3) == false);
  CHECK((*(*store)->PendingInbox(1))[0].attempts == 2);
  CHECK(*(*store)->FailInbox(id, "boom", 3) == true);
  CHECK((*store)->PendingInbox(10)->empty());
  CHECK(*(*store)->DeadInboxCount() == 1);
}

TEST_CASE("pending heads are each user's oldest live event, oldest first", "[chat_store][inbox]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Accept("oa", "u1", "a1", "{}", kNow).ok());
  REQUIRE((*store)->Accept("oa", "u2", "b1", "{}", kNow).ok());
  REQUIRE((*store)->Accept("oa", "u1", "a2", "{}", kNow).ok());
  REQUIRE((*store)->Accept("oa2", "u1", "c1", "{}", kNow).ok());
  auto heads = (*store)->PendingHeads(10);
  REQUIRE(heads.ok());
  REQUIRE(heads->size() == 3);
  CHECK((*heads)[0].msg_id == "a1");
  CHECK((*heads)[1].msg_id == "b1");
  CHECK((*heads)[2].msg_id == "c1");
  CHECK((*store)->PendingHeads(2)->size() == 2);

  // A dead-lettered head lets the user's next event through.
  REQUIRE(*(*store)->FailInbox((*heads)[0].id, "boom", 1));
  heads = (*store)->PendingHeads(10);
  REQUIRE(heads->size() == 3);
  CHECK((*heads)[0].msg_id == "b1");
  CHECK((*heads)[1].msg_id == "a2");
  CHECK((*heads)[2].msg_id == "c1");

  REQUIRE((*store)->Complete((*heads)[1].id, "oa", "u1", Conversation{}, kNow).ok());
  heads = (*store)->PendingHeads(10);
  REQUIRE(heads->size() == 2);
  CHECK((*heads)[0].msg_id == "b1");
  CHECK((*heads)[1].msg_id == "c1");
}

TEST_CASE("a chat user gets one account, and linking records the move of its filings",
          "[chat_store][identity]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  int made = 0;
  auto fresh = [&] { return "cit_chat_" + std::to_string(++made); };
  auto first = (*store)->AccountOf("oa", "u1", fresh, kNow);
  REQUIRE(first.ok());
  CHECK(first->account_id == "cit_chat_1");
  CHECK(first->phone.empty());
  CHECK((*store)->AccountOf("oa", "u1", fresh, kNow)->account_id == "cit_chat_1");
  CHECK((*store)->AccountOf("oa2", "u1", fresh, kNow)->account_id != "cit_chat_1");
  CHECK((*store)->PendingMoves()->empty());

  REQUIRE((*store)->LinkAccount("oa", "u1", "cit_phone", "0912345678", kNow).ok());
  auto linked = (*store)->AccountOf("oa", "u1", fresh, kNow);
  CHECK(linked->account_id == "cit_phone");
  CHECK(linked->phone == "0912345678");
  auto moves = (*store)->PendingMoves();
  REQUIRE(moves->size() == 1);
  CHECK((*moves)[0].from_account == "cit_chat_1");
  CHECK((*moves)[0].to_account == "cit_phone");
  // Linking to the same account again records no move.
  REQUIRE((*store)->LinkAccount("oa", "u1", "cit_phone", "0912345678", kNow).ok());
  CHECK((*store)->PendingMoves()->size() == 1);
  REQUIRE((*store)->MoveDone((*moves)[0]).ok());
  CHECK((*store)->PendingMoves()->empty());
}

TEST_CASE("a filing remembers the chat it came from", "[chat_store][identity]") {
  auto store = ChatStore::Open(":memory:");
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->ChatOfFiling("HS0123456789")->has_value());
  REQUIRE((*store)->LinkFiling("HS0123456789", "oa", "u1").ok());
  REQUIRE((*store)->LinkFiling("HS0123456789", "oa", "u1").ok());
  auto chat = (*store)->ChatOfFiling("HS0123456789");
  REQUIRE(chat.ok());
  REQUIRE(chat->has_value());
  CHECK((*chat)->oa_id == "oa");
  CHECK((*chat)->user_id == "u1");
}

}  // namespace
}  // namespace cdkv::chat
