#include "ocr/page_values.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/document_classifier.h"

namespace cdkv::ocr {
namespace {

// Label words may be misread by one letter on a blurred page; more, and
// any short word would pass.
constexpr int kLabelWordEdits = 1;

std::optional<Sex> SexWord(const std::string& folded_word) {
  if (folded_word == "NAM") return Sex::kMale;
  if (folded_word == "NU") return Sex::kFemale;
  return std::nullopt;
}

// A part of a date is decided by at least this many readings.
constexpr int kMinVotes = 2;
// A date line's label words within this many edits ("NEM" for "NAM").
constexpr int kDateWordEdits = 1;

bool IsWord(const std::string& token, std::string_view word) {
  return token.size() + 1 >= word.size() && token.size() <= word.size() + 1 &&
         EditDistance(token, word) <= kDateWordEdits;
}

// The digits of `tokens`, reading italics' look-alike letters as digits;
// nullopt when a token holds anything else.
std::optional<std::string> DigitsOf(const std::vector<std::string>& tokens) {
  std::string digits;
  for (const std::string& t : tokens) {
    for (char c : t) {
      if (c >= '0' && c <= '9') {
        digits.push_back(c);
      } else if (c == 'O' || c == 'D') {
        digits.push_back('0');
      } else if (c == 'I' || c == 'L') {
        digits.push_back('1');
      } else {
        return std::nullopt;
      }
    }
  }
  return digits;
}

std::optional<int> InRange(const std::optional<std::string>& digits,
                           size_t min_len, size_t max_len, int lo, int hi) {
  if (!digits.has_value() || digits->size() < min_len ||
      digits->size() > max_len) {
    return std::nullopt;
  }
  const int v = std::stoi(*digits);
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

template <typename T>
std::optional<T> Majority(const std::vector<T>& values, bool* unanimous) {
  std::map<T, int> count;
  for (const T& v : values) ++count[v];
  if (count.size() > 1) *unanimous = false;
  std::optional<T> best;
  int best_n = 0;
  bool tie = false;
  for (const auto& [v, n] : count) {
    if (n > best_n) {
      best = v, best_n = n, tie = false;
    } else if (n == best_n) {
      tie = true;
    }
  }
  // One reading alone is not a vote: blur makes a different wrong digit
  // in each reading, so a value seen once is as likely misread as right.
  if (tie || best_n < kMinVotes) return std::nullopt;
  return best;
}

}  // namespace

DateParts DatePartsInWords(std::string_view line_text) {
  std::string raw(line_text);
  for (char& c : raw) {
    if (c == '|' || c == '!') c = 'I';
  }
  const std::string folded = FoldForMatching(raw);
  std::vector<std::string> tokens;
  for (size_t from = 0; from < folded.size();) {
    size_t to = folded.find(' ', from);
    if (to == std::string::npos) to = folded.size();
    std::string token = folded.substr(from, to - from);
    from = to + 1;
    // A label glued to its number ("NGAY22", "07NAM") is two tokens.
    bool split = false;
    for (std::string_view label : {"NGAY", "THANG", "NAM"}) {
      if (token.size() <= label.size()) continue;
      const std::string rest = token.substr(label.size());
      const std::string head = token.substr(0, token.size() - label.size());
      if (token.compare(0, label.size(), label) == 0 &&
          DigitsOf({rest}).has_value()) {
        tokens.emplace_back(label);
        tokens.push_back(rest);
        split = true;
      } else if (token.compare(head.size(), label.size(), label) == 0 &&
                 DigitsOf({head}).has_value()) {
        tokens.push_back(head);
        tokens.emplace_back(label);
        split = true;
      }
      if (split) break;
    }
    if (!split) tokens.push_back(std::move(token));
  }
  // The last "ngày": the place name before it may hold anything.
  size_t ngay = tokens.size(), thang = tokens.size(), nam = tokens.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (IsWord(tokens[i], "NGAY")) ngay = i, thang = nam = tokens.size();
    if (ngay < i && thang == tokens.size() && IsWord(tokens[i], "THANG")) {
      thang = i;
    }
    if (thang < i && nam == tokens.size() && IsWord(tokens[i], "NAM")) {
      nam = i;
    }
  }
  DateParts parts;
  auto span = [&](size_t from, size_t to) {
    return std::vector<std::string>(tokens.begin() + from, tokens.begin() + to);
  };
  if (ngay < tokens.size() && thang < tokens.size() && thang > ngay + 1 &&
      thang <= ngay + 3) {
    parts.day = InRange(DigitsOf(span(ngay + 1, thang)), 1, 2, 1, 31);
  }
  if (thang < tokens.size() && nam < tokens.size() && nam > thang + 1 &&
      nam <= thang + 3) {
    parts.month = InRange(DigitsOf(span(thang + 1, nam)), 1, 2, 1, 12);
  }
  if (nam + 1 < tokens.size()) {
    // The year, possibly split by a space ("20 20").
    for (size_t end = nam + 2; end <= std::min(tokens.size(), nam + 4); ++end) {
      parts.year = InRange(DigitsOf(span(nam + 1, end)), 4, 4, 1900, 2199);
      if (parts.year.has_value()) break;
    }
  }
  return parts;
}

std::optional<Date> VoteDateParts(std::span<const DateParts> readings,
                                  const Date& latest, bool* unanimous) {
  *unanimous = true;
  std::vector<int> days, months, years;
  int whole = 0;
  for (const DateParts& r : readings) {
    if (r.day.has_value()) days.push_back(*r.day);
    if (r.month.has_value()) months.push_back(*r.month);
    // A year not come yet is a misread one (2025 read 2029): it gets no
    // vote rather than outvoting the right one.
    if (r.year.has_value() && *r.year <= latest.year) {
      years.push_back(*r.year);
    } else if (r.year.has_value()) {
      *unanimous = false;
    }
    whole += r.day.has_value() && r.month.has_value() && r.year.has_value();
  }
  if (whole < 2) *unanimous = false;
  const auto d = Majority(days, unanimous);
  const auto m = Majority(months, unanimous);
  const auto y = Majority(years, unanimous);
  if (!d.has_value() || !m.has_value() || !y.has_value()) {
    *unanimous = false;
    return std::nullopt;
  }
  auto date = MakeDate(*y, *m, *d);
  if (!date.ok() || latest < *date) {
    *unanimous = false;
    return std::nullopt;
  }
  return *date;
}

namespace {

bool SlashLike(char c) { return c == '1' || c == '7'; }

// The digits before the year of a date read as one run: the digits model
// often reads a slash as 1 or 7 ("2710272005" for 27/02/2005, "200172025"
// for 20/01/2025). DDMM when such a digit stands where a slash would;
// `head` unchanged otherwise.
std::string WithoutSlashDigits(const std::string& head) {
  if (head.size() == 6 && SlashLike(head[2]) && SlashLike(head[5])) {
    return head.substr(0, 2) + head.substr(3, 2);
  }
  if (head.size() == 5 && SlashLike(head[4])) return head.substr(0, 4);
  if (head.size() == 5 && SlashLike(head[2])) {
    return head.substr(0, 2) + head.substr(3, 2);
  }
  return head;
}

// A zero the Vietnamese model read as a letter beside the date's other
// digits ("Ø7/11/2003", "1O/05/2004"), as the digit: that model reads the
// line when the layout pass does, and a slashed or blurred 0 is O or Ø to
// it. The digits-only model drops such a 0 altogether ("7/11/2003"), so the
// letter is often the only trace of it.
std::string ZeroLookalikesAsDigits(std::string_view text) {
  const auto digit_at = [&](size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    // O, o, Ø and ø (U+00D8, U+00F8).
    size_t len = 0;
    if (text[i] == 'O' || text[i] == 'o') {
      len = 1;
    } else if (i + 1 < text.size() && text[i] == '\xC3' &&
               (text[i + 1] == '\x98' || text[i + 1] == '\xB8')) {
      len = 2;
    }
    const bool after_digit =
        !out.empty() && out.back() >= '0' && out.back() <= '9';
    if (len > 0 && (after_digit || digit_at(i + len))) {
      out.push_back('0');
    } else {
      out.append(text.substr(i, std::max<size_t>(len, 1)));
    }
    i += std::max<size_t>(len, 1);
  }
  return out;
}

}  // namespace

DateParts DatePartsInDigits(std::string_view text) {
  std::vector<std::string> groups;
  bool in_group = false;
  for (char c : ZeroLookalikesAsDigits(text)) {
    const bool digit = c >= '0' && c <= '9';
    if (digit && !in_group) groups.emplace_back();
    if (digit) groups.back().push_back(c);
    in_group = digit;
  }
  DateParts parts;
  if (groups.empty()) return parts;
  // From the right: the year ends the last group; what precedes it in the
  // same group (a lost slash) is read before the groups to its left.
  std::string last = groups.back();
  groups.pop_back();
  if (last.size() < 4 && groups.size() >= 2) {
    // Two groups before a short last one: the year lost digits ("21/08/20").
    last.clear();
  } else if (last.size() < 4) {
    // No year: the digits left are the month, or day and month.
    groups.push_back(last);
    last.clear();
  } else {
    parts.year = InRange(last.substr(last.size() - 4), 4, 4, 1900, 2199);
    last.resize(last.size() - 4);
    if (!last.empty()) groups.push_back(last);
  }
  // The day and month as two-digit pairs, right to left.
  std::vector<std::optional<std::string>> pairs;
  while (!groups.empty() && pairs.size() < 2) {
    const std::string g = WithoutSlashDigits(groups.back());
    groups.pop_back();
    if (g.size() == 2) {
      pairs.emplace_back(g);
    } else if (g.size() == 4) {
      pairs.emplace_back(g.substr(2));
      pairs.emplace_back(g.substr(0, 2));
    } else {
      pairs.emplace_back(std::nullopt);  // A digit lost or gained.
    }
  }
  if (!pairs.empty()) parts.month = InRange(pairs[0], 2, 2, 1, 12);
  if (pairs.size() > 1) parts.day = InRange(pairs[1], 2, 2, 1, 31);
  return parts;
}

namespace {

// The value with the most weight and its share of all; nullopt on a tie or
// without votes.
std::optional<std::pair<int, double>> Heaviest(
    const std::map<int, double>& votes) {
  double total = 0, best = 0, second = 0;
  std::optional<int> winner;
  for (const auto& [value, w] : votes) {
    total += w;
    if (w > best) {
      second = best;
      best = w;
      winner = value;
    } else if (w > second) {
      second = w;
    }
  }
  if (!winner.has_value() || !(best > second)) return std::nullopt;
  return std::make_pair(*winner, best / total);
}

}  // namespace

std::optional<DatePartsVote> VoteWeightedDateParts(
    std::span<const WeightedDateParts> readings, const Date& latest,
    const std::optional<Date>& earliest) {
  std::map<int, double> days, months, years;
  for (const WeightedDateParts& r : readings) {
    if (!(r.weight > 0) || !std::isfinite(r.weight)) continue;
    if (r.parts.day.has_value()) days[*r.parts.day] += r.weight;
    if (r.parts.month.has_value()) months[*r.parts.month] += r.weight;
    if (r.parts.year.has_value() && *r.parts.year <= latest.year &&
        (!earliest.has_value() || *r.parts.year >= earliest->year)) {
      years[*r.parts.year] += r.weight;
    }
  }
  const auto d = Heaviest(days);
  const auto m = Heaviest(months);
  const auto y = Heaviest(years);
  if (!d.has_value() || !m.has_value() || !y.has_value()) return std::nullopt;
  auto date = MakeDate(y->first, m->first, d->first);
  if (!date.ok() || latest < *date) return std::nullopt;
  if (earliest.has_value() && *date < *earliest) return std::nullopt;
  return DatePartsVote{*date, std::min({d->second, m->second, y->second})};
}

std::optional<Sex> SexAfterLabel(std::string_view line_text) {
  const std::string folded = FoldForMatching(line_text);
  if (ContainsFuzzy(folded, "VIET NAM")) return std::nullopt;
  std::optional<Sex> found;
  bool after_label = false;
  std::string word;
  for (char c : folded + " ") {
    if (c >= 'A' && c <= 'Z') {
      word.push_back(c);
      continue;
    }
    if (word.empty()) continue;
    if (!after_label) {
      after_label = EditDistance(word, "TINH") <= kLabelWordEdits ||
                    EditDistance(word, "GIOI") <= kLabelWordEdits;
    } else if (auto s = SexWord(word); s.has_value()) {
      if (found.has_value() && *found != *s) return std::nullopt;
      found = s;
    }
    word.clear();
  }
  return found;
}

namespace {

// The groups of the official list (General Statistics Office, decision
// 121-TCTK/PPCĐ), in its order, spelled as civil-status papers write them.
constexpr std::string_view kEthnicGroups[] = {
    "Kinh",     "Tày",      "Thái",   "Mường",   "Khmer",      "Hoa",
    "Nùng",     "Mông",     "Dao",    "Gia Rai", "Ê Đê",       "Ba Na",
    "Sán Chay", "Chăm",     "Cơ Ho",  "Xơ Đăng", "Sán Dìu",    "Hrê",
    "Ra Glai",  "Mnông",    "Thổ",    "Xtiêng",  "Khơ Mú",     "Bru Vân Kiều",
    "Cơ Tu",    "Giáy",     "Tà Ôi",  "Mạ",      "Giẻ Triêng", "Co",
    "Chơ Ro",   "Xinh Mun", "Hà Nhì", "Chu Ru",  "Lào",        "La Chí",
    "Kháng",    "Phù Lá",   "La Hủ",  "La Ha",   "Pà Thẻn",    "Lự",
    "Ngái",     "Chứt",     "Lô Lô",  "Mảng",    "Cờ Lao",     "Bố Y",
    "Cống",     "Si La",    "Pu Péo", "Brâu",    "Ơ Đu",       "Rơ Măm"};
// Other spellings papers use for some of them.
struct Alias {
  std::string_view letters;  // Folded, letters only.
  std::string_view group;
};
constexpr Alias kEthnicAliases[] = {{"HMONG", "Mông"},    {"MEO", "Mông"},
                                    {"STIENG", "Xtiêng"}, {"EDE", "Ê Đê"},
                                    {"BANA", "Ba Na"},    {"JRAI", "Gia Rai"},
                                    {"KHOME", "Khmer"}};
// Fuzzy matches: one edit per four letters of the reading, rounded, and
// none for readings shorter than three letters.
constexpr size_t kLettersPerEthnicEdit = 4;
constexpr size_t kMinFuzzyEthnicLetters = 3;

// Upper-case ASCII letters of `text` with diacritics folded and anything
// else dropped ("Ê Đê" -> "EDE").
std::string LettersOf(std::string_view text) {
  std::string out;
  for (char c : FoldForMatching(text)) {
    if (c >= 'A' && c <= 'Z') out += c;
  }
  return out;
}

}  // namespace

std::optional<EthnicGroupMatch> EthnicGroupOf(std::string_view text) {
  const std::string letters = LettersOf(text);
  if (letters.empty()) return std::nullopt;
  std::vector<std::pair<std::string, std::string_view>> names;
  for (std::string_view g : kEthnicGroups) names.emplace_back(LettersOf(g), g);
  for (const Alias& a : kEthnicAliases) {
    names.emplace_back(std::string(a.letters), a.group);
  }
  for (const auto& [folded, group] : names) {
    if (folded == letters) return EthnicGroupMatch{std::string(group), true};
  }
  if (letters.size() < kMinFuzzyEthnicLetters) return std::nullopt;
  const int budget = static_cast<int>(
      (letters.size() + kLettersPerEthnicEdit / 2) / kLettersPerEthnicEdit);
  int best = budget + 1;
  std::optional<std::string_view> found;
  bool tie = false;
  for (const auto& [folded, group] : names) {
    const int d = EditDistance(folded, letters);
    if (d < best) {
      best = d;
      found = group;
      tie = false;
    } else if (d == best && found != group) {
      tie = true;
    }
  }
  if (!found.has_value() || tie) return std::nullopt;
  return EthnicGroupMatch{std::string(*found), false};
}

bool IsVietNam(std::string_view text, int edits) {
  return EditDistance(LettersOf(text), "VIETNAM") <= edits;
}

}  // namespace cdkv::ocr
