// Any text as a TD1 MRZ, raw and as Tesseract would hand it over (one
// reading, or several separated by '|').
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cdkv::ocr::Date today{2026, 11, 22};
  (void)cdkv::ocr::ParseTd1(text, today);
  (void)cdkv::ocr::ParseOcrTd1(text, today);
  (void)cdkv::ocr::MrzCheckDigit(text);
  // Several readings of one zone, separated by '|'.
  std::vector<std::string> readings(1);
  for (char c : text) {
    if (c == '|') {
      readings.emplace_back();
    } else {
      readings.back().push_back(c);
    }
  }
  (void)cdkv::ocr::CombineOcrTd1(readings, today);
  return 0;
}
