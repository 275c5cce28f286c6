#ifndef CDKV_SERVICES_AUTH_PRINCIPAL_H_
#define CDKV_SERVICES_AUTH_PRINCIPAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/domain/lifecycle.h"

namespace cdkv::auth {

// The person behind a verified token and what they may see (architecture
// invariant 5). Built only by TokenSigner::Verify and AccountStore, so a
// handler holding one knows the caller was authenticated.
struct Principal {
  std::string account_id;
  domain::Role role = domain::Role::kCitizen;
  std::string display_name;
  // Desks an officer works at; empty for other roles.
  std::vector<std::string> desk_codes;
  // A district-level supervisor has a district (and usually its province);
  // a province-level supervisor has only a province.
  std::string district_code;
  std::string province_code;
  // Staff only: the account's token generation when the token was issued.
  // Disabling an account or resetting its password bumps the stored
  // generation, which is how tokens issued before stop working.
  int64_t token_generation = 0;

  // True for an officer assigned to `desk`.
  bool MayUseDesk(std::string_view desk) const;
  // True for a supervisor whose district or province contains the area.
  // District codes are unique nationwide, so a district supervisor is matched
  // on the district alone; a province supervisor on the province.
  bool Oversees(std::string_view district, std::string_view province) const;
  // True when the principal is the citizen who owns `owner_account_id`.
  bool IsCitizen(std::string_view owner_account_id) const;
};

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_PRINCIPAL_H_
