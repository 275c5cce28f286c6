#ifndef CDKV_SERVICES_API_DESK_SERVICE_H_
#define CDKV_SERVICES_API_DESK_SERVICE_H_

#include "cdkv/v1/desk.grpc.pb.h"
#include "common/work_pool.h"
#include "services/api/deps.h"

namespace cdkv::api {

// DeskService: what a commune officer does. Claims are arbitrated in Redis
// (DeskQueue, atomic Lua) when Redis is reachable, and always recorded in the
// record store with a versioned update, so two officers never hold the same
// filing even while Redis is down.
class DeskServiceImpl final : public cdkv::v1::DeskService::CallbackService {
 public:
  explicit DeskServiceImpl(Deps& deps)
      : deps_(deps), pool_(deps.handler_threads) {}

  grpc::ServerUnaryReactor* ListDeskQueue(
      grpc::CallbackServerContext*, const cdkv::v1::ListDeskQueueRequest*,
      cdkv::v1::ListDeskQueueResponse*) override;
  grpc::ServerUnaryReactor* ClaimFiling(
      grpc::CallbackServerContext*, const cdkv::v1::ClaimFilingRequest*,
      cdkv::v1::ClaimFilingResponse*) override;
  grpc::ServerUnaryReactor* RenewClaim(grpc::CallbackServerContext*,
                                       const cdkv::v1::RenewClaimRequest*,
                                       cdkv::v1::RenewClaimResponse*) override;
  grpc::ServerUnaryReactor* ReleaseFiling(
      grpc::CallbackServerContext*, const cdkv::v1::ReleaseFilingRequest*,
      cdkv::v1::ReleaseFilingResponse*) override;
  grpc::ServerUnaryReactor* GetDeskFiling(
      grpc::CallbackServerContext*, const cdkv::v1::GetDeskFilingRequest*,
      cdkv::v1::GetDeskFilingResponse*) override;
  grpc::ServerWriteReactor<cdkv::v1::DownloadDocumentResponse>*
  DownloadDocument(grpc::CallbackServerContext*,
                   const cdkv::v1::DownloadDocumentRequest*) override;
  grpc::ServerUnaryReactor* CorrectFields(
      grpc::CallbackServerContext*, const cdkv::v1::CorrectFieldsRequest*,
      cdkv::v1::CorrectFieldsResponse*) override;
  grpc::ServerUnaryReactor* ConfirmFiling(
      grpc::CallbackServerContext*, const cdkv::v1::ConfirmFilingRequest*,
      cdkv::v1::ConfirmFilingResponse*) override;
  grpc::ServerUnaryReactor* RequestDocuments(
      grpc::CallbackServerContext*, const cdkv::v1::RequestDocumentsRequest*,
      cdkv::v1::RequestDocumentsResponse*) override;
  grpc::ServerUnaryReactor* RejectFiling(
      grpc::CallbackServerContext*, const cdkv::v1::RejectFilingRequest*,
      cdkv::v1::RejectFilingResponse*) override;
  grpc::ServerUnaryReactor* ForwardFiling(
      grpc::CallbackServerContext*, const cdkv::v1::ForwardFilingRequest*,
      cdkv::v1::ForwardFilingResponse*) override;
  grpc::ServerUnaryReactor* StartProcessing(
      grpc::CallbackServerContext*, const cdkv::v1::StartProcessingRequest*,
      cdkv::v1::StartProcessingResponse*) override;
  grpc::ServerUnaryReactor* MarkResultReady(
      grpc::CallbackServerContext*, const cdkv::v1::MarkResultReadyRequest*,
      cdkv::v1::MarkResultReadyResponse*) override;
  grpc::ServerUnaryReactor* RecordPickup(
      grpc::CallbackServerContext*, const cdkv::v1::RecordPickupRequest*,
      cdkv::v1::RecordPickupResponse*) override;

 private:
  Deps& deps_;
  // Runs the handlers (see ServeOnPool): enough threads for commits to batch.
  // Last member, so it is destroyed first: queued calls finish while deps_
  // is still there.
  WorkPool pool_;
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_DESK_SERVICE_H_
