// Any text as a TD1 MRZ, raw and as Tesseract would hand it over.
#include <cstdint>
#include <string_view>

#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cdkv::ocr::Date today{2026, 11, 22};
  (void)cdkv::ocr::ParseTd1(text, today);
  (void)cdkv::ocr::ParseOcrTd1(text, today);
  (void)cdkv::ocr::MrzCheckDigit(text);
  return 0;
}
