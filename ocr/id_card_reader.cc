#include "ocr/id_card_reader.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/id_card_layout.h"
#include "ocr/id_number.h"
#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"
#include "ocr/qr_payload.h"
#include "ocr/qr_reader.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"

namespace cdkv::ocr {
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

std::string SexWord(Sex sex) { return sex == Sex::kMale ? "Nam" : "Nữ"; }

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
  double to_original = 1.0;
  std::optional<Quad> card_quad;  // Decoded-image pixels, upright.
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
  const bool birth_proven =
      mrz.birth_date.has_value() && mrz.birth_date_text.verified && composite;
  // Sex has no check digit of its own; only the composite covers it.
  const bool sex_proven = mrz.sex.has_value() && composite;
  bool contradicted = false;
  if (id.has_value() && mrz.birth_date.has_value() && mrz.sex.has_value()) {
    const auto found = CheckCitizenIdAgainst(*id, *mrz.birth_date, *mrz.sex);
    if (!found.empty()) {
      contradicted = true;
      out.notes.push_back(
          DescribeDisagreements(*id, *mrz.birth_date, *mrz.sex, found));
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
  if (mrz.birth_date.has_value()) {
    out.birth_date = Field(FormatDate(*mrz.birth_date), conf(birth_proven),
                           ReadMethod::kMrz, ctx, region);
  }
  if (mrz.sex.has_value()) {
    out.sex = Field(SexWord(*mrz.sex), conf(sex_proven), ReadMethod::kMrz, ctx,
                    region);
  }
  if (mrz.expiry_date.has_value()) {
    out.expiry_date = Field(FormatDate(*mrz.expiry_date),
                            conf(mrz.expiry_date_text.verified && composite),
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

// Printed fields of the front, read with Tesseract from the rectified card.
class PrintedFront {
 public:
  PrintedFront(TesseractReader& tesseract, const cv::Mat& card,
               const Context& ctx)
      : tesseract_(tesseract), card_(card), ctx_(ctx) {}

  void Read(IdCardReading& out) {
    const LineReading id_line = Line(layout::kIdNumber, LineKind::kDigits);
    const LineReading dob_line = Line(layout::kBirthDate, LineKind::kDigits);
    const LineReading sex_line = Line(layout::kSex, LineKind::kName);
    const LineReading name_line = Line(layout::kFullName, LineKind::kName);

    const std::string digits = DigitsOf(id_line.text);
    auto id = ParseCitizenId(digits);
    auto dob = ParsePrintedDate(dob_line.text);
    std::optional<Sex> sex;
    const std::string sex_folded = Fold(sex_line.text);
    if (sex_folded == "NAM") sex = Sex::kMale;
    if (sex_folded == "NU") sex = Sex::kFemale;

    // The ID's digits 4-6 encode century, sex and birth year: three fields
    // read independently that agree are very unlikely to be misread alike.
    bool agree = false;
    if (id.ok() && dob.ok() && sex.has_value()) {
      const auto found = CheckCitizenIdAgainst(*id, *dob, *sex);
      agree = found.empty();
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
      out.id_number = Field(digits, printed_conf(id_line, id.ok()),
                            ReadMethod::kPrintedText, ctx_,
                            BoxOnPhoto(ctx_, layout::kIdNumber));
    }
    if (dob.ok()) {
      out.birth_date = Field(FormatDate(*dob), printed_conf(dob_line, true),
                             ReadMethod::kPrintedText, ctx_,
                             BoxOnPhoto(ctx_, layout::kBirthDate));
    } else if (!dob_line.text.empty()) {
      out.birth_date = Field(dob_line.text, kContradictedConfidence,
                             ReadMethod::kPrintedText, ctx_,
                             BoxOnPhoto(ctx_, layout::kBirthDate));
    }
    if (sex.has_value()) {
      out.sex =
          Field(SexWord(*sex), printed_conf(sex_line, true),
                ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, layout::kSex));
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
          ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, layout::kFullName));
    }
    ReadAddress(layout::kHometown, out.hometown);
    ReadAddress(layout::kResidence, out.residence);
    const LineReading expiry = Line(layout::kExpiry, LineKind::kDigits);
    if (auto date = ParsePrintedDate(expiry.text); date.ok()) {
      out.expiry_date = Field(
          FormatDate(*date), std::min(expiry.confidence, kUnprovenConfidence),
          ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, layout::kExpiry));
    }
  }

 private:
  LineReading Line(const cv::Rect& box, LineKind kind) {
    const cv::Rect scaled(box.x * kPrintedScale, box.y * kPrintedScale,
                          box.width * kPrintedScale,
                          box.height * kPrintedScale);
    auto r = tesseract_.ReadLine(card_(scaled), kind);
    return r.ok() ? *std::move(r) : LineReading{};
  }

  void ReadAddress(const cv::Rect& box, std::optional<ReadField>& field) {
    const LineReading line = Line(box, LineKind::kName);
    if (line.text.empty()) return;
    field = Field(line.text, std::min(line.confidence, kPrintedUnverifiableCap),
                  ReadMethod::kPrintedText, ctx_, BoxOnPhoto(ctx_, box));
  }

  TesseractReader& tesseract_;
  const cv::Mat& card_;
  const Context& ctx_;
};

// Mean absolute Laplacian: how much fine detail a region has. The QR code
// is the most detailed part of the front.
double Detail(const cv::Mat& card, const cv::Rect& box) {
  cv::Mat gray, lap;
  cv::cvtColor(card(box), gray, cv::COLOR_BGR2GRAY);
  cv::Laplacian(gray, lap, CV_16S);
  return cv::mean(cv::abs(lap))[0];
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
  return ReadDecoded(decoded->image, to_original, photo_index, today);
}

absl::StatusOr<IdCardReading> IdCardReader::ReadDecoded(const cv::Mat& image,
                                                        double to_original,
                                                        int photo_index,
                                                        const Date& today) {
  if (image.empty() || image.type() != CV_8UC3) {
    return absl::InvalidArgumentError(
        "the ID card reader needs a decoded 8-bit BGR photo");
  }
  IdCardReading out;
  Context ctx;
  ctx.photo_index = photo_index;
  ctx.to_original = to_original;
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
      std::array<cv::Point2f, 4> corners;
      for (int i = 0; i < 4; ++i) corners[i] = cv::Point2f(qr_code.corners[i]);
      const Quad from_qr = CardQuadFromQr(corners);
      if (quad.has_value()) {
        // The outline is precise, the QR knows which way is up.
        int best_turn = 0;
        double best = 1e18;
        for (int k = 0; k < 4; ++k) {
          const Quad t = TurnQuad(*quad, k);
          double d = 0;
          for (int i = 0; i < 4; ++i) d += cv::norm(t[i] - from_qr[i]);
          if (d < best) best = d, best_turn = k;
        }
        quad = TurnQuad(*quad, best_turn);
      } else {
        quad = from_qr;
      }
      ctx.card_quad = quad;
      out.card_quad = ScaleQuad(*quad, to_original);
      out.side = CardSide::kFront;
      FromQr(*qr, qr_code, ctx, out);
      if (!options_.cross_check_printed) return out;
    }
    if (!quad.has_value()) {
      out.notes.push_back(
          "Không tìm thấy thẻ căn cước trong ảnh; cần cán bộ xem ảnh.");
      return out;
    }

    // 3. Back: the MRZ at the bottom, in either orientation.
    if (!qr.has_value()) {
      for (int turn : {0, 2}) {
        const Quad q = TurnQuad(*quad, turn);
        auto card = Rectify(image, q, layout::kCanonicalSize);
        if (!card.ok()) return card.status();
        auto text = tesseract_->ReadLine((*card)(layout::kMrz), LineKind::kMrz);
        if (!text.ok()) continue;
        auto mrz = ParseOcrTd1(text->text, today);
        if (!mrz.ok() || !mrz->citizen_id.has_value()) continue;
        ctx.card_quad = q;
        out.card_quad = ScaleQuad(q, to_original);
        out.side = CardSide::kBack;
        FromMrz(*mrz, ctx, out);
        return out;
      }
    }

    // 4. Front printed text. Upright is where the ID number reads as one;
    //    the QR's fine detail (top right) says which way to try first.
    if (!ctx.card_quad.has_value()) {
      auto card = Rectify(image, *quad, layout::kCanonicalSize);
      if (!card.ok()) return card.status();
      const int first =
          Detail(*card, Rotated180(layout::kQr)) > Detail(*card, layout::kQr)
              ? 2
              : 0;
      int turn = first;
      for (int t : {first, 2 - first}) {
        auto turned =
            Rectify(image, TurnQuad(*quad, t), layout::kCanonicalSize);
        if (!turned.ok()) return turned.status();
        auto id_line = tesseract_->ReadLine((*turned)(layout::kIdNumber),
                                            LineKind::kDigits);
        if (id_line.ok() && ParseCitizenId(DigitsOf(id_line->text)).ok()) {
          turn = t;
          break;
        }
      }
      ctx.card_quad = TurnQuad(*quad, turn);
      out.card_quad = ScaleQuad(*ctx.card_quad, to_original);
      out.side = CardSide::kFront;
    }
    auto card =
        Rectify(image, *ctx.card_quad, layout::kCanonicalSize * kPrintedScale);
    if (!card.ok()) return card.status();
    IdCardReading printed;
    PrintedFront(*tesseract_, *card, ctx).Read(printed);
    if (!qr.has_value()) {
      printed.side = out.side;
      printed.card_quad = out.card_quad;
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
