#include "services/chat/dialogue.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "services/chat/text_fold.h"

namespace cdkv::chat {
namespace {

using Kind = DialogueInput::Kind;

std::vector<std::string_view> Words(std::string_view folded) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string_view::npos) end = folded.size();
    if (end > start) words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// True when `phrase` (folded) occurs in `folded` as whole words.
bool HasPhrase(std::string_view folded, std::string_view phrase) {
  const std::string padded = absl::StrCat(" ", Absl(folded), " ");
  return padded.find(absl::StrCat(" ", Absl(phrase), " ")) != std::string::npos;
}

bool StartsWithPhrase(std::string_view folded, std::string_view phrase) {
  return folded == phrase ||
         (folded.size() > phrase.size() && folded.substr(0, phrase.size()) == phrase &&
          folded[phrase.size()] == ' ');
}

bool IsCancel(std::string_view f) { return StartsWithPhrase(f, "huy"); }
bool IsStatus(std::string_view f) {
  return HasPhrase(f, "trang thai") || HasPhrase(f, "tinh trang");
}
bool IsDone(std::string_view f) {
  return HasPhrase(f, "xong") || f == "du roi" || f == "da du" || f == "het roi";
}
bool IsConfirm(std::string_view f) {
  return StartsWithPhrase(f, "dong y") || f == "co" || f == "ok" || f == "nop" || f == "co nop" ||
         f == "nop ho so" || f == "vang";
}
bool IsNewFiling(std::string_view f) {
  return HasPhrase(f, "ho so moi") || f == "moi" || f == "lam moi";
}

// "2", "số 2", "chọn 2", "chọn số 2", "thủ tục 2" → 2; otherwise 0.
int MenuNumber(std::string_view folded) {
  std::vector<std::string_view> words = Words(folded);
  size_t i = 0;
  while (i + 1 < words.size() &&
         (words[i] == "so" || words[i] == "chon" || words[i] == "thu" || words[i] == "tuc")) {
    ++i;
  }
  if (i + 1 != words.size()) return 0;
  const std::string_view digits = words[i];
  if (digits.empty() || digits.size() > 2) return 0;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Menu entries whose keywords occur in the text.
std::vector<const MenuEntry*> KeywordMatches(std::string_view folded,
                                             const std::vector<MenuEntry>& menu) {
  std::vector<const MenuEntry*> found;
  for (const MenuEntry& entry : menu) {
    for (const std::string& kw : entry.keywords) {
      if (HasPhrase(folded, kw)) {
        found.push_back(&entry);
        break;
      }
    }
  }
  return found;
}

const MenuEntry* FindEntry(const std::vector<MenuEntry>& menu, std::string_view code) {
  for (const MenuEntry& e : menu) {
    if (e.procedure_code == code) return &e;
  }
  return nullptr;
}

std::string ProcedureName(const DialogueConfig& config, std::string_view code) {
  const MenuEntry* e = FindEntry(config.menu, code);
  return e != nullptr ? e->name_vi : std::string(code);
}

std::string MenuText(const DialogueConfig& config) {
  std::string out = "Xin nhắn số của thủ tục ông/bà cần làm:";
  for (size_t i = 0; i < config.menu.size(); ++i) {
    absl::StrAppend(&out, "\n", i + 1, ". ", config.menu[i].name_vi);
  }
  return out;
}

std::string Greeting(const DialogueConfig& config) {
  if (config.commune_name_vi.empty()) {
    return "Xin chào ông/bà. Đây là bộ phận một cửa. Ông/bà không cần viết tờ "
           "khai: chỉ cần "
           "chụp ảnh giấy tờ và gửi vào đây.";
  }
  return absl::StrCat("Xin chào ông/bà. Đây là bộ phận một cửa ", config.commune_name_vi,
                      ". Ông/bà không cần viết tờ khai: chỉ cần chụp ảnh giấy "
                      "tờ và gửi vào đây.");
}

constexpr char kSendPhotosHint[] =
    "Xin gửi ảnh giấy tờ vào đây. Gửi xong, xin nhắn \"xong\". Muốn hủy, nhắn "
    "\"hủy\".";

Conversation Fresh(DialogueState state) {
  Conversation c;
  c.state = state;
  return c;
}

DialogueStep Choose(const MenuEntry& entry, const DialogueConfig& config) {
  DialogueStep step;
  step.next = Fresh(DialogueState::kCollectingPhotos);
  step.next.procedure_code = entry.procedure_code;
  step.action.kind = ActionKind::kCreateFiling;
  step.action.procedure_code = entry.procedure_code;
  step.action.commune_code = config.commune_code;
  step.replies.push_back(
      absl::StrCat("Ông/bà đã chọn: ", entry.name_vi,
                   ".\nXin chụp rõ từng giấy tờ (căn cước, giấy tờ liên quan), mỗi tờ một "
                   "ảnh, đủ sáng, "
                   "không bị che, rồi gửi ảnh vào đây. Gửi xong, xin nhắn \"xong\"."));
  return step;
}

DialogueStep ShowMenu(const DialogueConfig& config, std::string first) {
  DialogueStep step;
  step.next = Fresh(DialogueState::kChoosingProcedure);
  step.replies.push_back(std::move(first));
  step.replies.push_back(MenuText(config));
  return step;
}

DialogueStep Stay(const Conversation& current, std::string reply) {
  DialogueStep step;
  step.next = current;
  step.replies.push_back(std::move(reply));
  return step;
}

DialogueStep Status(const Conversation& current, std::string filing_id) {
  DialogueStep step;
  step.next = current;
  step.action.kind = ActionKind::kReportStatus;
  step.action.filing_id = std::move(filing_id);
  return step;
}

DialogueStep Cancel(const Conversation& current) {
  switch (current.state) {
    case DialogueState::kIdle:
      return Stay(current, "Ông/bà chưa có hồ sơ nào đang làm.");
    case DialogueState::kSubmitted:
      return Stay(current, absl::StrCat("Hồ sơ ", current.filing_id,
                                        " đã nộp nên không hủy qua tin nhắn được. Xin ông/bà "
                                        "liên hệ bộ phận một cửa."));
    case DialogueState::kChoosingProcedure:
    case DialogueState::kCollectingPhotos:
    case DialogueState::kConfirming:
      break;
  }
  DialogueStep step;
  step.next = Fresh(DialogueState::kIdle);
  if (!current.filing_id.empty()) {
    step.action.kind = ActionKind::kCancel;
    step.action.filing_id = current.filing_id;
  }
  step.replies.push_back("Đã hủy. Khi cần làm thủ tục, ông/bà cứ nhắn tin vào đây.");
  return step;
}

// The digits of the number words in `folded` ("0912 345 678" → "0912345678";
// "84912345678", as "+84 …" folds, → "0912345678").
std::string DigitsOf(std::string_view folded) {
  std::string digits;
  for (std::string_view w : Words(folded)) {
    if (std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      digits.append(w);
    }
  }
  if (digits.size() == 11 && digits.substr(0, 2) == "84") digits = "0" + digits.substr(2);
  return digits;
}

bool OnlyDigitWords(std::string_view folded) {
  for (std::string_view w : Words(folded)) {
    if (!std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  return !folded.empty();
}

DialogueStep StartLink(const Conversation& current, std::string_view folded) {
  const std::string phone = DigitsOf(folded.substr(std::string_view("lien ket").size()));
  if (phone.empty()) {
    return Stay(current,
                "Để gộp hồ sơ với số điện thoại, xin nhắn \"liên kết\" và số điện "
                "thoại, ví dụ: liên kết 0912345678");
  }
  DialogueStep step;
  step.next = current;
  step.next.link_phone = phone;
  step.next.link_attempts = 0;
  step.action.kind = ActionKind::kSendLinkCode;
  step.action.phone = phone;
  step.replies.push_back(absl::StrCat("Đã gửi mã 6 số bằng tin nhắn SMS đến số ", phone,
                                      ". Xin nhắn mã đó vào đây (mã dùng được 5 phút)."));
  return step;
}

DialogueStep VerifyLink(const Conversation& current, std::string code) {
  DialogueStep step;
  step.next = current;
  step.next.link_phone.clear();
  step.next.link_attempts = 0;
  step.action.kind = ActionKind::kVerifyLinkCode;
  step.action.phone = current.link_phone;
  step.action.code = std::move(code);
  step.replies.push_back(
      absl::StrCat("Đã liên kết với số điện thoại ", current.link_phone,
                   ". Hồ sơ gửi qua tin nhắn và hồ sơ làm trên ứng dụng nay là một."));
  return step;
}

DialogueStep OnText(const Conversation& current, const std::string& text,
                    const DialogueConfig& config) {
  const std::string f = FoldVietnamese(text);
  if (IsCancel(f)) return Cancel(current);
  if (StartsWithPhrase(f, "lien ket")) return StartLink(current, f);
  // Shorter numbers while a code is awaited are still menu choices.
  if (!current.link_phone.empty() && OnlyDigitWords(f)) {
    if (std::string code = DigitsOf(f); code.size() == 6) {
      return VerifyLink(current, std::move(code));
    }
  }
  if (std::string code = FindFilingCode(text); !code.empty()) {
    return Status(current, std::move(code));
  }
  if (IsStatus(f)) {
    if (current.filing_id.empty()) {
      return Stay(current,
                  "Ông/bà chưa có hồ sơ nào. Nếu có mã hồ sơ (bắt đầu bằng HS), "
                  "xin nhắn mã đó.");
    }
    return Status(current, current.filing_id);
  }

  switch (current.state) {
    case DialogueState::kIdle: {
      std::vector<const MenuEntry*> found = KeywordMatches(f, config.menu);
      if (found.size() == 1) return Choose(*found.front(), config);
      return ShowMenu(config, Greeting(config));
    }
    case DialogueState::kChoosingProcedure: {
      if (int n = MenuNumber(f); n >= 1 && n <= static_cast<int>(config.menu.size())) {
        return Choose(config.menu[n - 1], config);
      }
      std::vector<const MenuEntry*> found = KeywordMatches(f, config.menu);
      if (found.size() == 1) return Choose(*found.front(), config);
      return ShowMenu(config, found.empty() ? "Xin lỗi, tôi chưa hiểu ông/bà cần thủ tục nào."
                                            : "Tin nhắn hợp với nhiều thủ tục. Xin chọn một.");
    }
    case DialogueState::kCollectingPhotos: {
      if (!IsDone(f)) return Stay(current, kSendPhotosHint);
      if (current.photos == 0) {
        return Stay(current,
                    "Ông/bà chưa gửi ảnh nào. Xin chụp giấy tờ và gửi ảnh vào đây "
                    "trước khi nhắn \"xong\".");
      }
      DialogueStep step;
      step.next = current;
      step.next.state = DialogueState::kConfirming;
      step.replies.push_back(
          absl::StrCat("Ông/bà nộp hồ sơ ", ProcedureName(config, current.procedure_code), " với ",
                       current.photos, " ảnh?\nNhắn \"đồng ý\" để nộp, hoặc \"hủy\" để hủy."));
      return step;
    }
    case DialogueState::kConfirming: {
      if (!IsConfirm(f)) {
        return Stay(current,
                    "Xin nhắn \"đồng ý\" để nộp hồ sơ, gửi thêm ảnh nếu còn thiếu, "
                    "hoặc nhắn \"hủy\" để hủy.");
      }
      DialogueStep step;
      step.next = current;
      step.next.state = DialogueState::kSubmitted;
      step.action.kind = ActionKind::kSubmit;
      step.action.filing_id = current.filing_id;
      step.replies.push_back(absl::StrCat("Đã nộp hồ sơ. Mã hồ sơ: ", current.filing_id,
                                          ".\nCán bộ sẽ xem và điền tờ khai giúp ông/bà. Khi có "
                                          "kết quả, chúng tôi sẽ nhắn "
                                          "nơi nhận, giờ nhận và giấy tờ cần mang. Ông/bà chỉ cần "
                                          "đến một lần."));
      return step;
    }
    case DialogueState::kSubmitted: {
      if (IsNewFiling(f)) {
        return ShowMenu(config, "Ông/bà làm hồ sơ mới.");
      }
      std::vector<const MenuEntry*> found = KeywordMatches(f, config.menu);
      if (found.size() == 1) return Choose(*found.front(), config);
      return Stay(current,
                  absl::StrCat("Hồ sơ ", current.filing_id,
                               " đã nộp và đang được xử lý. Nhắn \"trạng thái\" để xem tình "
                               "hình, hoặc \"hồ sơ mới\" để làm hồ sơ khác."));
    }
  }
  return Stay(current, kSendPhotosHint);
}

DialogueStep OnPhotosReceived(const Conversation& current, int count,
                              const DialogueConfig& config) {
  switch (current.state) {
    case DialogueState::kIdle:
    case DialogueState::kChoosingProcedure:
      return ShowMenu(config, "Xin ông/bà chọn thủ tục trước, rồi gửi lại ảnh sau.");
    case DialogueState::kSubmitted:
      return Stay(current, absl::StrCat("Hồ sơ ", current.filing_id,
                                        " đã nộp nên không thêm ảnh được. Nhắn \"hồ sơ mới\" "
                                        "để làm hồ sơ khác."));
    case DialogueState::kCollectingPhotos:
    case DialogueState::kConfirming:
      break;
  }
  if (current.photos + count > config.max_photos) {
    return Stay(current,
                absl::StrCat("Mỗi hồ sơ nhận tối đa ", config.max_photos, " ảnh. Ông/bà đã gửi ",
                             current.photos, " ảnh; nếu đã đủ, xin nhắn \"xong\"."));
  }
  DialogueStep step;
  step.next = current;
  step.next.state = DialogueState::kCollectingPhotos;  // more photos reopen the collection
  step.action.kind = ActionKind::kAttachPhotos;
  step.action.filing_id = current.filing_id;
  return step;
}

}  // namespace

std::string_view DialogueStateName(DialogueState state) {
  switch (state) {
    case DialogueState::kIdle:
      return "idle";
    case DialogueState::kChoosingProcedure:
      return "choosing_procedure";
    case DialogueState::kCollectingPhotos:
      return "collecting_photos";
    case DialogueState::kConfirming:
      return "confirming";
    case DialogueState::kSubmitted:
      return "submitted";
  }
  return "idle";
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kNone:
      return "none";
    case ActionKind::kCreateFiling:
      return "create_filing";
    case ActionKind::kAttachPhotos:
      return "attach_photos";
    case ActionKind::kSubmit:
      return "submit";
    case ActionKind::kCancel:
      return "cancel";
    case ActionKind::kReportStatus:
      return "report_status";
    case ActionKind::kSendLinkCode:
      return "send_link_code";
    case ActionKind::kVerifyLinkCode:
      return "verify_link_code";
  }
  return "none";
}

std::vector<MenuEntry> DefaultMenu() {
  return {
      {"dang_ky_khai_sinh", "Đăng ký khai sinh", {"khai sinh"}},
      {"dang_ky_khai_tu", "Đăng ký khai tử", {"khai tu"}},
      {"cap_ban_sao_trich_luc_ho_tich",
       "Cấp bản sao trích lục hộ tịch",
       {"trich luc", "ban sao ho tich"}},
      {"chung_thuc_ban_sao_tu_ban_chinh",
       "Chứng thực bản sao từ bản chính",
       {"chung thuc", "sao y"}},
      {"xac_nhan_thong_tin_cu_tru", "Xác nhận thông tin về cư trú", {"cu tru"}},
  };
}

DialogueInput DialogueInput::Text(std::string text) {
  DialogueInput in;
  in.kind = Kind::kText;
  in.text = std::move(text);
  return in;
}
DialogueInput DialogueInput::Follow() {
  DialogueInput in;
  in.kind = Kind::kFollow;
  return in;
}
DialogueInput DialogueInput::PhotosReceived(int count) {
  DialogueInput in;
  in.kind = Kind::kPhotosReceived;
  in.count = count;
  return in;
}
DialogueInput DialogueInput::PhotosAccepted(int count) {
  DialogueInput in;
  in.kind = Kind::kPhotosAccepted;
  in.count = count;
  return in;
}
DialogueInput DialogueInput::PhotoRejected(std::string reason) {
  DialogueInput in;
  in.kind = Kind::kPhotoRejected;
  in.reason = std::move(reason);
  return in;
}

DialogueInput DialogueInput::LinkFailed(std::string reason) {
  DialogueInput in;
  in.kind = Kind::kLinkFailed;
  in.reason = std::move(reason);
  return in;
}
DialogueInput DialogueInput::LinkRefused(std::string reason) {
  DialogueInput in;
  in.kind = Kind::kLinkRefused;
  in.reason = std::move(reason);
  return in;
}

std::string FindFilingCode(std::string_view text) {
  const std::string folded = FoldVietnamese(text);
  for (std::string_view w : Words(folded)) {
    if (w.size() != 12 || w.substr(0, 2) != "hs") continue;
    bool ok = true;
    for (char c : w.substr(2)) {
      const bool digit = c >= '0' && c <= '9';
      const bool letter = c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u';
      if (!digit && !letter) ok = false;
    }
    if (!ok) continue;
    std::string code(w);
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return code;
  }
  return "";
}

DialogueStep Advance(const Conversation& current, const DialogueInput& input,
                     const DialogueConfig& config) {
  switch (input.kind) {
    case Kind::kText:
      return OnText(current, input.text, config);
    case Kind::kFollow:
      if (current.state == DialogueState::kIdle ||
          current.state == DialogueState::kChoosingProcedure) {
        return ShowMenu(config, Greeting(config));
      }
      return DialogueStep{current, {}, {}};
    case Kind::kPhotosReceived:
      if (input.count <= 0) return DialogueStep{current, {}, {}};
      return OnPhotosReceived(current, input.count, config);
    case Kind::kPhotosAccepted: {
      if (current.state != DialogueState::kCollectingPhotos || input.count <= 0) {
        return DialogueStep{current, {}, {}};  // a late result after "hủy" or a new filing
      }
      DialogueStep step;
      step.next = current;
      step.next.photos += input.count;
      step.replies.push_back(absl::StrCat("Đã nhận ", input.count, " ảnh (tổng cộng ",
                                          step.next.photos,
                                          " ảnh). Ông/bà gửi tiếp, hoặc nhắn \"xong\" nếu "
                                          "đã đủ giấy tờ."));
      return step;
    }
    case Kind::kLinkFailed: {
      DialogueStep step = Stay(current, input.reason);
      step.next.link_phone.clear();
      step.next.link_attempts = 0;
      return step;
    }
    case Kind::kLinkRefused: {
      if (current.link_phone.empty()) return DialogueStep{current, {}, {}};
      DialogueStep step;
      step.next = current;
      ++step.next.link_attempts;
      if (step.next.link_attempts >= kMaxLinkAttempts) {
        step.next.link_phone.clear();
        step.next.link_attempts = 0;
        step.replies.push_back(absl::StrCat("Mã sai quá ", kMaxLinkAttempts,
                                            " lần. Muốn liên kết, xin nhắn lại \"liên kết\" và số "
                                            "điện thoại để nhận mã mới."));
        return step;
      }
      step.replies.push_back(absl::StrCat(
          input.reason.empty() ? std::string("Mã chưa đúng.") : input.reason,
          " Xin nhắn lại mã (còn ", kMaxLinkAttempts - step.next.link_attempts, " lần)."));
      return step;
    }
    case Kind::kPhotoRejected: {
      if (current.state != DialogueState::kCollectingPhotos) return DialogueStep{current, {}, {}};
      const std::string reason =
          input.reason.empty() ? std::string("ảnh không đọc được.") : input.reason;
      return Stay(current, absl::StrCat("Ảnh này chưa dùng được: ", reason,
                                        "\nXin ông/bà chụp lại và gửi ảnh khác."));
    }
  }
  return DialogueStep{current, {}, {}};
}

}  // namespace cdkv::chat
