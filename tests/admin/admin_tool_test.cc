// cdkv-admin as an operator uses it: the real binary on a server's data
// folder, while the server runs, checked over real gRPC (sign-in refused,
// tokens dead after disable and reset), plus bad and hostile input that must
// be refused with nothing changed.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/admin/run_admin.h"
#include "tests/api/stack.h"

namespace cdkv::testing {
namespace {

constexpr char kLanPassword[] = "a good long password";

grpc::Status DeskQueue(Stack& stack, const std::string& token) {
  cdkv::v1::ListDeskQueueRequest request;
  request.set_desk_code(kDeskA);
  cdkv::v1::ListDeskQueueResponse response;
  return stack.desk()->ListDeskQueue(Call(token).get(), request, &response);
}

grpc::Status Session(Stack& stack, const std::string& token) {
  cdkv::v1::GetSessionResponse response;
  return stack.auth()->GetSession(Call(token).get(), {}, &response);
}

void ExpectUnauthenticated(const grpc::Status& s, const std::string& needle) {
  INFO(s.error_code() << " " << s.error_message());
  CHECK(s.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(s.error_message(), Catch::Contains(needle));
}

std::vector<std::string> With(std::vector<std::string> common,
                              const std::vector<std::string>& args) {
  common.insert(common.end(), args.begin(), args.end());
  return common;
}

TEST_CASE("cdkv-admin manages the accounts of a running server",
          "[admin][grpc]") {
  auto stack = Stack::Start();
  const std::filesystem::path scratch = stack->dir().path();
  const std::vector<std::string> common = {"--data-dir",
                                           (scratch / "data").string(),
                                           "--catalog-dir", CDKV_CATALOG_DIR};
  auto admin = [&](const std::vector<std::string>& args,
                   const std::string& input = "") {
    AdminRun run =
        RunAdmin(scratch, With(common, args), input, {{"SUDO_USER", "alice"}});
    INFO(run.out << run.err);
    return run;
  };

  AdminRun added =
      admin({"add-officer", "--username", "Lan.Nguyen", "--desk", kDeskA,
             "--name", "Nguyễn Thị Lan", "--password-stdin"},
            std::string(kLanPassword) + "\n");
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  // The audit line it wrote: when, who, what.
  CHECK_THAT(added.out, Catch::Contains("alice via sudo"));
  CHECK_THAT(added.out, Catch::Contains("(uid "));
  CHECK_THAT(added.out, Catch::Contains("  create  lan.nguyen  role=officer"));
  CHECK_THAT(added.out, Catch::Contains("desks=desk.lv.tan_my"));

  StaffSignIn lan = SignInAs(*stack, "lan.nguyen", kLanPassword);
  REQUIRE(lan.status.ok());
  CHECK(DeskQueue(*stack, lan.token).ok());

  AdminRun duplicate = admin({"add-officer", "--username", "LAN.NGUYEN",
                              "--desk", kDeskB, "--password-stdin"},
                             "another long password\n");
  CHECK(duplicate.exit_code == 1);
  CHECK_THAT(duplicate.err, Catch::Contains("\"lan.nguyen\" is taken"));

  SECTION("disable shuts the account out at once, enable lets it back in") {
    AdminRun disabled = admin({"disable", "lan.nguyen"});
    REQUIRE(disabled.exit_code == 0);
    CHECK_THAT(disabled.out, Catch::Contains("  disable  lan.nguyen  "));
    ExpectUnauthenticated(DeskQueue(*stack, lan.token), "disabled");
    ExpectUnauthenticated(Session(*stack, lan.token), "disabled");
    ExpectUnauthenticated(SignInAs(*stack, "lan.nguyen", kLanPassword).status,
                          "disabled");
    CHECK(admin({"disable", "lan.nguyen"}).exit_code == 1);

    REQUIRE(admin({"enable", "lan.nguyen"}).exit_code == 0);
    StaffSignIn again = SignInAs(*stack, "lan.nguyen", kLanPassword);
    REQUIRE(again.status.ok());
    CHECK(DeskQueue(*stack, again.token).ok());
    // Tokens from before the disable stay dead.
    ExpectUnauthenticated(DeskQueue(*stack, lan.token), "revoked");

    AdminRun audit = admin({"audit"});
    REQUIRE(audit.exit_code == 0);
    const size_t create = audit.out.find("create  lan.nguyen");
    const size_t disable = audit.out.find("disable  lan.nguyen");
    const size_t enable = audit.out.find("enable  lan.nguyen");
    REQUIRE(create != std::string::npos);
    REQUIRE(disable != std::string::npos);
    REQUIRE(enable != std::string::npos);
    CHECK(create < disable);
    CHECK(disable < enable);
    // The test stack's own accounts were made in-process, and say so.
    CHECK_THAT(audit.out, Catch::Contains("in-process  create  officer.a"));
  }

  SECTION("reset-password replaces the password and ends old tokens") {
    AdminRun reset = admin({"reset-password", "lan.nguyen", "--password-stdin"},
                           "a brand new password\r\n");
    REQUIRE(reset.exit_code == 0);
    CHECK_THAT(reset.out, Catch::Contains("reset_password  lan.nguyen"));
    ExpectUnauthenticated(SignInAs(*stack, "lan.nguyen", kLanPassword).status,
                          "wrong username or password");
    ExpectUnauthenticated(DeskQueue(*stack, lan.token), "revoked");
    StaffSignIn fresh = SignInAs(*stack, "lan.nguyen", "a brand new password");
    REQUIRE(fresh.status.ok());
    CHECK(DeskQueue(*stack, fresh.token).ok());
    // Other accounts are untouched.
    CHECK(DeskQueue(*stack, stack->StaffToken("officer.a")).ok());
  }

  SECTION("list shows the accounts, filtered by role and desk") {
    AdminRun all = admin({"list"});
    REQUIRE(all.exit_code == 0);
    CHECK_THAT(all.out, Catch::StartsWith("USERNAME\tROLE\tSTATUS\tSCOPE"));
    CHECK_THAT(all.out, Catch::Contains("lan.nguyen\tofficer\tactive\tdesks "
                                        "desk.lv.tan_my\tNguyễn Thị Lan\t"));
    CHECK_THAT(all.out, Catch::Contains("supervisor.875\tsupervisor\tactive\t"
                                        "district 875\t"));
    AdminRun supervisors = admin({"list", "--role", "supervisor"});
    CHECK_THAT(supervisors.out, Catch::Contains("supervisor.875"));
    CHECK_THAT(supervisors.out, !Catch::Contains("lan.nguyen"));
    AdminRun desk_b = admin({"list", "--desk", kDeskB});
    CHECK_THAT(desk_b.out, Catch::Contains("officer.b\t"));
    CHECK_THAT(desk_b.out, !Catch::Contains("lan.nguyen"));

    REQUIRE(admin({"disable", "officer.b"}).exit_code == 0);
    AdminRun json = admin({"--json", "list", "--role", "officer"});
    REQUIRE(json.exit_code == 0);
    const nlohmann::json rows = nlohmann::json::parse(json.out);
    REQUIRE(rows.size() == 3);  // lan.nguyen, officer.a, officer.b
    CHECK(rows[0]["username"] == "lan.nguyen");
    CHECK(rows[0]["display_name"] == "Nguyễn Thị Lan");
    CHECK(rows[0]["desks"] == nlohmann::json::array({kDeskA}));
    CHECK(rows[0]["disabled_at"] == "");
    CHECK(rows[2]["username"] == "officer.b");
    CHECK(rows[2]["disabled_at"] != "");
    CHECK(admin({"list", "--role", "citizen"}).exit_code == 2);
  }
}

TEST_CASE("cdkv-admin refuses bad and hostile input and changes nothing",
          "[admin]") {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  REQUIRE(dir.ok());
  const std::filesystem::path data = dir->path() / "data";
  std::filesystem::create_directories(data);
  const std::vector<std::string> common = {"--data-dir", data.string(),
                                           "--catalog-dir", CDKV_CATALOG_DIR};
  auto refused = [&](const std::vector<std::string>& args,
                     const std::string& input, const std::string& needle,
                     int code = 1) {
    AdminRun run = RunAdmin(dir->path(), With(common, args), input);
    INFO(args.back() << "\n" << run.out << run.err);
    CHECK(run.exit_code == code);
    CHECK_THAT(run.err, Catch::Contains(needle));
    CHECK(run.out.empty());
    // Nothing raw reaches the operator's terminal.
    for (char c : run.err) {
      CHECK((c == '\n' || static_cast<unsigned char>(c) >= 0x20));
    }
    return run;
  };
  const std::string ok_password = "a good long password\n";

  refused({"add-officer", "--username", "lan", "--desk", "desk.nowhere",
           "--password-stdin"},
          ok_password, "unknown desk \"desk.nowhere\"");
  refused({"add-supervisor", "--username", "sup", "--district", "999",
           "--password-stdin"},
          ok_password, "unknown district \"999\"");
  refused({"add-supervisor", "--username", "sup", "--province", "89",
           "--password-stdin"},
          ok_password, "unknown province \"89\"");
  refused({"add-supervisor", "--username", "sup", "--password-stdin"},
          ok_password, "exactly one --district or one --province");
  refused({"add-supervisor", "--username", "sup", "--district", "875",
           "--province", "87", "--password-stdin"},
          ok_password, "excludes", 2);
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my",
           "--password-stdin"},
          "short\n", "password must be 10 to 256 bytes");
  refused({"add-officer", "--username", "lan.nguyen.01", "--desk",
           "desk.lv.tan_my", "--password-stdin"},
          "LAN.NGUYEN.01\n", "must not be the username");
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my",
           "--password-stdin"},
          "", "empty line");
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my",
           "--password-stdin"},
          std::string(5000, 'p') + "\n", "longer than 4096 bytes");
  // Without --password-stdin the password comes from the terminal, and
  // there is none: refused, never read from anywhere else.
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my"},
          ok_password, "--password-stdin");
  refused({"reset-password", "lan"}, ok_password, "no staff account \"lan\"");
  refused({"disable", "lan"}, "", "no staff account \"lan\"");
  refused({"enable", "nobody"}, "", "no staff account");

  // Hostile usernames, names and codes.
  refused({"add-officer", "--username", std::string(100000, 'a'), "--desk",
           "desk.lv.tan_my", "--password-stdin"},
          ok_password, "username must be 3 to 64");
  refused({"add-officer", "--username", "x'; DROP TABLE staff; --", "--desk",
           "desk.lv.tan_my", "--password-stdin"},
          ok_password, "username must be 3 to 64");
  refused({"add-officer", "--username", "lan\xff\xfe", "--desk",
           "desk.lv.tan_my", "--password-stdin"},
          ok_password, "username must be");
  refused({"disable", "a' OR '1'='1"}, "", "username must be");
  refused({"add-officer", "--username", "lan", "--desk", "desk\x1b[2J\x9b",
           "--password-stdin"},
          ok_password, "unknown desk \"desk\\x1b[2J\\x9b\"");
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my",
           "--name", "L\xe1 V\xe3n", "--password-stdin"},
          ok_password, "UTF-8");
  refused({"add-officer", "--username", "lan", "--desk", "desk.lv.tan_my",
           "--name", "Lan\nlevel=error forged", "--password-stdin"},
          ok_password, "without control characters");
  refused({"frobnicate"}, "", "subcommand is required", 2);

  AdminRun missing = RunAdmin(
      dir->path(), {"--data-dir", (dir->path() / "nowhere").string(), "list"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir->path() / "nowhere"));

  // A data folder of another user: files SQLite would create there as this
  // user could lock the server out of its own store.
  const std::filesystem::path foreign = dir->path() / "foreign";
  std::filesystem::create_directories(foreign);
  const uid_t other_uid = geteuid() == 0 ? 12345 : 0;
  if (chown(foreign.c_str(), other_uid, static_cast<gid_t>(-1)) == 0) {
    AdminRun run =
        RunAdmin(dir->path(), {"--data-dir", foreign.string(), "--catalog-dir",
                               CDKV_CATALOG_DIR, "list"});
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err, Catch::Contains("run cdkv-admin as the server's user"));
    CHECK_FALSE(std::filesystem::exists(foreign / "accounts.db"));
  } else {
    WARN(
        "not root: cannot give a folder to another user, ownership check "
        "not exercised");
  }

  // Nothing was created, and nothing was recorded.
  AdminRun list = RunAdmin(dir->path(), With(common, {"--json", "list"}));
  REQUIRE(list.exit_code == 0);
  CHECK(nlohmann::json::parse(list.out).empty());
  AdminRun audit = RunAdmin(dir->path(), With(common, {"audit"}));
  REQUIRE(audit.exit_code == 0);
  CHECK(audit.out.empty());

  // And the same tool still works on that folder.
  AdminRun added =
      RunAdmin(dir->path(),
               With(common, {"add-supervisor", "--username", "tinh.87",
                             "--province", "87", "--password-stdin"}),
               ok_password);
  INFO(added.err);
  CHECK(added.exit_code == 0);
  CHECK_THAT(added.out, Catch::Contains(
                            "create  tinh.87  role=supervisor name=\"tinh.87\" "
                            "province=87"));
}

}  // namespace
}  // namespace cdkv::testing
