// Safe decoding of citizen photo uploads: limits are enforced from the header
// before any pixel is decoded, and the result is turned upright.
#ifndef CDKV_OCR_IMAGE_DECODE_H_
#define CDKV_OCR_IMAGE_DECODE_H_

#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ocr/image_header.h"

namespace cdkv::ocr {

struct DecodeLimits {
  size_t max_bytes = 25u * 1024 * 1024;
  int64_t max_pixels = 50'000'000;
  int max_side = 12'000;
};

struct DecodedImage {
  cv::Mat image;  // 8-bit BGR, upright.
  ImageHeader header;
  // Upright size of the original image, whatever scale was decoded.
  int original_width = 0;
  int original_height = 0;
};

// RESOURCE_EXHAUSTED when the upload or its declared size exceeds `limits`,
// with a message giving the size and the limit.
absl::Status CheckDecodeLimits(const ImageHeader& header, size_t byte_count,
                               const DecodeLimits& limits);

// Sniffs, checks limits, decodes and turns the image upright. When
// `max_long_side` > 0 the result's long side is at most that many pixels;
// JPEGs are then decoded with DCT scaling (1/2, 1/4, 1/8) to save time and
// memory. A JPEG without an end-of-image marker is refused as truncated.
// Never throws.
absl::StatusOr<DecodedImage> DecodeImage(std::span<const uint8_t> bytes,
                                         const DecodeLimits& limits = {},
                                         int max_long_side = 0);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_IMAGE_DECODE_H_
