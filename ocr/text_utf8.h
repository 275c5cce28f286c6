// UTF-8 checks and Vietnamese diacritic folding shared by the QR and MRZ
// parsers. Card payloads are untrusted bytes, so nothing here assumes valid
// input.
#ifndef CDKV_OCR_TEXT_UTF8_H_
#define CDKV_OCR_TEXT_UTF8_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cdkv::ocr {

// Decodes UTF-8 into code points. Rejects overlong forms, surrogates, code
// points above U+10FFFF and truncated sequences, naming the byte offset.
absl::StatusOr<std::vector<char32_t>> DecodeUtf8(std::string_view text);

// True when `text` is valid UTF-8 with no combining diacritical marks
// (U+0300..U+036F). Every Vietnamese letter has a precomposed form, so
// Vietnamese text in NFC never contains them; their presence means NFD.
bool IsComposedVietnamese(std::string_view text);

// Removes Vietnamese diacritics (tones, breve, circumflex, horn, Đ -> D) and
// uppercases ASCII letters: "Nguyễn Văn Đức" -> "NGUYEN VAN DUC". Code points
// with no ASCII equivalent become '?'. Invalid UTF-8 yields an error.
absl::StatusOr<std::string> FoldVietnameseToAsciiUpper(std::string_view text);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_TEXT_UTF8_H_
