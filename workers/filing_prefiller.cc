#include "workers/filing_prefiller.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "common/log.h"
#include "ocr/field.h"
#include "ocr/id_card_reader.h"

namespace cdkv::workers {
namespace {

constexpr char kIdCard[] = "id_card";
constexpr char kOriginal[] = "original_document";
constexpr char kNoSource[] = "không có nguồn";
// Hidden form fields asked of IdCardPrefiller so that every card's name and
// ID number come back (in readings_json) for the cross-checks.
constexpr char kProbeName[] = "__card_probe.full_name";
constexpr char kProbeId[] = "__card_probe.id_number";
// A paper's value confirmed by an ID card read at or above the review
// threshold.
constexpr double kCrossCheckedConfidence = 0.95;
constexpr double kContradictedConfidence = 0.3;

struct Page {
  std::string document_id;
  ocr::PageReading reading;
};

// A value read from one card photo.
struct CardValue {
  std::string value;
  double confidence = 0;
  std::string document_id;
};

std::string Lower(const std::string& s) { return ocr::LowerVietnamese(s); }

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

// Every card reading IdCardPrefiller reported for a probe row.
std::vector<CardValue> ProbeValues(const std::vector<records::FieldRow>& rows,
                                   std::string_view key) {
  std::vector<CardValue> out;
  for (const records::FieldRow& row : rows) {
    if (row.key != key || row.readings_json.empty()) continue;
    const auto readings =
        nlohmann::json::parse(row.readings_json, nullptr, false);
    if (!readings.is_array()) continue;
    for (const auto& r : readings) {
      if (!r.is_object()) continue;
      out.push_back({r.value("value", ""), r.value("confidence", 0.0),
                     r.value("document_id", "")});
    }
  }
  return out;
}

// Which page kind a catalog source document names.
bool SourceMatches(const std::string& source, ocr::DocumentKind kind) {
  if (source == kOriginal) return true;  // Any paper can be certified.
  return source == ocr::DocumentKindName(kind);
}

// Compares a paper's person (name and ID number fields) with the cards.
void CrossCheck(ocr::PageReading& page, std::string_view name_key,
                std::string_view id_key, const std::vector<CardValue>& names,
                const std::vector<CardValue>& ids) {
  auto name = page.fields.find(std::string(name_key));
  auto id = page.fields.find(std::string(id_key));
  // The card photo showing this person: same ID number, else same name.
  std::optional<std::string> card_doc;
  if (id != page.fields.end()) {
    for (const CardValue& c : ids) {
      if (c.value == id->second.best.value &&
          c.confidence >= ocr::kReviewThreshold) {
        card_doc = c.document_id;
        id->second.best.confidence =
            std::max(id->second.best.confidence, kCrossCheckedConfidence);
        id->second.best.method = ocr::ReadMethod::kCrossChecked;
        break;
      }
    }
  }
  if (name == page.fields.end()) return;
  const std::string want = Lower(name->second.best.value);
  for (const CardValue& c : names) {
    if (c.confidence < ocr::kReviewThreshold) continue;
    if (card_doc.has_value() && c.document_id != *card_doc) continue;
    if (Lower(c.value) == want) {
      // The card (error-corrected QR, or checked digits) spells it so: the
      // page's other, differing reading was the misread one.
      name->second.best.confidence =
          std::max(name->second.best.confidence, kCrossCheckedConfidence);
      name->second.best.method = ocr::ReadMethod::kCrossChecked;
      name->second.alternatives.clear();
      return;
    }
    if (card_doc.has_value()) {
      // The same person's card spells the name otherwise: show both.
      ocr::Reading alt = name->second.best;
      alt.value = c.value;
      alt.confidence = c.confidence;
      alt.method = ocr::ReadMethod::kQr;
      name->second.alternatives.push_back(alt);
      name->second.best.confidence =
          std::min(name->second.best.confidence, kContradictedConfidence);
      page.notes.push_back(
          "Họ tên trên giấy khác họ tên trên thẻ căn cước "
          "có cùng số định danh.");
      return;
    }
  }
}

void FillRow(records::FieldRow& row, const ocr::ReadField& field,
             const std::string& document_id) {
  const ocr::Reading& best = field.best;
  nlohmann::json readings = nlohmann::json::array();
  readings.push_back(ReadingJson(best, document_id));
  bool disagree = false;
  for (const ocr::Reading& alt : field.alternatives) {
    disagree |= alt.value != best.value;
    readings.push_back(ReadingJson(alt, document_id));
  }
  row.value = best.value;
  row.prefilled_value = best.value;
  row.confidence = best.confidence;
  row.method = std::string(ocr::ReadMethodName(best.method));
  row.document_id = document_id;
  row.region_json = RegionJson(best).dump();
  row.readings_json = readings.dump();
  row.needs_review = disagree || best.confidence < ocr::kReviewThreshold;
  row.review_reason = disagree ? "các nguồn đọc không khớp nhau"
                      : row.needs_review ? "độ tin cậy thấp"
                                         : "";
}

}  // namespace

absl::StatusOr<PrefillResult> FilingPrefiller::Prefill(
    const domain::Procedure& procedure,
    const std::vector<DocumentInput>& docs) {
  if (pages_ == nullptr) {
    auto reader = ocr::PageReader::Create();
    if (!reader.ok()) return reader.status();
    pages_ = *std::move(reader);
  }
  std::vector<Page> pages;
  std::vector<DocumentInput> card_docs;
  for (size_t i = 0; i < docs.size(); ++i) {
    const DocumentInput& doc = docs[i];
    const auto* data = reinterpret_cast<const uint8_t*>(doc.bytes.data());
    auto reading = pages_->Read(
        std::span<const uint8_t>(data, doc.bytes.size()), static_cast<int>(i));
    if (!reading.ok()) {
      LogInfo("prefill.photo_unread", {{"document_id", doc.document_id},
                                       {"error", reading.status().ToString()}});
      continue;
    }
    switch (reading->kind) {
      case ocr::DocumentKind::kBirthNotice:
      case ocr::DocumentKind::kDeathNotice:
      case ocr::DocumentKind::kBirthExtract:
      case ocr::DocumentKind::kOther:
        pages.push_back({doc.document_id, *std::move(reading)});
        break;
      case ocr::DocumentKind::kIdCard:
      case ocr::DocumentKind::kNone:
        // Cards and photos with no readable title: the card reader decides.
        card_docs.push_back(doc);
        break;
    }
  }

  // The ID card fields, by IdCardPrefiller, with two probe fields appended
  // so that every card's name and ID number come back for cross-checks.
  domain::Procedure with_probes = procedure;
  for (const char* key : {kProbeName, kProbeId}) {
    domain::FormField probe;
    probe.key = key;
    probe.source_document = kIdCard;
    probe.source_field =
        std::string_view(key) == kProbeName ? "full_name" : "id_number";
    probe.required = false;
    with_probes.form_fields.push_back(probe);
  }
  PrefillResult result;
  if (!card_docs.empty()) {
    auto cards = cards_.Prefill(with_probes, card_docs);
    if (!cards.ok()) return cards.status();
    result = *std::move(cards);
  } else {
    result.fields = EmptyForm(with_probes, kNoSource);
  }
  const std::vector<CardValue> card_names =
      ProbeValues(result.fields, kProbeName);
  const std::vector<CardValue> card_ids = ProbeValues(result.fields, kProbeId);
  std::erase_if(result.fields, [](const records::FieldRow& row) {
    return row.key == kProbeName || row.key == kProbeId;
  });

  for (Page& page : pages) {
    result.detected_kinds.emplace_back(
        page.document_id,
        std::string(ocr::DocumentKindName(page.reading.kind)));
    if (page.reading.kind == ocr::DocumentKind::kBirthNotice) {
      CrossCheck(page.reading, "mother_name", "mother_id_number", card_names,
                 card_ids);
    } else if (page.reading.kind == ocr::DocumentKind::kDeathNotice) {
      CrossCheck(page.reading, "deceased_name", "id_number", card_names,
                 card_ids);
    }
    for (const std::string& note : page.reading.notes) {
      LogInfo("prefill.page_note",
              {{"document_id", page.document_id}, {"note", note}});
    }
  }

  for (size_t i = 0; i < procedure.form_fields.size(); ++i) {
    const domain::FormField& spec = procedure.form_fields[i];
    if (spec.source_document.empty() || spec.source_document == kIdCard) {
      continue;
    }
    // The best reading of this field among the papers of the right kind;
    // a paper of the kind the catalog names is preferred to any other.
    const ocr::ReadField* best = nullptr;
    const std::string* best_doc = nullptr;
    bool exact_kind = false;
    for (const Page& page : pages) {
      if (!SourceMatches(spec.source_document, page.reading.kind)) continue;
      auto it = page.reading.fields.find(spec.source_field);
      if (it == page.reading.fields.end()) continue;
      const bool exact =
          spec.source_document == ocr::DocumentKindName(page.reading.kind) ||
          (spec.source_document == kOriginal &&
           page.reading.kind == ocr::DocumentKind::kOther);
      if (best == nullptr || (exact && !exact_kind) ||
          (exact == exact_kind &&
           it->second.best.confidence > best->best.confidence)) {
        best = &it->second;
        best_doc = &page.document_id;
        exact_kind = exact;
      }
    }
    if (best != nullptr) FillRow(result.fields[i], *best, *best_doc);
  }
  return result;
}

}  // namespace cdkv::workers
