#include "workers/prefiller.h"

#include "absl/strings/str_cat.h"

namespace cdkv::workers {

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

}  // namespace cdkv::workers
