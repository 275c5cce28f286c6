// Turns Tesseract's readings of a TD1 MRZ block into what ParseTd1 expects,
// undoing the LSTM engine's habits on MRZ text: filler runs shortened or
// dropped (also in the middle of line 2, before its final check digit),
// fillers read as letters, a round glyph emitted twice ("VOO" / "VO0" for
// "VO"). Several readings of the same zone are combined field by field.
// Repairs are kept only when check digits prove them; names, which have
// none, are only given the fixes no Vietnamese name can contradict.
#ifndef CDKV_OCR_MRZ_TEXT_REPAIR_H_
#define CDKV_OCR_MRZ_TEXT_REPAIR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ocr/dates.h"
#include "ocr/mrz.h"

namespace cdkv::ocr {

// The best-verified parse of `ocr_text` (three lines). Errors are those of
// ParseTd1 on the unrepaired text.
absl::StatusOr<Td1Mrz> ParseOcrTd1(std::string_view ocr_text,
                                   const Date& today);

// The best-verified TD1 from several readings of one zone (other scales,
// other binarisations): each check-digit field (document number, ID, birth
// date, expiry) may come from a different reading, and the composite check
// digit must then hold over the fields as combined. Readings that are not
// three lines are skipped; INVALID_ARGUMENT when none parses. At most
// kMaxTd1Readings readings are used: the ID card reader's five line
// heights, each read as a block and with its digit runs alone. `head`,
// when given, is the document code and issuing state the zone is known to
// start with: line 1's first cells are taken to hold it however they were
// read, so that a misread head ("101N4") cannot make the zone another
// country's and escape the checks its own allows.
inline constexpr size_t kMaxTd1Readings = 10;
// What every Vietnamese ID card's zone starts with. A head other than
// kTd1HeadLength characters A-Z or '<' is INVALID_ARGUMENT.
inline constexpr size_t kTd1HeadLength = 5;
inline constexpr std::string_view kVietnameseTd1Head = "IDVNM";
absl::StatusOr<Td1Mrz> CombineOcrTd1(const std::vector<std::string>& readings,
                                     const Date& today,
                                     std::string_view head = {});

// How well a parse is proven by its check digits (higher is better); what
// CombineOcrTd1 maximises.
int Td1Evidence(const Td1Mrz& mrz);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MRZ_TEXT_REPAIR_H_
