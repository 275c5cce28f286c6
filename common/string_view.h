#ifndef CDKV_COMMON_STRING_VIEW_H_
#define CDKV_COMMON_STRING_VIEW_H_

// Debian's abseil 20220623 is built with its own absl::string_view (not an
// alias of std::string_view), so views must be converted where the two meet:
// absl::StrCat, StrSplit, Status messages on one side, std APIs on the other.

#include <string_view>

#include "absl/strings/string_view.h"

namespace cdkv {

inline absl::string_view Absl(std::string_view s) {
  return {s.data(), s.size()};
}
inline std::string_view Std(absl::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace cdkv

#endif  // CDKV_COMMON_STRING_VIEW_H_
