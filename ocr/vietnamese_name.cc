#include "ocr/vietnamese_name.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

// Stop finals: a syllable closed by one is checked, and takes only the
// rising (sắc) or heavy (nặng) tone.
constexpr std::string_view kStopFinals[] = {"ch", "c", "p", "t"};

// Onsets, longest first so that "ngh" is tried before "ng" and "n".
constexpr std::string_view kOnsets[] = {
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th",
    "tr",  "b",  "c",  "d",  "đ",  "g",  "h",  "k",  "l",  "m",
    "n",   "p",  "r",  "s",  "t",  "v",  "x",  ""};

// Every rhyme of standard Vietnamese orthography, untoned, medial o/u
// included ("oanh", "uyên"). Rhymes that only occur after "qu" are built
// from these by dropping their medial (see RhymeAfterQu).
const std::set<std::string>& Rhymes() {
  static const std::set<std::string>* rhymes = [] {
    auto* s = new std::set<std::string>{
        // Open rhymes.
        "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au",
        "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui",
        "ưa", "ưi", "ưu", "iêu", "yêu", "uôi", "ươi", "ươu", "oa", "oe", "uê",
        "uy", "uơ", "oai", "oay", "oao", "oeo", "uây", "uya", "uyu",
        // Rare but real.
        "ooc", "oong"};
    // Nuclei and the finals each takes.
    const std::pair<std::string_view, std::vector<std::string_view>> closed[] =
        {{"a", {"c", "ch", "m", "n", "ng", "nh", "p", "t"}},
         {"ă", {"c", "m", "n", "ng", "p", "t"}},
         {"â", {"c", "m", "n", "ng", "p", "t"}},
         {"e", {"c", "m", "n", "ng", "p", "t"}},
         {"ê", {"ch", "m", "n", "nh", "p", "t"}},
         {"i", {"ch", "m", "n", "nh", "p", "t"}},
         {"o", {"c", "m", "n", "ng", "p", "t"}},
         {"ô", {"c", "m", "n", "ng", "p", "t"}},
         {"ơ", {"m", "n", "p", "t"}},
         {"u", {"c", "m", "n", "ng", "p", "t"}},
         {"ư", {"c", "m", "n", "ng", "t"}},
         {"iê", {"c", "m", "n", "ng", "p", "t"}},
         {"yê", {"m", "n", "ng", "t"}},
         {"uô", {"c", "m", "n", "ng", "t"}},
         {"ươ", {"c", "m", "n", "ng", "p", "t"}},
         {"oa", {"c", "ch", "m", "n", "ng", "nh", "p", "t"}},
         {"oă", {"c", "m", "n", "ng", "t"}},
         {"oe", {"m", "n", "t"}},
         {"uâ", {"n", "ng", "t"}},
         {"uê", {"ch", "nh"}},
         {"uy", {"ch", "n", "nh", "p", "t"}},
         {"uyê", {"n", "t"}}};
    for (const auto& [nucleus, finals] : closed) {
      for (std::string_view f : finals) {
        s->insert(std::string(nucleus) + std::string(f));
      }
    }
    return s;
  }();
  return *rhymes;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// The front vowels before which the velar onsets are spelt k, gh, ngh.
bool FrontVowelFirst(std::string_view rhyme) {
  return StartsWith(rhyme, "i") || StartsWith(rhyme, "e") ||
         StartsWith(rhyme, "ê") || StartsWith(rhyme, "y");
}

bool ValidRhyme(std::string_view rhyme) {
  return Rhymes().count(std::string(rhyme)) > 0;
}

// After "qu" the medial u is part of the onset's spelling: "quang" is qu +
// (o)ang, "quân" qu + (u)ân, "quý" qu + (u)y.
bool RhymeAfterQu(std::string_view rest) {
  if (rest.empty() || StartsWith(rest, "u") || StartsWith(rest, "o")) {
    return false;
  }
  return ValidRhyme("o" + std::string(rest)) ||
         ValidRhyme("u" + std::string(rest));
}

bool SpellingAllowed(std::string_view onset, std::string_view rhyme) {
  const bool front = FrontVowelFirst(rhyme);
  if (onset == "k" || onset == "gh" || onset == "ngh") return front;
  if (onset == "c" || onset == "ng") return !front;
  // "g" before i is the onset gi with its i shared ("gì", "gìn").
  if (onset == "g") return !StartsWith(rhyme, "e") && !StartsWith(rhyme, "ê");
  if (onset == "gi") return !StartsWith(rhyme, "i");
  // yê- stands alone; after a consonant the same sound is spelt iê-.
  if (StartsWith(rhyme, "yê")) return onset.empty();
  if (StartsWith(rhyme, "iê")) return !onset.empty();
  return true;
}

bool IsVowel(char32_t c) {
  static constexpr std::u32string_view kVowels = U"aăâeêioôơuưy";
  return kVowels.find(c) != std::u32string_view::npos;
}

bool IsVietnameseLetter(char32_t c) {
  static constexpr std::u32string_view kLetters =
      U"aăâbcdđeêghiklmnoôơpqrstuưvxy";
  return kLetters.find(c) != std::u32string_view::npos;
}

std::optional<Tone> ToneOfMark(char16_t mark) {
  switch (mark) {
    case 0x0300:
      return Tone::kFalling;
    case 0x0301:
      return Tone::kRising;
    case 0x0309:
      return Tone::kQuestion;
    case 0x0303:
      return Tone::kTumbling;
    case 0x0323:
      return Tone::kHeavy;
    default:
      return std::nullopt;
  }
}

// Splits a lower-case NFD syllable into its toneless letters (NFC) and its
// tone; nullopt for two tone marks or a tone mark on a consonant.
std::optional<std::pair<std::u32string, Tone>> StripTone(
    const icu::UnicodeString& nfd) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return std::nullopt;
  icu::UnicodeString kept;
  std::optional<Tone> tone;
  int32_t toned_at = -1;  // Index in `kept` of the letter under the tone.
  for (int32_t i = 0; i < nfd.length(); ++i) {
    const char16_t c = nfd.charAt(i);
    if (auto t = ToneOfMark(c); t.has_value()) {
      if (tone.has_value() || kept.isEmpty()) return std::nullopt;
      tone = t;
      toned_at = kept.length() - 1;
      continue;
    }
    kept.append(c);
  }
  // Find which composed letter carries the tone: the base letter at
  // `toned_at` plus any marks after it compose into one letter.
  const icu::UnicodeString composed = nfc->normalize(kept, error);
  if (U_FAILURE(error)) return std::nullopt;
  std::u32string letters;
  for (int32_t i = 0; i < composed.length();) {
    const UChar32 c = composed.char32At(i);
    letters.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  if (tone.has_value()) {
    // Count base letters (non-marks) in `kept` up to toned_at.
    int base_index = -1;
    for (int32_t i = 0; i <= toned_at; ++i) {
      const char16_t c = kept.charAt(i);
      if (c < 0x0300 || c > 0x036F) ++base_index;
    }
    if (base_index < 0 || base_index >= static_cast<int>(letters.size()) ||
        !IsVowel(letters[base_index])) {
      return std::nullopt;
    }
  }
  return std::make_pair(std::move(letters), tone.value_or(Tone::kLevel));
}

std::string ToUtf8(std::u32string_view s) {
  icu::UnicodeString u;
  for (char32_t c : s) u.append(static_cast<UChar32>(c));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Name lists from general knowledge of Vietnamese names (family names
// cover well over 95% of the population).
const std::vector<std::string_view>& FamilyNames() {
  static const std::vector<std::string_view> names = {
      "Nguyễn", "Trần", "Lê",    "Phạm",   "Hoàng", "Huỳnh", "Phan",   "Vũ",
      "Võ",     "Đặng", "Bùi",   "Đỗ",     "Hồ",    "Ngô",   "Dương",  "Lý",
      "Đinh",   "Đào",  "Trịnh", "Mai",    "Tô",    "Hà",    "Lâm",    "Lương",
      "Cao",    "Đoàn", "Tạ",    "Châu",   "Thái",  "Quách", "Kiều",   "Lưu",
      "Tăng",   "Hứa",  "La",    "Lã",     "Từ",    "Vương", "Triệu",  "Thân",
      "Nông",   "Lục",  "Lữ",    "Khúc",   "Đàm",   "Tống",  "Giang",  "Âu",
      "Kim",    "Mạc",  "Phùng", "Ông",    "Cù",    "Chu",   "Diệp",   "Hàn",
      "Khổng",  "Lại",  "Mã",    "Nghiêm", "Quan",  "Tiêu",  "Trương", "Ung",
      "Viên",   "Văn",  "Đồng",  "Đường",  "Lò",    "Quàng", "Sầm",    "Thạch",
      "Danh",   "Lạc",  "Bế",    "Nhữ",    "Thiều", "Tôn",   "Ninh",   "Lều"};
  return names;
}

// Each syllable is listed in the part where it is usual: "Thùy" is mostly a
// middle name (Thùy Linh, Thùy Dung) and "Thúy" mostly a given one (Nguyễn
// Thị Thúy), so where the marks cannot tell them apart (see
// PoolAcuteWithGraveWhenFamilyShows) the middle one leans to Thùy.
const std::vector<std::string_view>& MiddleNames() {
  static const std::vector<std::string_view> names = {
      "Văn",   "Thị",  "Hữu",   "Đức",   "Minh", "Ngọc",   "Thanh", "Quang",
      "Xuân",  "Thu",  "Kim",   "Bảo",   "Gia",  "Công",   "Đình",  "Trọng",
      "Mạnh",  "Anh",  "Thành", "Tuấn",  "Hồng", "Phương", "Thùy",  "Mỹ",
      "Diệu",  "Như",  "Quốc",  "Hoàng", "Nhật", "Tấn",    "Việt",  "Duy",
      "Khánh", "Hải",  "Thế",   "Bích",  "Ánh",  "Cẩm",    "Hoài",  "Huy",
      "Phúc",  "Tiến", "Trung", "Kiều",  "Lệ",   "Tường",  "Đăng",  "Thiên",
      "Vĩnh",  "Bá",   "Chí",   "Đắc",   "Khắc", "Nguyên", "Phước", "Phú",
      "Quý",   "Sỹ",   "Tất",   "Thái",  "Trí",  "Trường", "Hiếu",  "Uyên",
      "Hương", "Tú",   "Yến",   "Mai",   "Ngân", "Hà",     "Lan",   "Linh",
      "Nam",   "An",   "Bình",  "Khả",   "Hạnh", "Thảo",   "Vân",   "Đông",
      "Trâm",  "Hoa",  "Tuệ",   "Tâm",   "Thục", "Cao",    "Đại"};
  return names;
}

const std::vector<std::string_view>& GivenNames() {
  static const std::vector<std::string_view> names = {
      "An",    "Anh",   "Ánh",   "Bảo",   "Bích",   "Bình",   "Cường",
      "Châu",  "Chi",   "Chiến", "Công",  "Cúc",    "Danh",   "Diệp",
      "Diệu",  "Dung",  "Dũng",  "Duy",   "Duyên",  "Dương",  "Đạt",
      "Đào",   "Điệp",  "Định",  "Đông",  "Đức",    "Giang",  "Hà",
      "Hải",   "Hân",   "Hạnh",  "Hằng",  "Hậu",    "Hiền",   "Hiển",
      "Hiếu",  "Hiệp",  "Hòa",   "Hoa",   "Hoài",   "Hoàng",  "Hồng",
      "Huệ",   "Hùng",  "Hưng",  "Hương", "Hường",  "Huy",    "Huyền",
      "Kha",   "Khang", "Khanh", "Khánh", "Khoa",   "Khôi",   "Kiên",
      "Kiệt",  "Kim",   "Lam",   "Lan",   "Lâm",    "Liên",   "Liễu",
      "Linh",  "Loan",  "Lộc",   "Long",  "Luân",   "Lực",    "Ly",
      "Lý",    "Mai",   "Mạnh",  "Minh",  "My",     "Mỹ",     "Nam",
      "Nga",   "Ngân",  "Nghĩa", "Ngọc",  "Nguyên", "Nguyệt", "Nhàn",
      "Nhân",  "Nhi",   "Nhung", "Như",   "Oanh",   "Phát",   "Phong",
      "Phú",   "Phúc",  "Phụng", "Phước", "Phương", "Phượng", "Quân",
      "Quang", "Quế",   "Quốc",  "Quý",   "Quyên",  "Quỳnh",  "Sang",
      "Sơn",   "Sương", "Tài",   "Tâm",   "Tân",    "Thái",   "Thắm",
      "Thắng", "Thanh", "Thành", "Thảo",  "Thi",    "Thiện",  "Thịnh",
      "Thoa",  "Thông", "Thu",   "Thư",   "Thuận",  "Thương", "Thủy",
      "Thúy",  "Thy",   "Tiến",  "Tín",   "Toàn",   "Trà",    "Trâm",
      "Trang", "Trí",   "Trinh", "Trọng", "Trung",  "Trúc",   "Tú",
      "Tuấn",  "Tùng",  "Tuyết", "Uyên",  "Vân",    "Vi",     "Việt",
      "Vinh",  "Vĩnh",  "Vũ",    "Vy",    "Xuân",   "Yến",    "Đan",
      "Diễm",  "Đăng",  "Điền",  "Hảo",   "Khải",   "Lợi",    "Lương",
      "Nhật",  "Phi",   "Sỹ",    "Tiên",  "Toản",   "Trường", "Tường",
      "Tuệ",   "Ý",     "Hào",   "Hiệu",  "Hợp",    "Kiều",   "Lễ",
      "Lệ",    "Ngà",   "Nhã",   "Sinh",  "Tạo",    "Thạch",  "Thuần",
      "Tịnh",  "Trân",  "Tuyền", "Vỹ",    "Hiên",   "Khuê",   "Lành",
      "Mận",   "Nhạn",  "Sáng",  "Tươi",  "Xoan",   "Yên"};
  return names;
}

// A syllable in a comparable form: onset, rhyme and tone, whatever vowel
// the tone mark was written on ("Hòa" and "Hoà" are the same name).
std::optional<std::string> Key(std::string_view syllable) {
  auto parsed = ParseSyllable(syllable);
  if (!parsed.has_value()) return std::nullopt;
  return parsed->onset + "|" + parsed->rhyme + "|" +
         std::to_string(static_cast<int>(parsed->tone));
}

std::set<std::string> KeysOf(const std::vector<std::string_view>& names) {
  std::set<std::string> keys;
  for (std::string_view n : names) {
    if (auto k = Key(n); k.has_value()) keys.insert(*k);
  }
  return keys;
}

// The part of a name the i-th of `count` syllables stands in.
NamePart PartAt(size_t i, size_t count) {
  return i == 0           ? NamePart::kFamily
         : i + 1 == count ? NamePart::kGiven
                          : NamePart::kMiddle;
}

// How common each family name is, in percent of the population (the widely
// cited survey figures; regional twins such as Hoàng/Huỳnh and Vũ/Võ are
// counted together there and split here). One in three Vietnamese is a
// Nguyễn and fourteen names cover nine in ten, so when blur leaves "LÝ" and
// "LÊ" both possible, Lê is twenty times the likelier name before any
// reading is weighed. A family name listed in FamilyNames but not here is
// taken as kOtherFamilyShare.
constexpr std::pair<std::string_view, double> kFamilyShares[] = {
    {"Nguyễn", 38.4}, {"Trần", 12.1},  {"Lê", 9.5},    {"Phạm", 7.0},
    {"Hoàng", 2.55},  {"Huỳnh", 2.55}, {"Phan", 4.5},  {"Vũ", 1.95},
    {"Võ", 1.95},     {"Đặng", 2.1},   {"Bùi", 2.0},   {"Đỗ", 1.4},
    {"Hồ", 1.3},      {"Ngô", 1.3},    {"Dương", 1.0}, {"Lý", 0.5}};
constexpr double kOtherFamilyShare = 0.3;
// The share at which a family name gets no more and no less than the common
// bonus: the typical share of the fourteen commonest after Nguyễn.
constexpr double kTypicalFamilyShare = 2.0;

// The family name's prior in log units over a typical common one:
// log(share / typical); 0 for a syllable that is no listed family name.
double FamilySharePrior(const std::string& key) {
  static const std::map<std::string, double>* shares = [] {
    auto* m = new std::map<std::string, double>;
    for (std::string_view n : FamilyNames()) {
      if (auto k = Key(n); k.has_value()) (*m)[*k] = kOtherFamilyShare;
    }
    for (const auto& [name, share] : kFamilyShares) {
      if (auto k = Key(name); k.has_value()) (*m)[*k] = share;
    }
    return m;
  }();
  const auto it = shares->find(key);
  return it == shares->end() ? 0.0 : std::log(it->second / kTypicalFamilyShare);
}

// Log-probability floor: an option the OCR gave no probability is very
// unlikely, not impossible.
constexpr double kMinProbability = 1e-4;
// What a malformed syllable costs: more than any plausible OCR preference,
// so a well-formed option always wins when there is one.
constexpr double kMalformedPenalty = 12.0;
// Bonuses for name syllables, in log units: a syllable common in its part
// of a name counts as 8× the OCR probability (10× with kOwnPartBonus), one
// known in another part as 2×. Names draw on a few hundred syllables, so a
// valid syllable that no name uses ("Mỳ", "Dùng", "Thủ", a given "Tuần") is
// far less likely than its common neighbour; 10× still lets a clear reading
// of a rare name stand (Tesseract gives a clearly read syllable 0.9 and its
// twins under 0.05). At 5× a blurred "TUẤN" read "TUẦN" at 0.72 against 0.14
// stayed Tuần.
constexpr double kCommonBonus = 2.079;
constexpr double kKnownBonus = 0.693;
// A syllable usual in its own part of a name counts 1.25× one usual in the
// other (a middle "Thùy" over a middle "Thủy"): enough to settle a tie
// the OCR cannot, too little to overrule a clear reading.
constexpr double kOwnPartBonus = 0.223;
// PoolGraveAndHook pools the two marks only when the less read has at
// least a fifth of the other's weight.
constexpr double kGraveHookTie = 5.0;

std::string Upper(const std::string& text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  u.toUpper(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// An alternative whose share of its character's scores is below this is
// noise, not a candidate.
constexpr double kMinShare = 0.08;
// Spellings kept per word and reading: blur confuses one or two marks per
// word, so the most probable few hold the printed one.
constexpr size_t kMaxSpellings = 12;

}  // namespace

std::optional<Syllable> ParseSyllable(std::string_view syllable) {
  if (syllable.empty() || syllable.size() > 32) return std::nullopt;
  if (!DecodeUtf8(syllable).ok()) return std::nullopt;
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  if (U_FAILURE(error)) return std::nullopt;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(syllable.data(), static_cast<int32_t>(syllable.size())));
  u.toLower(icu::Locale("vi"));
  const icu::UnicodeString decomposed = nfd->normalize(u, error);
  if (U_FAILURE(error)) return std::nullopt;
  auto stripped = StripTone(decomposed);
  if (!stripped.has_value()) return std::nullopt;
  const std::u32string& letters = stripped->first;
  if (letters.empty() ||
      !std::all_of(letters.begin(), letters.end(), IsVietnameseLetter)) {
    return std::nullopt;
  }
  const std::string text = ToUtf8(letters);
  for (std::string_view onset : kOnsets) {
    if (!StartsWith(text, onset)) continue;
    const std::string_view rest = std::string_view(text).substr(onset.size());
    const bool rhyme_ok =
        onset == "qu" ? RhymeAfterQu(rest)
                      : ValidRhyme(rest) && SpellingAllowed(onset, rest);
    if (!rhyme_ok) continue;
    Syllable out{std::string(onset), std::string(rest), stripped->second};
    const bool checked =
        std::any_of(std::begin(kStopFinals), std::end(kStopFinals),
                    [&](std::string_view f) { return EndsWith(out.rhyme, f); });
    if (checked && out.tone != Tone::kRising && out.tone != Tone::kHeavy) {
      return std::nullopt;
    }
    return out;
  }
  return std::nullopt;
}

bool IsValidSyllable(std::string_view syllable) {
  return ParseSyllable(syllable).has_value();
}

namespace {

struct NameKeys {
  std::set<std::string> family, middle, given;

  const std::set<std::string>& Of(NamePart part) const {
    return part == NamePart::kFamily   ? family
           : part == NamePart::kMiddle ? middle
                                       : given;
  }
};

const NameKeys& Names() {
  static const NameKeys* keys = new NameKeys{
      KeysOf(FamilyNames()), KeysOf(MiddleNames()), KeysOf(GivenNames())};
  return *keys;
}

int FrequencyOfKey(const std::string& key, NamePart part) {
  const NameKeys& names = Names();
  if (names.Of(part).count(key) > 0) return 2;
  // Middle names and given names come from one pool ("Ngọc Diễm", "Diễm
  // Ngọc"); only Văn and Thị are nearly always middle names.
  if (part != NamePart::kFamily &&
      (names.middle.count(key) > 0 || names.given.count(key) > 0)) {
    return 2;
  }
  for (const auto* other : {&names.family, &names.middle, &names.given}) {
    if (other->count(key) > 0) return 1;
  }
  return 0;
}

}  // namespace

int NameSyllableFrequency(std::string_view syllable, NamePart part) {
  const auto key = Key(syllable);
  return key.has_value() ? FrequencyOfKey(*key, part) : 0;
}

bool UsualInPart(std::string_view syllable, NamePart part) {
  const auto key = Key(syllable);
  return key.has_value() && Names().Of(part).count(*key) > 0;
}

const std::vector<std::string_view>& CommonFamilyNames() {
  return FamilyNames();
}

std::vector<NameCandidate> RankNameCandidates(
    const std::vector<std::vector<SyllableOption>>& syllables,
    size_t max_results) {
  if (syllables.empty() || max_results == 0) return {};
  std::vector<NameCandidate> beam = {NameCandidate{"", 0.0, true}};
  for (size_t i = 0; i < syllables.size(); ++i) {
    if (syllables[i].empty()) return {};
    const NamePart part = PartAt(i, syllables.size());
    std::vector<NameCandidate> next;
    for (const SyllableOption& option : syllables[i]) {
      const bool valid = IsValidSyllable(option.text);
      double score =
          std::log(std::clamp(option.probability, kMinProbability, 1.0));
      if (!valid) score -= kMalformedPenalty;
      if (const auto key = Key(option.text); key.has_value()) {
        const int frequency = FrequencyOfKey(*key, part);
        if (frequency == 2) score += kCommonBonus;
        if (frequency == 1) score += kKnownBonus;
        if (Names().Of(part).count(*key) > 0) score += kOwnPartBonus;
        if (part == NamePart::kFamily) score += FamilySharePrior(*key);
      }
      for (const NameCandidate& prefix : beam) {
        next.push_back(NameCandidate{
            prefix.name.empty() ? option.text : prefix.name + " " + option.text,
            prefix.score + score, prefix.all_valid && valid});
      }
    }
    std::stable_sort(next.begin(), next.end(),
                     [](const NameCandidate& a, const NameCandidate& b) {
                       return a.score > b.score;
                     });
    // Two options spelt alike (from different readings) make one candidate.
    std::vector<NameCandidate> unique;
    for (NameCandidate& c : next) {
      if (std::none_of(
              unique.begin(), unique.end(),
              [&](const NameCandidate& u) { return u.name == c.name; })) {
        unique.push_back(std::move(c));
      }
      if (unique.size() == max_results) break;
    }
    beam = std::move(unique);
  }
  return beam;
}

std::vector<std::vector<SyllableOption>> PoolSyllableOptions(
    const std::vector<std::vector<WordChoices>>& readings) {
  std::map<size_t, int> counts;
  size_t first_count = 0;
  for (const auto& words : readings) {
    if (words.empty()) continue;
    if (first_count == 0) first_count = words.size();
    ++counts[words.size()];
  }
  if (counts.empty()) return {};
  // The most common word count; the first reading's on a tie.
  size_t word_count = first_count;
  for (const auto& [count, seen] : counts) {
    if (seen > counts[word_count]) word_count = count;
  }
  std::vector<std::map<std::string, double>> pooled(word_count);
  int used = 0;
  for (const auto& words : readings) {
    if (words.size() != word_count) continue;
    ++used;
    for (size_t w = 0; w < word_count; ++w) {
      for (const auto& [text, probability] :
           LikelySpellings(words[w], kMaxSpellings, kMinShare)) {
        pooled[w][Upper(text)] += probability;
      }
    }
  }
  std::vector<std::vector<SyllableOption>> out(word_count);
  for (size_t w = 0; w < word_count; ++w) {
    for (const auto& [text, sum] : pooled[w]) {
      out[w].push_back(SyllableOption{text, sum / used});
    }
    std::sort(out[w].begin(), out[w].end(),
              [](const SyllableOption& a, const SyllableOption& b) {
                return a.probability > b.probability;
              });
  }
  return out;
}

void CreditErasedTones(std::vector<std::vector<SyllableOption>>& syllables,
                       double share) {
  if (!(share > 0)) return;
  share = std::min(share, 1.0);
  for (size_t i = 0; i < syllables.size(); ++i) {
    const NamePart part = PartAt(i, syllables.size());
    std::vector<SyllableOption>& options = syllables[i];
    for (SyllableOption& bare : options) {
      const auto letters = ParseSyllable(bare.text);
      if (!letters.has_value() || letters->tone != Tone::kLevel ||
          !(bare.probability > 0) ||
          NameSyllableFrequency(bare.text, part) != 0) {
        continue;
      }
      std::vector<SyllableOption*> marked;
      double total = 0;
      for (SyllableOption& other : options) {
        const auto parsed = ParseSyllable(other.text);
        if (!parsed.has_value() || parsed->tone == Tone::kLevel ||
            parsed->onset != letters->onset ||
            parsed->rhyme != letters->rhyme || !(other.probability > 0) ||
            NameSyllableFrequency(other.text, part) == 0) {
          continue;
        }
        marked.push_back(&other);
        total += other.probability;
      }
      if (!(total > 0)) continue;
      const double moved = bare.probability * share;
      for (SyllableOption* other : marked) {
        other->probability += moved * other->probability / total;
      }
      bare.probability -= moved;
    }
  }
}

namespace {

// A probability the mark functions may move: finite and positive (hostile
// or broken input is left as it is).
bool Usable(double probability) {
  return std::isfinite(probability) && probability > 0;
}

// Most probable first; NaN last, so the order stays strict and weak.
void SortByProbability(std::vector<SyllableOption>& options) {
  auto rank = [](double p) {
    return std::isnan(p) ? -std::numeric_limits<double>::infinity() : p;
  };
  std::stable_sort(options.begin(), options.end(),
                   [&](const SyllableOption& a, const SyllableOption& b) {
                     return rank(a.probability) > rank(b.probability);
                   });
}

constexpr char16_t kBreve = 0x0306;
constexpr char16_t kCircumflex = 0x0302;
constexpr char16_t kHorn = 0x031B;
constexpr char16_t kGrave = 0x0300;
constexpr char16_t kHook = 0x0309;
constexpr char16_t kAcute = 0x0301;
constexpr char16_t kTilde = 0x0303;
constexpr char16_t kDot = 0x0323;

bool IsVowelMark(char16_t c) {
  return c == kBreve || c == kCircumflex || c == kHorn;
}

// `text` with one vowel given the mark blur erases (see
// CreditErasedVowelMarks), each spelling once, NFC, in `text`'s case.
std::vector<std::string> WithVowelMark(const std::string& text) {
  // No syllable is longer ("nghiêng" is 9 bytes); see ParseSyllable.
  if (text.empty() || text.size() > 32) return {};
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return {};
  const icu::UnicodeString source =
      nfd->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(
                         text.data(), static_cast<int32_t>(text.size()))),
                     error);
  if (U_FAILURE(error)) return {};
  // A base letter already carrying a vowel mark takes no other.
  auto marked = [&](int32_t i) {
    for (int32_t j = i + 1; j < source.length(); ++j) {
      const char16_t c = source.charAt(j);
      if (c < 0x0300 || c > 0x036F) return false;
      if (IsVowelMark(c)) return true;
    }
    return false;
  };
  auto lower = [](char16_t c) {
    return static_cast<char16_t>(c >= u'A' && c <= u'Z' ? c - u'A' + u'a' : c);
  };
  std::vector<icu::UnicodeString> variants;
  for (int32_t i = 0; i < source.length(); ++i) {
    const char16_t c = lower(source.charAt(i));
    if ((c != u'a' && c != u'e' && c != u'o' && c != u'u') || marked(i)) {
      continue;
    }
    std::vector<char16_t> marks;
    if (c == u'a') marks = {kBreve, kCircumflex};
    if (c == u'e') marks = {kCircumflex};
    if (c == u'o') marks = {kCircumflex, kHorn};
    if (c == u'u') marks = {kHorn};
    for (char16_t mark : marks) {
      icu::UnicodeString v(source);
      v.insert(i + 1, mark);
      variants.push_back(v);
    }
    // "ươ" carries two horns; blur erases both.
    if (c == u'u') {
      for (int32_t j = i + 1; j < source.length(); ++j) {
        const char16_t next = source.charAt(j);
        if (next >= 0x0300 && next <= 0x036F) continue;
        if (lower(next) == u'o' && !marked(j)) {
          icu::UnicodeString v(source);
          v.insert(j + 1, kHorn);
          v.insert(i + 1, kHorn);
          variants.push_back(v);
        }
        break;
      }
    }
  }
  std::vector<std::string> out;
  for (const icu::UnicodeString& v : variants) {
    // NFC orders the inserted mark before or after a dot below as Unicode
    // requires, then composes ("ạ" plus a breve is "ặ").
    const icu::UnicodeString composed = nfc->normalize(v, error);
    if (U_FAILURE(error)) return {};
    std::string utf8;
    composed.toUTF8String(utf8);
    if (std::find(out.begin(), out.end(), utf8) == out.end()) {
      out.push_back(std::move(utf8));
    }
  }
  return out;
}

// `text` with the combining mark `from` replaced by `to` (NFC), or nullopt
// when it has no `from`.
std::optional<std::string> WithMarkSwapped(std::string_view text, char16_t from,
                                           char16_t to) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return std::nullopt;
  icu::UnicodeString u =
      nfd->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(
                         text.data(), static_cast<int32_t>(text.size()))),
                     error);
  if (U_FAILURE(error) || u.indexOf(static_cast<UChar>(from)) < 0) {
    return std::nullopt;
  }
  u.findAndReplace(icu::UnicodeString(static_cast<UChar>(from)),
                   icu::UnicodeString(static_cast<UChar>(to)));
  const icu::UnicodeString composed = nfc->normalize(u, error);
  if (U_FAILURE(error)) return std::nullopt;
  std::string out;
  composed.toUTF8String(out);
  return out;
}

}  // namespace

void PoolGraveAndHook(std::vector<std::vector<SyllableOption>>& syllables) {
  for (std::vector<SyllableOption>& options : syllables) {
    // Per spelling without its tone (onset and rhyme), the weight of the
    // grave spellings and of the hook spellings; each option parsed once.
    struct Sides {
      double grave = 0, hook = 0;
    };
    std::map<std::string, Sides> sides;
    std::vector<std::optional<std::pair<std::string, Tone>>> parsed;
    for (const SyllableOption& o : options) {
      auto syllable = ParseSyllable(o.text);
      if (!syllable.has_value() || !Usable(o.probability) ||
          (syllable->tone != Tone::kFalling &&
           syllable->tone != Tone::kQuestion)) {
        parsed.emplace_back();
        continue;
      }
      std::string letters = syllable->onset + "|" + syllable->rhyme;
      Sides& side = sides[letters];
      (syllable->tone == Tone::kFalling ? side.grave : side.hook) +=
          o.probability;
      parsed.emplace_back(std::make_pair(std::move(letters), syllable->tone));
    }
    bool changed = false;
    for (size_t i = 0; i < options.size(); ++i) {
      if (!parsed[i].has_value()) continue;
      const Sides& side = sides[parsed[i]->first];
      const double more = std::max(side.grave, side.hook);
      const double less = std::min(side.grave, side.hook);
      // Both read, and neither much less than the other: a clear reading
      // of one mark stands.
      if (!(less > 0) || less * kGraveHookTie < more) continue;
      const double own =
          parsed[i]->second == Tone::kFalling ? side.grave : side.hook;
      options[i].probability *= (side.grave + side.hook) / 2 / own;
      changed = true;
    }
    if (changed) SortByProbability(options);
  }
}

void CreditGraveReadAsHook(std::vector<std::vector<SyllableOption>>& syllables,
                           double share) {
  if (!(share > 0)) return;
  share = std::min(share, 1.0);
  for (std::vector<SyllableOption>& options : syllables) {
    // Per grave spelling, the weight its hook twins give it; computed from
    // the options as read, so a spelling credited here is not a source.
    std::map<std::string, double> credit;
    for (const SyllableOption& o : options) {
      if (!Usable(o.probability)) continue;
      const auto syllable = ParseSyllable(o.text);
      if (!syllable.has_value() || syllable->tone != Tone::kQuestion) continue;
      if (auto grave = WithMarkSwapped(o.text, kHook, kGrave);
          grave.has_value()) {
        credit[*grave] = std::max(credit[*grave], o.probability * share);
      }
    }
    if (credit.empty()) continue;
    for (const auto& [text, amount] : credit) {
      const auto key = Key(text);
      if (!key.has_value()) continue;
      auto it = std::find_if(
          options.begin(), options.end(), [&](const SyllableOption& o) {
            return Usable(o.probability) && Key(o.text) == key;
          });
      // Raised to the credit, not added to: a grave read as often as its
      // hook twin (pooled by PoolGraveAndHook) gains nothing.
      if (it != options.end()) {
        it->probability = std::max(it->probability, amount);
      } else {
        options.push_back(SyllableOption{text, amount});
      }
    }
    SortByProbability(options);
  }
}

void CreditMarkTwinsOfNonNames(
    std::vector<std::vector<SyllableOption>>& syllables, double share) {
  if (!(share > 0)) return;
  share = std::min(share, 1.0);
  static constexpr char16_t kMarks[] = {kGrave, kAcute, kHook, kTilde, kDot};
  for (size_t i = 0; i < syllables.size(); ++i) {
    const NamePart part = PartAt(i, syllables.size());
    std::vector<SyllableOption>& options = syllables[i];
    const SyllableOption* top = nullptr;
    bool any_name = false;
    for (const SyllableOption& o : options) {
      if (!Usable(o.probability)) continue;
      any_name |= NameSyllableFrequency(o.text, part) != 0;
      if (top == nullptr || o.probability > top->probability) top = &o;
    }
    if (any_name || top == nullptr) continue;
    const auto read = ParseSyllable(top->text);
    if (!read.has_value() || read->tone == Tone::kLevel) continue;
    const char16_t mark = kMarks[static_cast<int>(read->tone) - 1];
    const double amount = top->probability * share;
    std::vector<std::string> twins;
    for (const char16_t other : kMarks) {
      if (other == mark) continue;
      auto twin = WithMarkSwapped(top->text, mark, other);
      if (twin.has_value() && UsualInPart(*twin, part)) {
        twins.push_back(*std::move(twin));
      }
    }
    for (std::string& text : twins) {
      const auto key = Key(text);
      auto it = std::find_if(
          options.begin(), options.end(), [&](const SyllableOption& o) {
            return Usable(o.probability) && Key(o.text) == key;
          });
      if (it != options.end()) {
        it->probability = std::max(it->probability, amount);
      } else {
        options.push_back(SyllableOption{std::move(text), amount});
      }
    }
    SortByProbability(options);
  }
}

namespace {

// Whether the family name's likeliest spelling carries an acute no family
// name has while its grave twin is one (see
// PoolAcuteWithGraveWhenFamilyShows).
bool FamilyShowsGraveAsAcute(
    const std::vector<std::vector<SyllableOption>>& syllables) {
  if (syllables.size() < 2 || syllables[0].empty()) return false;
  const auto family =
      std::max_element(syllables[0].begin(), syllables[0].end(),
                       [](const SyllableOption& a, const SyllableOption& b) {
                         return a.probability < b.probability;
                       });
  if (!Usable(family->probability)) return false;
  // Letters and tone only: blur that swaps the tone marks also drops a
  // circumflex or a horn now and then ("TRÁN" for TRẦN).
  const auto letters_and_tone =
      [](std::string_view text) -> std::optional<std::string> {
    const auto syllable = ParseSyllable(text);
    const auto folded = FoldVietnameseToAsciiUpper(text);
    if (!syllable.has_value() || !folded.ok()) return std::nullopt;
    return *folded + "|" + std::to_string(static_cast<int>(syllable->tone));
  };
  static const std::set<std::string> families = [&] {
    std::set<std::string> out;
    for (std::string_view n : FamilyNames()) {
      if (auto k = letters_and_tone(n); k.has_value()) out.insert(*k);
    }
    return out;
  }();
  const auto read = letters_and_tone(family->text);
  const auto twin = WithMarkSwapped(family->text, kAcute, kGrave);
  if (!read.has_value() || !twin.has_value()) return false;
  const auto twin_key = letters_and_tone(*twin);
  return families.count(*read) == 0 && twin_key.has_value() &&
         families.count(*twin_key) > 0;
}

}  // namespace

void PoolAcuteWithGrave(std::vector<std::vector<SyllableOption>>& syllables) {
  for (size_t i = 1; i < syllables.size(); ++i) {
    std::vector<SyllableOption>& options = syllables[i];
    // From the options as read: a grave raised here is not a source.
    std::map<std::string, double> credit;
    for (const SyllableOption& o : options) {
      if (!Usable(o.probability)) continue;
      const auto syllable = ParseSyllable(o.text);
      if (!syllable.has_value() || syllable->tone != Tone::kRising) continue;
      if (auto grave = WithMarkSwapped(o.text, kAcute, kGrave);
          grave.has_value()) {
        credit[*grave] = std::max(credit[*grave], o.probability);
      }
    }
    if (credit.empty()) continue;
    for (const auto& [text, amount] : credit) {
      const auto key = Key(text);
      if (!key.has_value()) continue;
      auto it = std::find_if(
          options.begin(), options.end(), [&](const SyllableOption& o) {
            return Usable(o.probability) && Key(o.text) == key;
          });
      if (it != options.end()) {
        it->probability = std::max(it->probability, amount);
      } else {
        options.push_back(SyllableOption{text, amount});
      }
    }
    SortByProbability(options);
  }
}

void PoolAcuteWithGraveWhenFamilyShows(
    std::vector<std::vector<SyllableOption>>& syllables) {
  if (FamilyShowsGraveAsAcute(syllables)) PoolAcuteWithGrave(syllables);
}

void CreditErasedVowelMarks(std::vector<std::vector<SyllableOption>>& syllables,
                            double share) {
  if (!(share > 0)) return;
  share = std::min(share, 1.0);
  for (size_t i = 0; i < syllables.size(); ++i) {
    const NamePart part = PartAt(i, syllables.size());
    std::vector<SyllableOption>& options = syllables[i];
    // Credit computed from the options as read, then added: a spelling
    // credited here is not itself a source.
    std::map<std::string, double> credit;
    for (SyllableOption& bare : options) {
      // Malformed spellings too: erasing "ƯƠ"'s horns leaves no syllable.
      if (!Usable(bare.probability) ||
          NameSyllableFrequency(bare.text, part) != 0) {
        continue;
      }
      std::vector<std::string> names;
      for (std::string& v : WithVowelMark(bare.text)) {
        if (NameSyllableFrequency(v, part) > 0) names.push_back(std::move(v));
      }
      if (names.empty()) continue;
      const double moved = bare.probability * share;
      for (const std::string& v : names) credit[v] += moved / names.size();
      bare.probability -= moved;
    }
    if (credit.empty()) continue;
    for (const auto& [text, amount] : credit) {
      // The same name however its tone mark is placed ("HOÀ", "HÒA").
      const auto key = Key(text);
      auto it = std::find_if(
          options.begin(), options.end(), [&](const SyllableOption& o) {
            return Usable(o.probability) && Key(o.text) == key;
          });
      if (it != options.end()) {
        it->probability += amount;
      } else {
        options.push_back(SyllableOption{text, amount});
      }
    }
    SortByProbability(options);
  }
}

namespace {

bool IsLetter(std::string_view text) {
  auto raw = FoldVietnameseToAsciiUpper(text);
  return raw.ok() && !raw->empty() &&
         std::all_of(raw->begin(), raw->end(),
                     [](char c) { return c >= 'A' && c <= 'Z'; });
}

// `word` folds to a common family name's letters, whatever marks blur
// left on it ("PHAM").
bool IsFamilyName(std::string_view word) {
  static const std::set<std::string> folded = [] {
    std::set<std::string> out;
    for (std::string_view n : FamilyNames()) {
      if (auto f = FoldVietnameseToAsciiUpper(n); f.ok()) out.insert(*f);
    }
    return out;
  }();
  auto f = FoldVietnameseToAsciiUpper(word);
  return f.ok() && folded.count(*f) > 0;
}

// The character's best reading is a letter.
bool LetterAt(const std::vector<CharChoice>& alternatives) {
  return !alternatives.empty() && IsLetter(alternatives.front().text);
}

std::vector<NameCandidate> Judge(
    const std::vector<std::vector<WordChoices>>& readings, size_t max_results,
    bool graves_read_as_acutes) {
  auto options = PoolSyllableOptions(readings);
  CreditErasedTones(options, kErasedMarkShare);
  CreditErasedVowelMarks(options, kErasedMarkShare);
  PoolGraveAndHook(options);
  CreditGraveReadAsHook(options, kGraveReadAsHookShare);
  if (graves_read_as_acutes) {
    PoolAcuteWithGrave(options);
  } else {
    PoolAcuteWithGraveWhenFamilyShows(options);
  }
  CreditMarkTwinsOfNonNames(options, kMarkTwinShare);
  return RankNameCandidates(options, max_results);
}

}  // namespace

void KeepNameSyllables(std::vector<WordChoices>& words) {
  // A name holds no colon: the last word with one ends the label ("mẹ:",
  // "tên:", a blurred "m:").
  const auto label_end =
      std::find_if(words.rbegin(), words.rend(), [](const WordChoices& w) {
        return w.text.find_first_of(":;") != std::string::npos;
      });
  if (label_end != words.rend()) {
    // The name's first word glued to the colon ("°:LY" for "mẹ: LÝ") is
    // the name's, not the label's: its letters after the colon stay.
    auto& chars = label_end->characters;
    const auto colon =
        std::find_if(chars.rbegin(), chars.rend(), [](const auto& c) {
          return !c.empty() &&
                 c.front().text.find_first_of(":;") != std::string::npos;
        });
    if (colon != chars.rend() && colon != chars.rbegin() &&
        std::any_of(chars.rbegin(), colon, LetterAt)) {
      chars.erase(chars.begin(), colon.base());
      label_end->text.clear();
      for (const auto& c : chars) label_end->text += c.front().text;
      words.erase(words.begin(), std::prev(label_end.base()));
    } else {
      words.erase(words.begin(), label_end.base());
    }
  }
  // Specks before the name go whole: trimmed, "s°" would become a syllable.
  words.erase(words.begin(), std::find_if(words.begin(), words.end(),
                                          [](const WordChoices& w) {
                                            return IsLetter(w.text);
                                          }));
  for (WordChoices& w : words) {
    auto& chars = w.characters;
    chars.erase(chars.begin(),
                std::find_if(chars.begin(), chars.end(), LetterAt));
    while (!chars.empty() && !LetterAt(chars.back())) chars.pop_back();
    w.text.clear();
    for (const auto& c : chars) w.text += c.front().text;
  }
  std::erase_if(words, [](const WordChoices& w) { return w.text.empty(); });
  // A lone letter that spells no syllable before a family name ("S" from
  // the label's tail read beside "PHẠM") is not a word of the name. Before
  // anything else it may be a family name that lost its vowel ("L" for
  // "LÊ") and keeps its place. A family and a given name stay.
  while (words.size() > 2 && words.front().characters.size() == 1 &&
         !IsValidSyllable(words.front().text) && IsFamilyName(words[1].text)) {
    words.erase(words.begin());
  }
  for (WordChoices& w : words) {
    if (!IsLetter(w.text)) w.characters.clear();
  }
}

std::optional<NameCandidate> BestWithFamily(
    const std::vector<NameCandidate>& ranked, std::string_view family,
    double margin) {
  if (ranked.empty() || family.empty() || !(margin >= 0)) return std::nullopt;
  for (const NameCandidate& c : ranked) {
    if (c.score < ranked.front().score - margin) break;
    const std::string_view name = c.name;
    if (name.substr(0, name.find(' ')) == family) return c;
  }
  return std::nullopt;
}

std::optional<std::string> MendLostSyllables(std::string_view voted,
                                             std::string_view layout) {
  const auto words = [](std::string_view text) {
    std::vector<std::string> out;
    for (size_t at = 0; at < text.size();) {
      const size_t space = std::min(text.find(' ', at), text.size());
      if (space > at) out.emplace_back(text.substr(at, space - at));
      at = space + 1;
    }
    return out;
  };
  const std::vector<std::string> v = words(voted), l = words(layout);
  const auto folded = [](const std::string& w) {
    auto f = FoldVietnameseToAsciiUpper(w);
    return f.ok() ? *f : std::string();
  };
  // The last syllables both read alike; the given name among them.
  size_t common = 0;
  while (common < v.size() && common < l.size()) {
    const std::string a = folded(v[v.size() - 1 - common]);
    if (a.empty() || a != folded(l[l.size() - 1 - common])) break;
    ++common;
  }
  if (common == 0) return std::nullopt;
  const size_t voted_before = v.size() - common;
  const size_t layout_before = l.size() - common;
  if (layout_before == 0 || layout_before > 2) return std::nullopt;
  if (voted_before > 0 && IsFamilyName(v[0])) return std::nullopt;
  if (!IsFamilyName(l[0])) return std::nullopt;
  for (size_t i = 0; i < layout_before; ++i) {
    if (!IsValidSyllable(l[i])) return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < l.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += i < layout_before ? l[i] : v[voted_before + i - layout_before];
  }
  return out;
}

std::vector<NameCandidate> VoteName(
    const std::vector<std::vector<WordChoices>>& readings, size_t max_results,
    bool graves_read_as_acutes) {
  std::vector<NameCandidate> ranked =
      Judge(readings, max_results, graves_read_as_acutes);
  if (!ranked.empty()) return ranked;
  std::vector<std::vector<WordChoices>> whole = readings;
  for (auto& words : whole) {
    std::erase_if(words,
                  [](const WordChoices& w) { return w.characters.empty(); });
  }
  return Judge(whole, max_results, graves_read_as_acutes);
}

}  // namespace cdkv::ocr
