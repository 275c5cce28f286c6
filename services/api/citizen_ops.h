#ifndef CDKV_SERVICES_API_CITIZEN_OPS_H_
#define CDKV_SERVICES_API_CITIZEN_OPS_H_

// What a citizen does to their filings, without gRPC: CitizenService and the
// chat intake both call these, so a filing made by chat goes through exactly
// the checks, transactions and idempotency of one made in the app. Each
// mutation runs once per (caller, request id); a retry gets the first answer.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cdkv/v1/citizen.pb.h"
#include "ocr/image_header.h"
#include "ocr/quality_gate.h"
#include "services/api/deps.h"
#include "services/auth/principal.h"

namespace cdkv::api {

inline constexpr int kMaxDocumentsPerFiling = 20;

// A draft filing for the request's procedure at its commune, made through
// `channel` ("app" or "chat").
absl::Status CreateFilingOp(Deps& deps, const auth::Principal& caller,
                            const cdkv::v1::CreateFilingRequest& request,
                            std::string_view channel,
                            cdkv::v1::CreateFilingResponse* response);

// A photo that decoded completely, with the quality gate's verdict.
struct CheckedPhoto {
  std::string bytes;
  std::string sha256;
  ocr::ImageFormat format = ocr::ImageFormat::kJpeg;
  int width = 0;
  int height = 0;
  // Absent when the gate could not judge the photo (it is kept anyway).
  std::optional<ocr::QualityReport> quality;

  bool good() const {
    return !quality.has_value() ||
           quality->verdict == ocr::QualityVerdict::kGood;
  }
};

// Sniffs the type from the magic bytes, checks the header's dimensions, then
// decodes the whole photo (reduced scale) to catch truncation, and runs the
// quality gate. INVALID_ARGUMENT for something that is not a whole JPEG, PNG
// or WebP within the limits. Slow (tens of milliseconds): never call it on a
// gRPC thread. `declared_kind`, what the citizen says the photo shows (may
// be empty), tells the gate to expect a paper page: a small page is then
// also judged on finer pixels (ocr::QualityOptions::expect).
absl::StatusOr<CheckedPhoto> CheckPhoto(const Deps& deps, std::string bytes,
                                        std::string_view declared_kind = {});

// Whether a document kind of the catalog is a paper page rather than a card.
bool IsPaperKind(std::string_view kind);

// Stores a checked photo (blob fsynced first) and its document row on the
// caller's draft (or needs-more-documents) filing. The header's size and
// sha256 must already match the bytes; its request id makes retries safe.
absl::Status StorePhotoOp(Deps& deps, const auth::Principal& caller,
                          const cdkv::v1::UploadHeader& header,
                          const CheckedPhoto& photo,
                          cdkv::v1::UploadDocumentResponse* response);

// Submits the caller's draft: deadline from the working calendar, OCR queued
// through the outbox in the same transaction.
absl::Status SubmitFilingOp(Deps& deps, const auth::Principal& caller,
                            const cdkv::v1::SubmitFilingRequest& request,
                            cdkv::v1::SubmitFilingResponse* response);

// Withdraws the caller's filing (taking it off its desk queue if it was
// there).
absl::Status WithdrawFilingOp(Deps& deps, const auth::Principal& caller,
                              const cdkv::v1::WithdrawFilingRequest& request,
                              cdkv::v1::WithdrawFilingResponse* response);

// Helpers the citizen handlers share.
absl::Status CheckLength(std::string_view field, const std::string& value,
                         size_t max);
std::string DeliveryName(cdkv::v1::ResultDelivery delivery);
absl::Status CheckDelivery(cdkv::v1::ResultDelivery delivery,
                           const std::string& address);
// Loads a filing the caller may see, inside a transaction.
absl::StatusOr<records::FilingRow> OwnFiling(Deps& deps, records::Tx& tx,
                                             const auth::Principal& caller,
                                             const std::string& filing_id);

// The caller's filing as the API shows it; NOT_FOUND for anyone else's.
absl::StatusOr<cdkv::v1::Filing> GetFilingOp(Deps& deps,
                                             const auth::Principal& caller,
                                             std::string_view filing_id);

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_CITIZEN_OPS_H_
