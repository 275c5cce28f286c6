#ifndef CDKV_TOOLS_ADMIN_ADMIN_H_
#define CDKV_TOOLS_ADMIN_ADMIN_H_

// The commands of cdkv-admin, over an open AccountStore and the catalog.
// Each change is recorded by AccountStore in the admin audit table (same
// transaction) and echoed as that audit line on `out`.

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/auth/account_store.h"
#include "services/domain/catalog.h"

namespace cdkv::admin {

// Asked only once everything else checked out, so an operator never types
// a password for a command that is refused anyway.
using PasswordSource = std::function<absl::StatusOr<std::string>()>;

struct Context {
  auth::AccountStore* accounts = nullptr;
  const domain::Catalog* catalog = nullptr;
  std::string operator_name;
  std::ostream* out = nullptr;
  bool json = false;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

absl::Status AddOfficer(const Context& context, const std::string& username,
                        const std::vector<std::string>& desks,
                        const std::string& display_name,
                        const PasswordSource& password);

// Exactly one of `district` and `province`.
absl::Status AddSupervisor(const Context& context, const std::string& username,
                           const std::string& district,
                           const std::string& province,
                           const std::string& display_name,
                           const PasswordSource& password);

absl::Status ResetPassword(const Context& context, const std::string& username,
                           const PasswordSource& password);

absl::Status SetDisabled(const Context& context, const std::string& username,
                         bool disabled);

// `role` is "", "officer" or "supervisor".
absl::Status List(const Context& context, const std::string& role,
                  const std::string& desk);

absl::Status Audit(const Context& context, int limit);

}  // namespace cdkv::admin

#endif  // CDKV_TOOLS_ADMIN_ADMIN_H_
