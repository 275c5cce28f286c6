#include "services/api/prefill_route.h"

#include "absl/strings/str_cat.h"
#include "services/api/filing_ops.h"
#include "workers/outbox_kinds.h"

namespace cdkv::api {

std::string FormCode(const domain::Procedure& procedure) {
  return absl::StrCat("to_khai_", procedure.code);
}

std::vector<records::FieldRow> EmptyForm(const domain::Procedure& procedure,
                                         std::string_view reason) {
  std::vector<records::FieldRow> fields;
  const std::string form = FormCode(procedure);
  int position = 0;
  for (const domain::FormField& f : procedure.form_fields) {
    records::FieldRow row;
    row.form_code = form;
    row.position = position++;
    row.key = f.key;
    row.label = f.label_vi;
    row.required = f.required;
    row.needs_review = true;
    row.review_reason = std::string(reason);
    fields.push_back(std::move(row));
  }
  return fields;
}

absl::Status QueueForPrefill(const domain::Catalog& catalog, bool prefill_off,
                             records::Tx& tx, records::FilingRow& filing,
                             absl::Time now,
                             std::vector<cdkv::v1::FilingEvent>* events) {
  if (!prefill_off) return workers::AddOcrJob(tx, filing.id, now);
  return RouteWithoutPrefill(catalog, tx, filing, now, events);
}

absl::Status RouteWithoutPrefill(const domain::Catalog& catalog,
                                 records::Tx& tx, records::FilingRow& filing,
                                 absl::Time now,
                                 std::vector<cdkv::v1::FilingEvent>* events) {
  const Actor actor = Actor::System(kPrefillOffActor);
  if (filing.state == domain::State::kSubmitted) {
    if (absl::Status s = ApplyAction(tx, filing, domain::Action::kStartPrefill,
                                     actor, "", now, events);
        !s.ok()) {
      return s;
    }
  }
  // An unknown procedure has no form to leave empty: the officer fills it.
  std::vector<records::FieldRow> fields;
  if (const domain::Procedure* procedure =
          catalog.FindProcedure(filing.procedure_code)) {
    fields = EmptyForm(*procedure, kPrefillOffReason);
  }
  for (records::FieldRow& field : fields) field.filing_id = filing.id;
  if (absl::Status s = tx.ReplaceFields(filing.id, fields); !s.ok()) return s;
  if (absl::Status s = ApplyAction(tx, filing, domain::Action::kFinishPrefill,
                                   actor, kPrefillOffReason, now, events);
      !s.ok()) {
    return s;
  }
  return workers::AddDeskEnqueue(tx, filing, now);
}

}  // namespace cdkv::api
