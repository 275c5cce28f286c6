// A value read from a citizen's photo, with how sure the reading is and where
// it came from, so the officer can see the photo region beside the form.
#ifndef CDKV_OCR_FIELD_H_
#define CDKV_OCR_FIELD_H_

#include <array>
#include <opencv2/core/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cdkv::ocr {

enum class ReadMethod {
  kQr,            // Decoded from the card's QR code.
  kMrz,           // From the machine-readable zone.
  kPrintedText,   // Tesseract on the printed text.
  kCrossChecked,  // Two or more methods agreed.
};

// Stable lowercase names for logs and JSON ("qr", "mrz", ...).
constexpr std::string_view ReadMethodName(ReadMethod method) {
  switch (method) {
    case ReadMethod::kQr:
      return "qr";
    case ReadMethod::kMrz:
      return "mrz";
    case ReadMethod::kPrintedText:
      return "printed_text";
    case ReadMethod::kCrossChecked:
      return "cross_checked";
  }
  return "unknown";
}

struct Reading {
  std::string value;        // UTF-8, NFC.
  double confidence = 0.0;  // 0..1.
  ReadMethod method = ReadMethod::kPrintedText;
  int photo_index = 0;  // Which photo of the filing.
  // Corners on that photo in original (upright) pixels: top-left, top-right,
  // bottom-right, bottom-left. Four points, not a rectangle, because
  // documents are photographed at an angle.
  std::array<cv::Point2f, 4> region{};
};

struct ReadField {
  Reading best;
  // Other readers' differing values, so the officer can pick one.
  std::vector<Reading> alternatives;
};

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_FIELD_H_
