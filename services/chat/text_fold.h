// Vietnamese text folded for matching what older people type: lowercase, no
// diacritics (precomposed or combining), đ → d, punctuation → space, runs of
// spaces collapsed, trimmed. "Làm giấy KHAI TỬ!" → "lam giay khai tu".
#ifndef CDKV_SERVICES_CHAT_TEXT_FOLD_H_
#define CDKV_SERVICES_CHAT_TEXT_FOLD_H_

#include <string>
#include <string_view>

namespace cdkv::chat {

// Invalid UTF-8 bytes and characters outside Latin are dropped (as spaces).
std::string FoldVietnamese(std::string_view text);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_TEXT_FOLD_H_
