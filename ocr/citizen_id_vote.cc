#include "ocr/citizen_id_vote.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
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

// A reading that lost or gained one digit, made 12 long against
// `majority` where it then differs least ('?' where a digit was lost);
// nullopt when it differs from it at more than kMaxAlignedMisses places.
std::optional<std::string> Align(const std::string& reading,
                                 const std::string& majority) {
  std::optional<std::string> best;
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
    if (misses < best_misses) best_misses = misses, best = candidate;
  }
  return best;
}

}  // namespace

bool ConsistentCitizenId(const std::string& number, const IdHolder& holder) {
  auto id = ParseCitizenId(number);
  if (!id.ok()) return false;
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
  std::vector<std::pair<std::string, double>> usable, off_by_one;
  for (size_t k = 0; k < readings.size() && k < weights.size(); ++k) {
    const std::string& r = readings[k];
    const double w = weights[k];
    if (!(w > 0) || !std::isfinite(w)) continue;
    if (!std::all_of(r.begin(), r.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    if (r.size() == kIdDigits) {
      usable.emplace_back(r, w);
    } else if (r.size() + 1 == kIdDigits || r.size() == kIdDigits + 1) {
      off_by_one.emplace_back(r, w);
    }
  }
  if (usable.empty()) return std::nullopt;
  const auto tally = [](const auto& votes) {
    // The digits seen at each place, most weight first (ties: first seen).
    std::array<std::vector<std::pair<char, double>>, kIdDigits> seen;
    for (const auto& [r, w] : votes) {
      for (size_t i = 0; i < kIdDigits; ++i) {
        if (r[i] == '?') continue;
        auto& options = seen[i];
        bool found = false;
        for (auto& [digit, sum] : options) {
          if (digit == r[i]) sum += w, found = true;
        }
        if (!found) options.emplace_back(r[i], w);
      }
    }
    for (auto& options : seen) {
      std::stable_sort(
          options.begin(), options.end(),
          [](const auto& a, const auto& b) { return a.second > b.second; });
    }
    return seen;
  };
  std::array<std::vector<std::pair<char, double>>, kIdDigits> seen =
      tally(usable);
  if (!off_by_one.empty()) {
    std::string majority;
    for (const auto& options : seen) majority.push_back(options.front().first);
    for (const auto& [r, w] : off_by_one) {
      if (auto aligned = Align(r, majority); aligned.has_value()) {
        usable.emplace_back(*std::move(aligned), w);
      }
    }
    seen = tally(usable);
  }
  IdVote vote;
  vote.unanimous = true;
  size_t combinations = 1;
  for (size_t i = 0; i < kIdDigits; ++i) {
    auto& options = seen[i];
    std::stable_sort(
        options.begin(), options.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    vote.number.push_back(options.front().first);
    vote.unanimous &= options.size() == 1;
    combinations *= options.size();
  }
  vote.consistent = ConsistentCitizenId(vote.number, holder);
  if (vote.consistent || combinations > kMaxCombinations) return vote;
  // Every number the readings' digits allow, odometer order.
  std::array<size_t, kIdDigits> pick{};
  std::string only;
  int found = 0;
  for (size_t n = 0; n < combinations; ++n) {
    std::string candidate(kIdDigits, '0');
    for (size_t i = 0; i < kIdDigits; ++i) {
      candidate[i] = seen[i][pick[i]].first;
    }
    if (ConsistentCitizenId(candidate, holder)) {
      if (++found > 1) break;
      only = candidate;
    }
    for (size_t i = kIdDigits; i-- > 0;) {
      if (++pick[i] < seen[i].size()) break;
      pick[i] = 0;
    }
  }
  if (found == 1) {
    vote.number = only;
    vote.repaired = true;
    vote.consistent = true;
  }
  return vote;
}

}  // namespace cdkv::ocr
