// Photo format and dimensions read from the first bytes of an upload, before
// any pixel is decoded, so non-images and decompression bombs are refused
// cheaply.
#ifndef CDKV_OCR_IMAGE_HEADER_H_
#define CDKV_OCR_IMAGE_HEADER_H_

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"

namespace cdkv::ocr {

enum class ImageFormat { kJpeg, kPng, kWebp };

struct ImageHeader {
  ImageFormat format = ImageFormat::kJpeg;
  int width = 0;   // As stored, before EXIF orientation.
  int height = 0;  // As stored, before EXIF orientation.
  // EXIF orientation 1..8 (1 = upright) from JPEG APP1, PNG eXIf or WebP
  // EXIF; 1 when absent or unreadable.
  int exif_orientation = 1;
  // JPEG only: no end-of-image marker follows the scan data, so the upload
  // was cut off (decoders silently fill the rest with grey).
  bool truncated = false;
};

// Identifies JPEG, PNG or WebP from magic bytes. Anything else is
// INVALID_ARGUMENT naming what the bytes look like (PDF, GIF, HEIC, ...).
absl::StatusOr<ImageFormat> SniffImageFormat(std::span<const uint8_t> bytes);

// Reads the header fields above. Malformed or cut-off headers are
// INVALID_ARGUMENT. Reads at most the whole buffer once; decodes nothing.
absl::StatusOr<ImageHeader> ReadImageHeader(std::span<const uint8_t> bytes);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_IMAGE_HEADER_H_
