// The QR code on the back-front of the chip citizen ID card (CCCD gắn chip,
// 2021) and the 2024 identity card (thẻ căn cước):
//   ID|old ID|full name|DDMMYYYY birth|Nam/Nữ|permanent address|DDMMYYYY issue
// 2024 cards may leave trailing fields empty or omit them.
#ifndef CDKV_OCR_QR_PAYLOAD_H_
#define CDKV_OCR_QR_PAYLOAD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ocr/dates.h"
#include "ocr/id_number.h"

namespace cdkv::ocr {

// Real payloads are about 200 bytes; anything far larger is not a card.
inline constexpr size_t kMaxIdCardQrBytes = 1024;

struct IdCardQr {
  CitizenId id;
  std::string old_id;     // 9 or 12 digits, or empty.
  std::string full_name;  // NFC UTF-8, as printed on the card.
  Date birth_date;
  Sex sex = Sex::kMale;
  std::string address;  // NFC UTF-8; may be empty on 2024 cards.
  std::optional<Date> issue_date;
  // Where the ID number's century/sex/year digits contradict the birth date
  // and sex fields; a genuine card never has any, so callers should flag it.
  std::vector<IdDisagreement> id_disagreements;
};

// Parses and validates a payload; INVALID_ARGUMENT names the bad field.
absl::StatusOr<IdCardQr> ParseIdCardQr(std::string_view payload);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_QR_PAYLOAD_H_
