// Vietnamese syllables and personal names, for choosing between OCR readings
// of a printed name. Blur on a phone photo mostly costs tone marks (ễ read
// as ế or ê), and Tesseract runs without a dictionary on names, so the
// reader proposes several spellings per syllable and these rules pick: a
// spelling must be a well-formed syllable (onset, rhyme, and a tone its
// rhyme allows), and between well-formed ones, common name syllables win
// ties. The name lists are general knowledge of Vietnamese names, not any
// test set's.
#ifndef CDKV_OCR_VIETNAMESE_NAME_H_
#define CDKV_OCR_VIETNAMESE_NAME_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/tesseract_reader.h"

namespace cdkv::ocr {

enum class Tone { kLevel, kFalling, kRising, kQuestion, kTumbling, kHeavy };

struct Syllable {
  std::string onset;  // Lower case: "", "b", "ngh", "qu", "gi", ...
  std::string rhyme;  // Lower case without tone mark: "a", "ương", "uyên".
  Tone tone = Tone::kLevel;
};

// Parses one syllable (UTF-8, NFC or NFD, any letter case): a valid onset
// followed by a valid rhyme, spelt by the rules (k/gh/ngh before i, e, ê
// and c/g/ng elsewhere), at most one tone mark, placed on a vowel, and a
// tone the rhyme allows (stop finals -p, -t, -c, -ch take only sắc or
// nặng). nullopt for anything else, including malformed UTF-8.
std::optional<Syllable> ParseSyllable(std::string_view syllable);

bool IsValidSyllable(std::string_view syllable);

enum class NamePart { kFamily, kMiddle, kGiven };

// How usual `syllable` is in that part of a Vietnamese name, compared
// case-insensitively and with its tone mark where it is: 2 very common,
// 1 known, 0 not in the lists (rare names exist; 0 is not "wrong").
int NameSyllableFrequency(std::string_view syllable, NamePart part);

// Whether `syllable` is among the usual ones of that very part of a name:
// "Thùy", "Bảo" and "Văn" are usual middle names, "Thủy", "Hảo" and "Linh"
// given names, though each may stand in the other place.
bool UsualInPart(std::string_view syllable, NamePart part);

// Common family names in title case ("Nguyễn", "Trần", ...).
const std::vector<std::string_view>& CommonFamilyNames();

// One proposed spelling of one syllable, with the OCR's probability for it
// (0..1, the product of its characters' probabilities).
struct SyllableOption {
  std::string text;
  double probability = 0.0;
};

struct NameCandidate {
  std::string name;        // Syllables joined by single spaces.
  double score = 0.0;      // Log-probability plus the name priors; higher wins.
  bool all_valid = false;  // Every syllable is well-formed.
};

// Ranks full names made of one option per syllable (syllables in reading
// order, the first the family name). Options that are not well-formed
// syllables rank far below well-formed ones; among well-formed ones the
// OCR probability decides, and common name syllables add a small bonus that
// only tips near ties. At most `max_results`, best first; empty when a
// syllable has no options.
std::vector<NameCandidate> RankNameCandidates(
    const std::vector<std::vector<SyllableOption>>& syllables,
    size_t max_results = 5);

// Pools several OCR readings of one printed name (different scales or
// binarisations) into options per syllable: each reading's characters'
// alternatives make spellings (upper case, NFC), each with the product of
// its characters' shares of their alternatives' scores, averaged over the
// readings. Readings whose word count differs from the most common one are
// left out (a merged or split word cannot be lined up). Empty when no
// reading has a word.
std::vector<std::vector<SyllableOption>> PoolSyllableOptions(
    const std::vector<std::vector<WordChoices>>& readings);

// Blur erases tone marks and does not draw them, so a toneless spelling
// that no Vietnamese name uses in its place ("THUY", "BINH") is also
// evidence for the same letters with a mark names do use, where a reading
// saw one ("THÙY", "THỦY"): `share` (0..1) of its probability moves to
// those options of the same syllable, in proportion to theirs. Syllables in
// name order, the first the family name. Nothing moves to a spelling no
// reading proposed.
void CreditErasedTones(std::vector<std::vector<SyllableOption>>& syllables,
                       double share);

// Blur also erases the breve, circumflex or horn under a tone mark: "Ằ"
// stacks two marks where "À" has one, and the LSTM keeps the tone and
// loses the breve ("HẰNG" read "HÀNG"). A spelling that is in no name list
// (well-formed or not: "THUONG") passes `share` (0..1) of its probability,
// in equal parts, to the spellings made by giving one of its vowels that
// mark (a to ă or â, e to ê, o to ô or ơ, u to ư, uo to ươ), tone kept,
// that are name syllables (any part), proposed by a reading or not.
// Syllables in name order, the first the family name; non-finite and
// negative probabilities are left alone.
void CreditErasedVowelMarks(std::vector<std::vector<SyllableOption>>& syllables,
                            double share);

// Blur at phone-photo resolution makes the grave (`) and the hook (ˀ) over
// a vowel the same small blob, and the Vietnamese model then prefers the
// hook ("THÙY" read "THỦY" in most readings): where the options hold both
// spellings of the same letters and neither has less than a fifth of the
// other's weight, both sides get their mean, so that the name's other
// evidence (which part of a name it stands in) decides. Such a choice
// stays a near tie, for the officer to confirm. A clear reading of one
// mark stands; non-finite and negative probabilities are left alone.
void PoolGraveAndHook(std::vector<std::vector<SyllableOption>>& syllables);

// The share of a non-name spelling's probability that the two Credit
// functions above move: blur erases marks far more often than it draws them.
inline constexpr double kErasedMarkShare = 0.5;

// The same blob read as one mark only: the model prefers the hook, and at
// level 3 every reading of a printed "THÙY" can give "THỦY", the grave at a
// twentieth of the hook's weight or not proposed at all. Each hook spelling
// makes its grave twin at least `share` (0..1) of its probability, proposed
// by a reading or not, so that a grave spelling usual in its part of a name
// (a middle "Thùy") outranks a hook spelling usual only in another (a given
// "Thủy"); where both are as usual there (a given "Hảo", "Hào"), or where
// the grave was read as much, the hook stands. A grave makes no hook.
// Non-finite and negative probabilities are left alone.
void CreditGraveReadAsHook(std::vector<std::vector<SyllableOption>>& syllables,
                           double share);

// The share CreditGraveReadAsHook gives: a hook read is nearly as much
// evidence of the grave, so the part of a name decides (a syllable usual in
// its own part counts 1.25x one usual in the other, see RankNameCandidates,
// which a share above 0.8 lets decide), and between two spellings as usual
// in their place the hook read still stands.
inline constexpr double kGraveReadAsHookShare = 0.85;

// Blur along one diagonal draws every grave of a line as an acute. The
// family name shows it: its likeliest spelling carries an acute that no
// family name has, and its grave twin is one ("TRẤN" for TRẦN). On such a
// line an acute read elsewhere is no evidence against a grave, so each
// acute option's grave twin is raised to the acute's weight and the name
// lists decide between them ("THÚY" and "THÙY" in the middle of a name).
// Nothing changes on other lines.
void PoolAcuteWithGraveWhenFamilyShows(
    std::vector<std::vector<SyllableOption>>& syllables);

// The same pooling on every syllable after the first, whatever the family
// name shows: for a line whose photo shows the blur elsewhere (a paper's
// motto "CỘNG HÒA" read "CỘNG HÓA").
void PoolAcuteWithGrave(std::vector<std::vector<SyllableOption>>& syllables);

// A tone mark was seen but blur made it another: where no option of a
// syllable is a name syllable at all ("DÙNG" read in every reading, no
// name uses it), the likeliest option's twins with another mark (not
// none: a mark was there) that are usual in the syllable's part of a name
// ("DŨNG") are raised to at least `share` of its probability, proposed by a
// reading or not, and the name lists decide. A syllable that some option
// spells as a name is left alone; non-finite and negative probabilities too.
void CreditMarkTwinsOfNonNames(
    std::vector<std::vector<SyllableOption>>& syllables, double share);

// The share CreditMarkTwinsOfNonNames gives: as much as an erased mark's.
inline constexpr double kMarkTwinShare = kErasedMarkShare;

// One reading of a name line made ready for pooling: the label up to its
// colon dropped ("mẹ:", a blurred "m:"), and every word before the first
// that is all letters ("=", "s°"); marks stuck to either end of a later
// word ("VIỆT.") trimmed off it; words without a letter dropped; and a
// word with other marks inside ("VH'T" for "VIỆT") kept in its place with
// no characters, so that the shorter name left without it does not
// outvote the whole one. A first word of one letter that is no syllable
// ("S") is dropped when a family name follows it and at least one more
// word.
void KeepNameSyllables(std::vector<WordChoices>& words);

// Several readings of one printed name judged together: pooled per
// syllable (PoolSyllableOptions), erased tones and vowel marks credited
// (kErasedMarkShare), the grave and the hook pooled and the hook's grave
// twin credited (kGraveReadAsHookShare), an acute pooled with its grave
// when the family name shows graves drawn as acutes, a non-name's mark
// twins credited (kMarkTwinShare), then ranked
// (RankNameCandidates). Where every reading lost the same syllable (no
// characters, see KeepNameSyllables), the name is judged without it.
// At most `max_results`, best first. `graves_read_as_acutes`: the photo
// shows blur drawing graves as acutes elsewhere, so acutes are pooled with
// their graves (PoolAcuteWithGrave) whatever the family name shows.
std::vector<NameCandidate> VoteName(
    const std::vector<std::vector<WordChoices>>& readings,
    size_t max_results = 2, bool graves_read_as_acutes = false);

// Of `ranked` (best first, as VoteName gives them), the best candidate
// whose family name, its first syllable, is `family` (upper case), when it
// scores no more than `margin` below the best; nullopt otherwise. A child
// takes the father's family name: on a civil-status extract where blur
// leaves "VÕ" and "VŨ" both possible for the child, the father's decides.
std::optional<NameCandidate> BestWithFamily(
    const std::vector<NameCandidate>& ranked, std::string_view family,
    double margin);

// The margin BestWithFamily is given for a child and its father: most
// Vietnamese children bear the father's family name, a prior of about 20:1.
inline constexpr double kFatherFamilyMargin = 3.0;

// The voted name mended with syllables only the page's layout pass read.
// The re-reads of a name's crop can lose its first word, a blurred capital
// taken for a speck ("UI" for BÙI, HUỲNH read as "¬" and dropped), which
// the layout pass, reading the whole line, kept. Both names are upper case,
// syllables separated by single spaces. Where the two agree on the name's
// last syllables, letter for letter without marks, and the voted syllables
// before those do not start with a family name while the layout's one or
// two do, the layout's are taken: "UI NGỌC KHÁNH" with "BÙI NGỌC KHÁNH" make
// BÙI NGỌC KHÁNH, "THỊ OANH" with "HUỲNH THỊ OANH" make HUỲNH THỊ OANH.
// nullopt when nothing is mended.
std::optional<std::string> MendLostSyllables(std::string_view voted,
                                             std::string_view layout);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_VIETNAMESE_NAME_H_
