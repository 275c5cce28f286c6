#ifndef CDKV_WORKERS_FILING_PREFILLER_H_
#define CDKV_WORKERS_FILING_PREFILLER_H_

#include <memory>
#include <vector>

#include "ocr/page_reader.h"
#include "workers/id_card_prefiller.h"
#include "workers/prefiller.h"

namespace cdkv::workers {

// Pre-fills a procedure's form from every photo of the filing, whatever the
// citizen declared each photo to be: each photo is classified from its
// printed title (ocr/page_reader.h). Birth notices, death notices,
// civil-status extracts and other papers are read by the page reader and
// fill the fields whose catalog source (`from.document`) is birth_notice,
// death_notice, civil_status_extract or original_document; every other
// photo goes to IdCardPrefiller, unchanged, for the id_card fields.
//
// Where two documents carry the same fact they are compared: the mother's
// name and ID number on a birth notice, or the deceased's on a death
// notice, against the ID cards in the filing. Agreement with a card read
// with confidence makes the paper's value cross-checked; a card with the
// same ID number but another name (or the reverse) flags the field and
// keeps both readings. A field with no source stays empty and flagged.
// One instance per worker thread (it owns Tesseract engines).
class FilingPrefiller : public Prefiller {
 public:
  absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure& procedure,
      const std::vector<DocumentInput>& docs) override;

 private:
  std::unique_ptr<ocr::PageReader> pages_;
  IdCardPrefiller cards_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_FILING_PREFILLER_H_
