#include "ocr/qr_reader.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace cdkv::ocr {
namespace {

constexpr char kPayload[] =
    "087090001234|123456789|Nguyễn Văn An|01021990|Nam|"
    "Ấp 1, Xã Bình Thành, Huyện Lấp Vò, Đồng Tháp|15062021";
constexpr int kModulePixels = 6;

enum class Eci { kUtf8, kNone };

// A QR symbol, black on white, `kModulePixels` per module, no quiet zone.
// Chip ID cards store UTF-8 bytes with no ECI header; Eci::kNone reproduces
// that by handing the writer each UTF-8 byte as a Latin-1 character (the QR
// default, which needs no ECI).
cv::Mat QrSymbol(const std::string& text, Eci eci = Eci::kUtf8) {
  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  writer.setMargin(0);
  ZXing::BitMatrix bits;
  if (eci == Eci::kUtf8) {
    writer.setEncoding(ZXing::CharacterSet::UTF8);
    bits = writer.encode(text, 0, 0);
  } else {
    std::wstring bytes;
    for (char c : text) bytes.push_back(static_cast<unsigned char>(c));
    bits = writer.encode(bytes, 0, 0);
  }
  cv::Mat symbol(bits.height(), bits.width(), CV_8UC1);
  for (int y = 0; y < bits.height(); ++y) {
    for (int x = 0; x < bits.width(); ++x) {
      symbol.at<uint8_t>(y, x) = bits.get(x, y) ? 0 : 255;
    }
  }
  cv::Mat scaled;
  cv::resize(symbol, scaled, {}, kModulePixels, kModulePixels,
             cv::INTER_NEAREST);
  return scaled;
}

// A grey "photo" with the symbol pasted at `at`.
cv::Mat Photo(const cv::Mat& symbol, cv::Point at, cv::Size size = {800, 600}) {
  cv::Mat photo(size, CV_8UC3, cv::Scalar(200, 200, 200));
  cv::Mat bgr;
  cv::cvtColor(symbol, bgr, cv::COLOR_GRAY2BGR);
  cv::Mat white(symbol.rows + 40, symbol.cols + 40, CV_8UC3,
                cv::Scalar(255, 255, 255));
  white.copyTo(photo(cv::Rect(at.x - 20, at.y - 20, white.cols, white.rows)));
  bgr.copyTo(photo(cv::Rect(at, symbol.size())));
  return photo;
}

double Distance(cv::Point a, cv::Point2f b) {
  return cv::norm(cv::Point2f(a) - b);
}

std::vector<QrCode> Read(const cv::Mat& image) {
  auto codes = ReadQrCodes(image);
  REQUIRE(codes.ok());
  return *std::move(codes);
}

TEST_CASE("ReadQrCodes reads a Vietnamese UTF-8 payload and its corners",
          "[ocr][qr]") {
  const cv::Mat symbol = QrSymbol(kPayload);
  const cv::Point at(150, 100);
  const auto codes = Read(Photo(symbol, at));
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == kPayload);
  const float w = static_cast<float>(symbol.cols);
  const std::vector<cv::Point2f> expected = {{150.f, 100.f},
                                             {150.f + w, 100.f},
                                             {150.f + w, 100.f + w},
                                             {150.f, 100.f + w}};
  for (int i = 0; i < 4; ++i) {
    INFO("corner " << i << " at " << codes[0].corners[i]);
    CHECK(Distance(codes[0].corners[i], expected[i]) < 2.0 * kModulePixels);
  }
}

TEST_CASE("ReadQrCodes reads UTF-8 without an ECI header, as on cards",
          "[ocr][qr]") {
  const auto codes = Read(Photo(QrSymbol(kPayload, Eci::kNone), {100, 100}));
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == kPayload);
}

TEST_CASE("ReadQrCodes accepts grey, BGR and BGRA", "[ocr][qr]") {
  const cv::Mat photo = Photo(QrSymbol("hello"), {60, 60}, {400, 300});
  cv::Mat gray, bgra;
  cv::cvtColor(photo, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(photo, bgra, cv::COLOR_BGR2BGRA);
  for (const cv::Mat& image : {photo, gray, bgra}) {
    const auto codes = Read(image);
    REQUIRE(codes.size() == 1);
    CHECK(codes[0].text == "hello");
  }
  // A region of interest (non-contiguous rows) is read in place.
  const auto roi = Read(gray(cv::Rect(20, 20, 300, 250)));
  REQUIRE(roi.size() == 1);
  CHECK(roi[0].corners[0].x < 60);
}

TEST_CASE("ReadQrCodes reads a rotated code and reports rotated corners",
          "[ocr][qr]") {
  const cv::Mat photo = Photo(QrSymbol(kPayload), {250, 150});
  const cv::Point2f center(400, 300);
  const cv::Mat rotation = cv::getRotationMatrix2D(center, 30, 1.0);
  cv::Mat rotated;
  cv::warpAffine(photo, rotated, rotation, photo.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(200, 200, 200));
  const auto codes = Read(rotated);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == kPayload);
  // The symbol's printed top-left corner followed the rotation.
  const cv::Point2f tl(
      rotation.at<double>(0, 0) * 250 + rotation.at<double>(0, 1) * 150 +
          rotation.at<double>(0, 2),
      rotation.at<double>(1, 0) * 250 + rotation.at<double>(1, 1) * 150 +
          rotation.at<double>(1, 2));
  CHECK(Distance(codes[0].corners[0], tl) < 3.0 * kModulePixels);
}

TEST_CASE("ReadQrCodes reads upside-down codes", "[ocr][qr]") {
  cv::Mat photo = Photo(QrSymbol("upside down"), {100, 100}, {500, 400});
  cv::rotate(photo, photo, cv::ROTATE_180);
  const auto codes = Read(photo);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == "upside down");
  // The printed top-left is now toward the bottom right of the photo.
  CHECK(codes[0].corners[0].x > codes[0].corners[2].x);
  CHECK(codes[0].corners[0].y > codes[0].corners[2].y);
}

TEST_CASE("ReadQrCodes reads a perspective-warped code", "[ocr][qr]") {
  const cv::Mat photo = Photo(QrSymbol(kPayload), {200, 100});
  const std::vector<cv::Point2f> from = {
      {0, 0}, {800, 0}, {800, 600}, {0, 600}};
  const std::vector<cv::Point2f> to = {
      {60, 40}, {760, 0}, {800, 600}, {0, 520}};
  cv::Mat warped;
  cv::warpPerspective(photo, warped, cv::getPerspectiveTransform(from, to),
                      photo.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      cv::Scalar(200, 200, 200));
  const auto codes = Read(warped);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == kPayload);
}

TEST_CASE("ReadQrCodes reads a blurred, JPEG-compressed code", "[ocr][qr]") {
  cv::Mat photo = Photo(QrSymbol(kPayload), {200, 100});
  cv::GaussianBlur(photo, photo, {5, 5}, 1.5);
  std::vector<uint8_t> jpeg;
  REQUIRE(cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, 30}));
  const cv::Mat decoded = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  const auto codes = Read(decoded);
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].text == kPayload);
}

TEST_CASE("ReadQrCodes finds two codes in one photo", "[ocr][qr]") {
  cv::Mat photo = Photo(QrSymbol("first"), {40, 40}, {700, 300});
  cv::Mat second = Photo(QrSymbol("second"), {400, 60}, {700, 300});
  second(cv::Rect(350, 0, 350, 300)).copyTo(photo(cv::Rect(350, 0, 350, 300)));
  const auto codes = Read(photo);
  std::vector<std::string> texts;
  for (const QrCode& code : codes) texts.push_back(code.text);
  std::sort(texts.begin(), texts.end());
  CHECK(texts == std::vector<std::string>{"first", "second"});
}

TEST_CASE("ReadQrCodes finds nothing in a blank or noisy photo", "[ocr][qr]") {
  CHECK(Read(cv::Mat(600, 800, CV_8UC3, cv::Scalar(255, 255, 255))).empty());
  cv::Mat noise(300, 300, CV_8UC1);
  cv::randu(noise, 0, 255);
  CHECK(Read(noise).empty());
  CHECK(Read(cv::Mat(1, 1, CV_8UC1, cv::Scalar(0))).empty());
}

TEST_CASE("ReadQrCodes rejects images it cannot read", "[ocr][qr]") {
  CHECK_FALSE(ReadQrCodes(cv::Mat()).ok());
  CHECK_FALSE(ReadQrCodes(cv::Mat(10, 10, CV_16UC1, cv::Scalar(0))).ok());
  CHECK_FALSE(ReadQrCodes(cv::Mat(10, 10, CV_32FC3, cv::Scalar(0))).ok());
  CHECK_FALSE(ReadQrCodes(cv::Mat(10, 10, CV_8UC2, cv::Scalar(0))).ok());
}

}  // namespace
}  // namespace cdkv::ocr
