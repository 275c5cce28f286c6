#include "services/api/ids.h"

#include <sodium.h>

#include "absl/strings/str_format.h"

namespace cdkv::api {

std::string NewId(const std::string& prefix, int length) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string id = prefix;
  for (int i = 0; i < length; ++i)
    id.push_back(kAlphabet[randombytes_uniform(32)]);
  return id;
}

std::string NewPickupCode() {
  return absl::StrFormat("%06u", randombytes_uniform(1000000));
}

}  // namespace cdkv::api
