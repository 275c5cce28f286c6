// Several blurred readings of one printed 12-digit citizen ID number,
// combined digit by digit and checked against the number's structure
// (PPP G YY NNNNNN, ocr/id_number.h) and what the same paper says about its
// holder (sex, birth year). Blurred 3, 6 and 8 pass for each other, so one
// reading is often wrong by a digit; a repair is made only when exactly one
// number built from the digits the readings saw satisfies every constraint,
// like the MRZ's check-digit repair (ocr/mrz_text_repair.h).
#ifndef CDKV_OCR_CITIZEN_ID_VOTE_H_
#define CDKV_OCR_CITIZEN_ID_VOTE_H_

#include <optional>
#include <span>
#include <string>

#include "ocr/id_number.h"

namespace cdkv::ocr {

// What the paper says of the number's holder, where it says it.
struct IdHolder {
  std::optional<Sex> sex;
  std::optional<int> birth_year;
};

struct IdVote {
  std::string number;  // 12 digits.
  // Every reading agreed on every digit it kept (a reading one digit short
  // or long is aligned with the others first).
  bool unanimous = false;
  // The number differs from the per-digit majority: a constraint chose
  // among the digits the readings saw.
  bool repaired = false;
  // The number satisfies the structure and every known fact of the holder.
  bool consistent = false;
};

// Combines `readings` (digit strings; those not 12 digits long are left
// out). The per-digit majority (ties to the earlier reading) when it is
// consistent; otherwise the only consistent number whose every digit some
// reading saw at that place, if exactly one exists; otherwise the majority,
// not consistent. nullopt when no reading has 12 digits.
std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    const IdHolder& holder);

// As above, each reading's digits counting `weights[i]` (Tesseract's
// confidence in it, say) instead of one: a reading Tesseract is sure of
// outvotes two doubtful ones. A missing, zero, negative or NaN weight
// leaves its reading out.
std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    std::span<const double> weights,
                                    const IdHolder& holder);

// Whether `number` is a well-formed ID (known province code) whose
// century/sex digit and year digits agree with `holder` where known.
bool ConsistentCitizenId(const std::string& number, const IdHolder& holder);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_CITIZEN_ID_VOTE_H_
