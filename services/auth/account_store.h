#ifndef CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_
#define CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/auth/principal.h"
#include "services/domain/lifecycle.h"
#include "services/store/sqlite.h"

namespace cdkv::auth {

// An officer or supervisor account to create.
struct StaffAccount {
  // 3 to 64 of a-z 0-9 . _ - (upper case is folded to lower case).
  std::string username;
  // 10 to 256 bytes; stored only as an Argon2id hash.
  std::string password;
  // kOfficer or kSupervisor.
  domain::Role role = domain::Role::kOfficer;
  // 1 to 128 bytes.
  std::string display_name;
  // An officer needs 1 to 32 desks; a supervisor none.
  std::vector<std::string> desk_codes;
  // A supervisor needs a district or a province (or both).
  std::string district_code;
  std::string province_code;
};

// A staff account as an operator sees it (never the password hash).
struct StaffRecord {
  std::string account_id;
  std::string username;
  domain::Role role = domain::Role::kOfficer;
  std::string display_name;
  std::vector<std::string> desk_codes;  // Sorted.
  std::string district_code;
  std::string province_code;
  absl::Time created_at;
  std::optional<absl::Time> disabled_at;  // Set while disabled.
};

// Which staff accounts ListStaff returns; empty fields match everything.
struct StaffFilter {
  std::optional<domain::Role> role;
  std::string desk_code;
};

// One recorded administrative change (see AccountStore::AdminAudit).
struct AdminAuditEntry {
  int64_t id = 0;
  absl::Time at;
  // Who ran it, as the caller described them (cdkv-admin: the person behind
  // sudo, the account and uid).
  std::string operator_name;
  // "create", "reset_password", "disable" or "enable".
  std::string action;
  std::string username;
  std::string detail;
};

// A freshly issued sign-in code. `code` goes to the phone and nowhere else.
struct SignInCode {
  std::string phone;  // Normalised.
  std::string code;   // Six digits.
  absl::Time expires_at;
  // How long until this phone may ask for another code.
  absl::Duration retry_after;
};

// Accounts and sign-in secrets in their own SQLite file (`accounts.db` in
// the data directory, mode 0600 since it holds password hashes), apart from
// filings so personal records and credentials can be protected and backed up
// separately.
//
// Thread-safe: one connection behind a mutex. Password hashing (the slow
// part) runs outside the mutex, at most kHashingSlots at a time so a burst of
// sign-ins cannot allocate Argon2id's 64 MiB per hash without bound. Every
// method takes the current time so tests control the clock.
class AccountStore {
 public:
  enum class PasswordCost {
    // Argon2id at libsodium's INTERACTIVE limits (~50 ms, 64 MiB). Production.
    kInteractive,
    // The minimum limits, so tests that hash many passwords stay fast.
    kMinimumForTests,
  };
  struct Options {
    PasswordCost password_cost = PasswordCost::kInteractive;
  };

  static constexpr int kMaxPasswordFailures = 5;
  static constexpr absl::Duration kPasswordFailureWindow = absl::Minutes(15);
  static constexpr absl::Duration kCodeValidity = absl::Minutes(5);
  static constexpr absl::Duration kCodeRequestInterval = absl::Seconds(60);
  static constexpr int kMaxCodeRequestsPerHour = 5;
  static constexpr int kMaxCodeAttempts = 5;
  static constexpr std::ptrdiff_t kHashingSlots = 4;

  // Opens (creating if needed) `data_dir`/accounts.db and brings its schema
  // up to date.
  static absl::StatusOr<std::unique_ptr<AccountStore>> Open(
      const std::filesystem::path& data_dir, const Options& options);

  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // Recorded as the operator of changes made without one (tests, the
  // server's development-mode seeding).
  static constexpr std::string_view kInProcessOperator = "in-process";

  // Every method below that changes a staff account records the change, in
  // the same transaction, in the admin audit table with `by` (1 to 256 bytes
  // of UTF-8 without control characters) as the operator.

  // CreateStaffAccount's checks of everything but the password, so a tool
  // can refuse a bad account before asking for a password.
  static absl::Status CheckStaffFields(const StaffAccount& account);

  // INVALID_ARGUMENT for a field that breaks the rules above (and for a
  // password equal to the username), ALREADY_EXISTS for a taken username.
  absl::StatusOr<Principal> CreateStaffAccount(
      const StaffAccount& account, absl::Time now,
      std::string_view by = kInProcessOperator);

  // Sets a new password (same rules as at creation), clears the failed
  // sign-in count, and ends every token issued before. NOT_FOUND for an
  // unknown username.
  absl::Status ResetPassword(std::string_view username,
                             std::string_view password, absl::Time now,
                             std::string_view by);

  // A disabled account cannot sign in, and every token issued before it was
  // disabled stops working at once (see CheckTokenCurrent). Enabling lets it
  // sign in again; old tokens stay dead. NOT_FOUND for an unknown username,
  // FAILED_PRECONDITION when it is already in the requested state.
  absl::Status SetDisabled(std::string_view username, bool disabled,
                           absl::Time now, std::string_view by);

  // Staff accounts ordered by username.
  absl::StatusOr<std::vector<StaffRecord>> ListStaff(const StaffFilter& filter);

  // The most recent `limit` administrative changes, oldest first.
  absl::StatusOr<std::vector<AdminAuditEntry>> AdminAudit(int limit);

  // For every authenticated call (api::Authorize): OK for a citizen, and for
  // a staff token whose account still exists, is not disabled and has the
  // token's generation; UNAUTHENTICATED saying why otherwise. One indexed
  // read of accounts.db, so changes made by cdkv-admin in another process
  // apply to the very next call.
  absl::Status CheckTokenCurrent(const Principal& principal);

  // The citizen account of `phone` (any accepted format), created on first
  // use. INVALID_ARGUMENT for a number NormalizePhoneNumber refuses.
  absl::StatusOr<Principal> FindOrCreateCitizen(std::string_view phone,
                                                absl::Time now);

  // The staff account, if `password` is right. An unknown username and a
  // wrong password give the same UNAUTHENTICATED message after the same
  // amount of hashing. After kMaxPasswordFailures failures within
  // kPasswordFailureWindow, RESOURCE_EXHAUSTED (with a retry-after, see
  // grpc_status.h) even for the right password, until the window passes.
  absl::StatusOr<Principal> VerifyPassword(std::string_view username,
                                           std::string_view password,
                                           absl::Time now);

  // A new six-digit code for `phone`, valid kCodeValidity; it replaces any
  // earlier code. RESOURCE_EXHAUSTED (with a retry-after) within
  // kCodeRequestInterval of the last request or after kMaxCodeRequestsPerHour
  // requests in the past hour.
  absl::StatusOr<SignInCode> IssueSignInCode(std::string_view phone,
                                             absl::Time now);

  // The citizen, if `code` is the pending code of `phone`. A code works once;
  // kMaxCodeAttempts wrong guesses kill it. UNAUTHENTICATED otherwise.
  absl::StatusOr<Principal> VerifySignInCode(std::string_view phone,
                                             std::string_view code,
                                             absl::Time now);

 private:
  AccountStore(store::Database db, store::Database check_db, Options options)
      : db_(std::move(db)), check_db_(std::move(check_db)), options_(options) {}

  absl::StatusOr<std::string> HashPassword(std::string_view password);
  bool PasswordMatches(const std::string& hash, std::string_view password);
  // Requires mu_.
  absl::StatusOr<Principal> LoadStaffLocked(const std::string& account_id);
  absl::StatusOr<Principal> FindOrCreateCitizenLocked(const std::string& phone,
                                                      absl::Time now);

  // Requires mu_ and an open transaction: one admin audit row.
  absl::Status RecordAdminChangeLocked(absl::Time now, std::string_view by,
                                       std::string_view action,
                                       std::string_view username,
                                       std::string_view detail);

  std::mutex mu_;
  store::Database db_;  // Guarded by mu_.
  // CheckTokenCurrent runs on every call, so it has its own connection (WAL
  // readers never wait for a writer's fsync) and a statement prepared once,
  // declared after its connection so it is finalized first.
  std::mutex check_mu_;
  store::Database check_db_;                     // Guarded by check_mu_.
  std::optional<store::Statement> token_check_;  // Guarded by check_mu_.
  const Options options_;
  // Verified against when the username is unknown, so that case costs what
  // a wrong password costs.
  std::string dummy_hash_;
  std::counting_semaphore<kHashingSlots> hashing_slots_{kHashingSlots};
};

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_
