// cdkv-admin: creates officer and supervisor accounts, resets passwords,
// disables and enables accounts, lists them, and shows the admin audit.
//
// Run by an operator on the server host, as the user the server runs as,
// against the server's data folder (accounts.db). Safe while the server
// runs: SQLite in WAL mode lets both write, and the server reads an
// account's state on every call, so a disabled account is shut out at once.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "services/auth/account_store.h"
#include "services/domain/catalog_loader.h"
#include "tools/admin/admin.h"
#include "tools/admin/terminal.h"

namespace cdkv::admin {
namespace {

// Exit codes: 0 done, 1 refused or failed (nothing changed), 2 bad command
// line.
constexpr int kRefused = 1;
constexpr int kUsage = 2;

int Refuse(const absl::Status& status) {
  std::cerr << "cdkv-admin: " << Printable(Std(status.message()), 600) << "\n";
  return kRefused;
}

// Files SQLite creates beside accounts.db (-wal, -shm) take the creating
// user; if root made them, the server could no longer open its own store.
absl::Status CheckDataDir(const std::filesystem::path& data_dir) {
  struct stat st;
  if (stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data folder ", data_dir.string(),
        " does not exist; give the server's --data-dir (or CDKV_DATA_DIR), or "
        "create the folder as the server's user first"));
  }
  const std::filesystem::path db = data_dir / "accounts.db";
  const std::filesystem::path owned =
      stat(db.c_str(), &st) == 0 ? db : data_dir;
  if (stat(owned.c_str(), &st) == 0 && st.st_uid != geteuid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        owned.string(), " belongs to uid ", st.st_uid, ", not to you (uid ",
        geteuid(),
        "); run cdkv-admin as the server's user, e.g. sudo -u <that user> "
        "cdkv-admin ..."));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  std::string data_dir = "var/cdkv";
  std::string catalog_dir = CDKV_DEFAULT_CATALOG_DIR;
  bool json = false;
  bool password_stdin = false;

  CLI::App app{
      "cdkv-admin: officer and supervisor accounts of a cdkv server. Run on "
      "the server host as the server's user; safe while the server runs. "
      "Passwords are read from the terminal without echo, or from standard "
      "input with --password-stdin, never from the command line. Every "
      "change is recorded in the admin audit (who, what, when).",
      "cdkv-admin"};
  app.option_defaults()->always_capture_default();
  app.require_subcommand(1);
  app.add_option("--data-dir", data_dir, "the server's data folder")
      ->envname("CDKV_DATA_DIR");
  app.add_option("--catalog-dir", catalog_dir,
                 "folder with procedures.json and lap_vo.json, to check "
                 "desks, districts and provinces")
      ->envname("CDKV_CATALOG_DIR");
  app.add_flag("--json", json, "machine-readable output");

  std::string username;
  std::string display_name;
  std::vector<std::string> desks;
  std::string district;
  std::string province;
  std::string role;
  std::string desk_filter;
  int limit = 50;

  auto add_password_flag = [&](CLI::App* command) {
    command->add_flag("--password-stdin", password_stdin,
                      "read the password from the first line of standard "
                      "input instead of the terminal");
  };

  CLI::App* add_officer = app.add_subcommand(
      "add-officer", "create an officer of one or more desks");
  add_officer->add_option("--username", username, "3-64 of a-z 0-9 . _ -")
      ->required();
  add_officer
      ->add_option("--desk", desks, "desk code from the catalog (repeatable)")
      ->required();
  add_officer->add_option("--name", display_name,
                          "display name (default: the username)");
  add_password_flag(add_officer);

  CLI::App* add_supervisor = app.add_subcommand(
      "add-supervisor", "create a supervisor of a district or a province");
  add_supervisor->add_option("--username", username, "3-64 of a-z 0-9 . _ -")
      ->required();
  CLI::Option* district_opt = add_supervisor->add_option(
      "--district", district, "district code, e.g. 875 (Lấp Vò)");
  CLI::Option* province_opt = add_supervisor->add_option(
      "--province", province, "province code, e.g. 87 (Đồng Tháp)");
  district_opt->excludes(province_opt);
  add_supervisor->add_option("--name", display_name,
                             "display name (default: the username)");
  add_password_flag(add_supervisor);

  CLI::App* reset = app.add_subcommand(
      "reset-password", "set a new password; the account's tokens end");
  reset->add_option("username", username)->required();
  add_password_flag(reset);

  CLI::App* disable = app.add_subcommand(
      "disable", "refuse sign-in and end the account's tokens at once");
  disable->add_option("username", username)->required();
  CLI::App* enable =
      app.add_subcommand("enable", "allow a disabled account to sign in again");
  enable->add_option("username", username)->required();

  CLI::App* list = app.add_subcommand("list", "list staff accounts");
  list->add_option("--role", role, "officer or supervisor")
      ->check(CLI::IsMember({"officer", "supervisor"}));
  list->add_option("--desk", desk_filter, "only officers of this desk");

  CLI::App* audit =
      app.add_subcommand("audit", "show the latest administrative changes");
  audit->add_option("--limit", limit, "how many")->check(CLI::Range(1, 100000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsage;
  }

  if (absl::Status s = CheckDataDir(data_dir); !s.ok()) return Refuse(s);
  const std::filesystem::path catalog_path(catalog_dir);
  absl::StatusOr<domain::Catalog> catalog =
      domain::LoadCatalog((catalog_path / "procedures.json").string(),
                          (catalog_path / "lap_vo.json").string());
  if (!catalog.ok()) {
    return Refuse(
        absl::Status(catalog.status().code(),
                     absl::StrCat("catalog: ", catalog.status().message())));
  }
  absl::StatusOr<std::unique_ptr<auth::AccountStore>> accounts =
      auth::AccountStore::Open(data_dir, {});
  if (!accounts.ok()) {
    return Refuse(
        absl::Status(accounts.status().code(),
                     absl::StrCat("accounts: ", accounts.status().message())));
  }

  Context context;
  context.accounts = accounts->get();
  context.catalog = &*catalog;
  context.operator_name = OperatorName();
  context.out = &std::cout;
  context.json = json;
  PasswordSource password = [&]() -> absl::StatusOr<std::string> {
    if (password_stdin) return ReadPasswordFromStdin();
    return ReadNewPasswordFromTerminal(username);
  };

  absl::Status done;
  if (add_officer->parsed()) {
    done = AddOfficer(context, username, desks, display_name, password);
  } else if (add_supervisor->parsed()) {
    done = AddSupervisor(context, username, district, province, display_name,
                         password);
  } else if (reset->parsed()) {
    done = ResetPassword(context, username, password);
  } else if (disable->parsed()) {
    done = SetDisabled(context, username, true);
  } else if (enable->parsed()) {
    done = SetDisabled(context, username, false);
  } else if (list->parsed()) {
    done = List(context, role, desk_filter);
  } else if (audit->parsed()) {
    done = Audit(context, limit);
  }
  std::cout.flush();
  if (!done.ok()) return Refuse(done);
  return 0;
}

}  // namespace
}  // namespace cdkv::admin

int main(int argc, char** argv) { return cdkv::admin::Main(argc, argv); }
