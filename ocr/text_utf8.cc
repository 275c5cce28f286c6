#include "ocr/text_utf8.h"

#include <cstdint>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::ocr {
namespace {

constexpr char32_t kCombiningFirst = 0x0300;
constexpr char32_t kCombiningLast = 0x036F;

bool IsCombiningMark(char32_t cp) {
  return cp >= kCombiningFirst && cp <= kCombiningLast;
}

// Built from literal strings so the table is reviewable by eye: each row is a
// base letter followed by every precomposed Vietnamese form of it.
const std::unordered_map<char32_t, char>& FoldTable() {
  static const auto* const table = [] {
    struct Row {
      char base;
      std::string_view forms;
    };
    constexpr Row kRows[] = {
        {'A', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
        {'E', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
        {'I', "ìíỉĩịÌÍỈĨỊ"},
        {'O', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
        {'U', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"},
        {'Y', "ỳýỷỹỵỲÝỶỸỴ"},
        {'D', "đĐ"},
    };
    auto* map = new std::unordered_map<char32_t, char>();
    for (const Row& row : kRows) {
      // The literals are valid UTF-8 by construction.
      const auto forms = DecodeUtf8(row.forms);
      for (char32_t cp : *forms) (*map)[cp] = row.base;
    }
    return map;
  }();
  return *table;
}

}  // namespace

absl::StatusOr<std::vector<char32_t>> DecodeUtf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    int extra = 0;
    char32_t cp = 0;
    char32_t min_cp = 0;
    if (lead < 0x80) {
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      cp = lead & 0x1F;
      min_cp = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      cp = lead & 0x0F;
      min_cp = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      cp = lead & 0x07;
      min_cp = 0x10000;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "text is not valid UTF-8: byte ", i, " cannot start a character"));
    }
    if (text.size() - i <= static_cast<size_t>(extra)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "text is not valid UTF-8: the character at byte ", i, " is cut off"));
    }
    for (int k = 1; k <= extra; ++k) {
      const auto cont = static_cast<uint8_t>(text[i + k]);
      if ((cont & 0xC0) != 0x80) {
        return absl::InvalidArgumentError(
            absl::StrCat("text is not valid UTF-8: byte ", i + k,
                         " should continue the character at byte ", i));
      }
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return absl::InvalidArgumentError(
          absl::StrCat("text is not valid UTF-8: the character at byte ", i,
                       " is an overlong form, a surrogate or beyond U+10FFFF"));
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

bool IsComposedVietnamese(std::string_view text) {
  auto cps = DecodeUtf8(text);
  if (!cps.ok()) return false;
  for (char32_t cp : *cps) {
    if (IsCombiningMark(cp)) return false;
  }
  return true;
}

absl::StatusOr<std::string> FoldVietnameseToAsciiUpper(std::string_view text) {
  auto cps = DecodeUtf8(text);
  if (!cps.ok()) return cps.status();
  const auto& table = FoldTable();
  std::string out;
  out.reserve(cps->size());
  for (char32_t cp : *cps) {
    if (IsCombiningMark(cp)) continue;  // NFD input: the base letter remains.
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      out.push_back(c);
      continue;
    }
    auto it = table.find(cp);
    out.push_back(it == table.end() ? '?' : it->second);
  }
  return out;
}

}  // namespace cdkv::ocr
