#ifndef CDKV_SERVICES_RECORDS_RECORDS_H_
#define CDKV_SERVICES_RECORDS_RECORDS_H_

// Rows of the record store as value types. Times are absl::Time; absent times
// are nullopt.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/domain/lifecycle.h"

namespace cdkv::records {

struct FilingRow {
  std::string id;
  std::string procedure_code;
  std::string commune_code;
  std::string desk_code;       // the desk whose queue holds the filing now
  std::string competent_desk;  // the desk that decides (differs for district
                               // procedures)
  std::string citizen_id;
  std::string channel = "app";  // app, chat, desk
  domain::State state = domain::State::kDraft;
  int64_t version = 0;
  absl::Time created_at;
  std::optional<absl::Time> submitted_at;
  std::optional<absl::Time> deadline;
  std::string delivery = "desk_pickup";  // desk_pickup, home, post
  std::string delivery_address;
  std::string claimed_by;
  std::optional<absl::Time> claimed_at;
  std::optional<absl::Time> claim_expires_at;
  int64_t handling_ms =
      0;  // officer time between claims and confirmation, summed
  std::string officer_message;
  std::string pickup_code_hash;
  std::string pickup_json;  // the PickupDetails shown to the citizen, as JSON
  std::optional<absl::Time> confirmed_at;
  std::optional<absl::Time> ready_at;
  std::optional<absl::Time> completed_at;
  int rating = 0;
  std::string rating_comment;
};

struct DocumentRow {
  std::string filing_id;
  std::string document_id;
  std::string declared_kind;
  std::string detected_kind;
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  int width = 0;
  int height = 0;
  std::string quality_problem;  // empty when usable
  std::string quality_advice;
  double sharpness = 0;
  absl::Time uploaded_at;
};

struct FieldRow {
  std::string filing_id;
  std::string form_code;
  int position = 0;
  std::string key;
  std::string label;
  std::string value;
  double confidence = 0;
  std::string method;  // qr, mrz, printed_text, cross_checked, officer,
                       // citizen; empty: no source
  std::string document_id;
  std::string region_json;  // [[x,y],...] four corners, or empty
  std::string readings_json = "[]";
  bool needs_review = true;
  std::string review_reason;
  bool corrected = false;
  std::string prefilled_value;
  bool required = false;
};

struct AuditRow {
  int64_t id = 0;
  absl::Time at;
  std::string actor_id;
  std::string role;
  std::string action;
  std::string filing_id;
  std::string detail;
};

struct OutboxRow {
  int64_t id = 0;
  std::string kind;
  std::string payload;  // JSON
  absl::Time at;
};

struct NotificationRow {
  int64_t id = 0;
  std::string citizen_id;
  std::string filing_id;
  std::string kind;
  std::string text;
  std::string pickup_json;
  absl::Time at;
};

}  // namespace cdkv::records

#endif  // CDKV_SERVICES_RECORDS_RECORDS_H_
