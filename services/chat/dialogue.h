// The guided chat conversation, as a pure state machine: no I/O, no clock.
// The caller (chat intake) feeds one input at a time, sends the replies and
// carries out the action, then stores `next` (filling in the filing id once
// a kCreateFiling action has been carried out). If the action fails, the
// caller keeps `current`, tells the user to try again, and sends no replies
// from the step.
//
//   idle ──text/follow──▶ choosing_procedure ──number/keyword──▶
//   collecting_photos collecting_photos ──"xong" (≥1 photo)──▶ confirming
//   ──"đồng ý"──▶ submitted "hủy" in choosing/collecting/confirming ──▶ idle
//   (the draft is cancelled) "trạng thái" or a filing code (HS…) in any state
//   ──▶ a status report, state unchanged "liên kết <phone>" in any state ──▶ a
//   one-time code is sent to the phone; the 6-digit code typed next links the
//   chat to that phone's citizen account (kMaxLinkAttempts wrong codes end the
//   attempt), state otherwise unchanged
#ifndef CDKV_SERVICES_CHAT_DIALOGUE_H_
#define CDKV_SERVICES_CHAT_DIALOGUE_H_

#include <string>
#include <string_view>
#include <vector>

namespace cdkv::chat {

enum class DialogueState {
  kIdle,
  kChoosingProcedure,
  kCollectingPhotos,
  kConfirming,
  kSubmitted,
};

std::string_view DialogueStateName(DialogueState state);

// One line of the procedure menu. `keywords` are matched on folded text
// (FoldVietnamese), as whole words; they must be folded already.
struct MenuEntry {
  std::string procedure_code;
  std::string name_vi;
  std::vector<std::string> keywords;
};

// The commune-level procedures of data/catalog/procedures.json with the words
// people use for them ("khai sinh", "khai tử", "chứng thực", "cư trú", ...).
std::vector<MenuEntry> DefaultMenu();

struct DialogueConfig {
  std::string commune_code;     // where filings from this OA are made
  std::string commune_name_vi;  // for the greeting; may be empty
  std::vector<MenuEntry> menu = DefaultMenu();
  int max_photos = 20;  // per filing
};

// What is remembered between messages, per chat user and OA.
struct Conversation {
  DialogueState state = DialogueState::kIdle;
  std::string procedure_code;
  std::string filing_id;   // set by the caller after kCreateFiling succeeded
  int photos = 0;          // accepted photos on the current filing
  std::string link_phone;  // digits typed after "liên kết", while a code is awaited
  int link_attempts = 0;   // wrong codes typed for link_phone

  bool operator==(const Conversation&) const = default;
};

struct DialogueInput {
  enum class Kind {
    kText,            // a text message
    kFollow,          // the user followed the OA
    kPhotosReceived,  // `count` photos arrived, not yet fetched or checked
    kPhotosAccepted,  // `count` photos passed the checks and are attached
    kPhotoRejected,   // one photo was refused; `reason` is Vietnamese advice
    kLinkFailed,      // sending or verifying the code failed; `reason` says why
    kLinkRefused,     // the code was wrong; the user may try again (counts an
                      // attempt)
  };
  Kind kind = Kind::kText;
  std::string text;
  int count = 0;
  std::string reason;

  static DialogueInput Text(std::string text);
  static DialogueInput Follow();
  static DialogueInput PhotosReceived(int count);
  static DialogueInput PhotosAccepted(int count);
  static DialogueInput PhotoRejected(std::string reason);
  static DialogueInput LinkFailed(std::string reason);
  static DialogueInput LinkRefused(std::string reason);
};

enum class ActionKind {
  kNone,
  kCreateFiling,    // a draft filing for procedure_code at commune_code (channel
                    // "chat")
  kAttachPhotos,    // fetch, check and attach the photos just received to
                    // filing_id
  kSubmit,          // submit filing_id
  kCancel,          // withdraw the draft filing_id
  kReportStatus,    // tell the user the status of filing_id (their own, or a code
                    // they typed)
  kSendLinkCode,    // send a one-time code to `phone` (as typed; the caller
                    // validates it)
  kVerifyLinkCode,  // check `code` for `phone`; on success link the chat to its
                    // account
};

inline constexpr int kMaxLinkAttempts = 3;

std::string_view ActionKindName(ActionKind kind);

struct DialogueAction {
  ActionKind kind = ActionKind::kNone;
  std::string procedure_code;
  std::string commune_code;
  std::string filing_id;
  std::string phone;
  std::string code;
};

struct DialogueStep {
  Conversation next;
  std::vector<std::string> replies;  // Vietnamese, one chat message each
  DialogueAction action;
};

DialogueStep Advance(const Conversation& current, const DialogueInput& input,
                     const DialogueConfig& config);

// A filing code (HS + 10 characters of the id alphabet) in the text, in upper
// case, or "" when there is none.
std::string FindFilingCode(std::string_view text);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_DIALOGUE_H_
