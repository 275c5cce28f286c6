#include "ocr/id_card_reader.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <opencv2/imgproc.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ocr/date_vote.h"
#include "ocr/document_classifier.h"
#include "ocr/id_card_layout.h"
#include "ocr/id_number.h"
#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"
#include "ocr/mrz_zone.h"
#include "ocr/qr_payload.h"
#include "ocr/qr_reader.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"
#include "ocr/vietnamese_name.h"

namespace cdkv::ocr {

// The photo decoded again at full size, the first time a blurred field
// asks for it: the decode the QR and the card outline are found in halves a
// 12-MP photo, and a second reading of a date from the photo's own pixels
// drops different digits.
class FullResolutionPhoto {
 public:
  FullResolutionPhoto(std::span<const uint8_t> bytes,
                      const DecodeLimits& limits, int max_long_side,
                      int decoded_long_side)
      : bytes_(bytes),
        limits_(limits),
        max_long_side_(max_long_side),
        decoded_long_side_(decoded_long_side) {}

  // nullptr when the photo is no larger than the decode already made, or
  // cannot be decoded again.
  const cv::Mat* Get() {
    if (!tried_) {
      tried_ = true;
      auto decoded = DecodeImage(bytes_, limits_, max_long_side_);
      if (decoded.ok() && std::max(decoded->image.cols, decoded->image.rows) >
                              decoded_long_side_) {
        image_ = std::move(decoded->image);
      }
    }
    return image_.empty() ? nullptr : &image_;
  }

  // Full-size pixels per decoded pixel.
  double Scale() const {
    return image_.empty()
               ? 1.0
               : static_cast<double>(std::max(image_.cols, image_.rows)) /
                     decoded_long_side_;
  }

 private:
  std::span<const uint8_t> bytes_;
  DecodeLimits limits_;
  int max_long_side_;
  int decoded_long_side_;
  bool tried_ = false;
  cv::Mat image_;
};

namespace {

namespace layout = card_layout;

// The QR payload is Reed-Solomon protected: a decoded payload that parses is
// what was printed.
constexpr double kQrConfidence = 0.99;
// MRZ fields whose own and composite check digits verify.
constexpr double kMrzVerifiedConfidence = 0.98;
// Fields that validate only weakly (a single check digit, structure alone)
// or not at all stay below the review threshold.
constexpr double kUnprovenConfidence = 0.6;
constexpr double kContradictedConfidence = 0.3;
// Printed fields whose ID century/sex/year digits agree with the printed
// birth date and sex, each read by Tesseract at least this sure.
constexpr double kPrintedAgreeMinTesseract = 0.9;
constexpr double kPrintedAgreedConfidence = 0.9;
// Names and addresses cannot be validated, so printed ones always go to
// review, however sure Tesseract is.
constexpr double kPrintedUnverifiableCap = 0.75;
// Printed fields are read from the card rectified at this multiple of the
// canonical size: at 1× (10 px/mm) Vietnamese tone marks are 2-3 px and
// Tesseract confuses ỗ/ồ, ấ/ầ; the photo decoded at 2000 px has the detail.
constexpr int kPrintedScale = 2;
// An MRZ read this many '<' fillers (a TD1 has 20-40) although its check
// digits failed: the photo is of a back, not a front.
constexpr int kMinMrzFillers = 12;
// Line heights (multiples of the models' own) the MRZ is read at, until
// its check digits hold.
constexpr double kMrzReadScales[] = {1.0, 1.3, 0.8, 1.6, 1.15};
// Fine detail (mean absolute Laplacian) of the 2024 back's QR box over
// that of the text band beside it: 1.9-2.3 with a QR code, 1.0-1.45 on a
// 2021 back, whatever the blur (measured on cdkv-synth levels 0-3).
constexpr double kQrDetailRatio = 1.65;
// Red minus green of the darkest ink in a box: about 100 for the national
// emblem and the 2016 card's red number, under 15 for black ink.
constexpr double kRedInk = 40.0;

// Every printed name is read several times, the line at other heights and
// binarised two ways: blur drops different tone marks in each, and the
// readings' character alternatives are pooled and judged by Vietnamese
// syllable rules (ocr/vietnamese_name.h).
struct Reread {
  double scale;
  Binarization binarization;
};
constexpr Reread kNameRereads[] = {{1.0, Binarization::kSauvola},
                                   {1.35, Binarization::kSauvola},
                                   {1.0, Binarization::kOtsu},
                                   {0.8, Binarization::kOtsu}};
// A name still unsure after those is also read from the full-size photo.
constexpr Reread kNameDetailRereads[] = {{1.0, Binarization::kSauvola},
                                         {1.0, Binarization::kOtsu}};
// And from the full-size photo sharpened.
constexpr Reread kNameSharpRereads[] = {{1.0, Binarization::kSauvola},
                                        {1.0, Binarization::kOtsu},
                                        {1.35, Binarization::kSauvola}};
// Unsharp mask for blurred names: its width in pixels of the card
// rectified at kPrintedScale (about 0.15 mm, the level-3 blur) and its
// strength.
constexpr double kSharpenSigma = 3.0;
constexpr double kSharpenAmount = 2.0;
// Other readings of a sex line that the first could not parse.
constexpr Reread kLineRereads[] = {{1.35, Binarization::kSauvola},
                                   {1.0, Binarization::kOtsu},
                                   {0.8, Binarization::kSauvola}};
// A birth date that is not a sure reading of the ID's year is read again
// these ways and the digits' alternatives voted on (ocr/date_vote.h).
constexpr Reread kDateRereads[] = {{1.35, Binarization::kSauvola},
                                   {1.0, Binarization::kOtsu},
                                   {0.8, Binarization::kSauvola}};
// The validity line ("Có giá trị đến", the birthday at 25, 40 or 60) read
// these ways for its day and month when the birth date is voted on.
constexpr Reread kValidUntilRereads[] = {{1.0, Binarization::kSauvola},
                                         {1.35, Binarization::kSauvola},
                                         {1.0, Binarization::kOtsu}};
// The birth date line read by the Vietnamese model as well. Its readings
// put most of their probability on one spelling even when wrong, so each
// counts a quarter of an English one.
constexpr Reread kDateVietnameseRereads[] = {{1.0, Binarization::kSauvola},
                                             {1.35, Binarization::kSauvola}};
constexpr double kVietnameseDateWeight = 0.25;
// An ID number that is not valid is read again these ways.
constexpr Reread kIdRereads[] = {{1.0, Binarization::kSauvola},
                                 {1.35, Binarization::kSauvola},
                                 {1.0, Binarization::kOtsu},
                                 {0.8, Binarization::kSauvola}};
// The birth date or ID line warped from the full-size photo.
constexpr Reread kDateDetailRereads[] = {{1.0, Binarization::kSauvola},
                                         {1.35, Binarization::kSauvola},
                                         {1.0, Binarization::kOtsu},
                                         {1.35, Binarization::kOtsu}};
// A vote won by less than this share over the runner-up is told to the
// officer with the date (voted dates are never above review anyway).
constexpr double kCloseDateVote = 0.25;
constexpr size_t kDateSpellings = 32;
constexpr double kDateMinShare = 0.05;

// The best name must beat the runner-up by this much (log-probability,
// about 2×) for its tone marks to count as read.
constexpr double kNameClearMargin = 0.7;

std::string SexWord(Sex sex) { return sex == Sex::kMale ? "Nam" : "Nữ"; }

std::string UpperVietnamese(std::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toUpper(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string TitleCaseVietnamese(const std::string& text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  u.toLower(icu::Locale("vi"));
  u.toTitle(nullptr, icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string Fold(const std::string& text) {
  auto folded = FoldVietnameseToAsciiUpper(text);
  return folded.ok() ? *folded : std::string();
}

struct Context {
  int photo_index = 0;
  Date today;  // Where the reading happens: no one read was born after it.
  double to_original = 1.0;
  std::optional<Quad> card_quad;        // Decoded-image pixels, upright.
  FullResolutionPhoto* full = nullptr;  // Absent when only pixels were given.
};

Quad ScaleQuad(Quad q, double k) {
  for (auto& p : q) p *= static_cast<float>(k);
  return q;
}

ReadField Field(std::string value, double confidence, ReadMethod method,
                const Context& ctx, const Quad& region_decoded) {
  ReadField f;
  f.best.value = std::move(value);
  f.best.confidence = confidence;
  f.best.method = method;
  f.best.photo_index = ctx.photo_index;
  f.best.region = ScaleQuad(region_decoded, ctx.to_original);
  return f;
}

Quad BoxOnPhoto(const Context& ctx, const cv::Rect& box) {
  return MapToPhoto(*ctx.card_quad, layout::kCanonicalSize, box);
}

void FromQr(const IdCardQr& qr, const QrCode& code, const Context& ctx,
            IdCardReading& out) {
  Quad region;
  for (int i = 0; i < 4; ++i) region[i] = cv::Point2f(code.corners[i]);
  double conf = kQrConfidence;
  if (!qr.id_disagreements.empty()) {
    // A genuine card never has these; the officer must look at the card.
    conf = kContradictedConfidence;
    out.notes.push_back(DescribeDisagreements(qr.id, qr.birth_date, qr.sex,
                                              qr.id_disagreements));
  }
  out.id_number = Field(qr.id.number, conf, ReadMethod::kQr, ctx, region);
  out.full_name =
      Field(qr.full_name, kQrConfidence, ReadMethod::kQr, ctx, region);
  out.birth_date =
      Field(FormatDate(qr.birth_date), conf, ReadMethod::kQr, ctx, region);
  out.sex = Field(SexWord(qr.sex), conf, ReadMethod::kQr, ctx, region);
  if (!qr.address.empty()) {
    out.residence =
        Field(qr.address, kQrConfidence, ReadMethod::kQr, ctx, region);
  }
  if (qr.issue_date.has_value()) {
    out.issue_date = Field(FormatDate(*qr.issue_date), kQrConfidence,
                           ReadMethod::kQr, ctx, region);
  }
}

void FromMrz(const Td1Mrz& mrz, const Context& ctx, IdCardReading& out) {
  const Quad region = BoxOnPhoto(ctx, layout::kMrz);
  const bool composite = mrz.composite_verified;
  std::optional<CitizenId> id;
  if (mrz.citizen_id.has_value()) {
    auto parsed = ParseCitizenId(mrz.citizen_id->value);
    if (parsed.ok()) id = *parsed;
  }
  const bool id_proven = id.has_value() && mrz.citizen_id->verified &&
                         composite && mrz.document_number.verified &&
                         mrz.document_number.value == id->number.substr(3);
  // A birth date its check digit does not prove gives way to the one the
  // expiry (a birthday, its check digit holding) gives in the year of an
  // ID that two check digits prove; it is still left to the officer.
  std::optional<Date> birth = mrz.birth_date;
  const bool id_digits_proven =
      id.has_value() && mrz.citizen_id->verified &&
      mrz.document_number.verified &&
      mrz.document_number.value == id->number.substr(3);
  if ((!mrz.birth_date_text.verified || !birth.has_value()) &&
      id_digits_proven) {
    if (auto implied = BirthDateFromExpiry(mrz, id->birth_year);
        implied.has_value() && implied != birth) {
      birth = implied;
      out.notes.push_back(absl::StrCat(
          "Vùng MRZ: ngày sinh không đọc chắc; ", FormatDate(*birth),
          " suy ra từ ngày hết hạn (sinh nhật) và năm sinh trong số định "
          "danh; cán bộ cần xem ảnh."));
    }
  }
  const bool dates_agree = !BirthdayContradictsExpiry(mrz);
  if (!dates_agree) {
    out.notes.push_back(
        absl::StrCat("Vùng MRZ: ngày sinh ", FormatDate(*mrz.birth_date),
                     " không khớp ngày hết hạn ", FormatDate(*mrz.expiry_date),
                     " (thẻ hết hạn vào ngày sinh nhật); cán bộ cần xem ảnh."));
  }
  const bool birth_proven = birth.has_value() && mrz.birth_date_text.verified &&
                            composite && dates_agree;
  // Sex has no check digit of its own; only the composite covers it. When
  // its letter is unreadable, the ID's century digit, which two check
  // digits cover, gives it, as sure as the ID.
  std::optional<Sex> sex = mrz.sex;
  bool sex_proven = sex.has_value() && composite;
  if (!sex.has_value() && id_digits_proven) {
    sex = id->sex;
    sex_proven = id_proven;
  }
  bool contradicted = false;
  if (id.has_value() && birth.has_value() && sex.has_value()) {
    const auto found = CheckCitizenIdAgainst(*id, *birth, *sex);
    if (!found.empty()) {
      contradicted = true;
      out.notes.push_back(DescribeDisagreements(*id, *birth, *sex, found));
    }
  }
  auto conf = [&](bool proven) {
    if (contradicted) return kContradictedConfidence;
    return proven ? kMrzVerifiedConfidence : kUnprovenConfidence;
  };
  if (id.has_value()) {
    out.id_number =
        Field(id->number, conf(id_proven), ReadMethod::kMrz, ctx, region);
  }
  if (birth.has_value()) {
    out.birth_date = Field(FormatDate(*birth), conf(birth_proven),
                           ReadMethod::kMrz, ctx, region);
  }
  if (sex.has_value()) {
    out.sex =
        Field(SexWord(*sex), conf(sex_proven), ReadMethod::kMrz, ctx, region);
  }
  if (mrz.expiry_date.has_value()) {
    out.expiry_date =
        Field(FormatDate(*mrz.expiry_date),
              conf(mrz.expiry_date_text.verified && composite && dates_agree),
              ReadMethod::kMrz, ctx, region);
  }
  std::string name = mrz.surname;
  for (const std::string& given : mrz.given_names) {
    name += " " + given;
  }
  if (!mrz.surname.empty()) {
    // No check digit covers the name, and it has no diacritics.
    out.full_name =
        Field(name, kUnprovenConfidence, ReadMethod::kMrz, ctx, region);
    out.notes.push_back(
        "Họ tên đọc từ vùng MRZ không có dấu; cán bộ cần ghi lại có dấu.");
  }
}

std::string DigitsOf(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

}  // namespace

namespace {

// The letter under a tone mark: "Ạ" -> "A", "Ữ" -> "Ư" (the horn, breve
// and circumflex make other letters; the five tone marks do not).
char16_t Untoned(char16_t c) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return c;
  icu::UnicodeString parts = nfd->normalize(icu::UnicodeString(c), error);
  if (U_FAILURE(error)) return c;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < parts.length(); ++i) {
    const char16_t p = parts.charAt(i);
    if (p == 0x0300 || p == 0x0301 || p == 0x0303 || p == 0x0309 ||
        p == 0x0323) {
      continue;
    }
    kept.append(p);
  }
  const icu::UnicodeString letter = nfc->normalize(kept, error);
  return U_FAILURE(error) || letter.length() != 1 ? c : letter.charAt(0);
}

// Tesseract sometimes emits a blurred toned vowel twice, once with and once
// without its tone ("PHẠAM"). No Vietnamese syllable repeats a vowel
// letter ("ƯU" in "HỮU" is two letters), so the toneless copy is dropped.
std::string DropDoubledVowels(std::string_view text) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  auto vowel = [](char16_t letter) {
    std::string utf8;
    icu::UnicodeString(letter).toUTF8String(utf8);
    const std::string base = Fold(utf8);
    return base.size() == 1 &&
           std::string_view("AEIOUY").find(base[0]) != std::string_view::npos;
  };
  icu::UnicodeString out;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t c = u.charAt(i);
    if (i + 1 < u.length()) {
      const char16_t next = u.charAt(i + 1);
      const char16_t letter = Untoned(c);
      if (c != next && letter == Untoned(next) && vowel(letter) &&
          (c == letter || next == letter)) {
        out.append(c == letter ? next : c);  // The toned one.
        ++i;
        continue;
      }
    }
    out.append(c);
  }
  std::string result;
  out.toUTF8String(result);
  return result;
}

}  // namespace

std::string CorrectPrintedName(std::string_view printed_name) {
  const std::string name = DropDoubledVowels(printed_name);
  const size_t space = name.find(' ');
  if (space == std::string::npos || space == 0) return name;
  const std::string family = name.substr(0, space);
  auto folded = FoldVietnameseToAsciiUpper(family);
  if (!folded.ok()) return name;
  std::string match;
  int matches = 0;
  // A family name not on the list but folding to exactly one on it is a
  // misread tone mark, the commonest error on blurred photos.
  for (std::string_view known : CommonFamilyNames()) {
    const std::string upper = UpperVietnamese(known);
    if (upper == family) return name;
    if (Fold(upper) == *folded) {
      match = upper;
      ++matches;
    }
  }
  if (matches != 1) return name;
  return match + name.substr(space);
}

std::string_view CardKindName(CardKind kind) {
  switch (kind) {
    case CardKind::kChip2021:
      return "chip_2021";
    case CardKind::kIdentity2024:
      return "identity_2024";
    case CardKind::kCitizenId2016:
      return "citizen_id_2016";
    case CardKind::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

// Where a front prints its fields; boxes a card does not have are empty.
struct FrontLayout {
  cv::Rect id, name, birth, sex, hometown, residence, expiry;
};

const FrontLayout& FrontLayoutOf(CardKind kind) {
  static const FrontLayout k2021{
      layout::kIdNumber, layout::kFullName,  layout::kBirthDate, layout::kSex,
      layout::kHometown, layout::kResidence, layout::kExpiry};
  static const FrontLayout k2024{layout::v2024::kIdNumber,
                                 layout::v2024::kFullName,
                                 layout::v2024::kBirthDate,
                                 layout::v2024::kSex,
                                 {},
                                 {},
                                 {}};
  static const FrontLayout k2016{
      layout::v2016::kIdNumber,  layout::v2016::kFullName,
      layout::v2016::kBirthDate, layout::v2016::kSex,
      layout::v2016::kHometown,  layout::v2016::kResidence,
      layout::v2016::kExpiry};
  if (kind == CardKind::kIdentity2024) return k2024;
  if (kind == CardKind::kCitizenId2016) return k2016;
  return k2021;
}

enum class Title { kNone, kCitizenId, kIdentity };

// The title band of a front: "CĂN CƯỚC CÔNG DÂN" (2016 and 2021 cards) or
// "CĂN CƯỚC" (2024), compared without diacritics or spaces and allowing a
// few misread letters.
Title TitleOf(const std::string& text) {
  std::string letters;
  for (char c : Fold(text)) {
    if (c >= 'A' && c <= 'Z') letters.push_back(c);
  }
  if (letters.size() < 5) return Title::kNone;
  const int citizen = EditDistance(letters, "CANCUOCCONGDAN");
  const int identity = EditDistance(letters, "CANCUOC");
  if (citizen <= 3 && citizen < identity) return Title::kCitizenId;
  if (identity <= 2) return Title::kIdentity;
  return Title::kNone;
}

// "Nam" or "Nữ" as printed; nullopt for anything else.
std::optional<Sex> SexOf(const std::string& text) {
  const std::string folded = Fold(text);
  if (folded == "NAM") return Sex::kMale;
  if (folded == "NU") return Sex::kFemale;
  return std::nullopt;
}

// `line` in grey with its fine detail boosted (unsharp mask of `sigma`).
cv::Mat Sharpened(const cv::Mat& line, double sigma) {
  cv::Mat grey, blurred, sharp;
  if (line.channels() == 3) {
    cv::cvtColor(line, grey, cv::COLOR_BGR2GRAY);
  } else {
    grey = line;
  }
  cv::GaussianBlur(grey, blurred, {0, 0}, sigma);
  cv::addWeighted(grey, 1 + kSharpenAmount, blurred, -kSharpenAmount, 0, sharp);
  return sharp;
}

// Printed fields of the front, read with Tesseract from the rectified card.
class PrintedFront {
 public:
  PrintedFront(TesseractReader& tesseract, const cv::Mat& card,
               const Context& ctx, const FrontLayout& boxes)
      : tesseract_(tesseract), card_(card), ctx_(ctx), boxes_(boxes) {}

  void Read(IdCardReading& out) {
    const LineReading id_line = Line(boxes_.id, LineKind::kDigits);
    std::string digits = DigitsOf(id_line.text);
    auto id = ParseCitizenId(digits, ctx_.today);
    // A number that is no valid ID (a digit lost or doubled by blur) is read
    // again and the valid IDs its readings allow are voted on; the winner is
    // unproven.
    bool id_reread = false;
    if (!id.ok()) {
      if (auto voted = VotedId(); voted.has_value()) {
        digits = voted->number;
        id = *std::move(voted);
        id_reread = true;
      }
    }
    // A blurred date loses a slash or a digit ("212/970"), or confuses 3
    // and 9; other readings lose others. Unless the first reading is a sure
    // date of the year the ID's digits 5-6 give, the date is voted on over
    // several readings, and since the ID's year then chose it, it cannot
    // vouch for the ID.
    std::optional<int> known_year;
    if (id.ok()) known_year = id->birth_year;
    auto first = tesseract_.ReadLineChoices(card_(Scaled(boxes_.birth)),
                                            LineKind::kDigits);
    LineReading dob_line = first.ok() ? first->reading : LineReading{};
    auto dob = ParsePrintedDate(dob_line.text);
    bool dob_reread = false;
    bool dob_sure = dob.ok() &&
                    (!known_year.has_value() || dob->year == *known_year) &&
                    dob_line.confidence >= kPrintedAgreeMinTesseract;
    // The ID proves the year only: a sure reading's day and month need a
    // second reading before the date can be above review (one level-3
    // front read its 03 month as 04 at Tesseract confidence 0.93). One
    // that contradicts them sends the date to the vote.
    bool dob_seconded = false;
    if (dob_sure) {
      const Second second = SecondReadingOf(*dob, known_year);
      dob_seconded = second == Second::kAgrees;
      dob_sure = second != Second::kContradicts;
    }
    if (!dob_sure) {
      DateVote vote(known_year);
      if (first.ok()) vote.AddReading(LineSpellings(*first));
      VoteOnDate(vote);
      if (auto best = vote.Best(); best.has_value()) {
        if (!dob.ok() || best->date != *dob) dob_reread = true;
        dob = best->date;
        if (best->margin < kCloseDateVote) {
          out.notes.push_back(
              absl::StrCat("Ngày sinh in trên thẻ bị mờ: đọc nhiều lần, ",
                           FormatDate(best->date), " chỉ được ",
                           static_cast<int>(best->share * 100 + 0.5),
                           "% số phiếu; cán bộ cần xem ảnh."));
        }
      }
    }
    LineReading sex_line = Line(boxes_.sex, LineKind::kName);
    std::optional<Sex> sex = SexOf(sex_line.text);
    for (const Reread& how : kLineRereads) {
      if (sex.has_value()) break;
      sex_line = Line(boxes_.sex, LineKind::kName, how.scale, how.binarization);
      sex = SexOf(sex_line.text);
    }
    const LineReading name_line = ReadName();

    // The ID's digits 4-6 encode century, sex and birth year: three fields
    // read independently that agree are very unlikely to be misread alike.
    bool agree = false;
    if (id.ok() && dob.ok() && sex.has_value()) {
      const auto found = CheckCitizenIdAgainst(*id, *dob, *sex);
      // A date picked for its year agreeing with the ID cannot then vouch
      // for the ID.
      agree = found.empty() && !dob_reread && !id_reread;
      if (!agree) {
        out.notes.push_back(
            absl::StrCat("Chữ in trên thẻ không khớp nhau: ",
                         DescribeDisagreements(*id, *dob, *sex, found)));
      }
    }
    auto printed_conf = [&](const LineReading& line, bool valid) {
      if (!valid) return std::min(line.confidence, kContradictedConfidence);
      if (agree && line.confidence >= kPrintedAgreeMinTesseract) {
        return kPrintedAgreedConfidence;
      }
      return std::min(line.confidence, kUnprovenConfidence);
    };
    if (!digits.empty()) {
      out.id_number =
          Field(digits, printed_conf(id_line, id.ok()),
                ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, boxes_.id));
    }
    if (dob.ok()) {
      double conf = printed_conf(dob_line, true);
      if (dob_reread || !dob_seconded) {
        conf = std::min(conf, kUnprovenConfidence);
      }
      out.birth_date = Field(FormatDate(*dob), conf, ReadMethod::kPrintedText,
                             ctx_, BoxOnPhoto(ctx_, boxes_.birth));
    } else if (!dob_line.text.empty()) {
      out.birth_date =
          Field(dob_line.text, kContradictedConfidence,
                ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, boxes_.birth));
    }
    if (sex.has_value()) {
      out.sex =
          Field(SexWord(*sex), printed_conf(sex_line, true),
                ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, boxes_.sex));
    } else if (id.ok()) {
      // The word is too blurred to read, but the ID's digit 4 encodes sex
      // by law. One source, so below review.
      out.sex =
          Field(SexWord(id->sex), kUnprovenConfidence, ReadMethod::kPrintedText,
                ctx_, BoxOnPhoto(ctx_, boxes_.id));
      out.notes.push_back(
          "Không đọc được giới tính in trên thẻ; giới tính lấy theo chữ số "
          "thứ 4 của số CCCD, cán bộ cần xem ảnh.");
    }
    if (!name_line.text.empty()) {
      const std::string folded = Fold(name_line.text);
      const bool plausible =
          !folded.empty() && folded.find(' ') != std::string::npos &&
          std::all_of(folded.begin(), folded.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || c == ' ';
          });
      out.full_name = Field(
          TitleCaseVietnamese(name_line.text),
          plausible ? std::min(name_line.confidence, kPrintedUnverifiableCap)
                    : kContradictedConfidence,
          ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, boxes_.name));
    }
    ReadAddress(boxes_.hometown, out.hometown);
    ReadAddress(boxes_.residence, out.residence);
    ReadDate(boxes_.expiry, out.expiry_date);
  }

  // A printed date (expiry, issue) that nothing else confirms.
  void ReadDate(const cv::Rect& box, std::optional<ReadField>& field) {
    if (box.empty()) return;
    const LineReading line = Line(box, LineKind::kDigits);
    if (auto date = ParsePrintedDate(line.text); date.ok()) {
      field = Field(FormatDate(*date),
                    std::min(line.confidence, kUnprovenConfidence),
                    ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, box));
    }
  }

  void ReadAddress(const cv::Rect& box, std::optional<ReadField>& field) {
    if (box.empty()) return;
    const LineReading line = Line(box, LineKind::kName);
    if (line.text.empty()) return;
    field = Field(line.text, std::min(line.confidence, kPrintedUnverifiableCap),
                  ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, box));
  }

 private:
  // The name with its family name checked against the list; when Tesseract
  // is unsure, a second read at another scale, keeping the more confident.
  LineReading ReadName() {
    const cv::Rect scaled(
        boxes_.name.x * kPrintedScale, boxes_.name.y * kPrintedScale,
        boxes_.name.width * kPrintedScale, boxes_.name.height * kPrintedScale);
    std::vector<std::vector<WordChoices>> readings;
    LineReading first;
    for (const Reread& how : kNameRereads) {
      auto r = tesseract_.ReadLineChoices(card_(scaled), LineKind::kName,
                                          how.scale, how.binarization);
      if (!r.ok()) continue;
      if (readings.empty()) first = r->reading;
      readings.push_back(std::move(r->words));
    }
    auto ranked = RankNameCandidates(PoolSyllableOptions(readings), 2);
    if (NameUnsure(ranked)) {
      // Blur at the decoded scale can erase a grave or hook entirely: the
      // full-size photo's pixels sometimes keep it, and unsharp masking
      // lifts a faint mark out of the blur before binarisation drops it.
      auto read = [&](const cv::Mat& line, const Reread& how) {
        auto r = tesseract_.ReadLineChoices(line, LineKind::kName, how.scale,
                                            how.binarization);
        if (r.ok()) readings.push_back(std::move(r->words));
      };
      read(Sharpened(card_(scaled), kSharpenSigma),
           {1.0, Binarization::kSauvola});
      if (const auto detail = FullResolutionLine(boxes_.name);
          detail.has_value()) {
        for (const Reread& how : kNameDetailRereads) read(*detail, how);
        const cv::Mat sharp = Sharpened(*detail, kSharpenSigma);
        for (const Reread& how : kNameSharpRereads) read(sharp, how);
      }
      ranked = VoteName(readings, 2);
    }
    if (ranked.empty()) {
      first.text = CorrectPrintedName(first.text);
      return first;
    }
    LineReading out;
    out.text = CorrectPrintedName(ranked[0].name);
    out.confidence = first.confidence;
    if (!ranked[0].all_valid) {
      out.confidence = std::min(out.confidence, kContradictedConfidence);
    } else if (ranked.size() > 1 &&
               ranked[0].score - ranked[1].score < kNameClearMargin) {
      // Two spellings nearly as likely: a tone mark the officer must see.
      out.confidence = std::min(out.confidence, kUnprovenConfidence);
    }
    return out;
  }

  static NamePart PartOf(size_t index, size_t count) {
    return index == 0           ? NamePart::kFamily
           : index + 1 == count ? NamePart::kGiven
                                : NamePart::kMiddle;
  }

  // Whether the best name could be wrong in a way more readings may fix:
  // nothing or a malformed syllable read, a runner-up nearly as likely, or
  // a syllable no Vietnamese name uses (a toneless "THUY").
  static bool NameUnsure(const std::vector<NameCandidate>& ranked) {
    if (ranked.empty() || !ranked[0].all_valid) return true;
    if (ranked.size() > 1 &&
        ranked[0].score - ranked[1].score < kNameClearMargin) {
      return true;
    }
    const std::vector<std::string> words = absl::StrSplit(ranked[0].name, ' ');
    for (size_t i = 0; i < words.size(); ++i) {
      if (NameSyllableFrequency(words[i], PartOf(i, words.size())) == 0) {
        return true;
      }
    }
    return false;
  }

  // The valid ID number most probable over several readings' digit
  // alternatives, from the rectified card and the full-size photo.
  std::optional<CitizenId> VotedId() {
    std::map<std::string, double> pooled;
    auto add = [&](const absl::StatusOr<LineChoices>& r) {
      if (!r.ok()) return;
      for (const auto& [text, p] : LineSpellings(*r)) {
        const std::string number = DigitsOf(text);
        if (ParseCitizenId(number, ctx_.today).ok()) pooled[number] += p;
      }
    };
    for (const Reread& how : kIdRereads) {
      add(tesseract_.ReadLineChoices(card_(Scaled(boxes_.id)),
                                     LineKind::kDigits, how.scale,
                                     how.binarization));
    }
    if (const auto detail = FullResolutionLine(boxes_.id); detail.has_value()) {
      for (const Reread& how : kDateDetailRereads) {
        add(tesseract_.ReadLineChoices(*detail, LineKind::kDigits, how.scale,
                                       how.binarization));
      }
    }
    std::string best;
    double most = 0;
    for (const auto& [number, p] : pooled) {
      if (p > most) most = p, best = number;
    }
    if (best.empty()) return std::nullopt;
    auto id = ParseCitizenId(best, ctx_.today);
    if (!id.ok()) return std::nullopt;
    return *std::move(id);
  }

  enum class Second { kAgrees, kContradicts, kNone };

  // What a second, independent reading says of `dob`'s day and month: the
  // validity line, which prints them again in the year of a renewal age
  // (DateVote::AddValidUntilReading), on cards that have one; otherwise
  // the birth date line warped anew from the full-size photo, whose pixels
  // sample the blur differently.
  Second SecondReadingOf(const Date& dob, std::optional<int> known_year) {
    std::optional<Date> second;
    if (!boxes_.expiry.empty()) {
      // Read other ways until one reading gives a renewal date.
      DateVote vote(known_year.value_or(dob.year));
      for (const Reread& how : kValidUntilRereads) {
        auto r = tesseract_.ReadLineChoices(card_(Scaled(boxes_.expiry)),
                                            LineKind::kDigits, how.scale,
                                            how.binarization);
        if (r.ok()) vote.AddValidUntilReading(LineSpellings(*r));
        if (vote.Best().has_value()) break;
      }
      if (auto best = vote.Best(); best.has_value()) second = best->date;
    } else {
      // Without a larger photo, the same pixels at another scale and
      // threshold: weaker, but a misread that depends on them shows.
      const auto detail = FullResolutionLine(boxes_.birth);
      auto r = detail.has_value()
                   ? tesseract_.ReadLineChoices(*detail, LineKind::kDigits)
                   : tesseract_.ReadLineChoices(card_(Scaled(boxes_.birth)),
                                                LineKind::kDigits, 1.35,
                                                Binarization::kOtsu);
      if (!r.ok()) return Second::kNone;
      if (auto date = ParsePrintedDate(r->reading.text); date.ok()) {
        second = *date;
      }
    }
    if (!second.has_value()) return Second::kNone;
    return second->day == dob.day && second->month == dob.month
               ? Second::kAgrees
               : Second::kContradicts;
  }

  // Adds the birth date line's other readings to `vote`: the rectified card
  // at other scales and binarisations, then the line warped anew from the
  // full-size photo.
  void VoteOnDate(DateVote& vote) {
    for (const Reread& how : kDateRereads) {
      auto r = tesseract_.ReadLineChoices(card_(Scaled(boxes_.birth)),
                                          LineKind::kDigits, how.scale,
                                          how.binarization);
      if (r.ok()) vote.AddReading(LineSpellings(*r));
    }
    for (const Reread& how : kDateVietnameseRereads) {
      auto r = tesseract_.ReadLineChoices(card_(Scaled(boxes_.birth)),
                                          LineKind::kDigitsVietnamese,
                                          how.scale, how.binarization);
      if (r.ok()) vote.AddReading(LineSpellings(*r), kVietnameseDateWeight);
    }
    // The validity line repeats the birth day and month (DateVote::
    // AddValidUntilReading); cards without it (2024 fronts) have no box.
    if (!boxes_.expiry.empty()) {
      for (const Reread& how : kValidUntilRereads) {
        auto r = tesseract_.ReadLineChoices(card_(Scaled(boxes_.expiry)),
                                            LineKind::kDigits, how.scale,
                                            how.binarization);
        if (r.ok()) vote.AddValidUntilReading(LineSpellings(*r));
      }
    }
    const std::optional<cv::Mat> detail = FullResolutionLine(boxes_.birth);
    if (!detail.has_value()) return;
    for (const Reread& how : kDateDetailRereads) {
      auto r = tesseract_.ReadLineChoices(*detail, LineKind::kDigits, how.scale,
                                          how.binarization);
      if (r.ok()) vote.AddReading(LineSpellings(*r));
    }
    for (const Reread& how : kDateVietnameseRereads) {
      auto r = tesseract_.ReadLineChoices(*detail, LineKind::kDigitsVietnamese,
                                          how.scale, how.binarization);
      if (r.ok()) vote.AddReading(LineSpellings(*r), kVietnameseDateWeight);
    }
  }

  // `box` of the card warped from the full-size photo at kPrintedScale;
  // nullopt when there is no larger photo.
  std::optional<cv::Mat> FullResolutionLine(const cv::Rect& box) {
    if (ctx_.full == nullptr || !ctx_.card_quad.has_value()) {
      return std::nullopt;
    }
    const cv::Mat* photo = ctx_.full->Get();
    if (photo == nullptr) return std::nullopt;
    const Quad on_photo =
        ScaleQuad(MapToPhoto(*ctx_.card_quad, layout::kCanonicalSize, box),
                  ctx_.full->Scale());
    auto line = Rectify(*photo, on_photo, box.size() * kPrintedScale);
    if (!line.ok()) return std::nullopt;
    return *std::move(line);
  }

  // The likely spellings of a whole line, its words run together.
  static std::vector<std::pair<std::string, double>> LineSpellings(
      const LineChoices& choices) {
    WordChoices line;
    for (const WordChoices& word : choices.words) {
      line.characters.insert(line.characters.end(), word.characters.begin(),
                             word.characters.end());
    }
    return LikelySpellings(line, kDateSpellings, kDateMinShare);
  }

  LineReading Line(const cv::Rect& box, LineKind kind, double rescale = 1.0) {
    auto r = tesseract_.ReadLine(card_(Scaled(box)), kind, rescale);
    return r.ok() ? *std::move(r) : LineReading{};
  }

  LineReading Line(const cv::Rect& box, LineKind kind, double rescale,
                   Binarization binarization) {
    auto r = tesseract_.ReadLineChoices(card_(Scaled(box)), kind, rescale,
                                        binarization);
    return r.ok() ? std::move(r->reading) : LineReading{};
  }

  static cv::Rect Scaled(const cv::Rect& box) {
    return {box.x * kPrintedScale, box.y * kPrintedScale,
            box.width * kPrintedScale, box.height * kPrintedScale};
  }

  TesseractReader& tesseract_;
  const cv::Mat& card_;
  const Context& ctx_;
  const FrontLayout& boxes_;
};

// Mean absolute Laplacian: how much fine detail a region has. The QR code
// is the most detailed part of the front.
double Detail(const cv::Mat& card, const cv::Rect& box) {
  cv::Mat gray, lap;
  cv::cvtColor(card(box), gray, cv::COLOR_BGR2GRAY);
  cv::Laplacian(gray, lap, CV_16S);
  return cv::mean(cv::abs(lap))[0];
}

// How much redder than green the darkest eighth of `box` is: the 2016
// card prints its number in red ink, the 2021 card in black. Light falls on
// all three channels alike, so shadows do not change the difference much.
double InkRedness(const cv::Mat& card, const cv::Rect& box) {
  const cv::Mat region = card(box);
  cv::Mat gray;
  cv::cvtColor(region, gray, cv::COLOR_BGR2GRAY);
  std::array<int, 256> histogram{};
  for (int y = 0; y < gray.rows; ++y) {
    const uint8_t* row = gray.ptr<uint8_t>(y);
    for (int x = 0; x < gray.cols; ++x) ++histogram[row[x]];
  }
  const int wanted = static_cast<int>(gray.total() / 8);
  int cut = 0;
  for (int seen = 0; cut < 255 && seen + histogram[cut] < wanted; ++cut) {
    seen += histogram[cut];
  }
  double sum = 0;
  int n = 0;
  for (int y = 0; y < gray.rows; ++y) {
    const uint8_t* g = gray.ptr<uint8_t>(y);
    const cv::Vec3b* bgr = region.ptr<cv::Vec3b>(y);
    for (int x = 0; x < gray.cols; ++x) {
      if (g[x] > cut) continue;
      sum += static_cast<double>(bgr[x][2]) - bgr[x][1];
      ++n;
    }
  }
  return n > 0 ? sum / n : 0.0;
}

cv::Rect Rotated180(const cv::Rect& box) {
  return {layout::kCanonicalSize.width - box.br().x,
          layout::kCanonicalSize.height - box.br().y, box.width, box.height};
}

// Folds two readings of one field into `field`.
void Combine(std::optional<ReadField>& field,
             const std::optional<ReadField>& other, bool same,
             std::string_view what, std::vector<std::string>& notes) {
  if (!other.has_value()) return;
  if (!field.has_value()) {
    field = other;
    return;
  }
  if (same) {
    field->best.confidence =
        std::max(field->best.confidence, other->best.confidence);
    field->best.method = ReadMethod::kCrossChecked;
    return;
  }
  field->alternatives.push_back(other->best);
  field->best.confidence =
      std::min(field->best.confidence, kContradictedConfidence);
  notes.push_back(absl::StrCat(Absl(what), " khác nhau giữa các nguồn: \"",
                               field->best.value, "\" và \"", other->best.value,
                               "\"."));
}

bool SameName(const std::optional<ReadField>& a,
              const std::optional<ReadField>& b) {
  if (!a.has_value() || !b.has_value()) return false;
  const std::string fa = Fold(a->best.value), fb = Fold(b->best.value);
  if (fa.empty() || fb.empty()) return false;
  // The MRZ cuts long names at 30 characters.
  return fa == fb || (fb.size() >= 20 && fa.rfind(fb, 0) == 0) ||
         (fa.size() >= 20 && fb.rfind(fa, 0) == 0);
}

// The same name with the same diacritics, whatever the letter case (the
// QR has "Nguyễn Văn An", the card prints "NGUYỄN VĂN AN").
bool SameSpelling(const std::optional<ReadField>& a,
                  const std::optional<ReadField>& b) {
  if (!a.has_value() || !b.has_value()) return false;
  auto lower = [](const std::string& s) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
    u.toLower(icu::Locale("vi"));
    std::string out;
    u.toUTF8String(out);
    return out;
  };
  return lower(a->best.value) == lower(b->best.value);
}

bool SameValue(const std::optional<ReadField>& a,
               const std::optional<ReadField>& b) {
  return a.has_value() && b.has_value() && a->best.value == b->best.value;
}

std::optional<Td1Mrz> ReadMrz(TesseractReader& tesseract, const cv::Mat& image,
                              const Quad& quad, const Date& today,
                              int* fillers = nullptr) {
  auto card = Rectify(image, quad, layout::kCanonicalSize);
  if (!card.ok()) return std::nullopt;
  const cv::Mat zone = (*card)(layout::kMrz);
  // An MRZ whose check digits fail is read again with the lines at other
  // heights: the glyphs Tesseract confuses (a dotted 0 as 6 or 8, a filler
  // run shortened) differ from one scale to the next, and the readings are
  // combined field by field, each field taken where its check digit holds.
  // At each height the digit runs are also read on their own, with only
  // the characters their cells can hold (ocr/mrz_zone.h), and put in the
  // block's place: the block's reading makes letters of blurred digits.
  const std::optional<cv::Rect> numbers =
      MrzCellsRegion(zone, 0, kMrzNumbersFirstCell, kTd1LineLength);
  const std::optional<cv::Rect> dates =
      MrzCellsRegion(zone, 1, 0, kMrzDatesEndCell);
  const std::optional<cv::Rect> birth = MrzCellsRegion(zone, 1, 0, kMrzSexCell);
  const std::optional<cv::Rect> expiry =
      MrzCellsRegion(zone, 1, kMrzSexCell + 1, kMrzDatesEndCell);
  std::vector<std::string> readings;
  std::optional<Td1Mrz> best;
  // Whether the readings so far prove the ID and a birth date the expiry
  // does not contradict; `best` becomes their combination.
  const auto combine = [&]() {
    auto mrz = CombineOcrTd1(readings, today, Td1Zone::kVietnameseIdCard);
    if (!mrz.ok() || !mrz->citizen_id.has_value()) return false;
    // A birth date the expiry contradicts is read on at other scales:
    // the misread digit pair seldom survives them all, and the readings
    // most of them agree on win.
    const bool proven =
        mrz->composite_verified && mrz->citizen_id->verified &&
        mrz->document_number.verified &&
        mrz->citizen_id->value.ends_with(mrz->document_number.value) &&
        !BirthdayContradictsExpiry(*mrz);
    best = *std::move(mrz);
    return proven;
  };
  for (double scale : kMrzReadScales) {
    auto text = tesseract.ReadLine(zone, LineKind::kMrz, scale);
    if (!text.ok()) break;
    const int count =
        static_cast<int>(std::count(text->text.begin(), text->text.end(), '<'));
    if (fillers != nullptr) *fillers = std::max(*fillers, count);
    // Not an MRZ (a shadow can turn the fillers into letters, but the
    // issuing state stays).
    if (readings.empty() && count < kMinMrzFillers &&
        text->text.find("VNM") == std::string::npos) {
      break;
    }
    readings.push_back(text->text);
    if (combine()) break;
    std::string spliced = text->text;
    if (numbers.has_value()) {
      auto read =
          tesseract.ReadLine(zone(*numbers), LineKind::kMrzNumbers, scale);
      if (read.ok()) {
        spliced = WithMrzNumbers(spliced, read->text).value_or(spliced);
      }
    }
    std::optional<std::string> with_dates;
    if (dates.has_value()) {
      auto read = tesseract.ReadLine(zone(*dates), LineKind::kMrzDates, scale);
      if (read.ok()) with_dates = WithMrzDates(spliced, read->text);
    }
    // A glyph more or less (the LSTM sometimes doubles one beside the M):
    // each date on its own, the sex left to the block's reading.
    if (!with_dates.has_value() && birth.has_value() && expiry.has_value()) {
      auto b = tesseract.ReadLine(zone(*birth), LineKind::kMrzNumbers, scale);
      auto e = tesseract.ReadLine(zone(*expiry), LineKind::kMrzNumbers, scale);
      if (b.ok() && e.ok()) {
        with_dates = WithMrzDates(spliced, b->text + "?" + e->text);
      }
    }
    if (with_dates.has_value()) spliced = *std::move(with_dates);
    if (spliced == text->text) continue;
    readings.push_back(std::move(spliced));
    if (combine()) break;
  }
  return best;
}

CardKind BackKind(TesseractReader& tesseract, const cv::Mat& image,
                  const Quad& quad) {
  auto card = Rectify(image, quad, layout::kCanonicalSize);
  if (!card.ok()) return CardKind::kUnknown;
  // The 2024 back has its QR code top left, the 2021 back a few lines of
  // text there: QR modules have about twice the fine detail of the text
  // beside them. Blur and a finger over the QR blunt that, and then the
  // 2024 back's printed issue date, where the 2021 back has a fingerprint
  // box, decides.
  const double ratio = Detail(*card, layout::v2024::kQr) /
                       std::max(1.0, Detail(*card, layout::kTitle));
  if (ratio >= kQrDetailRatio) return CardKind::kIdentity2024;
  auto issue =
      tesseract.ReadLine((*card)(layout::v2024::kIssueDate), LineKind::kDigits);
  if (issue.ok() && ParsePrintedDate(issue->text).ok()) {
    return CardKind::kIdentity2024;
  }
  // A blurred date loses its digits on the card at 10 px/mm: the dates
  // again (issue and expiry) from the photo's own pixels, as the printed
  // fields are read.
  auto fine = Rectify(image, quad, layout::kCanonicalSize * kPrintedScale);
  if (!fine.ok()) return CardKind::kChip2021;
  for (const cv::Rect& box :
       {layout::v2024::kIssueDate, layout::v2024::kExpiry}) {
    const cv::Rect scaled(box.x * kPrintedScale, box.y * kPrintedScale,
                          box.width * kPrintedScale,
                          box.height * kPrintedScale);
    auto date = tesseract.ReadLine((*fine)(scaled), LineKind::kDigits);
    if (date.ok() && ParsePrintedDate(date->text).ok()) {
      return CardKind::kIdentity2024;
    }
  }
  return CardKind::kChip2021;
}

void ReadBackPrinted(TesseractReader& tesseract, const cv::Mat& image,
                     Context& ctx, IdCardReading& out) {
  if (out.card_kind != CardKind::kIdentity2024) return;
  auto card =
      Rectify(image, *ctx.card_quad, layout::kCanonicalSize * kPrintedScale);
  if (!card.ok()) return;
  PrintedFront printed(tesseract, *card, ctx, FrontLayoutOf(out.card_kind));
  printed.ReadAddress(layout::v2024::kResidence, out.residence);
  printed.ReadDate(layout::v2024::kIssueDate, out.issue_date);
  if (!out.expiry_date.has_value()) {
    printed.ReadDate(layout::v2024::kExpiry, out.expiry_date);
  }
}

bool ReadBack2016(TesseractReader& tesseract, const cv::Mat& image,
                  const Quad& quad, Context& ctx, IdCardReading& out) {
  for (int turn : {0, 2}) {
    const Quad q = TurnQuad(quad, turn);
    auto card = Rectify(image, q, layout::kCanonicalSize * kPrintedScale);
    if (!card.ok()) return false;
    Context here = ctx;
    here.card_quad = q;
    std::optional<ReadField> issue;
    PrintedFront(tesseract, *card, here, FrontLayoutOf(CardKind::kUnknown))
        .ReadDate(layout::v2016::kIssueDate, issue);
    if (!issue.has_value()) continue;
    ctx = here;
    out.card_quad = ScaleQuad(q, ctx.to_original);
    out.card_kind = CardKind::kCitizenId2016;
    out.side = CardSide::kBack;
    out.issue_date = std::move(issue);
    out.notes.push_back(
        "Mặt sau thẻ căn cước công dân (mẫu 2016) chỉ có ngày cấp; xin chụp "
        "mặt trước.");
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<IdCardReader>> IdCardReader::Create(
    IdCardReaderOptions options) {
  auto tesseract = TesseractReader::Create(options.tessdata_dir);
  if (!tesseract.ok()) return tesseract.status();
  return std::unique_ptr<IdCardReader>(
      new IdCardReader(std::move(options), *std::move(tesseract)));
}

absl::StatusOr<IdCardReading> IdCardReader::Read(
    std::span<const uint8_t> photo_bytes, int photo_index, const Date& today) {
  auto decoded =
      DecodeImage(photo_bytes, options_.limits, options_.decode_long_side);
  if (!decoded.ok()) return decoded.status();
  const double to_original =
      static_cast<double>(
          std::max(decoded->original_width, decoded->original_height)) /
      std::max(decoded->image.cols, decoded->image.rows);
  std::optional<FullResolutionPhoto> full;
  if (options_.detail_long_side > 0) {
    full.emplace(photo_bytes, options_.limits, options_.detail_long_side,
                 std::max(decoded->image.cols, decoded->image.rows));
  }
  return ReadImage(decoded->image, to_original, photo_index, today,
                   full.has_value() ? &*full : nullptr);
}

absl::StatusOr<IdCardReading> IdCardReader::ReadDecoded(const cv::Mat& image,
                                                        double to_original,
                                                        int photo_index,
                                                        const Date& today) {
  return ReadImage(image, to_original, photo_index, today, nullptr);
}

absl::StatusOr<IdCardReading> IdCardReader::ReadImage(
    const cv::Mat& image, double to_original, int photo_index,
    const Date& today, FullResolutionPhoto* full) {
  if (image.empty() || image.type() != CV_8UC3) {
    return absl::InvalidArgumentError(
        "the ID card reader needs a decoded 8-bit BGR photo");
  }
  IdCardReading out;
  Context ctx;
  ctx.photo_index = photo_index;
  ctx.today = today;
  ctx.to_original = to_original;
  ctx.full = full;
  auto settle = [&](const Quad& q, CardKind kind, CardSide side) {
    ctx.card_quad = q;
    out.card_quad = ScaleQuad(q, to_original);
    out.card_kind = kind;
    out.side = side;
  };
  try {
    // 1. QR code.
    std::optional<IdCardQr> qr;
    QrCode qr_code;
    auto codes = ReadQrCodes(image);
    if (codes.ok()) {
      for (const QrCode& code : *codes) {
        auto parsed = ParseIdCardQr(code.text);
        if (parsed.ok()) {
          qr = *std::move(parsed);
          qr_code = code;
          break;
        }
      }
    }

    // 2. The card's outline, turned upright.
    FinderOptions finder;
    finder.expect = DocumentShape::kIdCard;
    auto found = FindDocument(image, finder);
    if (!found.ok()) return found.status();
    std::optional<Quad> quad;
    if (found->has_value()) quad = (*found)->quad;
    if (qr.has_value()) {
      // Where the QR code sits on the card says which card and side this
      // is: top right of a 2021 front, top left of a 2024 back.
      struct Place {
        CardKind kind;
        CardSide side;
        cv::Rect box;
      };
      const Place places[] = {
          {CardKind::kChip2021, CardSide::kFront, layout::kQr},
          {CardKind::kIdentity2024, CardSide::kBack, layout::v2024::kQr}};
      std::array<cv::Point2f, 4> corners;
      for (int i = 0; i < 4; ++i) corners[i] = cv::Point2f(qr_code.corners[i]);
      int place = 0;
      Quad card_quad = CardQuadFromQr(corners, places[0].box);
      if (quad.has_value()) {
        // The outline is precise, the QR knows which way is up.
        double best = 1e18;
        for (int p = 0; p < 2; ++p) {
          const Quad from_qr = CardQuadFromQr(corners, places[p].box);
          for (int k = 0; k < 4; ++k) {
            const Quad t = TurnQuad(*quad, k);
            double d = 0;
            for (int i = 0; i < 4; ++i) d += cv::norm(t[i] - from_qr[i]);
            if (d < best) best = d, place = p, card_quad = t;
          }
        }
      } else {
        // No outline: a 2024 back shows itself by the MRZ below its QR.
        const Quad back = CardQuadFromQr(corners, places[1].box);
        if (ReadMrz(*tesseract_, image, back, today).has_value()) {
          place = 1;
          card_quad = back;
        }
      }
      quad = card_quad;
      settle(card_quad, places[place].kind, places[place].side);
      FromQr(*qr, qr_code, ctx, out);
      if (!options_.cross_check_printed) return out;
      if (out.side == CardSide::kBack) {
        if (auto mrz = ReadMrz(*tesseract_, image, card_quad, today);
            mrz.has_value()) {
          IdCardReading from_mrz;
          FromMrz(*mrz, ctx, from_mrz);
          CrossCheckFrontAndBack(out, from_mrz);
        }
        return out;
      }
    }
    if (!quad.has_value()) {
      out.notes.push_back(
          "Không tìm thấy thẻ căn cước trong ảnh; cần cán bộ xem ảnh.");
      return out;
    }

    // 3. Without a QR code: a front shows the red national emblem top left
    //    and its title, which says which card it is (one line, so cheaper
    //    than the MRZ block); the emblem says which way is up.
    if (!ctx.card_quad.has_value()) {
      auto card = Rectify(image, *quad, layout::kCanonicalSize);
      if (!card.ok()) return card.status();
      const double red_up = InkRedness(*card, layout::kEmblem);
      const double red_down = InkRedness(*card, Rotated180(layout::kEmblem));
      const bool emblem = std::max(red_up, red_down) >= kRedInk;
      const int first = red_down > red_up ? 2 : 0;
      Title title = Title::kNone;
      int turn = first;
      cv::Mat upright;
      auto read_title = [&]() -> absl::Status {
        for (int t : {first, 2 - first}) {
          auto turned =
              Rectify(image, TurnQuad(*quad, t), layout::kCanonicalSize);
          if (!turned.ok()) return turned.status();
          auto line =
              tesseract_->ReadLine((*turned)(layout::kTitle), LineKind::kName);
          if (line.ok()) title = TitleOf(line->text);
          if (title != Title::kNone) {
            turn = t;
            upright = *turned;
            break;
          }
        }
        return absl::OkStatus();
      };
      if (emblem) {
        if (auto st = read_title(); !st.ok()) return st;
      }
      if (title == Title::kNone) {
        // 4. No emblem or no title: a back. The MRZ at the bottom, in
        //    either orientation.
        int most_fillers = 0;
        Quad fillers_quad = *quad;
        for (int t : {0, 2}) {
          const Quad q = TurnQuad(*quad, t);
          int fillers = 0;
          auto mrz = ReadMrz(*tesseract_, image, q, today, &fillers);
          if (fillers > most_fillers) most_fillers = fillers, fillers_quad = q;
          if (!mrz.has_value()) continue;
          settle(q, BackKind(*tesseract_, image, q), CardSide::kBack);
          FromMrz(*mrz, ctx, out);
          ReadBackPrinted(*tesseract_, image, ctx, out);
          return out;
        }
        if (most_fillers >= kMinMrzFillers) {
          // An MRZ is there but its check digits do not hold: a back whose
          // identity fields only the MRZ (or the hidden QR) carries.
          settle(fillers_quad, BackKind(*tesseract_, image, fillers_quad),
                 CardSide::kBack);
          ReadBackPrinted(*tesseract_, image, ctx, out);
          out.notes.push_back(
              "Không đọc được vùng mã MRZ mặt sau thẻ; xin chụp lại rõ hơn "
              "hoặc chụp mặt trước.");
          return out;
        }
        // A front whose emblem is faded or covered still has its title.
        if (!emblem) {
          if (auto st = read_title(); !st.ok()) return st;
        }
      }
      CardKind kind = CardKind::kUnknown;
      if (title == Title::kIdentity) {
        kind = CardKind::kIdentity2024;
      } else if (title == Title::kCitizenId) {
        kind = InkRedness(upright, layout::v2016::kIdNumber) >= kRedInk
                   ? CardKind::kCitizenId2016
                   : CardKind::kChip2021;
      } else {
        // The back of a 2016 card (its issue date, nothing else), or a
        // front too blurred for its title, read as whichever layout gives
        // a valid ID number.
        if (ReadBack2016(*tesseract_, image, *quad, ctx, out)) return out;
        bool found_id = false;
        for (int t : {first, 2 - first}) {
          auto turned =
              Rectify(image, TurnQuad(*quad, t), layout::kCanonicalSize);
          if (!turned.ok()) return turned.status();
          for (CardKind k : {CardKind::kChip2021, CardKind::kCitizenId2016,
                             CardKind::kIdentity2024}) {
            auto id_line = tesseract_->ReadLine((*turned)(FrontLayoutOf(k).id),
                                                LineKind::kDigits);
            if (id_line.ok() && ParseCitizenId(DigitsOf(id_line->text)).ok()) {
              turn = t;
              kind = k;
              found_id = true;
              break;
            }
          }
          if (found_id) break;
        }
        out.notes.push_back(
            "Không đọc được tên loại thẻ in trên thẻ; cán bộ cần xem ảnh.");
      }
      settle(TurnQuad(*quad, turn), kind, CardSide::kFront);
    }
    auto card =
        Rectify(image, *ctx.card_quad, layout::kCanonicalSize * kPrintedScale);
    if (!card.ok()) return card.status();
    IdCardReading printed;
    PrintedFront(*tesseract_, *card, ctx, FrontLayoutOf(out.card_kind))
        .Read(printed);
    if (!qr.has_value()) {
      printed.card_kind = out.card_kind;
      printed.side = out.side;
      printed.card_quad = out.card_quad;
      printed.notes.insert(printed.notes.begin(), out.notes.begin(),
                           out.notes.end());
      if (!printed.id_number.has_value() && !printed.full_name.has_value()) {
        printed.notes.push_back(
            "Không đọc được chữ trên thẻ; xin chụp lại rõ hơn hoặc cán bộ "
            "nhập tay.");
      }
      return printed;
    }
    Combine(out.id_number, printed.id_number,
            SameValue(out.id_number, printed.id_number), "Số CCCD", out.notes);
    Combine(out.full_name, printed.full_name,
            SameSpelling(out.full_name, printed.full_name), "Họ tên",
            out.notes);
    Combine(out.birth_date, printed.birth_date,
            SameValue(out.birth_date, printed.birth_date), "Ngày sinh",
            out.notes);
    Combine(out.sex, printed.sex, SameValue(out.sex, printed.sex), "Giới tính",
            out.notes);
    if (!out.hometown.has_value()) out.hometown = printed.hometown;
    if (!out.expiry_date.has_value()) out.expiry_date = printed.expiry_date;
    return out;
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("reading the ID card photo failed: ", e.what()));
  }
}

void CrossCheckFrontAndBack(IdCardReading& front, const IdCardReading& back) {
  Combine(front.id_number, back.id_number,
          SameValue(front.id_number, back.id_number), "Số CCCD", front.notes);
  Combine(front.birth_date, back.birth_date,
          SameValue(front.birth_date, back.birth_date), "Ngày sinh",
          front.notes);
  Combine(front.sex, back.sex, SameValue(front.sex, back.sex), "Giới tính",
          front.notes);
  Combine(front.expiry_date, back.expiry_date,
          SameValue(front.expiry_date, back.expiry_date), "Ngày hết hạn",
          front.notes);
  // The MRZ name has no diacritics: agreement confirms the front's spelling
  // (which keeps its diacritics), disagreement is flagged.
  if (front.full_name.has_value() && back.full_name.has_value()) {
    if (SameName(front.full_name, back.full_name)) {
      front.full_name->best.method = ReadMethod::kCrossChecked;
    } else {
      Combine(front.full_name, back.full_name, false, "Họ tên", front.notes);
    }
  }
}

}  // namespace cdkv::ocr
