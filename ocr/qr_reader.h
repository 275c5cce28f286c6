// Finds and decodes QR codes in a photo with ZXing-C++ (OpenCV 4.6's own
// QR decoder returns nothing on this platform).
#ifndef CDKV_OCR_QR_READER_H_
#define CDKV_OCR_QR_READER_H_

#include <array>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cdkv::ocr {

struct QrCode {
  std::string text;  // UTF-8; payloads without an ECI are read as UTF-8.
  // Top-left, top-right, bottom-right, bottom-left of the symbol as printed,
  // in image pixel coordinates (so a rotated code has rotated corners).
  std::array<cv::Point, 4> corners;
};

// Every QR code ZXing can read in `image` (8-bit, 1, 3 or 4 channels; colour
// is taken as BGR/BGRA). No code found is an empty vector, not an error.
absl::StatusOr<std::vector<QrCode>> ReadQrCodes(const cv::Mat& image);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_QR_READER_H_
