#include "workers/id_card_qr_prefiller.h"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "common/log.h"
#include "ocr/dates.h"
#include "ocr/id_number.h"
#include "ocr/image_decode.h"
#include "ocr/qr_payload.h"
#include "ocr/qr_reader.h"

namespace cdkv::workers {
namespace {

constexpr char kIdCard[] = "id_card";
constexpr char kNoSource[] = "không có nguồn";

struct CardReading {
  std::string document_id;
  ocr::IdCardQr card;
  std::string region_json;
};

// The value of `source_field` on the card, or nullopt when the card has none.
std::optional<std::string> CardValue(const ocr::IdCardQr& card,
                                     const std::string& source_field) {
  if (source_field == "full_name") return card.full_name;
  if (source_field == "id_number") return card.id.number;
  if (source_field == "date_of_birth") return ocr::FormatDate(card.birth_date);
  if (source_field == "sex") {
    return std::string(card.sex == ocr::Sex::kMale ? "Nam" : "Nữ");
  }
  if (source_field == "place_of_residence" ||
      source_field == "permanent_address") {
    if (card.address.empty()) return std::nullopt;
    return card.address;
  }
  if (source_field == "issue_date" && card.issue_date.has_value()) {
    return ocr::FormatDate(*card.issue_date);
  }
  return std::nullopt;
}

// The QR corners in the original upright photo's pixels (the decoded image
// may be scaled down).
std::string RegionJson(const ocr::QrCode& code,
                       const ocr::DecodedImage& decoded) {
  const double scale =
      decoded.image.cols > 0
          ? static_cast<double>(decoded.original_width) / decoded.image.cols
          : 1.0;
  nlohmann::json corners = nlohmann::json::array();
  for (const cv::Point& p : code.corners) {
    corners.push_back({std::lround(p.x * scale), std::lround(p.y * scale)});
  }
  return corners.dump();
}

std::optional<CardReading> FindCard(const DocumentInput& doc) {
  const auto* data = reinterpret_cast<const uint8_t*>(doc.bytes.data());
  absl::StatusOr<ocr::DecodedImage> decoded =
      ocr::DecodeImage(std::span<const uint8_t>(data, doc.bytes.size()), {},
                       IdCardQrPrefiller::kMaxLongSide);
  if (!decoded.ok()) {
    LogInfo("prefill.photo_unreadable",
            {{"document_id", doc.document_id},
             {"error", decoded.status().ToString()}});
    return std::nullopt;
  }
  absl::StatusOr<std::vector<ocr::QrCode>> codes =
      ocr::ReadQrCodes(decoded->image);
  if (!codes.ok()) return std::nullopt;
  for (const ocr::QrCode& code : *codes) {
    absl::StatusOr<ocr::IdCardQr> card = ocr::ParseIdCardQr(code.text);
    if (!card.ok()) continue;
    return CardReading{doc.document_id, *std::move(card),
                       RegionJson(code, *decoded)};
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<PrefillResult> IdCardQrPrefiller::Prefill(
    const domain::Procedure& procedure,
    const std::vector<DocumentInput>& docs) {
  PrefillResult result;
  result.fields = EmptyForm(procedure, kNoSource);

  std::optional<CardReading> reading;
  for (const DocumentInput& doc : docs) {
    std::optional<CardReading> found = FindCard(doc);
    if (!found.has_value()) continue;
    result.detected_kinds.emplace_back(doc.document_id, kIdCard);
    if (!reading.has_value()) reading = std::move(found);
  }
  if (!reading.has_value()) return result;

  const ocr::IdCardQr& card = reading->card;
  std::string disagreement;
  if (!card.id_disagreements.empty()) {
    disagreement = ocr::DescribeDisagreements(card.id, card.birth_date,
                                              card.sex, card.id_disagreements);
  }
  for (size_t i = 0; i < procedure.form_fields.size(); ++i) {
    const domain::FormField& spec = procedure.form_fields[i];
    if (spec.source_document != kIdCard) continue;
    std::optional<std::string> value = CardValue(card, spec.source_field);
    if (!value.has_value()) continue;
    records::FieldRow& row = result.fields[i];
    row.value = *value;
    row.prefilled_value = *value;
    row.confidence = kQrConfidence;
    row.method = "qr";
    row.document_id = reading->document_id;
    row.region_json = reading->region_json;
    row.readings_json =
        nlohmann::json::array(
            {{{"value", *value},
              {"confidence", kQrConfidence},
              {"method", "qr"},
              {"document_id", reading->document_id},
              {"region", nlohmann::json::parse(reading->region_json)}}})
            .dump();
    row.needs_review = !disagreement.empty();
    row.review_reason = disagreement;
  }
  return result;
}

}  // namespace cdkv::workers
