#ifndef CDKV_SERVICES_AUTH_PHONE_H_
#define CDKV_SERVICES_AUTH_PHONE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdkv::auth {

// A Vietnamese phone number in the one form accounts are keyed by: "0"
// followed by 9 digits, the first of them not 0. Accepts exactly
// "0xxxxxxxxx" and "+84xxxxxxxxx"; anything else (spaces, dashes, other
// country codes, landline lengths) is INVALID_ARGUMENT, so one person never
// ends up with two accounts.
absl::StatusOr<std::string> NormalizePhoneNumber(std::string_view input);

// "0912345678" -> "091*****78", for log lines that must not carry the number.
std::string MaskPhoneNumber(std::string_view normalized);

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_PHONE_H_
