// Values of paper documents read from a closed set when their label was
// not recognised: the line is known by its place on the page, and the value
// must be one of the set's words after a word that still looks like the
// label.
#ifndef CDKV_OCR_PAGE_VALUES_H_
#define CDKV_OCR_PAGE_VALUES_H_

#include <optional>
#include <span>
#include <string_view>

#include "ocr/dates.h"
#include "ocr/id_number.h"

namespace cdkv::ocr {

// "Nam" or "Nữ" as a word of a "Giới tính: …" line read by OCR, after a
// word spelling "giới" or "tính" within one edit ("Gán tình: Nam"), when
// exactly one of the two is there. nullopt on a line holding "Việt Nam"
// (the nationality's line, not the sex's), with both words, or neither.
std::optional<Sex> SexAfterLabel(std::string_view line_text);

// The numbers of a "…, ngày 12 tháng 05 năm 2020" line read by OCR, each
// on its own: a blurred line often keeps two of the three. The words may be
// misread by one letter ("nêm", "nằm"), the numbers may hold the letters
// italics turn digits into (O, I, L, |) and a space ("1 |" for 11). A part
// is missing when its digits are not a day (1-31), month (1-12) or year
// (1900-2199).
struct DateParts {
  std::optional<int> day;
  std::optional<int> month;
  std::optional<int> year;
};
DateParts DatePartsInWords(std::string_view line_text);

// Each part by majority over `readings` (a part's most frequent value, seen
// in at least two readings; a tie leaves the part undecided), and the date only
// when all three parts are decided, make a real date and it is not after
// `latest` (papers are not dated in the future; a year after `latest`'s
// gets no vote). `unanimous` is set when
// every reading that has a part agrees on it and at least two readings
// have all three.
std::optional<Date> VoteDateParts(std::span<const DateParts> readings,
                                  const Date& latest, bool* unanimous);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_PAGE_VALUES_H_
