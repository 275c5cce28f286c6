#include "services/chat/chat_intake.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cdkv/v1/citizen.pb.h"
#include "common/log.h"
#include "common/string_view.h"
#include "services/api/citizen_ops.h"
#include "services/api/ids.h"
#include "services/auth/phone.h"
#include "services/queue/job_stream.h"
#include "services/store/blob_store.h"
#include "workers/consumer_name.h"
#include "workers/outbox_kinds.h"

namespace cdkv::chat {
namespace {

constexpr int kInboxBatch = 32;
constexpr absl::Duration kKeepSeen = absl::Hours(7 * 24);
constexpr char kBusy[] =
    "Xin lỗi, hệ thống đang bận nên chưa làm được việc này. Xin ông/bà nhắn "
    "lại sau ít phút.";

// Errors worth trying the whole event again for (the store or a dependency was
// briefly unavailable); anything else is answered to the citizen.
bool Transient(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

std::string StateVi(cdkv::v1::FilingState state) {
  switch (state) {
    case cdkv::v1::FILING_STATE_DRAFT:
      return "đang soạn, chưa nộp";
    case cdkv::v1::FILING_STATE_SUBMITTED:
    case cdkv::v1::FILING_STATE_PREFILLING:
      return "đã nộp, đang đọc ảnh giấy tờ";
    case cdkv::v1::FILING_STATE_AWAITING_DESK:
      return "đã nộp, chờ cán bộ xem";
    case cdkv::v1::FILING_STATE_IN_REVIEW:
      return "cán bộ đang xem";
    case cdkv::v1::FILING_STATE_CONFIRMED:
    case cdkv::v1::FILING_STATE_PROCESSING:
      return "đang giải quyết";
    case cdkv::v1::FILING_STATE_READY_FOR_PICKUP:
      return "đã có kết quả, mời ông/bà đến nhận";
    case cdkv::v1::FILING_STATE_COMPLETED:
      return "đã trả kết quả";
    case cdkv::v1::FILING_STATE_NEEDS_MORE_DOCUMENTS:
      return "cần bổ sung giấy tờ";
    case cdkv::v1::FILING_STATE_REJECTED:
      return "bị từ chối";
    case cdkv::v1::FILING_STATE_WITHDRAWN:
      return "đã hủy";
    case cdkv::v1::FILING_STATE_FORWARDED:
      return "đã chuyển lên cơ quan có thẩm quyền";
    default:
      return "đang xử lý";
  }
}

// Why an attachment could not be used, in words the citizen can act on.
std::string FetchProblemVi(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kResourceExhausted:
      return "ảnh quá lớn. Xin gửi ảnh nhỏ hơn (chụp bằng máy điện thoại là "
             "đủ).";
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnavailable:
      return "không tải được ảnh (mạng chậm hoặc bị ngắt).";
    case absl::StatusCode::kInvalidArgument:
      return "tệp gửi lên không phải là ảnh chụp (JPEG, PNG).";
    default:
      return "không tải được ảnh từ đường dẫn này.";
  }
}

std::string UserKey(std::string_view oa_id, std::string_view user_id) {
  return absl::StrCat(Absl(oa_id), "\n", Absl(user_id));
}

// One id per (OA, message), safe as a request id whatever the msg_id holds.
std::string RequestBase(std::string_view oa_id, std::string_view msg_id) {
  return absl::StrCat(
      "chat:", store::Sha256Hex(absl::StrCat(Absl(oa_id), "\n", Absl(msg_id))).substr(0, 32));
}

}  // namespace

struct ChatIntake::Context {
  const InboxItem* item = nullptr;
  const OaAccount* oa = nullptr;
  const DialogueConfig* dialogue = nullptr;
  ZaloEvent event;
  auth::Principal caller;
  std::string linked_phone;
  std::string request_base;
  std::vector<std::string> replies;

  ChatAddress address() const { return {oa->oa_id, item->user_id}; }
};

ChatIntake::ChatIntake(api::Deps& deps, auth::AccountStore& accounts, ChatStore& store,
                       ChatSender& sender, Options options)
    : deps_(deps),
      accounts_(accounts),
      store_(store),
      sender_(sender),
      options_(std::move(options)),
      fetcher_(options_.fetch) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    worker_wakeups_.push_back(std::make_unique<workers::Wakeup>());
  }
  for (const OaAccount& oa : options_.accounts) {
    by_oa_[oa.oa_id] = oa;
    DialogueConfig config;
    config.commune_code = oa.commune_code;
    if (const domain::Commune* c = deps_.catalog->FindCommune(oa.commune_code)) {
      config.commune_name_vi = c->name_vi;
    }
    config.max_photos = api::kMaxDocumentsPerFiling;
    dialogue_[oa.oa_id] = std::move(config);
  }
}

ChatIntake::~ChatIntake() { Stop(); }

void ChatIntake::Start() {
  if (listener_.joinable()) return;
  listener_ = std::thread([this] { Listen(); });
  for (const std::unique_ptr<workers::Wakeup>& w : worker_wakeups_) {
    workers_.emplace_back([this, wakeup = w.get()] { Work(*wakeup); });
  }
}

void ChatIntake::Stop() {
  wakeup_.Stop();
  for (const std::unique_ptr<workers::Wakeup>& w : worker_wakeups_) w->Stop();
  if (listener_.joinable()) listener_.join();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

void ChatIntake::Poke() {
  for (const std::unique_ptr<workers::Wakeup>& w : worker_wakeups_) w->Poke();
}

void ChatIntake::Listen() {
  std::optional<queue::RedisClient> redis;
  absl::Time retry_redis = absl::InfinitePast();
  const std::string consumer = workers::ProcessConsumerName("chat");
  absl::Time next_prune = absl::InfinitePast();
  while (!wakeup_.stopping()) {
    // Moves left half done by a crash; linking itself applies its own.
    if (absl::Status s = ApplyMoves(); !s.ok()) {
      LogWarning("chat.moves_failed", {{"error", s.ToString()}});
    }
    if (absl::Now() >= next_prune) {
      // Message ids far older than any replay window can no longer pass the
      // signature check, so forgetting them cannot let a duplicate in.
      (void)store_.PruneSeen(absl::Now() - kKeepSeen);
      next_prune = absl::Now() + absl::Hours(1);
    }
    if (options_.redis.has_value() && !redis.has_value() && absl::Now() >= retry_redis) {
      absl::StatusOr<queue::RedisClient> client = queue::RedisClient::Connect(*options_.redis);
      if (client.ok()) {
        redis.emplace(std::move(*client));
      } else {
        retry_redis = absl::Now() + absl::Seconds(5);
      }
    }
    if (!redis.has_value()) {
      wakeup_.Wait(options_.poll);
      continue;
    }
    // The stream only wakes the workers: the inbox is the truth, so every
    // wake-up is acknowledged at once and a lost one costs at most one poll
    // interval.
    queue::JobStream stream(*redis, kChatStream);
    absl::StatusOr<std::vector<queue::Job>> jobs =
        stream.Read(consumer, 64, std::min(options_.poll, absl::Milliseconds(500)));
    if (!jobs.ok()) {
      redis.reset();
      retry_redis = absl::Now() + absl::Seconds(5);
      wakeup_.Wait(options_.poll);
      continue;
    }
    for (const queue::Job& job : *jobs) (void)stream.Ack(job.id);
    if (!jobs->empty()) Poke();
  }
}

void ChatIntake::Work(workers::Wakeup& wakeup) {
  while (!wakeup.stopping()) {
    absl::StatusOr<std::optional<InboxItem>> item = Claim();
    if (!item.ok()) {
      LogWarning("chat.drain_failed", {{"error", item.status().ToString()}});
      wakeup.Wait(options_.poll, /*poke_wakes=*/false);
      continue;
    }
    if (!item->has_value()) {
      wakeup.Wait(options_.poll);
      continue;
    }
    ProcessClaimed(**item);
  }
}

absl::StatusOr<std::optional<InboxItem>> ChatIntake::Claim() {
  absl::MutexLock lock(&claim_mu_);
  const absl::Time now = absl::Now();
  for (auto it = retry_at_.begin(); it != retry_at_.end();) {
    it = it->second <= now ? retry_at_.erase(it) : std::next(it);
  }
  // Enough heads that the held and waiting users cannot hide a free one.
  const int limit = kInboxBatch + static_cast<int>(busy_.size() + retry_at_.size());
  absl::StatusOr<std::vector<InboxItem>> heads = store_.PendingHeads(limit);
  if (!heads.ok()) return heads.status();
  for (InboxItem& item : *heads) {
    std::string key = UserKey(item.oa_id, item.user_id);
    if (busy_.count(key) > 0 || retry_at_.count(key) > 0) continue;
    busy_.insert(std::move(key));
    return std::optional<InboxItem>(std::move(item));
  }
  return std::optional<InboxItem>();
}

void ChatIntake::ProcessClaimed(const InboxItem& item) {
  const absl::Status s = Process(item);
  bool retry = false;
  if (!s.ok()) {
    absl::StatusOr<bool> dead = store_.FailInbox(item.id, s.ToString(), options_.max_attempts);
    const bool dead_lettered = dead.ok() && *dead;
    // Later events of this user must wait for this one; other users go on.
    retry = !dead_lettered;
    if (dead_lettered) {
      LogError("chat.event_dead_lettered", {{"inbox_id", item.id},
                                            {"oa", item.oa_id},
                                            {"msg_id", item.msg_id},
                                            {"attempts", item.attempts + 1},
                                            {"error", s.ToString()}});
    } else {
      LogWarning("chat.event_failed", {{"inbox_id", item.id},
                                       {"oa", item.oa_id},
                                       {"attempts", item.attempts + 1},
                                       {"error", s.ToString()}});
    }
  }
  absl::MutexLock lock(&claim_mu_);
  const std::string key = UserKey(item.oa_id, item.user_id);
  busy_.erase(key);
  if (retry) retry_at_[key] = absl::Now() + options_.poll;
}

absl::Status ChatIntake::ApplyMoves() {
  absl::MutexLock lock(&moves_mu_);
  absl::StatusOr<std::vector<AccountMove>> moves = store_.PendingMoves();
  if (!moves.ok()) return moves.status();
  for (const AccountMove& move : *moves) {
    int64_t moved = 0;
    absl::Status s = deps_.records->Write([&](records::Tx& tx) -> absl::Status {
      absl::StatusOr<int64_t> n = tx.MoveCitizen(move.from_account, move.to_account);
      if (!n.ok()) return n.status();
      moved = *n;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (s = store_.MoveDone(move); !s.ok()) return s;
    LogInfo("chat.filings_moved",
            {{"from", move.from_account}, {"to", move.to_account}, {"filings", moved}});
  }
  return absl::OkStatus();
}

absl::Status ChatIntake::Drain() {
  if (absl::Status s = ApplyMoves(); !s.ok()) return s;
  while (!wakeup_.stopping()) {
    absl::StatusOr<std::optional<InboxItem>> item = Claim();
    if (!item.ok()) return item.status();
    if (!item->has_value()) return absl::OkStatus();
    ProcessClaimed(**item);
  }
  return absl::OkStatus();
}

absl::Status ChatIntake::Process(const InboxItem& item) {
  Context ctx;
  ctx.item = &item;
  auto oa = by_oa_.find(item.oa_id);
  if (oa == by_oa_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("OA ", item.oa_id, " is no longer configured"));
  }
  ctx.oa = &oa->second;
  ctx.dialogue = &dialogue_.at(item.oa_id);
  absl::StatusOr<ZaloEvent> event = ParseZaloEvent(item.body);
  if (!event.ok()) return event.status();
  ctx.event = *std::move(event);
  ctx.request_base = RequestBase(item.oa_id, item.msg_id);

  absl::StatusOr<ChatIdentity> identity = store_.AccountOf(
      item.oa_id, item.user_id, [] { return api::NewId("cit_chat_", 16); }, deps_.clock());
  if (!identity.ok()) return identity.status();
  ctx.caller.account_id = identity->account_id;
  ctx.caller.role = domain::Role::kCitizen;
  ctx.linked_phone = identity->phone;

  absl::StatusOr<Conversation> current = store_.Load(item.oa_id, item.user_id);
  if (!current.ok()) return current.status();

  absl::StatusOr<Conversation> next = *current;
  switch (ctx.event.kind) {
    case ZaloEventKind::kFollow:
      next = Execute(ctx, *current, Advance(*current, DialogueInput::Follow(), *ctx.dialogue));
      break;
    case ZaloEventKind::kUserSendText:
      next = Execute(ctx, *current,
                     Advance(*current, DialogueInput::Text(ctx.event.text), *ctx.dialogue));
      break;
    case ZaloEventKind::kUserSendImage:
    case ZaloEventKind::kUserSendFile: {
      const int count = static_cast<int>(ctx.event.attachments.size());
      next = Execute(ctx, *current,
                     Advance(*current, DialogueInput::PhotosReceived(count), *ctx.dialogue));
      break;
    }
    case ZaloEventKind::kUnfollow:
    case ZaloEventKind::kIgnored:
      break;
  }
  if (!next.ok()) return next.status();

  for (size_t i = 0; i < ctx.replies.size(); ++i) {
    if (absl::Status s = sender_.EnqueueText(ctx.address(), ctx.replies[i],
                                             absl::StrCat(ctx.request_base, ":reply:", i));
        !s.ok()) {
      return s;
    }
  }
  return store_.Complete(item.id, item.oa_id, item.user_id, *next, deps_.clock());
}

absl::StatusOr<Conversation> ChatIntake::Execute(Context& ctx, const Conversation& current,
                                                 DialogueStep step) {
  auto keep_with = [&](std::string reply) {
    ctx.replies.push_back(std::move(reply));
    return current;
  };
  switch (step.action.kind) {
    case ActionKind::kNone:
      break;
    case ActionKind::kCreateFiling: {
      cdkv::v1::CreateFilingRequest request;
      request.set_request_id(absl::StrCat(ctx.request_base, ":create"));
      request.set_procedure_code(step.action.procedure_code);
      request.set_commune_code(step.action.commune_code);
      cdkv::v1::CreateFilingResponse response;
      absl::Status s = api::CreateFilingOp(deps_, ctx.caller, request, "chat", &response);
      if (Transient(s)) return s;
      if (!s.ok()) {
        LogWarning("chat.create_refused", {{"error", s.ToString()}});
        return keep_with(
            "Xin lỗi, thủ tục này chưa nhận hồ sơ qua tin nhắn ở xã/thị trấn "
            "này. Xin ông/bà "
            "liên hệ bộ phận một cửa.");
      }
      step.next.filing_id = response.filing().filing_id();
      if (absl::Status l = store_.LinkFiling(step.next.filing_id, ctx.oa->oa_id, ctx.item->user_id);
          !l.ok()) {
        return l;
      }
      break;
    }
    case ActionKind::kAttachPhotos:
      return AttachPhotos(ctx, current, std::move(step));
    case ActionKind::kSubmit: {
      cdkv::v1::SubmitFilingRequest request;
      request.set_request_id(absl::StrCat(ctx.request_base, ":submit"));
      request.set_filing_id(step.action.filing_id);
      cdkv::v1::SubmitFilingResponse response;
      absl::Status s = api::SubmitFilingOp(deps_, ctx.caller, request, &response);
      if (Transient(s)) return s;
      if (!s.ok()) {
        LogWarning("chat.submit_refused", {{"error", s.ToString()}});
        return keep_with(
            "Xin lỗi, chưa nộp được hồ sơ này. Xin gửi lại ảnh giấy tờ, hoặc "
            "nhắn \"hủy\" rồi "
            "làm lại.");
      }
      break;
    }
    case ActionKind::kCancel: {
      cdkv::v1::WithdrawFilingRequest request;
      request.set_request_id(absl::StrCat(ctx.request_base, ":withdraw"));
      request.set_filing_id(step.action.filing_id);
      request.set_reason("hủy qua tin nhắn");
      cdkv::v1::WithdrawFilingResponse response;
      absl::Status s = api::WithdrawFilingOp(deps_, ctx.caller, request, &response);
      if (Transient(s)) return s;
      if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
        LogWarning("chat.withdraw_refused", {{"error", s.ToString()}});
        return keep_with(
            "Xin lỗi, hồ sơ này không hủy được qua tin nhắn. Xin ông/bà liên "
            "hệ "
            "bộ phận một cửa.");
      }
      break;
    }
    case ActionKind::kReportStatus: {
      absl::StatusOr<std::string> report = StatusReport(ctx, step.action.filing_id);
      if (!report.ok()) return report.status();
      step.replies.push_back(*std::move(report));
      break;
    }
    case ActionKind::kSendLinkCode:
      return SendLinkCode(ctx, current, std::move(step));
    case ActionKind::kVerifyLinkCode:
      return VerifyLinkCode(ctx, current, std::move(step));
  }
  for (std::string& r : step.replies) ctx.replies.push_back(std::move(r));
  return step.next;
}

absl::StatusOr<Conversation> ChatIntake::AttachPhotos(Context& ctx, const Conversation& current,
                                                      DialogueStep step) {
  Conversation conversation = step.next;
  for (std::string& r : step.replies) ctx.replies.push_back(std::move(r));
  int accepted = 0;
  for (size_t i = 0; i < ctx.event.attachments.size(); ++i) {
    const ZaloAttachment& attachment = ctx.event.attachments[i];
    std::string problem;
    absl::StatusOr<FetchedImage> fetched = fetcher_.Fetch(attachment.url);
    if (!fetched.ok()) {
      LogInfo("chat.attachment_refused",
              {{"oa", ctx.oa->oa_id}, {"error", fetched.status().ToString()}});
      problem = FetchProblemVi(fetched.status());
    } else {
      absl::StatusOr<api::CheckedPhoto> photo = api::CheckPhoto(deps_, std::move(fetched->bytes));
      if (!photo.ok()) {
        problem = "ảnh không mở được (có thể bị hỏng). ";
      } else if (!photo->good()) {
        problem = std::string(photo->quality->advice);
      } else {
        cdkv::v1::UploadHeader header;
        header.set_request_id(absl::StrCat(ctx.request_base, ":photo:", i));
        header.set_filing_id(step.action.filing_id);
        header.set_size_bytes(static_cast<int64_t>(photo->bytes.size()));
        cdkv::v1::UploadDocumentResponse response;
        absl::Status s = api::StorePhotoOp(deps_, ctx.caller, header, *photo, &response);
        if (Transient(s)) return s;
        if (!s.ok()) {
          LogWarning("chat.photo_refused", {{"error", s.ToString()}});
          problem = s.code() == absl::StatusCode::kResourceExhausted
                        ? "hồ sơ đã đủ số ảnh tối đa."
                        : "hồ sơ này không nhận thêm ảnh.";
        } else {
          ++accepted;
        }
      }
    }
    if (!problem.empty()) {
      DialogueStep rejected =
          Advance(conversation, DialogueInput::PhotoRejected(problem), *ctx.dialogue);
      for (std::string& r : rejected.replies) ctx.replies.push_back(std::move(r));
      conversation = rejected.next;
    }
  }
  if (accepted > 0) {
    DialogueStep step2 =
        Advance(conversation, DialogueInput::PhotosAccepted(accepted), *ctx.dialogue);
    for (std::string& r : step2.replies) ctx.replies.push_back(std::move(r));
    conversation = step2.next;
  }
  (void)current;
  return conversation;
}

absl::StatusOr<Conversation> ChatIntake::SendLinkCode(Context& ctx, const Conversation& current,
                                                      DialogueStep step) {
  auto fail = [&](std::string reason) {
    DialogueStep failed =
        Advance(current, DialogueInput::LinkFailed(std::move(reason)), *ctx.dialogue);
    for (std::string& r : failed.replies) ctx.replies.push_back(std::move(r));
    return failed.next;
  };
  absl::StatusOr<std::string> phone = auth::NormalizePhoneNumber(step.action.phone);
  if (!phone.ok()) {
    return fail(
        "Số điện thoại chưa đúng. Xin nhắn \"liên kết\" và số di động 10 số, "
        "ví dụ: "
        "liên kết 0912345678");
  }
  absl::StatusOr<auth::SignInCode> code = accounts_.IssueSignInCode(*phone, deps_.clock());
  if (code.status().code() == absl::StatusCode::kResourceExhausted) {
    return fail(
        "Vừa có mã gửi đến số này. Xin chờ vài phút rồi nhắn lại \"liên kết\" "
        "và số "
        "điện thoại.");
  }
  if (!code.ok()) return code.status();
  if (options_.development) {
    LogInfo("chat.link_code", {{"phone", *phone}, {"code", code->code}});
  }
  absl::Status queued = deps_.records->Write([&](records::Tx& tx) {
    return workers::AddSms(tx,
                           {*phone, absl::StrCat("Ma lien ket tin nhan cdkv: ", code->code,
                                                 ". Khong chia se ma nay.")},
                           deps_.clock());
  });
  if (!queued.ok()) return queued;
  deps_.poke_outbox();
  step.next.link_phone = *phone;
  for (std::string& r : step.replies) ctx.replies.push_back(std::move(r));
  return step.next;
}

absl::StatusOr<Conversation> ChatIntake::VerifyLinkCode(Context& ctx, const Conversation& current,
                                                        DialogueStep step) {
  absl::StatusOr<std::string> phone = auth::NormalizePhoneNumber(step.action.phone);
  // Already linked to this phone: this is the same message again after a
  // crash (the code is used up by now), so it succeeded.
  if (phone.ok() && ctx.linked_phone == *phone) {
    if (absl::Status s = ApplyMoves(); !s.ok()) return s;
    for (std::string& r : step.replies) ctx.replies.push_back(std::move(r));
    return step.next;
  }
  absl::StatusOr<auth::Principal> owner =
      phone.ok() ? accounts_.VerifySignInCode(*phone, step.action.code, deps_.clock())
                 : absl::StatusOr<auth::Principal>(phone.status());
  if (!owner.ok()) {
    const absl::Status& s = owner.status();
    if (Transient(s)) return s;
    DialogueInput input;
    if (s.code() == absl::StatusCode::kUnauthenticated &&
        absl::StrContains(s.message(), "wrong sign-in code;") &&
        absl::StrContains(s.message(), "left")) {
      input = DialogueInput::LinkRefused("Mã chưa đúng.");
    } else if (absl::StrContains(s.message(), "expired")) {
      input = DialogueInput::LinkFailed(
          "Mã đã hết hạn. Xin nhắn lại \"liên kết\" và số điện thoại để nhận "
          "mã mới.");
    } else {
      input = DialogueInput::LinkFailed(
          "Mã không dùng được nữa. Xin nhắn lại \"liên kết\" và số điện thoại "
          "để nhận mã mới.");
    }
    DialogueStep answered = Advance(current, input, *ctx.dialogue);
    for (std::string& r : answered.replies) ctx.replies.push_back(std::move(r));
    return answered.next;
  }
  if (absl::Status s = store_.LinkAccount(ctx.oa->oa_id, ctx.item->user_id, owner->account_id,
                                          *phone, deps_.clock());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ApplyMoves(); !s.ok()) return s;
  LogInfo("chat.linked", {{"oa", ctx.oa->oa_id}, {"phone", auth::MaskPhoneNumber(*phone)}});
  ctx.caller.account_id = owner->account_id;
  for (std::string& r : step.replies) ctx.replies.push_back(std::move(r));
  return step.next;
}

absl::StatusOr<std::string> ChatIntake::StatusReport(Context& ctx, const std::string& filing_id) {
  absl::StatusOr<cdkv::v1::Filing> filing = api::GetFilingOp(deps_, ctx.caller, filing_id);
  if (!filing.ok()) {
    if (Transient(filing.status())) return filing.status();
    return absl::StrCat("Không tìm thấy hồ sơ ", filing_id,
                        " của ông/bà. Xin kiểm tra lại mã hồ sơ.");
  }
  std::string text = absl::StrCat("Hồ sơ ", filing->filing_id(), " (", filing->procedure_name(),
                                  "): ", StateVi(filing->state()), ".");
  if (filing->state() == cdkv::v1::FILING_STATE_READY_FOR_PICKUP && filing->has_pickup()) {
    absl::StrAppend(&text, "\nNơi nhận: ", filing->pickup().desk_name(), ", ",
                    filing->pickup().address(), ".\nGiờ nhận: ", filing->pickup().opening_hours(),
                    ".");
  }
  if (!filing->officer_message().empty()) {
    absl::StrAppend(&text, "\nLời nhắn của cán bộ: ", filing->officer_message());
  }
  return text;
}

}  // namespace cdkv::chat
