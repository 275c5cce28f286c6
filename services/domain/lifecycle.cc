#include "services/domain/lifecycle.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cdkv::domain {
namespace {

struct Edge {
  State from;
  Action action;
  State to;
};

// The whole machine. Anything not listed here is illegal.
constexpr Edge kEdges[] = {
    {State::kDraft, Action::kSubmit, State::kSubmitted},
    {State::kSubmitted, Action::kStartPrefill, State::kPrefilling},
    {State::kPrefilling, Action::kFinishPrefill, State::kAwaitingDesk},
    {State::kAwaitingDesk, Action::kClaim, State::kInReview},
    {State::kInReview, Action::kRelease, State::kAwaitingDesk},
    {State::kInReview, Action::kLeaseExpire, State::kAwaitingDesk},
    {State::kInReview, Action::kConfirm, State::kConfirmed},
    {State::kInReview, Action::kRequestDocuments, State::kNeedsMoreDocuments},
    {State::kForwarded, Action::kRequestDocuments, State::kNeedsMoreDocuments},
    {State::kNeedsMoreDocuments, Action::kSupplyDocuments, State::kSubmitted},
    {State::kInReview, Action::kReject, State::kRejected},
    {State::kConfirmed, Action::kReject, State::kRejected},
    {State::kForwarded, Action::kReject, State::kRejected},
    {State::kProcessing, Action::kReject, State::kRejected},
    {State::kConfirmed, Action::kForward, State::kForwarded},
    {State::kConfirmed, Action::kStartProcessing, State::kProcessing},
    {State::kForwarded, Action::kStartProcessing, State::kProcessing},
    {State::kProcessing, Action::kMarkReady, State::kReadyForPickup},
    {State::kReadyForPickup, Action::kRecordPickup, State::kCompleted},
    {State::kDraft, Action::kWithdraw, State::kWithdrawn},
    {State::kSubmitted, Action::kWithdraw, State::kWithdrawn},
    {State::kPrefilling, Action::kWithdraw, State::kWithdrawn},
    {State::kAwaitingDesk, Action::kWithdraw, State::kWithdrawn},
    {State::kInReview, Action::kWithdraw, State::kWithdrawn},
    {State::kNeedsMoreDocuments, Action::kWithdraw, State::kWithdrawn},
};

// Advice for the mistakes an officer or a client is likely to make; other
// illegal pairs get the list of states the action is allowed from.
struct Hint {
  State from;
  Action action;
  absl::string_view text;
};

constexpr Hint kHints[] = {
    {State::kAwaitingDesk, Action::kConfirm, "claim it first"},
    {State::kAwaitingDesk, Action::kReject, "claim it first"},
    {State::kAwaitingDesk, Action::kRequestDocuments, "claim it first"},
    {State::kInReview, Action::kClaim,
     "another officer holds it; wait for "
     "release or lease expiry"},
    {State::kInReview, Action::kForward, "confirm it first"},
    {State::kInReview, Action::kStartProcessing, "confirm it first"},
    {State::kInReview, Action::kMarkReady, "confirm and process it first"},
    {State::kConfirmed, Action::kMarkReady, "start processing it first"},
    {State::kConfirmed, Action::kWithdraw,
     "the office has confirmed the dossier; ask the desk to reject it"},
    {State::kProcessing, Action::kWithdraw,
     "the office is already processing it; ask the desk to reject it"},
    {State::kForwarded, Action::kWithdraw,
     "it has been forwarded to the competent office; ask that office"},
    {State::kReadyForPickup, Action::kWithdraw,
     "the result is ready; collect it or let it expire at the desk"},
    {State::kSubmitted, Action::kClaim, "it is waiting for pre-fill"},
    {State::kPrefilling, Action::kClaim, "it is waiting for pre-fill"},
    {State::kReadyForPickup, Action::kMarkReady, "it is already ready"},
};

struct NamedState {
  State value;
  absl::string_view name;
};
constexpr NamedState kStateNames[] = {
    {State::kDraft, "draft"},
    {State::kSubmitted, "submitted"},
    {State::kPrefilling, "prefilling"},
    {State::kAwaitingDesk, "awaiting_desk"},
    {State::kInReview, "in_review"},
    {State::kConfirmed, "confirmed"},
    {State::kProcessing, "processing"},
    {State::kReadyForPickup, "ready_for_pickup"},
    {State::kCompleted, "completed"},
    {State::kNeedsMoreDocuments, "needs_more_documents"},
    {State::kRejected, "rejected"},
    {State::kWithdrawn, "withdrawn"},
    {State::kForwarded, "forwarded"},
};

struct NamedAction {
  Action value;
  absl::string_view name;
  // Roles allowed to take the action, as a bit set over Role.
  unsigned roles;
};

constexpr unsigned Bit(Role role) { return 1u << static_cast<unsigned>(role); }

constexpr NamedAction kActionNames[] = {
    {Action::kSubmit, "submit", Bit(Role::kCitizen)},
    {Action::kStartPrefill, "start_prefill", Bit(Role::kSystem)},
    {Action::kFinishPrefill, "finish_prefill", Bit(Role::kSystem)},
    {Action::kClaim, "claim", Bit(Role::kOfficer)},
    // A supervisor may free a filing claimed by an officer who is away.
    {Action::kRelease, "release", Bit(Role::kOfficer) | Bit(Role::kSupervisor)},
    {Action::kLeaseExpire, "lease_expire", Bit(Role::kSystem)},
    {Action::kConfirm, "confirm", Bit(Role::kOfficer)},
    {Action::kRequestDocuments, "request_documents", Bit(Role::kOfficer)},
    {Action::kSupplyDocuments, "supply_documents", Bit(Role::kCitizen)},
    {Action::kReject, "reject", Bit(Role::kOfficer)},
    {Action::kForward, "forward", Bit(Role::kOfficer)},
    {Action::kStartProcessing, "start_processing", Bit(Role::kOfficer)},
    {Action::kMarkReady, "mark_ready", Bit(Role::kOfficer)},
    {Action::kRecordPickup, "record_pickup", Bit(Role::kOfficer)},
    {Action::kWithdraw, "withdraw", Bit(Role::kCitizen)},
};

struct NamedRole {
  Role value;
  absl::string_view name;
};
constexpr NamedRole kRoleNames[] = {
    {Role::kCitizen, "citizen"},
    {Role::kOfficer, "officer"},
    {Role::kSupervisor, "supervisor"},
    {Role::kSystem, "system"},
};

const NamedAction& ActionEntry(Action action) {
  for (const NamedAction& entry : kActionNames) {
    if (entry.value == action) return entry;
  }
  return kActionNames[0];  // Unreachable: every enumerator is listed.
}

// "a citizen", "an officer", "the system".
std::string WithArticle(Role role) {
  switch (role) {
    case Role::kOfficer:
      return "an officer";
    case Role::kSystem:
      return "the system";
    case Role::kCitizen:
    case Role::kSupervisor:
      break;
  }
  return absl::StrCat("a ", RoleName(role));
}

std::string RolesAllowed(Action action) {
  std::vector<std::string> names;
  for (const NamedRole& role : kRoleNames) {
    if (RoleMayTake(role.value, action)) {
      names.push_back(WithArticle(role.value));
    }
  }
  return absl::StrJoin(names, " or ");
}

std::string StatesAllowed(Action action) {
  std::vector<absl::string_view> names;
  for (const Edge& edge : kEdges) {
    if (edge.action == action) names.push_back(StateName(edge.from));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

absl::string_view StateName(State state) {
  for (const NamedState& entry : kStateNames) {
    if (entry.value == state) return entry.name;
  }
  return "unknown_state";
}

absl::string_view ActionName(Action action) { return ActionEntry(action).name; }

absl::string_view RoleName(Role role) {
  for (const NamedRole& entry : kRoleNames) {
    if (entry.value == role) return entry.name;
  }
  return "unknown_role";
}

absl::StatusOr<State> ParseState(absl::string_view name) {
  for (const NamedState& entry : kStateNames) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown filing state \"", name, "\""));
}

absl::StatusOr<Action> ParseAction(absl::string_view name) {
  for (const NamedAction& entry : kActionNames) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown filing action \"", name, "\""));
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (const NamedRole& entry : kRoleNames) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role \"", name,
                   "\"; expected citizen, officer, supervisor "
                   "or system"));
}

bool IsTerminal(State state) {
  return state == State::kCompleted || state == State::kRejected ||
         state == State::kWithdrawn;
}

bool RoleMayTake(Role role, Action action) {
  return (ActionEntry(action).roles & Bit(role)) != 0;
}

std::optional<State> Successor(State current, Action action) {
  for (const Edge& edge : kEdges) {
    if (edge.from == current && edge.action == action) return edge.to;
  }
  return std::nullopt;
}

absl::StatusOr<State> Apply(State current, Action action, Role role) {
  if (!RoleMayTake(role, action)) {
    return absl::PermissionDeniedError(
        absl::StrCat(WithArticle(role), " may not ", ActionName(action),
                     " a filing; only ", RolesAllowed(action), " may"));
  }
  if (std::optional<State> next = Successor(current, action)) return *next;

  std::string message = absl::StrCat("cannot ", ActionName(action),
                                     " a filing that is ", StateName(current));
  if (IsTerminal(current)) {
    absl::StrAppend(&message, "; it is closed and cannot change any more");
    return absl::FailedPreconditionError(message);
  }
  for (const Hint& hint : kHints) {
    if (hint.from == current && hint.action == action) {
      absl::StrAppend(&message, "; ", hint.text);
      return absl::FailedPreconditionError(message);
    }
  }
  absl::StrAppend(&message, "; ", ActionName(action), " applies only to ",
                  StatesAllowed(action));
  return absl::FailedPreconditionError(message);
}

absl::StatusOr<Transition> MakeTransition(State current, Action action,
                                          Role role, std::string actor_id,
                                          absl::Time at, std::string reason) {
  if (actor_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("every ", ActionName(action),
                     " must name who did it; actor id is empty"));
  }
  if ((action == Action::kReject || action == Action::kRequestDocuments) &&
      reason.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ActionName(action), " needs a reason the citizen can act on"));
  }
  absl::StatusOr<State> next = Apply(current, action, role);
  if (!next.ok()) return next.status();
  return Transition{current, *next, action,           std::move(actor_id),
                    role,    at,    std::move(reason)};
}

}  // namespace cdkv::domain
