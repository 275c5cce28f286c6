#include "services/auth/account_store.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <system_error>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/string_view.h"
#include "services/auth/grpc_status.h"
#include "services/auth/phone.h"
#include "services/store/migrations.h"

namespace cdkv::auth {
namespace {

using store::Database;
using store::Statement;
using store::Transaction;

constexpr store::Migration kSchemaV1 = {1, "accounts", R"sql(
CREATE TABLE citizens (
  account_id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  created_us INTEGER NOT NULL
);
CREATE TABLE staff (
  account_id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor')),
  display_name TEXT NOT NULL,
  district_code TEXT NOT NULL,
  province_code TEXT NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE TABLE staff_desks (
  account_id TEXT NOT NULL REFERENCES staff (account_id) ON DELETE CASCADE,
  desk_code TEXT NOT NULL,
  PRIMARY KEY (account_id, desk_code)
) WITHOUT ROWID;
-- One row per failed (or still running) password attempt, pruned once older
-- than the throttling window.
CREATE TABLE password_failures (
  username TEXT NOT NULL,
  at_us INTEGER NOT NULL
);
CREATE INDEX password_failures_by_username
  ON password_failures (username, at_us);
-- The one pending code per phone; a new request replaces it.
CREATE TABLE sign_in_codes (
  phone TEXT PRIMARY KEY,
  salt BLOB NOT NULL,
  code_hash BLOB NOT NULL,
  expires_us INTEGER NOT NULL,
  wrong_attempts INTEGER NOT NULL
);
-- One row per code sent in the past hour, for rate limiting.
CREATE TABLE code_requests (
  phone TEXT NOT NULL,
  at_us INTEGER NOT NULL
);
CREATE INDEX code_requests_by_phone ON code_requests (phone, at_us);
)sql"};

// Admin changes must be traceable to a person, and an account that left must
// be shut out at once: a disabled flag, and a token generation that tokens
// carry and every call compares (see CheckTokenCurrent).
constexpr store::Migration kSchemaV2 = {2, "staff administration", R"sql(
ALTER TABLE staff ADD COLUMN disabled_us INTEGER;
ALTER TABLE staff ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
CREATE TABLE admin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  operator TEXT NOT NULL,
  action TEXT NOT NULL,
  username TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql"};

constexpr size_t kMinUsername = 3;
constexpr size_t kMaxUsername = 64;
constexpr size_t kMinPassword = 10;
constexpr size_t kMaxPassword = 256;
constexpr size_t kMaxDisplayName = 128;
constexpr size_t kMaxOperator = 256;
constexpr size_t kMaxCode = 64;
constexpr size_t kMaxDesks = 32;
constexpr int kCodeDigits = 6;
constexpr absl::Duration kCodeRequestWindow = absl::Hours(1);

using Param = std::variant<int64_t, std::string_view>;

absl::StatusOr<Statement> Prepare(Database& db, std::string_view sql,
                                  std::initializer_list<Param> params) {
  absl::StatusOr<Statement> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  int index = 1;
  for (const Param& param : params) {
    absl::Status bound =
        std::holds_alternative<int64_t>(param)
            ? stmt->BindInt64(index, std::get<int64_t>(param))
            : stmt->BindText(index, std::get<std::string_view>(param));
    if (!bound.ok()) return bound;
    ++index;
  }
  return stmt;
}

absl::Status Run(Database& db, std::string_view sql,
                 std::initializer_list<Param> params) {
  absl::StatusOr<Statement> stmt = Prepare(db, sql, params);
  if (!stmt.ok()) return stmt.status();
  return stmt->Run();
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

std::string NewAccountId(absl::string_view prefix) {
  unsigned char bytes[12];
  randombytes_buf(bytes, sizeof(bytes));
  char text[sodium_base64_ENCODED_LEN(
      sizeof(bytes), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof(text), bytes, sizeof(bytes),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return absl::StrCat(prefix, text);
}

bool IsCodeChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
}

// Desk, district and province codes.
absl::Status CheckCode(absl::string_view what, absl::string_view code) {
  if (code.empty() || code.size() > kMaxCode ||
      !std::all_of(code.begin(), code.end(), IsCodeChar)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", code.substr(0, kMaxCode), "\" must be 1 to ",
                     kMaxCode, " letters, digits, '.', '_' or '-'"));
  }
  return absl::OkStatus();
}

std::string FoldUsername(std::string_view username) {
  std::string folded(username);
  absl::AsciiStrToLower(&folded);
  return folded;
}

absl::Status CheckUsername(std::string_view folded) {
  if (folded.size() < kMinUsername || folded.size() > kMaxUsername ||
      !std::all_of(folded.begin(), folded.end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
               c == '_' || c == '-';
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("username must be ", kMinUsername, " to ", kMaxUsername,
                     " letters, digits, '.', '_' or '-'"));
  }
  return absl::OkStatus();
}

// Well-formed UTF-8: no stray continuation bytes, overlong forms,
// surrogates or code points past U+10FFFF.
bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // Truncated sequence.
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// Free text an operator or the catalog supplies: names, operator names.
// Control characters would be escaped six-fold in tokens, could forge lines
// on an operator's terminal, and mean nothing in a name.
bool IsPrintableUtf8(std::string_view text) {
  return IsUtf8(text) && std::none_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_iscntrl(c);
         });
}

absl::Status CheckPassword(std::string_view password,
                           std::string_view folded_username) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password must be ", kMinPassword, " to ", kMaxPassword, " bytes"));
  }
  if (absl::EqualsIgnoreCase(Absl(password), Absl(folded_username))) {
    return absl::InvalidArgumentError(
        "password must not be the username; choose another");
  }
  return absl::OkStatus();
}

absl::Status CheckOperator(std::string_view by) {
  if (by.empty() || by.size() > kMaxOperator || !IsPrintableUtf8(by)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the operator name must be 1 to ", kMaxOperator,
                     " bytes of UTF-8 without control characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckStaffAccount(const StaffAccount& a, std::string_view folded) {
  if (absl::Status s = CheckUsername(folded); !s.ok()) return s;
  if (a.display_name.empty() || a.display_name.size() > kMaxDisplayName ||
      !IsPrintableUtf8(a.display_name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("display name must be 1 to ", kMaxDisplayName,
                     " bytes of UTF-8 without control characters"));
  }
  for (const std::string& desk : a.desk_codes) {
    if (absl::Status s = CheckCode("desk code", desk); !s.ok()) return s;
  }
  if (!a.district_code.empty()) {
    if (absl::Status s = CheckCode("district code", a.district_code); !s.ok()) {
      return s;
    }
  }
  if (!a.province_code.empty()) {
    if (absl::Status s = CheckCode("province code", a.province_code); !s.ok()) {
      return s;
    }
  }
  switch (a.role) {
    case domain::Role::kOfficer:
      if (a.desk_codes.empty() || a.desk_codes.size() > kMaxDesks) {
        return absl::InvalidArgumentError(
            absl::StrCat("an officer needs 1 to ", kMaxDesks, " desk codes"));
      }
      return absl::OkStatus();
    case domain::Role::kSupervisor:
      if (!a.desk_codes.empty()) {
        return absl::InvalidArgumentError(
            "a supervisor oversees a district or province, not desks; leave "
            "desk codes empty");
      }
      if (a.district_code.empty() && a.province_code.empty()) {
        return absl::InvalidArgumentError(
            "a supervisor needs a district code or a province code");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "staff accounts are officers or supervisors");
  }
}

// Whole minutes, rounded up, so "try again in 0 minutes" never happens.
int64_t CeilMinutes(absl::Duration d) {
  return std::max<int64_t>(1, absl::ToInt64Seconds(d + absl::Seconds(59)) / 60);
}

int64_t CeilSeconds(absl::Duration d) {
  return std::max<int64_t>(
      1, absl::ToInt64Milliseconds(d + absl::Milliseconds(999)) / 1000);
}

std::string Plural(int64_t n, absl::string_view unit) {
  return absl::StrCat(n, " ", unit, n == 1 ? "" : "s");
}

absl::Status Throttled(std::string message, absl::Duration retry_after) {
  absl::Status status = absl::ResourceExhaustedError(std::move(message));
  SetRetryAfter(status, retry_after);
  return status;
}

absl::Status WrongPassword() {
  return absl::UnauthenticatedError("wrong username or password");
}

using CodeHash = std::array<unsigned char, crypto_generichash_BYTES>;
using Salt = std::array<unsigned char, crypto_generichash_KEYBYTES>;

CodeHash HashCode(const Salt& salt, std::string_view code) {
  CodeHash hash;
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(code.data()),
                     code.size(), salt.data(), salt.size());
  return hash;
}

std::string_view AsBytes(const unsigned char* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccountStore>> AccountStore::Open(
    const std::filesystem::path& data_dir, const Options& options) {
  if (sodium_init() < 0) {
    return absl::InternalError("libsodium failed to initialize");
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", data_dir.string(), ": ",
                     ec.message()));
  }
  const std::filesystem::path path = data_dir / "accounts.db";
  absl::StatusOr<Database> db = Database::Open(path.string());
  if (!db.ok()) return db.status();
  // SQLite gives its -wal and -shm files the database file's mode.
  if (chmod(path.c_str(), 0600) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot restrict ", path.string(), " to mode 0600"));
  }
  if (absl::Status s = store::ApplyMigrations(*db, {kSchemaV1, kSchemaV2});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Database> check_db = Database::Open(path.string());
  if (!check_db.ok()) return check_db.status();
  std::unique_ptr<AccountStore> accounts(
      new AccountStore(std::move(*db), std::move(*check_db), options));

  std::array<unsigned char, 16> random_password;
  randombytes_buf(random_password.data(), random_password.size());
  absl::StatusOr<std::string> dummy = accounts->HashPassword(
      AsBytes(random_password.data(), random_password.size()));
  if (!dummy.ok()) return dummy.status();
  accounts->dummy_hash_ = std::move(*dummy);
  return accounts;
}

absl::StatusOr<std::string> AccountStore::HashPassword(
    std::string_view password) {
  const bool cheap = options_.password_cost == PasswordCost::kMinimumForTests;
  char hash[crypto_pwhash_STRBYTES];
  hashing_slots_.acquire();
  const int rc = crypto_pwhash_str(
      hash, password.data(), password.size(),
      cheap ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
      cheap ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE);
  hashing_slots_.release();
  if (rc != 0) {
    return absl::ResourceExhaustedError(
        "not enough memory to hash the password; try again shortly");
  }
  return std::string(hash);
}

bool AccountStore::PasswordMatches(const std::string& hash,
                                   std::string_view password) {
  hashing_slots_.acquire();
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(),
                                           password.size()) == 0;
  hashing_slots_.release();
  return ok;
}

absl::Status AccountStore::CheckStaffFields(const StaffAccount& account) {
  return CheckStaffAccount(account, FoldUsername(account.username));
}

absl::StatusOr<Principal> AccountStore::CreateStaffAccount(
    const StaffAccount& account, absl::Time now, std::string_view by) {
  const std::string username = FoldUsername(account.username);
  if (absl::Status s = CheckStaffAccount(account, username); !s.ok()) return s;
  if (absl::Status s = CheckPassword(account.password, username); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckOperator(by); !s.ok()) return s;
  absl::StatusOr<std::string> hash = HashPassword(account.password);
  if (!hash.ok()) return hash.status();

  Principal principal;
  principal.account_id = NewAccountId("stf_");
  principal.role = account.role;
  principal.display_name = account.display_name;
  principal.desk_codes = account.desk_codes;
  std::sort(principal.desk_codes.begin(), principal.desk_codes.end());
  principal.desk_codes.erase(
      std::unique(principal.desk_codes.begin(), principal.desk_codes.end()),
      principal.desk_codes.end());
  principal.district_code = account.district_code;
  principal.province_code = account.province_code;

  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<Statement> existing =
      Prepare(db_, "SELECT 1 FROM staff WHERE username = ?", {username});
  if (!existing.ok()) return existing.status();
  absl::StatusOr<bool> taken = existing->Step();
  if (!taken.ok()) return taken.status();
  if (*taken) {
    return absl::AlreadyExistsError(
        absl::StrCat("username \"", username, "\" is taken; choose another"));
  }
  absl::Status s = Run(
      db_,
      "INSERT INTO staff (account_id, username, password_hash, role, "
      "display_name, district_code, province_code, created_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {principal.account_id, username, *hash,
       std::string(domain::RoleName(principal.role)), principal.display_name,
       principal.district_code, principal.province_code, Micros(now)});
  if (!s.ok()) return s;
  for (const std::string& desk : principal.desk_codes) {
    s = Run(db_,
            "INSERT INTO staff_desks (account_id, desk_code) VALUES (?, ?)",
            {principal.account_id, desk});
    if (!s.ok()) return s;
  }
  std::string detail = absl::StrCat("role=", domain::RoleName(principal.role),
                                    " name=\"", principal.display_name, "\"");
  if (!principal.desk_codes.empty()) {
    absl::StrAppend(&detail,
                    " desks=", absl::StrJoin(principal.desk_codes, ","));
  }
  if (!principal.district_code.empty()) {
    absl::StrAppend(&detail, " district=", principal.district_code);
  }
  if (!principal.province_code.empty()) {
    absl::StrAppend(&detail, " province=", principal.province_code);
  }
  s = RecordAdminChangeLocked(now, by, "create", username, detail);
  if (!s.ok()) return s;
  if (s = tx->Commit(); !s.ok()) return s;
  return principal;
}

absl::Status AccountStore::RecordAdminChangeLocked(absl::Time now,
                                                   std::string_view by,
                                                   std::string_view action,
                                                   std::string_view username,
                                                   std::string_view detail) {
  return Run(db_,
             "INSERT INTO admin_audit (at_us, operator, action, username, "
             "detail) VALUES (?, ?, ?, ?, ?)",
             {Micros(now), by, action, username, detail});
}

absl::Status AccountStore::ResetPassword(std::string_view username,
                                         std::string_view password,
                                         absl::Time now, std::string_view by) {
  const std::string folded = FoldUsername(username);
  if (absl::Status s = CheckUsername(folded); !s.ok()) return s;
  if (absl::Status s = CheckPassword(password, folded); !s.ok()) return s;
  if (absl::Status s = CheckOperator(by); !s.ok()) return s;
  absl::StatusOr<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();

  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  absl::Status s = Run(db_,
                       "UPDATE staff SET password_hash = ?, token_generation "
                       "= token_generation + 1 WHERE username = ?",
                       {*hash, folded});
  if (!s.ok()) return s;
  if (db_.Changes() == 0) {
    return absl::NotFoundError(
        absl::StrCat("no staff account \"", folded, "\""));
  }
  // A person locked out by their own failed attempts gets in with the new
  // password at once.
  s = Run(db_, "DELETE FROM password_failures WHERE username = ?", {folded});
  if (!s.ok()) return s;
  s = RecordAdminChangeLocked(now, by, "reset_password", folded,
                              "password replaced; earlier tokens revoked");
  if (!s.ok()) return s;
  return tx->Commit();
}

absl::Status AccountStore::SetDisabled(std::string_view username, bool disabled,
                                       absl::Time now, std::string_view by) {
  const std::string folded = FoldUsername(username);
  if (absl::Status s = CheckUsername(folded); !s.ok()) return s;
  if (absl::Status s = CheckOperator(by); !s.ok()) return s;

  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<Statement> row = Prepare(
      db_, "SELECT disabled_us IS NOT NULL FROM staff WHERE username = ?",
      {folded});
  if (!row.ok()) return row.status();
  absl::StatusOr<bool> found = row->Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::NotFoundError(
        absl::StrCat("no staff account \"", folded, "\""));
  }
  if ((row->ColumnInt64(0) != 0) == disabled) {
    return absl::FailedPreconditionError(absl::StrCat(
        "\"", folded, "\" is already ", disabled ? "disabled" : "enabled"));
  }
  // Disabling bumps the generation so tokens issued before stop working even
  // after the account is enabled again.
  absl::Status s =
      disabled
          ? Run(db_,
                "UPDATE staff SET disabled_us = ?, token_generation = "
                "token_generation + 1 WHERE username = ?",
                {Micros(now), folded})
          : Run(db_, "UPDATE staff SET disabled_us = NULL WHERE username = ?",
                {folded});
  if (!s.ok()) return s;
  s = RecordAdminChangeLocked(
      now, by, disabled ? "disable" : "enable", folded,
      disabled ? "sign-in refused; earlier tokens revoked" : "sign-in allowed");
  if (!s.ok()) return s;
  return tx->Commit();
}

absl::StatusOr<std::vector<StaffRecord>> AccountStore::ListStaff(
    const StaffFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  // One read transaction, so the desks match the accounts.
  if (absl::Status s = db_.Exec("BEGIN"); !s.ok()) return s;
  struct EndRead {
    Database& db;
    ~EndRead() { db.Exec("ROLLBACK").IgnoreError(); }
  } end_read{db_};
  absl::StatusOr<Statement> rows = Prepare(
      db_,
      "SELECT account_id, username, role, display_name, district_code, "
      "province_code, created_us, disabled_us FROM staff ORDER BY username",
      {});
  if (!rows.ok()) return rows.status();
  std::vector<StaffRecord> records;
  while (true) {
    absl::StatusOr<bool> more = rows->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    StaffRecord r;
    r.account_id = rows->ColumnText(0);
    r.username = rows->ColumnText(1);
    absl::StatusOr<domain::Role> role = domain::ParseRole(rows->ColumnText(2));
    if (!role.ok()) return role.status();
    r.role = *role;
    r.display_name = rows->ColumnText(3);
    r.district_code = rows->ColumnText(4);
    r.province_code = rows->ColumnText(5);
    r.created_at = absl::FromUnixMicros(rows->ColumnInt64(6));
    if (!rows->ColumnIsNull(7)) {
      r.disabled_at = absl::FromUnixMicros(rows->ColumnInt64(7));
    }
    if (filter.role.has_value() && r.role != *filter.role) continue;
    records.push_back(std::move(r));
  }
  absl::StatusOr<Statement> desks = Prepare(
      db_, "SELECT desk_code FROM staff_desks WHERE account_id = ? ORDER BY 1",
      {});
  if (!desks.ok()) return desks.status();
  std::vector<StaffRecord> kept;
  for (StaffRecord& r : records) {
    if (absl::Status s = desks->Reset(); !s.ok()) return s;
    if (absl::Status s = desks->BindText(1, r.account_id); !s.ok()) return s;
    while (true) {
      absl::StatusOr<bool> more = desks->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      r.desk_codes.push_back(desks->ColumnText(0));
    }
    if (!filter.desk_code.empty() &&
        std::find(r.desk_codes.begin(), r.desk_codes.end(), filter.desk_code) ==
            r.desk_codes.end()) {
      continue;
    }
    kept.push_back(std::move(r));
  }
  return kept;
}

absl::StatusOr<std::vector<AdminAuditEntry>> AccountStore::AdminAudit(
    int limit) {
  if (limit <= 0) return absl::InvalidArgumentError("limit must be positive");
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Statement> rows = Prepare(
      db_,
      "SELECT id, at_us, operator, action, username, detail FROM admin_audit "
      "ORDER BY id DESC LIMIT ?",
      {int64_t{limit}});
  if (!rows.ok()) return rows.status();
  std::vector<AdminAuditEntry> entries;
  while (true) {
    absl::StatusOr<bool> more = rows->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    AdminAuditEntry e;
    e.id = rows->ColumnInt64(0);
    e.at = absl::FromUnixMicros(rows->ColumnInt64(1));
    e.operator_name = rows->ColumnText(2);
    e.action = rows->ColumnText(3);
    e.username = rows->ColumnText(4);
    e.detail = rows->ColumnText(5);
    entries.push_back(std::move(e));
  }
  std::reverse(entries.begin(), entries.end());
  return entries;
}

absl::Status AccountStore::CheckTokenCurrent(const Principal& principal) {
  if (principal.role != domain::Role::kOfficer &&
      principal.role != domain::Role::kSupervisor) {
    return absl::OkStatus();
  }
  std::lock_guard<std::mutex> lock(check_mu_);
  if (!token_check_.has_value()) {
    absl::StatusOr<Statement> stmt = check_db_.Prepare(
        "SELECT disabled_us IS NOT NULL, token_generation FROM staff "
        "WHERE account_id = ?");
    if (!stmt.ok()) return stmt.status();
    token_check_ = std::move(*stmt);
  }
  Statement& check = *token_check_;
  if (absl::Status s = check.Reset(); !s.ok()) return s;
  if (absl::Status s = check.BindText(1, principal.account_id); !s.ok()) {
    return s;
  }
  absl::StatusOr<bool> found = check.Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::UnauthenticatedError(
        "this account no longer exists; ask your administrator");
  }
  const bool disabled = check.ColumnInt64(0) != 0;
  const int64_t generation = check.ColumnInt64(1);
  // Done with the row: a statement left mid-step would hold the read
  // snapshot open until the next call.
  if (absl::Status s = check.Reset(); !s.ok()) return s;
  if (disabled) {
    return absl::UnauthenticatedError(
        "this account is disabled; ask your administrator");
  }
  if (generation != principal.token_generation) {
    return absl::UnauthenticatedError(
        "this token was revoked (password reset or account disabled); sign "
        "in again");
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> AccountStore::LoadStaffLocked(
    const std::string& account_id) {
  absl::StatusOr<Statement> row =
      Prepare(db_,
              "SELECT role, display_name, district_code, province_code, "
              "token_generation, disabled_us IS NOT NULL FROM staff "
              "WHERE account_id = ?",
              {account_id});
  if (!row.ok()) return row.status();
  absl::StatusOr<bool> found = row->Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::NotFoundError(
        absl::StrCat("staff account ", account_id, " no longer exists"));
  }
  absl::StatusOr<domain::Role> role = domain::ParseRole(row->ColumnText(0));
  if (!role.ok()) return role.status();
  Principal principal;
  principal.account_id = account_id;
  principal.role = *role;
  principal.display_name = row->ColumnText(1);
  principal.district_code = row->ColumnText(2);
  principal.province_code = row->ColumnText(3);
  principal.token_generation = row->ColumnInt64(4);
  if (row->ColumnInt64(5) != 0) {
    return absl::UnauthenticatedError(
        "this account is disabled; ask your administrator");
  }

  absl::StatusOr<Statement> desks =
      Prepare(db_,
              "SELECT desk_code FROM staff_desks WHERE account_id = ? "
              "ORDER BY desk_code",
              {account_id});
  if (!desks.ok()) return desks.status();
  while (true) {
    absl::StatusOr<bool> more = desks->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    principal.desk_codes.push_back(desks->ColumnText(0));
  }
  return principal;
}

absl::StatusOr<Principal> AccountStore::VerifyPassword(
    std::string_view username, std::string_view password, absl::Time now) {
  const std::string folded = FoldUsername(username);
  const int64_t window_start = Micros(now - kPasswordFailureWindow);
  std::string hash = dummy_hash_;
  std::string account_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    absl::Status s = Run(db_, "DELETE FROM password_failures WHERE at_us <= ?",
                         {window_start});
    if (!s.ok()) return s;
    absl::StatusOr<Statement> failures =
        Prepare(db_,
                "SELECT at_us FROM password_failures WHERE username = ? "
                "ORDER BY at_us DESC LIMIT 1 OFFSET ?",
                {folded, int64_t{kMaxPasswordFailures - 1}});
    if (!failures.ok()) return failures.status();
    absl::StatusOr<bool> locked = failures->Step();
    if (!locked.ok()) return locked.status();
    if (*locked) {
      // Open again once the oldest failure that still counts leaves the
      // window.
      const absl::Duration wait =
          absl::FromUnixMicros(failures->ColumnInt64(0)) +
          kPasswordFailureWindow - now;
      return Throttled(absl::StrCat("too many failed sign-ins; try again in ",
                                    Plural(CeilMinutes(wait), "minute")),
                       wait);
    }
    // Counted as a failure until the hash says otherwise, so parallel
    // guesses cannot slip past the limit while their hashes are computed.
    s = Run(db_,
            "INSERT INTO password_failures (username, at_us) VALUES (?, ?)",
            {folded, Micros(now)});
    if (!s.ok()) return s;
    absl::StatusOr<Statement> account = Prepare(
        db_, "SELECT account_id, password_hash FROM staff WHERE username = ?",
        {folded});
    if (!account.ok()) return account.status();
    absl::StatusOr<bool> found = account->Step();
    if (!found.ok()) return found.status();
    if (*found) {
      account_id = account->ColumnText(0);
      hash = account->ColumnText(1);
    }
    if (s = tx->Commit(); !s.ok()) return s;
  }

  // Argon2id runs outside the lock; an unknown username is checked against
  // the dummy hash so it takes as long as a wrong password.
  const bool matches = PasswordMatches(hash, password);
  if (!matches || account_id.empty()) return WrongPassword();

  std::lock_guard<std::mutex> lock(mu_);
  absl::Status s =
      Run(db_, "DELETE FROM password_failures WHERE username = ?", {folded});
  if (!s.ok()) return s;
  return LoadStaffLocked(account_id);
}

absl::StatusOr<Principal> AccountStore::FindOrCreateCitizen(
    std::string_view phone, absl::Time now) {
  absl::StatusOr<std::string> normalized = NormalizePhoneNumber(phone);
  if (!normalized.ok()) return normalized.status();
  std::lock_guard<std::mutex> lock(mu_);
  return FindOrCreateCitizenLocked(*normalized, now);
}

absl::StatusOr<Principal> AccountStore::FindOrCreateCitizenLocked(
    const std::string& phone, absl::Time now) {
  absl::Status s = Run(db_,
                       "INSERT OR IGNORE INTO citizens (account_id, phone, "
                       "created_us) VALUES (?, ?, ?)",
                       {NewAccountId("cit_"), phone, Micros(now)});
  if (!s.ok()) return s;
  absl::StatusOr<Statement> row =
      Prepare(db_, "SELECT account_id FROM citizens WHERE phone = ?", {phone});
  if (!row.ok()) return row.status();
  absl::StatusOr<bool> found = row->Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::InternalError("citizen account vanished right after insert");
  }
  Principal principal;
  principal.account_id = row->ColumnText(0);
  principal.role = domain::Role::kCitizen;
  return principal;
}

absl::StatusOr<SignInCode> AccountStore::IssueSignInCode(std::string_view phone,
                                                         absl::Time now) {
  absl::StatusOr<std::string> normalized = NormalizePhoneNumber(phone);
  if (!normalized.ok()) return normalized.status();

  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  absl::Status s = Run(db_, "DELETE FROM code_requests WHERE at_us <= ?",
                       {Micros(now - kCodeRequestWindow)});
  if (!s.ok()) return s;
  absl::StatusOr<Statement> recent = Prepare(
      db_,
      "SELECT at_us FROM code_requests WHERE phone = ? ORDER BY at_us DESC",
      {*normalized});
  if (!recent.ok()) return recent.status();
  std::vector<absl::Time> requests;  // Newest first, all within the hour.
  while (true) {
    absl::StatusOr<bool> more = recent->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    requests.push_back(absl::FromUnixMicros(recent->ColumnInt64(0)));
  }
  if (!requests.empty() && now - requests.front() < kCodeRequestInterval) {
    const absl::Duration wait = requests.front() + kCodeRequestInterval - now;
    return Throttled(
        absl::StrCat("a code was sent less than a minute ago; wait ",
                     Plural(CeilSeconds(wait), "second"),
                     " before asking for another"),
        wait);
  }
  if (requests.size() >= kMaxCodeRequestsPerHour) {
    const absl::Duration wait =
        requests[kMaxCodeRequestsPerHour - 1] + kCodeRequestWindow - now;
    return Throttled(
        absl::StrCat("too many codes were requested for this phone in the "
                     "past hour; try again in ",
                     Plural(CeilMinutes(wait), "minute")),
        wait);
  }

  SignInCode issued;
  issued.phone = *normalized;
  issued.code = absl::StrFormat("%06u", randombytes_uniform(1000000));
  issued.expires_at = now + kCodeValidity;
  issued.retry_after = kCodeRequestInterval;
  // When this request spends the hour's budget, the next code is possible
  // only once the oldest request of the hour ages out.
  if (requests.size() + 1 == kMaxCodeRequestsPerHour) {
    issued.retry_after = std::max(issued.retry_after,
                                  requests.back() + kCodeRequestWindow - now);
  }
  Salt salt;
  randombytes_buf(salt.data(), salt.size());
  const CodeHash hash = HashCode(salt, issued.code);

  absl::StatusOr<Statement> upsert =
      Prepare(db_,
              "INSERT OR REPLACE INTO sign_in_codes (phone, salt, code_hash, "
              "expires_us, wrong_attempts) VALUES (?, ?, ?, ?, 0)",
              {*normalized});
  if (!upsert.ok()) return upsert.status();
  for (absl::Status bound :
       {upsert->BindBlob(2, AsBytes(salt.data(), salt.size())),
        upsert->BindBlob(3, AsBytes(hash.data(), hash.size())),
        upsert->BindInt64(4, Micros(issued.expires_at))}) {
    if (!bound.ok()) return bound;
  }
  if (s = upsert->Run(); !s.ok()) return s;
  s = Run(db_, "INSERT INTO code_requests (phone, at_us) VALUES (?, ?)",
          {*normalized, Micros(now)});
  if (!s.ok()) return s;
  if (s = tx->Commit(); !s.ok()) return s;
  return issued;
}

absl::StatusOr<Principal> AccountStore::VerifySignInCode(std::string_view phone,
                                                         std::string_view code,
                                                         absl::Time now) {
  absl::StatusOr<std::string> normalized = NormalizePhoneNumber(phone);
  if (!normalized.ok()) return normalized.status();
  if (code.size() != kCodeDigits ||
      !std::all_of(code.begin(), code.end(),
                   [](char c) { return absl::ascii_isdigit(c); })) {
    return absl::InvalidArgumentError(
        "the sign-in code is the 6 digits from the text message");
  }

  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  std::string salt_bytes;
  std::string stored_hash;
  absl::Time expires_at;
  int64_t wrong_attempts = 0;
  {
    absl::StatusOr<Statement> row =
        Prepare(db_,
                "SELECT salt, code_hash, expires_us, wrong_attempts "
                "FROM sign_in_codes WHERE phone = ?",
                {*normalized});
    if (!row.ok()) return row.status();
    absl::StatusOr<bool> found = row->Step();
    if (!found.ok()) return found.status();
    if (!*found) {
      return absl::UnauthenticatedError(
          "no sign-in code is waiting for this phone; request a new code");
    }
    salt_bytes = row->ColumnBlob(0);
    stored_hash = row->ColumnBlob(1);
    expires_at = absl::FromUnixMicros(row->ColumnInt64(2));
    wrong_attempts = row->ColumnInt64(3);
  }

  // Every outcome below uses the code up (or one of its attempts), and that
  // must be stored even though the answer is an error.
  absl::Status outcome;
  if (now >= expires_at) {
    outcome = absl::UnauthenticatedError(
        "the sign-in code expired; request a new code");
  } else {
    Salt salt;
    bool intact = salt_bytes.size() == salt.size() &&
                  stored_hash.size() == crypto_generichash_BYTES;
    if (intact) {
      std::copy(salt_bytes.begin(), salt_bytes.end(), salt.begin());
      const CodeHash hash = HashCode(salt, code);
      intact = sodium_memcmp(hash.data(), stored_hash.data(), hash.size()) == 0;
    }
    if (!intact) {
      const int64_t left = kMaxCodeAttempts - (wrong_attempts + 1);
      outcome = absl::UnauthenticatedError(
          left > 0 ? absl::StrCat("wrong sign-in code; ",
                                  Plural(left, "attempt"), " left")
                   : std::string("wrong sign-in code; that was the last "
                                 "attempt, request a new code"));
      if (left > 0) {
        absl::Status s = Run(db_,
                             "UPDATE sign_in_codes SET wrong_attempts = ? "
                             "WHERE phone = ?",
                             {wrong_attempts + 1, *normalized});
        if (!s.ok()) return s;
        if (s = tx->Commit(); !s.ok()) return s;
        return outcome;
      }
    }
  }
  absl::Status s =
      Run(db_, "DELETE FROM sign_in_codes WHERE phone = ?", {*normalized});
  if (!s.ok()) return s;
  absl::StatusOr<Principal> principal;
  if (outcome.ok()) {
    principal = FindOrCreateCitizenLocked(*normalized, now);
    if (!principal.ok()) return principal.status();
  } else {
    principal = outcome;
  }
  if (s = tx->Commit(); !s.ok()) return s;
  return principal;
}

}  // namespace cdkv::auth
