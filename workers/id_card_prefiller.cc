#include "workers/id_card_prefiller.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "ocr/field.h"

namespace cdkv::workers {
namespace {

constexpr char kIdCard[] = "id_card";
constexpr char kNoSource[] = "không có nguồn";

// The reading of `source_field` in one card reading, or null.
const std::optional<ocr::ReadField>* FieldOf(const ocr::IdCardReading& reading,
                                             const std::string& source_field) {
  if (source_field == "full_name") return &reading.full_name;
  if (source_field == "id_number") return &reading.id_number;
  if (source_field == "date_of_birth") return &reading.birth_date;
  if (source_field == "sex") return &reading.sex;
  if (source_field == "place_of_residence" ||
      source_field == "permanent_address") {
    return &reading.residence;
  }
  if (source_field == "place_of_origin" || source_field == "hometown") {
    return &reading.hometown;
  }
  if (source_field == "issue_date") return &reading.issue_date;
  if (source_field == "expiry_date") return &reading.expiry_date;
  return nullptr;
}

nlohmann::json RegionJson(const ocr::Reading& r) {
  nlohmann::json corners = nlohmann::json::array();
  for (const cv::Point2f& p : r.region) {
    corners.push_back({static_cast<int>(std::lround(p.x)),
                       static_cast<int>(std::lround(p.y))});
  }
  return corners;
}

nlohmann::json ReadingJson(const ocr::Reading& r,
                           const std::string& document_id) {
  return {{"value", r.value},
          {"confidence", r.confidence},
          {"method", std::string(ocr::ReadMethodName(r.method))},
          {"document_id", document_id},
          {"region", RegionJson(r)}};
}

ocr::Date TodayInVietnam() {
  const absl::CivilDay day =
      absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 60 * 60));
  return ocr::Date{static_cast<int>(day.year()), day.month(), day.day()};
}

struct Candidate {
  ocr::Reading reading;
  std::string document_id;
};

}  // namespace

absl::StatusOr<PrefillResult> IdCardPrefiller::Prefill(
    const domain::Procedure& procedure,
    const std::vector<DocumentInput>& docs) {
  if (reader_ == nullptr) {
    absl::StatusOr<std::unique_ptr<ocr::IdCardReader>> reader =
        ocr::IdCardReader::Create();
    if (!reader.ok()) return reader.status();
    reader_ = std::move(*reader);
  }
  PrefillResult result;
  result.fields = EmptyForm(procedure, kNoSource);
  const ocr::Date today = TodayInVietnam();

  std::vector<std::pair<std::string, ocr::IdCardReading>> cards;
  for (size_t i = 0; i < docs.size(); ++i) {
    const DocumentInput& doc = docs[i];
    const auto* data = reinterpret_cast<const uint8_t*>(doc.bytes.data());
    absl::StatusOr<ocr::IdCardReading> reading =
        reader_->Read(std::span<const uint8_t>(data, doc.bytes.size()),
                      static_cast<int>(i), today);
    if (!reading.ok()) {
      LogInfo("prefill.photo_unread", {{"document_id", doc.document_id},
                                       {"error", reading.status().ToString()}});
      continue;
    }
    // Not an ID card. The back of a 2016 card holds only its issue date,
    // which still fills the form; the reader recognised it by its layout.
    if (!reading->id_number && !reading->full_name &&
        reading->card_kind == ocr::CardKind::kUnknown) {
      continue;
    }
    result.detected_kinds.emplace_back(doc.document_id, kIdCard);
    cards.emplace_back(doc.document_id, *std::move(reading));
  }
  if (cards.empty()) return result;

  for (size_t i = 0; i < procedure.form_fields.size(); ++i) {
    const domain::FormField& spec = procedure.form_fields[i];
    if (spec.source_document != kIdCard) continue;
    // Every reading of this field across the card's photos, best first.
    std::vector<Candidate> candidates;
    for (const auto& [document_id, card] : cards) {
      const std::optional<ocr::ReadField>* field =
          FieldOf(card, spec.source_field);
      if (field == nullptr || !field->has_value()) continue;
      candidates.push_back({(*field)->best, document_id});
      for (const ocr::Reading& alt : (*field)->alternatives) {
        candidates.push_back({alt, document_id});
      }
    }
    if (candidates.empty()) continue;
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       return a.reading.confidence > b.reading.confidence;
                     });
    const Candidate& best = candidates.front();
    bool disagree = false;
    nlohmann::json readings = nlohmann::json::array();
    for (const Candidate& c : candidates) {
      disagree |= c.reading.value != best.reading.value;
      readings.push_back(ReadingJson(c.reading, c.document_id));
    }
    records::FieldRow& row = result.fields[i];
    row.value = best.reading.value;
    row.prefilled_value = best.reading.value;
    row.confidence = best.reading.confidence;
    row.method = std::string(ocr::ReadMethodName(best.reading.method));
    row.document_id = best.document_id;
    row.region_json = RegionJson(best.reading).dump();
    row.readings_json = readings.dump();
    row.needs_review =
        disagree || best.reading.confidence < ocr::kReviewThreshold;
    row.review_reason = disagree ? "các nguồn đọc không khớp nhau"
                        : row.needs_review ? "độ tin cậy thấp"
                                           : "";
  }
  return result;
}

}  // namespace cdkv::workers
