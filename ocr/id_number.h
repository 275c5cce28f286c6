// The 12-digit Vietnamese citizen ID number (số định danh cá nhân / CCCD),
// structured as PPP G YY NNNNNN under Thông tư 59/2021/TT-BCA (previously
// 07/2016): PPP province of birth registration, G century and sex, YY the last
// two digits of the birth year, NNNNNN a serial.
#ifndef CDKV_OCR_ID_NUMBER_H_
#define CDKV_OCR_ID_NUMBER_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ocr/dates.h"

namespace cdkv::ocr {

enum class Sex { kMale, kFemale };

struct Province {
  std::string_view code;  // "001".."096".
  std::string_view name;  // Vietnamese, NFC.
};

// The 63 provinces and centrally run cities, in code order.
std::span<const Province> AllProvinces();

// The province name for a 3-digit code, or nullopt if no province has it.
std::optional<std::string_view> ProvinceName(std::string_view code);

struct CitizenId {
  std::string number;              // 12 digits.
  std::string_view province_code;  // View into a static table.
  std::string_view province_name;
  Sex sex = Sex::kMale;
  int birth_century = 1900;  // First year of the birth century.
  int birth_year = 0;        // Full year: birth_century + YY.
};

// Validates structure: 12 ASCII digits with a known province code.
absl::StatusOr<CitizenId> ParseCitizenId(std::string_view number);

// The same, and also refuses a number whose digits 4-6 put the holder's
// birth after `today`'s year: read off a card, a century digit of 4 or more
// (the 2100s) or a 2000s year still to come is a misread digit, not a
// person.
absl::StatusOr<CitizenId> ParseCitizenId(std::string_view number,
                                         const Date& today);

enum class IdDisagreement {
  kSex,        // Digit 4 encodes the other sex.
  kCentury,    // Digit 4 encodes another century.
  kBirthYear,  // Digits 5-6 differ from the year's last two digits.
};

// What in `id` contradicts a birth date and sex read elsewhere (QR, MRZ,
// printed text); only the birth year takes part. Empty when all agree.
std::vector<IdDisagreement> CheckCitizenIdAgainst(const CitizenId& id,
                                                  const Date& birth_date,
                                                  Sex sex);

// A sentence naming what disagrees, e.g. for an officer's review screen.
std::string DescribeDisagreements(const CitizenId& id, const Date& birth_date,
                                  Sex sex,
                                  std::span<const IdDisagreement> found);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_ID_NUMBER_H_
