#include "ocr/exif_orientation.h"

#include <catch2/catch.hpp>

#include "tests/ocr/image_test_util.h"

namespace cdkv::ocr {
namespace {

using testing::Bytes;
using testing::ExifBody;
using testing::TiffOrientation;

TEST_CASE("ParseExifOrientation reads both byte orders", "[ocr][exif]") {
  for (uint16_t o = 1; o <= 8; ++o) {
    CHECK(ParseExifOrientation(ExifBody(o, true)) == o);
    CHECK(ParseExifOrientation(ExifBody(o, false)) == o);
    // Without the "Exif\0\0" prefix, as some WebP writers store it.
    CHECK(ParseExifOrientation(TiffOrientation(o, true)) == o);
    CHECK(OrientationFromTiff(TiffOrientation(o, false)) == o);
  }
}

TEST_CASE("ParseExifOrientation survives hostile EXIF", "[ocr][exif]") {
  CHECK(ParseExifOrientation(ExifBody(9, true)) == 1);
  CHECK(ParseExifOrientation(ExifBody(0, false)) == 1);
  CHECK(ParseExifOrientation(ExifBody(6, true, 0xFFFFFFFF)) == 1);
  CHECK(ParseExifOrientation(ExifBody(6, false, 0xFFFFFFF0)) == 1);
  // A huge entry count is fine while the Orientation entry comes first...
  CHECK(ParseExifOrientation(ExifBody(6, true, 8, 0xFFFF)) == 6);
  // ...and stops at the end of the block otherwise.
  CHECK(ParseExifOrientation(ExifBody(6, true, 20, 0xFFFF)) == 1);
  CHECK(ParseExifOrientation(ExifBody(6, true, 8, 1, 4)) == 1);  // LONG.
  Bytes body = ExifBody(6, true);
  body[6] = 'X';  // Not a byte-order mark.
  CHECK(ParseExifOrientation(body) == 1);
  body = ExifBody(6, false);
  body[9] = 43;  // Not TIFF magic 42.
  CHECK(ParseExifOrientation(body) == 1);
  // Every truncation of a valid block is either read fully or ignored.
  const Bytes full = ExifBody(6, false);
  for (size_t n = 0; n < full.size(); ++n) {
    const int o = ParseExifOrientation(std::span(full.data(), n));
    CHECK((o == 1 || o == 6));
  }
  CHECK(ParseExifOrientation({}) == 1);
}

TEST_CASE("ApplyExifOrientation turns each orientation upright",
          "[ocr][exif]") {
  const cv::Mat stored = testing::MarkedImage(60, 30);
  struct Case {
    int orientation;
    cv::Size size;
    cv::Point bright;  // Where the stored top-left block must land.
    cv::Point dark;
  };
  const std::vector<Case> cases = {
      {1, {60, 30}, {3, 3}, {56, 26}}, {2, {60, 30}, {56, 3}, {3, 3}},
      {3, {60, 30}, {56, 26}, {3, 3}}, {4, {60, 30}, {3, 26}, {3, 3}},
      {5, {30, 60}, {3, 3}, {26, 56}}, {6, {30, 60}, {26, 3}, {3, 3}},
      {7, {30, 60}, {26, 56}, {3, 3}}, {8, {30, 60}, {3, 56}, {3, 3}},
      {0, {60, 30}, {3, 3}, {56, 26}}, {9, {60, 30}, {3, 3}, {56, 26}},
  };
  for (const Case& c : cases) {
    INFO("orientation " << c.orientation);
    const cv::Mat upright = ApplyExifOrientation(stored, c.orientation);
    CHECK(upright.size() == c.size);
    CHECK(testing::BrightAt(upright, c.bright.x, c.bright.y));
    CHECK_FALSE(testing::BrightAt(upright, c.dark.x, c.dark.y));
  }
  CHECK(ApplyExifOrientation(cv::Mat(), 6).empty());
}

}  // namespace
}  // namespace cdkv::ocr
