#ifndef CDKV_SERVICES_API_PICKUP_JSON_H_
#define CDKV_SERVICES_API_PICKUP_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "cdkv/v1/common.pb.h"

namespace cdkv::api {

// A filing's pickup details are stored as protobuf's canonical JSON of
// `PickupDetails`, the text the notifier posts to the gateway and the chat
// route reads. These read and write that one message by hand: protobuf's
// generic JSON parser resolves types on every call and cost about 15% of the
// server's CPU when a citizen's notification list was rendered.

// Canonical JSON: lowerCamelCase keys, default values left out, `readyFrom` in
// RFC 3339 UTC, `delivery` as the enum value's name.
std::string PickupToJson(const cdkv::v1::PickupDetails& pickup);

// Reads what `PickupToJson` (or protobuf's own JSON printer) wrote. Unknown
// keys are ignored, as protobuf's parser does with `ignore_unknown_fields`; a
// wrong type, a bad timestamp or an unknown delivery name is an error and
// leaves `out` cleared.
absl::Status PickupFromJson(std::string_view json,
                            cdkv::v1::PickupDetails* out);

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_PICKUP_JSON_H_
