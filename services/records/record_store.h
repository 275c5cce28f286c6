#ifndef CDKV_SERVICES_RECORDS_RECORD_STORE_H_
#define CDKV_SERVICES_RECORDS_RECORD_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/domain/lifecycle.h"
#include "services/records/records.h"
#include "services/store/sqlite.h"

namespace cdkv::records {

// One transaction's view of the record store. Only RecordStore makes these;
// every change made through one commits together or not at all.
class Tx {
 public:
  // The stored first answer to (principal, request_id), if any. A request id
  // reused for a different method is INVALID_ARGUMENT: a client bug that must
  // not return a wrong answer.
  absl::StatusOr<std::optional<std::string>> FindResponse(
      std::string_view principal, std::string_view request_id,
      std::string_view method);
  absl::Status SaveResponse(std::string_view principal,
                            std::string_view request_id,
                            std::string_view method, std::string_view response,
                            absl::Time at);

  absl::Status InsertFiling(const FilingRow& filing);
  // NOT_FOUND when there is no such filing.
  absl::StatusOr<FilingRow> GetFiling(std::string_view id);
  // Writes every column of `filing` and bumps its version. ABORTED when the
  // stored version is not `filing.version` (someone else changed it first).
  absl::Status UpdateFiling(FilingRow& filing);
  absl::StatusOr<std::vector<FilingRow>> FilingsOfCitizen(
      std::string_view citizen_id, int limit, int offset);
  absl::StatusOr<std::vector<FilingRow>> FilingsInStates(
      const std::vector<domain::State>& states, int limit);
  // A desk's filings in `states`, the nearest deadline first.
  absl::StatusOr<std::vector<FilingRow>> FilingsAtDesk(
      std::string_view desk_code, const std::vector<domain::State>& states,
      int limit);
  // Filings submitted in [from, to), for reports.
  absl::StatusOr<std::vector<FilingRow>> FilingsSubmittedBetween(
      absl::Time from, absl::Time to);

  absl::Status AppendHistory(std::string_view filing_id,
                             const domain::Transition& transition);
  absl::StatusOr<std::vector<domain::Transition>> History(
      std::string_view filing_id);

  absl::Status InsertDocument(const DocumentRow& document);
  absl::Status UpdateDocument(const DocumentRow& document);
  absl::Status DeleteDocument(std::string_view filing_id,
                              std::string_view document_id);
  absl::StatusOr<std::vector<DocumentRow>> Documents(
      std::string_view filing_id);

  // Replaces the filing's fields of the forms named in `fields`.
  absl::Status ReplaceFields(std::string_view filing_id,
                             const std::vector<FieldRow>& fields);
  absl::Status UpdateField(const FieldRow& field);
  absl::StatusOr<std::vector<FieldRow>> Fields(std::string_view filing_id);

  absl::Status Audit(const AuditRow& row);
  absl::StatusOr<std::vector<AuditRow>> AuditTrail(std::string_view filing_id,
                                                   int limit);

  absl::Status AddOutbox(std::string_view kind, std::string_view payload,
                         absl::Time at);
  absl::StatusOr<std::vector<OutboxRow>> PendingOutbox(int limit);
  absl::Status DeleteOutbox(int64_t id);

  absl::StatusOr<int64_t> AddNotification(const NotificationRow& row);
  absl::StatusOr<std::vector<NotificationRow>> Notifications(
      std::string_view citizen_id, int limit, int offset);

 private:
  friend class RecordStore;
  explicit Tx(store::Database& db) : db_(db) {}
  store::Database& db_;
};

// The source of truth: filings, their documents, forms, history, audit trail,
// the outbox and notifications, in one SQLite database (WAL, foreign keys,
// versioned migrations). One connection serialised by a mutex: SQLite has one
// writer anyway, and a transaction here is a few statements.
class RecordStore {
 public:
  static absl::StatusOr<std::unique_ptr<RecordStore>> Open(
      const std::string& path);

  // Runs `body` in one transaction; commits when it returns OK, rolls back
  // otherwise.
  absl::Status Write(const std::function<absl::Status(Tx&)>& body);
  // Runs `body` on a consistent snapshot; nothing it does is committed.
  absl::Status Read(const std::function<absl::Status(Tx&)>& body);

 private:
  explicit RecordStore(store::Database db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  store::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cdkv::records

#endif  // CDKV_SERVICES_RECORDS_RECORD_STORE_H_
