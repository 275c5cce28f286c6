#include "tools/synth/card_render.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include <array>
#include <exception>
#include <opencv2/imgproc.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/id_card_layout.h"

namespace cdkv::synth {
namespace {

namespace layout = ocr::card_layout;

const cv::Scalar kInk(40, 30, 30);
const cv::Scalar kLabelInk(90, 80, 70);
const cv::Scalar kRed(40, 40, 190);

cv::Rect Scaled(const cv::Rect& r, int s) {
  return {r.x * s, r.y * s, r.width * s, r.height * s};
}

// The pale blue-green guilloche-like background of the card.
cv::Mat Background(int scale, cv::Scalar base) {
  const cv::Size size(layout::kCanonicalSize.width * scale,
                      layout::kCanonicalSize.height * scale);
  cv::Mat card(size, CV_8UC3, base);
  for (int i = 0; i < 40; ++i) {
    const cv::Point centre(size.width / 2, size.height / 2);
    cv::ellipse(card, centre,
                cv::Size((60 + 14 * i) * scale, (30 + 8 * i) * scale), i * 4.0,
                0, 360, base - cv::Scalar(18, 10, 14), scale, cv::LINE_AA);
  }
  return card;
}

// Draws `text` in the field box so that its left edge and vertical centre
// match the box, shrinking the font if the text would not fit.
void DrawInBox(const TextPainter& painter, cv::Mat& card,
               const std::string& text, const cv::Rect& box, int height,
               int scale, cv::Scalar ink = kInk) {
  int h = height * scale;
  while (h > 8 && painter.Measure(text, h).width > box.width * scale - 8) --h;
  const cv::Size size = painter.Measure(text, h);
  const int y = box.y * scale + (box.height * scale - size.height) / 2;
  painter.Draw(card, text, {box.x * scale + 4 * scale, y}, h, ink);
}

absl::StatusOr<cv::Mat> QrImage(const std::string& payload, int side) {
  try {
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    writer.setMargin(2);
    // Cards store UTF-8 bytes without an ECI: hand the writer each byte as a
    // Latin-1 character, as qr_reader_test does.
    std::wstring bytes;
    for (char c : payload) bytes.push_back(static_cast<unsigned char>(c));
    const ZXing::BitMatrix bits = writer.encode(bytes, 0, 0);
    cv::Mat symbol(bits.height(), bits.width(), CV_8UC1);
    for (int y = 0; y < bits.height(); ++y) {
      for (int x = 0; x < bits.width(); ++x) {
        symbol.at<uint8_t>(y, x) = bits.get(x, y) ? 0 : 255;
      }
    }
    cv::Mat scaled;
    cv::resize(symbol, scaled, {side, side}, 0, 0, cv::INTER_NEAREST);
    cv::Mat bgr;
    cv::cvtColor(scaled, bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("QR encoding of the payload failed: ", e.what()));
  }
}

std::string Printed(const ocr::Date& d) { return ocr::FormatDate(d); }

// Portrait stand-in: a face-like silhouette on a pale box.
void Portrait(cv::Mat& card, int s) {
  const cv::Rect photo = Scaled(layout::kPhoto, s);
  card(photo).setTo(cv::Scalar(225, 225, 225));
  cv::ellipse(card, {photo.x + photo.width / 2, photo.y + photo.height * 2 / 5},
              {photo.width / 4, photo.height / 5}, 0, 0, 360,
              cv::Scalar(150, 160, 190), cv::FILLED, cv::LINE_AA);
  cv::ellipse(card, {photo.x + photo.width / 2, photo.y + photo.height},
              {photo.width * 2 / 5, photo.height / 3}, 0, 180, 360,
              cv::Scalar(70, 60, 60), cv::FILLED, cv::LINE_AA);
}

// Two index fingerprints in labelled boxes.
void Fingerprints(const TextPainter& sans, cv::Mat& card,
                  const std::array<cv::Rect, 2>& boxes,
                  const std::array<const char*, 2>& labels, int s) {
  for (int i = 0; i < 2; ++i) {
    const cv::Rect b = Scaled(boxes[i], s);
    cv::rectangle(card, b, cv::Scalar(120, 120, 120), s, cv::LINE_AA);
    for (int r = 10; r < 60; r += 7) {
      cv::ellipse(card, {b.x + b.width / 2, b.y + b.height / 2 + 10 * s},
                  {r * s, (r + 15) * s}, 0, 0, 360, cv::Scalar(110, 110, 110),
                  s, cv::LINE_AA);
    }
    sans.Draw(card, labels[i], {b.x + 10 * s, b.y - 24 * s}, 14 * s, kLabelInk);
  }
}

absl::Status CheckScale(int scale) {
  if (scale < 1 || scale > 4) {
    return absl::InvalidArgumentError("card scale must be 1..4");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CardRenderer> CardRenderer::Create() {
  auto sans = TextPainter::Load(kDejaVuSans);
  if (!sans.ok()) return sans.status();
  auto bold = TextPainter::Load(kDejaVuSansBold);
  if (!bold.ok()) return bold.status();
  auto mono = TextPainter::Load(kOcrB);
  if (!mono.ok()) return mono.status();
  return CardRenderer(*std::move(sans), *std::move(bold), *std::move(mono));
}

absl::StatusOr<cv::Mat> CardRenderer::Front(const Identity& p,
                                            int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(236, 232, 214));
  Header(card, s);
  bold_.Draw(card, "CĂN CƯỚC CÔNG DÂN", {240 * s, 105 * s}, 32 * s, kRed);

  auto qr = QrImage(QrPayload(p), layout::kQr.width * s);
  if (!qr.ok()) return qr.status();
  qr->copyTo(card(Scaled(layout::kQr, s)));

  Portrait(card, s);

  sans_.Draw(card, "Số / No.:", {250 * s, 178 * s}, 17 * s, kLabelInk);
  DrawInBox(bold_, card, p.id, layout::kIdNumber, 30, s);
  sans_.Draw(card, "Họ và tên / Full name:", {250 * s, 220 * s}, 15 * s,
             kLabelInk);
  DrawInBox(bold_, card, p.name_upper, layout::kFullName, 26, s);
  sans_.Draw(card, "Ngày sinh / Date of birth:", {250 * s, 294 * s}, 15 * s,
             kLabelInk);
  DrawInBox(sans_, card, Printed(p.birth_date), layout::kBirthDate, 22, s);
  sans_.Draw(card, "Giới tính / Sex:", {250 * s, 329 * s}, 15 * s, kLabelInk);
  DrawInBox(sans_, card, SexWord(p.sex), layout::kSex, 22, s);
  sans_.Draw(card, "Quốc tịch / Nationality:", {490 * s, 329 * s}, 15 * s,
             kLabelInk);
  sans_.Draw(card, "Việt Nam", {690 * s, 325 * s}, 22 * s, kInk);
  sans_.Draw(card, "Quê quán / Place of origin:", {250 * s, 362 * s}, 15 * s,
             kLabelInk);
  DrawInBox(sans_, card, p.hometown, layout::kHometown, 22, s);
  sans_.Draw(card, "Nơi thường trú / Place of residence:", {250 * s, 422 * s},
             15 * s, kLabelInk);
  DrawInBox(sans_, card, p.residence, layout::kResidence, 22, s);
  sans_.Draw(card, "Có giá trị đến:", {40 * s, 462 * s}, 14 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.expiry_date), layout::kExpiry, 18, s);
  return card;
}

absl::StatusOr<cv::Mat> CardRenderer::Back(const Identity& p, int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(232, 236, 226));
  sans_.Draw(card,
             "Đặc điểm nhân dạng / Personal identification:", {40 * s, 40 * s},
             15 * s, kLabelInk);
  sans_.Draw(card, "Nốt ruồi C:1cm dưới sau mép trái", {40 * s, 70 * s}, 17 * s,
             kInk);
  sans_.Draw(card,
             "Ngày, tháng, năm / Date, month, year: " + Printed(p.issue_date),
             {40 * s, 130 * s}, 15 * s, kInk);
  bold_.Draw(card, "CỤC TRƯỞNG CỤC CẢNH SÁT", {60 * s, 165 * s}, 15 * s, kInk);
  bold_.Draw(card, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", {30 * s, 188 * s},
             15 * s, kInk);
  // Chip and fingerprint boxes.
  cv::rectangle(card, cv::Rect(70 * s, 230 * s, 110 * s, 90 * s),
                cv::Scalar(80, 170, 210), cv::FILLED, cv::LINE_AA);
  for (int x : {560, 700}) {
    cv::rectangle(card, cv::Rect(x * s, 30 * s, 130 * s, 160 * s),
                  cv::Scalar(120, 120, 120), s, cv::LINE_AA);
    for (int r = 10; r < 60; r += 7) {
      cv::ellipse(card, {(x + 65) * s, 110 * s}, {r * s, (r + 15) * s}, 0, 0,
                  360, cv::Scalar(110, 110, 110), s, cv::LINE_AA);
    }
  }
  Mrz(card, p, s);
  return card;
}

void CardRenderer::Header(cv::Mat& card, int s) const {
  // National emblem stand-in and header.
  cv::circle(card, {95 * s, 85 * s}, 55 * s, cv::Scalar(60, 60, 200),
             cv::FILLED, cv::LINE_AA);
  cv::circle(card, {95 * s, 85 * s}, 25 * s, cv::Scalar(60, 200, 230),
             cv::FILLED, cv::LINE_AA);
  bold_.Draw(card, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {175 * s, 30 * s},
             19 * s, kInk);
  bold_.Draw(card, "Độc lập - Tự do - Hạnh phúc", {255 * s, 60 * s}, 18 * s,
             kInk);
}

void CardRenderer::Mrz(cv::Mat& card, const Identity& p, int s) const {
  const cv::Rect mrz = Scaled(ocr::card_layout::kMrz, s);
  card(mrz).setTo(cv::Scalar(245, 245, 240));
  // ICAO 9303 sets the zone in OCR-B at 10 characters to the inch: 30
  // characters span 76.2 of the card's 85.6 mm.
  const auto lines = MrzLines(p);
  const int span = mrz.width * 762 / 808;
  int h = 38 * s;
  while (h > 8 && mono_.Measure(lines[0], h).width > span) --h;
  for (int i = 0; i < 3; ++i) {
    mono_.Draw(card, lines[i], {mrz.x + 20 * s, mrz.y + 12 * s + i * 48 * s}, h,
               cv::Scalar(20, 20, 20));
  }
}

absl::StatusOr<cv::Mat> CardRenderer::Front2024(const Identity& p,
                                                int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  namespace v = layout::v2024;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(226, 234, 238));
  Header(card, s);
  bold_.Draw(card, "CĂN CƯỚC", {335 * s, 103 * s}, 34 * s, kRed);
  Portrait(card, s);
  sans_.Draw(card, "Số định danh cá nhân / Personal identification number:",
             {250 * s, 156 * s}, 15 * s, kLabelInk);
  DrawInBox(bold_, card, p.id, v::kIdNumber, 30, s);
  sans_.Draw(card,
             "Họ, chữ đệm và tên khai sinh / Surname, middle name and given "
             "name:",
             {250 * s, 230 * s}, 14 * s, kLabelInk);
  DrawInBox(bold_, card, p.name_upper, v::kFullName, 26, s);
  sans_.Draw(card, "Ngày, tháng, năm sinh / Date of birth:", {250 * s, 302 * s},
             15 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.birth_date), v::kBirthDate, 22, s);
  sans_.Draw(card, "Giới tính / Sex:", {250 * s, 372 * s}, 15 * s, kLabelInk);
  DrawInBox(sans_, card, SexWord(p.sex), v::kSex, 22, s);
  sans_.Draw(card, "Quốc tịch / Nationality:", {500 * s, 372 * s}, 15 * s,
             kLabelInk);
  sans_.Draw(card, "Việt Nam", {504 * s, 396 * s}, 22 * s, kInk);
  return card;
}

absl::StatusOr<cv::Mat> CardRenderer::Back2024(const Identity& p,
                                               int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  namespace v = layout::v2024;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(230, 236, 232));
  auto qr = QrImage(QrPayload2024(p), v::kQr.width * s);
  if (!qr.ok()) return qr.status();
  qr->copyTo(card(Scaled(v::kQr, s)));
  sans_.Draw(card, "Nơi cư trú / Place of residence:", {250 * s, 26 * s},
             15 * s, kLabelInk);
  DrawInBox(sans_, card, p.residence, v::kResidence, 22, s);
  sans_.Draw(card, "Nơi đăng ký khai sinh / Place of birth:", {250 * s, 92 * s},
             15 * s, kLabelInk);
  DrawInBox(sans_, card, p.hometown, v::kBirthPlace, 22, s);
  sans_.Draw(card, "Ngày, tháng, năm cấp / Date of issue:", {250 * s, 158 * s},
             14 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.issue_date), v::kIssueDate, 22, s);
  sans_.Draw(card,
             "Ngày, tháng, năm hết hạn / Date of expiry:", {530 * s, 158 * s},
             14 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.expiry_date), v::kExpiry, 22, s);
  bold_.Draw(card, "BỘ CÔNG AN", {420 * s, 240 * s}, 18 * s, kInk);
  bold_.Draw(card, "MINISTRY OF PUBLIC SECURITY", {360 * s, 266 * s}, 15 * s,
             kInk);
  // The chip.
  cv::rectangle(card, cv::Rect(70 * s, 240 * s, 110 * s, 90 * s),
                cv::Scalar(80, 170, 210), cv::FILLED, cv::LINE_AA);
  Mrz(card, p, s);
  return card;
}

absl::StatusOr<cv::Mat> CardRenderer::Front2016(const Identity& p,
                                                int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  namespace v = layout::v2016;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(214, 230, 238));
  Header(card, s);
  bold_.Draw(card, "CĂN CƯỚC CÔNG DÂN", {240 * s, 105 * s}, 32 * s, kRed);
  Portrait(card, s);
  // Labels in Vietnamese only, each value on its label's line.
  sans_.Draw(card, "Số:", {250 * s, 162 * s}, 20 * s, kRed);
  // The 2016 card prints its number in red.
  DrawInBox(bold_, card, p.id, v::kIdNumber, 32, s, kRed);
  sans_.Draw(card, "Họ và tên:", {250 * s, 216 * s}, 18 * s, kLabelInk);
  DrawInBox(bold_, card, p.name_upper, v::kFullName, 24, s);
  sans_.Draw(card, "Ngày, tháng, năm sinh:", {250 * s, 267 * s}, 18 * s,
             kLabelInk);
  DrawInBox(sans_, card, Printed(p.birth_date), v::kBirthDate, 22, s);
  sans_.Draw(card, "Giới tính:", {250 * s, 315 * s}, 18 * s, kLabelInk);
  DrawInBox(sans_, card, SexWord(p.sex), v::kSex, 22, s);
  sans_.Draw(card, "Quốc tịch: Việt Nam", {500 * s, 315 * s}, 18 * s,
             kLabelInk);
  sans_.Draw(card, "Quê quán:", {250 * s, 363 * s}, 18 * s, kLabelInk);
  DrawInBox(sans_, card, p.hometown, v::kHometown, 21, s);
  sans_.Draw(card, "Nơi thường trú:", {250 * s, 405 * s}, 18 * s, kLabelInk);
  DrawInBox(sans_, card, p.residence, v::kResidence, 21, s);
  sans_.Draw(card, "Có giá trị đến:", {40 * s, 462 * s}, 14 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.expiry_date), v::kExpiry, 18, s);
  return card;
}

absl::StatusOr<cv::Mat> CardRenderer::Back2016(const Identity& p,
                                               int scale) const {
  if (auto st = CheckScale(scale); !st.ok()) return st;
  namespace v = layout::v2016;
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(226, 232, 236));
  sans_.Draw(card, "Đặc điểm nhân dạng:", {40 * s, 30 * s}, 17 * s, kLabelInk);
  DrawInBox(sans_, card, "Sẹo chấm C:2cm trên trước đầu mày phải", v::kMarks,
            18, s);
  Fingerprints(sans_, card, {v::kFingerprintLeft, v::kFingerprintRight},
               {"Ngón trỏ trái", "Ngón trỏ phải"}, s);
  sans_.Draw(card, "Ngày, tháng, năm:", {40 * s, 294 * s}, 18 * s, kLabelInk);
  DrawInBox(sans_, card, Printed(p.issue_date), v::kIssueDate, 22, s);
  bold_.Draw(card, "CỤC TRƯỞNG CỤC CẢNH SÁT", {60 * s, 345 * s}, 16 * s, kInk);
  bold_.Draw(card, "ĐKQL CƯ TRÚ VÀ DLQG VỀ DÂN CƯ", {44 * s, 370 * s}, 16 * s,
             kInk);
  // Seal and signature.
  cv::circle(card, {150 * s, 455 * s}, 48 * s, kRed, 3 * s, cv::LINE_AA);
  cv::circle(card, {150 * s, 455 * s}, 36 * s, kRed, s, cv::LINE_AA);
  for (int i = 0; i < 4; ++i) {
    cv::ellipse(card, {(230 + 30 * i) * s, 460 * s}, {22 * s, 12 * s}, 20 * i,
                0, 300, kInk, 2 * s, cv::LINE_AA);
  }
  sans_.Draw(card, "Nguyễn Văn Long", {220 * s, 495 * s}, 18 * s, kInk);
  return card;
}

}  // namespace cdkv::synth
