#include "services/api/citizen_ops.h"

#include <algorithm>
#include <span>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "ocr/image_decode.h"
#include "services/api/filing_ops.h"
#include "services/api/ids.h"
#include "services/api/prefill_route.h"
#include "services/domain/routing.h"
#include "services/store/blob_store.h"
#include "workers/outbox_kinds.h"

namespace cdkv::api {

using domain::Action;
using domain::State;

absl::Status CheckLength(std::string_view field, const std::string& value,
                         size_t max) {
  if (value.size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(field), " is longer than ", max, " bytes"));
  }
  return absl::OkStatus();
}

std::string DeliveryName(cdkv::v1::ResultDelivery delivery) {
  switch (delivery) {
    case cdkv::v1::RESULT_DELIVERY_HOME:
      return "home";
    case cdkv::v1::RESULT_DELIVERY_POST:
      return "post";
    default:
      return "desk_pickup";
  }
}

absl::Status CheckDelivery(cdkv::v1::ResultDelivery delivery,
                           const std::string& address) {
  if (!cdkv::v1::ResultDelivery_IsValid(delivery)) {
    return absl::InvalidArgumentError(
        "delivery is not a known ResultDelivery value");
  }
  if ((delivery == cdkv::v1::RESULT_DELIVERY_HOME ||
       delivery == cdkv::v1::RESULT_DELIVERY_POST) &&
      address.empty()) {
    return absl::InvalidArgumentError(
        "home delivery and post need a delivery_address");
  }
  return CheckLength("delivery_address", address, 500);
}

absl::StatusOr<records::FilingRow> OwnFiling(Deps& deps, records::Tx& tx,
                                             const auth::Principal& caller,
                                             const std::string& filing_id) {
  if (filing_id.empty())
    return absl::InvalidArgumentError("filing_id is required");
  if (filing_id.size() > 64) return absl::NotFoundError("no such filing");
  absl::StatusOr<records::FilingRow> filing = tx.GetFiling(filing_id);
  if (!filing.ok()) return filing.status();
  if (absl::Status s = CheckAccess(deps, caller, *filing); !s.ok()) return s;
  return filing;
}

absl::Status CreateFilingOp(Deps& deps, const auth::Principal& caller,
                            const cdkv::v1::CreateFilingRequest& request,
                            std::string_view channel,
                            cdkv::v1::CreateFilingResponse* response) {
  absl::StatusOr<domain::Route> route = domain::RouteFiling(
      *deps.catalog, request.procedure_code(), request.commune_code());
  if (!route.ok()) return route.status();
  return MutateOnce(
      deps, caller, "CreateFiling", request.request_id(), response,
      [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
        records::FilingRow row;
        row.id = NewId("HS", 10);
        row.procedure_code = route->procedure_code;
        row.commune_code = route->commune_code;
        row.desk_code = route->receiving_desk_code;
        row.competent_desk = route->competent_desk_code;
        row.citizen_id = caller.account_id;
        row.channel = std::string(channel);
        row.state = State::kDraft;
        row.version = 1;
        row.created_at = now;
        if (absl::Status s = tx.InsertFiling(row); !s.ok()) return s;
        if (absl::Status s = Audit(tx, Actor::Of(caller), "filing.create",
                                   row.id, row.procedure_code, now);
            !s.ok()) {
          return s;
        }
        AnswerWithFiling(deps, row, cdkv::v1::FILING_VIEW_FULL,
                         response->mutable_filing());
        return absl::OkStatus();
      });
}

bool IsPaperKind(std::string_view kind) {
  static constexpr std::string_view kPaperKinds[] = {
      "birth_notice",         "death_notice",         "civil_status_extract",
      "marriage_certificate", "land_use_certificate", "transfer_contract"};
  return std::find(std::begin(kPaperKinds), std::end(kPaperKinds), kind) !=
         std::end(kPaperKinds);
}

absl::StatusOr<CheckedPhoto> CheckPhoto(const Deps& deps, std::string bytes,
                                        std::string_view declared_kind) {
  CheckedPhoto photo;
  photo.bytes = std::move(bytes);
  photo.sha256 = store::Sha256Hex(photo.bytes);
  const std::span<const uint8_t> view(
      reinterpret_cast<const uint8_t*>(photo.bytes.data()), photo.bytes.size());
  ocr::DecodeLimits limits;
  limits.max_bytes = static_cast<size_t>(deps.max_upload_bytes);
  // Decoding the whole photo proves it is not truncated or corrupt before it
  // is kept; reduced scale is enough for that and bounded in memory. Twice
  // the gate's working size, so that a small page can be judged on finer
  // pixels (a 12 MP JPEG decodes at 1/2 DCT scale).
  absl::StatusOr<ocr::DecodedImage> decoded =
      ocr::DecodeImage(view, limits, 2 * ocr::QualityOptions{}.work_long_side);
  if (!decoded.ok()) return decoded.status();
  photo.format = decoded->header.format;
  photo.width = decoded->original_width;
  photo.height = decoded->original_height;
  // The gate answers while the citizen still holds the paper.
  ocr::QualityOptions options;
  if (IsPaperKind(declared_kind)) options.expect = ocr::DocumentShape::kPage;
  absl::StatusOr<ocr::QualityReport> quality =
      ocr::CheckPhotoQuality(decoded->image, options);
  if (quality.ok()) photo.quality = *quality;
  return photo;
}

absl::Status StorePhotoOp(Deps& deps, const auth::Principal& caller,
                          const cdkv::v1::UploadHeader& header,
                          const CheckedPhoto& photo,
                          cdkv::v1::UploadDocumentResponse* response) {
  if (absl::Status s = ValidateRequestId(header.request_id()); !s.ok()) {
    return s;
  }
  // The blob is durable before the row that references it commits.
  absl::StatusOr<std::string> stored = deps.blobs->Put(photo.bytes);
  if (!stored.ok()) return stored.status();
  const std::string content_type =
      photo.format == ocr::ImageFormat::kJpeg  ? "image/jpeg"
      : photo.format == ocr::ImageFormat::kPng ? "image/png"
                                               : "image/webp";
  return MutateOnce(
      deps, caller, "UploadDocument", header.request_id(), response,
      [&](records::Tx& tx, absl::Time now, auto*) -> absl::Status {
        absl::StatusOr<records::FilingRow> filing =
            OwnFiling(deps, tx, caller, header.filing_id());
        if (!filing.ok()) return filing.status();
        if (filing->state != State::kDraft &&
            filing->state != State::kNeedsMoreDocuments) {
          return absl::FailedPreconditionError(absl::StrCat(
              "filing ", filing->id, " is ", domain::StateName(filing->state),
              "; photos can be added only to a draft or when the desk asks "
              "for more"));
        }
        const domain::Procedure* procedure =
            deps.catalog->FindProcedure(filing->procedure_code);
        if (!header.declared_kind().empty()) {
          bool known = false;
          for (const auto& d : procedure->documents)
            known |= d.kind == header.declared_kind();
          if (!known) {
            return absl::InvalidArgumentError(absl::StrCat(
                "declared_kind '", header.declared_kind(),
                "' is not a document of procedure ", filing->procedure_code));
          }
        }
        absl::StatusOr<std::vector<records::DocumentRow>> existing =
            tx.Documents(filing->id);
        if (!existing.ok()) return existing.status();
        if (existing->size() >= kMaxDocumentsPerFiling) {
          return absl::ResourceExhaustedError(absl::StrCat(
              "a filing holds at most ", kMaxDocumentsPerFiling, " photos"));
        }
        records::DocumentRow doc;
        doc.filing_id = filing->id;
        doc.document_id = NewId("D", 8);
        doc.declared_kind = header.declared_kind();
        doc.content_type = content_type;
        doc.size_bytes = static_cast<int64_t>(photo.bytes.size());
        doc.sha256 = *stored;
        doc.width = photo.width;
        doc.height = photo.height;
        doc.uploaded_at = now;
        if (photo.quality.has_value()) {
          if (photo.quality->verdict != ocr::QualityVerdict::kGood) {
            doc.quality_problem =
                std::string(ocr::QualityVerdictName(photo.quality->verdict));
            doc.quality_advice = std::string(photo.quality->advice);
          }
          doc.sharpness = photo.quality->sharpness;
        }
        if (absl::Status s = tx.InsertDocument(doc); !s.ok()) return s;
        if (absl::Status s = Audit(tx, Actor::Of(caller), "document.upload",
                                   filing->id, doc.document_id, now);
            !s.ok()) {
          return s;
        }
        cdkv::v1::Filing loaded;
        if (absl::Status s = FillFiling(deps, tx, filing->id, &loaded); !s.ok())
          return s;
        for (const auto& d : loaded.documents()) {
          if (d.document_id() == doc.document_id)
            *response->mutable_document() = d;
        }
        return absl::OkStatus();
      });
}

absl::Status SubmitFilingOp(Deps& deps, const auth::Principal& caller,
                            const cdkv::v1::SubmitFilingRequest& request,
                            cdkv::v1::SubmitFilingResponse* response) {
  if (absl::Status s =
          CheckDelivery(request.delivery(), request.delivery_address());
      !s.ok()) {
    return s;
  }
  return MutateOnce(
      deps, caller, "SubmitFiling", request.request_id(), response,
      [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
        absl::StatusOr<records::FilingRow> filing =
            OwnFiling(deps, tx, caller, request.filing_id());
        if (!filing.ok()) return filing.status();
        absl::StatusOr<std::vector<records::DocumentRow>> documents =
            tx.Documents(filing->id);
        if (!documents.ok()) return documents.status();
        if (documents->empty() && filing->state == State::kDraft) {
          return absl::FailedPreconditionError(
              "add a photo of each paper the procedure needs before "
              "submitting");
        }
        absl::StatusOr<domain::Route> route = domain::RouteFiling(
            *deps.catalog, filing->procedure_code, filing->commune_code);
        if (!route.ok()) return route.status();
        absl::StatusOr<absl::Time> deadline =
            deps.calendar->AddWorkingDays(now, route->deadline_working_days);
        if (!deadline.ok()) return deadline.status();
        filing->submitted_at = now;
        filing->deadline = *deadline;
        filing->delivery = DeliveryName(request.delivery());
        filing->delivery_address = request.delivery_address();
        if (absl::Status s = ApplyAction(tx, *filing, Action::kSubmit,
                                         Actor::Of(caller), "", now, events);
            !s.ok()) {
          return s;
        }
        // The OCR pool gets it through the outbox, in this transaction (or,
        // with pre-fill off, it goes on to its desk).
        if (absl::Status s = QueueForPrefill(*deps.catalog, deps.prefill_off,
                                             tx, *filing, now, events);
            !s.ok()) {
          return s;
        }
        AnswerWithFiling(deps, *filing, request.view(),
                         response->mutable_filing());
        return absl::OkStatus();
      });
}

absl::Status WithdrawFilingOp(Deps& deps, const auth::Principal& caller,
                              const cdkv::v1::WithdrawFilingRequest& request,
                              cdkv::v1::WithdrawFilingResponse* response) {
  if (absl::Status s = CheckLength("reason", request.reason(), 1000); !s.ok()) {
    return s;
  }
  return MutateOnce(
      deps, caller, "WithdrawFiling", request.request_id(), response,
      [&](records::Tx& tx, absl::Time now, auto* events) -> absl::Status {
        absl::StatusOr<records::FilingRow> filing =
            OwnFiling(deps, tx, caller, request.filing_id());
        if (!filing.ok()) return filing.status();
        const std::string desk = filing->desk_code;
        const bool was_queued = filing->state == State::kAwaitingDesk ||
                                filing->state == State::kInReview;
        filing->claimed_by.clear();
        if (absl::Status s =
                ApplyAction(tx, *filing, Action::kWithdraw, Actor::Of(caller),
                            request.reason(), now, events);
            !s.ok()) {
          return s;
        }
        if (was_queued) {
          if (absl::Status s =
                  workers::AddDeskRemove(tx, desk, filing->id, now);
              !s.ok()) {
            return s;
          }
        }
        AnswerWithFiling(deps, *filing, cdkv::v1::FILING_VIEW_FULL,
                         response->mutable_filing());
        return absl::OkStatus();
      });
}

absl::StatusOr<cdkv::v1::Filing> GetFilingOp(Deps& deps,
                                             const auth::Principal& caller,
                                             std::string_view filing_id) {
  cdkv::v1::Filing out;
  absl::Status s = deps.records->Read([&](records::Tx& tx) -> absl::Status {
    absl::StatusOr<records::FilingRow> filing =
        OwnFiling(deps, tx, caller, std::string(filing_id));
    if (!filing.ok()) return filing.status();
    return FillFiling(deps, tx, filing->id, &out);
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace cdkv::api
