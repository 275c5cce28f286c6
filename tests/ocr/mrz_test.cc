#include "ocr/mrz.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace cdkv::ocr {
namespace {

const Date kToday{2026, 11, 22};

// ICAO 9303 part 5, appendix A: the published TD1 specimen.
constexpr char kIcaoSpecimen[] =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n"
    "7408122F1204159UTO<<<<<<<<<<<6\n"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

char Check(std::string_view s) {
  return static_cast<char>('0' + *MrzCheckDigit(s));
}

std::string Pad(std::string s) {
  s.resize(kTd1LineLength, '<');
  return s;
}

// A Vietnamese card's MRZ for ID 087090001234, born 1 Feb 1990, male, laid
// out as on issued cards: the ID again in optional data, "<<", and its check
// digit in the last position of line 1.
struct VnMrz {
  std::string line1, line2, line3;
  std::string Text() const { return line1 + "\n" + line2 + "\n" + line3; }
};

VnMrz MakeVn(const std::string& names = "NGUYEN<<VAN<AN") {
  const std::string id = "087090001234";
  const std::string doc = id.substr(3);
  VnMrz m;
  m.line1 = "IDVNM" + doc + Check(doc) + id + "<<" + Check(id);
  const std::string birth = "900201";
  const std::string expiry = "300201";
  std::string l2 = birth + Check(birth) + "M" + expiry + Check(expiry) + "VNM";
  l2 = l2 + std::string(11, '<');
  const std::string composite =
      m.line1.substr(5) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
  m.line2 = l2 + Check(composite);
  m.line3 = Pad(names);
  return m;
}

TEST_CASE("MrzCheckDigit matches the ICAO examples", "[ocr][mrz]") {
  CHECK(*MrzCheckDigit("D23145890") == 7);
  CHECK(*MrzCheckDigit("740812") == 2);
  CHECK(*MrzCheckDigit("120415") == 9);
  CHECK(*MrzCheckDigit("L898902C3") == 6);
  CHECK(*MrzCheckDigit("<<<<") == 0);
  CHECK(*MrzCheckDigit("") == 0);
  CHECK_FALSE(MrzCheckDigit("12a").has_value());
  CHECK_FALSE(MrzCheckDigit("12 3").has_value());
}

TEST_CASE("ParseTd1 reads the ICAO specimen", "[ocr][mrz]") {
  auto mrz = ParseTd1(kIcaoSpecimen, kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->document_code == "I");
  CHECK(mrz->issuing_state.value == "UTO");
  CHECK(mrz->document_number.value == "D23145890");
  CHECK(mrz->document_number.verified);
  CHECK_FALSE(mrz->document_number.repaired);
  CHECK_FALSE(mrz->citizen_id.has_value());
  CHECK(mrz->birth_date == Date{1974, 8, 12});
  CHECK(mrz->birth_date_text.verified);
  CHECK(mrz->sex == Sex::kFemale);
  CHECK(mrz->expiry_date == Date{2012, 4, 15});
  CHECK(mrz->expiry_date_text.verified);
  CHECK(mrz->nationality.value == "UTO");
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname == "ERIKSSON");
  CHECK(mrz->given_names == std::vector<std::string>{"ANNA", "MARIA"});
  CHECK_FALSE(mrz->names_truncated);
  CHECK_FALSE(mrz->names_repaired);
}

TEST_CASE("ParseTd1 reads a Vietnamese card", "[ocr][mrz]") {
  const VnMrz vn = MakeVn();
  auto mrz = ParseTd1(vn.Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->document_code == "ID");
  CHECK(mrz->document_number.value == "090001234");
  CHECK(mrz->document_number.verified);
  REQUIRE(mrz->citizen_id.has_value());
  CHECK(mrz->citizen_id->value == "087090001234");
  CHECK(mrz->citizen_id->verified);
  CHECK(mrz->birth_date == Date{1990, 2, 1});
  CHECK(mrz->expiry_date == Date{2030, 2, 1});
  CHECK(mrz->sex == Sex::kMale);
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname == "NGUYEN");
  CHECK(mrz->given_names == std::vector<std::string>{"VAN", "AN"});
}

TEST_CASE("ParseTd1 tolerates OCR layout noise", "[ocr][mrz]") {
  const VnMrz vn = MakeVn();
  std::string noisy =
      "\r\n  " + vn.line1 + " \r\n\n" + vn.line2 + "\r\n" + vn.line3 + "\n\n";
  for (char& c : noisy) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  auto mrz = ParseTd1(noisy, kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname == "NGUYEN");
}

TEST_CASE("ParseTd1 repairs letter/digit confusions verified by check digits",
          "[ocr][mrz]") {
  VnMrz vn = MakeVn();
  SECTION("a lookalike that does not validate is not accepted") {
    // The '9' of 090001234 read as 'B' maps to 8, which fails the check digit.
    vn.line1[6] = 'B';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK_FALSE(mrz->document_number.verified);
    CHECK_FALSE(mrz->document_number.repaired);
    CHECK_FALSE(mrz->composite_verified);
  }
  SECTION("O for 0 in the document number and the citizen ID") {
    vn.line1[7] = 'O';
    vn.line1[18] = 'O';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->document_number.value == "090001234");
    CHECK(mrz->document_number.verified);
    CHECK(mrz->document_number.repaired);
    CHECK(mrz->citizen_id->value == "087090001234");
    CHECK(mrz->citizen_id->repaired);
    CHECK(mrz->composite_verified);
  }
  SECTION("S, Z, I in dates") {
    vn.line2[0] = 'G';  // Ambiguous alone (6 or 9), decided by the check digit.
    vn.line2[3] = 'Z';
    vn.line2[9] = 'O';
    vn.line2[13] = 'I';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->birth_date_text.repaired);
    CHECK(mrz->birth_date_text.verified);
    CHECK(mrz->birth_date == Date{1990, 2, 1});
    CHECK(mrz->expiry_date_text.repaired);
    CHECK(mrz->expiry_date == Date{2030, 2, 1});
    CHECK(mrz->composite_verified);
  }
  SECTION("a check digit read as a letter") {
    const char original = vn.line2[6];
    REQUIRE(original == '8');
    vn.line2[6] = 'B';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->birth_date_text.verified);
    CHECK(mrz->birth_date_text.repaired);
    CHECK(mrz->composite_verified);
  }
  SECTION("digits in letter fields") {
    vn.line3 = Pad("NGUYEN<<VAN<8INH");
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->names_repaired);
    CHECK(mrz->given_names == std::vector<std::string>{"VAN", "BINH"});
  }
  SECTION("nationality with a digit") {
    vn.line2[15] = '5';
    vn.line2[16] = '1';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->nationality.value == "SIM");
    CHECK(mrz->nationality.repaired);
    CHECK_FALSE(mrz->nationality.verified);
  }
  SECTION("a letter with no digit lookalike is not guessed") {
    vn.line2[2] = 'X';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK_FALSE(mrz->birth_date_text.verified);
    CHECK_FALSE(mrz->birth_date.has_value());
  }
  SECTION("a wrong digit is reported, not guessed") {
    vn.line2[1] = '1';
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK_FALSE(mrz->birth_date_text.verified);
    CHECK_FALSE(mrz->birth_date_text.repaired);
    CHECK(mrz->birth_date == Date{1991, 2, 1});
    CHECK_FALSE(mrz->composite_verified);
  }
}

TEST_CASE("A Vietnamese MRZ name's Q before anything but U is an O",
          "[ocr][mrz]") {
  // Blur turns O into Q; Vietnamese spells Q only as QU.
  auto mrz = ParseTd1(MakeVn("TRAN<<THI<THAQ").Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names == std::vector<std::string>{"THI", "THAO"});
  CHECK(mrz->names_repaired);
  // Beside an O it is that O read twice: no Vietnamese name has "OO".
  mrz = ParseTd1(MakeVn("PHAN<<OQANH").Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names == std::vector<std::string>{"OANH"});
  CHECK(mrz->names_repaired);
  mrz = ParseTd1(MakeVn("PHAN<MY<<QOANH<HOQ").Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->surname == "PHAN MY");
  CHECK(mrz->given_names == std::vector<std::string>{"OANH", "HO"});
  // QU stays.
  mrz = ParseTd1(MakeVn("NGUYEN<<QUOC<QUYEN").Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names == std::vector<std::string>{"QUOC", "QUYEN"});
  CHECK_FALSE(mrz->names_repaired);
  // A Q last in the line (a name cut short) is an O too.
  mrz = ParseTd1(MakeVn("LY<<THI<THAQ<<<<<<<<<<<<<<<<<Q").Text(), kToday);
  REQUIRE(mrz.ok());
  CHECK(mrz->given_names.back() == "O");
  // Other states' names are not Vietnamese: left as read.
  auto icao = ParseTd1(
      "I<UTOD231458907<<<<<<<<<<<<<<<\n"
      "7408122F1204159UTO<<<<<<<<<<<6\n"
      "ERIKSSON<<ANNA<MARIQ<<<<<<<<<<",
      kToday);
  REQUIRE(icao.ok());
  CHECK(icao->given_names.back() == "MARIQ");
}

TEST_CASE("ParseTd1 refuses an ambiguous repair", "[ocr][mrz]") {
  // G reads as 6 or 9. At weights 7 and 3, 66... and 99... share a check
  // digit, so two repairs validate and neither may be chosen.
  const std::string doc = "660001234";
  REQUIRE(*MrzCheckDigit(doc) == *MrzCheckDigit("990001234"));
  std::string line1 = Pad("IDUTO" + std::string("GG0001234") + Check(doc));
  const std::string line2 = "7408122F1204159UTO<<<<<<<<<<<0";
  auto mrz = ParseTd1(line1 + "\n" + line2 + "\nA<<B", kToday);
  REQUIRE_FALSE(mrz.ok());  // Line 3 is too short.
  mrz = ParseTd1(line1 + "\n" + line2 + "\n" + Pad("A<<B"), kToday);
  REQUIRE(mrz.ok());
  // Other states' document numbers are alphanumeric: G is a valid letter, and
  // GG0001234 happens to carry the same check digit.
  CHECK(mrz->document_number.verified);
  CHECK_FALSE(mrz->document_number.repaired);
  CHECK(mrz->document_number.value == "GG0001234");

  line1.replace(2, 3, "VNM");
  mrz = ParseTd1(line1 + "\n" + line2 + "\n" + Pad("A<<B"), kToday);
  REQUIRE(mrz.ok());
  CHECK_FALSE(mrz->document_number.verified);
  CHECK_FALSE(mrz->document_number.repaired);
  CHECK(mrz->document_number.value == "GG0001234");
}

TEST_CASE("ParseTd1 rejects malformed and hostile text", "[ocr][mrz]") {
  const VnMrz vn = MakeVn();
  CHECK_FALSE(ParseTd1("", kToday).ok());
  CHECK_FALSE(ParseTd1(vn.line1 + "\n" + vn.line2, kToday).ok());
  CHECK_FALSE(ParseTd1(vn.Text() + "\n" + vn.line3, kToday).ok());
  CHECK_FALSE(
      ParseTd1(vn.line1 + "<<<\n" + vn.line2 + "\n" + vn.line3, kToday).ok());
  CHECK_FALSE(
      ParseTd1(vn.line1.substr(0, 27) + "\n" + vn.line2 + "\n" + vn.line3,
               kToday)
          .ok());
  std::string bad = vn.Text();
  bad[3] = '#';
  auto mrz = ParseTd1(bad, kToday);
  REQUIRE_FALSE(mrz.ok());
  CHECK_THAT(std::string(mrz.status().message()),
             Catch::Contains("position 4"));
  bad = vn.Text();
  bad[10] = '\xC3';
  CHECK_FALSE(ParseTd1(bad, kToday).ok());
  CHECK_FALSE(ParseTd1(std::string(100000, '<'), kToday).ok());
  CHECK_FALSE(ParseTd1(std::string(100, '\n'), kToday).ok());
  // All 'O': the birth date repairs to 000000, whose check digit 0 validates,
  // yet it is no real date.
  const std::string letters(kTd1LineLength, 'O');
  auto all_o = ParseTd1(letters + "\n" + letters + "\n" + letters, kToday);
  REQUIRE(all_o.ok());
  CHECK(all_o->birth_date_text.verified);
  CHECK(all_o->birth_date_text.repaired);
  CHECK_FALSE(all_o->birth_date.has_value());
  CHECK_FALSE(all_o->citizen_id.has_value());
}

TEST_CASE("ParseTd1 fixes miscounted filler runs", "[ocr][mrz]") {
  const VnMrz vn = MakeVn();
  SECTION("one '<' missing from line 2") {
    std::string line2 = vn.line2;
    line2.erase(20, 1);
    auto mrz = ParseTd1(vn.line1 + "\n" + line2 + "\n" + vn.line3, kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->fillers_adjusted);
    CHECK(mrz->composite_verified);
    CHECK(mrz->nationality.value == "VNM");
  }
  SECTION("two extra '<' in the names line") {
    auto mrz =
        ParseTd1(vn.line1 + "\n" + vn.line2 + "\n" + vn.line3 + "<<", kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->fillers_adjusted);
    CHECK(mrz->given_names == std::vector<std::string>{"VAN", "AN"});
  }
  SECTION("a lost digit is not hidden by filler padding") {
    std::string line1 = vn.line1;
    line1.erase(11, 1);  // A digit of the document number.
    auto mrz = ParseTd1(line1 + "\n" + vn.line2 + "\n" + vn.line3, kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->fillers_adjusted);
    // Each check digit passes a shifted field one time in ten; here none
    // does, and the composite over the whole line is the backstop.
    CHECK_FALSE(mrz->document_number.verified);
    CHECK_FALSE(mrz->citizen_id->verified);
    CHECK_FALSE(mrz->composite_verified);
  }
  SECTION("an exact zone is not adjusted") {
    auto mrz = ParseTd1(vn.Text(), kToday);
    REQUIRE(mrz.ok());
    CHECK_FALSE(mrz->fillers_adjusted);
  }
  SECTION("three characters off is an error") {
    std::string line2 = vn.line2;
    line2.erase(20, 3);
    CHECK_FALSE(
        ParseTd1(vn.line1 + "\n" + line2 + "\n" + vn.line3, kToday).ok());
  }
}

TEST_CASE("ParseTd1 survives random zones", "[ocr][mrz]") {
  // Lookalike-heavy alphabet so the repair search runs at its widest.
  constexpr std::string_view kAlphabet = "GQGQOIB<0123456789VNMAZ";
  std::mt19937 rng(9303);
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  for (int i = 0; i < 500; ++i) {
    std::string text;
    for (int line = 0; line < 3; ++line) {
      std::string l = line == 0 && i % 2 == 0 ? "IDVNM" : "";
      while (l.size() < kTd1LineLength) l.push_back(kAlphabet[pick(rng)]);
      text += l + "\n";
    }
    auto mrz = ParseTd1(text, kToday);
    REQUIRE(mrz.ok());
    // A repaired field always carries proof.
    for (const MrzField* f : {&mrz->document_number, &mrz->birth_date_text,
                              &mrz->expiry_date_text}) {
      if (f->repaired) CHECK(f->verified);
    }
    if (mrz->citizen_id && mrz->citizen_id->repaired) {
      CHECK(mrz->citizen_id->verified);
    }
  }
}

TEST_CASE("BirthdayContradictsExpiry knows cards expire on a birthday",
          "[ocr][mrz]") {
  Td1Mrz m;
  m.birth_date = Date{1986, 8, 3};
  CHECK_FALSE(BirthdayContradictsExpiry(m));  // No expiry.
  m.expiry_date = Date{2026, 8, 3};           // The 40th birthday.
  CHECK_FALSE(BirthdayContradictsExpiry(m));
  for (int age : {14, 25, 40, 60}) {
    m.expiry_date = Date{1986 + age, 8, 5};
    CHECK(BirthdayContradictsExpiry(m));
    m.expiry_date = Date{1986 + age, 9, 3};
    CHECK(BirthdayContradictsExpiry(m));
  }
  // Not one of the ages a card expires at: no birthday to compare.
  m.expiry_date = Date{2031, 8, 5};
  CHECK_FALSE(BirthdayContradictsExpiry(m));
  // A 29 February birthday moves in other years.
  m.birth_date = Date{2000, 2, 29};
  m.expiry_date = Date{2025, 2, 28};
  CHECK_FALSE(BirthdayContradictsExpiry(m));
  m.birth_date.reset();
  CHECK_FALSE(BirthdayContradictsExpiry(m));
}

TEST_CASE("BirthDateFromExpiry reads the birthday off the expiry",
          "[ocr][mrz]") {
  Td1Mrz m;
  CHECK_FALSE(BirthDateFromExpiry(m, 1986).has_value());  // No expiry.
  m.expiry_date = Date{2026, 8, 3};
  CHECK_FALSE(BirthDateFromExpiry(m, 1986).has_value());  // Unverified.
  m.expiry_date_text.verified = true;
  CHECK(BirthDateFromExpiry(m, 1986) == Date{1986, 8, 3});  // 40th.
  CHECK(BirthDateFromExpiry(m, 2001) == Date{2001, 8, 3});  // 25th.
  CHECK(BirthDateFromExpiry(m, 1966) == Date{1966, 8, 3});  // 60th.
  CHECK(BirthDateFromExpiry(m, 2012) == Date{2012, 8, 3});  // 14th.
  CHECK_FALSE(BirthDateFromExpiry(m, 1990).has_value());    // 36th.
  // Born on 29 February (a leap year) or not: 28 February and 1 March are
  // ambiguous, 29 February needs a leap birth year.
  m.expiry_date = Date{2025, 2, 28};
  CHECK_FALSE(BirthDateFromExpiry(m, 2000).has_value());
  CHECK(BirthDateFromExpiry(m, 1985) == Date{1985, 2, 28});
  m.expiry_date = Date{2040, 2, 29};
  CHECK(BirthDateFromExpiry(m, 2000) == Date{2000, 2, 29});
  CHECK_FALSE(BirthDateFromExpiry(m, 2015).has_value());  // No 29/02/2015.
}

TEST_CASE("MrzNameMatches compares with Vietnamese names", "[ocr][mrz]") {
  const auto mrz = *ParseTd1(MakeVn("NGUYEN<<VAN<AN").Text(), kToday);
  CHECK(*MrzNameMatches(mrz, "Nguyễn Văn An"));
  CHECK(*MrzNameMatches(mrz, "NGUYỄN  VĂN AN "));
  CHECK_FALSE(*MrzNameMatches(mrz, "Nguyễn Văn Anh"));
  CHECK_FALSE(*MrzNameMatches(mrz, "Nguyễn Văn"));
  CHECK_FALSE(*MrzNameMatches(mrz, "Văn An"));
  CHECK_FALSE(MrzNameMatches(mrz, "Nguy\xE1").ok());

  const auto duc = *ParseTd1(MakeVn("DANG<<DUC<THANH").Text(), kToday);
  CHECK(*MrzNameMatches(duc, "Đặng Đức Thạnh"));

  // Filled to the last character: the name may be cut, so a prefix matches.
  const std::string long_name = "TON<NU<<HUYEN<TRANG<THANH<THAO";
  REQUIRE(long_name.size() == 30);
  const auto cut = *ParseTd1(MakeVn(long_name).Text(), kToday);
  CHECK(cut.names_truncated);
  CHECK(*MrzNameMatches(cut, "Tôn Nữ Huyền Trang Thanh Thảo Nguyên"));
  CHECK_FALSE(*MrzNameMatches(cut, "Tôn Nữ Huyền Trang Thanh"));

  const auto empty = *ParseTd1(MakeVn("<").Text(), kToday);
  CHECK_FALSE(*MrzNameMatches(empty, ""));
}

}  // namespace
}  // namespace cdkv::ocr
