#ifndef CDKV_SERVICES_API_IDS_H_
#define CDKV_SERVICES_API_IDS_H_

#include <string>

namespace cdkv::api {

// A new identifier: `prefix` then `length` random Crockford base-32 characters
// (no I, L, O, U, so it reads aloud and types without confusion). 10 characters
// carry 50 random bits.
std::string NewId(const std::string& prefix, int length);

// A six-digit code a citizen shows at pickup.
std::string NewPickupCode();

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_IDS_H_
