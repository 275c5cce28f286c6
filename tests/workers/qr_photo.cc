#include "tests/workers/qr_photo.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace cdkv::workers {

std::string QrPhotoPng(const std::string& payload) {
  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  writer.setMargin(0);
  writer.setEncoding(ZXing::CharacterSet::UTF8);
  ZXing::BitMatrix bits = writer.encode(payload, 0, 0);
  cv::Mat symbol(bits.height(), bits.width(), CV_8UC1);
  for (int y = 0; y < bits.height(); ++y) {
    for (int x = 0; x < bits.width(); ++x) {
      symbol.at<uint8_t>(y, x) = bits.get(x, y) ? 0 : 255;
    }
  }
  cv::Mat scaled;
  cv::resize(symbol, scaled, {}, kModulePixels, kModulePixels,
             cv::INTER_NEAREST);
  // A white quiet zone on a grey "table", as a card on a desk.
  cv::Mat photo(1000, 1200, CV_8UC3, cv::Scalar(120, 120, 120));
  const int quiet = 4 * kModulePixels;
  cv::rectangle(photo,
                cv::Rect(kQrLeft - quiet, kQrTop - quiet,
                         scaled.cols + 2 * quiet, scaled.rows + 2 * quiet),
                cv::Scalar(255, 255, 255), cv::FILLED);
  cv::Mat colour;
  cv::cvtColor(scaled, colour, cv::COLOR_GRAY2BGR);
  colour.copyTo(photo(cv::Rect(kQrLeft, kQrTop, scaled.cols, scaled.rows)));
  std::vector<uint8_t> png;
  REQUIRE(cv::imencode(".png", photo, png));
  return std::string(png.begin(), png.end());
}

}  // namespace cdkv::workers
