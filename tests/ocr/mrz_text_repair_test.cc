#include "ocr/mrz_text_repair.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <string>

#include "tools/synth/identity.h"

namespace cdkv::ocr {
namespace {

const Date kToday{2026, 11, 22};

// Lines of a real-layout MRZ for a fixed random identity whose ID has a 0.
std::array<std::string, 3> Lines() {
  std::mt19937_64 rng(3);
  for (;;) {
    const synth::Identity p = synth::RandomIdentity(rng);
    auto lines = synth::MrzLines(p);
    if (lines[0].find('0', 5) != std::string::npos &&
        lines[2].find('O') != std::string::npos) {
      return lines;
    }
  }
}

std::string Join(const std::array<std::string, 3>& l) {
  return l[0] + "\n" + l[1] + "\n" + l[2];
}

TEST_CASE("ParseOcrTd1 restores dropped trailing fillers", "[ocr][mrz]") {
  auto lines = Lines();
  const auto truth = ParseTd1(Join(lines), kToday);
  REQUIRE(truth.ok());
  lines[2] = lines[2].substr(0, lines[2].find_last_not_of('<') + 2);
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->surname == truth->surname);
  CHECK(mrz->given_names == truth->given_names);
  CHECK(mrz->composite_verified);
}

TEST_CASE("ParseOcrTd1 removes a doubled round glyph when digits prove it",
          "[ocr][mrz]") {
  auto lines = Lines();
  const std::string want_id = lines[0].substr(15, 12);
  const size_t zero = lines[0].find('0', 5);
  lines[0].insert(zero, "O");  // "0" read as "O0".
  const size_t o = lines[2].find('O');
  lines[2].insert(o, "0");  // "O" read as "0O" in the name.
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  REQUIRE(mrz->citizen_id.has_value());
  CHECK(mrz->citizen_id->value == want_id);
  CHECK(mrz->citizen_id->verified);
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname.find("OO") == std::string::npos);
}

TEST_CASE("ParseOcrTd1 leaves unprovable text unverified", "[ocr][mrz]") {
  auto lines = Lines();
  // A digit of the ID's first three (which the document number does not
  // repeat) changed to one no zero looks like: nothing may make it verify.
  lines[0][16] = lines[0][16] == '1' ? '2' : '1';
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK_FALSE(mrz->composite_verified);
  CHECK_FALSE(ParseOcrTd1("garbage", kToday).ok());
  CHECK_FALSE(ParseOcrTd1("", kToday).ok());
  CHECK_FALSE(ParseOcrTd1("A\nB\nC\nD", kToday).ok());
}

// A real-layout MRZ of a random identity and its parse.
struct Truth {
  std::array<std::string, 3> lines;
  Td1Mrz mrz;
};

Truth RandomTruth(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Truth t;
  t.lines = synth::MrzLines(synth::RandomIdentity(rng));
  auto parsed = ParseTd1(Join(t.lines), kToday);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->composite_verified);
  t.mrz = *parsed;
  return t;
}

void RequireSameFields(const Td1Mrz& got, const Td1Mrz& want) {
  REQUIRE(got.citizen_id.has_value());
  CHECK(got.citizen_id->value == want.citizen_id->value);
  CHECK(got.citizen_id->verified);
  CHECK(got.document_number.value == want.document_number.value);
  CHECK(got.document_number.verified);
  CHECK(got.birth_date_text.value == want.birth_date_text.value);
  CHECK(got.birth_date_text.verified);
  CHECK(got.sex == want.sex);
  CHECK(got.composite_verified);
}

TEST_CASE("ParseOcrTd1 refits line 2's shortened filler run", "[ocr][mrz]") {
  for (uint64_t seed : {1, 2, 3, 4}) {
    const Truth t = RandomTruth(seed);
    for (size_t kept : {0, 2, 5, 9, 13}) {
      // "…VNM<<4": the optional data's fillers collapsed before the
      // composite check digit.
      auto lines = t.lines;
      lines[1] =
          lines[1].substr(0, 18) + std::string(kept, '<') + lines[1].back();
      auto mrz = ParseOcrTd1(Join(lines), kToday);
      REQUIRE(mrz.ok());
      RequireSameFields(*mrz, t.mrz);
    }
  }
}

TEST_CASE("ParseOcrTd1 reads fillers misread as letters", "[ocr][mrz]") {
  const Truth t = RandomTruth(7);
  auto lines = t.lines;
  lines[1] = lines[1].substr(0, 18) + "<<<<<<SSSE" + lines[1].back();
  lines[2] = lines[2].substr(0, lines[2].find("<<<", 3) + 8) + "S";
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  RequireSameFields(*mrz, t.mrz);
  CHECK(mrz->surname == t.mrz.surname);
  CHECK(mrz->given_names == t.mrz.given_names);
  // A shadow over the run: every filler a letter, none left.
  lines[1] = t.lines[1].substr(0, 18) + "SSSSG" + t.lines[1].back();
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  RequireSameFields(*mrz, t.mrz);
  // The nationality read with a letter too many or too few.
  lines[1] = t.lines[1].substr(0, 15) + "VIWN" + std::string(11, '<') +
             t.lines[1].back();
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  RequireSameFields(*mrz, t.mrz);
  lines[1] = t.lines[1].substr(0, 15) + "VN" + std::string(11, '<') +
             t.lines[1].back();
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  RequireSameFields(*mrz, t.mrz);
  // A digit there is data, not a filler: nothing is rebuilt.
  lines[1] = t.lines[1].substr(0, 18) + "<<<7<<<<<<<" + t.lines[1].back();
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK_FALSE(mrz->composite_verified);
}

TEST_CASE("ParseOcrTd1 refits line 1's last filler run", "[ocr][mrz]") {
  const Truth t = RandomTruth(8);
  for (const char* run : {"<", "<<<", "<<<<"}) {
    auto lines = t.lines;
    lines[0] = lines[0].substr(0, 27) + run + lines[0].back();
    auto mrz = ParseOcrTd1(Join(lines), kToday);
    REQUIRE(mrz.ok());
    RequireSameFields(*mrz, t.mrz);
  }
}

TEST_CASE("ParseOcrTd1 drops filler-shaped letters after the name",
          "[ocr][mrz]") {
  // Only line 3 matters here; the other lines come from a valid zone.
  const Truth t = RandomTruth(9);
  auto lines = t.lines;
  lines[2] = "BUI<<CONG<TUANK<<<<<<<<<<<<<<<";
  auto mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->surname == "BUI");
  CHECK(mrz->given_names == std::vector<std::string>{"CONG", "TUAN"});
  lines[2] = "LY<<MY<LINH<E<<<<<<<<<<<<<<<<<";
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names == std::vector<std::string>{"MY", "LINH"});
  // A one-letter given name that is a syllable ("Như Ý") stays.
  lines[2] = "LE<<NHU<Y<<<<<<<<<<<<<<<<<<<<";
  mrz = ParseOcrTd1(Join(lines), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names == std::vector<std::string>{"NHU", "Y"});
}

TEST_CASE("ParseOcrTd1 splits name words at fillers read as letters",
          "[ocr][mrz]") {
  const Truth t = RandomTruth(10);
  auto lines = t.lines;
  const auto given = [&](const std::string& line3) {
    lines[2] = line3;
    auto mrz = ParseOcrTd1(Join(lines), kToday);
    REQUIRE(mrz.ok());
    std::vector<std::string> words = {mrz->surname};
    words.insert(words.end(), mrz->given_names.begin(), mrz->given_names.end());
    return words;
  };
  using W = std::vector<std::string>;
  CHECK(given("LY<<THUKLAN<<<<<<<<<<<<<<<<<<<") == W{"LY", "THU", "LAN"});
  CHECK(given("VUSK<VANETHANH<LOC<<<<<<<<<<<<") ==
        W{"VU", "VAN", "THANH", "LOC"});
  CHECK(given("BUI<<MY<HUONG<<<<<<<<<<<<<<<ES") == W{"BUI", "MY", "HUONG"});
  // Real names stay as they are, whatever letters they hold.
  CHECK(given("NGUYEN<<KHUE<XUAN<<<<<<<<<<<<<") == W{"NGUYEN", "KHUE", "XUAN"});
  CHECK(given("QUACH<<NGHIEM<THI<TUYET<<<<<<<") ==
        W{"QUACH", "NGHIEM", "THI", "TUYET"});
  CHECK(given("KHUC<<DUYEN<OANH<<<<<<<<<<<<<<") == W{"KHUC", "DUYEN", "OANH"});
  // Digits in names: the letter that makes a syllable.
  CHECK(given("HUYNH<<THI<TUYE1<<<<<<<<<<<<<<") == W{"HUYNH", "THI", "TUYET"});
  CHECK(given("HUYNH<<BA0<TUYE1T<<<<<<<<<<<<<") == W{"HUYNH", "BAO", "TUYET"});
  CHECK(given("LE<<M1NH<<<<<<<<<<<<<<<<<<<<<<") == W{"LE", "MINH"});
  // No syllable split makes a foreign name valid: left alone.
  CHECK(given("SMITH<<JOHN<<<<<<<<<<<<<<<<<<<") == W{"SMITH", "JOHN"});
}

TEST_CASE("ParseOcrTd1 reads OCR-B chevrons misread as letters", "[ocr][mrz]") {
  // Readings of blurred OCR-B zones: a chevron comes out as K, S, E or G,
  // or as a filler and a K.
  const Truth t = RandomTruth(10);
  auto lines = t.lines;
  const auto given = [&](const std::string& line3) {
    lines[2] = line3;
    auto mrz = ParseOcrTd1(Join(lines), kToday);
    REQUIRE(mrz.ok());
    std::vector<std::string> words = {mrz->surname};
    words.insert(words.end(), mrz->given_names.begin(), mrz->given_names.end());
    return words;
  };
  using W = std::vector<std::string>;
  CHECK(given("NGO<<NGOC<KMAI<K<KKKEKKKK<<<<<") == W{"NGO", "NGOC", "MAI"});
  CHECK(given("VUKKKIMSHAKKKKKKKKKKKKKKKKKKKK") == W{"VU", "KIM", "HA"});
  CHECK(given("LE<<HUU<KVIET<KKKKK<<<<<<<<<<<") == W{"LE", "HUU", "VIET"});
  CHECK(given("BUI<<DUC<KCONG<KLOC<<<<<<<<<<<") ==
        W{"BUI", "DUC", "CONG", "LOC"});
  CHECK(given("VU<<VAN<VINH<K<KKKKKKKKKKKK<<<") == W{"VU", "VAN", "VINH"});
  CHECK(given("LE<<MY<ANH<6<6666666666666666<") == W{"LE", "MY", "ANH"});
  CHECK(given("DO<<THUY<HA<<<<<<<66666666666<") == W{"DO", "THUY", "HA"});
  // Spelling rules reject a chevron read as K before a vowel k never
  // precedes, and before yê.
  CHECK(given("PHAN<<DUC<KAN<<<<<<<<<<<<<<<<<") == W{"PHAN", "DUC", "AN"});
  CHECK(given("PHAN<<DUC<<KAN<<<<<<<<<<<<<<<<") == W{"PHAN", "DUC", "AN"});
  CHECK(given("VO<<MY<VY<<<SE<KE<<<<<<<<<<<<<") == W{"VO", "MY", "VY"});
  CHECK(given("LE<<THU<KOANH<<<<<<<<<<<<<<<<<") == W{"LE", "THU", "OANH"});
  CHECK(given("TRAN<<THU<KYEN<<<<<<<<<<<<<<<<") == W{"TRAN", "THU", "YEN"});
  CHECK(given("NGUYEN<<KIEU<NGHIEM<QUYEN<<<<<") ==
        W{"NGUYEN", "KIEU", "NGHIEM", "QUYEN"});
  // A K that begins a syllable stays.
  CHECK(given("VU<<KIM<KHANH<<<<<<<<<<<<<<<<<") == W{"VU", "KIM", "KHANH"});
}

TEST_CASE("CombineOcrTd1 prefers the birth date the expiry agrees with",
          "[ocr][mrz]") {
  for (uint64_t seed : {31, 32, 33, 34, 35, 36}) {
    const Truth t = RandomTruth(seed);
    REQUIRE_FALSE(BirthdayContradictsExpiry(t.mrz));
    // The last digit of the birth date and its check digit misread alike
    // (3 as 5): both check digits and the composite still hold.
    auto misread = t.lines;
    const auto bump = [](char c) {
      return static_cast<char>('0' + (c - '0' + 2) % 10);
    };
    misread[1][5] = bump(misread[1][5]);
    misread[1][6] = bump(misread[1][6]);
    auto alone = ParseOcrTd1(Join(misread), kToday);
    REQUIRE(alone.ok());
    if (!alone->birth_date.has_value()) continue;  // Day 30 became 32.
    CHECK(alone->birth_date_text.verified);
    CHECK(alone->composite_verified);
    CHECK(BirthdayContradictsExpiry(*alone));
    // Another reading that got it right wins, whichever came first.
    for (bool misread_first : {true, false}) {
      auto both = misread_first
                      ? CombineOcrTd1({Join(misread), Join(t.lines)}, kToday)
                      : CombineOcrTd1({Join(t.lines), Join(misread)}, kToday);
      REQUIRE(both.ok());
      CHECK(both->birth_date == t.mrz.birth_date);
      CHECK_FALSE(BirthdayContradictsExpiry(*both));
    }
  }
}

TEST_CASE(
    "CombineOcrTd1 trusts no check digit that holds on an impossible date",
    "[ocr][mrz]") {
  // A level-3 photo: the first reading has a stray 6 in line 2, whose first
  // seven characters "8651110" then pass their check digit by chance.
  const std::string shifted =
      "IDVNM0850699043044085069904<<9\n"
      "86511102M2511100VNM<<<<<<<<<<<0\n"
      "BUI<<NGOC<TUAN<<<<<<<<<<";
  const std::string right =
      "IDVNM0850699043044085069904<<9\n"
      "8511102M2511100VNM<<<<<<<<<<<0\n"
      "BUI<<NGOC<TUAN<<<<<<<<<K<<<";
  for (const auto& readings : {std::vector<std::string>{shifted, right},
                               std::vector<std::string>{right, shifted}}) {
    auto mrz = CombineOcrTd1(readings, kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->birth_date == Date{1985, 11, 10});
    CHECK(mrz->birth_date_text.verified);
    CHECK(mrz->expiry_date == Date{2025, 11, 10});
    CHECK(mrz->composite_verified);
  }
}

TEST_CASE("CombineOcrTd1 takes each field where its check digit holds",
          "[ocr][mrz]") {
  for (uint64_t seed : {11, 12, 13, 14, 15}) {
    const Truth t = RandomTruth(seed);
    // Reading A has the ID wrong, reading B the birth date and the
    // document number; neither verifies alone.
    auto a = t.lines;
    a[0][16] = a[0][16] == '1' ? '2' : '1';
    auto b = t.lines;
    b[1][3] = b[1][3] == '1' ? '2' : '1';
    b[0][7] = b[0][7] == '1' ? '2' : '1';
    auto only_a = CombineOcrTd1({Join(a)}, kToday);
    REQUIRE(only_a.ok());
    CHECK_FALSE((only_a->composite_verified && only_a->citizen_id->verified));
    auto both = CombineOcrTd1({Join(a), Join(b)}, kToday);
    REQUIRE(both.ok());
    RequireSameFields(*both, t.mrz);
  }
}

TEST_CASE("CombineOcrTd1 never verifies a digit no reading got right",
          "[ocr][mrz]") {
  const Truth t = RandomTruth(21);
  auto a = t.lines;
  // 1 and 2 are no zero's lookalikes, and the document number does not
  // repeat the ID's first digits: nothing may turn it back.
  a[0][16] = a[0][16] == '1' ? '2' : '1';
  auto b = a;
  b[1] = b[1].substr(0, 18) + "<<" + b[1].back();  // Another defect.
  auto mrz = CombineOcrTd1({Join(a), Join(b), Join(a)}, kToday);
  REQUIRE(mrz.ok());
  REQUIRE(mrz->citizen_id.has_value());
  CHECK_FALSE(mrz->citizen_id->verified);
  CHECK(mrz->citizen_id->value != t.mrz.citizen_id->value);
}

TEST_CASE("CombineOcrTd1 refuses malformed and hostile readings",
          "[ocr][mrz]") {
  CHECK_FALSE(CombineOcrTd1({}, kToday).ok());
  CHECK_FALSE(CombineOcrTd1({"", "garbage", "A\nB"}, kToday).ok());
  CHECK_FALSE(CombineOcrTd1({std::string(100000, '<')}, kToday).ok());
  const Truth t = RandomTruth(31);
  // A huge reading is skipped, the good one still counts.
  auto mrz = CombineOcrTd1({std::string(1 << 20, '0') + "\n\n", Join(t.lines)},
                           kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->composite_verified);
  // Readings past kMaxTd1Readings are ignored.
  std::vector<std::string> many(kMaxTd1Readings, "X\nY\nZ");
  many.push_back(Join(t.lines));
  CHECK_FALSE(CombineOcrTd1(many, kToday).ok());
  // Random lines of MRZ characters in many readings: bounded, no crash,
  // and nothing verified by chance in the ID.
  std::mt19937_64 rng(5);
  const std::string alphabet = "0123456789<<<<ABCKSEO";
  int verified = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> readings;
    for (int r = 0; r < 4; ++r) {
      std::string text;
      for (int l = 0; l < 3; ++l) {
        const int n = 25 + static_cast<int>(rng() % 10);
        for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
        text += '\n';
      }
      readings.push_back(text);
    }
    auto m = CombineOcrTd1(readings, kToday);
    if (m.ok() && m->citizen_id.has_value() && m->citizen_id->verified &&
        m->document_number.verified && m->composite_verified &&
        m->document_number.value == m->citizen_id->value.substr(3)) {
      ++verified;
    }
  }
  CHECK(verified == 0);
}

// A blurred zero read as 6, 8 or 9 in every digit column of lines 1-2.
std::array<std::string, 3> BlurZeros(std::array<std::string, 3> lines,
                                     std::mt19937_64& rng) {
  for (int l : {0, 1}) {
    for (size_t i = l == 0 ? 5 : 0; i < lines[l].size(); ++i) {
      if (lines[l][i] == '0') lines[l][i] = "689"[rng() % 3];
    }
  }
  return lines;
}

bool Proven(const Td1Mrz& m) {
  return m.composite_verified && m.citizen_id.has_value() &&
         m.citizen_id->verified && m.document_number.verified &&
         m.birth_date_text.verified;
}

TEST_CASE("CombineOcrTd1 repairs zeros misread in every reading",
          "[ocr][mrz]") {
  std::mt19937_64 rng(77);
  int repaired = 0, wrong = 0, with_zeros = 0;
  for (uint64_t seed = 100; seed < 400; ++seed) {
    const Truth t = RandomTruth(seed);
    const auto blurred = BlurZeros(t.lines, rng);
    if (blurred == t.lines) continue;
    ++with_zeros;
    auto mrz = CombineOcrTd1({Join(blurred)}, kToday);
    REQUIRE(mrz.ok());
    if (!Proven(*mrz)) continue;
    if (mrz->citizen_id->value == t.mrz.citizen_id->value &&
        mrz->birth_date_text.value == t.mrz.birth_date_text.value &&
        mrz->expiry_date_text.value == t.mrz.expiry_date_text.value) {
      ++repaired;
      CHECK(mrz->citizen_id->repaired);
    } else {
      ++wrong;
    }
  }
  // Never a verified wrong zone; most are repaired (the rest stay
  // unverified because several zones fit).
  CHECK(wrong == 0);
  CHECK(repaired * 2 > with_zeros);
}

TEST_CASE("CombineOcrTd1 repairs no birth date its expiry contradicts",
          "[ocr][mrz]") {
  // A level-3 back (born 19/03/1984, expiring on the 60th birthday): the
  // dates read alone give the birth date's check digit 1 as 7 and, once,
  // its 4 as 5. Turning the last 9 into its lookalike 5 makes "840315"
  // hold its check digit 7 and the composite; the expiry, 19/03/2044,
  // says it is wrong.
  // Line 2 as the block's readings at five heights give it, letters for
  // its digits, and twice with the dates read alone; line 1, its numbers
  // read alone, is right in all.
  const std::string line1 = "IDVNM1840740653082184074065<<9\n";
  const std::string name = "\nDANG<<THUY<PHUONG<<<<<<<<<<<";
  const std::vector<std::string> line2s = {
      "SSOSISTESRSOSISSVNM<K<<<<<<<<<K<0", "SSOSTPTESLSOSIOSVNM<K<<<<<<<<<K<0",
      "SSOSTSTESSOSTIISVNM<<<<<<<<<0",     "8403197F4403193VNM<<<<<<<<<0",
      "SSOSTSTESSOSIOSVNMK<<<<<K<<<<K0",   "SSOSISTESSOSIOSVNM<K<<<<<<<<<K<0",
      "8503197F4403193VNM<K<<<<<<<<<K<0"};
  std::vector<std::string> readings;
  for (const std::string& l2 : line2s) readings.push_back(line1 + l2 + name);
  auto mrz = CombineOcrTd1(readings, kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->expiry_date == Date{2044, 3, 19});
  CHECK(mrz->birth_date != Date{1984, 3, 15});
  CHECK_FALSE(BirthdayContradictsExpiry(*mrz));
  // What the card reader then gives: the birthday the expiry implies in
  // the year the proven ID carries.
  CHECK(BirthDateFromExpiry(*mrz, 1984) == Date{1984, 3, 19});
}

TEST_CASE("CombineOcrTd1 keeps a Vietnamese card's fixed cells", "[ocr][mrz]") {
  // A level-3 2024 back: line 1's head read "101N4" and "1L1N4", or with
  // a glyph more. Parsed as another country's zone, the misread document
  // number would need no ID to match it; told the zone is a Vietnamese
  // card's, the combination keeps the ID and its checks.
  const std::string name = "\nNGUYEN<<HOANG<SON<<<<<<<<<<<<<";
  const std::vector<std::string> readings = {
      "101N40906047316034090804731<<9\n9006164H35006162VNN<K<<<<<<<<0" + name,
      "1014409080647316034090804731<<9\n9006164935006162VNM<<<<<<<<<<<0" + name,
      "1L1N40908047316034090804731<<9\n9006164M3006162VNM<<<<<<<<<<<0" + name,
      "ITDVNM0908047316034090804731<<9\n9006164M3006162VNM<<<<<<<<<<<0" + name};
  auto mrz = CombineOcrTd1(readings, kToday, Td1Zone::kVietnameseIdCard);
  REQUIRE(mrz.ok());
  CHECK(mrz->document_code == "ID");
  REQUIRE(mrz->citizen_id.has_value());
  CHECK(mrz->citizen_id->value == "034090804731");
  CHECK(mrz->citizen_id->verified);
  CHECK(mrz->document_number.value == "090804731");
  CHECK(mrz->sex == Sex::kMale);

  // Another back: the two fillers before the ID's check digit read as
  // "60" in most readings, which made the ID 14 digits long, and the one
  // reading that kept them had a 3 read as 5.
  const std::string vy = "\nLE<<THUY<NGOC<VY<<<<<<<<<<<<<<";
  const std::vector<std::string> shadowed = {
      "1DVNM1973157456001197515745607\n9711079F3711077VNMS66" + vy,
      "1DVNM1973157456001197315745607\n9711079F3711077VNM<<666" + vy,
      "1DVNM1973157456001197315745607\n9711079F3711077VNMS" + vy,
      "IDVNM19731574560011975157G5887\n9711079F3711077VNMSRRRRR" + vy,
      "IDVNM1973157456001197515745<<7\n9711079F3711077VNMSRRRRR" + vy,
      "I1DVNM19731574560011973515745607\n9711079F3711077VNM<<66" + vy};
  auto any = CombineOcrTd1(shadowed, kToday);
  REQUIRE(any.ok());
  REQUIRE(any->citizen_id.has_value());
  CHECK(any->citizen_id->value == "001197515745");
  CHECK_FALSE(any->citizen_id->verified);
  auto card = CombineOcrTd1(shadowed, kToday, Td1Zone::kVietnameseIdCard);
  REQUIRE(card.ok());
  REQUIRE(card->citizen_id.has_value());
  CHECK(card->citizen_id->value == "001197315745");
  CHECK(card->citizen_id->verified);
  CHECK(card->document_number.value == "197315745");
  CHECK(card->document_number.verified);

  // Lines too short for the fixed cells: a clear error, as before.
  CHECK(CombineOcrTd1({"V\nX\nY"}, kToday, Td1Zone::kVietnameseIdCard)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("CombineOcrTd1 repairs across readings that misread the code",
          "[ocr][mrz]") {
  std::mt19937_64 rng(79);
  int repaired = 0;
  for (uint64_t seed = 800; seed < 860; ++seed) {
    const Truth t = RandomTruth(seed);
    auto a = BlurZeros(t.lines, rng);
    if (a == t.lines) continue;
    auto b = a;
    a[0][0] = '1';  // "1D": the document code is not evidence.
    b[0][1] = '0';  // "I0".
    auto mrz = CombineOcrTd1({Join(a), Join(b)}, kToday);
    REQUIRE(mrz.ok());
    if (!Proven(*mrz)) continue;
    CHECK(mrz->citizen_id->value == t.mrz.citizen_id->value);
    CHECK(mrz->birth_date_text.value == t.mrz.birth_date_text.value);
    ++repaired;
  }
  CHECK(repaired > 10);
}

TEST_CASE(
    "CombineOcrTd1 trusts no composite over an ID the document "
    "number contradicts",
    "[ocr][mrz]") {
  const Truth t = RandomTruth(901);
  // Reading B: an ID digit misread and its check digit with it, so that
  // the ID, and a composite computed over it, verify; the document number
  // still says otherwise.
  auto b = t.lines;
  b[0][24] = b[0][24] == '1' ? '2' : '1';
  b[0][29] = static_cast<char>('0' + *MrzCheckDigit(b[0].substr(15, 14)));
  const std::string composite = b[0].substr(5) + b[1].substr(0, 7) +
                                b[1].substr(8, 7) + b[1].substr(18, 11);
  b[1][29] = static_cast<char>('0' + *MrzCheckDigit(composite));
  auto alone = CombineOcrTd1({Join(b)}, kToday);
  REQUIRE(alone.ok());
  REQUIRE(alone->citizen_id.has_value());
  CHECK(alone->citizen_id->verified);
  CHECK_FALSE(alone->composite_verified);
  // Reading A: right, but its composite digit lost.
  auto a = t.lines;
  a[1] = a[1].substr(0, 18);
  auto both = CombineOcrTd1({Join(b), Join(a)}, kToday);
  REQUIRE(both.ok());
  CHECK(both->citizen_id->value == t.mrz.citizen_id->value);
  CHECK_FALSE(both->composite_verified);
}

TEST_CASE("CombineOcrTd1 does not repair digits without the composite digit",
          "[ocr][mrz]") {
  std::mt19937_64 rng(78);
  for (uint64_t seed = 500; seed < 600; ++seed) {
    const Truth t = RandomTruth(seed);
    auto blurred = BlurZeros(t.lines, rng);
    if (blurred == t.lines) continue;
    blurred[1] = blurred[1].substr(0, 18) + "<<<";  // Composite lost.
    auto mrz = CombineOcrTd1({Join(blurred)}, kToday);
    REQUIRE(mrz.ok());
    CHECK_FALSE(mrz->composite_verified);
    REQUIRE(mrz->citizen_id.has_value());
    // The other check digits alone leave several zones possible: no
    // repair is made, and what was read stays unproven.
    if (mrz->citizen_id->value != t.mrz.citizen_id->value) {
      CHECK_FALSE(
          (mrz->citizen_id->verified && mrz->document_number.verified &&
           mrz->document_number.value == mrz->citizen_id->value.substr(3)));
    }
  }
}

TEST_CASE("CombineOcrTd1 repairs nothing outside Vietnamese zones",
          "[ocr][mrz]") {
  // The ICAO specimen with its 0s blurred: no ID/document-number pairing
  // to lean on, so no repair may verify it.
  const std::string l1 = "I<UTOD231458987<<<<<<<<<<<<<<<";
  const std::string l2 = "7488122F1284159UTO<<<<<<<<<<<6";
  const std::string l3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
  auto mrz = CombineOcrTd1({l1 + "\n" + l2 + "\n" + l3}, kToday);
  REQUIRE(mrz.ok());
  CHECK_FALSE(mrz->composite_verified);
}

TEST_CASE("CombineOcrTd1 stays fast on readings that all disagree",
          "[ocr][mrz]") {
  // Eight different zones, their digits turned into ambiguous lookalike
  // letters (Q is 0 or 9, G is 6, 9 or 0) and blurred zeros: every slot
  // has as many options as allowed, every field many repairs.
  std::mt19937_64 rng(91);
  std::vector<std::string> readings;
  for (uint64_t seed = 700; readings.size() < kMaxTd1Readings; ++seed) {
    auto lines = BlurZeros(RandomTruth(seed).lines, rng);
    for (int l : {0, 1}) {
      for (char& c : lines[l]) {
        if (c == '9' && rng() % 2 == 0) c = 'Q';
        if (c == '6' && rng() % 2 == 0) c = 'G';
      }
    }
    readings.push_back(Join(lines));
  }
  const auto start = std::chrono::steady_clock::now();
  auto mrz = CombineOcrTd1(readings, kToday);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  CHECK(mrz.ok());
  // Generous for a shared machine; typical readings take well under 1 ms.
  CHECK(seconds < 2.0);
}

}  // namespace
}  // namespace cdkv::ocr
