#include "ocr/qr_payload.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

// ID, old ID, name, birth date and sex; address and issue date may be absent.
constexpr size_t kMinFields = 5;
constexpr size_t kKnownFields = 7;
// Trailing separators beyond the known fields are tolerated (some 2024 cards
// print them), but not without bound.
constexpr size_t kMaxFields = 16;

enum Field { kId, kOldId, kName, kBirth, kSex, kAddress, kIssue };

absl::Status FieldError(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("ID card QR code: the ", Absl(field),
                   " field is invalid: ", Absl(problem)));
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

absl::Status CheckText(std::string_view field, std::string_view value) {
  if (HasControlCharacter(value)) {
    return FieldError(field, "it contains control characters");
  }
  if (!IsComposedVietnamese(value)) {
    return FieldError(field,
                      "it uses decomposed accents (NFD), but cards print "
                      "composed (NFC) letters, so the text was altered");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IdCardQr> ParseIdCardQr(std::string_view payload) {
  if (payload.size() > kMaxIdCardQrBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("ID card QR code: the payload is ", payload.size(),
                     " bytes; a card's is under ", kMaxIdCardQrBytes,
                     ", so this is not an ID card"));
  }
  if (auto utf8 = DecodeUtf8(payload); !utf8.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ID card QR code: ", utf8.status().message()));
  }
  std::vector<std::string_view> fields;
  for (absl::string_view f : absl::StrSplit(Absl(payload), '|')) {
    fields.push_back(Std(f));
  }
  if (fields.size() > kMaxFields) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ID card QR code: it has ", fields.size(), " fields; a card has ",
        kKnownFields, ", so this is not an ID card"));
  }
  for (size_t i = kKnownFields; i < fields.size(); ++i) {
    if (!fields[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ID card QR code: field ", i + 1,
          " is not empty, but a card has only ", kKnownFields, " fields"));
    }
  }
  if (fields.size() < kMinFields) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ID card QR code: it has ", fields.size(), " fields; at least ",
        kMinFields, " (ID, old ID, name, birth date, sex) are needed"));
  }
  fields.resize(kKnownFields);  // Missing trailing fields read as empty.

  IdCardQr qr;
  auto id = ParseCitizenId(fields[kId]);
  if (!id.ok()) return FieldError("ID number", Std(id.status().message()));
  qr.id = *std::move(id);

  const std::string_view old_id = fields[kOldId];
  if (!old_id.empty() &&
      !((old_id.size() == 9 || old_id.size() == 12) && AllDigits(old_id))) {
    return FieldError("old ID number",
                      "it must be empty, 9 digits or 12 digits");
  }
  qr.old_id = std::string(old_id);

  if (fields[kName].empty()) return FieldError("name", "it is empty");
  if (auto s = CheckText("name", fields[kName]); !s.ok()) return s;
  qr.full_name = std::string(fields[kName]);

  auto birth = ParseDdMmYyyy(fields[kBirth]);
  if (!birth.ok())
    return FieldError("birth date", Std(birth.status().message()));
  qr.birth_date = *birth;

  if (fields[kSex] == "Nam") {
    qr.sex = Sex::kMale;
  } else if (fields[kSex] == "Nữ") {
    qr.sex = Sex::kFemale;
  } else {
    return FieldError("sex", "it must be \"Nam\" or \"Nữ\"");
  }

  if (auto s = CheckText("address", fields[kAddress]); !s.ok()) return s;
  qr.address = std::string(fields[kAddress]);

  if (!fields[kIssue].empty()) {
    auto issue = ParseDdMmYyyy(fields[kIssue]);
    if (!issue.ok())
      return FieldError("issue date", Std(issue.status().message()));
    if (*issue < qr.birth_date) {
      return FieldError("issue date", "it is before the birth date");
    }
    qr.issue_date = *issue;
  }

  qr.id_disagreements = CheckCitizenIdAgainst(qr.id, qr.birth_date, qr.sex);
  return qr;
}

}  // namespace cdkv::ocr
