#ifndef CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_
#define CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_

#include <filesystem>
#include <memory>
#include <mutex>
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

  // INVALID_ARGUMENT for a field that breaks the rules above,
  // ALREADY_EXISTS for a taken username.
  absl::StatusOr<Principal> CreateStaffAccount(const StaffAccount& account,
                                               absl::Time now);

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
  AccountStore(store::Database db, Options options)
      : db_(std::move(db)), options_(options) {}

  absl::StatusOr<std::string> HashPassword(std::string_view password);
  bool PasswordMatches(const std::string& hash, std::string_view password);
  // Requires mu_.
  absl::StatusOr<Principal> LoadStaffLocked(const std::string& account_id);
  absl::StatusOr<Principal> FindOrCreateCitizenLocked(const std::string& phone,
                                                      absl::Time now);

  std::mutex mu_;
  store::Database db_;  // Guarded by mu_.
  const Options options_;
  // Verified against when the username is unknown, so that case costs what
  // a wrong password costs.
  std::string dummy_hash_;
  std::counting_semaphore<kHashingSlots> hashing_slots_{kHashingSlots};
};

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_ACCOUNT_STORE_H_
