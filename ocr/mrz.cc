#include "ocr/mrz.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

constexpr size_t kMaxInputBytes = 256;
constexpr int kLines = 3;
// Beyond this many lookalike combinations a field is too damaged to trust.
constexpr size_t kMaxCombinations = 4096;

// What a field may hold: decides whether a letter there is a misread digit.
enum class Alphabet { kDigits, kAny };

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return c >= 'A' && c <= 'Z'; }

// Digits OCR reads a letter as. Two entries mean the letter is ambiguous and
// only a check digit can decide.
std::string_view DigitLookalikes(char c) {
  switch (c) {
    case 'O':
    case 'D':
    case 'U':
      return "0";
    case 'Q':
      return "09";
    case 'I':
    case 'L':
    case 'J':
      return "1";
    case 'Z':
      return "2";
    case 'A':
      return "4";
    case 'S':
      return "5";
    case 'G':
      return "69";
    case 'T':
      return "7";
    case 'B':
      return "8";
    default:
      return "";
  }
}

char LetterLookalike(char c) {
  switch (c) {
    case '0':
      return 'O';
    case '1':
      return 'I';
    case '2':
      return 'Z';
    case '4':
      return 'A';
    case '5':
      return 'S';
    case '6':
      return 'G';
    case '7':
      return 'T';
    case '8':
      return 'B';
    default:
      return c;
  }
}

std::string StripFillers(std::string_view s) {
  const size_t end = s.find_last_not_of('<');
  return end == std::string_view::npos ? "" : std::string(s.substr(0, end + 1));
}

// Repairs `field` followed by its check digit `check`. Digit fields try every
// lookalike combination and accept one only if it is the unique combination
// whose check digit validates.
MrzField CheckedField(std::string_view field, char check, Alphabet alphabet) {
  MrzField out;
  const auto in_alphabet = [&](char c) {
    if (c == '<') return true;
    return alphabet == Alphabet::kDigits ? IsDigit(c)
                                         : IsDigit(c) || IsLetter(c);
  };
  const auto validates = [](std::string_view text, char check_char) {
    auto digit = MrzCheckDigit(text);
    return digit.has_value() && IsDigit(check_char) &&
           *digit == check_char - '0';
  };
  const std::string original = std::string(field) + check;
  const bool clean =
      std::all_of(field.begin(), field.end(), in_alphabet) && IsDigit(check);
  if (clean) {
    out.value = StripFillers(field);
    out.verified = validates(field, check);
    return out;
  }
  // Candidate characters per position, field then check digit.
  std::vector<std::string> options;
  size_t combinations = 1;
  for (size_t i = 0; i < original.size(); ++i) {
    const char c = original[i];
    const bool is_check = i + 1 == original.size();
    const bool needs_digit = is_check || alphabet == Alphabet::kDigits;
    std::string option(1, c);
    if (needs_digit && IsLetter(c) && !DigitLookalikes(c).empty()) {
      option = std::string(DigitLookalikes(c));
    }
    combinations *= option.size();
    options.push_back(std::move(option));
  }
  out.value = StripFillers(field);
  if (combinations > kMaxCombinations) return out;
  std::optional<std::string> found;
  int matches = 0;
  std::string candidate(original.size(), ' ');
  for (size_t n = 0; n < combinations; ++n) {
    size_t rest = n;
    for (size_t i = 0; i < options.size(); ++i) {
      candidate[i] = options[i][rest % options[i].size()];
      rest /= options[i].size();
    }
    const std::string_view body =
        std::string_view(candidate).substr(0, field.size());
    if (!std::all_of(body.begin(), body.end(), in_alphabet)) continue;
    if (validates(body, candidate.back())) {
      ++matches;
      found = candidate;
    }
  }
  if (matches == 1) {
    out.value = StripFillers(std::string_view(*found).substr(0, field.size()));
    out.verified = true;
    out.repaired = true;
  }
  return out;
}

// Fields without a check digit where only letters are valid: a digit there is
// always an OCR error, so it is replaced by its lookalike letter.
MrzField LetterField(std::string_view field) {
  MrzField out;
  std::string fixed(field);
  for (char& c : fixed) {
    const char letter = LetterLookalike(c);
    if (letter != c) {
      c = letter;
      out.repaired = true;
    }
  }
  out.value = StripFillers(fixed);
  return out;
}

std::vector<std::string> Words(std::string_view text, char separator) {
  return absl::StrSplit(Absl(text), separator, absl::SkipEmpty());
}

// OCR often miscounts long runs of '<'. A line up to kMaxFillerSlack
// characters off is fixed by growing or shrinking its longest filler run;
// the check digits then tell whether that put the fields back in place.
constexpr int kMaxFillerSlack = 2;

bool AdjustFillers(std::string& line) {
  const int diff = kTd1LineLength - static_cast<int>(line.size());
  if (diff == 0 || diff > kMaxFillerSlack || diff < -kMaxFillerSlack) {
    return false;
  }
  size_t best_start = 0;
  size_t best_length = 0;
  for (size_t i = 0; i < line.size();) {
    size_t j = i;
    while (j < line.size() && line[j] == '<') ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  // A lone '<' may be a name separator rather than filler; leave it.
  if (best_length < 2 || static_cast<int>(best_length) + diff < 1) {
    return false;
  }
  if (diff > 0) {
    line.insert(best_start, static_cast<size_t>(diff), '<');
  } else {
    line.erase(best_start, static_cast<size_t>(-diff));
  }
  return true;
}

struct Td1Lines {
  std::vector<std::string> lines;
  bool fillers_adjusted = false;
};

absl::StatusOr<Td1Lines> SplitLines(std::string_view text) {
  if (text.size() > kMaxInputBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MRZ text is ", text.size(), " bytes; a TD1 zone is 3 lines of ",
        kTd1LineLength, " characters"));
  }
  Td1Lines out;
  for (absl::string_view raw : absl::StrSplit(Absl(text), '\n')) {
    std::string line;
    for (char c : raw) {
      if (c == '\r' || c == ' ' || c == '\t') continue;
      line.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A')
                                          : c);
    }
    if (!line.empty()) out.lines.push_back(std::move(line));
  }
  if (out.lines.size() != kLines) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a TD1 MRZ has 3 lines; found ", out.lines.size(), " non-empty lines"));
  }
  for (int l = 0; l < kLines; ++l) {
    std::string& line = out.lines[l];
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (!IsDigit(c) && !IsLetter(c) && c != '<') {
        return absl::InvalidArgumentError(
            absl::StrCat("MRZ line ", l + 1, " position ", i + 1,
                         " holds a character outside A-Z, 0-9 and '<'"));
      }
    }
    if (AdjustFillers(line)) out.fillers_adjusted = true;
    if (static_cast<int>(line.size()) != kTd1LineLength) {
      return absl::InvalidArgumentError(
          absl::StrCat("MRZ line ", l + 1, " has ", line.size(),
                       " characters; TD1 lines have ", kTd1LineLength));
    }
  }
  return out;
}

}  // namespace

std::optional<int> MrzCheckDigit(std::string_view text) {
  static constexpr int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    int value;
    if (IsDigit(c)) {
      value = c - '0';
    } else if (IsLetter(c)) {
      value = c - 'A' + 10;
    } else if (c == '<') {
      value = 0;
    } else {
      return std::nullopt;
    }
    sum += value * kWeights[i % 3];
  }
  return sum % 10;
}

absl::StatusOr<Td1Mrz> ParseTd1(std::string_view text, const Date& today) {
  auto lines = SplitLines(text);
  if (!lines.ok()) return lines.status();
  const std::string_view l1 = lines->lines[0];
  const std::string_view l2 = lines->lines[1];
  const std::string_view l3 = lines->lines[2];

  Td1Mrz mrz;
  mrz.fillers_adjusted = lines->fillers_adjusted;
  mrz.document_code = StripFillers(l1.substr(0, 2));
  mrz.issuing_state = LetterField(l1.substr(2, 3));
  const bool vietnamese = mrz.issuing_state.value == "VNM";
  // Vietnamese document numbers are the last 9 digits of the citizen ID.
  mrz.document_number = CheckedField(
      l1.substr(5, 9), l1[14], vietnamese ? Alphabet::kDigits : Alphabet::kAny);
  mrz.optional_data1 = StripFillers(l1.substr(15, 15));
  // Vietnamese cards: the 12-digit ID, two fillers, then its check digit in
  // the last position of line 1.
  if (vietnamese && l1[15] != '<') {
    mrz.citizen_id = CheckedField(l1.substr(15, 14), l1[29], Alphabet::kDigits);
  }

  mrz.birth_date_text = CheckedField(l2.substr(0, 6), l2[6], Alphabet::kDigits);
  if (auto d =
          ParseMrzDate(mrz.birth_date_text.value, MrzDateKind::kBirth, today);
      d.ok()) {
    mrz.birth_date = *d;
  }
  if (l2[7] == 'M') mrz.sex = Sex::kMale;
  if (l2[7] == 'F') mrz.sex = Sex::kFemale;
  mrz.expiry_date_text =
      CheckedField(l2.substr(8, 6), l2[14], Alphabet::kDigits);
  if (auto d =
          ParseMrzDate(mrz.expiry_date_text.value, MrzDateKind::kExpiry, today);
      d.ok()) {
    mrz.expiry_date = *d;
  }
  mrz.nationality = LetterField(l2.substr(15, 3));
  mrz.optional_data2 = StripFillers(l2.substr(18, 11));

  // The composite covers the repaired fields, padded back to their widths.
  const auto padded = [](const MrzField& f, size_t width) {
    std::string s = f.value;
    s.resize(width, '<');
    return s;
  };
  std::string line1_tail(l1.substr(5));
  if (mrz.document_number.repaired) {
    line1_tail.replace(0, 9, padded(mrz.document_number, 9));
    line1_tail[9] =
        static_cast<char>('0' + *MrzCheckDigit(line1_tail.substr(0, 9)));
  }
  if (mrz.citizen_id && mrz.citizen_id->repaired) {
    line1_tail.replace(10, 14, padded(*mrz.citizen_id, 14));
    line1_tail[24] =
        static_cast<char>('0' + *MrzCheckDigit(mrz.citizen_id->value));
  }
  const auto with_check = [&](const MrzField& f, std::string_view raw) {
    if (!f.repaired) return std::string(raw);
    const std::string field = padded(f, raw.size() - 1);
    return field + static_cast<char>('0' + *MrzCheckDigit(field));
  };
  const std::string composite =
      absl::StrCat(line1_tail, with_check(mrz.birth_date_text, l2.substr(0, 7)),
                   with_check(mrz.expiry_date_text, l2.substr(8, 7)),
                   Absl(l2.substr(18, 11)));
  const MrzField composite_check =
      CheckedField(composite, l2[29], Alphabet::kAny);
  mrz.composite_verified = composite_check.verified;

  MrzField names = LetterField(l3);
  if (vietnamese) {
    // Vietnamese spelling has Q only before U (QUANG, QUYÊN); a Q before
    // anything else is a blurred O ("THAQ" is THAO), or, beside an O, the
    // same O read twice ("OQANH" is OANH): no Vietnamese name has "OO".
    for (size_t i = 0; i < names.value.size(); ++i) {
      if (names.value[i] != 'Q' ||
          (i + 1 < names.value.size() && names.value[i + 1] == 'U')) {
        continue;
      }
      names.repaired = true;
      const bool beside_o =
          (i > 0 && names.value[i - 1] == 'O') ||
          (i + 1 < names.value.size() && names.value[i + 1] == 'O');
      if (beside_o) {
        names.value.erase(i, 1);
        names.value.push_back('<');
        --i;
      } else {
        names.value[i] = 'O';
      }
    }
  }
  mrz.names_repaired = names.repaired;
  mrz.names_truncated = l3.back() != '<';
  const size_t split = names.value.find("<<");
  const std::string_view all(names.value);
  const std::string_view surname = all.substr(0, split);
  mrz.surname = absl::StrJoin(Words(surname, '<'), " ");
  if (split != std::string_view::npos) {
    mrz.given_names = Words(all.substr(split + 2), '<');
  }
  return mrz;
}

namespace {

// The ages at which a Vietnamese card expires, on the holder's birthday.
bool IsExpiryAge(int age) {
  constexpr int kExpiryAges[] = {14, 25, 40, 60};
  return std::find(std::begin(kExpiryAges), std::end(kExpiryAges), age) !=
         std::end(kExpiryAges);
}

}  // namespace

bool BirthdayContradictsExpiry(const Td1Mrz& mrz) {
  if (!mrz.birth_date.has_value() || !mrz.expiry_date.has_value()) {
    return false;
  }
  const Date& birth = *mrz.birth_date;
  const Date& expiry = *mrz.expiry_date;
  if (birth.month == 2 && birth.day == 29) return false;
  if (!IsExpiryAge(expiry.year - birth.year)) return false;
  return expiry.month != birth.month || expiry.day != birth.day;
}

std::optional<Date> BirthDateFromExpiry(const Td1Mrz& mrz, int birth_year) {
  if (!mrz.expiry_date.has_value() || !mrz.expiry_date_text.verified) {
    return std::nullopt;
  }
  const Date& expiry = *mrz.expiry_date;
  if (!IsExpiryAge(expiry.year - birth_year)) return std::nullopt;
  // A 29 February birthday is kept on 28 February or 1 March in other
  // years.
  if (IsLeapYear(birth_year) && ((expiry.month == 2 && expiry.day == 28) ||
                                 (expiry.month == 3 && expiry.day == 1))) {
    return std::nullopt;
  }
  if (expiry.day > DaysInMonth(birth_year, expiry.month)) return std::nullopt;
  return Date{birth_year, expiry.month, expiry.day};
}

absl::StatusOr<bool> MrzNameMatches(const Td1Mrz& mrz,
                                    std::string_view vietnamese_name) {
  auto folded = FoldVietnameseToAsciiUpper(vietnamese_name);
  if (!folded.ok()) return folded.status();
  // MRZ names use '<' for spaces and hyphens alike.
  std::replace(folded->begin(), folded->end(), '-', ' ');
  const std::string printed = absl::StrJoin(Words(*folded, ' '), " ");
  std::vector<std::string> mrz_words = Words(mrz.surname, ' ');
  mrz_words.insert(mrz_words.end(), mrz.given_names.begin(),
                   mrz.given_names.end());
  const std::string from_mrz = absl::StrJoin(mrz_words, " ");
  if (from_mrz.empty()) return false;
  if (mrz.names_truncated) return printed.starts_with(from_mrz);
  return printed == from_mrz;
}

}  // namespace cdkv::ocr
