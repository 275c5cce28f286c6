#include "services/api/desk_service.h"

#include <google/protobuf/util/time_util.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/string_view.h"
#include "services/api/filing_ops.h"
#include "services/api/handler.h"
#include "services/api/ids.h"
#include "services/api/pickup_json.h"
#include "services/domain/routing.h"
#include "services/queue/desk_queue.h"
#include "services/store/blob_store.h"
#include "workers/outbox_kinds.h"

namespace cdkv::api {

namespace {

using domain::Action;
using domain::Role;
using domain::State;
using google::protobuf::util::TimeUtil;

constexpr size_t kDownloadChunkBytes = 256 * 1024;

absl::Status RequireDesk(const auth::Principal& officer,
                         const std::string& desk) {
  if (desk.empty()) return absl::InvalidArgumentError("desk_code is required");
  if (!officer.MayUseDesk(desk)) {
    return absl::PermissionDeniedError(
        absl::StrCat("desk ", desk, " is not one of your desks"));
  }
  return absl::OkStatus();
}

absl::StatusOr<records::FilingRow> DeskFiling(Deps& deps, records::Tx& tx,
                                              const auth::Principal& officer,
                                              const std::string& filing_id) {
  if (filing_id.empty())
    return absl::InvalidArgumentError("filing_id is required");
  if (filing_id.size() > 64) return absl::NotFoundError("no such filing");
  absl::StatusOr<records::FilingRow> filing = tx.GetFiling(filing_id);
  if (!filing.ok()) return filing.status();
  if (absl::Status s = CheckAccess(deps, officer, *filing); !s.ok()) return s;
  return filing;
}

// The caller must hold the claim on an in-review filing.
absl::Status RequireClaim(const records::FilingRow& filing,
                          const auth::Principal& officer, absl::Time now) {
  if (filing.state != State::kInReview) {
    return absl::FailedPreconditionError(
        absl::StrCat("filing ", filing.id, " is ",
                     domain::StateName(filing.state), "; claim it first"));
  }
  if (filing.claimed_by != officer.account_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("filing ", filing.id, " is claimed by another officer"));
  }
  if (filing.claim_expires_at && *filing.claim_expires_at < now) {
    return absl::FailedPreconditionError(absl::StrCat(
        "your claim on filing ", filing.id, " has expired; claim it again"));
  }
  return absl::OkStatus();
}

// Ends the caller's claim, adding the time it was held to the officer handling
// time.
void EndClaim(records::FilingRow& filing, absl::Time now) {
  if (filing.claimed_at) {
    filing.handling_ms += absl::ToInt64Milliseconds(now - *filing.claimed_at);
  }
  filing.claimed_by.clear();
  filing.claimed_at.reset();
  filing.claim_expires_at.reset();
}

absl::Status QueueAtDesk(records::Tx& tx, const records::FilingRow& filing,
                         absl::Time now) {
  return workers::AddDeskEnqueue(tx, filing, now);
}

absl::Status LeaveDesk(records::Tx& tx, const std::string& desk,
                       const records::FilingRow& filing, absl::Time now) {
  return workers::AddDeskRemove(tx, desk, filing.id, now);
}

// Tells the citizen, in the app's list and through the outbound gateway.
absl::Status Notify(records::Tx& tx, const records::FilingRow& filing,
                    std::string kind, std::string text, std::string pickup_json,
                    absl::Time now) {
  records::NotificationRow row;
  row.citizen_id = filing.citizen_id;
  row.filing_id = filing.id;
  row.kind = std::move(kind);
  row.text = std::move(text);
  row.pickup_json = std::move(pickup_json);
  row.at = now;
  return workers::AddNotify(tx, row).status();
}

absl::Status CheckText(std::string_view name, const std::string& text,
                       size_t max, bool required) {
  if (required && text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(name), " is required"));
  }
  if (text.size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(name), " is longer than ", max, " bytes"));
  }
  return absl::OkStatus();
}

// Applies officer corrections to the filing's fields; all or none.
absl::Status ApplyCorrections(
    records::Tx& tx, const records::FilingRow& filing,
    const google::protobuf::RepeatedPtrField<cdkv::v1::FieldCorrection>&
        corrections,
    const Actor& actor, absl::Time now) {
  if (corrections.empty()) return absl::OkStatus();
  if (corrections.size() > 200) {
    return absl::InvalidArgumentError("at most 200 corrections at once");
  }
  absl::StatusOr<std::vector<records::FieldRow>> fields = tx.Fields(filing.id);
  if (!fields.ok()) return fields.status();
  std::vector<std::string> changed;
  for (const cdkv::v1::FieldCorrection& c : corrections) {
    if (c.value().size() > 1000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the value for ", c.key(), " is longer than 1000 bytes"));
    }
    records::FieldRow* target = nullptr;
    for (records::FieldRow& f : *fields) {
      if (f.form_code == c.form_code() && f.key == c.key()) target = &f;
    }
    if (target == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the form '", c.form_code(), "' has no field '", c.key(), "'"));
    }
    target->corrected = target->corrected || target->value != c.value();
    target->value = c.value();
    target->method = "officer";
    target->confidence = 1.0;
    target->needs_review = false;
    target->review_reason.clear();
    if (absl::Status s = tx.UpdateField(*target); !s.ok()) return s;
    changed.push_back(absl::StrCat(c.form_code(), ".", c.key()));
  }
  return Audit(tx, actor, "filing.correct", filing.id,
               absl::StrJoin(changed, ","), now);
}

// Ends the desk's work on a filing with a message for the citizen (a request
// for documents or a rejection): the claim ends, the filing leaves the desk
// queue, the citizen is told why.
absl::Status ReturnToCitizen(
    Deps& deps, records::Tx& tx, const auth::Principal& officer,
    const std::string& filing_id, Action action, const std::string& message,
    std::string notice_kind, std::string notice_text, absl::Time now,
    std::vector<cdkv::v1::FilingEvent>* events, cdkv::v1::Filing* out) {
  absl::StatusOr<records::FilingRow> filing =
      DeskFiling(deps, tx, officer, filing_id);
  if (!filing.ok()) return filing.status();
  if (filing->state == State::kInReview) {
    if (absl::Status s = RequireClaim(*filing, officer, now); !s.ok()) return s;
  }
  const std::string desk = filing->desk_code;
  EndClaim(*filing, now);
  filing->officer_message = message;
  if (absl::Status s = ApplyAction(tx, *filing, action, Actor::Of(officer),
                                   message, now, events);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = LeaveDesk(tx, desk, *filing, now); !s.ok()) return s;
  if (absl::Status s = Notify(
          tx, *filing, std::move(notice_kind),
          absl::StrCat("Hồ sơ ", filing->id, notice_text, message), "", now);
      !s.ok()) {
    return s;
  }
  AnswerWithFiling(deps, *filing, cdkv::v1::FILING_VIEW_FULL, out);
  return absl::OkStatus();
}

std::string WeekdayName(int weekday) {
  static const char* kNames[] = {"",        "Thứ Hai", "Thứ Ba",  "Thứ Tư",
                                 "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"};
  return weekday >= 1 && weekday <= 7 ? kNames[weekday] : "";
}

// "Thứ Hai–Thứ Sáu 7:00–11:00, 13:00–17:00" from the desk's opening hours.
std::string OpeningHoursText(const domain::Desk& desk) {
  std::map<int, std::vector<std::string>> by_day;
  for (const domain::OpeningHours& h : desk.hours) {
    by_day[h.weekday].push_back(absl::StrFormat(
        "%d:%02d–%d:%02d", h.open_minute / 60, h.open_minute % 60,
        h.close_minute / 60, h.close_minute % 60));
  }
  std::vector<std::string> parts;
  auto it = by_day.begin();
  while (it != by_day.end()) {
    auto end = std::next(it);
    int last = it->first;
    while (end != by_day.end() && end->first == last + 1 &&
           end->second == it->second) {
      last = end->first;
      ++end;
    }
    std::string days = WeekdayName(it->first);
    if (last != it->first) days = absl::StrCat(days, "–", WeekdayName(last));
    parts.push_back(absl::StrCat(days, " ", absl::StrJoin(it->second, ", ")));
    it = end;
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

grpc::ServerUnaryReactor* DeskServiceImpl::ListDeskQueue(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListDeskQueueRequest* request,
    cdkv::v1::ListDeskQueueResponse* response) {
  return ServeOnPool(
      pool_, context, "ListDeskQueue", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s = RequireDesk(*caller, request->desk_code());
            !s.ok())
          return Fail(s);
        const int page = request->page_size() <= 0
                             ? 50
                             : std::min(request->page_size(), 200);
        std::vector<State> states = {State::kAwaitingDesk, State::kForwarded};
        if (request->include_claimed()) states.push_back(State::kInReview);
        return Fail(deps_.records->Read([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<std::vector<records::FilingRow>> rows =
              tx.FilingsAtDesk(request->desk_code(), states, page);
          if (!rows.ok()) return rows.status();
          absl::StatusOr<std::vector<records::FilingRow>> waiting =
              tx.FilingsAtDesk(request->desk_code(), {State::kAwaitingDesk},
                               100000);
          if (!waiting.ok()) return waiting.status();
          response->set_waiting_count(static_cast<int>(waiting->size()));
          for (const records::FilingRow& row : *rows) {
            cdkv::v1::QueueEntry* entry = response->add_entries();
            *entry->mutable_filing() = Summarize(deps_, row);
            entry->set_claimed_by(row.claimed_by);
            if (row.claim_expires_at && row.state == State::kInReview) {
              *entry->mutable_claim_expires_at() =
                  TimeUtil::MillisecondsToTimestamp(
                      absl::ToUnixMillis(*row.claim_expires_at));
            }
            absl::StatusOr<std::vector<records::FieldRow>> fields =
                tx.Fields(row.id);
            if (!fields.ok()) return fields.status();
            int review = 0;
            for (const records::FieldRow& f : *fields)
              review += f.needs_review ? 1 : 0;
            entry->set_fields_needing_review(review);
            for (const records::FieldRow& f : *fields) {
              if (f.key == "requester.full_name" ||
                  f.key == "applicant.full_name") {
                entry->mutable_filing()->set_requester_name(f.value);
              }
            }
          }
          return absl::OkStatus();
        }));
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::ClaimFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ClaimFilingRequest* request,
    cdkv::v1::ClaimFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "ClaimFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s = RequireDesk(*caller, request->desk_code());
            !s.ok())
          return Fail(s);
        if (absl::Status s = ValidateRequestId(request->request_id()); !s.ok())
          return Fail(s);

        // A retry is answered from the stored first answer and must take
        // nothing: not the next filing of the queue, not a Redis lease (the
        // filing may have been released, forwarded or claimed since).
        bool retry = false;
        absl::Status seen =
            deps_.records->Read([&](records::Tx& tx) -> absl::Status {
              absl::StatusOr<std::optional<std::string>> first =
                  tx.FindResponse(caller->account_id, request->request_id(),
                                  "ClaimFiling");
              if (!first.ok()) return first.status();
              retry = first->has_value();
              return absl::OkStatus();
            });
        if (!seen.ok()) return Fail(seen);

        // Which filing: the one asked for, or the nearest deadline waiting at
        // the desk.
        std::string filing_id = request->filing_id();
        if (filing_id.empty() && !retry) {
          absl::Status picked =
              deps_.records->Read([&](records::Tx& tx) -> absl::Status {
                absl::StatusOr<std::vector<records::FilingRow>> rows =
                    tx.FilingsAtDesk(request->desk_code(),
                                     {State::kAwaitingDesk}, 1);
                if (!rows.ok()) return rows.status();
                if (rows->empty()) {
                  return absl::NotFoundError(absl::StrCat(
                      "no filing is waiting at desk ", request->desk_code()));
                }
                filing_id = rows->front().id;
                return absl::OkStatus();
              });
          if (!picked.ok()) return Fail(picked);
        }

        // Redis arbitrates between officers racing for the same filing when it
        // is reachable.
        bool redis_claimed = false;
        queue::RedisClient* redis = retry ? nullptr : deps_.redis();
        if (redis != nullptr) {
          queue::DeskQueue desk_queue(*redis);
          absl::StatusOr<queue::DeskLease> lease =
              desk_queue.Claim(request->desk_code(), filing_id,
                               caller->account_id, deps_.claim_lease);
          if (lease.ok()) {
            redis_claimed = true;
          } else if (lease.status().code() ==
                     absl::StatusCode::kFailedPrecondition) {
            return Fail(absl::FailedPreconditionError(absl::StrCat(
                "filing ", filing_id, " is claimed by another officer")));
          }
          // NOT_FOUND (not mirrored yet) or UNAVAILABLE: the record store
          // decides alone.
        }
        grpc::Status status = Mutate(
            deps_, *caller, "ClaimFiling", request->request_id(), response,
            [&](records::Tx& tx, absl::Time at, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, filing_id);
              if (!filing.ok()) return filing.status();
              if (filing->desk_code != request->desk_code()) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "filing ", filing_id, " is at desk ", filing->desk_code));
              }
              if (filing->state == State::kInReview &&
                  filing->claimed_by != caller->account_id) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "filing ", filing_id, " is claimed by another officer"));
              }
              filing->claimed_by = caller->account_id;
              filing->claimed_at = at;
              filing->claim_expires_at = at + deps_.claim_lease;
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kClaim,
                                  Actor::Of(*caller), "", at, events);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, request->view(),
                               response->mutable_filing());
              return absl::OkStatus();
            });
        if (!status.ok() && redis_claimed) {
          if (queue::RedisClient* redis = deps_.redis()) {
            queue::DeskQueue(*redis)
                .Release(request->desk_code(), filing_id, caller->account_id)
                .IgnoreError();
          }
        }
        return status;
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::RenewClaim(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RenewClaimRequest* request,
    cdkv::v1::RenewClaimResponse* response) {
  return ServeOnPool(pool_, context, "RenewClaim", [=, this]() -> grpc::Status {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps_, Role::kOfficer);
    if (!caller.ok()) return Fail(caller.status());
    std::string desk;
    grpc::Status status = Mutate(
        deps_, *caller, "RenewClaim", request->request_id(), response,
        [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing =
              DeskFiling(deps_, tx, *caller, request->filing_id());
          if (!filing.ok()) return filing.status();
          if (absl::Status s = RequireClaim(*filing, *caller, now); !s.ok())
            return s;
          filing->claim_expires_at = now + deps_.claim_lease;
          desk = filing->desk_code;
          if (absl::Status s = tx.UpdateFiling(*filing); !s.ok()) return s;
          *response->mutable_claim_expires_at() =
              TimeUtil::MillisecondsToTimestamp(
                  absl::ToUnixMillis(*filing->claim_expires_at));
          return absl::OkStatus();
        });
    if (status.ok()) {
      if (queue::RedisClient* redis = deps_.redis()) {
        queue::DeskQueue(*redis)
            .Renew(desk, request->filing_id(), caller->account_id,
                   deps_.claim_lease)
            .IgnoreError();
      }
    }
    return status;
  });
}

grpc::ServerUnaryReactor* DeskServiceImpl::ReleaseFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ReleaseFilingRequest* request,
    cdkv::v1::ReleaseFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "ReleaseFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        std::string desk;
        grpc::Status status = Mutate(
            deps_, *caller, "ReleaseFiling", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (absl::Status s = RequireClaim(*filing, *caller, now); !s.ok())
                return s;
              desk = filing->desk_code;
              EndClaim(*filing, now);
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kRelease,
                                  Actor::Of(*caller), "", now, events);
                  !s.ok()) {
                return s;
              }
              if (absl::Status s = QueueAtDesk(tx, *filing, now); !s.ok())
                return s;
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
        // The Redis lease goes now: the queue entry the outbox adds is not
        // put back while a lease holds the filing, and other officers would
        // be told it is claimed until the lease ran out.
        if (status.ok() && !desk.empty()) {
          if (queue::RedisClient* redis = deps_.redis()) {
            queue::DeskQueue(*redis)
                .Release(desk, request->filing_id(), caller->account_id)
                .IgnoreError();
          }
        }
        return status;
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::GetDeskFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetDeskFilingRequest* request,
    cdkv::v1::GetDeskFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "GetDeskFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        // A read of personal data is audited: the filing is read on a snapshot,
        // and returned only once the audit row of that read has committed. The
        // write is just the audit row, so the loading stays off the writer.
        std::string filing_id;
        if (absl::Status s =
                deps_.records->Read([&](records::Tx& tx) -> absl::Status {
                  absl::StatusOr<records::FilingRow> filing =
                      DeskFiling(deps_, tx, *caller, request->filing_id());
                  if (!filing.ok()) return filing.status();
                  filing_id = filing->id;
                  return FillFiling(deps_, tx, filing->id,
                                    response->mutable_filing());
                });
            !s.ok()) {
          return Fail(s);
        }
        absl::Status audited = deps_.records->Write([&](records::Tx& tx) {
          return Audit(tx, Actor::Of(*caller), "filing.read", filing_id, "",
                       deps_.clock());
        });
        if (!audited.ok()) response->Clear();
        return Fail(audited);
      });
}

// Streams a photo in chunks; the metadata rides on the first message.
class DownloadReactor final
    : public grpc::ServerWriteReactor<cdkv::v1::DownloadDocumentResponse> {
 public:
  DownloadReactor(Deps& deps, grpc::CallbackServerContext* context,
                  const cdkv::v1::DownloadDocumentRequest& request) {
    absl::StatusOr<auth::Principal> caller =
        Authorize(*context, deps, Role::kOfficer);
    if (!caller.ok()) {
      Finish(auth::ToGrpcStatus(caller.status()));
      return;
    }
    cdkv::v1::Document metadata;
    std::string sha256;
    absl::Status found =
        deps.records->Write([&](records::Tx& tx) -> absl::Status {
          absl::StatusOr<records::FilingRow> filing =
              DeskFiling(deps, tx, *caller, request.filing_id());
          if (!filing.ok()) return filing.status();
          absl::StatusOr<cdkv::v1::Filing> loaded =
              LoadFiling(deps, tx, filing->id);
          if (!loaded.ok()) return loaded.status();
          for (const cdkv::v1::Document& d : loaded->documents()) {
            if (d.document_id() == request.document_id()) metadata = d;
          }
          if (metadata.document_id().empty()) {
            return absl::NotFoundError(
                absl::StrCat("filing ", filing->id, " has no document '",
                             request.document_id(), "'"));
          }
          return Audit(tx, Actor::Of(*caller), "document.read", filing->id,
                       request.document_id(), deps.clock());
        });
    if (!found.ok()) {
      Finish(auth::ToGrpcStatus(found));
      return;
    }
    absl::StatusOr<std::string> bytes = deps.blobs->Get(metadata.sha256());
    if (!bytes.ok()) {
      Finish(auth::ToGrpcStatus(bytes.status()));
      return;
    }
    bytes_ = std::move(*bytes);
    message_.mutable_document()->Swap(&metadata);
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (offset_ >= bytes_.size() && sent_any_) {
      Finish(grpc::Status::OK);
      return;
    }
    const size_t n = std::min(kDownloadChunkBytes, bytes_.size() - offset_);
    if (sent_any_) message_.clear_document();
    message_.set_chunk(bytes_.substr(offset_, n));
    offset_ += n;
    sent_any_ = true;
    StartWrite(&message_);
  }

  std::string bytes_;
  size_t offset_ = 0;
  bool sent_any_ = false;
  cdkv::v1::DownloadDocumentResponse message_;
};

grpc::ServerWriteReactor<cdkv::v1::DownloadDocumentResponse>*
DeskServiceImpl::DownloadDocument(
    grpc::CallbackServerContext* context,
    const cdkv::v1::DownloadDocumentRequest* request) {
  return new DownloadReactor(deps_, context, *request);
}

grpc::ServerUnaryReactor* DeskServiceImpl::CorrectFields(
    grpc::CallbackServerContext* context,
    const cdkv::v1::CorrectFieldsRequest* request,
    cdkv::v1::CorrectFieldsResponse* response) {
  return ServeOnPool(
      pool_, context, "CorrectFields", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        return Mutate(
            deps_, *caller, "CorrectFields", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (absl::Status s = RequireClaim(*filing, *caller, now); !s.ok())
                return s;
              if (request->expected_version() != 0 &&
                  request->expected_version() != filing->version) {
                return absl::AbortedError(
                    absl::StrCat("filing ", filing->id,
                                 " changed since you loaded it (version ",
                                 request->expected_version(), ", now ",
                                 filing->version, "); reload it"));
              }
              if (absl::Status s =
                      ApplyCorrections(tx, *filing, request->corrections(),
                                       Actor::Of(*caller), now);
                  !s.ok()) {
                return s;
              }
              if (absl::Status s = tx.UpdateFiling(*filing); !s.ok()) return s;
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::ConfirmFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ConfirmFilingRequest* request,
    cdkv::v1::ConfirmFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "ConfirmFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        return Mutate(
            deps_, *caller, "ConfirmFiling", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (absl::Status s = RequireClaim(*filing, *caller, now); !s.ok())
                return s;
              if (absl::Status s =
                      ApplyCorrections(tx, *filing, request->corrections(),
                                       Actor::Of(*caller), now);
                  !s.ok()) {
                return s;
              }
              absl::StatusOr<std::vector<records::FieldRow>> fields =
                  tx.Fields(filing->id);
              if (!fields.ok()) return fields.status();
              std::vector<std::string> missing;
              for (const records::FieldRow& f : *fields) {
                if (f.required && f.value.empty()) missing.push_back(f.label);
              }
              if (!missing.empty()) {
                return absl::FailedPreconditionError(absl::StrCat(
                    "fill these required fields before confirming: ",
                    absl::StrJoin(missing, "; ")));
              }
              const std::string desk = filing->desk_code;
              EndClaim(*filing, now);
              filing->confirmed_at = now;
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kConfirm,
                                  Actor::Of(*caller), "", now, events);
                  !s.ok()) {
                return s;
              }
              if (absl::Status s = LeaveDesk(tx, desk, *filing, now); !s.ok())
                return s;
              AnswerWithFiling(deps_, *filing, request->view(),
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::RequestDocuments(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RequestDocumentsRequest* request,
    cdkv::v1::RequestDocumentsResponse* response) {
  return ServeOnPool(
      pool_, context, "RequestDocuments", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s =
                CheckText("message", request->message(), 2000, true);
            !s.ok()) {
          return Fail(s);
        }
        return Mutate(
            deps_, *caller, "RequestDocuments", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              return ReturnToCitizen(deps_, tx, *caller, request->filing_id(),
                                     Action::kRequestDocuments,
                                     request->message(), "documents_requested",
                                     " cần bổ sung giấy tờ: ", now, events,
                                     response->mutable_filing());
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::RejectFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RejectFilingRequest* request,
    cdkv::v1::RejectFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "RejectFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (absl::Status s = CheckText("reason", request->reason(), 2000, true);
            !s.ok()) {
          return Fail(s);
        }
        return Mutate(
            deps_, *caller, "RejectFiling", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              return ReturnToCitizen(deps_, tx, *caller, request->filing_id(),
                                     Action::kReject, request->reason(),
                                     "rejected", " không được tiếp nhận: ", now,
                                     events, response->mutable_filing());
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::ForwardFiling(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ForwardFilingRequest* request,
    cdkv::v1::ForwardFilingResponse* response) {
  return ServeOnPool(
      pool_, context, "ForwardFiling", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (deps_.catalog->FindDesk(request->to_desk_code()) == nullptr) {
          return Fail(absl::InvalidArgumentError(absl::StrCat(
              "there is no desk '", request->to_desk_code(), "'")));
        }
        if (absl::Status s =
                CheckText("reason", request->reason(), 2000, false);
            !s.ok()) {
          return Fail(s);
        }
        return Mutate(
            deps_, *caller, "ForwardFiling", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (request->to_desk_code() == filing->desk_code) {
                return absl::InvalidArgumentError(
                    "the filing is already at that desk");
              }
              filing->desk_code = request->to_desk_code();
              if (absl::Status s = ApplyAction(tx, *filing, Action::kForward,
                                               Actor::Of(*caller),
                                               request->reason(), now, events);
                  !s.ok()) {
                return s;
              }
              if (absl::Status s =
                      Notify(tx, *filing, "forwarded",
                             absl::StrCat(
                                 "Hồ sơ ", filing->id,
                                 " đã được chuyển đến cơ quan có thẩm quyền."),
                             "", now);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, cdkv::v1::FILING_VIEW_FULL,
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::StartProcessing(
    grpc::CallbackServerContext* context,
    const cdkv::v1::StartProcessingRequest* request,
    cdkv::v1::StartProcessingResponse* response) {
  return ServeOnPool(
      pool_, context, "StartProcessing", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        return Mutate(
            deps_, *caller, "StartProcessing", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kStartProcessing,
                                  Actor::Of(*caller), "", now, events);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, request->view(),
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::MarkResultReady(
    grpc::CallbackServerContext* context,
    const cdkv::v1::MarkResultReadyRequest* request,
    cdkv::v1::MarkResultReadyResponse* response) {
  return ServeOnPool(
      pool_, context, "MarkResultReady", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (request->bring_size() > 20) {
          return Fail(absl::InvalidArgumentError("at most 20 items to bring"));
        }
        for (const std::string& item : request->bring()) {
          if (absl::Status s = CheckText("bring", item, 300, true); !s.ok())
            return Fail(s);
        }
        if (absl::Status s = CheckText("note", request->note(), 1000, false);
            !s.ok()) {
          return Fail(s);
        }
        return Mutate(
            deps_, *caller, "MarkResultReady", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              // The citizen picks up where they filed: the receiving commune's
              // desk.
              absl::StatusOr<domain::Route> route = domain::RouteFiling(
                  *deps_.catalog, filing->procedure_code, filing->commune_code);
              if (!route.ok()) return route.status();
              const domain::Desk* desk =
                  deps_.catalog->FindDesk(route->receiving_desk_code);
              const domain::Procedure* procedure =
                  deps_.catalog->FindProcedure(filing->procedure_code);
              const std::string code = NewPickupCode();
              cdkv::v1::PickupDetails pickup;
              pickup.set_pickup_code(code);
              if (desk != nullptr) {
                pickup.set_desk_name(desk->name_vi);
                pickup.set_address(desk->address_vi);
                pickup.set_opening_hours(OpeningHoursText(*desk));
              }
              pickup.add_bring("Mã nhận kết quả " + code);
              if (procedure != nullptr) {
                for (const auto& d : procedure->documents) {
                  if (d.required && d.kind == "id_card")
                    pickup.add_bring("Bản chính " + d.label_vi);
                }
              }
              for (const std::string& item : request->bring())
                pickup.add_bring(item);
              const absl::Time ready_from =
                  request->has_ready_from()
                      ? absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(
                            request->ready_from()))
                      : now;
              *pickup.mutable_ready_from() = TimeUtil::MillisecondsToTimestamp(
                  absl::ToUnixMillis(ready_from));
              pickup.set_delivery(filing->delivery == "home"
                                      ? cdkv::v1::RESULT_DELIVERY_HOME
                                  : filing->delivery == "post"
                                      ? cdkv::v1::RESULT_DELIVERY_POST
                                      : cdkv::v1::RESULT_DELIVERY_DESK_PICKUP);
              pickup.set_note(request->note());
              const std::string pickup_json = PickupToJson(pickup);
              filing->pickup_json = pickup_json;
              filing->pickup_code_hash =
                  store::Sha256Hex(absl::StrCat(filing->id, ":", code));
              filing->ready_at = now;
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kMarkReady,
                                  Actor::Of(*caller), "", now, events);
                  !s.ok()) {
                return s;
              }
              const std::string text = absl::StrCat(
                  "Hồ sơ ", filing->id, " đã có kết quả. Mời ông/bà đến ",
                  pickup.desk_name(), " (", pickup.opening_hours(),
                  ") để nhận, mang theo mã ", code,
                  " và bản chính giấy tờ tùy thân.");
              if (absl::Status s = Notify(tx, *filing, "result_ready", text,
                                          pickup_json, now);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, request->view(),
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

grpc::ServerUnaryReactor* DeskServiceImpl::RecordPickup(
    grpc::CallbackServerContext* context,
    const cdkv::v1::RecordPickupRequest* request,
    cdkv::v1::RecordPickupResponse* response) {
  return ServeOnPool(
      pool_, context, "RecordPickup", [=, this]() -> grpc::Status {
        absl::StatusOr<auth::Principal> caller =
            Authorize(*context, deps_, Role::kOfficer);
        if (!caller.ok()) return Fail(caller.status());
        if (request->pickup_code().empty() ||
            request->pickup_code().size() > 16) {
          return Fail(absl::InvalidArgumentError(
              "pickup_code is the six-digit code the citizen shows"));
        }
        return Mutate(
            deps_, *caller, "RecordPickup", request->request_id(), response,
            [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
              absl::StatusOr<records::FilingRow> filing =
                  DeskFiling(deps_, tx, *caller, request->filing_id());
              if (!filing.ok()) return filing.status();
              if (filing->state != State::kReadyForPickup) {
                return absl::FailedPreconditionError(
                    absl::StrCat("filing ", filing->id, " is ",
                                 domain::StateName(filing->state),
                                 "; its result is not ready for pickup"));
              }
              const std::string hash = store::Sha256Hex(
                  absl::StrCat(filing->id, ":", request->pickup_code()));
              if (hash != filing->pickup_code_hash) {
                return absl::PermissionDeniedError(
                    "the pickup code does not match this filing; ask the "
                    "citizen "
                    "for "
                    "the code in their notice");
              }
              filing->completed_at = now;
              if (absl::Status s =
                      ApplyAction(tx, *filing, Action::kRecordPickup,
                                  Actor::Of(*caller), "", now, events);
                  !s.ok()) {
                return s;
              }
              AnswerWithFiling(deps_, *filing, request->view(),
                               response->mutable_filing());
              return absl::OkStatus();
            });
      });
}

}  // namespace cdkv::api
