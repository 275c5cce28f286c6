#include "services/auth/account_store.h"

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/auth/grpc_status.h"
#include "services/auth/token.h"
#include "tests/support/temp_dir.h"

namespace cdkv::auth {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);
constexpr char kPassword[] = "correct horse battery";

struct Fixture {
  Fixture() {
    absl::StatusOr<testing::TempDir> created = testing::TempDir::Create();
    REQUIRE(created.ok());
    dir = std::make_unique<testing::TempDir>(std::move(*created));
    Reopen();
  }

  void Reopen() {
    accounts.reset();
    absl::StatusOr<std::unique_ptr<AccountStore>> opened = AccountStore::Open(
        dir->path(),
        {.password_cost = AccountStore::PasswordCost::kMinimumForTests});
    REQUIRE(opened.ok());
    accounts = std::move(*opened);
  }

  Principal CreateOfficer() {
    StaffAccount officer;
    officer.username = "Officer.Lan";
    officer.password = kPassword;
    officer.role = domain::Role::kOfficer;
    officer.display_name = "Nguyễn Thị Lan";
    officer.desk_codes = {"XA-2-MC", "XA-1-MC", "XA-1-MC"};
    absl::StatusOr<Principal> created =
        accounts->CreateStaffAccount(officer, kT0);
    REQUIRE(created.ok());
    return *created;
  }

  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<AccountStore> accounts;
};

void RequireCode(const absl::Status& status, absl::StatusCode code,
                 const std::string& needle) {
  INFO(status.ToString());
  REQUIRE(status.code() == code);
  CHECK_THAT(std::string(status.message()), Catch::Contains(needle));
}

std::string OtherCode(const std::string& code) {
  return absl::StrFormat("%06d", (std::stoi(code) + 1) % 1000000);
}

TEST_CASE("the accounts database is private to its owner", "[accounts]") {
  Fixture f;
  struct stat st;
  REQUIRE(stat((f.dir->path() / "accounts.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
}

TEST_CASE("staff accounts are validated before they are stored", "[accounts]") {
  Fixture f;
  StaffAccount a;
  a.username = "officer.lan";
  a.password = kPassword;
  a.role = domain::Role::kOfficer;
  a.display_name = "Lan";
  a.desk_codes = {"XA-1-MC"};
  REQUIRE(f.accounts->CreateStaffAccount(a, kT0).ok());

  RequireCode(f.accounts->CreateStaffAccount(a, kT0).status(),
              absl::StatusCode::kAlreadyExists, "is taken");
  a.username = "OFFICER.LAN";  // Usernames are case-insensitive.
  RequireCode(f.accounts->CreateStaffAccount(a, kT0).status(),
              absl::StatusCode::kAlreadyExists, "is taken");

  StaffAccount bad = a;
  bad.username = "x";
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "username must be");
  bad = a;
  bad.username = "lan nguyen";
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "username must be");
  bad = a;
  bad.username = "new.one";
  bad.password = "short";
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "password must be");
  bad = a;
  bad.username = "new.one";
  bad.desk_codes.clear();
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "officer needs");
  bad = a;
  bad.username = "new.one";
  bad.desk_codes = {"desk with spaces"};
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "desk code");
  bad = a;
  bad.username = "new.one";
  bad.role = domain::Role::kSupervisor;
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "not desks");
  bad.desk_codes.clear();
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument,
              "district code or a province");
  bad = a;
  bad.username = "new.one";
  bad.role = domain::Role::kCitizen;
  RequireCode(f.accounts->CreateStaffAccount(bad, kT0).status(),
              absl::StatusCode::kInvalidArgument, "officers or supervisors");
}

TEST_CASE("the right password signs a staff member in",
          "[accounts][password]") {
  Fixture f;
  const Principal created = f.CreateOfficer();
  CHECK(created.account_id.starts_with("stf_"));

  absl::StatusOr<Principal> p =
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0);
  REQUIRE(p.ok());
  CHECK(p->account_id == created.account_id);
  CHECK(p->role == domain::Role::kOfficer);
  CHECK(p->display_name == "Nguyễn Thị Lan");
  CHECK(p->desk_codes == std::vector<std::string>{"XA-1-MC", "XA-2-MC"});

  f.Reopen();  // Accounts are durable.
  CHECK(f.accounts->VerifyPassword("OFFICER.LAN", kPassword, kT0).ok());
}

TEST_CASE("an unknown user and a wrong password look the same",
          "[accounts][password]") {
  Fixture f;
  f.CreateOfficer();
  absl::Status wrong =
      f.accounts->VerifyPassword("officer.lan", "not the password", kT0)
          .status();
  absl::Status unknown =
      f.accounts->VerifyPassword("nobody", kPassword, kT0).status();
  CHECK(wrong.code() == absl::StatusCode::kUnauthenticated);
  CHECK(wrong == unknown);
}

TEST_CASE("five failures lock the username until the window passes",
          "[accounts][password]") {
  Fixture f;
  f.CreateOfficer();
  for (int i = 0; i < AccountStore::kMaxPasswordFailures; ++i) {
    CHECK(f.accounts
              ->VerifyPassword("officer.lan", "guess", kT0 + absl::Seconds(i))
              .status()
              .code() == absl::StatusCode::kUnauthenticated);
  }
  // Even the right password is refused; the oldest failure leaves the window
  // at kT0 + 15 min.
  absl::Status locked =
      f.accounts
          ->VerifyPassword("officer.lan", kPassword, kT0 + absl::Minutes(5))
          .status();
  RequireCode(locked, absl::StatusCode::kResourceExhausted,
              "too many failed sign-ins; try again in 10 minutes");
  REQUIRE(RetryAfter(locked).has_value());
  CHECK(*RetryAfter(locked) == absl::Minutes(10));

  f.Reopen();  // The lock survives a restart.
  CHECK(f.accounts
            ->VerifyPassword("officer.lan", kPassword,
                             kT0 + absl::Minutes(15) - absl::Seconds(1))
            .status()
            .code() == absl::StatusCode::kResourceExhausted);
  // Four failures remain in the window after the first one leaves it.
  CHECK(f.accounts
            ->VerifyPassword("officer.lan", kPassword,
                             kT0 + absl::Minutes(15) + absl::Milliseconds(1))
            .ok());
}

TEST_CASE("a success clears earlier failures", "[accounts][password]") {
  Fixture f;
  f.CreateOfficer();
  absl::Time t = kT0;
  for (int i = 0; i < 4; ++i) {
    t += absl::Seconds(1);
    CHECK_FALSE(f.accounts->VerifyPassword("officer.lan", "guess", t).ok());
  }
  t += absl::Seconds(1);
  REQUIRE(f.accounts->VerifyPassword("officer.lan", kPassword, t).ok());
  for (int i = 0; i < 4; ++i) {
    t += absl::Seconds(1);
    CHECK(
        f.accounts->VerifyPassword("officer.lan", "guess", t).status().code() ==
        absl::StatusCode::kUnauthenticated);
  }
  t += absl::Seconds(1);
  CHECK(f.accounts->VerifyPassword("officer.lan", kPassword, t).ok());
}

TEST_CASE("unknown usernames are throttled like real ones",
          "[accounts][password]") {
  Fixture f;
  for (int i = 0; i < AccountStore::kMaxPasswordFailures; ++i) {
    CHECK_FALSE(f.accounts->VerifyPassword("ghost", "guess", kT0).ok());
  }
  CHECK(f.accounts->VerifyPassword("ghost", "guess", kT0).status().code() ==
        absl::StatusCode::kResourceExhausted);
}

TEST_CASE("parallel guesses cannot get past the failure limit",
          "[accounts][password]") {
  Fixture f;
  f.CreateOfficer();
  constexpr int kGuesses = 12;
  std::vector<absl::StatusCode> codes(kGuesses);
  std::vector<std::thread> threads;
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back([&f, &codes, i] {
      codes[i] = f.accounts->VerifyPassword("officer.lan", "guess", kT0)
                     .status()
                     .code();
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(std::count(codes.begin(), codes.end(),
                   absl::StatusCode::kUnauthenticated) ==
        AccountStore::kMaxPasswordFailures);
  CHECK(std::count(codes.begin(), codes.end(),
                   absl::StatusCode::kResourceExhausted) ==
        kGuesses - AccountStore::kMaxPasswordFailures);
}

TEST_CASE("the largest staff account still gets a usable token",
          "[accounts][token]") {
  Fixture f;
  StaffAccount a;
  a.username = std::string(64, 'u');
  a.password = std::string(256, 'p');
  a.role = domain::Role::kOfficer;
  a.display_name = std::string(128, '"');  // Escaped to two bytes each.
  for (int i = 0; i < 32; ++i) {
    a.desk_codes.push_back(absl::StrFormat("%064d", i));
  }
  absl::StatusOr<Principal> created = f.accounts->CreateStaffAccount(a, kT0);
  REQUIRE(created.ok());
  absl::StatusOr<TokenSigner> signer =
      TokenSigner::FromKey(std::string(TokenSigner::kKeySize, 'k'));
  REQUIRE(signer.ok());
  const std::string token = signer->Issue(*created, kT0, absl::Hours(12));
  CHECK(token.size() <= TokenSigner::kMaxTokenSize);
  absl::StatusOr<Principal> back = signer->Verify(token, kT0);
  REQUIRE(back.ok());
  CHECK(back->desk_codes.size() == 32);

  a.username = "other";
  a.display_name = "Tab\there";
  RequireCode(f.accounts->CreateStaffAccount(a, kT0).status(),
              absl::StatusCode::kInvalidArgument, "control characters");
}

TEST_CASE("a citizen account is keyed by the normalised phone number",
          "[accounts][citizen]") {
  Fixture f;
  absl::StatusOr<Principal> a =
      f.accounts->FindOrCreateCitizen("0912345678", kT0);
  absl::StatusOr<Principal> b =
      f.accounts->FindOrCreateCitizen("+84912345678", kT0);
  absl::StatusOr<Principal> c =
      f.accounts->FindOrCreateCitizen("0987654321", kT0);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(a->role == domain::Role::kCitizen);
  CHECK(a->account_id.starts_with("cit_"));
  CHECK(a->account_id == b->account_id);
  CHECK(a->account_id != c->account_id);
  CHECK(f.accounts->FindOrCreateCitizen("12345", kT0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a sign-in code works once", "[accounts][code]") {
  Fixture f;
  absl::StatusOr<SignInCode> issued =
      f.accounts->IssueSignInCode("+84912345678", kT0);
  REQUIRE(issued.ok());
  CHECK(issued->phone == "0912345678");
  CHECK(issued->code.size() == 6);
  CHECK(issued->expires_at == kT0 + absl::Minutes(5));
  CHECK(issued->retry_after == absl::Seconds(60));

  absl::StatusOr<Principal> citizen = f.accounts->VerifySignInCode(
      "0912345678", issued->code, kT0 + absl::Minutes(4));
  REQUIRE(citizen.ok());
  CHECK(citizen->role == domain::Role::kCitizen);
  CHECK(citizen->account_id ==
        f.accounts->FindOrCreateCitizen("0912345678", kT0)->account_id);

  RequireCode(
      f.accounts
          ->VerifySignInCode("0912345678", issued->code, kT0 + absl::Minutes(4))
          .status(),
      absl::StatusCode::kUnauthenticated, "no sign-in code is waiting");
}

TEST_CASE("a sign-in code expires after five minutes", "[accounts][code]") {
  Fixture f;
  absl::StatusOr<SignInCode> issued =
      f.accounts->IssueSignInCode("0912345678", kT0);
  REQUIRE(issued.ok());
  RequireCode(
      f.accounts
          ->VerifySignInCode("0912345678", issued->code, kT0 + absl::Minutes(5))
          .status(),
      absl::StatusCode::kUnauthenticated, "expired");
  // An expired code is gone, not waiting to be retried.
  RequireCode(
      f.accounts
          ->VerifySignInCode("0912345678", issued->code, kT0 + absl::Minutes(1))
          .status(),
      absl::StatusCode::kUnauthenticated, "no sign-in code is waiting");
}

TEST_CASE("five wrong guesses kill a sign-in code", "[accounts][code]") {
  Fixture f;
  absl::StatusOr<SignInCode> issued =
      f.accounts->IssueSignInCode("0912345678", kT0);
  REQUIRE(issued.ok());
  const std::string wrong = OtherCode(issued->code);
  for (int left = 4; left >= 1; --left) {
    RequireCode(f.accounts->VerifySignInCode("0912345678", wrong, kT0).status(),
                absl::StatusCode::kUnauthenticated,
                absl::StrFormat("wrong sign-in code; %d attempt%s left", left,
                                left == 1 ? "" : "s"));
  }
  RequireCode(f.accounts->VerifySignInCode("0912345678", wrong, kT0).status(),
              absl::StatusCode::kUnauthenticated, "that was the last attempt");
  RequireCode(
      f.accounts->VerifySignInCode("0912345678", issued->code, kT0).status(),
      absl::StatusCode::kUnauthenticated, "no sign-in code is waiting");
}

TEST_CASE("a malformed code costs no attempt", "[accounts][code]") {
  Fixture f;
  absl::StatusOr<SignInCode> issued =
      f.accounts->IssueSignInCode("0912345678", kT0);
  REQUIRE(issued.ok());
  for (int i = 0; i < 10; ++i) {
    CHECK(f.accounts->VerifySignInCode("0912345678", "12a456", kT0)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(f.accounts->VerifySignInCode("0912345678", issued->code, kT0).ok());
}

TEST_CASE("a new code replaces the previous one", "[accounts][code]") {
  Fixture f;
  absl::StatusOr<SignInCode> first =
      f.accounts->IssueSignInCode("0912345678", kT0);
  REQUIRE(first.ok());
  absl::StatusOr<SignInCode> second =
      f.accounts->IssueSignInCode("0912345678", kT0 + absl::Seconds(60));
  REQUIRE(second.ok());
  if (first->code != second->code) {
    CHECK_FALSE(f.accounts
                    ->VerifySignInCode("0912345678", first->code,
                                       kT0 + absl::Seconds(61))
                    .ok());
  }
  CHECK(f.accounts
            ->VerifySignInCode("0912345678", second->code,
                               kT0 + absl::Seconds(61))
            .ok());
}

TEST_CASE("code requests are limited per minute and per hour",
          "[accounts][code]") {
  Fixture f;
  REQUIRE(f.accounts->IssueSignInCode("0912345678", kT0).ok());

  absl::Status again =
      f.accounts->IssueSignInCode("0912345678", kT0 + absl::Seconds(20))
          .status();
  RequireCode(again, absl::StatusCode::kResourceExhausted,
              "wait 40 seconds before asking for another");
  CHECK(RetryAfter(again) == absl::Seconds(40));
  // Other phones are not affected.
  CHECK(
      f.accounts->IssueSignInCode("0987654321", kT0 + absl::Seconds(20)).ok());

  // Requests 2 to 5 of the hour, a minute apart.
  absl::StatusOr<SignInCode> issued;
  for (int i = 1; i < AccountStore::kMaxCodeRequestsPerHour; ++i) {
    issued = f.accounts->IssueSignInCode("+84912345678",
                                         kT0 + absl::Seconds(60 * i));
    REQUIRE(issued.ok());
  }
  // The fifth answer already says the hour's budget is spent.
  CHECK(issued->retry_after == absl::Hours(1) - absl::Minutes(4));

  absl::Status hourly =
      f.accounts->IssueSignInCode("0912345678", kT0 + absl::Minutes(10))
          .status();
  RequireCode(hourly, absl::StatusCode::kResourceExhausted,
              "too many codes were requested for this phone in the past hour; "
              "try again in 50 minutes");
  CHECK(RetryAfter(hourly) == absl::Minutes(50));
  CHECK(f.accounts
            ->IssueSignInCode("0912345678",
                              kT0 + absl::Hours(1) - absl::Seconds(1))
            .status()
            .code() == absl::StatusCode::kResourceExhausted);
  CHECK(f.accounts
            ->IssueSignInCode("0912345678",
                              kT0 + absl::Hours(1) + absl::Seconds(1))
            .ok());
}

}  // namespace
}  // namespace cdkv::auth

namespace cdkv::auth {
namespace {

StaffAccount Supervisor(std::string username, std::string province) {
  StaffAccount s;
  s.username = std::move(username);
  s.password = kPassword;
  s.role = domain::Role::kSupervisor;
  s.display_name = "Giám sát tỉnh";
  s.province_code = std::move(province);
  return s;
}

TEST_CASE("a password equal to the username, or not UTF-8 names, are refused",
          "[accounts][admin]") {
  Fixture f;
  StaffAccount a = Supervisor("Le.Van.Binh", "87");
  a.password = "le.van.BINH";  // Same letters, other case.
  RequireCode(f.accounts->CreateStaffAccount(a, kT0).status(),
              absl::StatusCode::kInvalidArgument, "must not be the username");
  a.password = kPassword;
  for (const std::string& bad :
       {std::string("L\xe1 V\xe3n"), std::string("Lê \xc0\x80"),
        std::string("\xed\xa0\x80"), std::string("Lê\x1b[2J")}) {
    a.display_name = bad;
    RequireCode(f.accounts->CreateStaffAccount(a, kT0).status(),
                absl::StatusCode::kInvalidArgument, "UTF-8");
  }
  a.display_name = "Lê Văn Bình 😀";
  CHECK(f.accounts->CreateStaffAccount(a, kT0, "").status().code() ==
        absl::StatusCode::kInvalidArgument);  // Nobody to record.
  CHECK(f.accounts->CreateStaffAccount(a, kT0, "ops\nforged line")
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(f.accounts->CreateStaffAccount(a, kT0, "alice (uid 1000)").ok());
  absl::StatusOr<std::vector<StaffRecord>> staff = f.accounts->ListStaff({});
  REQUIRE(staff.ok());
  REQUIRE(staff->size() == 1);
  CHECK((*staff)[0].username == "le.van.binh");
  CHECK((*staff)[0].display_name == "Lê Văn Bình 😀");
}

TEST_CASE("hostile usernames change nothing", "[accounts][admin]") {
  Fixture f;
  f.CreateOfficer();
  for (const std::string& hostile :
       {std::string(100000, 'a'), std::string("x'; DROP TABLE staff; --"),
        std::string("officer.lan' OR '1'='1"), std::string("a\0b", 3),
        std::string("\xff\xfe\xfd"), std::string("officer.lan\n")}) {
    INFO(hostile.substr(0, 40));
    StaffAccount a = Supervisor(hostile, "87");
    CHECK(f.accounts->CreateStaffAccount(a, kT0).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(f.accounts->ResetPassword(hostile, kPassword, kT0, "ops").code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(f.accounts->SetDisabled(hostile, true, kT0, "ops").code() ==
          absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<std::vector<StaffRecord>> staff = f.accounts->ListStaff({});
  REQUIRE(staff.ok());
  REQUIRE(staff->size() == 1);
  CHECK_FALSE((*staff)[0].disabled_at.has_value());
  CHECK(f.accounts->VerifyPassword("officer.lan", kPassword, kT0).ok());
}

TEST_CASE("disabling shuts an account out and revokes its tokens",
          "[accounts][admin]") {
  Fixture f;
  const Principal officer = f.CreateOfficer();
  absl::StatusOr<Principal> signed_in =
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0);
  REQUIRE(signed_in.ok());
  CHECK(signed_in->token_generation == 0);
  CHECK(f.accounts->CheckTokenCurrent(*signed_in).ok());

  REQUIRE(f.accounts->SetDisabled("Officer.Lan", true, kT0, "ops").ok());
  RequireCode(f.accounts->CheckTokenCurrent(*signed_in),
              absl::StatusCode::kUnauthenticated, "disabled");
  RequireCode(
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0).status(),
      absl::StatusCode::kUnauthenticated, "disabled");
  // A wrong password still gets the generic answer: disabled or not is told
  // only to someone who knows the password.
  RequireCode(f.accounts->VerifyPassword("officer.lan", "wrong password!", kT0)
                  .status(),
              absl::StatusCode::kUnauthenticated, "wrong username or password");
  RequireCode(f.accounts->SetDisabled("officer.lan", true, kT0, "ops"),
              absl::StatusCode::kFailedPrecondition, "already disabled");

  REQUIRE(f.accounts->SetDisabled("officer.lan", false, kT0, "ops").ok());
  RequireCode(f.accounts->SetDisabled("officer.lan", false, kT0, "ops"),
              absl::StatusCode::kFailedPrecondition, "already enabled");
  // The old token stays dead; a new sign-in works and carries generation 1.
  RequireCode(f.accounts->CheckTokenCurrent(*signed_in),
              absl::StatusCode::kUnauthenticated, "revoked");
  absl::StatusOr<Principal> again =
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0);
  REQUIRE(again.ok());
  CHECK(again->token_generation == 1);
  CHECK(f.accounts->CheckTokenCurrent(*again).ok());

  // Another process (cdkv-admin) changing accounts.db is seen at once.
  absl::StatusOr<std::unique_ptr<AccountStore>> other = AccountStore::Open(
      f.dir->path(),
      {.password_cost = AccountStore::PasswordCost::kMinimumForTests});
  REQUIRE(other.ok());
  REQUIRE((*other)->SetDisabled("officer.lan", true, kT0, "ops").ok());
  RequireCode(f.accounts->CheckTokenCurrent(*again),
              absl::StatusCode::kUnauthenticated, "disabled");

  RequireCode(f.accounts->SetDisabled("nobody", true, kT0, "ops"),
              absl::StatusCode::kNotFound, "no staff account");
  Principal gone = officer;
  gone.account_id = "stf_gone";
  RequireCode(f.accounts->CheckTokenCurrent(gone),
              absl::StatusCode::kUnauthenticated, "no longer exists");
  Principal citizen;
  citizen.role = domain::Role::kCitizen;
  citizen.account_id = "cit_x";
  CHECK(f.accounts->CheckTokenCurrent(citizen).ok());
}

TEST_CASE("a password reset replaces the password, unlocks and revokes",
          "[accounts][admin]") {
  Fixture f;
  f.CreateOfficer();
  absl::StatusOr<Principal> before =
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0);
  REQUIRE(before.ok());
  for (int i = 0; i < AccountStore::kMaxPasswordFailures; ++i) {
    (void)f.accounts->VerifyPassword("officer.lan", "wrong password!", kT0);
  }
  CHECK(f.accounts->VerifyPassword("officer.lan", kPassword, kT0)
            .status()
            .code() == absl::StatusCode::kResourceExhausted);

  RequireCode(f.accounts->ResetPassword("officer.lan", "short", kT0, "ops"),
              absl::StatusCode::kInvalidArgument, "10 to 256");
  RequireCode(
      f.accounts->ResetPassword("officer.lan", "OFFICER.LAN", kT0, "ops"),
      absl::StatusCode::kInvalidArgument, "must not be the username");
  RequireCode(
      f.accounts->ResetPassword("nobody", "a new long password", kT0, "ops"),
      absl::StatusCode::kNotFound, "no staff account");
  REQUIRE(f.accounts
              ->ResetPassword("officer.lan", "a new long password", kT0, "ops")
              .ok());
  CHECK(f.accounts->VerifyPassword("officer.lan", kPassword, kT0)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
  absl::StatusOr<Principal> after =
      f.accounts->VerifyPassword("officer.lan", "a new long password", kT0);
  REQUIRE(after.ok());
  RequireCode(f.accounts->CheckTokenCurrent(*before),
              absl::StatusCode::kUnauthenticated, "revoked");
  CHECK(f.accounts->CheckTokenCurrent(*after).ok());
}

TEST_CASE("staff are listed by role and desk, and every change is audited",
          "[accounts][admin]") {
  Fixture f;
  f.CreateOfficer();  // In-process: recorded as such.
  REQUIRE(
      f.accounts->CreateStaffAccount(Supervisor("sup.87", "87"), kT0, "alice")
          .ok());
  REQUIRE(f.accounts->SetDisabled("sup.87", true, kT0 + absl::Seconds(1), "bob")
              .ok());
  REQUIRE(f.accounts
              ->ResetPassword("officer.lan", "a new long password",
                              kT0 + absl::Seconds(2), "carol")
              .ok());
  // A refused change records nothing.
  CHECK_FALSE(f.accounts->SetDisabled("sup.87", true, kT0, "bob").ok());

  absl::StatusOr<std::vector<StaffRecord>> all = f.accounts->ListStaff({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].username == "officer.lan");
  CHECK((*all)[0].desk_codes == std::vector<std::string>{"XA-1-MC", "XA-2-MC"});
  CHECK((*all)[1].username == "sup.87");
  CHECK((*all)[1].province_code == "87");
  REQUIRE((*all)[1].disabled_at.has_value());
  CHECK(*(*all)[1].disabled_at == kT0 + absl::Seconds(1));

  StaffFilter by_role;
  by_role.role = domain::Role::kOfficer;
  absl::StatusOr<std::vector<StaffRecord>> officers =
      f.accounts->ListStaff(by_role);
  REQUIRE(officers.ok());
  REQUIRE(officers->size() == 1);
  StaffFilter by_desk;
  by_desk.desk_code = "XA-2-MC";
  absl::StatusOr<std::vector<StaffRecord>> desk =
      f.accounts->ListStaff(by_desk);
  REQUIRE(desk.ok());
  REQUIRE(desk->size() == 1);
  by_desk.desk_code = "XA-3-MC";
  CHECK(f.accounts->ListStaff(by_desk)->empty());

  absl::StatusOr<std::vector<AdminAuditEntry>> audit =
      f.accounts->AdminAudit(100);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 4);
  CHECK((*audit)[0].operator_name == AccountStore::kInProcessOperator);
  CHECK((*audit)[0].action == "create");
  CHECK_THAT((*audit)[0].detail, Catch::Contains("desks=XA-1-MC,XA-2-MC"));
  CHECK((*audit)[1].operator_name == "alice");
  CHECK_THAT((*audit)[1].detail, Catch::Contains("province=87"));
  CHECK((*audit)[2].action == "disable");
  CHECK((*audit)[2].operator_name == "bob");
  CHECK((*audit)[2].at == kT0 + absl::Seconds(1));
  CHECK((*audit)[3].action == "reset_password");
  CHECK((*audit)[3].username == "officer.lan");
  absl::StatusOr<std::vector<AdminAuditEntry>> last = f.accounts->AdminAudit(1);
  REQUIRE(last.ok());
  REQUIRE(last->size() == 1);
  CHECK((*last)[0].action == "reset_password");
  CHECK_FALSE(f.accounts->AdminAudit(0).ok());
  // Still there after reopening.
  f.Reopen();
  CHECK(f.accounts->AdminAudit(100)->size() == 4);
}

TEST_CASE("the per-call token check is cheap, even beside a writer",
          "[accounts][admin]") {
  Fixture f;
  f.CreateOfficer();
  absl::StatusOr<Principal> officer =
      f.accounts->VerifyPassword("officer.lan", kPassword, kT0);
  REQUIRE(officer.ok());
  // Citizens signing in keep the write connection busy meanwhile.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      (void)f.accounts->FindOrCreateCitizen(
          absl::StrFormat("09%08d", i % 100000000), kT0);
    }
  });
  constexpr int kChecks = 20000;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kChecks; ++i) {
    REQUIRE(f.accounts->CheckTokenCurrent(*officer).ok());
  }
  const absl::Duration each = (absl::Now() - start) / kChecks;
  stop = true;
  writer.join();
  WARN("CheckTokenCurrent: " << absl::ToDoubleMicroseconds(each)
                             << " us per call beside a writer");
  CHECK(each < absl::Microseconds(500));
}

}  // namespace
}  // namespace cdkv::auth
