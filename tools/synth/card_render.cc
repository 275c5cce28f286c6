#include "tools/synth/card_render.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

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
               int scale) {
  int h = height * scale;
  while (h > 8 && painter.Measure(text, h).width > box.width * scale - 8) --h;
  const cv::Size size = painter.Measure(text, h);
  const int y = box.y * scale + (box.height * scale - size.height) / 2;
  painter.Draw(card, text, {box.x * scale + 4 * scale, y}, h, kInk);
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

}  // namespace

absl::StatusOr<CardRenderer> CardRenderer::Create() {
  auto sans = TextPainter::Load(kDejaVuSans);
  if (!sans.ok()) return sans.status();
  auto bold = TextPainter::Load(kDejaVuSansBold);
  if (!bold.ok()) return bold.status();
  auto mono = TextPainter::Load(kDejaVuSansMono);
  if (!mono.ok()) return mono.status();
  return CardRenderer(*std::move(sans), *std::move(bold), *std::move(mono));
}

absl::StatusOr<cv::Mat> CardRenderer::Front(const Identity& p,
                                            int scale) const {
  if (scale < 1 || scale > 4) {
    return absl::InvalidArgumentError("card scale must be 1..4");
  }
  const int s = scale;
  cv::Mat card = Background(s, cv::Scalar(236, 232, 214));
  // National emblem stand-in and header.
  cv::circle(card, {95 * s, 85 * s}, 55 * s, cv::Scalar(60, 60, 200),
             cv::FILLED, cv::LINE_AA);
  cv::circle(card, {95 * s, 85 * s}, 25 * s, cv::Scalar(60, 200, 230),
             cv::FILLED, cv::LINE_AA);
  bold_.Draw(card, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {175 * s, 30 * s},
             19 * s, kInk);
  bold_.Draw(card, "Độc lập - Tự do - Hạnh phúc", {255 * s, 60 * s}, 18 * s,
             kInk);
  bold_.Draw(card, "CĂN CƯỚC CÔNG DÂN", {240 * s, 105 * s}, 32 * s, kRed);

  auto qr = QrImage(QrPayload(p), layout::kQr.width * s);
  if (!qr.ok()) return qr.status();
  qr->copyTo(card(Scaled(layout::kQr, s)));

  // Portrait stand-in: a face-like silhouette on a pale box.
  const cv::Rect photo = Scaled(layout::kPhoto, s);
  card(photo).setTo(cv::Scalar(225, 225, 225));
  cv::ellipse(card, {photo.x + photo.width / 2, photo.y + photo.height * 2 / 5},
              {photo.width / 4, photo.height / 5}, 0, 0, 360,
              cv::Scalar(150, 160, 190), cv::FILLED, cv::LINE_AA);
  cv::ellipse(card, {photo.x + photo.width / 2, photo.y + photo.height},
              {photo.width * 2 / 5, photo.height / 3}, 0, 180, 360,
              cv::Scalar(70, 60, 60), cv::FILLED, cv::LINE_AA);

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
  if (scale < 1 || scale > 4) {
    return absl::InvalidArgumentError("card scale must be 1..4");
  }
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
  const cv::Rect mrz = Scaled(ocr::card_layout::kMrz, s);
  card(mrz).setTo(cv::Scalar(245, 245, 240));
  // DejaVu Sans Mono stands in for OCR-B. Its dotted zero is sometimes read
  // as 6 or Q, which real cards do not provoke; a fixed-pitch proportional
  // font was tried and read far worse.
  const auto lines = MrzLines(p);
  const int h = 38 * s;
  for (int i = 0; i < 3; ++i) {
    mono_.Draw(card, lines[i], {mrz.x + 20 * s, mrz.y + 12 * s + i * 48 * s}, h,
               cv::Scalar(20, 20, 20));
  }
  return card;
}

}  // namespace cdkv::synth
