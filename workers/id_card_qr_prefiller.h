#ifndef CDKV_WORKERS_ID_CARD_QR_PREFILLER_H_
#define CDKV_WORKERS_ID_CARD_QR_PREFILLER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "services/domain/catalog.h"
#include "workers/prefiller.h"

namespace cdkv::workers {

// Fills the form fields whose source is the chip ID card (source_document
// "id_card") from the QR code printed on it, read from any of the filing's
// photos (citizens mislabel photos, so declared kinds are not trusted).
//
// Each value read: method "qr", confidence 0.98, the photo's document_id and
// the QR symbol's corners ([[x,y],...] in the uploaded photo's upright
// pixels). needs_review is false unless the ID number contradicts the birth
// date or sex in the same payload (a genuine card never does), in which case
// the officer is told what disagrees. The first photo with a valid card
// payload is used. Every other field stays empty with needs_review and the
// reason "không có nguồn". Photos that cannot be decoded are skipped (the
// officer sees them); this never fails a job for a bad photo.
//
// Source fields understood: full_name, id_number, date_of_birth (DD/MM/YYYY),
// sex ("Nam"/"Nữ"), place_of_residence / permanent_address, issue_date.
class IdCardQrPrefiller : public Prefiller {
 public:
  // Photos are decoded with their long side at most this many pixels: enough
  // for the QR on a card filling a fraction of a phone photo.
  static constexpr int kMaxLongSide = 3000;
  static constexpr double kQrConfidence = 0.98;

  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure& procedure,
      const std::vector<DocumentInput>& docs) override;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_ID_CARD_QR_PREFILLER_H_
