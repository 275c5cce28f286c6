#ifndef CDKV_SERVICES_API_CATALOG_SERVICE_H_
#define CDKV_SERVICES_API_CATALOG_SERVICE_H_

#include "cdkv/v1/catalog.grpc.pb.h"
#include "services/domain/catalog.h"

namespace cdkv::api {

// CatalogService: the public catalog, readable without signing in (a citizen
// chooses the procedure before they have an account).
class CatalogServiceImpl final
    : public cdkv::v1::CatalogService::CallbackService {
 public:
  explicit CatalogServiceImpl(const domain::Catalog& catalog)
      : catalog_(catalog) {}

  grpc::ServerUnaryReactor* ListProcedures(
      grpc::CallbackServerContext*, const cdkv::v1::ListProceduresRequest*,
      cdkv::v1::ListProceduresResponse*) override;
  grpc::ServerUnaryReactor* GetProcedure(
      grpc::CallbackServerContext*, const cdkv::v1::GetProcedureRequest*,
      cdkv::v1::GetProcedureResponse*) override;
  grpc::ServerUnaryReactor* ListCommunes(
      grpc::CallbackServerContext*, const cdkv::v1::ListCommunesRequest*,
      cdkv::v1::ListCommunesResponse*) override;
  grpc::ServerUnaryReactor* ListBundles(
      grpc::CallbackServerContext*, const cdkv::v1::ListBundlesRequest*,
      cdkv::v1::ListBundlesResponse*) override;

 private:
  const domain::Catalog& catalog_;
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_CATALOG_SERVICE_H_
