// Fields from the whole-photo text the `tesseract` command-line program
// prints, for the baseline column of ocr_bench. Validation uses the same
// ocr/ parsers as the reader (ParseCitizenId, ParsePrintedDate, ParseTd1).
#ifndef CDKV_BENCH_OCR_CLI_TEXT_FIELDS_H_
#define CDKV_BENCH_OCR_CLI_TEXT_FIELDS_H_

#include <optional>
#include <string>
#include <string_view>

#include "ocr/dates.h"

namespace cdkv::bench {

struct TextFields {
  std::optional<std::string> id_number;
  std::optional<std::string> full_name;   // Title case; MRZ: ASCII upper.
  std::optional<std::string> birth_date;  // DD/MM/YYYY.
  std::optional<std::string> sex;         // "Nam" / "Nữ".
};

TextFields FieldsFromPageText(std::string_view text, const ocr::Date& today);

}  // namespace cdkv::bench

#endif  // CDKV_BENCH_OCR_CLI_TEXT_FIELDS_H_
