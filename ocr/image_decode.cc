#include "ocr/image_decode.h"

#include <algorithm>
#include <climits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "ocr/exif_orientation.h"

namespace cdkv::ocr {
namespace {

int ReducedDecodeFlag(int denominator) {
  switch (denominator) {
    case 2:
      return cv::IMREAD_REDUCED_COLOR_2;
    case 4:
      return cv::IMREAD_REDUCED_COLOR_4;
    case 8:
      return cv::IMREAD_REDUCED_COLOR_8;
    default:
      return cv::IMREAD_COLOR;
  }
}

// The largest JPEG DCT scale-down that still leaves at least `max_long_side`
// pixels, so the final resize only ever shrinks.
int JpegDenominator(int long_side, int max_long_side) {
  int denominator = 1;
  while (denominator < 8 && long_side / (denominator * 2) >= max_long_side) {
    denominator *= 2;
  }
  return denominator;
}

absl::StatusOr<cv::Mat> Decode(std::span<const uint8_t> bytes, int flags) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::ResourceExhaustedError("the photo is larger than 2 GB");
  }
  try {
    // imdecode only reads the buffer; cv::Mat has no const constructor.
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                         const_cast<uint8_t*>(bytes.data()));
    cv::Mat decoded = cv::imdecode(buffer, flags);
    if (decoded.empty()) {
      return absl::InvalidArgumentError(
          "the image could not be decoded; the file is damaged or "
          "incomplete");
    }
    return decoded;
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("the image could not be decoded: ", e.what()));
  }
}

}  // namespace

absl::Status CheckDecodeLimits(const ImageHeader& header, size_t byte_count,
                               const DecodeLimits& limits) {
  if (byte_count > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the photo is ", byte_count, " bytes; the limit is ",
                     limits.max_bytes, " bytes. Send a smaller photo"));
  }
  if (header.width > limits.max_side || header.height > limits.max_side) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the image is ", header.width, "×", header.height,
        " pixels; no side may exceed ", limits.max_side, " pixels"));
  }
  const int64_t pixels = int64_t{header.width} * header.height;
  if (pixels > limits.max_pixels) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the image is ", header.width, "×", header.height,
                     " pixels; the limit is ", limits.max_pixels / 1'000'000.0,
                     " megapixels"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DecodedImage> DecodeImage(std::span<const uint8_t> bytes,
                                         const DecodeLimits& limits,
                                         int max_long_side) {
  if (max_long_side < 0) {
    return absl::InvalidArgumentError("max_long_side must be 0 or positive");
  }
  // Refuse oversize uploads before even parsing their headers.
  if (bytes.size() > limits.max_bytes) {
    return CheckDecodeLimits(ImageHeader{}, bytes.size(), limits);
  }
  auto header = ReadImageHeader(bytes);
  if (!header.ok()) return header.status();
  if (header->truncated) {
    return absl::InvalidArgumentError(
        "the JPEG is truncated (no end-of-image marker); the upload was "
        "probably cut off, send the photo again");
  }
  if (auto s = CheckDecodeLimits(*header, bytes.size(), limits); !s.ok()) {
    return s;
  }

  const int long_side = std::max(header->width, header->height);
  const int denominator =
      max_long_side > 0 && header->format == ImageFormat::kJpeg
          ? JpegDenominator(long_side, max_long_side)
          : 1;
  // Orientation is applied here, from our own bounds-checked parse.
  auto decoded = Decode(
      bytes, ReducedDecodeFlag(denominator) | cv::IMREAD_IGNORE_ORIENTATION);
  if (!decoded.ok()) return decoded.status();
  DecodedImage result;
  try {
    cv::Mat image = *std::move(decoded);
    const int decoded_long_side = std::max(image.cols, image.rows);
    if (max_long_side > 0 && decoded_long_side > max_long_side) {
      const double scale =
          static_cast<double>(max_long_side) / decoded_long_side;
      cv::Mat resized;
      cv::resize(image, resized,
                 cv::Size(std::max(1, static_cast<int>(image.cols * scale)),
                          std::max(1, static_cast<int>(image.rows * scale))),
                 0, 0, cv::INTER_AREA);
      image = resized;
    }
    result.image = ApplyExifOrientation(image, header->exif_orientation);
  } catch (const cv::Exception& e) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the decoded image could not be scaled or turned upright: ", e.what()));
  }
  result.header = *header;
  const bool swaps_sides = header->exif_orientation >= 5;
  result.original_width = swaps_sides ? header->height : header->width;
  result.original_height = swaps_sides ? header->width : header->height;
  return result;
}

}  // namespace cdkv::ocr
