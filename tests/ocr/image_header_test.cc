#include "ocr/image_header.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/ocr/image_test_util.h"

namespace cdkv::ocr {
namespace {

using testing::Bytes;
using testing::Encode;
using testing::FromString;
using testing::MarkedImage;

std::string Message(const absl::StatusOr<ImageHeader>& h) {
  return std::string(h.status().message());
}

TEST_CASE("SniffImageFormat accepts JPEG, PNG and WebP", "[ocr][image]") {
  const cv::Mat image = MarkedImage(32, 16);
  CHECK(*SniffImageFormat(Encode(image, ".jpg")) == ImageFormat::kJpeg);
  CHECK(*SniffImageFormat(Encode(image, ".png")) == ImageFormat::kPng);
  CHECK(*SniffImageFormat(Encode(image, ".webp")) == ImageFormat::kWebp);
}

TEST_CASE("SniffImageFormat names what a non-photo looks like",
          "[ocr][image]") {
  struct Case {
    std::string bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"%PDF-1.7\n", "a PDF"},
      {"GIF89a....", "a GIF"},
      {"BM\x36\0\0\0", "a BMP"},
      {std::string("II*\0\x08\0\0\0", 8), "a TIFF"},
      {std::string("\0\0\0\x18"
                   "ftypheic\0\0\0\0",
                   16),
       "HEIC"},
      {std::string("\0\0\0\x18"
                   "ftypisom",
                   12),
       "a video"},
      {"PK\x03\x04rest", "ZIP"},
      {"<!DOCTYPE html>", "HTML"},
      {"", "empty"},
      {"hello world", "unknown"},
      {std::string("RIFF\x10\0\0\0WAVEfmt ", 16), "unknown"},
      {"\xFF\xD8", "unknown"},  // Too short to be a JPEG.
  };
  for (const Case& c : cases) {
    auto format = SniffImageFormat(FromString(c.bytes));
    REQUIRE_FALSE(format.ok());
    CHECK(format.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(format.status().message()),
               Catch::Contains("not a photo") && Catch::Contains(c.expected));
  }
}

TEST_CASE("ReadImageHeader reads sizes without decoding", "[ocr][image]") {
  const cv::Mat image = MarkedImage(123, 45);
  SECTION("baseline JPEG") {
    auto h = ReadImageHeader(Encode(image, ".jpg"));
    REQUIRE(h.ok());
    CHECK(h->format == ImageFormat::kJpeg);
    CHECK((h->width == 123 && h->height == 45));
    CHECK(h->exif_orientation == 1);
    CHECK_FALSE(h->truncated);
  }
  SECTION("progressive JPEG") {
    auto h = ReadImageHeader(
        Encode(image, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
    REQUIRE(h.ok());
    CHECK((h->width == 123 && h->height == 45));
    CHECK_FALSE(h->truncated);
  }
  SECTION("JPEG with EXIF orientation") {
    auto h = ReadImageHeader(
        testing::WithApp1(Encode(image, ".jpg"), testing::ExifBody(8, false)));
    REQUIRE(h.ok());
    CHECK(h->exif_orientation == 8);
  }
  SECTION("PNG") {
    auto h = ReadImageHeader(Encode(image, ".png"));
    REQUIRE(h.ok());
    CHECK(h->format == ImageFormat::kPng);
    CHECK((h->width == 123 && h->height == 45));
    CHECK(h->exif_orientation == 1);
  }
  SECTION("PNG with eXIf") {
    auto h = ReadImageHeader(testing::WithPngExif(
        Encode(image, ".png"), testing::TiffOrientation(6, false)));
    REQUIRE(h.ok());
    CHECK((h->width == 123 && h->height == 45));
    CHECK(h->exif_orientation == 6);
  }
  SECTION("lossy WebP (VP8)") {
    const Bytes webp = Encode(image, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80});
    CHECK(std::string(webp.begin() + 12, webp.begin() + 16) == "VP8 ");
    auto h = ReadImageHeader(webp);
    REQUIRE(h.ok());
    CHECK((h->width == 123 && h->height == 45));
  }
  SECTION("lossless WebP (VP8L)") {
    const Bytes webp = Encode(image, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101});
    CHECK(std::string(webp.begin() + 12, webp.begin() + 16) == "VP8L");
    auto h = ReadImageHeader(webp);
    REQUIRE(h.ok());
    CHECK((h->width == 123 && h->height == 45));
  }
  SECTION("extended WebP (VP8X) with EXIF") {
    auto h = ReadImageHeader(testing::WithWebpExif(
        Encode(image, ".webp"), 123, 45, testing::ExifBody(3, true)));
    REQUIRE(h.ok());
    CHECK((h->width == 123 && h->height == 45));
    CHECK(h->exif_orientation == 3);
  }
}

TEST_CASE("ReadImageHeader flags a JPEG with no end marker", "[ocr][image]") {
  const Bytes jpeg = Encode(MarkedImage(200, 200), ".jpg");
  auto h = ReadImageHeader(Bytes(jpeg.begin(), jpeg.end() - 2));
  REQUIRE(h.ok());
  CHECK(h->truncated);
}

TEST_CASE("ReadImageHeader rejects malformed headers", "[ocr][image]") {
  const Bytes jpeg = Encode(MarkedImage(40, 40), ".jpg");
  SECTION("JPEG cut inside the headers") {
    for (size_t n : {3, 4, 5, 6, 20, 100}) {
      CHECK_FALSE(ReadImageHeader(Bytes(jpeg.begin(), jpeg.begin() + n)).ok());
    }
  }
  SECTION("JPEG segment length beyond the end") {
    const Bytes b = {0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00};
    CHECK_THAT(Message(ReadImageHeader(b)), Catch::Contains("past the end"));
  }
  SECTION("JPEG segment length below 2") {
    const Bytes b = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0x00, 0x00};
    CHECK_FALSE(ReadImageHeader(b).ok());
  }
  SECTION("JPEG garbage where a marker belongs") {
    const Bytes b = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12, 0x34};
    CHECK_THAT(Message(ReadImageHeader(b)), Catch::Contains("marker"));
  }
  SECTION("JPEG of nothing but fill bytes") {
    Bytes b = {0xFF, 0xD8};
    b.resize(10000, 0xFF);
    CHECK_FALSE(ReadImageHeader(b).ok());
  }
  SECTION("JPEG scan before any frame header") {
    const Bytes b = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9};
    CHECK_THAT(Message(ReadImageHeader(b)), Catch::Contains("no frame header"));
  }
  SECTION("JPEG ending right after SOI") {
    const Bytes b = {0xFF, 0xD8, 0xFF, 0xD9};
    CHECK_FALSE(ReadImageHeader(b).ok());
  }
  SECTION("JPEG with two frame headers") {
    Bytes b = testing::JpegHeaderOnly(10, 10);
    const Bytes sof(b.begin() + 2, b.begin() + 2 + 19);
    b.insert(b.begin() + 2, sof.begin(), sof.end());
    CHECK_THAT(Message(ReadImageHeader(b)), Catch::Contains("two frame"));
  }
  SECTION("JPEG with zero width") {
    CHECK_FALSE(ReadImageHeader(testing::JpegHeaderOnly(0, 10)).ok());
  }
  SECTION("JPEG with height deferred to DNL") {
    CHECK_THAT(Message(ReadImageHeader(testing::JpegHeaderOnly(10, 0))),
               Catch::Contains("DNL"));
  }
  SECTION("PNG too short or without IHDR") {
    Bytes png = Encode(MarkedImage(10, 10), ".png");
    CHECK_FALSE(ReadImageHeader(Bytes(png.begin(), png.begin() + 20)).ok());
    png[12] = 'X';
    CHECK_FALSE(ReadImageHeader(png).ok());
  }
  SECTION("PNG with impossible size") {
    Bytes png = Encode(MarkedImage(10, 10), ".png");
    png[16] = 0x80;  // Width >= 2^31.
    CHECK_FALSE(ReadImageHeader(png).ok());
    png[16] = 0;
    png[17] = png[18] = png[19] = 0;  // Width 0.
    CHECK_FALSE(ReadImageHeader(png).ok());
  }
  SECTION("PNG eXIf chunk with a hostile length") {
    Bytes png = testing::WithPngExif(Encode(MarkedImage(10, 10), ".png"),
                                     testing::TiffOrientation(6, true));
    png[33] = png[34] = png[35] = png[36] = 0xFF;  // eXIf length.
    auto h = ReadImageHeader(png);
    REQUIRE(h.ok());
    CHECK(h->exif_orientation == 1);
  }
  SECTION("WebP with unknown first chunk or short VP8") {
    CHECK_FALSE(ReadImageHeader(FromString(std::string(
                                    "RIFF\x20\0\0\0WEBPJUNK\0\0\0\0", 20)))
                    .ok());
    CHECK_FALSE(
        ReadImageHeader(
            FromString(std::string("RIFF\x20\0\0\0WEBPVP8 \0\0\0\0\0\0\0", 23)))
            .ok());
    CHECK_FALSE(
        ReadImageHeader(FromString(std::string("RIFF\x20\0\0\0WEBP", 12)))
            .ok());
  }
  SECTION("WebP VP8 without its start code") {
    Bytes webp =
        Encode(MarkedImage(10, 10), ".webp", {cv::IMWRITE_WEBP_QUALITY, 50});
    webp[23] = 0;
    CHECK_THAT(Message(ReadImageHeader(webp)), Catch::Contains("start code"));
  }
  SECTION("WebP EXIF chunk with a hostile length") {
    Bytes webp = testing::WithWebpExif(Encode(MarkedImage(10, 10), ".webp"), 10,
                                       10, testing::ExifBody(6, true));
    const size_t exif_at = webp.size() - testing::ExifBody(6, true).size() - 4;
    webp[exif_at] = webp[exif_at + 1] = webp[exif_at + 2] = webp[exif_at + 3] =
        0xFF;
    auto h = ReadImageHeader(webp);
    REQUIRE(h.ok());
    CHECK(h->exif_orientation == 1);
  }
}

}  // namespace
}  // namespace cdkv::ocr
