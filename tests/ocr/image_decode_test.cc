#include "ocr/image_decode.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "tests/ocr/image_test_util.h"

namespace cdkv::ocr {
namespace {

using testing::BrightAt;
using testing::Bytes;
using testing::Encode;
using testing::ExifBody;
using testing::MarkedImage;
using testing::WithApp1;

std::string Message(const absl::StatusOr<DecodedImage>& d) {
  return std::string(d.status().message());
}

cv::Mat Noise(int width, int height) {
  cv::Mat noise(height, width, CV_8UC3);
  cv::randu(noise, 0, 255);
  return noise;
}

TEST_CASE("DecodeImage turns EXIF-rotated JPEGs upright", "[ocr][image]") {
  const Bytes jpeg =
      Encode(MarkedImage(60, 30), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
  for (bool little : {true, false}) {
    INFO((little ? "II" : "MM"));
    auto turned = DecodeImage(WithApp1(jpeg, ExifBody(6, little)));
    REQUIRE(turned.ok());
    CHECK(turned->header.exif_orientation == 6);
    CHECK(turned->image.size() == cv::Size(30, 60));
    CHECK(turned->original_width == 30);
    CHECK(turned->original_height == 60);
    CHECK(BrightAt(turned->image, 26, 3));
    CHECK_FALSE(BrightAt(turned->image, 3, 3));

    auto flipped = DecodeImage(WithApp1(jpeg, ExifBody(3, little)));
    REQUIRE(flipped.ok());
    CHECK(flipped->image.size() == cv::Size(60, 30));
    CHECK(BrightAt(flipped->image, 56, 26));
  }
  SECTION("hostile EXIF decodes as stored") {
    auto decoded = DecodeImage(WithApp1(jpeg, ExifBody(6, true, 0xFFFFFFFF)));
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(60, 30));
    CHECK(BrightAt(decoded->image, 3, 3));
  }
}

TEST_CASE("DecodeImage turns PNG and WebP with EXIF upright", "[ocr][image]") {
  const cv::Mat stored = MarkedImage(60, 30);
  auto png = DecodeImage(testing::WithPngExif(
      Encode(stored, ".png"), testing::TiffOrientation(8, true)));
  REQUIRE(png.ok());
  CHECK(png->image.size() == cv::Size(30, 60));
  CHECK(BrightAt(png->image, 3, 56));

  auto webp = DecodeImage(testing::WithWebpExif(
      Encode(stored, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), 60, 30,
      ExifBody(6, false)));
  REQUIRE(webp.ok());
  CHECK(webp->image.size() == cv::Size(30, 60));
  CHECK(BrightAt(webp->image, 26, 3));
}

TEST_CASE("DecodeImage decodes PNG and WebP", "[ocr][image]") {
  const cv::Mat image = MarkedImage(50, 20);
  for (const char* ext : {".png", ".webp"}) {
    INFO(ext);
    auto decoded = DecodeImage(Encode(image, ext));
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(50, 20));
    CHECK(decoded->image.type() == CV_8UC3);
    CHECK(BrightAt(decoded->image, 2, 2));
  }
  SECTION("grey and 16-bit PNG become 8-bit BGR") {
    cv::Mat grey16(20, 30, CV_16UC1, cv::Scalar(60000));
    auto decoded = DecodeImage(Encode(grey16, ".png"));
    REQUIRE(decoded.ok());
    CHECK(decoded->image.type() == CV_8UC3);
    CHECK(decoded->image.at<cv::Vec3b>(0, 0)[0] > 200);
  }
}

TEST_CASE("DecodeImage scales down on request and reports the original size",
          "[ocr][image]") {
  const Bytes jpeg = Encode(MarkedImage(1600, 1200), ".jpg");
  SECTION("DCT scaling to exactly the limit") {
    auto decoded = DecodeImage(jpeg, {}, 400);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(400, 300));
    CHECK(decoded->original_width == 1600);
    CHECK(decoded->original_height == 1200);
    CHECK(BrightAt(decoded->image, 10, 10));
  }
  SECTION("DCT scaling then resizing") {
    auto decoded = DecodeImage(jpeg, {}, 300);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(300, 225));
  }
  SECTION("beyond 1/8, resizing does the rest") {
    auto decoded = DecodeImage(jpeg, {}, 100);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(100, 75));
  }
  SECTION("rotated image keeps the upright original size") {
    auto decoded = DecodeImage(WithApp1(jpeg, ExifBody(6, true)), {}, 800);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(600, 800));
    CHECK(decoded->original_width == 1200);
    CHECK(decoded->original_height == 1600);
  }
  SECTION("PNG is resized too") {
    auto decoded = DecodeImage(Encode(MarkedImage(800, 200), ".png"), {}, 100);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(100, 25));
  }
  SECTION("a limit above the size changes nothing") {
    auto decoded = DecodeImage(jpeg, {}, 5000);
    REQUIRE(decoded.ok());
    CHECK(decoded->image.size() == cv::Size(1600, 1200));
  }
  SECTION("a negative limit is refused") {
    CHECK_FALSE(DecodeImage(jpeg, {}, -1).ok());
  }
}

TEST_CASE("DecodeImage refuses decompression bombs before decoding",
          "[ocr][image]") {
  SECTION("JPEG declaring 50000×50000") {
    auto decoded = DecodeImage(testing::JpegHeaderOnly(50000, 50000));
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == absl::StatusCode::kResourceExhausted);
    CHECK_THAT(Message(decoded), Catch::Contains("50000×50000"));
  }
  SECTION("JPEG with one side too long") {
    auto decoded = DecodeImage(testing::JpegHeaderOnly(13000, 10));
    REQUIRE_FALSE(decoded.ok());
    CHECK_THAT(Message(decoded), Catch::Contains("12000"));
  }
  SECTION("too many pixels within the side limit") {
    auto decoded = DecodeImage(testing::JpegHeaderOnly(10000, 10000));
    REQUIRE_FALSE(decoded.ok());
    CHECK_THAT(Message(decoded), Catch::Contains("the limit is 50 megapixels"));
  }
  SECTION("PNG declaring 50000×50000") {
    Bytes png = Encode(MarkedImage(10, 10), ".png");
    png[18] = png[22] = 0xC3;
    png[19] = png[23] = 0x50;
    auto decoded = DecodeImage(png);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == absl::StatusCode::kResourceExhausted);
  }
  SECTION("WebP VP8X declaring 16384×16384") {
    Bytes b = testing::FromString(std::string("RIFF\0\0\0\0WEBPVP8X", 16));
    b.insert(b.end(),
             {10, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00});
    auto decoded = DecodeImage(b);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == absl::StatusCode::kResourceExhausted);
  }
  SECTION("byte limit") {
    DecodeLimits limits;
    limits.max_bytes = 100;
    auto decoded = DecodeImage(Encode(MarkedImage(200, 200), ".jpg"), limits);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == absl::StatusCode::kResourceExhausted);
    CHECK_THAT(Message(decoded), Catch::Contains("the limit is 100 bytes"));
  }
  SECTION("custom side limit, at and past the boundary") {
    DecodeLimits limits;
    limits.max_side = 100;
    CHECK_FALSE(DecodeImage(Encode(MarkedImage(101, 10), ".png"), limits).ok());
    CHECK(DecodeImage(Encode(MarkedImage(100, 10), ".png"), limits).ok());
  }
  SECTION("CheckDecodeLimits on its own") {
    ImageHeader header;
    header.width = 7000;
    header.height = 7000;
    CHECK(CheckDecodeLimits(header, 1000, {}).ok());
    header.width = 8000;
    CHECK(CheckDecodeLimits(header, 1000, {}).code() ==
          absl::StatusCode::kResourceExhausted);
  }
}

TEST_CASE("DecodeImage refuses truncated JPEGs", "[ocr][image]") {
  const Bytes jpeg = Encode(Noise(200, 200), ".jpg");
  for (double fraction : {0.5, 0.9, 0.99}) {
    INFO("kept " << fraction);
    const size_t n = static_cast<size_t>(jpeg.size() * fraction);
    auto decoded = DecodeImage(Bytes(jpeg.begin(), jpeg.begin() + n));
    REQUIRE_FALSE(decoded.ok());
    CHECK_THAT(Message(decoded), Catch::Contains("truncated"));
  }
  SECTION("data appended after EOI is tolerated") {
    Bytes trailer = jpeg;
    trailer.insert(trailer.end(), {'M', 'o', 't', 'i', 'o', 'n'});
    CHECK(DecodeImage(trailer).ok());
  }
}

TEST_CASE("DecodeImage refuses truncated PNG and WebP", "[ocr][image]") {
  for (const char* ext : {".png", ".webp"}) {
    INFO(ext);
    const Bytes bytes = Encode(Noise(100, 100), ext);
    CHECK_FALSE(
        DecodeImage(Bytes(bytes.begin(), bytes.begin() + bytes.size() / 2))
            .ok());
  }
}

TEST_CASE("DecodeImage rejects non-photos", "[ocr][image]") {
  auto decoded = DecodeImage(testing::FromString("%PDF-1.4 ..."));
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(decoded), Catch::Contains("PDF"));
  CHECK_FALSE(DecodeImage({}).ok());
}

TEST_CASE("DecodeImage never crashes on corrupted photos", "[ocr][image]") {
  const cv::Mat noise = Noise(64, 64);
  std::mt19937 rng(20261122);
  for (const char* ext : {".jpg", ".png", ".webp"}) {
    const Bytes original = Encode(noise, ext);
    std::uniform_int_distribution<size_t> pos(0, original.size() - 1);
    for (int i = 0; i < 150; ++i) {
      Bytes bytes = original;
      for (int k = 0; k < 4; ++k) bytes[pos(rng)] = static_cast<uint8_t>(rng());
      auto decoded = DecodeImage(bytes);
      if (decoded.ok()) {
        CHECK(decoded->image.type() == CV_8UC3);
        CHECK_FALSE(decoded->image.empty());
      } else {
        CHECK_FALSE(decoded.status().message().empty());
      }
    }
  }
}

}  // namespace
}  // namespace cdkv::ocr
