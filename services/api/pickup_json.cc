#include "services/api/pickup_json.h"

#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace cdkv::api {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("pickup details: ", Absl(what)));
}

}  // namespace

std::string PickupToJson(const cdkv::v1::PickupDetails& pickup) {
  json out = json::object();
  if (!pickup.pickup_code().empty()) out["pickupCode"] = pickup.pickup_code();
  if (!pickup.desk_name().empty()) out["deskName"] = pickup.desk_name();
  if (!pickup.address().empty()) out["address"] = pickup.address();
  if (!pickup.opening_hours().empty()) {
    out["openingHours"] = pickup.opening_hours();
  }
  if (pickup.bring_size() > 0) {
    json bring = json::array();
    for (const std::string& item : pickup.bring()) bring.push_back(item);
    out["bring"] = std::move(bring);
  }
  if (pickup.has_ready_from()) {
    out["readyFrom"] = TimeUtil::ToString(pickup.ready_from());
  }
  if (pickup.delivery() != cdkv::v1::RESULT_DELIVERY_UNSPECIFIED) {
    out["delivery"] = cdkv::v1::ResultDelivery_Name(pickup.delivery());
  }
  if (!pickup.note().empty()) out["note"] = pickup.note();
  return out.dump();
}

absl::Status PickupFromJson(std::string_view text,
                            cdkv::v1::PickupDetails* out) {
  out->Clear();
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) return Invalid("not a JSON object");
  absl::Status status;
  auto string_field = [&](const char* key, std::string* value) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return;
    if (!it->is_string()) {
      status = Invalid(absl::StrCat(key, " is not a string"));
      return;
    }
    *value = it->get<std::string>();
  };
  string_field("pickupCode", out->mutable_pickup_code());
  string_field("deskName", out->mutable_desk_name());
  string_field("address", out->mutable_address());
  string_field("openingHours", out->mutable_opening_hours());
  string_field("note", out->mutable_note());
  if (auto it = in.find("bring"); it != in.end() && !it->is_null()) {
    if (!it->is_array()) {
      status = Invalid("bring is not a list");
    } else {
      for (const json& item : *it) {
        if (!item.is_string()) {
          status = Invalid("bring holds a non-string");
          break;
        }
        out->add_bring(item.get<std::string>());
      }
    }
  }
  std::string ready_from;
  string_field("readyFrom", &ready_from);
  if (!ready_from.empty() &&
      !TimeUtil::FromString(ready_from, out->mutable_ready_from())) {
    status = Invalid(
        absl::StrCat("readyFrom is not an RFC 3339 time: ", ready_from));
  }
  std::string delivery;
  string_field("delivery", &delivery);
  if (!delivery.empty()) {
    cdkv::v1::ResultDelivery value;
    if (!cdkv::v1::ResultDelivery_Parse(delivery, &value)) {
      status = Invalid(absl::StrCat("unknown delivery ", delivery));
    } else {
      out->set_delivery(value);
    }
  }
  if (!status.ok()) out->Clear();
  return status;
}

}  // namespace cdkv::api
