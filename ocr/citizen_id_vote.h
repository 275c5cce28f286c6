// Several blurred readings of one printed 12-digit citizen ID number,
// combined digit by digit and checked against the number's structure
// (PPP G YY NNNNNN, ocr/id_number.h) and what the same paper says about its
// holder (sex, birth year). Blurred 3, 6 and 8 pass for each other, so one
// reading is often wrong by a digit; a repair takes the likeliest number
// built from the digits the readings saw (or the holder surely implies)
// that satisfies every constraint, and none when two are equally likely.
#ifndef CDKV_OCR_CITIZEN_ID_VOTE_H_
#define CDKV_OCR_CITIZEN_ID_VOTE_H_

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ocr/id_number.h"
#include "ocr/tesseract_reader.h"

namespace cdkv::ocr {

// What the paper says of the number's holder, where it says it.
struct IdHolder {
  std::optional<Sex> sex;
  std::optional<int> birth_year;
  // Sex and birth year both read surely (the birth date proven by two
  // readings): the century/sex and year digits they imply may be taken
  // where no reading saw them. A misread birth year must not rewrite a
  // rightly read number.
  bool sure = false;
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

// One reading of the number: its digits and how much its vote weighs, and
// where the LSTM said what else each digit could be, each digit's share of
// the scores of its digit alternatives (`shares[i][d]` for digit d at place
// i; they sum to 1). A blurred 8 the LSTM read as 6 at 0.88 often keeps 8
// at 0.55: the share lets the other readings and the number's structure
// weigh the 8 too.
struct IdReading {
  std::string digits;
  std::vector<std::array<double, 10>> shares;  // Empty, or one per digit.
  double weight = 1.0;
};

// The reading's digits with their alternatives' shares; characters the
// LSTM read as something other than a digit are left out. Without
// alternatives (or with none that scored), a digit keeps all its share.
IdReading IdReadingOf(const LineChoices& choices, double weight);

// Combines `readings` (digit strings; those not 12 digits long are left
// out). The per-digit majority (ties to the earlier reading) when it is
// consistent; otherwise the likeliest consistent number whose every digit
// holds at least a tenth of its place's votes, if one is likelier than the
// rest (see the IdReading overload); otherwise the majority, not
// consistent. nullopt when no reading has 12 digits.
std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    const IdHolder& holder);

// As above, each reading's digits counting `weights[i]` (Tesseract's
// confidence in it, say) instead of one: a reading Tesseract is sure of
// outvotes two doubtful ones. A missing, zero, negative or NaN weight
// leaves its reading out.
std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    std::span<const double> weights,
                                    const IdHolder& holder);

// As above, each digit voting with its alternatives' shares. When the
// per-digit majority is not consistent, the consistent number the
// readings make most probable (product of each digit's share of its
// place's votes) is taken instead, among the digits holding at least a
// tenth of their place's votes (at most three) and, where the holder's sex
// and birth year are both known and `sure`, the century/sex and year digits
// they imply even if no reading saw them (blur turns 2 into 7 in every reading
// alike). Two numbers equally probable: no repair.
std::optional<IdVote> VoteCitizenId(std::span<const IdReading> readings,
                                    const IdHolder& holder);

// Whether `number` is a well-formed ID (known province code, a century/sex
// digit of 0-3) whose century/sex digit and year digits agree with `holder`
// where known.
bool ConsistentCitizenId(const std::string& number, const IdHolder& holder);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_CITIZEN_ID_VOTE_H_
