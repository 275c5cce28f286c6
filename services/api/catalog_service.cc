#include "services/api/catalog_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"
#include "services/api/handler.h"

namespace cdkv::api {
namespace {

cdkv::v1::Level ToProto(domain::Level level) {
  return level == domain::Level::kDistrict ? cdkv::v1::LEVEL_DISTRICT
                                           : cdkv::v1::LEVEL_COMMUNE;
}

void Fill(const domain::Procedure& p, cdkv::v1::Procedure* out) {
  out->set_code(p.code);
  out->set_name(p.name_vi);
  out->set_field(std::string(domain::ProcedureFieldName(p.field)));
  out->set_competent_level(ToProto(p.level));
  out->set_processing_working_days(p.processing.working_days);
  for (const domain::RequiredDocument& d : p.documents) {
    cdkv::v1::RequiredDocument* doc = out->add_documents();
    doc->set_kind(d.kind);
    doc->set_label(d.label_vi);
    doc->set_required(d.required);
  }
  cdkv::v1::FormDefinition* form = out->add_forms();
  form->set_form_code(p.code);
  form->set_title(absl::StrCat("Tờ khai ", p.name_vi));
  for (const domain::FormField& f : p.form_fields) {
    cdkv::v1::FieldDefinition* field = form->add_fields();
    field->set_key(f.key);
    field->set_label(f.label_vi);
    field->set_type(std::string(domain::FormFieldTypeName(f.type)));
    field->set_required(f.required);
    for (const std::string& choice : f.enum_values) field->add_choices(choice);
  }
  out->set_baseline_citizen_minutes(p.baseline.citizen_form_minutes);
  out->set_baseline_officer_minutes(p.baseline.officer_form_minutes);
  out->set_trips_avoided(p.baseline.trips_avoided);
  out->set_baseline_source(p.baseline.source);
  out->set_legal_basis(p.processing.source);
}

void Fill(const domain::Desk& d, domain::Level level, cdkv::v1::Desk* out) {
  out->set_code(d.code);
  out->set_name(d.name_vi);
  out->set_address(d.address_vi);
  out->set_level(ToProto(level));
}

}  // namespace

grpc::ServerUnaryReactor* CatalogServiceImpl::ListProcedures(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListProceduresRequest* request,
    cdkv::v1::ListProceduresResponse* response) {
  return Serve(context, "ListProcedures", [&]() -> grpc::Status {
    for (const domain::Procedure& p : catalog_.data().procedures) {
      if (!request->field().empty() &&
          Std(domain::ProcedureFieldName(p.field)) != request->field()) {
        continue;
      }
      Fill(p, response->add_procedures());
    }
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* CatalogServiceImpl::GetProcedure(
    grpc::CallbackServerContext* context,
    const cdkv::v1::GetProcedureRequest* request,
    cdkv::v1::GetProcedureResponse* response) {
  return Serve(context, "GetProcedure", [&]() -> grpc::Status {
    if (request->code().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "code is required");
    }
    const domain::Procedure* p = catalog_.FindProcedure(request->code());
    if (p == nullptr) {
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat("no procedure '", request->code().substr(0, 100),
                       "'; ListProcedures lists them"));
    }
    Fill(*p, response->mutable_procedure());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* CatalogServiceImpl::ListCommunes(
    grpc::CallbackServerContext* context,
    const cdkv::v1::ListCommunesRequest* request,
    cdkv::v1::ListCommunesResponse* response) {
  return Serve(context, "ListCommunes", [&]() -> grpc::Status {
    std::set<std::string> commune_desks;
    for (const domain::Commune& c : catalog_.data().communes) {
      commune_desks.insert(c.desk_code);
      if (!request->district_code().empty() &&
          c.district_code != request->district_code()) {
        continue;
      }
      cdkv::v1::Commune* out = response->add_communes();
      out->set_code(c.code);
      out->set_name(c.name_vi);
      out->set_district_code(c.district_code);
      if (const domain::District* d = catalog_.FindDistrict(c.district_code)) {
        out->set_district_name(d->name_vi);
        out->set_province_name(d->province_vi);
      }
      if (const domain::Desk* desk = catalog_.FindDesk(c.desk_code)) {
        Fill(*desk, domain::Level::kCommune, out->mutable_desk());
      }
    }
    for (const domain::Desk& d : catalog_.data().desks) {
      if (commune_desks.count(d.code) == 0) {
        Fill(d, domain::Level::kDistrict, response->add_other_desks());
      }
    }
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* CatalogServiceImpl::ListBundles(
    grpc::CallbackServerContext* context, const cdkv::v1::ListBundlesRequest*,
    cdkv::v1::ListBundlesResponse* response) {
  return Serve(context, "ListBundles", [&]() -> grpc::Status {
    for (const domain::Bundle& b : catalog_.data().bundles) {
      cdkv::v1::Bundle* out = response->add_bundles();
      out->set_code(b.code);
      out->set_name(b.name_vi);
      for (const domain::BundleMember& m : b.members) {
        if (!m.procedure_code.empty())
          out->add_procedure_codes(m.procedure_code);
      }
    }
    return grpc::Status::OK;
  });
}

}  // namespace cdkv::api
