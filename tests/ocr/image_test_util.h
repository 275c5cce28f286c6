// Builders for photo bytes used by the image tests: real encodes from OpenCV,
// and hand-made headers and EXIF blocks for hostile cases.
#ifndef CDKV_TESTS_OCR_IMAGE_TEST_UTIL_H_
#define CDKV_TESTS_OCR_IMAGE_TEST_UTIL_H_

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cdkv::ocr::testing {

using Bytes = std::vector<uint8_t>;

Bytes Encode(const cv::Mat& image, const std::string& ext,
             const std::vector<int>& params = {});

Bytes FromString(std::string_view s);

// A black image with a white block in its top-left third, so that where the
// block ends up tells which way the image was turned.
cv::Mat MarkedImage(int width, int height);

bool BrightAt(const cv::Mat& image, int x, int y);

void Put16(Bytes& b, uint32_t v, bool little);
void Put32(Bytes& b, uint32_t v, bool little);

// A TIFF block whose IFD0 holds one entry (Orientation, by default).
Bytes TiffOrientation(uint16_t orientation, bool little,
                      uint32_t ifd_offset = 8, uint16_t entry_count = 1,
                      uint16_t type = 3);

// "Exif\0\0" followed by TiffOrientation(...).
Bytes ExifBody(uint16_t orientation, bool little, uint32_t ifd_offset = 8,
               uint16_t entry_count = 1, uint16_t type = 3);

// `jpeg` with an APP1 segment holding `body` right after SOI.
Bytes WithApp1(const Bytes& jpeg, const Bytes& body);

// Just enough JPEG to declare a frame size: SOI, SOF0, SOS, one byte, EOI.
Bytes JpegHeaderOnly(uint16_t width, uint16_t height);

// `png` with an eXIf chunk (correct CRC) right after IHDR.
Bytes WithPngExif(const Bytes& png, const Bytes& tiff);

// A simple (VP8 or VP8L) WebP rewrapped as extended (VP8X) with an EXIF
// chunk after the image data.
Bytes WithWebpExif(const Bytes& webp, int width, int height, const Bytes& exif);

}  // namespace cdkv::ocr::testing

#endif  // CDKV_TESTS_OCR_IMAGE_TEST_UTIL_H_
