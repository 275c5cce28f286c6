#include "ocr/mrz_text_repair.h"

#include <set>
#include <string>
#include <vector>

namespace cdkv::ocr {
namespace {

// Round glyphs the engine doubles.
bool Round(char c) { return c == 'O' || c == '0' || c == 'Q' || c == 'D'; }

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else if (c != ' ' && c != '\r') {
      line.push_back(c);
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// A dropped filler run at the end comes back; nothing else is invented.
void PadFillers(std::string& line) {
  if (!line.empty() && line.back() == '<' &&
      line.size() < static_cast<size_t>(kTd1LineLength)) {
    line.resize(kTd1LineLength, '<');
  }
}

// `line` and, when it is one character too long, the lines without one of
// a pair of adjacent round glyphs.
std::vector<std::string> Candidates(const std::string& line) {
  std::vector<std::string> out = {line};
  if (line.size() != static_cast<size_t>(kTd1LineLength) + 1) return out;
  std::set<std::string> seen = {line};
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    if (!Round(line[i]) || !Round(line[i + 1])) continue;
    for (size_t drop : {i, i + 1}) {
      std::string c = line;
      c.erase(drop, 1);
      if (seen.insert(c).second) out.push_back(c);
    }
  }
  return out;
}

int Score(const Td1Mrz& m) {
  int s = m.composite_verified ? 4 : 0;
  if (m.document_number.verified) ++s;
  if (m.citizen_id.has_value() && m.citizen_id->verified) ++s;
  if (m.birth_date_text.verified) ++s;
  if (m.expiry_date_text.verified) ++s;
  // A resized filler run shifts fields; prefer a reading that needed none.
  if (m.fillers_adjusted) --s;
  return s;
}

}  // namespace

absl::StatusOr<Td1Mrz> ParseOcrTd1(std::string_view ocr_text,
                                   const Date& today) {
  std::vector<std::string> lines = SplitLines(ocr_text);
  if (lines.size() != 3) return ParseTd1(ocr_text, today);
  for (std::string& line : lines) PadFillers(line);
  // Line 3 holds only letters and fillers, and no Vietnamese name has "OO".
  std::string& name = lines[2];
  for (char& c : name) {
    if (c == '0') c = 'O';
  }
  for (size_t at; (at = name.find("OO")) != std::string::npos;) {
    name.erase(at, 1);
  }
  PadFillers(name);

  std::optional<Td1Mrz> best;
  int best_score = -1;
  for (const std::string& l1 : Candidates(lines[0])) {
    for (const std::string& l2 : Candidates(lines[1])) {
      auto parsed = ParseTd1(l1 + "\n" + l2 + "\n" + name, today);
      if (!parsed.ok()) continue;
      const int score = Score(*parsed);
      // Ties keep the earlier (less edited) candidate.
      if (score > best_score) {
        best_score = score;
        best = *std::move(parsed);
      }
    }
  }
  if (best.has_value()) return *best;
  return ParseTd1(lines[0] + "\n" + lines[1] + "\n" + name, today);
}

}  // namespace cdkv::ocr
