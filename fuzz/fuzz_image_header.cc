// Any bytes as a photo header (JPEG segments, PNG chunks, WebP, EXIF offsets):
// sizes are read without reading past the end, whatever the offsets claim.
#include <cstdint>
#include <span>

#include "ocr/exif_orientation.h"
#include "ocr/image_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto header = cdkv::ocr::ReadImageHeader(bytes);
  if (header.ok() && (header->width <= 0 || header->height <= 0))
    __builtin_trap();
  const int orientation = cdkv::ocr::ParseExifOrientation(bytes);
  if (orientation < 1 || orientation > 8) __builtin_trap();
  return 0;
}
