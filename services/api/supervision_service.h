#ifndef CDKV_SERVICES_API_SUPERVISION_SERVICE_H_
#define CDKV_SERVICES_API_SUPERVISION_SERVICE_H_

#include "cdkv/v1/supervision.grpc.pb.h"
#include "services/api/deps.h"

namespace cdkv::api {

// SupervisionService: time saved (each component apart), performance and the
// audit trail, for a supervisor's own district or province only. Figures come
// from the domain core's pure accounting over facts read from the record store.
class SupervisionServiceImpl final
    : public cdkv::v1::SupervisionService::CallbackService {
 public:
  explicit SupervisionServiceImpl(Deps& deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* GetTimeSaved(
      grpc::CallbackServerContext*, const cdkv::v1::GetTimeSavedRequest*,
      cdkv::v1::GetTimeSavedResponse*) override;
  grpc::ServerUnaryReactor* GetPerformance(
      grpc::CallbackServerContext*, const cdkv::v1::GetPerformanceRequest*,
      cdkv::v1::GetPerformanceResponse*) override;
  grpc::ServerUnaryReactor* ListLateFilings(
      grpc::CallbackServerContext*, const cdkv::v1::ListLateFilingsRequest*,
      cdkv::v1::ListLateFilingsResponse*) override;
  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext*, const cdkv::v1::ListAuditEventsRequest*,
      cdkv::v1::ListAuditEventsResponse*) override;

 private:
  Deps& deps_;
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_SUPERVISION_SERVICE_H_
