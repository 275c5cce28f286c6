#include "services/auth/principal.h"

#include <algorithm>

namespace cdkv::auth {

bool Principal::MayUseDesk(std::string_view desk) const {
  if (role != domain::Role::kOfficer || desk.empty()) return false;
  return std::find(desk_codes.begin(), desk_codes.end(), desk) !=
         desk_codes.end();
}

bool Principal::Oversees(std::string_view district,
                         std::string_view province) const {
  if (role != domain::Role::kSupervisor) return false;
  if (!district_code.empty()) return district == district_code;
  return !province_code.empty() && province == province_code;
}

bool Principal::IsCitizen(std::string_view owner_account_id) const {
  return role == domain::Role::kCitizen && !account_id.empty() &&
         account_id == owner_account_id;
}

}  // namespace cdkv::auth
