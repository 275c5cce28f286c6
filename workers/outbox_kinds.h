#ifndef CDKV_WORKERS_OUTBOX_KINDS_H_
#define CDKV_WORKERS_OUTBOX_KINDS_H_

// The contract between code that writes outbox rows (the API, the workers) and
// the OutboxDispatcher that carries them to Redis. Header-only so the API
// library can include it without linking the workers.
//
//   kind          payload (JSON object)                       Redis effect
//   ocr_job       {"filing_id"}                               XADD to the "ocr"
//   job stream desk_enqueue  {"desk","filing_id","deadline_ms"}
//   DeskQueue::Enqueue desk_remove   {"desk","filing_id"} DeskQueue::Remove
//   notify        {"notification_id","citizen_id"}            XADD to the
//   "notifications" stream
//
// Write a row in the same transaction as the change that causes it, then call
// Deps::poke_outbox after the commit. Every effect is idempotent, so a row
// delivered twice (crash after Redis accepted it, before the row was deleted)
// does no harm. `notify` carries the citizen id because the record store finds
// notifications by citizen.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/records/record_store.h"
#include "services/records/records.h"

namespace cdkv::workers {

inline constexpr std::string_view kOutboxOcrJob = "ocr_job";
inline constexpr std::string_view kOutboxDeskEnqueue = "desk_enqueue";
inline constexpr std::string_view kOutboxDeskRemove = "desk_remove";
inline constexpr std::string_view kOutboxNotify = "notify";
inline constexpr std::string_view kOutboxSms = "sms";

// Job stream names (queue::JobStream) and the fields of their jobs.
inline constexpr std::string_view kOcrStream = "ocr";
inline constexpr std::string_view kNotificationStream = "notifications";
inline constexpr std::string_view kJobFilingId = "filing_id";
inline constexpr std::string_view kJobNotificationId = "notification_id";
inline constexpr std::string_view kJobCitizenId = "citizen_id";
inline constexpr std::string_view kJobPhone = "phone";
inline constexpr std::string_view kJobText = "text";

struct OcrJobPayload {
  std::string filing_id;
};

struct DeskEnqueuePayload {
  std::string desk;
  std::string filing_id;
  absl::Time deadline;  // Millisecond precision.
};

struct DeskRemovePayload {
  std::string desk;
  std::string filing_id;
};

struct NotifyPayload {
  int64_t notification_id = 0;
  std::string citizen_id;
};

// A text message to a phone that has no account yet (sign-in codes). The row
// holds the text only until the dispatcher hands it to the notification stream,
// then it is deleted.
struct SmsPayload {
  std::string phone;
  std::string text;
};

namespace outbox_internal {

inline absl::StatusOr<nlohmann::json> ParseObject(std::string_view kind,
                                                  std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(kind),
        " payload is not a JSON object: ", std::string(text.substr(0, 200))));
  }
  return json;
}

inline absl::StatusOr<std::string> NonEmptyString(const nlohmann::json& json,
                                                  std::string_view kind,
                                                  const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_string() ||
      it->get_ref<const std::string&>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(kind), " payload needs a non-empty string \"", key, "\""));
  }
  return it->get<std::string>();
}

inline absl::StatusOr<int64_t> Integer(const nlohmann::json& json,
                                       std::string_view kind, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_number_integer()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(kind), " payload needs an integer \"", key, "\""));
  }
  return it->get<int64_t>();
}

}  // namespace outbox_internal

inline std::string ToJson(const OcrJobPayload& p) {
  return nlohmann::json{{"filing_id", p.filing_id}}.dump();
}

inline std::string ToJson(const DeskEnqueuePayload& p) {
  return nlohmann::json{{"desk", p.desk},
                        {"filing_id", p.filing_id},
                        {"deadline_ms", absl::ToUnixMillis(p.deadline)}}
      .dump();
}

inline std::string ToJson(const DeskRemovePayload& p) {
  return nlohmann::json{{"desk", p.desk}, {"filing_id", p.filing_id}}.dump();
}

inline std::string ToJson(const NotifyPayload& p) {
  return nlohmann::json{{"notification_id", p.notification_id},
                        {"citizen_id", p.citizen_id}}
      .dump();
}

inline std::string ToJson(const SmsPayload& p) {
  return nlohmann::json{{"phone", p.phone}, {"text", p.text}}.dump();
}

inline absl::StatusOr<OcrJobPayload> ParseOcrJob(std::string_view text) {
  auto json = outbox_internal::ParseObject(kOutboxOcrJob, text);
  if (!json.ok()) return json.status();
  auto filing =
      outbox_internal::NonEmptyString(*json, kOutboxOcrJob, "filing_id");
  if (!filing.ok()) return filing.status();
  return OcrJobPayload{*std::move(filing)};
}

inline absl::StatusOr<DeskEnqueuePayload> ParseDeskEnqueue(
    std::string_view text) {
  auto json = outbox_internal::ParseObject(kOutboxDeskEnqueue, text);
  if (!json.ok()) return json.status();
  auto desk =
      outbox_internal::NonEmptyString(*json, kOutboxDeskEnqueue, "desk");
  if (!desk.ok()) return desk.status();
  auto filing =
      outbox_internal::NonEmptyString(*json, kOutboxDeskEnqueue, "filing_id");
  if (!filing.ok()) return filing.status();
  auto deadline =
      outbox_internal::Integer(*json, kOutboxDeskEnqueue, "deadline_ms");
  if (!deadline.ok()) return deadline.status();
  return DeskEnqueuePayload{*std::move(desk), *std::move(filing),
                            absl::FromUnixMillis(*deadline)};
}

inline absl::StatusOr<DeskRemovePayload> ParseDeskRemove(
    std::string_view text) {
  auto json = outbox_internal::ParseObject(kOutboxDeskRemove, text);
  if (!json.ok()) return json.status();
  auto desk = outbox_internal::NonEmptyString(*json, kOutboxDeskRemove, "desk");
  if (!desk.ok()) return desk.status();
  auto filing =
      outbox_internal::NonEmptyString(*json, kOutboxDeskRemove, "filing_id");
  if (!filing.ok()) return filing.status();
  return DeskRemovePayload{*std::move(desk), *std::move(filing)};
}

inline absl::StatusOr<NotifyPayload> ParseNotify(std::string_view text) {
  auto json = outbox_internal::ParseObject(kOutboxNotify, text);
  if (!json.ok()) return json.status();
  auto id = outbox_internal::Integer(*json, kOutboxNotify, "notification_id");
  if (!id.ok()) return id.status();
  auto citizen =
      outbox_internal::NonEmptyString(*json, kOutboxNotify, "citizen_id");
  if (!citizen.ok()) return citizen.status();
  return NotifyPayload{*id, *std::move(citizen)};
}

inline absl::StatusOr<SmsPayload> ParseSms(std::string_view text) {
  auto json = outbox_internal::ParseObject(kOutboxSms, text);
  if (!json.ok()) return json.status();
  auto phone = outbox_internal::NonEmptyString(*json, kOutboxSms, "phone");
  if (!phone.ok()) return phone.status();
  auto body = outbox_internal::NonEmptyString(*json, kOutboxSms, "text");
  if (!body.ok()) return body.status();
  return SmsPayload{*std::move(phone), *std::move(body)};
}

// The deadline a filing is queued under. A filing without a legal deadline
// (none computed yet) sorts by when it was created, ahead of later ones.
inline absl::Time QueueDeadline(const records::FilingRow& filing) {
  return filing.deadline.value_or(filing.created_at);
}

// Helpers for writers: each adds the row to `tx`, in the caller's
// transaction.
inline absl::Status AddOcrJob(records::Tx& tx, std::string_view filing_id,
                              absl::Time now) {
  return tx.AddOutbox(kOutboxOcrJob,
                      ToJson(OcrJobPayload{std::string(filing_id)}), now);
}

// Queues `filing` at its current desk (FilingRow::desk_code).
inline absl::Status AddDeskEnqueue(records::Tx& tx,
                                   const records::FilingRow& filing,
                                   absl::Time now) {
  return tx.AddOutbox(kOutboxDeskEnqueue,
                      ToJson(DeskEnqueuePayload{filing.desk_code, filing.id,
                                                QueueDeadline(filing)}),
                      now);
}

inline absl::Status AddDeskRemove(records::Tx& tx, std::string_view desk,
                                  std::string_view filing_id, absl::Time now) {
  return tx.AddOutbox(
      kOutboxDeskRemove,
      ToJson(DeskRemovePayload{std::string(desk), std::string(filing_id)}),
      now);
}

// Adds the notification row and the outbox row that sends it; returns the
// notification's id.
inline absl::StatusOr<int64_t> AddNotify(records::Tx& tx,
                                         const records::NotificationRow& row) {
  absl::StatusOr<int64_t> id = tx.AddNotification(row);
  if (!id.ok()) return id.status();
  absl::Status status = tx.AddOutbox(
      kOutboxNotify, ToJson(NotifyPayload{*id, row.citizen_id}), row.at);
  if (!status.ok()) return status;
  return id;
}

inline absl::Status AddSms(records::Tx& tx, const SmsPayload& sms,
                           absl::Time at) {
  return tx.AddOutbox(kOutboxSms, ToJson(sms), at);
}

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_OUTBOX_KINDS_H_
