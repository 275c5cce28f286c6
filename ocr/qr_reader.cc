#include "ocr/qr_reader.h"

#include <ZXing/ReadBarcode.h>

#include <exception>
#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::ocr {

absl::StatusOr<std::vector<QrCode>> ReadQrCodes(const cv::Mat& image) {
  if (image.empty()) return absl::InvalidArgumentError("the image is empty");
  if (image.depth() != CV_8U ||
      (image.channels() != 1 && image.channels() != 3 &&
       image.channels() != 4)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "QR reading needs an 8-bit grey, BGR or BGRA image; got type ",
        cv::typeToString(image.type())));
  }
  cv::Mat gray;
  try {
    if (image.channels() == 1) {
      gray = image;
    } else {
      cv::cvtColor(
          image, gray,
          image.channels() == 3 ? cv::COLOR_BGR2GRAY : cv::COLOR_BGRA2GRAY);
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("colour conversion failed: ", e.what()));
  }
  const ZXing::ImageView view(gray.data, gray.cols, gray.rows,
                              ZXing::ImageFormat::Lum,
                              static_cast<int>(gray.step[0]));
  const auto hints = ZXing::DecodeHints()
                         .setFormats(ZXing::BarcodeFormat::QRCode)
                         .setTryHarder(true)
                         .setTryRotate(true)
                         // ID card payloads carry no ECI and are UTF-8.
                         .setCharacterSet("UTF-8");
  std::vector<QrCode> codes;
  try {
    for (const ZXing::Result& result : ZXing::ReadBarcodes(view, hints)) {
      if (!result.isValid()) continue;
      QrCode code;
      code.text = result.text();
      const ZXing::Position& p = result.position();
      for (int i = 0; i < 4; ++i) code.corners[i] = cv::Point(p[i].x, p[i].y);
      codes.push_back(std::move(code));
    }
  } catch (const std::exception& e) {
    // ZXing reports failures in results, but allocation can still throw.
    return absl::ResourceExhaustedError(
        absl::StrCat("QR decoding failed: ", e.what()));
  }
  return codes;
}

}  // namespace cdkv::ocr
