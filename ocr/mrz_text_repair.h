// Turns Tesseract's reading of a TD1 MRZ block into what ParseTd1 expects,
// undoing the LSTM engine's habits on MRZ text: trailing '<' fillers dropped,
// a round glyph emitted twice ("VOO" / "VO0" for "VO"). Repairs are kept
// only when check digits prove them; names, which have none, are only given
// the fixes no Vietnamese name can contradict.
#ifndef CDKV_OCR_MRZ_TEXT_REPAIR_H_
#define CDKV_OCR_MRZ_TEXT_REPAIR_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "ocr/dates.h"
#include "ocr/mrz.h"

namespace cdkv::ocr {

// The best-verified parse of `ocr_text` (three lines). Errors are those of
// ParseTd1 on the unrepaired text.
absl::StatusOr<Td1Mrz> ParseOcrTd1(std::string_view ocr_text,
                                   const Date& today);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MRZ_TEXT_REPAIR_H_
