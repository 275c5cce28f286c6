#include "ocr/exif_orientation.h"

#include "ocr/byte_reader.h"

namespace cdkv::ocr {

int OrientationFromTiff(ByteSpan tiff) {
  if (tiff.size() < 8) return 1;
  bool little;
  if (HasBytesAt(tiff, 0, "II")) {
    little = true;
  } else if (HasBytesAt(tiff, 0, "MM")) {
    little = false;
  } else {
    return 1;
  }
  auto u16 = [&](size_t at) {
    return little ? Le16(tiff, at) : Be16(tiff, at);
  };
  auto u32 = [&](size_t at) {
    return little ? Le32(tiff, at) : Be32(tiff, at);
  };
  if (u16(2) != 42) return 1;
  // 64-bit arithmetic: hostile 32-bit offsets must not wrap around.
  const uint64_t ifd = u32(4);
  if (ifd + 2 > tiff.size()) return 1;
  const uint64_t count = u16(ifd);
  constexpr uint64_t kEntrySize = 12;
  constexpr uint32_t kOrientationTag = 0x0112;
  constexpr uint32_t kTypeShort = 3;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t entry = ifd + 2 + i * kEntrySize;
    if (entry + kEntrySize > tiff.size()) return 1;
    if (u16(entry) != kOrientationTag) continue;
    if (u16(entry + 2) != kTypeShort || u32(entry + 4) != 1) return 1;
    const uint32_t value = u16(entry + 8);
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

int ParseExifOrientation(ByteSpan exif) {
  constexpr std::string_view kExifPrefix("Exif\0\0", 6);
  if (HasBytesAt(exif, 0, kExifPrefix)) {
    return OrientationFromTiff(exif.subspan(kExifPrefix.size()));
  }
  return OrientationFromTiff(exif);
}

cv::Mat ApplyExifOrientation(const cv::Mat& image, int orientation) {
  if (image.empty()) return image;  // cv::flip and cv::rotate throw on it.
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(image, out, 1);
      return out;
    case 3:
      cv::rotate(image, out, cv::ROTATE_180);
      return out;
    case 4:
      cv::flip(image, out, 0);
      return out;
    case 5:
      cv::transpose(image, out);
      return out;
    case 6:
      cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
      return out;
    case 7:
      cv::transpose(image, out);
      cv::flip(out, out, -1);
      return out;
    case 8:
      cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      return out;
    default:
      return image;
  }
}

}  // namespace cdkv::ocr
