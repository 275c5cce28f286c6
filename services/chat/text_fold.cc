#include "services/chat/text_fold.h"

#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace cdkv::chat {
namespace {

// Decodes one UTF-8 code point at s[i], advancing i; returns U+FFFD on errors.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) { ++i; return b0; }
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
  else { ++i; return 0xFFFD; }
  if (i + len > s.size()) { ++i; return 0xFFFD; }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) { ++i; return 0xFFFD; }
    cp = cp << 6 | (b & 0x3F);
  }
  i += len;
  return cp;
}

const std::unordered_map<char32_t, char>& FoldTable() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<char32_t, char>;
    const std::pair<char, std::string_view> groups[] = {
        {'a', "àáạảãâầấậẩẫăằắặẳẵÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ"},
        {'e', "èéẹẻẽêềếệểễÈÉẸẺẼÊỀẾỆỂỄ"},
        {'i', "ìíịỉĩÌÍỊỈĨ"},
        {'o', "òóọỏõôồốộổỗơờớợởỡÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ"},
        {'u', "ùúụủũưừứựửữÙÚỤỦŨƯỪỨỰỬỮ"},
        {'y', "ỳýỵỷỹỲÝỴỶỸ"},
        {'d', "đĐ"},
    };
    for (const auto& [base, letters] : groups) {
      for (size_t i = 0; i < letters.size();) (*t)[NextCodePoint(letters, i)] = base;
    }
    return t;
  }();
  return *table;
}

}  // namespace

std::string FoldVietnamese(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto put = [&](char c) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  };
  for (size_t i = 0; i < text.size();) {
    const char32_t cp = NextCodePoint(text, i);
    if (cp >= 0x0300 && cp <= 0x036F) continue;  // combining marks (NFD input)
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') put(static_cast<char>(c - 'A' + 'a'));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) put(c);
      else pending_space = true;
      continue;
    }
    auto it = FoldTable().find(cp);
    if (it != FoldTable().end()) put(it->second);
    else pending_space = true;
  }
  return out;
}

}  // namespace cdkv::chat
