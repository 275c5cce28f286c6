// Debian's abseil 20220623 is built with its own absl::string_view (not an
// alias of std::string_view), so std::string_view must be converted before it
// reaches absl::StrCat, absl::StrSplit or a Status message.
#ifndef CDKV_OCR_STRING_VIEW_COMPAT_H_
#define CDKV_OCR_STRING_VIEW_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace cdkv::ocr {

inline absl::string_view Absl(std::string_view s) {
  return {s.data(), s.size()};
}

inline std::string_view Std(absl::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_STRING_VIEW_COMPAT_H_
