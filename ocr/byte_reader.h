// Fixed-width integer reads from untrusted byte buffers. Callers check bounds
// first; these helpers only assemble bytes.
#ifndef CDKV_OCR_BYTE_READER_H_
#define CDKV_OCR_BYTE_READER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cdkv::ocr {

using ByteSpan = std::span<const uint8_t>;

// True when `magic` appears at `offset`; false (not out of bounds) when the
// buffer is too short.
inline bool HasBytesAt(ByteSpan bytes, size_t offset, std::string_view magic) {
  if (offset > bytes.size() || bytes.size() - offset < magic.size()) {
    return false;
  }
  return std::equal(
      magic.begin(), magic.end(), bytes.begin() + offset,
      [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; });
}

inline uint32_t Be16(ByteSpan b, size_t at) {
  return (uint32_t{b[at]} << 8) | b[at + 1];
}
inline uint32_t Be32(ByteSpan b, size_t at) {
  return (Be16(b, at) << 16) | Be16(b, at + 2);
}
inline uint32_t Le16(ByteSpan b, size_t at) {
  return (uint32_t{b[at + 1]} << 8) | b[at];
}
inline uint32_t Le24(ByteSpan b, size_t at) {
  return Le16(b, at) | (uint32_t{b[at + 2]} << 16);
}
inline uint32_t Le32(ByteSpan b, size_t at) {
  return Le16(b, at) | (Le16(b, at + 2) << 16);
}

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_BYTE_READER_H_
