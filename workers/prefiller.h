#ifndef CDKV_WORKERS_PREFILLER_H_
#define CDKV_WORKERS_PREFILLER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/api/prefill_route.h"
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

// FormCode and EmptyForm live with the handlers, which fill the empty form
// themselves when pre-fill is off.
using api::EmptyForm;
using api::FormCode;

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_PREFILLER_H_
