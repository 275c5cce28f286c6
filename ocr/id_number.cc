#include "ocr/id_number.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ocr/string_view_compat.h"

namespace cdkv::ocr {
namespace {

// Phụ lục I, Thông tư 59/2021/TT-BCA (same codes as Thông tư 07/2016/TT-BCA).
constexpr std::array<Province, 63> kProvinces = {{
    {"001", "Hà Nội"},
    {"002", "Hà Giang"},
    {"004", "Cao Bằng"},
    {"006", "Bắc Kạn"},
    {"008", "Tuyên Quang"},
    {"010", "Lào Cai"},
    {"011", "Điện Biên"},
    {"012", "Lai Châu"},
    {"014", "Sơn La"},
    {"015", "Yên Bái"},
    {"017", "Hòa Bình"},
    {"019", "Thái Nguyên"},
    {"020", "Lạng Sơn"},
    {"022", "Quảng Ninh"},
    {"024", "Bắc Giang"},
    {"025", "Phú Thọ"},
    {"026", "Vĩnh Phúc"},
    {"027", "Bắc Ninh"},
    {"030", "Hải Dương"},
    {"031", "Hải Phòng"},
    {"033", "Hưng Yên"},
    {"034", "Thái Bình"},
    {"035", "Hà Nam"},
    {"036", "Nam Định"},
    {"037", "Ninh Bình"},
    {"038", "Thanh Hóa"},
    {"040", "Nghệ An"},
    {"042", "Hà Tĩnh"},
    {"044", "Quảng Bình"},
    {"045", "Quảng Trị"},
    {"046", "Thừa Thiên Huế"},
    {"048", "Đà Nẵng"},
    {"049", "Quảng Nam"},
    {"051", "Quảng Ngãi"},
    {"052", "Bình Định"},
    {"054", "Phú Yên"},
    {"056", "Khánh Hòa"},
    {"058", "Ninh Thuận"},
    {"060", "Bình Thuận"},
    {"062", "Kon Tum"},
    {"064", "Gia Lai"},
    {"066", "Đắk Lắk"},
    {"067", "Đắk Nông"},
    {"068", "Lâm Đồng"},
    {"070", "Bình Phước"},
    {"072", "Tây Ninh"},
    {"074", "Bình Dương"},
    {"075", "Đồng Nai"},
    {"077", "Bà Rịa - Vũng Tàu"},
    {"079", "Hồ Chí Minh"},
    {"080", "Long An"},
    {"082", "Tiền Giang"},
    {"083", "Bến Tre"},
    {"084", "Trà Vinh"},
    {"086", "Vĩnh Long"},
    {"087", "Đồng Tháp"},
    {"089", "An Giang"},
    {"091", "Kiên Giang"},
    {"092", "Cần Thơ"},
    {"093", "Hậu Giang"},
    {"094", "Sóc Trăng"},
    {"095", "Bạc Liêu"},
    {"096", "Cà Mau"},
}};

constexpr int kFirstCentury = 1900;

std::string_view SexWord(Sex sex) {
  return sex == Sex::kMale ? "male" : "female";
}

}  // namespace

std::span<const Province> AllProvinces() { return kProvinces; }

std::optional<std::string_view> ProvinceName(std::string_view code) {
  auto it = std::find_if(kProvinces.begin(), kProvinces.end(),
                         [&](const Province& p) { return p.code == code; });
  if (it == kProvinces.end()) return std::nullopt;
  return it->name;
}

absl::StatusOr<CitizenId> ParseCitizenId(std::string_view number) {
  if (number.size() != 12 ||
      !std::all_of(number.begin(), number.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    const std::string_view shown = number.substr(0, 24);
    return absl::InvalidArgumentError(
        absl::StrCat("a citizen ID number has exactly 12 digits; got \"",
                     Absl(shown), number.size() > shown.size() ? "..." : "",
                     "\" (", number.size(), " characters)"));
  }
  auto it = std::find_if(
      kProvinces.begin(), kProvinces.end(),
      [&](const Province& p) { return p.code == number.substr(0, 3); });
  if (it == kProvinces.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "citizen ID ", Absl(number), " starts with ", Absl(number.substr(0, 3)),
        ", which is not a province code; check the first three digits"));
  }
  // Pairs of digits per century: 0/1 the 1900s, 2/3 the 2000s, ... 8/9 the
  // 2300s; even is male, odd female.
  const int g = number[3] - '0';
  CitizenId id;
  id.number = std::string(number);
  id.province_code = it->code;
  id.province_name = it->name;
  id.sex = g % 2 == 0 ? Sex::kMale : Sex::kFemale;
  id.birth_century = kFirstCentury + (g / 2) * 100;
  id.birth_year = id.birth_century + (number[4] - '0') * 10 + (number[5] - '0');
  return id;
}

absl::StatusOr<CitizenId> ParseCitizenId(std::string_view number,
                                         const Date& today) {
  auto id = ParseCitizenId(number);
  if (id.ok() && id->birth_year > today.year) {
    return absl::InvalidArgumentError(absl::StrCat(
        "citizen ID ", id->number, " gives the birth year ", id->birth_year,
        ", which is still to come; check digits 4-6"));
  }
  return id;
}

std::vector<IdDisagreement> CheckCitizenIdAgainst(const CitizenId& id,
                                                  const Date& birth_date,
                                                  Sex sex) {
  const int birth_year = birth_date.year;
  std::vector<IdDisagreement> found;
  if (id.sex != sex) found.push_back(IdDisagreement::kSex);
  if (birth_year - birth_year % 100 != id.birth_century) {
    found.push_back(IdDisagreement::kCentury);
  }
  if (birth_year % 100 != id.birth_year % 100) {
    found.push_back(IdDisagreement::kBirthYear);
  }
  return found;
}

std::string DescribeDisagreements(const CitizenId& id, const Date& birth_date,
                                  Sex sex,
                                  std::span<const IdDisagreement> found) {
  const int birth_year = birth_date.year;
  if (found.empty()) return "the ID number agrees with the birth year and sex";
  std::vector<std::string> parts;
  for (IdDisagreement d : found) {
    switch (d) {
      case IdDisagreement::kSex:
        parts.push_back(absl::StrCat("digit 4 says ", Absl(SexWord(id.sex)),
                                     " but the sex is ", Absl(SexWord(sex))));
        break;
      case IdDisagreement::kCentury:
        parts.push_back(absl::StrCat("digit 4 says born in the ",
                                     id.birth_century,
                                     "s but the birth year is ", birth_year));
        break;
      case IdDisagreement::kBirthYear:
        parts.push_back(absl::StrCat("digits 5-6 say ", id.number.substr(4, 2),
                                     " but the birth year is ", birth_year));
        break;
    }
  }
  return absl::StrCat("ID number ", id.number,
                      " disagrees: ", absl::StrJoin(parts, "; "));
}

}  // namespace cdkv::ocr
