#include "tools/admin/admin.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/admin/terminal.h"

namespace cdkv::admin {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string Fold(const std::string& username) {
  std::string folded = username;
  absl::AsciiStrToLower(&folded);
  return folded;
}

// JSON text is escaped by the library, but invalid UTF-8 would make it throw.
std::string JsonText(const std::string& text) {
  return Printable(text, text.size() * 4 + 4);
}

// Whether the staff account exists, checked before a password is asked for
// so the operator types it only for a command that can succeed. The store
// checks again under its lock.
absl::StatusOr<bool> StaffExists(const Context& context,
                                 const std::string& username) {
  absl::StatusOr<std::vector<auth::StaffRecord>> staff =
      context.accounts->ListStaff({});
  if (!staff.ok()) return staff.status();
  const std::string folded = Fold(username);
  return std::any_of(
      staff->begin(), staff->end(),
      [&](const auth::StaffRecord& r) { return r.username == folded; });
}

void PrintAuditEntry(const Context& context, const auth::AdminAuditEntry& e) {
  if (context.json) {
    *context.out << nlohmann::json{{"id", e.id},
                                   {"at", Rfc3339(e.at)},
                                   {"operator", JsonText(e.operator_name)},
                                   {"action", JsonText(e.action)},
                                   {"username", JsonText(e.username)},
                                   {"detail", JsonText(e.detail)}}
                        .dump()
                 << "\n";
    return;
  }
  *context.out << Rfc3339(e.at) << "  " << Printable(e.operator_name) << "  "
               << Printable(e.action) << "  " << Printable(e.username) << "  "
               << Printable(e.detail, 400) << "\n";
}

// Echoes the audit row the change just wrote, so what the operator sees is
// exactly what was recorded.
absl::Status PrintChange(const Context& context, const std::string& username,
                         std::string_view action) {
  absl::StatusOr<std::vector<auth::AdminAuditEntry>> recent =
      context.accounts->AdminAudit(50);
  if (!recent.ok()) return recent.status();
  const std::string folded = Fold(username);
  for (auto it = recent->rbegin(); it != recent->rend(); ++it) {
    if (it->username == folded && it->action == action &&
        it->operator_name == context.operator_name) {
      PrintAuditEntry(context, *it);
      return absl::OkStatus();
    }
  }
  return absl::InternalError(
      "the change was made but its audit row was not found");
}

absl::Status Create(const Context& context, auth::StaffAccount account,
                    const PasswordSource& password) {
  if (account.display_name.empty()) account.display_name = account.username;
  if (absl::Status s = auth::AccountStore::CheckStaffFields(account); !s.ok()) {
    return s;
  }
  absl::StatusOr<bool> taken = StaffExists(context, account.username);
  if (!taken.ok()) return taken.status();
  if (*taken) {
    return absl::AlreadyExistsError(absl::StrCat(
        "username \"", Fold(account.username), "\" is taken; choose another"));
  }
  absl::StatusOr<std::string> secret = password();
  if (!secret.ok()) return secret.status();
  account.password = std::move(*secret);
  absl::StatusOr<auth::Principal> created =
      context.accounts->CreateStaffAccount(account, context.clock(),
                                           context.operator_name);
  if (!created.ok()) return created.status();
  return PrintChange(context, account.username, "create");
}

}  // namespace

absl::Status AddOfficer(const Context& context, const std::string& username,
                        const std::vector<std::string>& desks,
                        const std::string& display_name,
                        const PasswordSource& password) {
  if (desks.empty()) {
    return absl::InvalidArgumentError("an officer needs at least one --desk");
  }
  for (const std::string& desk : desks) {
    if (context.catalog->FindDesk(desk) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown desk \"", Printable(desk, 80),
                       "\"; the desks are listed in the catalog folder's "
                       "lap_vo.json"));
    }
  }
  auth::StaffAccount account;
  account.username = username;
  account.role = domain::Role::kOfficer;
  account.display_name = display_name;
  account.desk_codes = desks;
  return Create(context, std::move(account), password);
}

absl::Status AddSupervisor(const Context& context, const std::string& username,
                           const std::string& district,
                           const std::string& province,
                           const std::string& display_name,
                           const PasswordSource& password) {
  if (district.empty() == province.empty()) {
    return absl::InvalidArgumentError(
        "a supervisor oversees exactly one --district or one --province");
  }
  auth::StaffAccount account;
  account.username = username;
  account.role = domain::Role::kSupervisor;
  account.display_name = display_name;
  if (!district.empty()) {
    const domain::District* d = context.catalog->FindDistrict(district);
    if (d == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown district \"", Printable(district, 80), "\" in the catalog"));
    }
    account.district_code = d->code;
    // Recorded for display; the district alone decides what they see.
    account.province_code = d->province_code;
  } else {
    if (context.catalog->FindProvince(province) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown province \"", Printable(province, 80), "\" in the catalog"));
    }
    account.province_code = province;
  }
  return Create(context, std::move(account), password);
}

absl::Status ResetPassword(const Context& context, const std::string& username,
                           const PasswordSource& password) {
  absl::StatusOr<bool> exists = StaffExists(context, username);
  if (!exists.ok()) return exists.status();
  if (!*exists) {
    return absl::NotFoundError(absl::StrCat(
        "no staff account \"", Printable(Fold(username), 80), "\""));
  }
  absl::StatusOr<std::string> secret = password();
  if (!secret.ok()) return secret.status();
  absl::Status s = context.accounts->ResetPassword(
      username, *secret, context.clock(), context.operator_name);
  if (!s.ok()) return s;
  return PrintChange(context, username, "reset_password");
}

absl::Status SetDisabled(const Context& context, const std::string& username,
                         bool disabled) {
  absl::Status s = context.accounts->SetDisabled(
      username, disabled, context.clock(), context.operator_name);
  if (!s.ok()) return s;
  return PrintChange(context, username, disabled ? "disable" : "enable");
}

absl::Status List(const Context& context, const std::string& role,
                  const std::string& desk) {
  auth::StaffFilter filter;
  if (role == "officer") {
    filter.role = domain::Role::kOfficer;
  } else if (role == "supervisor") {
    filter.role = domain::Role::kSupervisor;
  } else if (!role.empty()) {
    return absl::InvalidArgumentError("--role is officer or supervisor");
  }
  filter.desk_code = desk;
  absl::StatusOr<std::vector<auth::StaffRecord>> staff =
      context.accounts->ListStaff(filter);
  if (!staff.ok()) return staff.status();
  if (context.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auth::StaffRecord& r : *staff) {
      nlohmann::json desks = nlohmann::json::array();
      for (const std::string& d : r.desk_codes) desks.push_back(JsonText(d));
      rows.push_back(
          {{"username", JsonText(r.username)},
           {"account_id", JsonText(r.account_id)},
           {"role", std::string(domain::RoleName(r.role))},
           {"display_name", JsonText(r.display_name)},
           {"desks", desks},
           {"district", JsonText(r.district_code)},
           {"province", JsonText(r.province_code)},
           {"created_at", Rfc3339(r.created_at)},
           {"disabled_at", r.disabled_at ? Rfc3339(*r.disabled_at) : ""}});
    }
    *context.out << rows.dump(2) << "\n";
    return absl::OkStatus();
  }
  *context.out << "USERNAME\tROLE\tSTATUS\tSCOPE\tNAME\tCREATED\n";
  for (const auth::StaffRecord& r : *staff) {
    std::string scope;
    if (!r.desk_codes.empty()) {
      scope = absl::StrCat("desks ", absl::StrJoin(r.desk_codes, ","));
    } else if (!r.district_code.empty()) {
      scope = absl::StrCat("district ", r.district_code);
    } else {
      scope = absl::StrCat("province ", r.province_code);
    }
    *context.out << Printable(r.username) << "\t" << domain::RoleName(r.role)
                 << "\t"
                 << (r.disabled_at ? absl::StrCat("disabled since ",
                                                  Rfc3339(*r.disabled_at))
                                   : std::string("active"))
                 << "\t" << Printable(scope, 400) << "\t"
                 << Printable(r.display_name) << "\t" << Rfc3339(r.created_at)
                 << "\n";
  }
  return absl::OkStatus();
}

absl::Status Audit(const Context& context, int limit) {
  absl::StatusOr<std::vector<auth::AdminAuditEntry>> entries =
      context.accounts->AdminAudit(limit);
  if (!entries.ok()) return entries.status();
  for (const auth::AdminAuditEntry& e : *entries) PrintAuditEntry(context, e);
  return absl::OkStatus();
}

}  // namespace cdkv::admin
