// Any bytes as an ID-card QR payload: a clear error or a valid card, never a
// crash.
#include <cstdint>
#include <string_view>

#include "ocr/qr_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto card = cdkv::ocr::ParseIdCardQr(text);
  if (card.ok() && card->id.number.size() != 12) __builtin_trap();
  return 0;
}
