#include "services/auth/phone.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace cdkv::auth {

absl::StatusOr<std::string> NormalizePhoneNumber(std::string_view input) {
  std::string_view subscriber;  // The 9 digits after the trunk prefix.
  if (input.starts_with("+84")) {
    subscriber = input.substr(3);
  } else if (input.starts_with("0")) {
    subscriber = input.substr(1);
  } else {
    return absl::InvalidArgumentError(
        "phone number must start with 0 or +84, for example 0912345678");
  }
  if (subscriber.size() != 9 ||
      !std::all_of(subscriber.begin(), subscriber.end(),
                   [](char c) { return absl::ascii_isdigit(c); })) {
    return absl::InvalidArgumentError(
        "phone number must be 10 digits starting with 0 (or +84 and 9 "
        "digits), with no spaces or dashes");
  }
  if (subscriber.front() == '0') {
    return absl::InvalidArgumentError(
        "phone number has 0 where the network code belongs; check the number");
  }
  return std::string("0").append(subscriber);
}

std::string MaskPhoneNumber(std::string_view normalized) {
  std::string masked(normalized);
  for (size_t i = 3; i + 2 < masked.size(); ++i) masked[i] = '*';
  return masked;
}

}  // namespace cdkv::auth
