#ifndef CDKV_WORKERS_PREFILLER_H_
#define CDKV_WORKERS_PREFILLER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/domain/catalog.h"
#include "services/records/records.h"

namespace cdkv::workers {

// One photo of a filing, as the citizen uploaded it.
struct DocumentInput {
  std::string document_id;
  std::string declared_kind;
  std::string bytes;
};

struct PrefillResult {
  // The procedure's form, one row per form field (see EmptyForm).
  std::vector<records::FieldRow> fields;
  // (document_id, kind) for documents recognised, e.g. ("d1", "id_card").
  std::vector<std::pair<std::string, std::string>> detected_kinds;
};

// Reads a filing's photos and pre-fills the procedure's form. Never guesses:
// a field it cannot read stays empty with needs_review. Instances need not be
// thread-safe (Tesseract is not); OcrPool gives each thread its own.
class Prefiller {
 public:
  virtual ~Prefiller() = default;
  virtual absl::StatusOr<PrefillResult> Prefill(
      const domain::Procedure& procedure,
      const std::vector<DocumentInput>& docs) = 0;
};

using PrefillerFactory = std::function<std::unique_ptr<Prefiller>()>;

// The form a procedure's filings carry: one form, coded "to_khai_<procedure>".
std::string FormCode(const domain::Procedure& procedure);

// Every field of the procedure's form, in catalog order, empty, needing
// review for `reason`. `filing_id` is left empty; the pool fills it in.
std::vector<records::FieldRow> EmptyForm(const domain::Procedure& procedure,
                                         std::string_view reason);

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_PREFILLER_H_
