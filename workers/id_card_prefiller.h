#ifndef CDKV_WORKERS_ID_CARD_PREFILLER_H_
#define CDKV_WORKERS_ID_CARD_PREFILLER_H_

#include <memory>

#include "ocr/id_card_reader.h"
#include "workers/prefiller.h"

namespace cdkv::workers {

// Pre-fills a procedure's id_card fields with the full ID-card reader: the QR
// code on the front, the MRZ on the back (check digits), printed text with
// Tesseract as the fallback, cross-checked. Front and back photos of one card
// are merged field by field, keeping every disagreeing reading for the officer.
// A field read below ocr::kReviewThreshold, or with disagreeing readings, is
// flagged for review; a field with no reading is left empty and flagged. One
// instance per worker thread: it owns a Tesseract engine.
class IdCardPrefiller : public Prefiller {
 public:
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure& procedure,
      const std::vector<DocumentInput>& docs) override;

 private:
  std::unique_ptr<ocr::IdCardReader> reader_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_ID_CARD_PREFILLER_H_
