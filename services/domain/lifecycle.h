#ifndef CDKV_SERVICES_DOMAIN_LIFECYCLE_H_
#define CDKV_SERVICES_DOMAIN_LIFECYCLE_H_

// The lifecycle of a filing (hồ sơ) as a pure state machine.
//
// Happy path: draft → submitted → prefilling → awaiting_desk → in_review →
// confirmed → processing → ready_for_pickup → completed. A district-level
// filing leaves the commune as confirmed → forwarded → processing.
//
// Decisions recorded here because callers depend on them:
//  * Supplying documents returns the filing to `submitted`, not to the desk:
//    the new photos must be read by OCR and pre-filled like the first ones,
//    and routing sends it back to the same desk afterwards.
//  * A citizen may withdraw only before an officer confirms the dossier;
//    after that the office has started legal work and must finish or reject.
//  * Permission is checked before state, so a caller without the role
//    learns nothing about the filing's state.

#include <array>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cdkv::domain {

enum class State {
  kDraft,
  kSubmitted,
  kPrefilling,
  kAwaitingDesk,
  kInReview,
  kConfirmed,
  kProcessing,
  kReadyForPickup,
  kCompleted,
  kNeedsMoreDocuments,
  kRejected,
  kWithdrawn,
  kForwarded,
};

enum class Action {
  kSubmit,            // citizen: draft → submitted
  kStartPrefill,      // system: submitted → prefilling
  kFinishPrefill,     // system: prefilling → awaiting_desk (also on OCR
                      // failure: the officer then fills the form by hand)
  kClaim,             // officer: awaiting_desk → in_review
  kRelease,           // officer/supervisor: in_review → awaiting_desk
  kLeaseExpire,       // system: in_review → awaiting_desk
  kConfirm,           // officer: in_review → confirmed
  kRequestDocuments,  // officer: in_review/forwarded → needs_more_documents
  kSupplyDocuments,   // citizen: needs_more_documents → submitted
  kReject,            // officer: in_review/confirmed/forwarded/processing
  kForward,           // officer: confirmed → forwarded (district level)
  kStartProcessing,   // officer: confirmed/forwarded → processing
  kMarkReady,         // officer: processing → ready_for_pickup
  kRecordPickup,      // officer: ready_for_pickup → completed
  kWithdraw,          // citizen: any state before confirmed
};

enum class Role { kCitizen, kOfficer, kSupervisor, kSystem };

inline constexpr std::array<State, 13> kAllStates = {
    State::kDraft,      State::kSubmitted,
    State::kPrefilling, State::kAwaitingDesk,
    State::kInReview,   State::kConfirmed,
    State::kProcessing, State::kReadyForPickup,
    State::kCompleted,  State::kNeedsMoreDocuments,
    State::kRejected,   State::kWithdrawn,
    State::kForwarded,
};

inline constexpr std::array<Action, 15> kAllActions = {
    Action::kSubmit,    Action::kStartPrefill,     Action::kFinishPrefill,
    Action::kClaim,     Action::kRelease,          Action::kLeaseExpire,
    Action::kConfirm,   Action::kRequestDocuments, Action::kSupplyDocuments,
    Action::kReject,    Action::kForward,          Action::kStartProcessing,
    Action::kMarkReady, Action::kRecordPickup,     Action::kWithdraw,
};

inline constexpr std::array<Role, 4> kAllRoles = {
    Role::kCitizen, Role::kOfficer, Role::kSupervisor, Role::kSystem};

// Stable snake_case names used in storage, the API and messages.
absl::string_view StateName(State state);
absl::string_view ActionName(Action action);
absl::string_view RoleName(Role role);
absl::StatusOr<State> ParseState(absl::string_view name);
absl::StatusOr<Action> ParseAction(absl::string_view name);
absl::StatusOr<Role> ParseRole(absl::string_view name);

// True for completed, rejected and withdrawn: nothing leaves these states.
bool IsTerminal(State state);

// Whether `role` may ever take `action`, whatever the state.
bool RoleMayTake(Role role, Action action);

// The state `action` leads to from `current`, or nullopt if it is illegal
// there. Ignores roles.
std::optional<State> Successor(State current, Action action);

// The next state, or PERMISSION_DENIED if the role may not take the action,
// or FAILED_PRECONDITION naming the state and the action if the action is
// illegal in the current state.
absl::StatusOr<State> Apply(State current, Action action, Role role);

// One applied state change, as written to the audit trail.
struct Transition {
  State from = State::kDraft;
  State to = State::kDraft;
  Action action = Action::kSubmit;
  std::string actor_id;
  Role role = Role::kCitizen;
  absl::Time at;
  std::string reason;

  friend bool operator==(const Transition&, const Transition&) = default;
};

// Apply() plus the record of it. A citizen told "rejected" or "bring more
// papers" must be told why, so kReject and kRequestDocuments need a non-empty
// reason; every transition needs an actor id.
absl::StatusOr<Transition> MakeTransition(State current, Action action,
                                          Role role, std::string actor_id,
                                          absl::Time at, std::string reason);

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_LIFECYCLE_H_
