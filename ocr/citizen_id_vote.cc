#include "ocr/citizen_id_vote.h"

#include <array>
#include <vector>

namespace cdkv::ocr {
namespace {

constexpr size_t kIdDigits = 12;
// Readings that disagree at many places are noise, not a number to repair:
// above this many combinations nothing is repaired.
constexpr size_t kMaxCombinations = 4096;

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
  std::vector<const std::string*> usable;
  for (const std::string& r : readings) {
    if (r.size() != kIdDigits) continue;
    bool digits = true;
    for (char c : r) digits &= c >= '0' && c <= '9';
    if (digits) usable.push_back(&r);
  }
  if (usable.empty()) return std::nullopt;
  // The digits seen at each place, most votes first (ties: first seen).
  std::array<std::vector<std::pair<char, int>>, kIdDigits> seen;
  for (const std::string* r : usable) {
    for (size_t i = 0; i < kIdDigits; ++i) {
      auto& options = seen[i];
      bool found = false;
      for (auto& [digit, votes] : options) {
        if (digit == (*r)[i]) ++votes, found = true;
      }
      if (!found) options.emplace_back((*r)[i], 1);
    }
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
