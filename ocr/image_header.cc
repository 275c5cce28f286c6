#include "ocr/image_header.h"

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/byte_reader.h"
#include "ocr/exif_orientation.h"
#include "ocr/string_view_compat.h"

namespace cdkv::ocr {
namespace {

// Names the most common non-photo uploads so the citizen knows what went
// wrong ("I sent the PDF instead of the photo").
std::string_view DescribeNonImage(ByteSpan b) {
  if (b.empty()) return "empty";
  if (HasBytesAt(b, 0, "%PDF")) return "a PDF";
  if (HasBytesAt(b, 0, "GIF8")) return "a GIF";
  if (HasBytesAt(b, 0, "BM")) return "a BMP";
  if (HasBytesAt(b, 0, std::string_view("II*\0", 4)) ||
      HasBytesAt(b, 0, std::string_view("MM\0*", 4))) {
    return "a TIFF";
  }
  if (HasBytesAt(b, 4, "ftypheic") || HasBytesAt(b, 4, "ftypheix") ||
      HasBytesAt(b, 4, "ftypmif1") || HasBytesAt(b, 4, "ftyphevc")) {
    return "a HEIC (iPhone) photo";
  }
  if (HasBytesAt(b, 4, "ftypavif")) return "an AVIF";
  if (HasBytesAt(b, 4, "ftyp")) return "a video";
  if (HasBytesAt(b, 0, "PK\x03\x04")) return "a ZIP or Office document";
  if (HasBytesAt(b, 0, "\xD0\xCF\x11\xE0")) return "an old Office document";
  if (HasBytesAt(b, 0, "<") || HasBytesAt(b, 0, "\xEF\xBB\xBF<")) {
    return "HTML or XML text";
  }
  return "an unknown format";
}

absl::Status Malformed(std::string_view format, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("the ", Absl(format), " header is damaged: ", Absl(what)));
}

absl::Status CheckSides(std::string_view format, uint64_t width,
                        uint64_t height) {
  if (width == 0 || height == 0) {
    return Malformed(format, "it declares a zero width or height");
  }
  if (width > 0x7FFFFFFF || height > 0x7FFFFFFF) {
    return Malformed(format, "it declares an impossible size");
  }
  return absl::OkStatus();
}

bool IsJpegFrameMarker(uint8_t m) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Entropy-coded data escapes 0xFF as FF 00, so FF D9 after the scan header
// can only be the real end-of-image marker. Phones may append trailers after
// it (motion photos), which is fine.
bool HasEndOfImage(ByteSpan b, size_t scan_start) {
  for (size_t i = scan_start; i + 1 < b.size(); ++i) {
    if (b[i] == 0xFF && b[i + 1] == 0xD9) return true;
  }
  return false;
}

absl::StatusOr<ImageHeader> ReadJpegHeader(ByteSpan b) {
  ImageHeader header;
  header.format = ImageFormat::kJpeg;
  std::optional<int> orientation;
  bool have_frame = false;
  size_t pos = 2;  // After SOI.
  while (true) {
    if (pos >= b.size()) {
      return Malformed("JPEG", "it ends before the image data");
    }
    if (b[pos] != 0xFF) return Malformed("JPEG", "a segment marker is missing");
    while (pos < b.size() && b[pos] == 0xFF) ++pos;  // Fill bytes.
    if (pos >= b.size()) return Malformed("JPEG", "it ends inside a marker");
    const uint8_t marker = b[pos++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9) {
      return Malformed("JPEG", "it ends before the image data");
    }
    if (b.size() - pos < 2) {
      return Malformed("JPEG", "a segment length is cut off");
    }
    const uint32_t length = Be16(b, pos);
    if (length < 2 || length > b.size() - pos) {
      return Malformed("JPEG", "a segment runs past the end of the file");
    }
    const ByteSpan body = b.subspan(pos + 2, length - 2);
    if (marker == 0xDA) {
      if (!have_frame) {
        return Malformed("JPEG", "the image data has no frame header");
      }
      header.exif_orientation = orientation.value_or(1);
      header.truncated = !HasEndOfImage(b, pos + length);
      return header;
    }
    if (marker == 0xE1 && !orientation.has_value() &&
        HasBytesAt(body, 0, std::string_view("Exif\0\0", 6))) {
      orientation = ParseExifOrientation(body);
    }
    if (IsJpegFrameMarker(marker)) {
      if (have_frame) return Malformed("JPEG", "it has two frame headers");
      if (body.size() < 6) {
        return Malformed("JPEG", "the frame header is too short");
      }
      const uint32_t height = Be16(body, 1);
      const uint32_t width = Be16(body, 3);
      if (height == 0) {
        return Malformed("JPEG",
                         "the height is deferred to a DNL marker, which is "
                         "not supported");
      }
      if (auto s = CheckSides("JPEG", width, height); !s.ok()) return s;
      header.width = static_cast<int>(width);
      header.height = static_cast<int>(height);
      have_frame = true;
    }
    pos += length;
  }
}

// eXIf must precede the image data, so only chunks before IDAT are read.
int PngOrientation(ByteSpan b) {
  uint64_t pos = 8;
  while (pos + 8 <= b.size()) {
    const uint64_t length = Be32(b, pos);
    const uint64_t data = pos + 8;
    if (HasBytesAt(b, pos + 4, "IDAT") || HasBytesAt(b, pos + 4, "IEND")) {
      break;
    }
    if (data + length > b.size()) break;
    if (HasBytesAt(b, pos + 4, "eXIf")) {
      return OrientationFromTiff(b.subspan(data, length));
    }
    pos = data + length + 4;  // Skip the CRC.
  }
  return 1;
}

absl::StatusOr<ImageHeader> ReadPngHeader(ByteSpan b) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
  if (b.size() < 24) return Malformed("PNG", "it is too short");
  if (Be32(b, 8) != 13 || !HasBytesAt(b, 12, "IHDR")) {
    return Malformed("PNG", "the first chunk is not IHDR");
  }
  const uint32_t width = Be32(b, 16);
  const uint32_t height = Be32(b, 20);
  if (auto s = CheckSides("PNG", width, height); !s.ok()) return s;
  ImageHeader header;
  header.format = ImageFormat::kPng;
  header.width = static_cast<int>(width);
  header.height = static_cast<int>(height);
  header.exif_orientation = PngOrientation(b);
  return header;
}

// RIFF chunks are padded to even sizes.
int WebpOrientation(ByteSpan b) {
  uint64_t pos = 12;
  while (pos + 8 <= b.size()) {
    const uint64_t length = Le32(b, pos + 4);
    const uint64_t data = pos + 8;
    if (data + length > b.size()) break;
    if (HasBytesAt(b, pos, "EXIF")) {
      return ParseExifOrientation(b.subspan(data, length));
    }
    pos = data + length + (length & 1);
  }
  return 1;
}

absl::StatusOr<ImageHeader> ReadWebpHeader(ByteSpan b) {
  // "RIFF" size "WEBP", then the first chunk's FourCC and size at 12..19.
  if (b.size() < 20) return Malformed("WebP", "it is too short");
  const ByteSpan data = b.subspan(20);
  uint32_t width = 0;
  uint32_t height = 0;
  int orientation = 1;
  if (HasBytesAt(b, 12, "VP8 ")) {
    // 3-byte frame tag, start code 9D 01 2A, then 14-bit sizes.
    if (data.size() < 10) {
      return Malformed("WebP", "the VP8 frame is too short");
    }
    if (data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) {
      return Malformed("WebP", "the VP8 start code is missing");
    }
    width = Le16(data, 6) & 0x3FFF;
    height = Le16(data, 8) & 0x3FFF;
  } else if (HasBytesAt(b, 12, "VP8L")) {
    if (data.size() < 5) {
      return Malformed("WebP", "the VP8L header is too short");
    }
    if (data[0] != 0x2F) {
      return Malformed("WebP", "the VP8L signature is missing");
    }
    const uint32_t bits = Le32(data, 1);
    width = (bits & 0x3FFF) + 1;
    height = ((bits >> 14) & 0x3FFF) + 1;
  } else if (HasBytesAt(b, 12, "VP8X")) {
    if (data.size() < 10) {
      return Malformed("WebP", "the VP8X header is too short");
    }
    width = Le24(data, 4) + 1;
    height = Le24(data, 7) + 1;
    constexpr uint8_t kExifFlag = 0x08;
    if (data[0] & kExifFlag) orientation = WebpOrientation(b);
  } else {
    return Malformed("WebP", "the first chunk is not VP8, VP8L or VP8X");
  }
  if (auto s = CheckSides("WebP", width, height); !s.ok()) return s;
  ImageHeader header;
  header.format = ImageFormat::kWebp;
  header.width = static_cast<int>(width);
  header.height = static_cast<int>(height);
  header.exif_orientation = orientation;
  return header;
}

}  // namespace

absl::StatusOr<ImageFormat> SniffImageFormat(ByteSpan bytes) {
  if (HasBytesAt(bytes, 0, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (HasBytesAt(bytes, 0, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (HasBytesAt(bytes, 0, "RIFF") && HasBytesAt(bytes, 8, "WEBP")) {
    return ImageFormat::kWebp;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "not a photo: the bytes look like ", Absl(DescribeNonImage(bytes)),
      "; send a JPEG, PNG or WebP picture"));
}

absl::StatusOr<ImageHeader> ReadImageHeader(ByteSpan bytes) {
  auto format = SniffImageFormat(bytes);
  if (!format.ok()) return format.status();
  switch (*format) {
    case ImageFormat::kJpeg:
      return ReadJpegHeader(bytes);
    case ImageFormat::kPng:
      return ReadPngHeader(bytes);
    case ImageFormat::kWebp:
      return ReadWebpHeader(bytes);
  }
  return absl::InternalError("unreachable image format");
}

}  // namespace cdkv::ocr
