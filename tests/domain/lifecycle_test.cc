#include "services/domain/lifecycle.h"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cdkv::domain {
namespace {

using S = State;
using A = Action;

// The specification, written out independently of the implementation's
// table: every legal (state, action) pair and where it leads.
const std::map<std::pair<State, Action>, State>& Expected() {
  static const auto* expected = new std::map<std::pair<State, Action>, State>{
      {{S::kDraft, A::kSubmit}, S::kSubmitted},
      {{S::kSubmitted, A::kStartPrefill}, S::kPrefilling},
      {{S::kPrefilling, A::kFinishPrefill}, S::kAwaitingDesk},
      {{S::kAwaitingDesk, A::kClaim}, S::kInReview},
      {{S::kInReview, A::kRelease}, S::kAwaitingDesk},
      {{S::kInReview, A::kLeaseExpire}, S::kAwaitingDesk},
      {{S::kInReview, A::kConfirm}, S::kConfirmed},
      {{S::kInReview, A::kRequestDocuments}, S::kNeedsMoreDocuments},
      {{S::kForwarded, A::kRequestDocuments}, S::kNeedsMoreDocuments},
      {{S::kNeedsMoreDocuments, A::kSupplyDocuments}, S::kSubmitted},
      {{S::kInReview, A::kReject}, S::kRejected},
      {{S::kConfirmed, A::kReject}, S::kRejected},
      {{S::kForwarded, A::kReject}, S::kRejected},
      {{S::kProcessing, A::kReject}, S::kRejected},
      {{S::kConfirmed, A::kForward}, S::kForwarded},
      {{S::kConfirmed, A::kStartProcessing}, S::kProcessing},
      {{S::kForwarded, A::kStartProcessing}, S::kProcessing},
      {{S::kProcessing, A::kMarkReady}, S::kReadyForPickup},
      {{S::kReadyForPickup, A::kRecordPickup}, S::kCompleted},
      {{S::kDraft, A::kWithdraw}, S::kWithdrawn},
      {{S::kSubmitted, A::kWithdraw}, S::kWithdrawn},
      {{S::kPrefilling, A::kWithdraw}, S::kWithdrawn},
      {{S::kAwaitingDesk, A::kWithdraw}, S::kWithdrawn},
      {{S::kInReview, A::kWithdraw}, S::kWithdrawn},
      {{S::kNeedsMoreDocuments, A::kWithdraw}, S::kWithdrawn},
  };
  return *expected;
}

// Who may take each action.
const std::map<Action, std::set<Role>>& ExpectedRoles() {
  static const auto* roles = new std::map<Action, std::set<Role>>{
      {A::kSubmit, {Role::kCitizen}},
      {A::kStartPrefill, {Role::kSystem}},
      {A::kFinishPrefill, {Role::kSystem}},
      {A::kClaim, {Role::kOfficer}},
      {A::kRelease, {Role::kOfficer, Role::kSupervisor}},
      {A::kLeaseExpire, {Role::kSystem}},
      {A::kConfirm, {Role::kOfficer}},
      {A::kRequestDocuments, {Role::kOfficer}},
      {A::kSupplyDocuments, {Role::kCitizen}},
      {A::kReject, {Role::kOfficer}},
      {A::kForward, {Role::kOfficer}},
      {A::kStartProcessing, {Role::kOfficer}},
      {A::kMarkReady, {Role::kOfficer}},
      {A::kRecordPickup, {Role::kOfficer}},
      {A::kWithdraw, {Role::kCitizen}},
  };
  return *roles;
}

TEST_CASE("every state and action with an allowed role", "[lifecycle]") {
  int legal = 0;
  for (State state : kAllStates) {
    for (Action action : kAllActions) {
      Role role = *ExpectedRoles().at(action).begin();
      absl::StatusOr<State> next = Apply(state, action, role);
      INFO(StateName(state) << " x " << ActionName(action));
      auto it = Expected().find({state, action});
      if (it != Expected().end()) {
        ++legal;
        REQUIRE(next.ok());
        CHECK(*next == it->second);
        CHECK(Successor(state, action) == it->second);
      } else {
        REQUIRE_FALSE(next.ok());
        CHECK(next.status().code() == absl::StatusCode::kFailedPrecondition);
        CHECK_THAT(std::string(next.status().message()),
                   Catch::Contains(std::string(StateName(state))) &&
                       Catch::Contains(std::string(ActionName(action))));
        CHECK_FALSE(Successor(state, action).has_value());
      }
    }
  }
  CHECK(legal == static_cast<int>(Expected().size()));
}

TEST_CASE("every action and role, in every state", "[lifecycle]") {
  for (Action action : kAllActions) {
    for (Role role : kAllRoles) {
      bool allowed = ExpectedRoles().at(action).contains(role);
      CHECK(RoleMayTake(role, action) == allowed);
      if (allowed) continue;
      for (State state : kAllStates) {
        absl::StatusOr<State> next = Apply(state, action, role);
        INFO(RoleName(role)
             << " " << ActionName(action) << " in " << StateName(state));
        REQUIRE_FALSE(next.ok());
        CHECK(next.status().code() == absl::StatusCode::kPermissionDenied);
        // The refusal must not reveal the filing's state.
        CHECK(next.status().message() ==
              Apply(S::kDraft, action, role).status().message());
      }
    }
  }
}

TEST_CASE("messages tell the person what to do", "[lifecycle]") {
  absl::StatusOr<State> confirm =
      Apply(S::kAwaitingDesk, A::kConfirm, Role::kOfficer);
  CHECK(confirm.status().message() ==
        "cannot confirm a filing that is awaiting_desk; claim it first");

  absl::StatusOr<State> withdraw =
      Apply(S::kConfirmed, A::kWithdraw, Role::kCitizen);
  CHECK_THAT(std::string(withdraw.status().message()),
             Catch::StartsWith("cannot withdraw a filing that is confirmed") &&
                 Catch::Contains("ask the desk to reject it"));

  absl::StatusOr<State> closed =
      Apply(S::kCompleted, A::kReject, Role::kOfficer);
  CHECK_THAT(std::string(closed.status().message()), Catch::Contains("closed"));

  // Pairs without a specific hint list where the action does apply.
  absl::StatusOr<State> pickup =
      Apply(S::kProcessing, A::kRecordPickup, Role::kOfficer);
  CHECK_THAT(std::string(pickup.status().message()),
             Catch::EndsWith("record_pickup applies only to ready_for_pickup"));

  absl::StatusOr<State> denied =
      Apply(S::kInReview, A::kConfirm, Role::kCitizen);
  CHECK(denied.status().message() ==
        "a citizen may not confirm a filing; only an officer may");
  absl::StatusOr<State> release =
      Apply(S::kInReview, A::kRelease, Role::kSystem);
  CHECK(release.status().message() ==
        "the system may not release a filing; only an officer or a "
        "supervisor may");
}

TEST_CASE("terminal states admit nothing", "[lifecycle]") {
  for (State state : {S::kCompleted, S::kRejected, S::kWithdrawn}) {
    CHECK(IsTerminal(state));
    for (Action action : kAllActions) {
      CHECK_FALSE(Successor(state, action).has_value());
    }
  }
  CHECK_FALSE(IsTerminal(S::kForwarded));
  CHECK_FALSE(IsTerminal(S::kNeedsMoreDocuments));
}

TEST_CASE("every non-terminal state can still end", "[lifecycle]") {
  // Guards against a state with no way out being added to the table.
  for (State start : kAllStates) {
    std::set<State> seen = {start};
    std::vector<State> frontier = {start};
    bool reaches_end = IsTerminal(start);
    while (!frontier.empty() && !reaches_end) {
      State state = frontier.back();
      frontier.pop_back();
      for (Action action : kAllActions) {
        if (std::optional<State> next = Successor(state, action)) {
          reaches_end = reaches_end || IsTerminal(*next);
          if (seen.insert(*next).second) frontier.push_back(*next);
        }
      }
    }
    INFO(StateName(start));
    CHECK(reaches_end);
  }
}

TEST_CASE("happy path of a district filing", "[lifecycle]") {
  struct Step {
    Action action;
    Role role;
  };
  const Step steps[] = {
      {A::kSubmit, Role::kCitizen},          {A::kStartPrefill, Role::kSystem},
      {A::kFinishPrefill, Role::kSystem},    {A::kClaim, Role::kOfficer},
      {A::kLeaseExpire, Role::kSystem},      {A::kClaim, Role::kOfficer},
      {A::kConfirm, Role::kOfficer},         {A::kForward, Role::kOfficer},
      {A::kStartProcessing, Role::kOfficer}, {A::kMarkReady, Role::kOfficer},
      {A::kRecordPickup, Role::kOfficer},
  };
  State state = S::kDraft;
  for (const Step& step : steps) {
    absl::StatusOr<State> next = Apply(state, step.action, step.role);
    REQUIRE(next.ok());
    state = *next;
  }
  CHECK(state == S::kCompleted);
}

TEST_CASE("names round-trip and unknown names are refused", "[lifecycle]") {
  for (State state : kAllStates) {
    absl::StatusOr<State> parsed = ParseState(StateName(state));
    REQUIRE(parsed.ok());
    CHECK(*parsed == state);
  }
  for (Action action : kAllActions) {
    absl::StatusOr<Action> parsed = ParseAction(ActionName(action));
    REQUIRE(parsed.ok());
    CHECK(*parsed == action);
  }
  for (Role role : kAllRoles) {
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    REQUIRE(parsed.ok());
    CHECK(*parsed == role);
  }
  CHECK(ParseState("approved").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseAction("Confirm").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseRole("").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a transition records who, when and why", "[lifecycle]") {
  absl::Time at = absl::FromUnixSeconds(1'700'000'000);
  absl::StatusOr<Transition> t =
      MakeTransition(S::kInReview, A::kRequestDocuments, Role::kOfficer,
                     "officer-7", at, "ảnh giấy chứng sinh bị mờ");
  REQUIRE(t.ok());
  CHECK(*t == Transition{S::kInReview, S::kNeedsMoreDocuments,
                         A::kRequestDocuments, "officer-7", Role::kOfficer, at,
                         "ảnh giấy chứng sinh bị mờ"});

  CHECK(MakeTransition(S::kInReview, A::kReject, Role::kOfficer, "officer-7",
                       at, "")
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(MakeTransition(S::kDraft, A::kSubmit, Role::kCitizen, "", at, "")
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  // Illegal transitions are refused the same way as by Apply.
  CHECK(MakeTransition(S::kDraft, A::kConfirm, Role::kOfficer, "officer-7", at,
                       "")
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Transition> submit = MakeTransition(
      S::kDraft, A::kSubmit, Role::kCitizen, "citizen-1", at, "");
  REQUIRE(submit.ok());
  CHECK(submit->to == S::kSubmitted);
  CHECK(submit->reason.empty());
}

}  // namespace
}  // namespace cdkv::domain
