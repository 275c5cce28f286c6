#include "services/chat/chat_notice_route.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/string_view.h"

namespace cdkv::chat {
namespace {

using nlohmann::json;

// Vietnam has kept UTC+7 without daylight saving since 1975.
const absl::TimeZone& VietnamTime() {
  static const absl::TimeZone* zone =
      new absl::TimeZone(absl::FixedTimeZone(7 * 60 * 60));
  return *zone;
}

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>()
                                          : std::string();
}

}  // namespace

std::string CutToChars(std::string_view text, size_t max_chars) {
  if (max_chars == 0) return "";
  // Byte offset where each character starts, up to max_chars + 1 of them.
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size() && starts.size() <= max_chars; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      starts.push_back(i);
  }
  if (starts.size() <= max_chars) return std::string(text);
  return absl::StrCat(Absl(text.substr(0, starts[max_chars - 1])), "…");
}

absl::StatusOr<PickupNotice> PickupNoticeFromDetails(
    std::string_view filing_id, std::string_view pickup_json) {
  json details = json::parse(pickup_json, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded() || !details.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("pickup details of filing ",
                                                   Absl(filing_id),
                                                   " are not a JSON object"));
  }
  PickupNotice n;
  n.filing_id = std::string(filing_id);
  n.pickup_code = StringField(details, "pickupCode");
  if (n.pickup_code.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pickup details of filing ", Absl(filing_id), " have no pickup code"));
  }
  const std::string desk = StringField(details, "deskName");
  const std::string address = StringField(details, "address");
  n.place_vi =
      desk.empty() || address.empty() ? desk + address : desk + ", " + address;

  std::string from;
  if (const std::string ready = StringField(details, "readyFrom");
      !ready.empty()) {
    absl::Time t;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, ready, &t, &error)) {
      from = absl::StrCat("Từ ngày ",
                          absl::FormatTime("%d/%m/%Y", t, VietnamTime()));
    }
  }
  const std::string hours = StringField(details, "openingHours");
  n.when_vi =
      from.empty() || hours.empty() ? from + hours : from + ", " + hours;

  std::vector<std::string> bring;
  if (auto it = details.find("bring"); it != details.end() && it->is_array()) {
    for (const json& item : *it) {
      if (item.is_string() && !item.get<std::string>().empty()) {
        bring.push_back(item.get<std::string>());
      }
    }
  }
  n.bring_vi = absl::StrJoin(bring, "; ");
  return n;
}

absl::StatusOr<bool> ChatNoticeRoute::operator()(
    const records::NotificationRow& row) const {
  if (row.filing_id.empty()) return false;
  absl::StatusOr<std::optional<ChatAddress>> chat =
      store_->ChatOfFiling(row.filing_id);
  if (!chat.ok()) return chat.status();
  if (!chat->has_value()) return false;
  const std::string dedupe_key = absl::StrCat("notification:", row.id);
  if (!row.pickup_json.empty()) {
    absl::StatusOr<PickupNotice> notice =
        PickupNoticeFromDetails(row.filing_id, row.pickup_json);
    if (!notice.ok()) return notice.status();
    if (absl::Status s =
            sender_->EnqueuePickupNotice(**chat, *notice, dedupe_key);
        !s.ok()) {
      return s;
    }
    return true;
  }
  if (row.text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "notification ", row.id, " has neither text nor pickup details"));
  }
  if (absl::Status s = sender_->EnqueueText(
          **chat, CutToChars(row.text, kMaxOaTextChars), dedupe_key);
      !s.ok()) {
    return s;
  }
  return true;
}

}  // namespace cdkv::chat
