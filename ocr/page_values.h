// Values of paper documents read from a closed set when their label was
// not recognised: the line is known by its place on the page, and the value
// must be one of the set's words after a word that still looks like the
// label.
#ifndef CDKV_OCR_PAGE_VALUES_H_
#define CDKV_OCR_PAGE_VALUES_H_

#include <optional>
#include <span>
#include <string>
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

// The parts of a printed DD/MM/YYYY date read with the digits-only model,
// from the right: the year is the last four digits of the last group, the
// month the two before, the day the two before those ("1806/2006" lost a
// slash, "12/2024" lost the day, "21/08/20" part of the year). Day and month
// are always printed with two digits, so a group of one or three digits lost or
// gained one and its part is missing; so is a part outside its range (year
// 1900-2199). A line read as one run of digits may hold its slashes as 1
// or 7 ("2710272005"), taken out where they stand. An O, o, Ø or ø beside
// a digit is a zero the Vietnamese model read as a letter ("Ø7/11/2003").
DateParts DatePartsInDigits(std::string_view text);

// One reading's parts and how much its vote weighs (Tesseract's confidence
// in it, the reading way's trust).
struct WeightedDateParts {
  DateParts parts;
  double weight = 1.0;
};

struct DatePartsVote {
  Date date;
  // The least share of its part's votes that any part's winner had: 1 when
  // every reading with a part agreed on it.
  double share = 0.0;
};

// Each part by the most weight; a tie, or no vote, leaves the date
// undecided. Years after `latest`'s, or before `earliest`'s when given (a
// registration is not older than the birth it records), get no vote, and
// the date must be real and within both. Readings with a weight not above
// zero (or NaN) are left out.
std::optional<DatePartsVote> VoteWeightedDateParts(
    std::span<const WeightedDateParts> readings, const Date& latest,
    const std::optional<Date>& earliest = std::nullopt);

// One of the 54 ethnic groups Vietnam recognises ("Dân tộc: Kinh"), as
// papers spell it, for an OCR reading of the value: the group whose name
// has the same letters once diacritics, case, spaces and hyphens are set
// aside ("Kính" is Kinh, "Tay" Tày; the folded names are all different),
// or else the one group nearest in letters, within one edit per four
// letters of the reading, rounded ("Khưner" is Khmer; readings of one or
// two letters get none). Nothing when no group or more than one is that
// near, or for invalid UTF-8.
struct EthnicGroupMatch {
  std::string name;  // As written on papers: "Kinh", "Ê Đê", "Bru Vân Kiều".
  bool exact = false;  // Same letters, diacritics aside.
};
std::optional<EthnicGroupMatch> EthnicGroupOf(std::string_view text);

// Whether a reading of a nationality's value is "Việt Nam": its letters
// (diacritics, case and spacing aside) within `edits` of VIETNAM.
bool IsVietNam(std::string_view text, int edits);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_PAGE_VALUES_H_
