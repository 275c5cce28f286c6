#include "services/api/citizen_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "ocr/image_decode.h"
#include "ocr/image_header.h"
#include "ocr/quality_gate.h"
#include "services/api/citizen_ops.h"
#include "services/api/filing_ops.h"
#include "services/api/handler.h"
#include "services/api/ids.h"
#include "services/api/pickup_json.h"
#include "services/api/prefill_route.h"
#include "services/domain/routing.h"
#include "services/store/blob_store.h"
#include "workers/outbox_kinds.h"

namespace cdkv::api {
namespace {

using domain::Action;
using domain::Role;
using domain::State;

constexpr size_t kMaxChunkBytes = 1024 * 1024;

absl::StatusOr<int> ParsePageToken(const std::string& token) {
  if (token.empty()) return 0;
  int offset = 0;
  if (!absl::SimpleAtoi(token, &offset) || offset < 0 || offset > 1000000) {
    return absl::InvalidArgumentError(
        "page_token is not one this server gave out; start again without it");
  }
  return offset;
}

int PageSize(int requested, int fallback, int cap) {
  if (requested <= 0) return fallback;
  return requested > cap ? cap : requested;
}

}  // namespace

grpc::ServerUnaryReactor* CitizenServiceImpl::CreateFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::CreateFilingRequest* request,
    cdkv::v1::CreateFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "CreateFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        return Fail(CreateFilingOp(deps_, *caller, *request, "app", response));
      });
}

// Receives a header and chunks, then checks and stores the photo on the upload
// pool.
class UploadReactor final
    : public grpc::ServerReadReactor<cdkv::v1::UploadDocumentRequest> {
 public:
  UploadReactor(Deps& deps, WorkPool& pool,
                grpc::CallbackServerContext* context,
                cdkv::v1::UploadDocumentResponse* response)
      : deps_(deps), pool_(pool), response_(response) {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kCitizen);
    if (!caller.ok()) {
      Finish(auth::ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = std::move(*caller);
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished sending
      if (!has_header_) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "an upload starts with a header message"));
        return;
      }
      pool_.Submit([this] { Finish(Store()); });
      return;
    }
    if (message_.has_header()) {
      if (has_header_) {
        Finish(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "an upload has exactly one header, as its first message"));
        return;
      }
      has_header_ = true;
      header_ = message_.header();
      if (header_.size_bytes() <= 0 ||
          header_.size_bytes() > deps_.max_upload_bytes) {
        Finish(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("size_bytes must be from 1 to ",
                         deps_.max_upload_bytes,
                         " (the largest photo accepted); take the photo at a "
                         "lower resolution")));
        return;
      }
      bytes_.reserve(static_cast<size_t>(header_.size_bytes()));
    } else {
      if (!has_header_) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "an upload starts with a header message"));
        return;
      }
      const std::string& chunk = message_.chunk();
      if (chunk.size() > kMaxChunkBytes) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "chunks must be at most 1 MiB"));
        return;
      }
      if (static_cast<int64_t>(bytes_.size() + chunk.size()) >
          header_.size_bytes()) {
        Finish(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("more bytes arrived than the header's size_bytes (",
                         header_.size_bytes(), ")")));
        return;
      }
      bytes_.append(chunk);
    }
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  grpc::Status Store() {
    try {
      return StoreOrThrow();
    } catch (const std::exception& e) {
      LogError("upload.exception", {{"what", e.what()}});
      return grpc::Status(
          grpc::StatusCode::INTERNAL,
          "internal error; nothing was stored and the upload may be retried");
    }
  }

  grpc::Status StoreOrThrow() {
    if (static_cast<int64_t>(bytes_.size()) != header_.size_bytes()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("the upload ended after ", bytes_.size(),
                                       " of ", header_.size_bytes(),
                                       " bytes; send the whole photo again"));
    }
    const std::string sha256 = store::Sha256Hex(bytes_);
    if (!header_.sha256().empty() && header_.sha256() != sha256) {
      return grpc::Status(
          grpc::StatusCode::DATA_LOSS,
          "the bytes received do not match the header's sha256; "
          "send the photo again");
    }
    absl::StatusOr<CheckedPhoto> photo =
        CheckPhoto(deps_, std::move(bytes_), header_.declared_kind());
    if (!photo.ok()) return auth::ToGrpcStatus(photo.status());
    // A photo that fails the gate is kept too: the verdict and advice in the
    // answer tell the app whether to ask for a retake.
    return auth::ToGrpcStatus(
        StorePhotoOp(deps_, caller_, header_, *photo, response_));
  }

  Deps& deps_;
  WorkPool& pool_;
  cdkv::v1::UploadDocumentResponse* response_;
  auth::Principal caller_;
  cdkv::v1::UploadDocumentRequest message_;
  bool has_header_ = false;
  cdkv::v1::UploadHeader header_;
  std::string bytes_;
};

grpc::ServerReadReactor<cdkv::v1::UploadDocumentRequest>*
CitizenServiceImpl::UploadDocument(grpc::CallbackServerContext* context,
                                   cdkv::v1::UploadDocumentResponse* response) {
  return new UploadReactor(deps_, upload_pool_, context, response);
}

grpc::ServerUnaryReactor* CitizenServiceImpl::RemoveDocument(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RemoveDocumentRequest* request,
    cdkv::v1::RemoveDocumentResponse* response) {
  return ServeOnPool(
      pool_, context, "RemoveDocument", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        return Mutate(
            deps_, *caller, "RemoveDocument", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  OwnFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (filing->state != State::kDraft &&
                  filing->state != State::kNeedsMoreDocuments) {
                return absl::FailedPreconditionError(
                    absl::StrCat("filing ", filing->id, " is ",
                                 domain::StateName(filing->state),
                                 "; photos can be removed only from a draft"));
              }
              if (absl::Status s =
                      tx.DeleteDocument(filing->id, request->document_id());
                  !s.ok()) {
                return s;
              }
              if (absl::Status s =
                      Audit(tx, Actor::Of(*caller), "document.remove",
                            filing->id, request->document_id(), now);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::SubmitFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::SubmitFilingRequest* request,
    cdkv::v1::SubmitFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "SubmitFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        return Fail(SubmitFilingOp(deps_, *caller, *request, response));
      });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::GetFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetFilingRequest* request,
    cdkv::v1::GetFilingResponse* response) {
  return ServeOnPool(pool_, context, "GetFiling", [=, this]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kCitizen);
    if (!caller.ok()) return Fail(caller.status());
    return Fail(deps_.records->Read([&](records::Tx& tx) -> absl::Status {
      absl::StatusOr<records::FilingRow> filing =
          OwnFiling(deps_, tx, *caller, request->filing_id());
      if (!filing.ok()) return filing.status();
      return FillFiling(deps_, tx, filing->id, response->mutable_filing());
    }));
  });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::ListFilings(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListFilingsRequest* request,
    cdkv::v1::ListFilingsResponse* response) {
  return ServeOnPool(
      pool_, context, "ListFilings", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        absl::StatusOr<int> offset = ParsePageToken(request->page_token());
        if (!offset.ok()) return Fail(offset.status());
        const int page = PageSize(request->page_size(), 20, 100);
        std::set<int> wanted(request->states().begin(),
                             request->states().end());
        return Fail(deps_.records->Read([&](records::Tx& tx) -> absl::Status {
          // Read one more than a page to know whether another page follows.
          absl::StatusOr<std::vector<records::FilingRow>> rows =
              tx.FilingsOfCitizen(caller->account_id, page + 1, *offset);
          if (!rows.ok()) return rows.status();
          for (size_t i = 0; i < rows->size() && static_cast<int>(i) < page;
               ++i) {
            const records::FilingRow& row = (*rows)[i];
            if (!wanted.empty() && wanted.count(ToProto(row.state)) == 0)
              continue;
            *response->add_filings() = Summarize(deps_, row);
          }
          if (static_cast<int>(rows->size()) > page) {
            response->set_next_page_token(std::to_string(*offset + page));
          }
          return absl::OkStatus();
        }));
      });
}

// Streams a filing's events: first its current state, then every committed
// change.
class WatchReactor final
    : public grpc::ServerWriteReactor<cdkv::v1::WatchFilingResponse> {
 public:
  WatchReactor(Deps& deps, grpc::CallbackServerContext* context,
               const cdkv::v1::WatchFilingRequest& request)
      : deps_(deps), filing_id_(request.filing_id()) {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kCitizen);
    if (!caller.ok()) {
      FinishOnce(auth::ToGrpcStatus(caller.status()));
      return;
    }
    // Subscribe before reading, so a change committed after the snapshot
    // reaches the stream; one already in the snapshot is dropped by version.
    const int64_t handle = deps_.events->Subscribe(
        filing_id_, [this](const cdkv::v1::FilingEvent& e) { Enqueue(e); });
    {
      absl::MutexLock lock(&mu_);
      handle_ = handle;
    }
    cdkv::v1::WatchFilingResponse first;
    absl::Status loaded =
        deps_.records->Read([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing =
              OwnFiling(deps_, tx, *caller, filing_id_);
          if (!filing.ok()) return filing.status();
          cdkv::v1::FilingEvent* event = first.mutable_event();
          event->set_filing_id(filing->id);
          event->set_version(filing->version);
          event->mutable_change()->set_to_state(ToProto(filing->state));
          if (!filing->pickup_json.empty()) {
            PickupFromJson(filing->pickup_json, event->mutable_pickup())
                .IgnoreError();
          }
          return absl::OkStatus();
        });
    if (!loaded.ok()) {
      FinishOnce(auth::ToGrpcStatus(loaded));
      return;
    }
    const int64_t first_version = first.event().version();
    absl::MutexLock lock(&mu_);
    std::deque<cdkv::v1::WatchFilingResponse> early = std::move(pending_);
    pending_.clear();
    started_ = true;
    floor_ = request.after_version();
    PushLocked(std::move(first));
    floor_ = std::max(floor_, first_version);
    for (auto& event : early) PushLocked(std::move(event));
    WriteNextLocked();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok) {
        pending_.pop_front();
        WriteNextLocked();
        return;
      }
    }
    FinishOnce(
        grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  }

  // A watch ends only when the client cancels or the server shuts down; either
  // way the stream must still be finished, or the server would wait for it
  // forever.
  void OnCancel() override {
    Unsubscribe();
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "watch ended"));
  }

  void OnDone() override {
    Unsubscribe();
    delete this;
  }

 private:
  void Enqueue(const cdkv::v1::FilingEvent& event) {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    cdkv::v1::WatchFilingResponse response;
    *response.mutable_event() = event;
    if (!started_) {
      // Held until the snapshot is known (see the constructor).
      pending_.push_back(std::move(response));
      return;
    }
    PushLocked(std::move(response));
    WriteNextLocked();
  }

  // Queues `response` unless the client already has it: it is in the
  // snapshot, or at or below the version the client asked to start after.
  // Events of one batch are published from its writers' threads in any
  // order, so later ones are not compared with each other.
  void PushLocked(cdkv::v1::WatchFilingResponse response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (response.event().version() <= floor_) return;
    pending_.push_back(std::move(response));
  }

  void FinishOnce(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      if (finish_called_) return;
      finish_called_ = true;
      finished_ = true;
    }
    Finish(status);
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || pending_.empty() || finished_) return;
    writing_ = true;
    StartWrite(&pending_.front());
  }

  // Publishing holds the events lock while it calls Enqueue (which takes mu_),
  // so the events lock is taken here with mu_ released. Once Unsubscribe
  // returns no callback is running.
  void Unsubscribe() {
    int64_t handle = 0;
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
      handle = handle_;
      handle_ = 0;
    }
    if (handle != 0) deps_.events->Unsubscribe(filing_id_, handle);
  }

  Deps& deps_;
  std::string filing_id_;
  absl::Mutex mu_;
  std::deque<cdkv::v1::WatchFilingResponse> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // Whether the first answer is known; until then events wait in pending_.
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  // Events at or below this version are not sent (see PushLocked).
  int64_t floor_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
  int64_t handle_ ABSL_GUARDED_BY(mu_) = 0;
};

grpc::ServerWriteReactor<cdkv::v1::WatchFilingResponse>*
CitizenServiceImpl::WatchFiling(grpc::CallbackServerContext* context,
                                const cdkv::v1::WatchFilingRequest* request) {
  return new WatchReactor(deps_, context, *request);
}

grpc::ServerUnaryReactor* CitizenServiceImpl::ChooseResultDelivery(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ChooseResultDeliveryRequest* request,
    cdkv::v1::ChooseResultDeliveryResponse* response) {
  return ServeOnPool(
      pool_, context, "ChooseResultDelivery", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s =
                CheckDelivery(request->delivery(), request->delivery_address());
            !s.ok()) {
          return Fail(s);
        }
        return Mutate(
            deps_, *caller, "ChooseResultDelivery", request->request_id(),
            response,
            [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  OwnFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (domain::IsTerminal(filing->state) ||
                  filing->state == State::kReadyForPickup) {
                return absl::FailedPreconditionError(
                    absl::StrCat("filing ", filing->id, " is ",
                                 domain::StateName(filing->state),
                                 "; the delivery can no longer be changed"));
              }
              filing->delivery = DeliveryName(request->delivery());
              filing->delivery_address = request->delivery_address();
              if (absl::Status s = tx.UpdateFiling(*filing); !s.ok()) return s;
              if (absl::Status s =
                      Audit(tx, Actor::Of(*caller), "filing.delivery",
                            filing->id, filing->delivery, now);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::SupplyDocuments(
    grpc::CallbackServerContext* context,
    const cdkv::v1::SupplyDocumentsRequest* request,
    cdkv::v1::SupplyDocumentsResponse* response) {
  return ServeOnPool(
      pool_, context, "SupplyDocuments", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s = CheckLength("note", request->note(), 1000);
            !s.ok())
          return Fail(s);
        return Mutate(
            deps_, *caller, "SupplyDocuments", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  OwnFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (absl::Status s = ApplyAction(
                      tx, *filing, Action::kSupplyDocuments, Actor::Of(*caller),
                      request->note(), now, events);
                  !s.ok()) {
                return s;
              }
              if (absl::Status s =
                      QueueForPrefill(*deps_.catalog, deps_.prefill_off, tx,
                                      *filing, now, events);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::WithdrawFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::WithdrawFilingRequest* request,
    cdkv::v1::WithdrawFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "WithdrawFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        return Fail(WithdrawFilingOp(deps_, *caller, *request, response));
      });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::RateFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RateFilingRequest* request,
    cdkv::v1::RateFilingResponse* response) {
  return ServeOnPool(pool_, context, "RateFiling", [=, this]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kCitizen);
    if (!caller.ok()) return Fail(caller.status());
    if (request->stars() < 1 || request->stars() > 5) {
      return Fail(absl::InvalidArgumentError("stars must be from 1 to 5"));
    }
    if (absl::Status s = CheckLength("comment", request->comment(), 1000);
        !s.ok()) {
      return Fail(s);
    }
    return Mutate(
        deps_, *caller, "RateFiling", request->request_id(), response,
        [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing =
              OwnFiling(deps_, tx, *caller, request->filing_id());
          if (!filing.ok()) return filing.status();
          if (filing->state != State::kCompleted) {
            return absl::FailedPreconditionError(absl::StrCat(
                "filing ", filing->id, " is ", domain::StateName(filing->state),
                "; it can be rated after the result is picked up"));
          }
          if (filing->rating != 0) {
            return absl::AlreadyExistsError(
                absl::StrCat("filing ", filing->id, " is already rated"));
          }
          filing->rating = request->stars();
          filing->rating_comment = request->comment();
          if (absl::Status s = tx.UpdateFiling(*filing); !s.ok()) return s;
          if (absl::Status s =
                  Audit(tx, Actor::Of(*caller), "filing.rate", filing->id,
                        std::to_string(request->stars()), now);
              !s.ok()) {
            return s;
          }
          AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                           response->mutable_filing());
          return absl::OkStatus();
        });
  });
}

grpc::ServerUnaryReactor* CitizenServiceImpl::ListNotifications(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListNotificationsRequest* request,
    cdkv::v1::ListNotificationsResponse* response) {
  return ServeOnPool(
      pool_, context, "ListNotifications", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kCitizen);
        if (!caller.ok()) return Fail(caller.status());
        absl::StatusOr<int> offset = ParsePageToken(request->page_token());
        if (!offset.ok()) return Fail(offset.status());
        const int page = PageSize(request->page_size(), 20, 100);
        return Fail(deps_.records->Read([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<std::vector<records::NotificationRow>> rows =
              tx.Notifications(caller->account_id, page + 1, *offset);
          if (!rows.ok()) return rows.status();
          for (size_t i = 0; i < rows->size() && static_cast<int>(i) < page;
               ++i) {
            const records::NotificationRow& row = (*rows)[i];
            cdkv::v1::Notification* n = response->add_notifications();
            n->set_notification_id(std::to_string(row.id));
            n->set_filing_id(row.filing_id);
            n->set_kind(row.kind);
            n->set_text(row.text);
            if (!row.pickup_json.empty()) {
              PickupFromJson(row.pickup_json, n->mutable_pickup())
                  .IgnoreError();
            }
            *n->mutable_created_at() =
                google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
                    absl::ToUnixMillis(row.at));
          }
          if (static_cast<int>(rows->size()) > page) {
            response->set_next_page_token(std::to_string(*offset + page));
          }
          return absl::OkStatus();
        }));
      });
}

}  // namespace cdkv::api
