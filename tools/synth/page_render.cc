#include "tools/synth/page_render.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <span>

#include "absl/status/status.h"
#include "ocr/dates.h"
#include "ocr/id_number.h"
#include "tools/synth/identity.h"

namespace cdkv::synth {
namespace {

constexpr std::string_view kSerif =
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
constexpr std::string_view kSerifBold =
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";
constexpr std::string_view kSerifItalic =
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf";

const cv::Scalar kInk(35, 30, 30);
const cv::Scalar kStampRed(60, 50, 200);
const cv::Scalar kPenBlue(150, 60, 30);

constexpr std::string_view kFacilities[] = {"Bệnh viện Đa khoa Đồng Tháp",
                                            "Trung tâm Y tế huyện Lấp Vò",
                                            "Trạm Y tế xã Tân Mỹ",
                                            "Bệnh viện Phụ sản Cần Thơ",
                                            "Bệnh viện Từ Dũ",
                                            "Bệnh viện Đa khoa Sa Đéc",
                                            "Trạm Y tế xã Bình Thành",
                                            "Bệnh viện Hùng Vương"};
constexpr std::string_view kCauses[] = {
    "Suy tim",      "Tai biến mạch máu não", "Bệnh già",
    "Ung thư phổi", "Viêm phổi nặng",        "Nhồi máu cơ tim",
    "Suy thận mạn", "Tai nạn giao thông"};
constexpr std::string_view kEthnicities[] = {"Kinh",  "Kinh", "Kinh", "Kinh",
                                             "Khmer", "Hoa",  "Tày"};
constexpr std::string_view kCommunes[] = {"Tân Mỹ",     "Bình Thành",
                                          "Long Hưng",  "Vĩnh Thạnh",
                                          "Mỹ An Hưng", "Hội An Đông"};
struct OtherKind {
  std::string_view issuer1;
  std::string_view issuer2;
  std::string_view title;
  std::string_view suffix;  // Of the document number.
  std::string_view text;    // What it certifies.
  std::string_view signer;
};
constexpr OtherKind kOthers[] = {
    {"SỞ GIÁO DỤC VÀ ĐÀO TẠO", "ĐỒNG THÁP",
     "BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG", "BTN",
     "Đã tốt nghiệp trung học phổ thông năm học 2019 - 2020", "GIÁM ĐỐC"},
    {"TRUNG TÂM GIÁO DỤC NGHỀ NGHIỆP", "HUYỆN LẤP VÒ", "GIẤY CHỨNG NHẬN", "GCN",
     "Đã hoàn thành khóa đào tạo nghề sửa chữa máy nông nghiệp", "GIÁM ĐỐC"},
    {"ỦY BAN NHÂN DÂN", "XÃ BÌNH THÀNH", "GIẤY XÁC NHẬN", "XN",
     "Có hộ khẩu thường trú tại địa phương từ năm 2010 đến nay", "CHỦ TỊCH"},
    {"TRƯỜNG ĐẠI HỌC CẦN THƠ", "", "CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN",
     "CC", "Đạt chuẩn kỹ năng sử dụng công nghệ thông tin cơ bản",
     "HIỆU TRƯỞNG"},
};
constexpr std::string_view kSignerNames[] = {
    "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Minh Tuấn",
    "Phạm Thanh Sơn",  "Võ Thị Hồng",  "Huỳnh Văn Lộc"};

int Uniform(int lo, int hi, std::mt19937_64& rng) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

template <typename T>
const T& Pick(std::span<const T> items, std::mt19937_64& rng) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}
std::string_view PickText(std::span<const std::string_view> items,
                          std::mt19937_64& rng) {
  return Pick(items, rng);
}

std::string Upper(std::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toUpper(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

ocr::Date RandomDate(int year_lo, int year_hi, std::mt19937_64& rng) {
  const int year = Uniform(year_lo, year_hi, rng);
  const int month = Uniform(1, 12, rng);
  return *ocr::MakeDate(year, month,
                        Uniform(1, ocr::DaysInMonth(year, month), rng));
}

ocr::Date AddDays(ocr::Date d, int days) {
  for (int i = 0; i < days; ++i) {
    if (++d.day > ocr::DaysInMonth(d.year, d.month)) {
      d.day = 1;
      if (++d.month > 12) d.month = 1, ++d.year;
    }
  }
  return d;
}

std::string TwoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string Hhmm(int h, int m) { return TwoDigits(h) + ":" + TwoDigits(m); }

// "Đồng Tháp, ngày 12 tháng 05 năm 2020": the place-and-date line every
// Vietnamese administrative paper carries above the signature.
std::string PlaceDate(std::string_view place, const ocr::Date& d) {
  return std::string(place) + ", ngày " + TwoDigits(d.day) + " tháng " +
         TwoDigits(d.month) + " năm " + std::to_string(d.year);
}

// A citizen of the wanted sex born in [year_lo, year_hi]; RandomIdentity
// keeps the ID number consistent with both, so we draw until one fits.
Identity Person(std::optional<ocr::Sex> sex, int year_lo, int year_hi,
                std::mt19937_64& rng) {
  Identity p = RandomIdentity(rng);
  for (int i = 0; i < 500; ++i) {
    if ((!sex.has_value() || p.sex == *sex) && p.birth_date.year >= year_lo &&
        p.birth_date.year <= year_hi) {
      break;
    }
    p = RandomIdentity(rng);
  }
  return p;
}

std::string FamilyName(const std::string& full_name) {
  return full_name.substr(0, full_name.find(' '));
}

// The child takes the father's family name and a name of its sex.
std::string ChildName(const std::string& father, ocr::Sex sex,
                      std::mt19937_64& rng) {
  Identity like = Person(sex, 1964, 2009, rng);
  return FamilyName(father) + like.full_name.substr(like.full_name.find(' '));
}

void Add(PageContent& c, std::string key, std::string value) {
  c.fields.emplace_back(std::move(key), std::move(value));
}

PageContent BirthNotice(std::mt19937_64& rng) {
  PageContent c;
  c.kind = PageKind::kBirthNotice;
  c.a5 = true;
  const Identity mother = Person(ocr::Sex::kFemale, 1982, 2006, rng);
  const Identity father = Person(ocr::Sex::kMale, 1975, 2004, rng);
  const ocr::Sex sex = Uniform(0, 1, rng) ? ocr::Sex::kMale : ocr::Sex::kFemale;
  const std::string child = ChildName(father.full_name, sex, rng);
  const ocr::Date born = RandomDate(2024, 2025, rng);
  const int hour = Uniform(0, 23, rng), minute = Uniform(0, 59, rng);
  const std::string facility(PickText(kFacilities, rng));
  const std::string ethnicity(PickText(kEthnicities, rng));
  const int weight = Uniform(24, 42, rng) * 100;
  c.issuer = {"SỞ Y TẾ ĐỒNG THÁP", Upper(facility)};
  c.number = "Số: " + std::to_string(Uniform(100, 9999, rng)) + "/GCS";
  c.title = "GIẤY CHỨNG SINH";
  c.body = {
      "Họ và tên mẹ: " + mother.name_upper,
      "Năm sinh: " + std::to_string(mother.birth_date.year) +
          "\tDân tộc: " + ethnicity,
      "Số CCCD: " + mother.id,
      "Nơi thường trú: " + mother.residence,
      "Đã sinh con vào lúc: " + TwoDigits(hour) + " giờ " + TwoDigits(minute) +
          " phút, ngày " + ocr::FormatDate(born),
      "Tại: " + facility,
      "Số lần sinh: " + std::to_string(Uniform(1, 3, rng)) +
          "\tSố con trong lần sinh: 1",
      "Giới tính của con: " + SexWord(sex) +
          "\tCân nặng: " + std::to_string(weight) + " gram",
      "Dự định đặt tên con: " + Upper(child),
  };
  c.place_date = PlaceDate("Đồng Tháp", AddDays(born, Uniform(0, 3, rng)));
  c.signer_role = "THỦ TRƯỞNG CƠ SỞ Y TẾ";
  c.signer_name = std::string(PickText(kSignerNames, rng));
  Add(c, "mother_name", mother.full_name);
  Add(c, "mother_birth_year", std::to_string(mother.birth_date.year));
  Add(c, "mother_id_number", mother.id);
  Add(c, "mother_residence", mother.residence);
  Add(c, "date_of_birth", ocr::FormatDate(born));
  Add(c, "time_of_birth", Hhmm(hour, minute));
  Add(c, "place_of_birth", facility);
  Add(c, "sex", SexWord(sex));
  Add(c, "weight_grams", std::to_string(weight));
  Add(c, "child_name", child);
  return c;
}

PageContent DeathNotice(std::mt19937_64& rng) {
  PageContent c;
  c.kind = PageKind::kDeathNotice;
  c.a5 = true;
  const Identity dead = Person(std::nullopt, 1964, 2000, rng);
  const ocr::Date died = RandomDate(2024, 2025, rng);
  const int hour = Uniform(0, 23, rng), minute = Uniform(0, 59, rng);
  const bool at_home = Uniform(0, 3, rng) == 0;
  const std::string place =
      at_home ? "Tại nhà riêng" : std::string(PickText(kFacilities, rng));
  const std::string cause(PickText(kCauses, rng));
  c.issuer =
      at_home
          ? std::vector<std::string>{"ỦY BAN NHÂN DÂN",
                                     "XÃ " + Upper(PickText(kCommunes, rng))}
          : std::vector<std::string>{"SỞ Y TẾ ĐỒNG THÁP", Upper(place)};
  c.number = "Số: " + std::to_string(Uniform(10, 999, rng)) + "/GBT";
  c.title = "GIẤY BÁO TỬ";
  c.body = {
      "Họ và tên người chết: " + dead.name_upper,
      "Ngày, tháng, năm sinh: " + ocr::FormatDate(dead.birth_date),
      "Giới tính: " + SexWord(dead.sex) +
          "\tDân tộc: " + std::string(PickText(kEthnicities, rng)),
      "Quốc tịch: Việt Nam",
      "Số CCCD: " + dead.id,
      "Nơi thường trú: " + dead.residence,
      "Đã chết vào lúc: " + TwoDigits(hour) + " giờ " + TwoDigits(minute) +
          " phút, ngày " + ocr::FormatDate(died),
      "Nơi chết: " + place,
      "Nguyên nhân chết: " + cause,
  };
  c.place_date = PlaceDate("Đồng Tháp", AddDays(died, Uniform(0, 2, rng)));
  c.signer_role = at_home ? "CHỦ TỊCH" : "GIÁM ĐỐC";
  c.signer_name = std::string(PickText(kSignerNames, rng));
  Add(c, "deceased_name", dead.full_name);
  Add(c, "date_of_birth", ocr::FormatDate(dead.birth_date));
  Add(c, "sex", SexWord(dead.sex));
  Add(c, "id_number", dead.id);
  Add(c, "residence", dead.residence);
  Add(c, "date_of_death", ocr::FormatDate(died));
  Add(c, "time_of_death", Hhmm(hour, minute));
  Add(c, "place_of_death", place);
  Add(c, "cause", cause);
  return c;
}

PageContent BirthExtract(std::mt19937_64& rng) {
  PageContent c;
  c.kind = PageKind::kBirthExtract;
  c.a5 = false;
  const Identity mother = Person(ocr::Sex::kFemale, 1970, 2006, rng);
  const Identity father = Person(ocr::Sex::kMale, 1965, 2004, rng);
  // Someone asking for a copy of their birth record years later: born after
  // 2000, so their personal ID has the 2xxx century digit.
  const Identity person = Person(std::nullopt, 2000, 2009, rng);
  const std::string name = FamilyName(father.full_name) +
                           person.full_name.substr(person.full_name.find(' '));
  const ocr::Date registered = AddDays(person.birth_date, Uniform(1, 40, rng));
  const std::string commune(PickText(kCommunes, rng));
  const std::string ethnicity(PickText(kEthnicities, rng));
  const std::string place(PickText(kFacilities, rng));
  const std::string number = std::to_string(Uniform(1, 300, rng)) + "/" +
                             std::to_string(registered.year);
  c.issuer = {"ỦY BAN NHÂN DÂN", "XÃ " + Upper(commune)};
  c.number = "Số: " + number;
  c.title = "TRÍCH LỤC KHAI SINH";
  c.subtitle = "(Bản sao)";
  c.body = {
      "Họ, chữ đệm, tên: " + Upper(name),
      "Ngày, tháng, năm sinh: " + ocr::FormatDate(person.birth_date),
      "Giới tính: " + SexWord(person.sex) + "\tDân tộc: " + ethnicity,
      "Quốc tịch: Việt Nam",
      "Nơi sinh: " + place,
      "Số định danh cá nhân: " + person.id,
      "Họ, chữ đệm, tên người mẹ: " + mother.name_upper,
      "Họ, chữ đệm, tên người cha: " + father.name_upper,
      "Nơi đăng ký khai sinh: Ủy ban nhân dân xã " + commune,
      "Ngày đăng ký: " + ocr::FormatDate(registered),
  };
  c.place_date = PlaceDate(commune, AddDays(registered, Uniform(0, 9, rng)));
  c.signer_role = "CHỦ TỊCH";
  c.signer_name = std::string(PickText(kSignerNames, rng));
  Add(c, "registration_number", number);
  Add(c, "registration_date", ocr::FormatDate(registered));
  Add(c, "person_name", name);
  Add(c, "date_of_birth", ocr::FormatDate(person.birth_date));
  Add(c, "sex", SexWord(person.sex));
  Add(c, "ethnicity", ethnicity);
  Add(c, "nationality", "Việt Nam");
  Add(c, "place_of_birth", place);
  Add(c, "id_number", person.id);
  Add(c, "mother_name", mother.full_name);
  Add(c, "father_name", father.full_name);
  return c;
}

PageContent Other(std::mt19937_64& rng) {
  PageContent c;
  c.kind = PageKind::kOther;
  c.a5 = false;
  const OtherKind& k = Pick(std::span<const OtherKind>(kOthers), rng);
  const Identity holder = Person(std::nullopt, 1964, 2006, rng);
  const ocr::Date issued = RandomDate(2015, 2025, rng);
  const std::string number =
      std::to_string(Uniform(10, 9999, rng)) + "/" + std::string(k.suffix);
  c.issuer = {std::string(k.issuer1)};
  if (!k.issuer2.empty()) c.issuer.emplace_back(k.issuer2);
  c.number = "Số: " + number;
  c.title = std::string(k.title);
  c.body = {
      "Chứng nhận ông (bà): " + holder.name_upper,
      "Sinh ngày: " + ocr::FormatDate(holder.birth_date),
      "Nơi cư trú: " + holder.residence,
      std::string(k.text),
  };
  c.place_date = PlaceDate("Đồng Tháp", issued);
  c.signer_role = std::string(k.signer);
  c.signer_name = std::string(PickText(kSignerNames, rng));
  std::string issuer(k.issuer1);
  if (!k.issuer2.empty()) issuer += " " + std::string(k.issuer2);
  Add(c, "title", std::string(k.title));
  Add(c, "issuer", issuer);
  Add(c, "number", number);
  Add(c, "issue_date", ocr::FormatDate(issued));
  Add(c, "holder_name", holder.full_name);
  return c;
}

// Draws `text` centred on `cx`, shrinking it to `max_width`.
void Centred(const TextPainter& p, cv::Mat& page, const std::string& text,
             int cx, int y, int height, int max_width) {
  int h = height;
  while (h > 10 && p.Measure(text, h).width > max_width) --h;
  const cv::Size size = p.Measure(text, h);
  p.Draw(page, text, {cx - size.width / 2, y}, h, kInk);
}

// Draws `text` from `x`, shrinking it to end before `right`.
void Left(const TextPainter& p, cv::Mat& page, const std::string& text, int x,
          int y, int height, int right) {
  int h = height;
  while (h > 10 && p.Measure(text, h).width > right - x) --h;
  p.Draw(page, text, {x, y}, h, kInk);
}

// A round red seal: two rings, a star and a ring of short strokes standing
// in for the curved agency name.
void Stamp(cv::Mat& page, cv::Point c, int r, std::mt19937_64& rng) {
  cv::Mat layer(page.size(), CV_8UC3, cv::Scalar(255, 255, 255));
  const int t = std::max(2, r / 22);
  cv::circle(layer, c, r, kStampRed, t, cv::LINE_AA);
  cv::circle(layer, c, r * 7 / 10, kStampRed, t, cv::LINE_AA);
  for (int i = 0; i < 36; ++i) {
    const double a = i * 2 * std::numbers::pi / 36 + Uniform(0, 9, rng) * 0.01;
    const cv::Point p1(c.x + static_cast<int>(r * 0.78 * std::cos(a)),
                       c.y + static_cast<int>(r * 0.78 * std::sin(a)));
    const cv::Point p2(c.x + static_cast<int>(r * 0.92 * std::cos(a)),
                       c.y + static_cast<int>(r * 0.92 * std::sin(a)));
    cv::line(layer, p1, p2, kStampRed, t, cv::LINE_AA);
  }
  std::vector<cv::Point> star;
  for (int i = 0; i < 10; ++i) {
    const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
    const double rr = (i % 2 == 0 ? 0.3 : 0.12) * r;
    star.emplace_back(c.x + static_cast<int>(rr * std::cos(a)),
                      c.y + static_cast<int>(rr * std::sin(a)));
  }
  cv::fillPoly(layer, std::vector<std::vector<cv::Point>>{star}, kStampRed,
               cv::LINE_AA);
  // Ink multiplies with what is under it, as a real stamp over print does.
  cv::Mat f, g;
  page.convertTo(f, CV_32FC3, 1 / 255.0);
  layer.convertTo(g, CV_32FC3, 1 / 255.0);
  cv::Mat out = f.mul(g);
  out.convertTo(page, CV_8UC3, 255.0);
}

// A handwritten-looking flourish in blue ink.
void Signature(cv::Mat& page, cv::Rect box, std::mt19937_64& rng) {
  std::vector<cv::Point> pts;
  const int n = 40;
  const double f1 = Uniform(2, 5, rng), f2 = Uniform(5, 11, rng);
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / (n - 1);
    const double y =
        0.5 + 0.3 * std::sin(t * f1 * std::numbers::pi) +
        0.15 * std::sin(t * f2 * std::numbers::pi + Uniform(0, 6, rng) * 0.1);
    pts.emplace_back(box.x + static_cast<int>(t * box.width),
                     box.y + static_cast<int>(y * box.height));
  }
  cv::polylines(page, pts, false, kPenBlue, std::max(2, box.height / 25),
                cv::LINE_AA);
}

}  // namespace

std::string_view PageKindName(PageKind kind) {
  switch (kind) {
    case PageKind::kBirthNotice:
      return "birth_notice";
    case PageKind::kDeathNotice:
      return "death_notice";
    case PageKind::kBirthExtract:
      return "civil_status_extract";
    case PageKind::kOther:
      return "other_document";
  }
  return "other_document";
}

PageContent RandomPageContent(PageKind kind, std::mt19937_64& rng) {
  switch (kind) {
    case PageKind::kBirthNotice:
      return BirthNotice(rng);
    case PageKind::kDeathNotice:
      return DeathNotice(rng);
    case PageKind::kBirthExtract:
      return BirthExtract(rng);
    case PageKind::kOther:
      return Other(rng);
  }
  return Other(rng);
}

absl::StatusOr<PageRenderer> PageRenderer::Create() {
  auto serif = TextPainter::Load(kSerif);
  if (!serif.ok()) return serif.status();
  auto bold = TextPainter::Load(kSerifBold);
  if (!bold.ok()) return bold.status();
  auto italic = TextPainter::Load(kSerifItalic);
  if (!italic.ok()) return italic.status();
  return PageRenderer(*std::move(serif), *std::move(bold), *std::move(italic));
}

cv::Mat PageRenderer::Render(const PageContent& c, int width,
                             std::mt19937_64& rng) const {
  const int height = static_cast<int>(std::lround(width * std::numbers::sqrt2));
  // Off-white paper.
  const int paper = Uniform(240, 252, rng);
  cv::Mat page(height, width, CV_8UC3, cv::Scalar(paper - 6, paper - 2, paper));
  // Type sizes in millimetres of paper, as set on the real forms (13 pt body
  // text is about 4.6 mm from ascender to descender).
  const double mm = width / (c.a5 ? 148.0 : 210.0);
  auto px = [&](double v) { return static_cast<int>(std::lround(v * mm)); };
  const int margin = px(c.a5 ? 12 : 20);
  const int header_h = px(c.a5 ? 3.4 : 4.0);
  const int body_h = px(c.a5 ? 4.4 : 4.8);
  // Issuer on the left, motto on the right, with a gutter between them.
  const int left_cx = margin + (width - 2 * margin) * 21 / 100;
  const int right_cx = margin + (width - 2 * margin) * 71 / 100;
  const int left_w = (width - 2 * margin) * 40 / 100;
  const int right_w = (width - 2 * margin) * 56 / 100;

  int y = px(c.a5 ? 10 : 15);
  int ly = y;
  for (const std::string& line : c.issuer) {
    Centred(bold_, page, line, left_cx, ly, header_h, left_w);
    ly += header_h * 3 / 2;
  }
  cv::line(page, {left_cx - left_w / 6, ly + px(0.5)},
           {left_cx + left_w / 6, ly + px(0.5)}, kInk, std::max(1, px(0.25)));
  if (!c.number.empty()) {
    Centred(serif_, page, c.number, left_cx, ly + px(2.5), header_h, left_w);
  }
  Centred(bold_, page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_cx, y,
          header_h, right_w);
  Centred(bold_, page, "Độc lập - Tự do - Hạnh phúc", right_cx,
          y + header_h * 3 / 2, header_h, right_w);
  const int motto_w =
      bold_.Measure("Độc lập - Tự do - Hạnh phúc", header_h).width;
  cv::line(page, {right_cx - motto_w / 2, y + header_h * 3 + px(0.5)},
           {right_cx + motto_w / 2, y + header_h * 3 + px(0.5)}, kInk,
           std::max(1, px(0.25)));

  y = std::max(ly + px(10), y + px(c.a5 ? 24 : 30));
  Centred(bold_, page, c.title, width / 2, y, px(c.a5 ? 7 : 7.5),
          width - 2 * margin);
  y += px(c.a5 ? 9 : 10);
  if (!c.subtitle.empty()) {
    Centred(italic_, page, c.subtitle, width / 2, y, body_h,
            width - 2 * margin);
    y += body_h * 2;
  }
  y += px(4);
  const int line_step = body_h * 2;
  const int mid = width / 2 + px(8);
  for (const std::string& line : c.body) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      Left(serif_, page, line, margin, y, body_h, width - margin);
    } else {
      Left(serif_, page, line.substr(0, tab), margin, y, body_h, mid - px(4));
      Left(serif_, page, line.substr(tab + 1), mid, y, body_h, width - margin);
    }
    y += line_step;
  }
  y += px(3);
  Centred(italic_, page, c.place_date, right_cx, y, body_h, right_w);
  y += line_step;
  Centred(bold_, page, c.signer_role, right_cx, y, body_h, right_w);
  const int sig_top = y + line_step;
  const int sig_h = px(14);
  Centred(bold_, page, c.signer_name, right_cx, sig_top + sig_h + px(2), body_h,
          right_w);
  Signature(page, {right_cx - px(18), sig_top, px(36), sig_h}, rng);
  Stamp(page, {right_cx - px(Uniform(14, 22, rng)), sig_top + sig_h / 2},
        px(c.a5 ? 15 : 17), rng);
  return page;
}

}  // namespace cdkv::synth
