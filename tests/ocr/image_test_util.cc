#include "tests/ocr/image_test_util.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace cdkv::ocr::testing {
namespace {

uint32_t Crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFF;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

void PutFourCc(Bytes& b, std::string_view fourcc) {
  b.insert(b.end(), fourcc.begin(), fourcc.end());
}

}  // namespace

Bytes Encode(const cv::Mat& image, const std::string& ext,
             const std::vector<int>& params) {
  Bytes out;
  REQUIRE(cv::imencode(ext, image, out, params));
  return out;
}

Bytes FromString(std::string_view s) { return Bytes(s.begin(), s.end()); }

cv::Mat MarkedImage(int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::rectangle(image, cv::Rect(0, 0, width / 3, height / 3),
                cv::Scalar(255, 255, 255), cv::FILLED);
  return image;
}

bool BrightAt(const cv::Mat& image, int x, int y) {
  return image.at<cv::Vec3b>(y, x)[1] > 128;
}

void Put16(Bytes& b, uint32_t v, bool little) {
  const uint8_t lo = v & 0xFF;
  const uint8_t hi = (v >> 8) & 0xFF;
  b.push_back(little ? lo : hi);
  b.push_back(little ? hi : lo);
}

void Put32(Bytes& b, uint32_t v, bool little) {
  Put16(b, little ? v & 0xFFFF : v >> 16, little);
  Put16(b, little ? v >> 16 : v & 0xFFFF, little);
}

Bytes TiffOrientation(uint16_t orientation, bool little, uint32_t ifd_offset,
                      uint16_t entry_count, uint16_t type) {
  Bytes b;
  b.push_back(little ? 'I' : 'M');
  b.push_back(little ? 'I' : 'M');
  Put16(b, 42, little);
  Put32(b, ifd_offset, little);
  Put16(b, entry_count, little);
  Put16(b, 0x0112, little);
  Put16(b, type, little);
  Put32(b, 1, little);
  Put16(b, orientation, little);
  Put16(b, 0, little);
  Put32(b, 0, little);  // No next IFD.
  return b;
}

Bytes ExifBody(uint16_t orientation, bool little, uint32_t ifd_offset,
               uint16_t entry_count, uint16_t type) {
  Bytes b = FromString(std::string_view("Exif\0\0", 6));
  const Bytes tiff =
      TiffOrientation(orientation, little, ifd_offset, entry_count, type);
  b.insert(b.end(), tiff.begin(), tiff.end());
  return b;
}

Bytes WithApp1(const Bytes& jpeg, const Bytes& body) {
  Bytes out(jpeg.begin(), jpeg.begin() + 2);  // SOI.
  out.push_back(0xFF);
  out.push_back(0xE1);
  Put16(out, static_cast<uint32_t>(body.size() + 2), false);
  out.insert(out.end(), body.begin(), body.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

Bytes JpegHeaderOnly(uint16_t width, uint16_t height) {
  Bytes b = {0xFF, 0xD8, 0xFF, 0xC0};
  Put16(b, 17, false);
  b.push_back(8);
  Put16(b, height, false);
  Put16(b, width, false);
  b.push_back(3);
  for (uint8_t c = 1; c <= 3; ++c) b.insert(b.end(), {c, 0x11, 0});
  b.insert(b.end(),
           {0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00});
  b.insert(b.end(), {0x00, 0xFF, 0xD9});
  return b;
}

Bytes WithPngExif(const Bytes& png, const Bytes& tiff) {
  constexpr size_t kAfterIhdr = 8 + 12 + 13;
  Bytes out(png.begin(), png.begin() + kAfterIhdr);
  Put32(out, static_cast<uint32_t>(tiff.size()), false);
  const size_t type_at = out.size();
  PutFourCc(out, "eXIf");
  out.insert(out.end(), tiff.begin(), tiff.end());
  Put32(out, Crc32(out.data() + type_at, out.size() - type_at), false);
  out.insert(out.end(), png.begin() + kAfterIhdr, png.end());
  return out;
}

Bytes WithWebpExif(const Bytes& webp, int width, int height,
                   const Bytes& exif) {
  Bytes chunks;
  PutFourCc(chunks, "VP8X");
  Put32(chunks, 10, true);
  chunks.insert(chunks.end(), {0x08, 0, 0, 0});  // EXIF flag.
  const uint32_t w = width - 1;
  const uint32_t h = height - 1;
  chunks.insert(chunks.end(), {uint8_t(w), uint8_t(w >> 8), uint8_t(w >> 16)});
  chunks.insert(chunks.end(), {uint8_t(h), uint8_t(h >> 8), uint8_t(h >> 16)});
  chunks.insert(chunks.end(), webp.begin() + 12, webp.end());
  PutFourCc(chunks, "EXIF");
  Put32(chunks, static_cast<uint32_t>(exif.size()), true);
  chunks.insert(chunks.end(), exif.begin(), exif.end());
  if (exif.size() % 2 == 1) chunks.push_back(0);
  Bytes out = FromString("RIFF");
  Put32(out, static_cast<uint32_t>(chunks.size() + 4), true);
  PutFourCc(out, "WEBP");
  out.insert(out.end(), chunks.begin(), chunks.end());
  return out;
}

}  // namespace cdkv::ocr::testing
