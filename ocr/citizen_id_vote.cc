#include "ocr/citizen_id_vote.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cdkv::ocr {
namespace {

constexpr size_t kIdDigits = 12;
// Readings that disagree at many places are noise, not a number to repair:
// above this many combinations nothing is repaired.
constexpr size_t kMaxCombinations = 4096;
// A reading one digit short or long that, so aligned, still differs from
// the other readings' majority at more places is another line's digits.
constexpr size_t kMaxAlignedMisses = 2;
// A digit with less of its place's votes is not a candidate for a repair:
// the LSTM gives most digits a few far-fetched alternatives.
constexpr double kMinCandidateShare = 0.1;
// At most this many candidates per place, most votes first.
constexpr size_t kMaxCandidates = 3;
// The share a century/sex or year digit implied by the holder counts when
// no reading saw it: enough to be chosen only when nothing seen fits.
constexpr double kImpliedShare = 0.02;
// Places the structure constrains: province (0-2), century/sex (3), year
// (4-5). The serial's digits are each their place's majority.
constexpr size_t kConstrainedDigits = 6;

// Where `reading` (one digit short or long) lines up best with `majority`:
// the place a digit was lost ('?' there) or gained (dropped); nullopt
// when it then differs from it at more than kMaxAlignedMisses places.
std::optional<size_t> AlignAt(const std::string& reading,
                              const std::string& majority) {
  std::optional<size_t> best;
  size_t best_misses = kMaxAlignedMisses + 1;
  const bool short_one = reading.size() < majority.size();
  const size_t positions = short_one ? majority.size() : reading.size();
  for (size_t p = 0; p < positions; ++p) {
    std::string candidate = reading;
    if (short_one) {
      candidate.insert(candidate.begin() + static_cast<std::ptrdiff_t>(p), '?');
    } else {
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(p));
    }
    size_t misses = 0;
    for (size_t i = 0; i < majority.size(); ++i) {
      misses += candidate[i] != '?' && candidate[i] != majority[i];
    }
    if (misses < best_misses) best_misses = misses, best = p;
  }
  return best;
}

// A reading's digits as per-place shares (one-hot without alternatives);
// a lost digit ('?') has none.
struct Spread {
  std::string digits;
  std::vector<std::array<double, 10>> shares;
  double weight = 0;
};

Spread SpreadOf(const IdReading& r) {
  Spread s{r.digits, r.shares, r.weight};
  if (s.shares.size() != s.digits.size()) {
    s.shares.assign(s.digits.size(), {});
    for (size_t i = 0; i < s.digits.size(); ++i) {
      s.shares[i][s.digits[i] - '0'] = 1.0;
    }
  }
  return s;
}

// Per place, each digit's votes and the order digits were first seen as a
// reading's own digit (ties between majorities go to the earlier).
struct Tally {
  std::array<std::array<double, 10>, kIdDigits> votes{};
  std::array<std::vector<int>, kIdDigits> seen;  // Readings' own digits.
};

Tally Count(const std::vector<Spread>& spreads) {
  Tally t;
  for (const Spread& s : spreads) {
    for (size_t i = 0; i < kIdDigits; ++i) {
      if (s.digits[i] == '?') continue;
      for (int d = 0; d < 10; ++d) t.votes[i][d] += s.weight * s.shares[i][d];
      const int own = s.digits[i] - '0';
      if (std::find(t.seen[i].begin(), t.seen[i].end(), own) ==
          t.seen[i].end()) {
        t.seen[i].push_back(own);
      }
    }
  }
  return t;
}

// The place's most voted digit; on a tie the reading's digit seen first.
int MajorityDigit(const Tally& t, size_t i) {
  int best = -1;
  for (int d : t.seen[i]) {
    if (best < 0 || t.votes[i][d] > t.votes[i][best]) best = d;
  }
  if (best < 0) {
    best = static_cast<int>(
        std::max_element(t.votes[i].begin(), t.votes[i].end()) -
        t.votes[i].begin());
  }
  return best;
}

}  // namespace

IdReading IdReadingOf(const LineChoices& choices, double weight) {
  IdReading r;
  r.weight = weight;
  for (const WordChoices& word : choices.words) {
    for (const std::vector<CharChoice>& alternatives : word.characters) {
      if (alternatives.empty()) continue;
      const std::string& top = alternatives.front().text;
      if (top.size() != 1 || top[0] < '0' || top[0] > '9') continue;
      std::array<double, 10> shares{};
      double total = 0;
      for (const CharChoice& c : alternatives) {
        if (c.text.size() != 1 || c.text[0] < '0' || c.text[0] > '9') continue;
        if (!(c.score > 0) || !std::isfinite(c.score)) continue;
        shares[c.text[0] - '0'] += c.score;
        total += c.score;
      }
      if (total > 0) {
        for (double& s : shares) s /= total;
      } else {
        shares = {};
        shares[top[0] - '0'] = 1.0;
      }
      r.digits.push_back(top[0]);
      r.shares.push_back(shares);
    }
  }
  return r;
}

bool ConsistentCitizenId(const std::string& number, const IdHolder& holder) {
  auto id = ParseCitizenId(number);
  if (!id.ok()) return false;
  // Century/sex digits 4-9 are for people born from 2100: a misread digit.
  if (id->birth_century >= 2100) return false;
  if (holder.sex.has_value() && id->sex != *holder.sex) return false;
  if (holder.birth_year.has_value() && id->birth_year != *holder.birth_year) {
    return false;
  }
  return true;
}

std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    const IdHolder& holder) {
  const std::vector<double> ones(readings.size(), 1.0);
  return VoteCitizenId(readings, ones, holder);
}

std::optional<IdVote> VoteCitizenId(std::span<const std::string> readings,
                                    std::span<const double> weights,
                                    const IdHolder& holder) {
  std::vector<IdReading> plain;
  for (size_t k = 0; k < readings.size() && k < weights.size(); ++k) {
    plain.push_back(IdReading{readings[k], {}, weights[k]});
  }
  return VoteCitizenId(plain, holder);
}

std::optional<IdVote> VoteCitizenId(std::span<const IdReading> readings,
                                    const IdHolder& holder) {
  std::vector<Spread> usable, off_by_one;
  for (const IdReading& r : readings) {
    if (!(r.weight > 0) || !std::isfinite(r.weight)) continue;
    if (!std::all_of(r.digits.begin(), r.digits.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    if (r.digits.size() == kIdDigits) {
      usable.push_back(SpreadOf(r));
    } else if (r.digits.size() + 1 == kIdDigits ||
               r.digits.size() == kIdDigits + 1) {
      off_by_one.push_back(SpreadOf(r));
    }
  }
  if (usable.empty()) return std::nullopt;
  Tally tally = Count(usable);
  if (!off_by_one.empty()) {
    std::string majority;
    for (size_t i = 0; i < kIdDigits; ++i) {
      majority.push_back(static_cast<char>('0' + MajorityDigit(tally, i)));
    }
    for (Spread& s : off_by_one) {
      const std::optional<size_t> at = AlignAt(s.digits, majority);
      if (!at.has_value()) continue;
      const auto p = static_cast<std::ptrdiff_t>(*at);
      if (s.digits.size() < kIdDigits) {
        s.digits.insert(s.digits.begin() + p, '?');
        s.shares.insert(s.shares.begin() + p, std::array<double, 10>{});
      } else {
        s.digits.erase(s.digits.begin() + p);
        s.shares.erase(s.shares.begin() + p);
      }
      usable.push_back(std::move(s));
    }
    tally = Count(usable);
  }
  IdVote vote;
  vote.unanimous = true;
  for (size_t i = 0; i < kIdDigits; ++i) {
    vote.number.push_back(static_cast<char>('0' + MajorityDigit(tally, i)));
    vote.unanimous &= tally.seen[i].size() == 1;
  }
  vote.consistent = ConsistentCitizenId(vote.number, holder);
  if (vote.consistent) return vote;
  // Each place's candidates with their shares, most votes first.
  std::array<std::vector<std::pair<int, double>>, kIdDigits> candidates;
  size_t combinations = 1;
  for (size_t i = 0; i < kIdDigits; ++i) {
    double total = 0;
    for (double v : tally.votes[i]) total += v;
    if (!(total > 0)) return vote;
    auto& c = candidates[i];
    for (int d = 0; d < 10; ++d) {
      const double share = tally.votes[i][d] / total;
      if (share >= kMinCandidateShare) c.emplace_back(d, share);
    }
    std::stable_sort(c.begin(), c.end(), [](const auto& a, const auto& b) {
      return a.second > b.second;
    });
    if (c.size() > kMaxCandidates) c.resize(kMaxCandidates);
    combinations *= std::max<size_t>(c.size(), 1);
  }
  if (combinations > kMaxCombinations) return vote;
  if (holder.sure && holder.sex.has_value() && holder.birth_year.has_value() &&
      *holder.birth_year >= 1900 && *holder.birth_year < 2100) {
    // The century/sex digit: 0/1 male/female born in the 1900s, 2/3 in the
    // 2000s (Thông tư 59/2021/TT-BCA).
    const int year = *holder.birth_year;
    const int implied[3] = {
        (year >= 2000 ? 2 : 0) + (*holder.sex == Sex::kFemale), year % 100 / 10,
        year % 10};
    for (size_t k = 0; k < 3; ++k) {
      auto& c = candidates[3 + k];
      if (std::none_of(c.begin(), c.end(),
                       [&](const auto& x) { return x.first == implied[k]; })) {
        c.emplace_back(implied[k], kImpliedShare);
      }
    }
  }
  // Only the constrained places are searched; the serial keeps its
  // majority.
  std::array<size_t, kConstrainedDigits> pick{};
  size_t searched = 1;
  for (size_t i = 0; i < kConstrainedDigits; ++i) {
    if (candidates[i].empty()) return vote;
    searched *= candidates[i].size();
  }
  std::string best;
  double best_score = -INFINITY, second_score = -INFINITY;
  for (size_t n = 0; n < searched; ++n) {
    std::string candidate = vote.number;
    double score = 0;
    for (size_t i = 0; i < kConstrainedDigits; ++i) {
      const auto& [digit, share] = candidates[i][pick[i]];
      candidate[i] = static_cast<char>('0' + digit);
      score += std::log(share);
    }
    if (ConsistentCitizenId(candidate, holder)) {
      if (score > best_score) {
        second_score = best_score;
        best_score = score;
        best = candidate;
      } else if (score > second_score) {
        second_score = score;
      }
    }
    for (size_t i = kConstrainedDigits; i-- > 0;) {
      if (++pick[i] < candidates[i].size()) break;
      pick[i] = 0;
    }
  }
  if (!best.empty() && best_score > second_score) {
    vote.number = best;
    vote.repaired = true;
    vote.consistent = true;
  }
  return vote;
}

}  // namespace cdkv::ocr
