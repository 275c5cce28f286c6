#ifndef CDKV_SERVICES_API_PREFILL_ROUTE_H_
#define CDKV_SERVICES_API_PREFILL_ROUTE_H_

// Where a submitted filing goes next: to the OCR pool through the outbox, or,
// with pre-fill off, straight to its desk in the same transaction as the
// submit. Shared by the handlers (submit, documents supplied) and the outbox
// dispatcher (OCR jobs queued before pre-fill was turned off).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cdkv/v1/common.pb.h"
#include "services/domain/catalog.h"
#include "services/records/record_store.h"

namespace cdkv::api {

// Why every field is flagged, and who moved the filing, when pre-fill is off.
inline constexpr char kPrefillOffReason[] = "tự điền đang tắt";
inline constexpr char kPrefillOffActor[] = "prefill-off";

// The form a procedure's filings carry: one form, coded "to_khai_<procedure>".
std::string FormCode(const domain::Procedure& procedure);

// Every field of the procedure's form, in catalog order, empty, needing
// review for `reason`. `filing_id` is left empty for the caller to set.
std::vector<records::FieldRow> EmptyForm(const domain::Procedure& procedure,
                                         std::string_view reason);

// A filing just submitted (or resubmitted with more documents) goes to
// pre-fill: with `prefill_off` false, an OCR job in the outbox; with it true,
// RouteWithoutPrefill.
absl::Status QueueForPrefill(const domain::Catalog& catalog, bool prefill_off,
                             records::Tx& tx, records::FilingRow& filing,
                             absl::Time now,
                             std::vector<cdkv::v1::FilingEvent>* events);

// submitted (or prefilling) → prefilling → awaiting_desk, with the
// procedure's empty form, every field flagged kPrefillOffReason for the
// officer, and a desk_enqueue outbox row that carries it to the desk's queue.
// Every step is in the filing's history, by kPrefillOffActor.
absl::Status RouteWithoutPrefill(const domain::Catalog& catalog,
                                 records::Tx& tx, records::FilingRow& filing,
                                 absl::Time now,
                                 std::vector<cdkv::v1::FilingEvent>* events);

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_PREFILL_ROUTE_H_
