#include "ocr/mrz_text_repair.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ocr/id_number.h"

namespace cdkv::ocr {
namespace {

// Fields of TD1 lines 1 and 2 as [begin, end) columns: each field with its
// check digit is one slot, so a field and its check digit always come from
// the same reading.
using Slot = std::pair<size_t, size_t>;
constexpr std::array<Slot, 3> kLine1Slots = {{{0, 5}, {5, 15}, {15, 30}}};
constexpr std::array<Slot, 5> kLine2Slots = {
    {{0, 7}, {7, 8}, {8, 15}, {15, 29}, {29, 30}}};
// Line 2: nationality ends here; optional data 2 (11 fillers on Vietnamese
// cards) follows, then the composite check digit.
constexpr size_t kNationalityStart = 15;
constexpr size_t kLine2OptionalStart = 18;
constexpr size_t kLine2OptionalLength = 11;
// Spliced lines per line index at most (so at most 32 × 32 zones are
// parsed); beyond it the least-voted options of the most varied slot are
// dropped. Each parse takes microseconds, so even hostile readings cost
// milliseconds.
constexpr size_t kMaxCombinations = 32;
constexpr size_t kMaxReadingBytes = 512;
constexpr size_t kVietnameseIdDigits = 12;
// Options kept per slot before any other bound applies.
constexpr size_t kMaxSlotOptions = 4;

// Round glyphs the engine doubles.
bool Round(char c) { return c == 'O' || c == '0' || c == 'Q' || c == 'D'; }

// Letters a blurred '<' is read as (its two strokes close into a K, S, E
// or C shape).
bool FillerLookalike(char c) {
  return c == '<' || c == 'K' || c == 'S' || c == 'E' || c == 'C' || c == 'G' ||
         c == 'Q' || c == 'X' || c == 'Z';
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else if (c != ' ' && c != '\r' && c != '\t') {
      line.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A')
                                          : c);
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

// Line 1 ends with a filler run and the ID's check digit: a miscounted run
// there is resized so the line is 30 long again.
std::optional<std::string> FitLine1(const std::string& line) {
  const size_t n = line.size();
  if (n == static_cast<size_t>(kTd1LineLength) || n < 3 || line[n - 2] != '<') {
    return std::nullopt;
  }
  size_t start = n - 2;
  while (start > 0 && line[start - 1] == '<') --start;
  const long run = static_cast<long>(n - 1 - start);
  const long want = run + kTd1LineLength - static_cast<long>(n);
  if (want < 1) return std::nullopt;
  return line.substr(0, start) + std::string(want, '<') + line.back();
}

// Line 2's optional data is filler on Vietnamese cards, the run Tesseract
// most often shortens or reads as letters (a shadow across it turns every
// '<' into an S). When what lies between the nationality and the last
// character is fillers or their lookalikes, it is rebuilt as 11 fillers; the
// composite check digit then says whether that was right.
std::optional<std::string> FitLine2(const std::string& line) {
  if (line.size() < kLine2OptionalStart + 1) return std::nullopt;
  // The nationality may itself have been misread with a letter more or
  // less ("VIWN", "VN"): letters from column 16 up to the first filler.
  size_t optional_start = kLine2OptionalStart;
  std::string nationality = line.substr(kNationalityStart, 3);
  const size_t first_filler = line.find('<', kNationalityStart);
  if (first_filler != std::string::npos &&
      first_filler != kLine2OptionalStart && first_filler >= 17 &&
      first_filler <= 19 && first_filler + 1 < line.size() &&
      std::all_of(line.begin() + kNationalityStart, line.begin() + first_filler,
                  [](char c) { return c >= 'A' && c <= 'Z'; })) {
    optional_start = first_filler;
    nationality = "VNM";
  }
  const std::string middle =
      line.substr(optional_start, line.size() - optional_start - 1);
  if (!std::all_of(middle.begin(), middle.end(), FillerLookalike)) {
    return std::nullopt;
  }
  std::string out = line.substr(0, kNationalityStart) + nationality +
                    std::string(kLine2OptionalLength, '<') + line.back();
  if (out == line) return std::nullopt;
  return out;
}

// Whether `word` (upper case, no diacritics, as in the MRZ) can be one
// Vietnamese syllable: an onset, a vowel group and a final from the
// language's spelling, with the diacritics folded away (ă, â -> A; ê -> E;
// ô, ơ -> O; ư -> U; đ -> D).
bool AsciiSyllable(std::string_view word) {
  static constexpr std::string_view kOnsets[] = {
      "",   "B",  "C", "CH", "D", "G",  "GH",  "GI", "H",
      "K",  "KH", "L", "M",  "N", "NG", "NGH", "NH", "P",
      "PH", "QU", "R", "S",  "T", "TH", "TR",  "V",  "X"};
  static constexpr std::string_view kVowels[] = {
      "A",   "E",   "I",   "O",   "U",   "Y",   "AI",  "AO",  "AU",  "AY",
      "EO",  "EU",  "IA",  "IE",  "IU",  "OA",  "OE",  "OI",  "OO",  "UA",
      "UE",  "UI",  "UO",  "UY",  "UU",  "YE",  "IEU", "OAI", "OAO", "OAY",
      "OEO", "UAY", "UOI", "UOU", "UYA", "UYE", "UYU", "YEU"};
  static constexpr std::string_view kFinals[] = {"",   "C",  "CH", "M", "N",
                                                 "NG", "NH", "P",  "T"};
  // Spelling rules: k, gh and ngh before i, e, ê and y only, and c, g and
  // ng never before them; yê only with no onset or after qu ("kiên",
  // "nghiêm", "yến", "quyên"). They reject a chevron read as K before a
  // word ("KAN", "KYEN").
  auto front = [](std::string_view vowels) {
    return vowels[0] == 'I' || vowels[0] == 'E' || vowels[0] == 'Y';
  };
  for (std::string_view onset : kOnsets) {
    if (!word.starts_with(onset)) continue;
    const std::string_view rest = word.substr(onset.size());
    for (std::string_view vowels : kVowels) {
      if (!rest.starts_with(vowels)) continue;
      if ((onset == "K" || onset == "GH" || onset == "NGH") && !front(vowels)) {
        continue;
      }
      if ((onset == "C" || onset == "NG") && front(vowels)) continue;
      if (onset == "G" && vowels[0] == 'E') continue;
      if (vowels.starts_with("YE") && !onset.empty() && onset != "QU") {
        continue;
      }
      const std::string_view final = rest.substr(vowels.size());
      for (std::string_view f : kFinals) {
        if (final == f) return true;
      }
    }
  }
  return false;
}

// The name line re-read as Vietnamese syllables between fillers, taking as
// few letters for fillers as it can. OCR-B's chevron, blurred, is read as a
// K, S, E, C or G, now and then as another letter, and sometimes as a
// filler and a letter ("NGO<<NGOC<KMAI<K<KKEKK" is NGO<<NGOC<MAI): every
// word must be a syllable, a letter taken for a filler costs
// kLookalikeFillerCost or, if it is not filler-shaped,
// kOtherFillerCost, and a one-letter word (a Vietnamese name rarely has
// one) costs kOneLetterWordCost. The first run of two or more fillers
// stays the break after the family name; after a run of three, one or two
// words of a lone vowel or of filler-shaped letters only ("SE<KE") are
// stray. Nothing when the line holds no syllable.
constexpr double kLookalikeFillerCost = 1.0;
constexpr double kOtherFillerCost = 3.0;
constexpr double kOneLetterWordCost = 1.5;
constexpr size_t kLongestSyllable = 7;  // NGHIENG
constexpr size_t kStrayTailWords = 2;
constexpr int kMaxOtherFillers = 1;

// A digit left in the name line (a run of fillers read as 6s) is no letter
// of a name either.
bool FillerLike(char c) { return FillerLookalike(c) || (c >= '0' && c <= '9'); }

// The cheapest reading of a name line as syllables between fillers.
struct SyllableReading {
  std::vector<std::string> words;
  std::vector<size_t> fillers_before;  // Per word.
  int lost_letters = 0;  // Letters of no filler's shape taken for fillers.
};

std::optional<SyllableReading> CheapestSyllableReading(std::string_view line) {
  const size_t n = line.size();
  constexpr double kNone = 1e18;
  // cost[i][w]: the least cost of reading line[0, i), with w = 1 when its
  // last item is a word (the next must be a filler); from[i][w] is where
  // that item began and the state before it.
  std::vector<std::array<double, 2>> cost(n + 1, {kNone, kNone});
  std::vector<std::array<std::pair<size_t, int>, 2>> from(n + 1);
  cost[0][0] = 0;
  for (size_t i = 0; i < n; ++i) {
    for (int w = 0; w < 2; ++w) {
      if (cost[i][w] >= kNone) continue;
      const char c = line[i];
      const double as_filler = c == '<'        ? 0.0
                               : FillerLike(c) ? kLookalikeFillerCost
                                               : kOtherFillerCost;
      if (cost[i][w] + as_filler < cost[i + 1][0]) {
        cost[i + 1][0] = cost[i][w] + as_filler;
        from[i + 1][0] = {i, w};
      }
      if (w == 1) continue;
      for (size_t j = i + 1; j <= std::min(n, i + kLongestSyllable); ++j) {
        if (line[j - 1] < 'A' || line[j - 1] > 'Z') break;
        if (!AsciiSyllable(line.substr(i, j - i))) continue;
        const double with_word =
            cost[i][w] + (j - i == 1 ? kOneLetterWordCost : 0.0);
        if (with_word < cost[j][1]) {
          cost[j][1] = with_word;
          from[j][1] = {i, w};
        }
      }
    }
  }
  int w = cost[n][1] < cost[n][0] ? 1 : 0;
  if (cost[n][w] >= kNone) return std::nullopt;
  SyllableReading out;
  size_t run = 0;
  for (size_t i = n; i > 0;) {
    const auto [prev, prev_w] = from[i][w];
    if (w == 1) {
      if (!out.words.empty()) out.fillers_before.push_back(run);
      out.words.emplace_back(line.substr(prev, i - prev));
      run = 0;
    } else {
      ++run;
      if (!FillerLike(line[prev])) ++out.lost_letters;
    }
    i = prev;
    w = prev_w;
  }
  if (out.words.empty()) return std::nullopt;
  out.fillers_before.push_back(run);
  std::reverse(out.words.begin(), out.words.end());
  std::reverse(out.fillers_before.begin(), out.fillers_before.end());
  return out;
}

std::optional<std::string> SegmentNameLine(std::string_view line) {
  auto reading = CheapestSyllableReading(line);
  // More than one letter of no filler's shape lost: not a Vietnamese name
  // (SMITH<<JOHN), or one too garbled to guess at.
  if (!reading.has_value() || reading->lost_letters > kMaxOtherFillers) {
    return std::nullopt;
  }
  std::vector<std::string>& words = reading->words;
  const std::vector<size_t>& runs = reading->fillers_before;
  size_t family_end = 1;
  for (size_t k = 1; k < words.size(); ++k) {
    if (runs[k] >= 2) {
      family_end = k;
      break;
    }
  }
  // A real given name after a run of three ("DUC<<KAN" is DUC AN) is more
  // than stray vowels or filler-shaped letters.
  const auto stray = [](const std::string& word) {
    return word.size() == 1 ||
           std::all_of(word.begin(), word.end(), FillerLookalike);
  };
  for (size_t k = family_end + 1; k < words.size(); ++k) {
    if (runs[k] < 3) continue;
    if (words.size() - k <= kStrayTailWords &&
        std::all_of(words.begin() + k, words.end(), stray)) {
      words.resize(k);
    }
    break;
  }
  std::string out;
  for (size_t k = 0; k < words.size(); ++k) {
    if (k > 0) out += k == family_end ? "<<" : "<";
    out += words[k];
  }
  out += '<';  // PadFillers fills the rest of the line.
  return out;
}

// Digits in a word of the name line are misread letters: each is given
// the letter it looks like, or, for a 1, a T (the bar of a blurred T
// fades) or nothing (a stroke read as an extra glyph), whichever makes the
// word a syllable. Words that no choice makes one keep their digits (and
// ParseTd1 gives them their lookalike letters).
void FixDigitsInNames(std::string& name) {
  static constexpr std::string_view kLetterFor = "OIZ3A5G7B9";
  for (size_t i = 0; i < name.size();) {
    if (name[i] == '<') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < name.size() && name[j] != '<') ++j;
    const std::string word = name.substr(i, j - i);
    const size_t digit = word.find_first_of("0123456789");
    if (digit == std::string::npos ||
        word.find_first_of("0123456789", digit + 1) != std::string::npos) {
      i = j;
      continue;
    }
    const char d = word[digit];
    std::vector<std::string> variants = {
        word.substr(0, digit) + kLetterFor[d - '0'] + word.substr(digit + 1)};
    if (d == '1') {
      variants.push_back(word.substr(0, digit) + 'T' + word.substr(digit + 1));
    }
    variants.push_back(word.substr(0, digit) + word.substr(digit + 1));
    for (const std::string& v : variants) {
      if (!v.empty() && AsciiSyllable(v)) {
        name.replace(i, word.size(), v);
        j = i + v.size();
        break;
      }
    }
    i = j;
  }
}

// Line 3 holds only letters and fillers: a digit is a misread letter, no
// Vietnamese name has "OO", and after the name's closing run of fillers a
// stray letter or two is a misread filler (a name never has "<<<" inside).
std::string NormalizeNameLine(std::string name) {
  FixDigitsInNames(name);
  for (char& c : name) {
    if (c == '0') c = 'O';
  }
  for (size_t at; (at = name.find("OO")) != std::string::npos;) {
    name.erase(at, 1);
  }
  const size_t first_letter = name.find_first_not_of('<');
  const size_t run = first_letter == std::string::npos
                         ? std::string::npos
                         : name.find("<<<", first_letter);
  if (run != std::string::npos) {
    const std::string rest = name.substr(run);
    int letters = 0;
    bool adjacent = false;
    bool all_lookalikes = true;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '<') continue;
      ++letters;
      if (i > 0 && rest[i - 1] != '<') adjacent = true;
      if (!FillerLookalike(rest[i])) all_lookalikes = false;
    }
    // Two or three filler-shaped letters together ("<<<ES") are no given
    // name either: every Vietnamese syllable has a vowel other than E.
    if (letters > 0 &&
        ((letters <= 2 && !adjacent) || (letters <= 3 && all_lookalikes))) {
      name.replace(run, std::string::npos, rest.size(), '<');
    }
  }
  if (auto segmented = SegmentNameLine(name); segmented.has_value()) {
    name = *std::move(segmented);
  }
  if (name.size() > static_cast<size_t>(kTd1LineLength) &&
      name.find_first_not_of('<', kTd1LineLength) == std::string::npos) {
    name.resize(kTd1LineLength);
  }
  PadFillers(name);
  return name;
}

// Candidate texts of one line from one reading, the unedited one first.
std::vector<std::string> LineCandidates(std::string line, int index) {
  if (index == 2) return {NormalizeNameLine(std::move(line))};
  PadFillers(line);
  std::vector<std::string> out = Candidates(line);
  const size_t unfitted = out.size();
  for (size_t i = 0; i < unfitted; ++i) {
    auto fit = index == 0 ? FitLine1(out[i]) : FitLine2(out[i]);
    if (fit.has_value()) out.push_back(*std::move(fit));
  }
  return out;
}

// Distinct values, each with how many readings gave it, in order of first
// appearance.
class Votes {
 public:
  void Add(const std::string& value, int reading) {
    auto [it, inserted] = index_.emplace(value, values_.size());
    if (inserted) values_.push_back({value, {}});
    values_[it->second].second.insert(reading);
  }
  // The values, most voted first (stable), at most `limit`.
  std::vector<std::string> Best(size_t limit) const {
    std::vector<std::pair<std::string, std::set<int>>> sorted = values_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) {
                       return a.second.size() > b.second.size();
                     });
    std::vector<std::string> out;
    for (const auto& v : sorted) {
      if (out.size() >= limit) break;
      out.push_back(v.first);
    }
    return out;
  }
  int Count(const std::string& value) const {
    auto it = index_.find(value);
    return it == index_.end()
               ? 0
               : static_cast<int>(values_[it->second].second.size());
  }
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::pair<std::string, std::set<int>>> values_;
  std::map<std::string, size_t> index_;
};

// The lines a line index can take: whole lines of the wrong length as read,
// and lines of the right length spliced slot by slot from all readings.
template <size_t N>
std::vector<std::pair<std::string, int>> Splices(
    const std::vector<std::vector<std::string>>& per_reading,
    const std::array<Slot, N>& slots) {
  std::array<Votes, N> slot_votes;
  Votes whole;
  for (size_t r = 0; r < per_reading.size(); ++r) {
    for (const std::string& line : per_reading[r]) {
      whole.Add(line, static_cast<int>(r));
      if (line.size() != static_cast<size_t>(kTd1LineLength)) continue;
      for (size_t s = 0; s < N; ++s) {
        slot_votes[s].Add(
            line.substr(slots[s].first, slots[s].second - slots[s].first),
            static_cast<int>(r));
      }
    }
  }
  std::array<std::vector<std::string>, N> options;
  for (size_t s = 0; s < N; ++s)
    options[s] = slot_votes[s].Best(kMaxSlotOptions);
  auto product = [&] {
    size_t p = 1;
    for (const auto& o : options) p *= std::max<size_t>(1, o.size());
    return p;
  };
  while (product() > kMaxCombinations) {
    auto widest = std::max_element(
        options.begin(), options.end(),
        [](const auto& a, const auto& b) { return a.size() < b.size(); });
    widest->pop_back();
  }
  std::vector<std::pair<std::string, int>> out;
  if (!slot_votes[0].empty()) {
    const size_t total = product();
    for (size_t n = 0; n < total; ++n) {
      size_t rest = n;
      std::string line;
      int votes = 0;
      for (size_t s = 0; s < N; ++s) {
        const std::string& v = options[s][rest % options[s].size()];
        rest /= options[s].size();
        line += v;
        votes += slot_votes[s].Count(v);
      }
      out.push_back({std::move(line), votes});
    }
  }
  for (const std::string& line : whole.Best(kMaxSlotOptions)) {
    if (line.size() == static_cast<size_t>(kTd1LineLength)) continue;
    out.push_back({line, whole.Count(line) * static_cast<int>(N)});
  }
  return out;
}

// Digits a character read in a digit column may stand for. The LSTM
// model reads a zero blurred into its neighbours as 6, 8 or 9 (its inner
// stroke or dot, its counter closing), so each of those may also be a 0;
// letters are their digit lookalikes.
std::string DigitOptions(char c) {
  switch (c) {
    case '6':
    case '8':
    case '9':
      return std::string(1, c) + '0';
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
      return "690";
    case 'T':
      return "7";
    case 'B':
      return "80";
    default:
      return c >= '0' && c <= '9' ? std::string(1, c) : "";
  }
}

// Per column of a 30-character line, every digit the readings allow.
using ColumnOptions = std::array<std::string, kTd1LineLength>;

ColumnOptions PoolDigits(const std::vector<std::string>& lines) {
  ColumnOptions out;
  for (const std::string& line : lines) {
    for (size_t i = 0; i < out.size(); ++i) {
      for (char d : DigitOptions(line[i])) {
        if (out[i].find(d) == std::string::npos) out[i].push_back(d);
      }
    }
  }
  return out;
}

// Every string whose i-th character is one of options[i], or nothing when
// there would be more than `limit`.
std::vector<std::string> Expand(const std::vector<std::string>& options,
                                size_t limit) {
  size_t total = 1;
  for (const std::string& o : options) {
    if (o.empty()) return {};
    total *= o.size();
    if (total > limit) return {};
  }
  std::vector<std::string> out;
  out.reserve(total);
  for (size_t n = 0; n < total; ++n) {
    size_t rest = n;
    std::string s(options.size(), ' ');
    for (size_t i = 0; i < options.size(); ++i) {
      s[i] = options[i][rest % options[i].size()];
      rest /= options[i].size();
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> Columns(const ColumnOptions& c, size_t from,
                                 size_t to) {
  return std::vector<std::string>(c.begin() + from, c.begin() + to);
}

char CheckChar(std::string_view s) {
  return static_cast<char>('0' + MrzCheckDigit(s).value_or(0));
}

// Repair search bounds: the ID with its check digits, and each date.
constexpr size_t kMaxIdCombinations = 1 << 12;
constexpr size_t kMaxDateCombinations = 1 << 8;

// A Vietnamese zone whose digits no single reading gets right: every
// combination of the digits the readings allow (see DigitOptions) is tried
// against all the zone's constraints at once: the ID's and the document
// number's check digits, the document number being the ID's last 9 digits,
// the birth date's and expiry's check digits and calendars, the ID's
// province, century/sex digit and birth year agreeing with line 2, and the
// composite check digit. The repaired lines when exactly one combination
// holds; nullopt when none or several do (then nothing is guessed).
std::optional<std::pair<std::string, std::string>> RepairVietnameseDigits(
    const std::vector<std::string>& line1s,
    const std::vector<std::string>& line2s, const Date& today) {
  if (line1s.empty() || line2s.empty()) return std::nullopt;
  const std::string head = line1s.front().substr(0, 5);
  if (head.substr(2) != "VNM") return std::nullopt;
  // Line 2 must at least be in place: no digit where the nationality is,
  // and fillers (or their lookalikes) where the optional data is.
  for (const std::string& l : line2s) {
    if (std::any_of(l.begin() + 15, l.begin() + 18,
                    [](char c) { return c >= '0' && c <= '9'; }) ||
        !std::all_of(l.begin() + kLine2OptionalStart, l.begin() + 29,
                     FillerLookalike)) {
      return std::nullopt;
    }
  }
  ColumnOptions c1 = PoolDigits(line1s);
  ColumnOptions c2 = PoolDigits(line2s);
  // A field that some reading has verified by its own check digit keeps
  // the digits read: a 9 read for a 0 in both a field's last digit and its
  // check digit changes neither that check nor the composite, so offering
  // a 0 there would make the right zone ambiguous.
  const auto keep_verified = [](const std::vector<std::string>& lines,
                                ColumnOptions& options, size_t from,
                                size_t width, size_t check) {
    std::vector<std::string> verified;
    for (const std::string& l : lines) {
      const std::string field = l.substr(from, width);
      if (std::all_of(field.begin(), field.end(),
                      [](char c) { return c >= '0' && c <= '9'; }) &&
          CheckChar(field) == l[check]) {
        verified.push_back(l);
      }
    }
    if (verified.empty()) return;
    for (size_t i = from; i < from + width; ++i) options[i].clear();
    options[check].clear();
    for (const std::string& l : verified) {
      for (size_t i = from; i < from + width; ++i) {
        if (options[i].find(l[i]) == std::string::npos) options[i] += l[i];
      }
      if (options[check].find(l[check]) == std::string::npos) {
        options[check] += l[check];
      }
    }
  };
  keep_verified(line1s, c1, 5, 9, 14);
  keep_verified(line1s, c1, 15, 12, 29);
  keep_verified(line2s, c2, 0, 6, 6);
  keep_verified(line2s, c2, 8, 6, 14);
  // Without the composite digit (Tesseract drops it after the long filler
  // run) the other check digits leave too many zones possible.
  if (c2[29].empty()) return std::nullopt;
  // The ID's digits: its own columns and, for the last 9, the document
  // number's, then the two check digits.
  std::vector<std::string> id_options = Columns(c1, 15, 27);
  for (size_t j = 0; j < 9; ++j) {
    for (char d : c1[5 + j]) {
      if (id_options[3 + j].find(d) == std::string::npos) {
        id_options[3 + j].push_back(d);
      }
    }
  }
  // Digits that a verified field fixed stay fixed in the other copy too.
  const auto only = [](std::string& options, const std::string& allowed) {
    std::string kept;
    for (char d : options) {
      if (allowed.find(d) != std::string::npos) kept += d;
    }
    options = kept;
  };
  for (size_t j = 0; j < 9; ++j) {
    only(id_options[3 + j], c1[5 + j]);
    only(id_options[3 + j], c1[18 + j]);
  }
  id_options.push_back(c1[14]);
  id_options.push_back(c1[29]);
  std::vector<std::string> sexes;
  for (const std::string& l : line2s) {
    if ((l[7] == 'M' || l[7] == 'F') &&
        std::find(sexes.begin(), sexes.end(), std::string(1, l[7])) ==
            sexes.end()) {
      sexes.push_back(std::string(1, l[7]));
    }
  }
  if (sexes.size() != 1) return std::nullopt;
  const Sex sex = sexes[0] == "M" ? Sex::kMale : Sex::kFemale;

  struct IdCandidate {
    std::string id;
    CitizenId parsed;
    char doc_check, id_check;
  };
  std::vector<IdCandidate> ids;
  for (const std::string& v : Expand(id_options, kMaxIdCombinations)) {
    const std::string id = v.substr(0, 12);
    if (CheckChar(id.substr(3)) != v[12] || CheckChar(id + "<<") != v[13]) {
      continue;
    }
    auto parsed = ParseCitizenId(id);
    if (!parsed.ok()) continue;
    ids.push_back({id, *parsed, v[12], v[13]});
  }
  const auto dates = [&](size_t from, MrzDateKind kind) {
    std::vector<std::pair<std::string, Date>> out;
    for (const std::string& v :
         Expand(Columns(c2, from, from + 7), kMaxDateCombinations)) {
      if (CheckChar(v.substr(0, 6)) != v[6]) continue;
      auto d = ParseMrzDate(v.substr(0, 6), kind, today);
      if (d.ok()) out.push_back({v, *d});
    }
    return out;
  };
  const auto births = dates(0, MrzDateKind::kBirth);
  const auto expiries = dates(8, MrzDateKind::kExpiry);
  const std::string optional2(kLine2OptionalLength, '<');
  std::optional<std::pair<std::string, std::string>> found;
  int matches = 0;
  for (const IdCandidate& id : ids) {
    for (const auto& [birth, birth_date] : births) {
      if (!CheckCitizenIdAgainst(id.parsed, birth_date, sex).empty()) continue;
      for (const auto& expiry : expiries) {
        // The card expires on a birthday: a pair of dates that says
        // otherwise has a misread digit the check digits do not see.
        Td1Mrz dates_only;
        dates_only.birth_date = birth_date;
        dates_only.expiry_date = expiry.second;
        if (BirthdayContradictsExpiry(dates_only)) continue;
        const std::string tail =
            id.id.substr(3) + id.doc_check + id.id + "<<" + id.id_check;
        const char composite =
            CheckChar(tail + birth + expiry.first + optional2);
        if (c2[29].find(composite) == std::string::npos) continue;
        if (++matches > 1) return std::nullopt;
        found = {head + tail, birth + sexes[0] + expiry.first + "VNM" +
                                  optional2 + composite};
      }
    }
  }
  return found;
}

// Whether every field with a check digit verified (and, on Vietnamese
// cards, the document number is the ID's last 9 digits). Among many
// candidate combinations one composite check digit holds by chance one time
// in ten, so it counts only over fields that verify on their own.
// A date field's check digit holds one time in ten by chance (a reading
// shifted by a stray glyph: "865111" for 851110): only a real date counts.
bool DateVerified(const MrzField& text, const std::optional<Date>& date) {
  return text.verified && date.has_value();
}

bool FieldsVerified(const Td1Mrz& m) {
  return m.document_number.verified &&
         (!m.citizen_id.has_value() ||
          (m.citizen_id->verified &&
           m.citizen_id->value.size() == kVietnameseIdDigits &&
           m.document_number.value == m.citizen_id->value.substr(3))) &&
         DateVerified(m.birth_date_text, m.birth_date) &&
         DateVerified(m.expiry_date_text, m.expiry_date);
}

bool Proven(const Td1Mrz& m) {
  return m.composite_verified && FieldsVerified(m) &&
         m.citizen_id.has_value() &&
         m.citizen_id->value.size() == kVietnameseIdDigits &&
         m.document_number.value == m.citizen_id->value.substr(3);
}

}  // namespace

int Td1Evidence(const Td1Mrz& m) {
  int s = m.composite_verified && FieldsVerified(m) ? 4 : 0;
  if (m.document_number.verified) ++s;
  if (m.citizen_id.has_value() && m.citizen_id->verified) ++s;
  if (DateVerified(m.birth_date_text, m.birth_date)) ++s;
  if (DateVerified(m.expiry_date_text, m.expiry_date)) ++s;
  // A resized filler run shifts fields; prefer a reading that needed none.
  if (m.fillers_adjusted) --s;
  // A birth date the card's expiry (a birthday) contradicts hides a
  // misread that check digits cannot see.
  if (BirthdayContradictsExpiry(m)) --s;
  // On Vietnamese cards the document number is the ID's last 9 digits: a
  // second, independent reading of them.
  if (m.citizen_id.has_value()) {
    const std::string& id = m.citizen_id->value;
    if (id.size() != kVietnameseIdDigits) {
      s -= 2;
    } else if (m.document_number.value == id.substr(3)) {
      ++s;
    }
  }
  return s;
}

namespace {

// A Vietnamese ID card's line 1 with its fixed cells put back: "IDVNM" in
// place of what was read up to the issuing state (its "VN" among the first
// characters, a glyph more or less before it, or else the first five
// cells), and, when that leaves 30 cells, the two fillers before the last.
std::string WithVietnameseLayout(const std::string& line) {
  constexpr std::string_view kHead = "IDVNM";
  constexpr size_t kStateAt = 2, kSlack = 2, kFillersAt = 27;
  const size_t vn = line.substr(0, kStateAt + 2 + kSlack).find("VN");
  const size_t end = vn != std::string::npos ? vn + 3 : kHead.size();
  if (end > line.size()) return line;
  std::string out = std::string(kHead) + line.substr(end);
  if (out.size() == static_cast<size_t>(kTd1LineLength)) {
    out.replace(kFillersAt, 2, "<<");
  }
  return out;
}

}  // namespace

absl::StatusOr<Td1Mrz> CombineOcrTd1(const std::vector<std::string>& readings,
                                     const Date& today, Td1Zone zone) {
  std::array<std::vector<std::vector<std::string>>, 3> candidates;
  Votes names;
  int used = 0;
  for (size_t r = 0; r < readings.size() && r < kMaxTd1Readings; ++r) {
    // Far more than a zone's 92 characters is not a reading of one.
    if (readings[r].size() > kMaxReadingBytes) continue;
    std::vector<std::string> lines = SplitLines(readings[r]);
    if (lines.size() != 3) continue;
    for (int l = 0; l < 3; ++l) {
      candidates[l].push_back(LineCandidates(lines[l], l));
    }
    if (zone == Td1Zone::kVietnameseIdCard) {
      for (std::string& line : candidates[0].back()) {
        line = WithVietnameseLayout(line);
      }
    }
    names.Add(candidates[2].back().front(), used++);
  }
  if (used == 0) {
    return absl::InvalidArgumentError(
        "no reading of the MRZ has the 3 lines of a TD1 zone");
  }
  const auto line1 = Splices(candidates[0], kLine1Slots);
  const auto line2 = Splices(candidates[1], kLine2Slots);
  // Names have no check digit: the spelling most readings agree on.
  const std::string name = names.Best(1).front();

  std::optional<Td1Mrz> best;
  std::pair<int, int> best_rank = {-1, -1};
  for (const auto& [l1, votes1] : line1) {
    for (const auto& [l2, votes2] : line2) {
      auto parsed = ParseTd1(l1 + "\n" + l2 + "\n" + name, today);
      if (!parsed.ok()) continue;
      // Check digits first, then agreement between readings; ties keep the
      // earlier (less edited) candidate.
      const std::pair<int, int> rank = {Td1Evidence(*parsed), votes1 + votes2};
      if (rank > best_rank) {
        best_rank = rank;
        best = *std::move(parsed);
      }
    }
  }
  if (!best.has_value()) {
    return absl::InvalidArgumentError(
        "no reading of the MRZ parses as a TD1 zone");
  }
  if (!FieldsVerified(*best)) best->composite_verified = false;
  if (Proven(*best)) return *std::move(best);

  // Digits misread in every reading: the zone's constraints together.
  std::vector<std::string> line1s, line2s;
  for (int l : {0, 1}) {
    for (const auto& reading : candidates[l]) {
      for (const std::string& line : reading) {
        if (line.size() != static_cast<size_t>(kTd1LineLength)) continue;
        (l == 0 ? line1s : line2s).push_back(line);
        break;
      }
    }
  }
  // Each pair of readings alone (few options per digit), then all pooled;
  // every search that finds a single answer must find the same one.
  std::optional<std::pair<std::string, std::string>> repaired;
  bool conflict = false;
  const auto attempt = [&](const std::vector<std::string>& l1s,
                           const std::vector<std::string>& l2s) {
    auto r = RepairVietnameseDigits(l1s, l2s, today);
    if (!r.has_value()) return;
    // The document code ("ID", read "1D" or "10") is not at stake.
    if (repaired.has_value() &&
        (repaired->first.substr(5) != r->first.substr(5) ||
         repaired->second != r->second)) {
      conflict = true;
    }
    if (repaired.has_value()) return;
    repaired = std::move(r);
  };
  for (const std::string& l1 : line1s) {
    for (const std::string& l2 : line2s) attempt({l1}, {l2});
  }
  if (line1s.size() > 1 || line2s.size() > 1) attempt(line1s, line2s);
  if (!repaired.has_value() || conflict) return *std::move(best);
  auto parsed =
      ParseTd1(repaired->first + "\n" + repaired->second + "\n" + name, today);
  if (!parsed.ok() || !FieldsVerified(*parsed) ||
      !parsed->citizen_id.has_value() ||
      parsed->document_number.value != parsed->citizen_id->value.substr(3)) {
    return *std::move(best);
  }
  const auto mark = [](MrzField& f, const MrzField& before) {
    if (f.value != before.value) f.repaired = true;
  };
  mark(parsed->document_number, best->document_number);
  if (best->citizen_id.has_value()) {
    mark(*parsed->citizen_id, *best->citizen_id);
  } else {
    parsed->citizen_id->repaired = true;
  }
  mark(parsed->birth_date_text, best->birth_date_text);
  mark(parsed->expiry_date_text, best->expiry_date_text);
  return *std::move(parsed);
}

absl::StatusOr<Td1Mrz> ParseOcrTd1(std::string_view ocr_text,
                                   const Date& today) {
  if (SplitLines(ocr_text).size() != 3) return ParseTd1(ocr_text, today);
  auto combined = CombineOcrTd1({std::string(ocr_text)}, today);
  if (combined.ok()) return combined;
  return ParseTd1(ocr_text, today);
}

}  // namespace cdkv::ocr
