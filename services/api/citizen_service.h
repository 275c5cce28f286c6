#ifndef CDKV_SERVICES_API_CITIZEN_SERVICE_H_
#define CDKV_SERVICES_API_CITIZEN_SERVICE_H_

#include "cdkv/v1/citizen.grpc.pb.h"
#include "common/work_pool.h"
#include "services/api/deps.h"

namespace cdkv::api {

// CitizenService over the record store. Uploads are checked (type, header
// dimensions, full decode) on `upload_pool`, unary calls run on the service's
// own pool; neither runs on gRPC's threads.
class CitizenServiceImpl final
    : public cdkv::v1::CitizenService::CallbackService {
 public:
  CitizenServiceImpl(Deps& deps, WorkPool& upload_pool)
      : deps_(deps), upload_pool_(upload_pool), pool_(deps.handler_threads) {}

  grpc::ServerUnaryReactor* CreateFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::CreateFilingRequest* request,
      cdkv::v1::CreateFilingResponse* response) override;
  grpc::ServerReadReactor<cdkv::v1::UploadDocumentRequest>* UploadDocument(
      grpc::CallbackServerContext* context,
      cdkv::v1::UploadDocumentResponse* response) override;
  grpc::ServerUnaryReactor* RemoveDocument(
      grpc::CallbackServerContext* context,
      const cdkv::v1::RemoveDocumentRequest* request,
      cdkv::v1::RemoveDocumentResponse* response) override;
  grpc::ServerUnaryReactor* SubmitFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::SubmitFilingRequest* request,
      cdkv::v1::SubmitFilingResponse* response) override;
  grpc::ServerUnaryReactor* GetFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::GetFilingRequest* request,
      cdkv::v1::GetFilingResponse* response) override;
  grpc::ServerUnaryReactor* ListFilings(
      grpc::CallbackServerContext* context,
      const cdkv::v1::ListFilingsRequest* request,
      cdkv::v1::ListFilingsResponse* response) override;
  grpc::ServerWriteReactor<cdkv::v1::WatchFilingResponse>* WatchFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::WatchFilingRequest* request) override;
  grpc::ServerUnaryReactor* ChooseResultDelivery(
      grpc::CallbackServerContext* context,
      const cdkv::v1::ChooseResultDeliveryRequest* request,
      cdkv::v1::ChooseResultDeliveryResponse* response) override;
  grpc::ServerUnaryReactor* SupplyDocuments(
      grpc::CallbackServerContext* context,
      const cdkv::v1::SupplyDocumentsRequest* request,
      cdkv::v1::SupplyDocumentsResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::WithdrawFilingRequest* request,
      cdkv::v1::WithdrawFilingResponse* response) override;
  grpc::ServerUnaryReactor* RateFiling(
      grpc::CallbackServerContext* context,
      const cdkv::v1::RateFilingRequest* request,
      cdkv::v1::RateFilingResponse* response) override;
  grpc::ServerUnaryReactor* ListNotifications(
      grpc::CallbackServerContext* context,
      const cdkv::v1::ListNotificationsRequest* request,
      cdkv::v1::ListNotificationsResponse* response) override;

 private:
  Deps& deps_;
  WorkPool& upload_pool_;
  // Runs the unary handlers (see ServeOnPool): a submit waits for its group
  // commit, and on gRPC's two callback threads that wait kept commits from
  // batching. Last member, so it is destroyed first: queued calls finish while
  // deps_ is still there.
  WorkPool pool_;
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_CITIZEN_SERVICE_H_
