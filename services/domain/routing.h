#ifndef CDKV_SERVICES_DOMAIN_ROUTING_H_
#define CDKV_SERVICES_DOMAIN_ROUTING_H_

// Which desk receives a filing and which decides it. A citizen always files
// at their own commune's desk (the app stands in for the trip there); for a
// district-level procedure that desk forwards the dossier to the district's
// one-stop desk ("Tiếp nhận TTHC cấp huyện tại xã").

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/domain/catalog.h"

namespace cdkv::domain {

struct Route {
  std::string procedure_code;
  std::string commune_code;
  std::string receiving_desk_code;  // where the officer claims the filing
  std::string competent_desk_code;  // where the decision is taken
  bool forwarded = false;           // receiving != competent
  // Legal time plus forwarding time, for the SLA calendar.
  int deadline_working_days = 0;
  // The same when the office records that it must verify facts (xác minh);
  // equal to deadline_working_days for procedures without that extension.
  int verification_deadline_working_days = 0;

  friend bool operator==(const Route&, const Route&) = default;
};

// INVALID_ARGUMENT for empty codes, NOT_FOUND for codes not in the catalog,
// FAILED_PRECONDITION if the catalog lacks the desk the rules point to.
absl::StatusOr<Route> RouteFiling(const Catalog& catalog,
                                  absl::string_view procedure_code,
                                  absl::string_view commune_code);

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_ROUTING_H_
