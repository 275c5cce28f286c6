#include "ocr/vietnamese_name.h"

#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

TEST_CASE("Well-formed syllables parse into onset, rhyme and tone",
          "[ocr][vietnamese_name]") {
  auto s = ParseSyllable("NGUYỄN");
  REQUIRE(s.has_value());
  CHECK(s->onset == "ng");
  CHECK(s->rhyme == "uyên");
  CHECK(s->tone == Tone::kTumbling);
  s = ParseSyllable("Nghĩa");
  REQUIRE(s.has_value());
  CHECK(s->onset == "ngh");
  CHECK(s->rhyme == "ia");
  s = ParseSyllable("quỳnh");
  REQUIRE(s.has_value());
  CHECK(s->onset == "qu");
  CHECK(s->tone == Tone::kFalling);
  s = ParseSyllable("Giang");
  REQUIRE(s.has_value());
  CHECK(s->onset == "gi");
  CHECK(s->rhyme == "ang");
  s = ParseSyllable("ĐẶNG");
  REQUIRE(s.has_value());
  CHECK(s->onset == "đ");
  CHECK(s->tone == Tone::kHeavy);
  s = ParseSyllable("Ánh");
  REQUIRE(s.has_value());
  CHECK(s->onset.empty());
  CHECK(s->rhyme == "anh");
  for (const char* ok :
       {"Trần", "Lê",   "Phạm",  "HOÀNG", "Huỳnh",  "Vũ",    "Đỗ",    "Dương",
        "Thị",  "Văn",  "Hữu",   "Ngọc",  "Thủy",   "Thuỷ",  "Hòa",   "Hoà",
        "Quý",  "Khuê", "Yến",   "Uyên",  "Tuyết",  "Hường", "Khánh", "Gì",
        "Kiên", "Ghi",  "Ý",     "Chiến", "Nguyệt", "Quân",  "Quang", "Xoan",
        "Loan", "Oanh", "Khuya", "Thuận", "Cường",  "Bích",  "Phúc",  "Đạt",
        "Cúc",  "Học",  "Lộc"}) {
    INFO(ok);
    CHECK(IsValidSyllable(ok));
  }
}

TEST_CASE("Stop finals take only the rising or heavy tone",
          "[ocr][vietnamese_name]") {
  CHECK(IsValidSyllable("Phúc"));
  CHECK(IsValidSyllable("Phục"));
  CHECK_FALSE(IsValidSyllable("Phùc"));
  CHECK_FALSE(IsValidSyllable("Phũc"));
  CHECK_FALSE(IsValidSyllable("Phỉc"));
  CHECK_FALSE(IsValidSyllable("Phuc"));
  CHECK(IsValidSyllable("Bích"));
  CHECK_FALSE(IsValidSyllable("Bìch"));
  CHECK(IsValidSyllable("Tuyết"));
  CHECK_FALSE(IsValidSyllable("Tuyềt"));
  CHECK(IsValidSyllable("Hợp"));
  CHECK_FALSE(IsValidSyllable("Hơp"));
  // Sonorant finals take all six tones.
  for (const char* t : {"Nam", "Nàm", "Nám", "Nảm", "Nãm", "Nạm"}) {
    INFO(t);
    CHECK(IsValidSyllable(t));
  }
}

TEST_CASE("Misreadings that no Vietnamese syllable spells are refused",
          "[ocr][vietnamese_name]") {
  for (const char* bad :
       {"", "NGUYÊÊN", "Ngũyễn",              // Two tone marks.
        "Kan", "Ci", "Ghan", "Ngi", "Nghan",  // c/k, g/gh, ng/ngh
                                              // rules.
        "Smith", "Xyz", "Tw", "Lêê", "Hoá1", "A B", "Phamm", "Qan", "Yang",
        "Tiêp",  // Checked rhyme with no tone.
        "Tyên", "Iên", "Thâ", "Thă", "Ăn~", "ĐĐ"}) {
    INFO(bad);
    CHECK_FALSE(IsValidSyllable(bad));
  }
  // A tone mark on a consonant (decomposed input) is no syllable.
  CHECK_FALSE(IsValidSyllable("N\u0301am"));
  // Decomposed but otherwise right input is accepted.
  CHECK(IsValidSyllable("Na\u0301m"));
  // Malformed UTF-8, overlong and absurd input.
  CHECK_FALSE(IsValidSyllable("Ng\xC3"));
  CHECK_FALSE(IsValidSyllable("\xFF\xFE"));
  CHECK_FALSE(IsValidSyllable(std::string(1000, 'a')));
  CHECK_FALSE(IsValidSyllable(std::string("a\0b", 3)));
}

TEST_CASE("Name syllable frequency knows family, middle and given names",
          "[ocr][vietnamese_name]") {
  CHECK(NameSyllableFrequency("NGUYỄN", NamePart::kFamily) == 2);
  CHECK(NameSyllableFrequency("Thị", NamePart::kMiddle) == 2);
  CHECK(NameSyllableFrequency("Hương", NamePart::kGiven) == 2);
  // Tone placement does not matter: "Hoà" is "Hòa".
  CHECK(NameSyllableFrequency("HOÀ", NamePart::kGiven) == 2);
  // Known in another part only.
  CHECK(NameSyllableFrequency("Thị", NamePart::kFamily) == 1);
  CHECK(NameSyllableFrequency("Nguyên", NamePart::kFamily) == 1);
  CHECK(NameSyllableFrequency("Nguyền", NamePart::kFamily) == 0);
  CHECK(NameSyllableFrequency("Smith", NamePart::kGiven) == 0);
  CHECK(NameSyllableFrequency("", NamePart::kGiven) == 0);
  CHECK(CommonFamilyNames().size() > 50);
  for (std::string_view family : CommonFamilyNames()) {
    INFO(family);
    CHECK(IsValidSyllable(family));
  }
}

TEST_CASE("RankNameCandidates prefers well-formed, then probable, names",
          "[ocr][vietnamese_name]") {
  // The OCR's favourite "PHÙC" is no syllable; "PHÚC" is.
  auto ranked = RankNameCandidates(
      {{{"TRẦN", 0.95}}, {{"PHÙC", 0.6}, {"PHÚC", 0.35}}, {{"AN", 0.9}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "TRẦN PHÚC AN");
  CHECK(ranked[0].all_valid);
  // Both well-formed: a clear OCR preference wins over the name lists
  // ("Hưởng" is not in them, "Hương" is).
  ranked = RankNameCandidates(
      {{{"LÊ", 0.95}}, {{"THỊ", 0.95}}, {{"HƯỞNG", 0.9}, {"HƯƠNG", 0.06}}});
  REQUIRE(ranked.size() >= 2);
  CHECK(ranked[0].name == "LÊ THỊ HƯỞNG");
  CHECK(ranked[1].name == "LÊ THỊ HƯƠNG");
  // A preference of five to one is blur's, not a rare name's: a blurred
  // "TUẤN" read "TUẦN" (no name) at 0.72 against 0.14.
  ranked = RankNameCandidates(
      {{{"HUỲNH", 0.8}}, {{"MINH", 1.0}}, {{"TUẦN", 0.72}, {"TUẤN", 0.14}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "HUỲNH MINH TUẤN");
  // A near tie goes to the common name.
  ranked = RankNameCandidates(
      {{{"LÊ", 0.95}}, {{"THỊ", 0.95}}, {{"HƯỞNG", 0.48}, {"HƯƠNG", 0.45}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ THỊ HƯƠNG");
  // Nothing well-formed: still ranked, but flagged.
  ranked = RankNameCandidates({{{"SMITH", 0.9}}, {{"JOHN", 0.9}}});
  REQUIRE(!ranked.empty());
  CHECK_FALSE(ranked[0].all_valid);
  // Duplicate spellings from two readings make one candidate.
  ranked = RankNameCandidates(
      {{{"ĐỖ", 0.9}, {"ĐỖ", 0.5}}, {{"AN", 0.9}, {"AN", 0.8}}}, 5);
  CHECK(ranked.size() == 1);
  // Empty input, an empty syllable, max_results 0.
  CHECK(RankNameCandidates({}).empty());
  CHECK(RankNameCandidates({{{"AN", 0.9}}, {}}).empty());
  CHECK(RankNameCandidates({{{"AN", 0.9}}}, 0).empty());
  // Hostile probabilities are clamped, not trusted.
  ranked = RankNameCandidates({{{"AN", -3.0}, {"ANH", 7.0}}});
  REQUIRE(ranked.size() == 2);
  CHECK(ranked[0].name == "ANH");
}

WordChoices Word(std::vector<std::vector<CharChoice>> characters) {
  WordChoices w;
  w.characters = std::move(characters);
  return w;
}

TEST_CASE("PoolSyllableOptions pools readings into spellings per syllable",
          "[ocr][vietnamese_name]") {
  // Two readings of "LÊ MỸ": the second is unsure between Ỹ and Ỳ.
  const std::vector<std::vector<WordChoices>> readings = {
      {Word({{{"L", 0.95}}, {{"Ê", 0.9}}}),
       Word({{{"M", 0.95}}, {{"Ỹ", 0.9}, {"Ỳ", 0.1}}})},
      {Word({{{"L", 0.95}}, {{"Ê", 0.9}, {"Ể", 0.01}}}),
       Word({{{"M", 0.95}}, {{"ỳ", 0.5}, {"Ỹ", 0.5}}})},
      // A reading that merged the words cannot be lined up: left out.
      {Word({{{"L", 0.9}}, {{"Ê", 0.9}}, {{"M", 0.9}}, {{"Ỳ", 0.9}}})}};
  const auto options = PoolSyllableOptions(readings);
  REQUIRE(options.size() == 2);
  REQUIRE(options[0].size() == 1);  // Ể's share is noise.
  CHECK(options[0][0].text == "LÊ");
  CHECK(options[0][0].probability > 0.95);
  REQUIRE(options[1].size() == 2);
  CHECK(options[1][0].text == "MỸ");  // Lower case is folded to upper.
  CHECK(options[1][0].probability == Approx(0.7));
  CHECK(options[1][1].text == "MỲ");
  CHECK(options[1][1].probability == Approx(0.3));
  const auto ranked = RankNameCandidates(options);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ MỸ");

  // Nothing to pool.
  CHECK(PoolSyllableOptions({}).empty());
  CHECK(PoolSyllableOptions({{}, {}}).empty());
  // Hostile scores (negative, zero, absurd) do not break the arithmetic.
  const auto odd = PoolSyllableOptions(
      {{Word({{{"A", -1.0}}, {{"N", 0.0}}, {{"H", 1e9}, {"M", 1e9}}})}});
  REQUIRE(odd.size() == 1);
  for (const SyllableOption& o : odd[0]) {
    CHECK(o.probability >= 0.0);
    CHECK(o.probability <= 1.0);
  }
}

}  // namespace
}  // namespace cdkv::ocr

namespace cdkv::ocr {
namespace {

TEST_CASE(
    "CreditErasedTones gives an unused toneless syllable's weight to "
    "marked ones a reading saw",
    "[ocr][vietnamese_name]") {
  // "THUY" is no name syllable; "THÙY" and "THỦY" are. Half of THUY's 0.6
  // goes to them in proportion (0.1 : 0.2).
  std::vector<std::vector<SyllableOption>> name = {
      {{"TRẦN", 0.9}},
      {{"THUY", 0.6}, {"THỦY", 0.2}, {"THÙY", 0.1}, {"THUỴ", 0.0}},
      {{"HOA", 0.9}}};
  CreditErasedTones(name, 0.5);
  CHECK(name[1][0].probability == Approx(0.3));
  CHECK(name[1][1].probability == Approx(0.4));
  CHECK(name[1][2].probability == Approx(0.2));
  CHECK(name[1][3].probability == 0.0);  // No reading saw it: nothing.
  CHECK(name[0][0].probability == 0.9);
  CHECK(name[2][0].probability == 0.9);  // "HOA" is a name: kept.
  const auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "TRẦN THỦY HOA");
}

TEST_CASE("CreditErasedTones leaves names, lone readings and bad input alone",
          "[ocr][vietnamese_name]") {
  // "VINH" is a given name without a mark: it keeps its weight.
  std::vector<std::vector<SyllableOption>> name = {
      {{"LÊ", 0.9}}, {{"VINH", 0.7}, {"VĨNH", 0.3}}};
  CreditErasedTones(name, 0.5);
  CHECK(name[1][0].probability == 0.7);
  CHECK(name[1][1].probability == 0.3);
  // No marked spelling proposed: nothing to move to.
  name = {{{"LÊ", 0.9}}, {{"BINH", 0.9}, {"BIMH", 0.1}}};
  CreditErasedTones(name, 0.5);
  CHECK(name[1][0].probability == 0.9);
  // Other letters are not the same syllable ("HƯNG" has a horn).
  name = {{{"LÊ", 0.9}}, {{"HUNG", 0.8}, {"HƯNG", 0.2}}};
  CreditErasedTones(name, 0.5);
  CHECK(name[1][0].probability == 0.8);
  // Shares outside 0..1, malformed text, empty lists: no harm.
  name = {{{"LÊ", 0.9}}, {{"THUY", 0.6}, {"THÙY", 0.1}}};
  CreditErasedTones(name, -1.0);
  CHECK(name[1][0].probability == 0.6);
  CreditErasedTones(name, 7.0);
  CHECK(name[1][0].probability == Approx(0.0));
  CHECK(name[1][1].probability == Approx(0.7));
  std::vector<std::vector<SyllableOption>> junk = {
      {}, {{"\xff\xfe", 0.5}, {"", 0.5}}, {{"THUY", -2.0}, {"THÙY", 0.5}}};
  CreditErasedTones(junk, 0.5);
  CHECK(junk[2][0].probability == -2.0);
  CHECK(junk[2][1].probability == 0.5);
}

TEST_CASE("UsualInPart tells middle names from given names",
          "[ocr][vietnamese_name]") {
  CHECK(UsualInPart("THÙY", NamePart::kMiddle));
  CHECK_FALSE(UsualInPart("THỦY", NamePart::kMiddle));
  CHECK(UsualInPart("Thủy", NamePart::kGiven));
  CHECK(UsualInPart("Thuỷ", NamePart::kGiven));  // Old tone placement.
  CHECK(UsualInPart("Văn", NamePart::kMiddle));
  CHECK(UsualInPart("NGUYỄN", NamePart::kFamily));
  CHECK_FALSE(UsualInPart("Thị", NamePart::kFamily));
  CHECK_FALSE(UsualInPart("", NamePart::kGiven));
  CHECK_FALSE(UsualInPart("\xff\xfe", NamePart::kGiven));
  // Both usual somewhere, the OCR unsure: the part decides.
  auto ranked = RankNameCandidates(
      {{{"BÙI", 0.9}}, {{"HẢO", 0.37}, {"BẢO", 0.36}}, {{"LAN", 0.9}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "BÙI BẢO LAN");
  // A clear reading of the rarer use stands.
  ranked = RankNameCandidates(
      {{{"BÙI", 0.9}}, {{"HẢO", 0.6}, {"BẢO", 0.3}}, {{"LAN", 0.9}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "BÙI HẢO LAN");
}

TEST_CASE("PoolGraveAndHook lets the name decide between ` and its hook twin",
          "[ocr][vietnamese_name]") {
  std::vector<std::vector<SyllableOption>> name = {
      {{"LÊ", 0.9}},
      {{"THỦY", 0.6}, {"THÙY", 0.2}, {"THUY", 0.2}},
      {{"LINH", 0.9}}};
  PoolGraveAndHook(name);
  REQUIRE(name[1].size() == 3);
  CHECK(name[1][0].probability == Approx(0.4));
  CHECK(name[1][1].probability == Approx(0.4));
  CHECK(name[1][2].text == "THUY");
  CHECK(name[1][2].probability == Approx(0.2));
  auto ranked = RankNameCandidates(name, 2);
  REQUIRE(ranked.size() == 2);
  CHECK(ranked[0].name == "LÊ THÙY LINH");  // Thùy is the middle name.
  CHECK(ranked[1].name == "LÊ THỦY LINH");
  // The same syllable last is a given name: Thủy.
  name = {{{"LÊ", 0.9}}, {{"THỊ", 0.9}}, {{"THÙY", 0.6}, {"THỦY", 0.3}}};
  PoolGraveAndHook(name);
  ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ THỊ THỦY");
  // Only the two marks, only the same letters, only when both were read.
  name = {{{"THÚY", 0.6}, {"THÙY", 0.2}},
          {{"HỦNG", 0.6}, {"HÙY", 0.2}},
          {{"THỦY", 0.9}}};
  PoolGraveAndHook(name);
  CHECK(name[0][0].probability == 0.6);
  CHECK(name[1][0].probability == 0.6);
  CHECK(name[2][0].probability == 0.9);
  // Malformed and empty input: no harm.
  std::vector<std::vector<SyllableOption>> junk = {
      {}, {{"\xff\xfe", 0.5}, {"", 0.5}}};
  PoolGraveAndHook(junk);
  CHECK(junk[1].size() == 2);
}

TEST_CASE("A family name is weighed by how many Vietnamese bear it",
          "[ocr][vietnamese_name]") {
  // Lê is borne by twenty times as many people as Lý: a blurred vowel read
  // LÝ at three times LÊ's weight is still Lê.
  auto ranked = RankNameCandidates({{{"LÝ", 0.24}, {"LỄ", 0.15}, {"LÊ", 0.079}},
                                    {{"THÙY", 0.8}},
                                    {{"PHƯƠNG", 1.0}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ THÙY PHƯƠNG");
  // A clear reading of the rarer name stands.
  ranked = RankNameCandidates(
      {{{"LÝ", 0.9}, {"LÊ", 0.03}}, {{"THÙY", 0.8}}, {{"PHƯƠNG", 1.0}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÝ THÙY PHƯƠNG");
  // Only the family name: a given name is not weighed by family shares.
  ranked = RankNameCandidates(
      {{{"NGÔ", 1.0}}, {{"THU", 0.9}}, {{"LÊ", 0.3}, {"LÝ", 0.6}}});
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "NGÔ THU LÝ");
}

TEST_CASE("A family name only the layout pass read is mended into the vote",
          "[ocr][vietnamese_name]") {
  // The re-reads took the blurred B for a speck, or lost HUỲNH whole.
  CHECK(MendLostSyllables("UI NGỌC KHÁNH", "BÙI NGỌC KHÁNH") ==
        "BÙI NGỌC KHÁNH");
  CHECK(MendLostSyllables("THỊ OANH", "HUỲNH THỊ OANH") == "HUỲNH THỊ OANH");
  CHECK(MendLostSyllables("MỊ DU HOÀNG CÔNG KHÁNH", "BÙI HOÀNG CÔNG KHÁNH") ==
        "BÙI HOÀNG CÔNG KHÁNH");
  // The vote's marks stay where both read the syllable.
  CHECK(MendLostSyllables("THỊ OANH", "HUỲNH THI OANH") == "HUỲNH THỊ OANH");
  // Nothing to mend: the vote has its family name, or agrees, or the two
  // are other names, or the layout's first word is no family name.
  CHECK_FALSE(MendLostSyllables("LÊ THỊ OANH", "HUỲNH THỊ OANH").has_value());
  CHECK_FALSE(MendLostSyllables("BÙI NGỌC KHÁNH", "BÙI NGỌC KHÁNH"));
  CHECK_FALSE(MendLostSyllables("THỊ OANH", "HUỲNH THỊ LAN").has_value());
  CHECK_FALSE(MendLostSyllables("THỊ OANH", "XYZ THỊ OANH").has_value());
  // More than two lost words is another name, not a lost capital.
  CHECK_FALSE(MendLostSyllables("OANH", "HUỲNH THỊ KIM OANH").has_value());
  // Hostile and empty input.
  CHECK_FALSE(MendLostSyllables("", "").has_value());
  CHECK_FALSE(MendLostSyllables("  ", "BÙI  ").has_value());
  CHECK_FALSE(MendLostSyllables("\xff\xfe", "BÙI \xff\xfe").has_value());
}

TEST_CASE("BestWithFamily picks the father's family name when near the best",
          "[ocr][vietnamese_name]") {
  const std::vector<NameCandidate> ranked = {{"VÕ THỊ GIANG", 2.0, true},
                                             {"VŨ THỊ GIANG", 1.2, true},
                                             {"VÔ THỊ GIANG", -2.5, true}};
  auto kin = BestWithFamily(ranked, "VŨ", kFatherFamilyMargin);
  REQUIRE(kin.has_value());
  CHECK(kin->name == "VŨ THỊ GIANG");
  // The best already bears it.
  kin = BestWithFamily(ranked, "VÕ", kFatherFamilyMargin);
  REQUIRE(kin.has_value());
  CHECK(kin->name == "VÕ THỊ GIANG");
  // Too far below the best, or not among the spellings at all: nothing.
  CHECK_FALSE(BestWithFamily(ranked, "VÔ", kFatherFamilyMargin).has_value());
  CHECK_FALSE(BestWithFamily(ranked, "LÊ", kFatherFamilyMargin).has_value());
  // A family name is a whole first syllable, not a prefix of one.
  CHECK_FALSE(BestWithFamily(ranked, "V", kFatherFamilyMargin).has_value());
  // Empty and hostile input.
  CHECK_FALSE(BestWithFamily({}, "VŨ", kFatherFamilyMargin).has_value());
  CHECK_FALSE(BestWithFamily(ranked, "", kFatherFamilyMargin).has_value());
  CHECK_FALSE(BestWithFamily(ranked, "VŨ", std::nan("")).has_value());
  CHECK_FALSE(BestWithFamily(ranked, "VŨ", -1.0).has_value());
}

TEST_CASE("A mark read on a syllable no name uses is weighed as its twins",
          "[ocr][vietnamese_name]") {
  // Every reading saw DÙNG, which no name uses; its tilde twin DŨNG is a
  // given name, the toneless DUNG gets nothing (a mark was seen).
  std::vector<std::vector<SyllableOption>> name = {
      {{"LÊ", 0.9}}, {{"CÔNG", 0.96}}, {{"DÙNG", 0.99}}};
  CreditMarkTwinsOfNonNames(name, kMarkTwinShare);
  REQUIRE(name[2].size() == 2);
  CHECK(name[2][1].text == "DŨNG");
  CHECK(name[2][1].probability == Approx(0.99 * kMarkTwinShare));
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ CÔNG DŨNG");
  // A syllable that one option spells as a name is left alone, and so is
  // one read without a mark.
  name = {{{"LÊ", 0.9}},
          {{"THỦ", 0.6}, {"THU", 0.1}},
          {{"THANH", 0.9}},
          {{"LAN", 1.0}}};
  CreditMarkTwinsOfNonNames(name, kMarkTwinShare);
  CHECK(name[1].size() == 2);
  CHECK(name[2].size() == 1);
  // No twin is a name: nothing added.
  name = {{{"LÊ", 0.9}}, {{"XỬNG", 0.9}}};
  CreditMarkTwinsOfNonNames(name, kMarkTwinShare);
  CHECK(name[1].size() == 1);
  // Hostile input: no crash, nothing moved.
  name = {{}, {{"\xff", 0.5}}, {{"DÙNG", std::nan("")}}, {{"DÙNG", -1.0}}};
  CreditMarkTwinsOfNonNames(name, kMarkTwinShare);
  CHECK(name[2].size() == 1);
  CHECK(name[3].size() == 1);
  CreditMarkTwinsOfNonNames(name, 0.0);
}

TEST_CASE(
    "An acute is pooled with its grave when the family name shows them swapped",
    "[ocr][vietnamese_name]") {
  // "TRẤN" is no family name, "TRẦN" is: on this line graves are drawn as
  // acutes, so the middle THÚY is as likely THÙY, the middle name.
  std::vector<std::vector<SyllableOption>> name = {
      {{"TRẤN", 0.6}, {"TRẦN", 0.3}},
      {{"THÚY", 0.7}, {"THÙY", 0.1}},
      {{"NGÂN", 1.0}}};
  PoolAcuteWithGraveWhenFamilyShows(name);
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][0].probability == 0.7);
  CHECK(name[1][1].probability == 0.7);
  CHECK(name[0][0].probability == 0.6);  // The family name is left as read.
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "TRẦN THÙY NGÂN");
  // Blur that swapped the marks may also drop the circumflex.
  name = {{{"TRÁN", 0.99}}, {{"THÚY", 0.3}, {"THÙY", 0.05}}, {{"NGÂN", 1.0}}};
  PoolAcuteWithGraveWhenFamilyShows(name);
  CHECK(name[1][1].probability == 0.3);
  // A grave made where the reading had none; a given THÚY, usual there,
  // stays ahead of THÙY.
  name = {{{"HOÁNG", 0.6}, {"HOÀNG", 0.2}}, {{"THỊ", 0.9}}, {{"THÚY", 0.9}}};
  PoolAcuteWithGraveWhenFamilyShows(name);
  REQUIRE(name[2].size() == 2);
  CHECK(name[2][1].text == "THÙY");
  ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "HOÀNG THỊ THÚY");
  // A family name read as one (NGUYỄN), or whose acute is its own (LÝ),
  // says nothing: the line is left alone.
  for (const char* family : {"NGUYỄN", "LÝ"}) {
    name = {{{family, 0.9}}, {{"THÚY", 0.7}, {"THÙY", 0.1}}, {{"LINH", 1.0}}};
    PoolAcuteWithGraveWhenFamilyShows(name);
    CHECK(name[1][1].probability == 0.1);
  }
  // Nothing to pool in: no crash on empty or one-syllable names.
  name = {};
  PoolAcuteWithGraveWhenFamilyShows(name);
  name = {{{"TRẤN", 0.8}}};
  PoolAcuteWithGraveWhenFamilyShows(name);
  CHECK(name[0].size() == 1);
}

TEST_CASE("PoolAcuteWithGrave pools on the word of the photo's blur",
          "[ocr][vietnamese_name]") {
  // A family name with no grave (ĐẶNG) shows nothing; the paper's motto
  // read "CỘNG HÓA" does, and the middle THÚY then meets its grave twin.
  std::vector<std::vector<SyllableOption>> name = {
      {{"ĐẶNG", 0.9}}, {{"THÚY", 0.7}, {"THÙY", 0.1}}, {{"QUYÊN", 1.0}}};
  auto alone = name;
  PoolAcuteWithGraveWhenFamilyShows(alone);
  CHECK(alone[1][1].probability == 0.1);
  PoolAcuteWithGrave(name);
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][1].probability == 0.7);
  CHECK(name[0].size() == 1);  // The family name is left as read.
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "ĐẶNG THÙY QUYÊN");
  // A given THÚY, usual there, stays.
  name = {{{"ĐẶNG", 0.9}}, {{"THỊ", 0.9}}, {{"THÚY", 0.9}}};
  PoolAcuteWithGrave(name);
  ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "ĐẶNG THỊ THÚY");
  // Nothing to pool in.
  name = {};
  PoolAcuteWithGrave(name);
  name = {{{"TRẤN", 0.8}}};
  PoolAcuteWithGrave(name);
  CHECK(name[0].size() == 1);
}

TEST_CASE("CreditGraveReadAsHook gives a hook reading's grave twin weight",
          "[ocr][vietnamese_name]") {
  // Every reading saw the hook, the grave at a twentieth of it: as a
  // middle name Thùy is usual, Thủy only as a given name.
  std::vector<std::vector<SyllableOption>> name = {
      {{"PHAN", 1.0}},
      {{"THỦY", 0.75}, {"THÚY", 0.13}, {"THÙY", 0.04}},
      {{"LAN", 1.0}}};
  CreditGraveReadAsHook(name, kGraveReadAsHookShare);
  REQUIRE(name[1].size() == 3);
  CHECK(name[1][0].text == "THỦY");
  CHECK(name[1][0].probability == 0.75);
  CHECK(name[1][1].text == "THÙY");
  CHECK(name[1][1].probability == Approx(0.75 * kGraveReadAsHookShare));
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "PHAN THÙY LAN");
  // No reading proposed the grave: it is made.
  name = {{{"HOÀNG", 0.4}}, {{"THỦY", 0.57}, {"THUY", 0.2}}, {{"HƯƠNG", 0.76}}};
  CreditGraveReadAsHook(name, kGraveReadAsHookShare);
  REQUIRE(name[1].size() == 3);
  CHECK(name[1][1].text == "THÙY");
  ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "HOÀNG THÙY HƯƠNG");
  // A given Thủy stays, and so does a given Hảo: Hào is as usual there.
  for (const char* given : {"THỦY", "HẢO"}) {
    name = {{{"LÊ", 0.9}}, {{"THỊ", 0.9}}, {{given, 0.8}}};
    CreditGraveReadAsHook(name, kGraveReadAsHookShare);
    CHECK(name[2].size() == 2);
    ranked = RankNameCandidates(name, 1);
    REQUIRE(!ranked.empty());
    CHECK(ranked[0].name == std::string("LÊ THỊ ") + given);
  }
  // A grave read as much keeps its weight; a grave makes no hook; mixed
  // case is kept.
  name = {{{"Thùy", 0.6}, {"Thủy", 0.6}}, {{"HOÀNG", 0.9}}};
  CreditGraveReadAsHook(name, kGraveReadAsHookShare);
  REQUIRE(name[0].size() == 2);
  CHECK(name[0][0].probability == 0.6);
  CHECK(name[0][1].probability == 0.6);
  CHECK(name[1].size() == 1);
  name = {{{"Thủy", 0.5}}};
  CreditGraveReadAsHook(name, kGraveReadAsHookShare);
  REQUIRE(name[0].size() == 2);
  CHECK(name[0][1].text == "Thùy");
  // Malformed, empty and non-finite input: no harm; no share, no change.
  std::vector<std::vector<SyllableOption>> junk = {
      {},
      {{"\xff\xfe", 0.5},
       {"", 0.5},
       {"THỦY", std::numeric_limits<double>::quiet_NaN()}}};
  CreditGraveReadAsHook(junk, kGraveReadAsHookShare);
  CHECK(junk[0].empty());
  CHECK(junk[1].size() == 3);
  name = {{{"THỦY", 0.5}}};
  CreditGraveReadAsHook(name, 0.0);
  CHECK(name[0].size() == 1);
}

TEST_CASE(
    "CreditErasedVowelMarks gives a non-name's weight to the name its lost "
    "breve, circumflex or horn would make",
    "[ocr][vietnamese_name]") {
  // "HÀNG" is no given name; with the breve blur erased it is "HẰNG".
  std::vector<std::vector<SyllableOption>> name = {
      {{"PHAN", 0.9}}, {{"KIM", 0.9}}, {{"HÀNG", 0.8}, {"HÀN", 0.2}}};
  CreditErasedVowelMarks(name, 0.5);
  REQUIRE(name[2].size() == 3);
  CHECK(name[2][0].text == "HÀNG");
  CHECK(name[2][0].probability == Approx(0.4));
  CHECK(name[2][1].text == "HẰNG");
  CHECK(name[2][1].probability == Approx(0.4));
  CHECK(name[2][2].probability == 0.2);  // "Hàn" is a name: kept.
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "PHAN KIM HẰNG");
  // Two horns ("ươ"), and a mark under the vowel composes with the breve.
  name = {{{"ĐẠNG", 0.8}}, {{"THUONG", 0.6}}};
  CreditErasedVowelMarks(name, 0.5);
  REQUIRE(name[0].size() == 2);
  CHECK(name[0][1].text == "ĐẶNG");
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][1].text == "THƯƠNG");
  CHECK(name[1][1].probability == Approx(0.3));
  // A name keeps its weight; a vowel that has its mark takes no other.
  name = {{{"LÊ", 0.9}}, {{"HÀ", 0.9}}, {{"HẰNG", 0.5}, {"HẢNG", 0.1}}};
  CreditErasedVowelMarks(name, 0.5);
  CHECK(name[1].size() == 1);
  CHECK(name[1][0].probability == 0.9);
  CHECK(name[2][0].probability == 0.5);
  // No name to give it to: nothing moves.
  name = {{{"LÊ", 0.9}}, {{"XOM", 0.9}}};
  CreditErasedVowelMarks(name, 0.5);
  CHECK(name[1].size() == 1);
  CHECK(name[1][0].probability == 0.9);
  // Shares outside 0..1, malformed text, hostile probabilities, empty lists.
  name = {{{"LÊ", 0.9}}, {{"HÀNG", 0.8}}};
  CreditErasedVowelMarks(name, -1.0);
  CHECK(name[1].size() == 1);
  CreditErasedVowelMarks(name, 9.0);
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][0].text == "HẰNG");
  CHECK(name[1][0].probability == Approx(0.8));
  std::vector<std::vector<SyllableOption>> junk = {
      {}, {{"\xff\xfe", 0.5}, {"", 0.5}}, {{"HÀNG", -2.0}}};
  CreditErasedVowelMarks(junk, 0.5);
  CHECK(junk[1].size() == 2);
  REQUIRE(junk[2].size() == 1);
  CHECK(junk[2][0].probability == -2.0);
}

TEST_CASE("PoolGraveAndHook: a clear reading stands, pairs pool as a whole",
          "[ocr][vietnamese_name]") {
  // One mark read clearly (the other under a third of it): nothing moves.
  std::vector<std::vector<SyllableOption>> name = {
      {{"LÊ", 0.9}}, {{"THỊ", 0.9}}, {{"THÙY", 0.95}, {"THỦY", 0.05}}};
  PoolGraveAndHook(name);
  CHECK(name[2][0].probability == 0.95);
  CHECK(name[2][1].probability == 0.05);
  auto ranked = RankNameCandidates(name, 1);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÊ THỊ THÙY");
  // Two grave spellings of one name (tone on either vowel) pool as one
  // side against the hook: each side ends with half of the whole.
  name = {{{"HÒA", 0.5}, {"HỎA", 0.4}, {"HOÀ", 0.1}}};
  PoolGraveAndHook(name);
  double grave = 0, hook = 0;
  for (const SyllableOption& o : name[0]) {
    (o.text == "HỎA" ? hook : grave) += o.probability;
  }
  CHECK(grave == Approx(0.5));
  CHECK(hook == Approx(0.5));
  // Other onsets are other letters: "HÙY" is not "THỦY"'s twin.
  name = {{{"THỦY", 0.5}, {"HÙY", 0.4}}};
  PoolGraveAndHook(name);
  CHECK(name[0][0].probability == 0.5);
  CHECK(name[0][1].probability == 0.4);
  // Hostile probabilities are neither moved nor moved to.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  name = {{{"THÙY", nan}, {"THỦY", 0.6}, {"THÙY", -2.0}, {"THỦY", inf}}};
  PoolGraveAndHook(name);
  REQUIRE(name[0].size() == 4);
  CHECK(std::isnan(name[0][0].probability));
  CHECK(name[0][1].probability == 0.6);
  CHECK(name[0][2].probability == -2.0);
  CHECK(name[0][3].probability == inf);
  // When a pair pools, a NaN among the options sorts last.
  name = {{{"THÙY", nan}, {"THỦY", 0.6}, {"THÙY", 0.3}}};
  PoolGraveAndHook(name);
  CHECK(name[0][0].probability == Approx(0.45));
  CHECK(name[0][1].probability == Approx(0.45));
  CHECK(std::isnan(name[0][2].probability));
}

TEST_CASE("CreditErasedVowelMarks: bounds, cases and hostile input",
          "[ocr][vietnamese_name]") {
  // A vowel that has its mark takes no other: "HẦNG" (no name) stays.
  std::vector<std::vector<SyllableOption>> name = {{{"LÊ", 0.9}},
                                                   {{"HẦNG", 0.8}}};
  CreditErasedVowelMarks(name, 0.5);
  REQUIRE(name[1].size() == 1);
  CHECK(name[1][0].probability == 0.8);
  // Lower case and decomposed input give the name in the same form.
  name = {{{"lê", 0.9}}, {{"ha\u0300ng", 0.8}}};
  CreditErasedVowelMarks(name, 0.5);
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][1].probability == Approx(0.4));
  CHECK(NameSyllableFrequency(name[1][1].text, NamePart::kGiven) == 2);
  CHECK(name[1][1].text == "h\u1eb1ng");  // hằng
  // Credit to a name already read joins it, however its mark is placed.
  name = {{{"LÊ", 0.9}}, {{"THUONG", 0.6}, {"THƯƠNG", 0.1}}};
  CreditErasedVowelMarks(name, 0.5);
  REQUIRE(name[1].size() == 2);
  CHECK(name[1][0].text == "THƯƠNG");
  CHECK(name[1][0].probability == Approx(0.4));
  CHECK(name[1][1].probability == Approx(0.3));
  // Too long to be a syllable, NaN, infinite: nothing moves.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  name = {{{"LÊ", 0.9}},
          {{std::string(40, 'A'), 0.5}, {"HÀNG", nan}, {"HÀNG", inf}}};
  CreditErasedVowelMarks(name, 0.5);
  CHECK(name[1].size() == 3);
  CreditErasedVowelMarks(name, nan);
  CHECK(name[1].size() == 3);
}

WordChoices Spelt(const std::string& text) {
  WordChoices w;
  w.text = text;
  auto cps = DecodeUtf8(text);
  REQUIRE(cps.ok());
  for (char32_t c : *cps) {
    std::string one;
    icu::UnicodeString(static_cast<UChar32>(c)).toUTF8String(one);
    w.characters.push_back({CharChoice{one, 0.9}});
  }
  return w;
}

TEST_CASE("KeepNameSyllables keeps a smudged syllable's place",
          "[ocr][vietnamese_name]") {
  std::vector<WordChoices> words = {Spelt("mẹ:"), Spelt("LÝ"), Spelt("THANH"),
                                    Spelt("VH'T"), Spelt(".")};
  KeepNameSyllables(words);
  REQUIRE(words.size() == 3);
  CHECK(words[0].text == "LÝ");
  CHECK(words[2].text == "VH'T");
  CHECK(words[2].characters.empty());
  // Marks stuck to a later word's ends are trimmed; a blurred label "m:"
  // and a speck before the name go whole.
  words = {Spelt("m:"), Spelt("s°"), Spelt("TRẦN"), Spelt("-"),
           Spelt("“VIỆT.")};
  KeepNameSyllables(words);
  REQUIRE(words.size() == 2);
  CHECK(words[0].text == "TRẦN");
  CHECK(words[1].text == "VIỆT");
  CHECK(words[1].characters.size() == 4);
  // The family name glued to the label's colon stays the name's.
  words = {Spelt("mẹ"), Spelt("°:LY"), Spelt("NGỌC"), Spelt("CHI")};
  KeepNameSyllables(words);
  REQUIRE(words.size() == 3);
  CHECK(words[0].text == "LY");
  CHECK(words[0].characters.size() == 2);
  // Nothing but marks, or nothing at all: no word.
  words = {Spelt("=:"), Spelt("°")};
  KeepNameSyllables(words);
  CHECK(words.empty());
  KeepNameSyllables(words);
  CHECK(words.empty());
}

TEST_CASE(
    "KeepNameSyllables drops a lone letter that is no syllable before the name",
    "[ocr][vietnamese_name]") {
  // The label's tail read as "S" beside the family name.
  std::vector<WordChoices> words = {Spelt("S"), Spelt("PHẠM"), Spelt("HOÀNG"),
                                    Spelt("HUY")};
  KeepNameSyllables(words);
  REQUIRE(words.size() == 3);
  CHECK(words[0].text == "PHẠM");
  // A one-letter syllable ("Y") is a word of a name and stays.
  words = {Spelt("Y"), Spelt("LAN"), Spelt("HOA")};
  KeepNameSyllables(words);
  CHECK(words.size() == 3);
  // Before anything but a family name it may be one that lost its vowel
  // ("L" for "LÊ"): it keeps its place.
  words = {Spelt("L"), Spelt("MINH"), Spelt("QUỐC"), Spelt("BÌNH")};
  KeepNameSyllables(words);
  CHECK(words.size() == 4);
  // Two words are left alone: a family and a given name at least.
  words = {Spelt("S"), Spelt("HỒ"), Spelt("HUY")};
  KeepNameSyllables(words);
  CHECK(words.size() == 2);
  words = {Spelt("S"), Spelt("HUY")};
  KeepNameSyllables(words);
  CHECK(words.size() == 2);
}

TEST_CASE("VoteName judges readings whole, and without a syllable all lost",
          "[ocr][vietnamese_name]") {
  // Two readings lost the last syllable, two read it: the whole name wins.
  std::vector<std::vector<WordChoices>> readings;
  for (const char* last : {"VH'T", "VH'T", "VIỆT", "VIỆT"}) {
    std::vector<WordChoices> words = {Spelt("LÝ"), Spelt("THANH"), Spelt(last)};
    KeepNameSyllables(words);
    readings.push_back(std::move(words));
  }
  auto ranked = VoteName(readings, 2);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "LÝ THANH VIỆT");
  // Every reading lost the middle one: the name without it, not nothing.
  readings.clear();
  for (int i = 0; i < 3; ++i) {
    std::vector<WordChoices> words = {Spelt("PHAN"), Spelt("N@C"),
                                      Spelt("HOA")};
    KeepNameSyllables(words);
    readings.push_back(std::move(words));
  }
  ranked = VoteName(readings, 2);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "PHAN HOA");
  // The marks: "HÀNG" read everywhere is "HẰNG" given the name lists.
  readings = {{Spelt("PHAN"), Spelt("KIM"), Spelt("HÀNG")}};
  ranked = VoteName(readings, 2);
  REQUIRE(!ranked.empty());
  CHECK(ranked[0].name == "PHAN KIM HẰNG");
  CHECK(VoteName({}, 2).empty());
}

}  // namespace
}  // namespace cdkv::ocr
