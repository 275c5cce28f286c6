#include "ocr/page_values.h"

#include <map>
#include <string>
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

}  // namespace cdkv::ocr
