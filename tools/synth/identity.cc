#include "tools/synth/identity.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include "ocr/mrz.h"
#include "ocr/text_utf8.h"

namespace cdkv::synth {
namespace {

constexpr std::string_view kFamily[] = {
    "Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan",  "Vũ",
    "Võ",     "Đặng", "Bùi", "Đỗ",   "Hồ",    "Ngô",   "Dương", "Lý"};
constexpr std::string_view kMaleMiddle[] = {
    "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Ngọc", "Hoàng"};
constexpr std::string_view kFemaleMiddle[] = {
    "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Thùy", "Bảo", "Diễm"};
constexpr std::string_view kMaleGiven[] = {
    "An",    "Bình", "Cường", "Dũng", "Đức",   "Hùng",  "Huy",
    "Khoa",  "Long", "Minh",  "Nam",  "Phong", "Quang", "Sơn",
    "Thắng", "Tuấn", "Việt",  "Vinh", "Hải",   "Khánh", "Lộc"};
constexpr std::string_view kFemaleGiven[] = {
    "Anh",   "Chi",  "Dung",  "Giang", "Hà",   "Hằng",  "Hoa",
    "Hương", "Lan",  "Linh",  "Mai",   "Ngân", "Nhung", "Phương",
    "Quyên", "Thảo", "Trang", "Tuyết", "Vy",   "Yến",   "Oanh"};
constexpr std::string_view kCommunes[] = {
    "Bình Thành", "Tân Mỹ",  "Hội An Đông", "Vĩnh Thạnh", "Long Hưng",
    "Mỹ An Hưng", "Phú Lợi", "Tân Phước",   "An Nhơn",    "Định Yên"};
constexpr std::string_view kDistricts[] = {"Lấp Vò",   "Châu Thành", "Cao Lãnh",
                                           "Tân Hồng", "Long Điền",  "Côn Đảo",
                                           "Đất Đỏ",   "Xuyên Mộc"};

std::string_view Pick(std::span<const std::string_view> items,
                      std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> d(0, items.size() - 1);
  return items[d(rng)];
}

const ocr::Province& PickProvince(std::mt19937_64& rng) {
  const auto provinces = ocr::AllProvinces();
  std::uniform_int_distribution<size_t> d(0, provinces.size() - 1);
  return provinces[d(rng)];
}

int Uniform(int lo, int hi, std::mt19937_64& rng) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

ocr::Date RandomDate(int year_lo, int year_hi, std::mt19937_64& rng) {
  const int year = Uniform(year_lo, year_hi, rng);
  const int month = Uniform(1, 12, rng);
  const int day = Uniform(1, ocr::DaysInMonth(year, month), rng);
  return *ocr::MakeDate(year, month, day);
}

std::string Digits(int count, std::mt19937_64& rng) {
  std::string s;
  for (int i = 0; i < count; ++i) s.push_back('0' + Uniform(0, 9, rng));
  return s;
}

std::string UpperVietnamese(const std::string& text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  u.toUpper(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// A birthday `age` years after `birth` (29 Feb becomes 28 Feb).
ocr::Date Birthday(const ocr::Date& birth, int age) {
  const int year = birth.year + age;
  return *ocr::MakeDate(
      year, birth.month,
      std::min(birth.day, ocr::DaysInMonth(year, birth.month)));
}

std::string Check(std::string_view text) {
  return std::to_string(*ocr::MrzCheckDigit(text));
}

std::string Yymmdd(const ocr::Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", d.year % 100, d.month, d.day);
  return buf;
}

std::string Ddmmyyyy(const ocr::Date& d) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d%02d%04d", d.day, d.month, d.year);
  return buf;
}

std::string Fold(std::string_view text) {
  std::string folded = *ocr::FoldVietnameseToAsciiUpper(text);
  for (char& c : folded) {
    if (c == ' ') c = '<';
  }
  return folded;
}

}  // namespace

std::string SexWord(ocr::Sex sex) {
  return sex == ocr::Sex::kMale ? "Nam" : "Nữ";
}

Identity RandomIdentity(std::mt19937_64& rng) {
  Identity p;
  p.sex = Uniform(0, 1, rng) == 0 ? ocr::Sex::kMale : ocr::Sex::kFemale;
  const bool male = p.sex == ocr::Sex::kMale;
  // Issued 2021-2023 to citizens aged 14..57, so the card has an expiry
  // date (the 25th, 40th or 60th birthday).
  p.issue_date = RandomDate(2021, 2023, rng);
  p.birth_date =
      RandomDate(p.issue_date.year - 57, p.issue_date.year - 14, rng);
  // A card issued within two years of the 25th or 40th birthday is valid
  // until the next one (Luật Căn cước công dân 2014, art. 21).
  for (int age : {25, 40, 60}) {
    p.expiry_date = Birthday(p.birth_date, age);
    if (p.expiry_date.year - p.issue_date.year > 2) break;
  }

  const ocr::Province& birth_province = PickProvince(rng);
  const int century_digit =
      (p.birth_date.year >= 2000 ? 2 : 0) + (male ? 0 : 1);
  char yy[8];
  std::snprintf(yy, sizeof yy, "%02d", p.birth_date.year % 100);
  p.id = std::string(birth_province.code) + std::to_string(century_digit) + yy +
         Digits(6, rng);
  if (p.birth_date.year < 2000 && Uniform(0, 2, rng) > 0) {
    p.old_id = Digits(9, rng);
  }

  std::string name(Pick(kFamily, rng));
  const std::span<const std::string_view> middles =
      male ? std::span<const std::string_view>(kMaleMiddle) : kFemaleMiddle;
  const int middle_count = Uniform(0, 4, rng) == 0 ? 2 : 1;
  for (int i = 0; i < middle_count; ++i) {
    name += " ";
    name += Pick(middles, rng);
  }
  name += " ";
  name += Pick(
      male ? std::span<const std::string_view>(kMaleGiven) : kFemaleGiven, rng);
  p.full_name = name;
  p.name_upper = UpperVietnamese(name);

  const ocr::Province& home = PickProvince(rng);
  p.hometown = std::string(Pick(kCommunes, rng)) + ", " +
               std::string(Pick(kDistricts, rng)) + ", " +
               std::string(home.name);
  const ocr::Province& live = PickProvince(rng);
  p.residence = "Ấp " + std::to_string(Uniform(1, 9, rng)) + ", " +
                std::string(Pick(kCommunes, rng)) + ", " +
                std::string(Pick(kDistricts, rng)) + ", " +
                std::string(live.name);
  return p;
}

std::string QrPayload(const Identity& p) {
  return p.id + "|" + p.old_id + "|" + p.full_name + "|" +
         Ddmmyyyy(p.birth_date) + "|" + SexWord(p.sex) + "|" + p.residence +
         "|" + Ddmmyyyy(p.issue_date);
}

std::string QrPayload2024(const Identity& p) { return QrPayload(p) + "||"; }

std::array<std::string, 3> MrzLines(const Identity& p) {
  const std::string doc = p.id.substr(3);
  std::string line1 = "IDVNM" + doc + Check(doc) + p.id + "<<" + Check(p.id);
  const std::string birth = Yymmdd(p.birth_date);
  const std::string expiry = Yymmdd(p.expiry_date);
  std::string line2 = birth + Check(birth) +
                      (p.sex == ocr::Sex::kMale ? "M" : "F") + expiry +
                      Check(expiry) + "VNM" + std::string(11, '<');
  const std::string composite = line1.substr(5) + line2.substr(0, 7) +
                                line2.substr(8, 7) + line2.substr(18, 11);
  line2 += Check(composite);

  // SURNAME<<GIVEN<NAMES: the family name is the first word.
  const size_t space = p.full_name.find(' ');
  std::string line3 = Fold(p.full_name.substr(0, space)) + "<<" +
                      Fold(p.full_name.substr(space + 1));
  line3.resize(ocr::kTd1LineLength, '<');
  return {line1, line2, line3};
}

}  // namespace cdkv::synth
