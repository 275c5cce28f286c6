#include "services/domain/routing.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::domain {

absl::StatusOr<Route> RouteFiling(const Catalog& catalog,
                                  absl::string_view procedure_code,
                                  absl::string_view commune_code) {
  if (procedure_code.empty()) {
    return absl::InvalidArgumentError(
        "no procedure chosen; pick one from the catalog");
  }
  if (commune_code.empty()) {
    return absl::InvalidArgumentError(
        "no commune given; the citizen's commune decides the desk");
  }
  const Procedure* procedure = catalog.FindProcedure(procedure_code);
  if (procedure == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown procedure \"",
                                            procedure_code,
                                            "\"; it is not in the catalog"));
  }
  const Commune* commune = catalog.FindCommune(commune_code);
  if (commune == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown commune \"", commune_code,
                     "\"; no one-stop desk serves it in this deployment"));
  }
  if (catalog.FindDesk(commune->desk_code) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("commune \"", commune->code, "\" points to desk \"",
                     commune->desk_code, "\", which is not in the catalog"));
  }

  Route route;
  route.procedure_code = procedure->code;
  route.commune_code = commune->code;
  route.receiving_desk_code = commune->desk_code;
  route.competent_desk_code = commune->desk_code;
  route.deadline_working_days = procedure->processing.working_days;
  route.verification_deadline_working_days =
      std::max(procedure->processing.working_days,
               procedure->processing.verification_working_days);

  if (procedure->level == Level::kDistrict) {
    const District* district = catalog.FindDistrict(commune->district_code);
    if (district == nullptr ||
        catalog.FindDesk(district->desk_code) == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("procedure \"", procedure->code,
                       "\" is decided by the district, but "
                       "district \"",
                       commune->district_code, "\" of commune \"",
                       commune->code, "\" has no desk in the catalog"));
    }
    route.competent_desk_code = district->desk_code;
    route.forwarded = true;
    route.deadline_working_days +=
        procedure->processing.forwarding_working_days;
    route.verification_deadline_working_days +=
        procedure->processing.forwarding_working_days;
  }
  return route;
}

}  // namespace cdkv::domain
