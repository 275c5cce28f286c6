#include "services/chat/dialogue.h"

#include <catch2/catch.hpp>
#include <string>

namespace cdkv::chat {
namespace {

using S = DialogueState;
using A = ActionKind;

DialogueConfig Config() {
  DialogueConfig c;
  c.commune_code = "lv.tan_my";
  c.commune_name_vi = "xã Tân Mỹ";
  return c;
}

Conversation At(S state, std::string procedure = "", std::string filing = "",
                int photos = 0) {
  Conversation c;
  c.state = state;
  c.procedure_code = std::move(procedure);
  c.filing_id = std::move(filing);
  c.photos = photos;
  return c;
}

const Conversation kCollecting =
    At(S::kCollectingPhotos, "dang_ky_khai_sinh", "HS0123456789");
const Conversation kCollecting2 =
    At(S::kCollectingPhotos, "dang_ky_khai_sinh", "HS0123456789", 2);
const Conversation kConfirming =
    At(S::kConfirming, "dang_ky_khai_sinh", "HS0123456789", 2);
const Conversation kSubmitted =
    At(S::kSubmitted, "dang_ky_khai_sinh", "HS0123456789", 2);

DialogueStep Text(const Conversation& c, const std::string& text) {
  return Advance(c, DialogueInput::Text(text), Config());
}

std::string AllReplies(const DialogueStep& step) {
  std::string out;
  for (const std::string& r : step.replies) out += r + "\n";
  return out;
}

TEST_CASE("a full conversation from greeting to submission", "[dialogue]") {
  const DialogueConfig config = Config();
  Conversation c;

  DialogueStep s = Advance(c, DialogueInput::Text("chào"), config);
  CHECK(s.next.state == S::kChoosingProcedure);
  CHECK(s.action.kind == A::kNone);
  CHECK_THAT(AllReplies(s), Catch::Contains("xã Tân Mỹ"));
  CHECK_THAT(AllReplies(s), Catch::Contains("1. Đăng ký khai sinh"));
  CHECK_THAT(AllReplies(s), Catch::Contains("5. Xác nhận thông tin về cư trú"));
  c = s.next;

  s = Advance(c, DialogueInput::Text("1"), config);
  CHECK(s.next.state == S::kCollectingPhotos);
  CHECK(s.action.kind == A::kCreateFiling);
  CHECK(s.action.procedure_code == "dang_ky_khai_sinh");
  CHECK(s.action.commune_code == "lv.tan_my");
  CHECK_THAT(AllReplies(s), Catch::Contains("Đăng ký khai sinh"));
  c = s.next;
  c.filing_id = "HS0123456789";  // the caller records the created filing

  s = Advance(c, DialogueInput::PhotosReceived(2), config);
  CHECK(s.action.kind == A::kAttachPhotos);
  CHECK(s.action.filing_id == "HS0123456789");
  CHECK(s.replies.empty());
  c = s.next;

  s = Advance(c, DialogueInput::PhotosAccepted(1), config);
  CHECK(s.next.photos == 1);
  CHECK_THAT(AllReplies(s), Catch::Contains("Đã nhận 1 ảnh"));
  c = s.next;

  s = Advance(c,
              DialogueInput::PhotoRejected("Ảnh bị mờ, xin giữ máy chắc tay."),
              config);
  CHECK(s.next.photos == 1);
  CHECK(s.next.state == S::kCollectingPhotos);
  CHECK_THAT(AllReplies(s), Catch::Contains("Ảnh bị mờ"));
  CHECK_THAT(AllReplies(s), Catch::Contains("chụp lại"));
  c = s.next;

  s = Advance(c, DialogueInput::Text("Xong"), config);
  CHECK(s.next.state == S::kConfirming);
  CHECK_THAT(AllReplies(s), Catch::Contains("1 ảnh"));
  CHECK_THAT(AllReplies(s), Catch::Contains("đồng ý"));
  c = s.next;

  s = Advance(c, DialogueInput::Text("Đồng ý"), config);
  CHECK(s.next.state == S::kSubmitted);
  CHECK(s.action.kind == A::kSubmit);
  CHECK(s.action.filing_id == "HS0123456789");
  CHECK_THAT(AllReplies(s), Catch::Contains("HS0123456789"));
  CHECK_THAT(AllReplies(s), Catch::Contains("một lần"));
}

TEST_CASE("procedures are chosen by number or by words, diacritics optional",
          "[dialogue]") {
  const Conversation choosing = At(S::kChoosingProcedure);
  struct Case {
    const char* text;
    const char* code;
  };
  const Case cases[] = {
      {"1", "dang_ky_khai_sinh"},
      {" 2 ", "dang_ky_khai_tu"},
      {"số 3", "cap_ban_sao_trich_luc_ho_tich"},
      {"chọn số 4", "chung_thuc_ban_sao_tu_ban_chinh"},
      {"5.", "xac_nhan_thong_tin_cu_tru"},
      {"khai sinh", "dang_ky_khai_sinh"},
      {"Tôi muốn làm KHAI SINH cho con", "dang_ky_khai_sinh"},
      {"làm giấy khai tử", "dang_ky_khai_tu"},
      {"lam giay khai tu", "dang_ky_khai_tu"},
      {"chứng thực", "chung_thuc_ban_sao_tu_ban_chinh"},
      {"sao y giấy tờ", "chung_thuc_ban_sao_tu_ban_chinh"},
      {"xác nhận cư trú", "xac_nhan_thong_tin_cu_tru"},
      {"cu tru", "xac_nhan_thong_tin_cu_tru"},
      {"trích lục", "cap_ban_sao_trich_luc_ho_tich"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    DialogueStep s = Text(choosing, c.text);
    CHECK(s.next.state == S::kCollectingPhotos);
    CHECK(s.action.kind == A::kCreateFiling);
    CHECK(s.action.procedure_code == c.code);
    CHECK(s.next.procedure_code == c.code);
  }
}

TEST_CASE("unknown, out-of-range and ambiguous choices show the menu again",
          "[dialogue]") {
  const Conversation choosing = At(S::kChoosingProcedure);
  for (const char* text :
       {"0", "6", "99", "abc", "khai", "1 2", "khai sinh và khai tử"}) {
    INFO(text);
    DialogueStep s = Text(choosing, text);
    CHECK(s.next.state == S::kChoosingProcedure);
    CHECK(s.action.kind == A::kNone);
    CHECK_THAT(AllReplies(s), Catch::Contains("1. Đăng ký khai sinh"));
  }
  CHECK_THAT(AllReplies(Text(choosing, "khai sinh và khai tử")),
             Catch::Contains("nhiều thủ tục"));
  CHECK_THAT(AllReplies(Text(choosing, "abc")), Catch::Contains("chưa hiểu"));
}

TEST_CASE("from idle, a procedure named in the first message is chosen at once",
          "[dialogue]") {
  DialogueStep s = Text(Conversation{}, "cho tôi làm khai tử");
  CHECK(s.next.state == S::kCollectingPhotos);
  CHECK(s.action.kind == A::kCreateFiling);
  CHECK(s.action.procedure_code == "dang_ky_khai_tu");
  // A bare number in idle is not a choice: the menu was never shown.
  DialogueStep n = Text(Conversation{}, "1");
  CHECK(n.next.state == S::kChoosingProcedure);
  CHECK(n.action.kind == A::kNone);
}

TEST_CASE("follow greets and shows the menu only when nothing is under way",
          "[dialogue]") {
  DialogueStep s = Advance(Conversation{}, DialogueInput::Follow(), Config());
  CHECK(s.next.state == S::kChoosingProcedure);
  CHECK_THAT(AllReplies(s), Catch::Contains("Xin chào"));
  DialogueStep busy = Advance(kCollecting2, DialogueInput::Follow(), Config());
  CHECK(busy.next == kCollecting2);
  CHECK(busy.replies.empty());
}

TEST_CASE("a photo before a procedure is chosen asks for the procedure first",
          "[dialogue]") {
  for (const Conversation& c : {Conversation{}, At(S::kChoosingProcedure)}) {
    DialogueStep s = Advance(c, DialogueInput::PhotosReceived(1), Config());
    CHECK(s.next.state == S::kChoosingProcedure);
    CHECK(s.action.kind == A::kNone);
    CHECK_THAT(AllReplies(s), Catch::Contains("chọn thủ tục trước"));
    CHECK_THAT(AllReplies(s), Catch::Contains("1. Đăng ký khai sinh"));
  }
}

TEST_CASE("the word xong with no photos asks for photos", "[dialogue]") {
  DialogueStep s = Text(kCollecting, "xong");
  CHECK(s.next == kCollecting);
  CHECK(s.action.kind == A::kNone);
  CHECK_THAT(AllReplies(s), Catch::Contains("chưa gửi ảnh nào"));
}

TEST_CASE("other text while collecting repeats the hint", "[dialogue]") {
  DialogueStep s = Text(kCollecting2, "gửi rồi đó");
  CHECK(s.next == kCollecting2);
  CHECK_THAT(AllReplies(s), Catch::Contains("\"xong\""));
}

TEST_CASE("confirming: other text asks again, a new photo reopens collection",
          "[dialogue]") {
  DialogueStep s = Text(kConfirming, "để tôi xem");
  CHECK(s.next == kConfirming);
  CHECK(s.action.kind == A::kNone);
  CHECK_THAT(AllReplies(s), Catch::Contains("đồng ý"));

  DialogueStep p =
      Advance(kConfirming, DialogueInput::PhotosReceived(1), Config());
  CHECK(p.next.state == S::kCollectingPhotos);
  CHECK(p.next.photos == 2);
  CHECK(p.action.kind == A::kAttachPhotos);

  for (const char* yes :
       {"đồng ý", "dong y", "Đồng ý nộp", "có", "ok", "OK", "nộp"}) {
    INFO(yes);
    CHECK(Text(kConfirming, yes).action.kind == A::kSubmit);
  }
}

TEST_CASE("text while submitted points to status or a new filing",
          "[dialogue]") {
  DialogueStep s = Text(kSubmitted, "cảm ơn");
  CHECK(s.next == kSubmitted);
  CHECK(s.action.kind == A::kNone);
  CHECK_THAT(AllReplies(s), Catch::Contains("HS0123456789"));
  CHECK_THAT(AllReplies(s), Catch::Contains("trạng thái"));

  DialogueStep again =
      Text(kSubmitted, "đồng ý");  // a repeated confirmation submits nothing
  CHECK(again.action.kind == A::kNone);

  DialogueStep photo =
      Advance(kSubmitted, DialogueInput::PhotosReceived(1), Config());
  CHECK(photo.next == kSubmitted);
  CHECK(photo.action.kind == A::kNone);
  CHECK_THAT(AllReplies(photo), Catch::Contains("không thêm ảnh"));

  DialogueStep fresh = Text(kSubmitted, "hồ sơ mới");
  CHECK(fresh.next.state == S::kChoosingProcedure);
  CHECK(fresh.next.filing_id.empty());
  CHECK(fresh.next.photos == 0);

  DialogueStep named = Text(kSubmitted, "giờ làm chứng thực");
  CHECK(named.action.kind == A::kCreateFiling);
  CHECK(named.action.procedure_code == "chung_thuc_ban_sao_tu_ban_chinh");
  CHECK(named.next.filing_id.empty());
}

TEST_CASE("the word hủy cancels the draft in every state that has one",
          "[dialogue]") {
  for (const char* text : {"hủy", "huy", "Huỷ", "HỦY hồ sơ"}) {
    INFO(text);
    for (const Conversation& c : {kCollecting, kCollecting2, kConfirming}) {
      DialogueStep s = Text(c, text);
      CHECK(s.next == Conversation{});
      CHECK(s.action.kind == A::kCancel);
      CHECK(s.action.filing_id == "HS0123456789");
      CHECK_THAT(AllReplies(s), Catch::Contains("Đã hủy"));
    }
    DialogueStep choosing = Text(At(S::kChoosingProcedure), text);
    CHECK(choosing.next == Conversation{});
    CHECK(choosing.action.kind == A::kNone);

    DialogueStep idle = Text(Conversation{}, text);
    CHECK(idle.next == Conversation{});
    CHECK_THAT(AllReplies(idle), Catch::Contains("chưa có hồ sơ"));

    DialogueStep submitted = Text(kSubmitted, text);
    CHECK(submitted.next == kSubmitted);
    CHECK(submitted.action.kind == A::kNone);
    CHECK_THAT(AllReplies(submitted), Catch::Contains("không hủy"));
  }
  // A draft whose creation has not been recorded yet: nothing to withdraw.
  DialogueStep s = Text(At(S::kCollectingPhotos, "dang_ky_khai_sinh"), "hủy");
  CHECK(s.action.kind == A::kNone);
  CHECK(s.next.state == S::kIdle);
  // "huyện" is not "hủy".
  CHECK(Text(kCollecting, "huyện").action.kind == A::kNone);
}

TEST_CASE("the word trạng thái reports the current filing in any state",
          "[dialogue]") {
  for (const Conversation& c : {kCollecting, kConfirming, kSubmitted}) {
    for (const char* text : {"trạng thái", "trang thai", "Tình trạng hồ sơ?"}) {
      INFO(text);
      DialogueStep s = Text(c, text);
      CHECK(s.next == c);
      CHECK(s.action.kind == A::kReportStatus);
      CHECK(s.action.filing_id == "HS0123456789");
    }
  }
  DialogueStep none = Text(Conversation{}, "trạng thái");
  CHECK(none.action.kind == A::kNone);
  CHECK(none.next == Conversation{});
  CHECK_THAT(AllReplies(none), Catch::Contains("chưa có hồ sơ"));
}

TEST_CASE("a filing code reports that filing without changing state",
          "[dialogue]") {
  DialogueStep s = Text(Conversation{}, "hồ sơ hs7k2m9p0qrs của tôi sao rồi");
  CHECK(s.action.kind == A::kReportStatus);
  CHECK(s.action.filing_id == "HS7K2M9P0QRS");
  CHECK(s.next == Conversation{});
  DialogueStep mid = Text(kCollecting2, "HS7K2M9P0QRS");
  CHECK(mid.action.filing_id == "HS7K2M9P0QRS");
  CHECK(mid.next == kCollecting2);
}

TEST_CASE("FindFilingCode accepts only the id alphabet and length",
          "[dialogue]") {
  CHECK(FindFilingCode("HS0123456789") == "HS0123456789");
  CHECK(FindFilingCode("mã: hs0123456789.") == "HS0123456789");
  CHECK(FindFilingCode("HS012345678") == "");    // too short
  CHECK(FindFilingCode("HS01234567890") == "");  // too long
  CHECK(FindFilingCode("HS01234567IO") == "");   // letters not in the alphabet
  CHECK(FindFilingCode("XS0123456789") == "");
  CHECK(FindFilingCode("") == "");
}

TEST_CASE("late photo results after cancel or submission are ignored",
          "[dialogue]") {
  for (const Conversation& c :
       {Conversation{}, At(S::kChoosingProcedure), kSubmitted, kConfirming}) {
    DialogueStep a = Advance(c, DialogueInput::PhotosAccepted(1), Config());
    CHECK(a.next == c);
    CHECK(a.replies.empty());
    DialogueStep r = Advance(c, DialogueInput::PhotoRejected("mờ"), Config());
    CHECK(r.next == c);
    CHECK(r.replies.empty());
  }
}

TEST_CASE("the photo cap per filing is enforced", "[dialogue]") {
  DialogueConfig config = Config();
  config.max_photos = 3;
  Conversation c = kCollecting2;
  CHECK(Advance(c, DialogueInput::PhotosReceived(1), config).action.kind ==
        A::kAttachPhotos);
  DialogueStep over = Advance(c, DialogueInput::PhotosReceived(2), config);
  CHECK(over.action.kind == A::kNone);
  CHECK_THAT(AllReplies(over), Catch::Contains("tối đa 3"));
  CHECK(Advance(c, DialogueInput::PhotosReceived(0), config).action.kind ==
        A::kNone);
}

TEST_CASE("a rejected photo without advice still explains", "[dialogue]") {
  DialogueStep s =
      Advance(kCollecting, DialogueInput::PhotoRejected(""), Config());
  CHECK_THAT(AllReplies(s), Catch::Contains("chụp lại"));
}

TEST_CASE("the greeting works without a commune name", "[dialogue]") {
  DialogueConfig config = Config();
  config.commune_name_vi.clear();
  DialogueStep s = Advance(Conversation{}, DialogueInput::Text("alo"), config);
  CHECK_THAT(AllReplies(s), Catch::Contains("bộ phận một cửa."));
}

TEST_CASE("replies are short enough for one chat message", "[dialogue]") {
  // Walk every state with a handful of inputs; no reply may exceed 2000 bytes.
  const Conversation states[] = {Conversation{}, At(S::kChoosingProcedure),
                                 kCollecting,    kCollecting2,
                                 kConfirming,    kSubmitted};
  const DialogueInput inputs[] = {
      DialogueInput::Text("xin chào"),  DialogueInput::Text("1"),
      DialogueInput::Text("xong"),      DialogueInput::Text("đồng ý"),
      DialogueInput::Text("hủy"),       DialogueInput::Text("trạng thái"),
      DialogueInput::Follow(),          DialogueInput::PhotosReceived(1),
      DialogueInput::PhotosAccepted(1), DialogueInput::PhotoRejected("mờ")};
  for (const Conversation& c : states) {
    for (const DialogueInput& in : inputs) {
      DialogueStep s = Advance(c, in, Config());
      for (const std::string& r : s.replies) {
        CHECK(!r.empty());
        CHECK(r.size() < 2000);
      }
      // Every reply-less step either acts or is a deliberate no-op on a late
      // result.
      if (s.replies.empty()) {
        CHECK((s.action.kind != A::kNone ||
               in.kind == DialogueInput::Kind::kPhotosAccepted ||
               in.kind == DialogueInput::Kind::kPhotoRejected ||
               in.kind == DialogueInput::Kind::kFollow));
      }
    }
  }
}

TEST_CASE("state and action names", "[dialogue]") {
  CHECK(DialogueStateName(S::kCollectingPhotos) == "collecting_photos");
  CHECK(DialogueStateName(S::kChoosingProcedure) == "choosing_procedure");
  CHECK(ActionKindName(A::kCreateFiling) == "create_filing");
  CHECK(ActionKindName(A::kReportStatus) == "report_status");
}

}  // namespace
}  // namespace cdkv::chat

namespace cdkv::chat {
namespace {

TEST_CASE("the word liên kết with a phone sends a code and keeps the state",
          "[dialogue][link]") {
  for (const std::string text :
       {"liên kết 0912345678", "Lien ket 0912 345 678",
        "LIÊN KẾT số 0912345678", "liên kết +84912345678"}) {
    DialogueStep step = Text(kCollecting2, text);
    INFO(text);
    CHECK(step.action.kind == A::kSendLinkCode);
    CHECK(step.action.phone == "0912345678");
    CHECK(step.next.state == S::kCollectingPhotos);
    CHECK(step.next.photos == 2);
    CHECK(step.next.link_phone == "0912345678");
    CHECK(AllReplies(step).find("0912345678") != std::string::npos);
  }
}

TEST_CASE("the word liên kết without a number explains what to type",
          "[dialogue][link]") {
  DialogueStep step = Text(Conversation{}, "liên kết");
  CHECK(step.action.kind == A::kNone);
  CHECK(step.next == Conversation{});
  CHECK(AllReplies(step).find("liên kết 0912345678") != std::string::npos);
}

TEST_CASE("the six digits typed while a code is awaited are verified",
          "[dialogue][link]") {
  Conversation c = kSubmitted;
  c.link_phone = "0912345678";
  DialogueStep step = Text(c, "123 456");
  CHECK(step.action.kind == A::kVerifyLinkCode);
  CHECK(step.action.phone == "0912345678");
  CHECK(step.action.code == "123456");
  CHECK(step.next.link_phone.empty());
  CHECK(step.next.state == S::kSubmitted);
  CHECK(step.next.filing_id == c.filing_id);
}

TEST_CASE("a menu number while a code is awaited is still a menu choice",
          "[dialogue][link]") {
  Conversation c = At(S::kChoosingProcedure);
  c.link_phone = "0912345678";
  DialogueStep step = Text(c, "2");
  CHECK(step.action.kind == A::kCreateFiling);
  CHECK(step.action.procedure_code == "dang_ky_khai_tu");
}

TEST_CASE("six digits with no code awaited are not a link code",
          "[dialogue][link]") {
  DialogueStep step = Text(kCollecting, "123456");
  CHECK(step.action.kind == A::kNone);
}

TEST_CASE("wrong codes are counted and end the attempt at the limit",
          "[dialogue][link]") {
  Conversation c = kCollecting;
  c.link_phone = "0912345678";
  for (int i = 1; i < kMaxLinkAttempts; ++i) {
    DialogueStep step =
        Advance(c, DialogueInput::LinkRefused("Mã chưa đúng."), Config());
    CHECK(step.next.link_attempts == i);
    CHECK(step.next.link_phone == "0912345678");
    CHECK(AllReplies(step).find("còn") != std::string::npos);
    c = step.next;
  }
  DialogueStep last =
      Advance(c, DialogueInput::LinkRefused("Mã chưa đúng."), Config());
  CHECK(last.next.link_phone.empty());
  CHECK(last.next.link_attempts == 0);
  CHECK(last.next.state == S::kCollectingPhotos);
  CHECK(AllReplies(last).find("quá") != std::string::npos);
  // Once the attempt has ended, six digits are just text.
  CHECK(Text(last.next, "123456").action.kind == A::kNone);
}

TEST_CASE("a failed link (bad number, throttled, expired) clears the attempt",
          "[dialogue][link]") {
  Conversation c = kCollecting;
  c.link_phone = "0912345678";
  c.link_attempts = 1;
  DialogueStep step = Advance(
      c, DialogueInput::LinkFailed("Số điện thoại không đúng."), Config());
  CHECK(step.next.link_phone.empty());
  CHECK(step.next.link_attempts == 0);
  CHECK(step.replies == std::vector<std::string>{"Số điện thoại không đúng."});
  // A refusal that arrives with no attempt running changes nothing.
  DialogueStep late =
      Advance(kCollecting, DialogueInput::LinkRefused("x"), Config());
  CHECK(late.next == kCollecting);
  CHECK(late.replies.empty());
}

}  // namespace
}  // namespace cdkv::chat
