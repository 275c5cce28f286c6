#ifndef CDKV_SERVICES_API_FILING_OPS_H_
#define CDKV_SERVICES_API_FILING_OPS_H_

// What every handler (and the workers) does to filings: authorise, apply a
// lifecycle action and record it, load a filing as the API shows it, and run a
// mutation exactly once per request id.

#include <grpcpp/grpcpp.h>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cdkv/v1/common.pb.h"
#include "services/api/deps.h"
#include "services/auth/grpc_status.h"
#include "services/auth/principal.h"
#include "services/domain/lifecycle.h"
#include "services/records/record_store.h"

namespace cdkv::api {

// Who acts: a signed-in person, or the system (workers, the deadline watcher).
struct Actor {
  std::string id;
  domain::Role role = domain::Role::kSystem;

  static Actor Of(const auth::Principal& p) { return {p.account_id, p.role}; }
  static Actor System(std::string worker) {
    return {std::move(worker), domain::Role::kSystem};
  }
};

cdkv::v1::FilingState ToProto(domain::State state);
cdkv::v1::Role ToProto(domain::Role role);

// Whether `principal` may see `filing`: its citizen, an officer of its current
// or competent desk, or a supervisor over its district. A citizen asking for
// someone else's filing gets NOT_FOUND, so filing ids cannot be probed.
absl::Status CheckAccess(const Deps& deps, const auth::Principal& principal,
                         const records::FilingRow& filing);

// Applies `action` to `filing` (in `tx`): checks the lifecycle, updates and
// versions the row, appends history and audit, and queues the event to publish
// after commit.
absl::Status ApplyAction(records::Tx& tx, records::FilingRow& filing,
                         domain::Action action, const Actor& actor,
                         std::string reason, absl::Time now,
                         std::vector<cdkv::v1::FilingEvent>* events);

// The filing with documents, forms and history, as the API shows it.
absl::StatusOr<cdkv::v1::Filing> LoadFiling(const Deps& deps, records::Tx& tx,
                                            std::string_view filing_id);
// LoadFiling into `out`, for handlers that answer with the filing.
absl::Status FillFiling(const Deps& deps, records::Tx& tx,
                        std::string_view filing_id, cdkv::v1::Filing* out);
cdkv::v1::FilingSummary Summarize(const Deps& deps,
                                  const records::FilingRow& filing);

absl::Status Audit(records::Tx& tx, const Actor& actor, std::string_view action,
                   std::string_view filing_id, std::string_view detail,
                   absl::Time now);

// In a MutateOnce body, after its last change to `filing`: answers with the
// filing in `view`. The basic view is built here from the row; the full one
// is loaded by MutateOnce after the commit, on a read connection, because the
// writer connection is the store's one serial resource and loading the whole
// filing (documents, forms, history) under it cost more than the change.
void AnswerWithFiling(const Deps& deps, const records::FilingRow& filing,
                      cdkv::v1::FilingView view, cdkv::v1::Filing* out);
// The filing's own fields: everything but documents, forms and history.
void FillFilingHeader(const Deps& deps, const records::FilingRow& filing,
                      cdkv::v1::Filing* out);

// Responses that carry the acted-on filing.
template <typename Response>
concept AnswersWithFiling = requires(Response& r) {
  { r.mutable_filing() } -> std::same_as<cdkv::v1::Filing*>;
};

// Checks a client request id: present, at most 128 printable ASCII characters.
absl::Status ValidateRequestId(std::string_view request_id);

// Runs a mutation exactly once per (caller, request id): a retry gets the
// stored first answer; otherwise `body` runs in one transaction and its answer
// is stored with it. A full filing in the answer (AnswerWithFiling) is stored
// as its id and loaded after the commit, so a retry sees the filing as it is
// then, never older than the first answer. Events the body queued are
// published after the commit. On failure `response` is cleared.
template <typename Response, typename Body>
absl::Status MutateOnce(Deps& deps, const auth::Principal& caller,
                        std::string_view method, std::string_view request_id,
                        Response* response, Body body) {
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  std::vector<cdkv::v1::FilingEvent> events;
  const absl::Time now = deps.clock();
  bool replayed = false;
  absl::Status status =
      deps.records->Write([&](records::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> first =
            tx.FindResponse(caller.account_id, request_id, method);
        if (!first.ok()) return first.status();
        if (first->has_value()) {
          if (!response->ParseFromString(**first)) {
            return absl::DataLossError(
                "the stored answer to this request is unreadable");
          }
          replayed = true;
          return absl::OkStatus();
        }
        if (absl::Status s = body(tx, now, &events); !s.ok()) return s;
        return tx.SaveResponse(caller.account_id, request_id, method,
                               response->SerializeAsString(), now);
      });
  if (!status.ok()) {
    response->Clear();
    return status;
  }
  for (const auto& event : events) deps.events->Publish(event);
  deps.poke_outbox();
  if constexpr (AnswersWithFiling<Response>) {
    // A full answer is stored as the id alone (a filing's version starts
    // at 1).
    if (!response->filing().filing_id().empty() &&
        response->filing().version() == 0) {
      const std::string id = response->filing().filing_id();
      status = deps.records->Read([&](records::Tx& tx) -> absl::Status {
        if (replayed) {
          // The caller may have lost the filing since (forwarded, moved):
          // then the retry gets only the id it was first answered with.
          absl::StatusOr<records::FilingRow> row = tx.GetFiling(id);
          if (!row.ok()) return row.status();
          if (!CheckAccess(deps, caller, *row).ok()) return absl::OkStatus();
        }
        return FillFiling(deps, tx, id, response->mutable_filing());
      });
      if (!status.ok()) {
        // The change is stored: a retry with the same request id answers.
        response->Clear();
        return status;
      }
    }
  }
  return absl::OkStatus();
}

// MutateOnce for a gRPC handler.
template <typename Response, typename Body>
grpc::Status Mutate(Deps& deps, const auth::Principal& caller,
                    std::string_view method, std::string_view request_id,
                    Response* response, Body body) {
  return auth::ToGrpcStatus(
      MutateOnce(deps, caller, method, request_id, response, std::move(body)));
}

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_FILING_OPS_H_
