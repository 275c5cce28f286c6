// ICAO 9303 TD1 machine-readable zone (3 lines × 30 characters), as on the
// back of Vietnamese chip ID cards, with check-digit-guided repair of the
// letter/digit confusions OCR makes.
#ifndef CDKV_OCR_MRZ_H_
#define CDKV_OCR_MRZ_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ocr/dates.h"
#include "ocr/id_number.h"

namespace cdkv::ocr {

inline constexpr int kTd1LineLength = 30;

// The ICAO check digit of `text` (weights 7,3,1; 0-9 as values, A-Z as 10-35,
// '<' as 0), or nullopt if `text` holds any other character.
std::optional<int> MrzCheckDigit(std::string_view text);

struct MrzField {
  std::string value;      // After any repair; '<' fillers at the end removed.
  bool verified = false;  // Its check digit matched (false if it has none).
  bool repaired = false;  // Characters were replaced by lookalikes.
};

struct Td1Mrz {
  std::string document_code;  // "ID", "I", "AC", ...
  MrzField issuing_state;
  MrzField document_number;
  std::string optional_data1;
  // Vietnamese cards carry the full 12-digit ID and a check digit at the start
  // of optional data 1; set when it is there.
  std::optional<MrzField> citizen_id;
  MrzField birth_date_text;        // YYMMDD.
  std::optional<Date> birth_date;  // nullopt if not a real date.
  std::optional<Sex> sex;          // nullopt for '<' (unspecified).
  MrzField expiry_date_text;
  std::optional<Date> expiry_date;
  MrzField nationality;
  std::string optional_data2;
  bool composite_verified = false;
  std::string surname;  // Words separated by single spaces.
  std::vector<std::string> given_names;
  bool names_repaired = false;
  // Line 3 is full, so the name may have been cut at 30 characters.
  bool names_truncated = false;
  // A line was one or two characters off and its longest '<' run was
  // resized to fit; trust the fields only where check digits verify.
  bool fillers_adjusted = false;
};

// Parses three TD1 lines separated by newlines (CR, spaces and blank lines
// are ignored; lowercase is uppercased; see `fillers_adjusted`). Structural
// problems (wrong line count or length, characters outside A-Z 0-9 <) are
// INVALID_ARGUMENT; unverifiable fields are reported through the flags.
// `today` places two-digit years in a century.
absl::StatusOr<Td1Mrz> ParseTd1(std::string_view text, const Date& today);

// Vietnamese cards expire on the holder's 14th, 25th, 40th or 60th
// birthday. Whether `mrz`'s expiry falls one of those years after its birth
// date but on another day: then one of the two dates is misread although
// every check digit holds (a 3 read as 5 both in a date's last digit and in
// its check digit changes the composite sum by 20 and so cancels out).
// False when either date is missing or the birth is on 29 February.
bool BirthdayContradictsExpiry(const Td1Mrz& mrz);

// The birth date that `mrz`'s expiry, a birthday, gives a holder born in
// `birth_year` (the ID's digits 4-6): nothing unless the expiry's check
// digit holds and it falls 14, 25, 40 or 60 years after `birth_year`, or
// when the birthday could be a 29 February.
std::optional<Date> BirthDateFromExpiry(const Td1Mrz& mrz, int birth_year);

// Whether a Vietnamese name with diacritics ("Nguyễn Văn Đức") is the MRZ
// name: both are folded to unaccented uppercase words (Đ -> D) and compared;
// a truncated MRZ name matches a prefix. Invalid UTF-8 is an error.
absl::StatusOr<bool> MrzNameMatches(const Td1Mrz& mrz,
                                    std::string_view vietnamese_name);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MRZ_H_
