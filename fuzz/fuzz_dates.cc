// Any text as a QR, printed or MRZ date: only real calendar dates come out.
#include <cstdint>
#include <string_view>

#include "ocr/dates.h"

namespace {
void MustBeReal(const absl::StatusOr<cdkv::ocr::Date>& d) {
  if (!d.ok()) return;
  if (d->month < 1 || d->month > 12 || d->day < 1 ||
      d->day > cdkv::ocr::DaysInMonth(d->year, d->month)) {
    __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cdkv::ocr::Date today{2026, 11, 22};
  MustBeReal(cdkv::ocr::ParseDdMmYyyy(text));
  MustBeReal(cdkv::ocr::ParsePrintedDate(text));
  MustBeReal(
      cdkv::ocr::ParseMrzDate(text, cdkv::ocr::MrzDateKind::kBirth, today));
  MustBeReal(
      cdkv::ocr::ParseMrzDate(text, cdkv::ocr::MrzDateKind::kExpiry, today));
  return 0;
}
