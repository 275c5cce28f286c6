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

// How many readings CombineOcrTd1 uses at most: the ID card reader's five
// line heights, each read as a block and with its digit runs alone.
inline constexpr size_t kMaxTd1Readings = 10;

// What a zone is known to be. A Vietnamese ID card's line 1 is fixed but
// for its digits: "IDVNM", the document number and its check digit, the
// 12-digit ID, two fillers, the ID's check digit. Told so, CombineOcrTd1
// takes those cells to hold that however they were read: a misread head
// ("101N4") would make the zone another country's and let it escape the
// ID's checks, and fillers read as digits ("607" for "<<7") would make the
// ID 14 digits long.
enum class Td1Zone { kAny, kVietnameseIdCard };

// The best-verified TD1 from several readings of one zone (other scales,
// other binarisations): each check-digit field (document number, ID, birth
// date, expiry) may come from a different reading, and the composite check
// digit must then hold over the fields as combined. Readings that are not
// three lines are skipped; INVALID_ARGUMENT when none parses. At most
// kMaxTd1Readings readings are used.
absl::StatusOr<Td1Mrz> CombineOcrTd1(const std::vector<std::string>& readings,
                                     const Date& today,
                                     Td1Zone zone = Td1Zone::kAny);

// How well a parse is proven by its check digits (higher is better); what
// CombineOcrTd1 maximises.
int Td1Evidence(const Td1Mrz& mrz);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MRZ_TEXT_REPAIR_H_
