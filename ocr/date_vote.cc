#include "ocr/date_vote.h"

#include <string>
#include <vector>

namespace cdkv::ocr {
namespace {

std::string DigitsOf(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

int Number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// Whether `part` can be had from `whole` by leaving characters out.
bool IsSubsequence(std::string_view part, std::string_view whole) {
  size_t i = 0;
  for (char c : whole) {
    if (i < part.size() && part[i] == c) ++i;
  }
  return i == part.size();
}

}  // namespace

std::optional<Date> DateFromEightDigits(std::string_view text) {
  const std::string digits = DigitsOf(text);
  if (digits.size() != 8) return std::nullopt;
  auto date = MakeDate(Number(digits.substr(4)), Number(digits.substr(2, 2)),
                       Number(digits.substr(0, 2)));
  if (!date.ok()) return std::nullopt;
  return *date;
}

namespace {

// How much of a year `rest` (the digits after day and month) still shows:
// 1 for the year itself, kPartialDateWeight when digits were lost (what
// is left appears in the year in order) or at most two of four misread, 0
// for another year.
double YearEvidence(std::string_view rest, int year) {
  const std::string digits = std::to_string(year);
  if (rest == digits) return 1.0;
  if (rest.size() < digits.size()) {
    return IsSubsequence(rest, digits) ? kPartialDateWeight : 0.0;
  }
  if (rest.size() != digits.size()) return 0.0;
  int differing = 0;
  for (size_t i = 0; i < rest.size(); ++i) differing += rest[i] != digits[i];
  return differing <= 2 ? kPartialDateWeight : 0.0;
}

// The runs of digits in `text`, in order.
std::vector<std::string> DigitGroups(std::string_view text) {
  std::vector<std::string> groups;
  bool in_group = false;
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    if (digit && !in_group) groups.emplace_back();
    if (digit) groups.back().push_back(c);
    in_group = digit;
  }
  return groups;
}

}  // namespace

std::optional<std::pair<Date, double>> DateVote::Interpret(
    std::string_view text) const {
  if (!known_year_.has_value()) {
    auto date = DateFromEightDigits(text);
    if (!date.has_value()) return std::nullopt;
    return std::make_pair(*date, 1.0);
  }
  // Day and month where the separators put them; a lost separator ("1909/",
  // "19/091997") or all of them ("19091997") leaves two digits each.
  const std::vector<std::string> groups = DigitGroups(text);
  if (groups.empty()) return std::nullopt;
  std::string day, month, rest;
  size_t next = 1;
  if (groups[0].size() <= 2 && groups.size() >= 2 && groups[1].size() <= 2) {
    day = groups[0];
    month = groups[1];
    next = 2;
  } else if (groups[0].size() >= 4) {
    day = groups[0].substr(0, 2);
    month = groups[0].substr(2, 2);
    rest = groups[0].substr(4);
  } else if (groups[0].size() == 2 && groups.size() >= 2 &&
             groups[1].size() >= 3) {
    day = groups[0];
    month = groups[1].substr(0, 2);
    rest = groups[1].substr(2);
    next = 2;
  } else {
    return std::nullopt;
  }
  for (size_t i = next; i < groups.size(); ++i) rest += groups[i];
  const double weight = YearEvidence(rest, *known_year_);
  if (!(weight > 0)) return std::nullopt;
  auto date = MakeDate(*known_year_, Number(month), Number(day));
  if (!date.ok()) return std::nullopt;
  return std::make_pair(*date, weight);
}

void DateVote::AddReading(
    std::span<const std::pair<std::string, double>> spellings, double weight) {
  std::map<Date, double> reading;
  for (const auto& [text, p] : spellings) {
    if (!(p > 0)) continue;
    if (auto date = Interpret(text); date.has_value()) {
      reading[date->first] += p * date->second;
    }
  }
  Add(reading, weight);
}

void DateVote::AddValidUntilReading(
    std::span<const std::pair<std::string, double>> spellings, double weight) {
  if (!known_year_.has_value()) return;
  static constexpr int kRenewalAges[] = {14, 25, 40, 60};
  std::map<Date, double> reading;
  for (const auto& [text, p] : spellings) {
    if (!(p > 0)) continue;
    // A spelling close to two of the years (2029 and 2049 share three
    // digits) counts once, for the age it matches best.
    std::optional<std::pair<Date, double>> best;
    for (int age : kRenewalAges) {
      const DateVote at_age(*known_year_ + age);
      const auto valid_until = at_age.Interpret(text);
      if (!valid_until.has_value()) continue;
      if (best.has_value() && best->second >= valid_until->second) continue;
      // 29 February is valid until 28 February or 1 March in a common
      // year, which says nothing sure about the birth date.
      auto birth = MakeDate(*known_year_, valid_until->first.month,
                            valid_until->first.day);
      if (!birth.ok()) continue;
      best = std::make_pair(*birth, valid_until->second);
    }
    if (best.has_value()) reading[best->first] += p * best->second;
  }
  Add(reading, weight);
}

void DateVote::Add(const std::map<Date, double>& reading, double weight) {
  if (reading.empty() || !(weight > 0)) return;
  ++readings_;
  const Date* top = nullptr;
  double most = 0;
  for (const auto& [date, p] : reading) {
    pooled_[date] += p * weight;
    if (p > most) most = p, top = &date;
  }
  if (top != nullptr) ++tops_[*top];
}

std::optional<DateVoteResult> DateVote::Best() const {
  double total = 0, best = 0, second = 0;
  const Date* winner = nullptr;
  for (const auto& [date, votes] : pooled_) {
    total += votes;
    if (votes > best) {
      second = best;
      best = votes;
      winner = &date;
    } else if (votes > second) {
      second = votes;
    }
  }
  if (winner == nullptr || !(total > 0)) return std::nullopt;
  DateVoteResult result;
  result.date = *winner;
  result.share = best / total;
  result.margin = (best - second) / total;
  const auto tops = tops_.find(*winner);
  result.readings_for = tops == tops_.end() ? 0 : tops->second;
  result.readings = readings_;
  return result;
}

}  // namespace cdkv::ocr
